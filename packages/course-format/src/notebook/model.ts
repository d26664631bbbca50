/** The typed model of one notebook, whatever its source format (MyST markdown or .ipynb). */

export type JsonObject = { [key: string]: unknown };

export interface Notebook {
  /** Course-relative path, e.g. `w1/w1-s2-c1-chaines.md`. */
  path: string;
  format: 'myst' | 'ipynb';
  /** Notebook-level metadata: the MyST front matter, or the .ipynb `metadata`. */
  metadata: JsonObject;
  cells: Cell[];
}

export type Cell = MarkdownCell | CodeCell | RawCell;

interface CellBase {
  /** Position in the notebook, from 0. */
  index: number;
  /** The .ipynb cell id (nbformat 4.5) or metadata `id` when present, else `cell-<index>`. */
  id: string;
  /** 1-based line in the source file where the cell starts. */
  line: number;
  source: string;
  metadata: JsonObject;
  /** `metadata.tags`, validated to strings. */
  tags: string[];
}

export interface MarkdownCell extends CellBase {
  type: 'markdown';
  /** .ipynb attachments: name → { mime type → base64 data }. */
  attachments: Record<string, Record<string, string>>;
}

export interface CodeCell extends CellBase {
  type: 'code';
  /** The language named on the fence (`ipython3`) or by the kernel; usually python. */
  language: string;
  /** Stored outputs (.ipynb only; MyST notebooks carry none). */
  outputs: Output[];
  executionCount: number | null;
}

export interface RawCell extends CellBase {
  type: 'raw';
}

export type Output = StreamOutput | RichOutput | ErrorOutput;

export interface StreamOutput {
  type: 'stream';
  name: 'stdout' | 'stderr';
  text: string;
}

export interface RichOutput {
  type: 'execute_result' | 'display_data';
  /** MIME bundle: mime type → text (base64 for binary images). */
  data: Record<string, string>;
  executionCount: number | null;
}

export interface ErrorOutput {
  type: 'error';
  ename: string;
  evalue: string;
  /** Lines as stored, possibly with ANSI colour escapes. */
  traceback: string[];
}

/** Reads `metadata.tags` as a list of strings, ignoring anything else. */
export function tagsOf(metadata: JsonObject): string[] {
  const tags = metadata['tags'];
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
