import type { Cell, JsonObject, Notebook, Output } from '@carnet/course-format';

/**
 * A course notebook with the learner's code in place of the originals (matched by cell id), as
 * a file to download: nbformat 4.5 JSON, or jupytext MyST markdown. Pure: the caller reads the
 * notebook and the saved code. Stored outputs stay only under cells whose code is unchanged
 * (they would describe other code).
 */

const KERNELSPEC = { display_name: 'Python 3', language: 'python', name: 'python3' };

/** The notebook's code cells with the learner's code where they saved some. */
function withLearnerCode(notebook: Notebook, code: ReadonlyMap<string, string>): Cell[] {
  return notebook.cells.map((cell) => {
    if (cell.type !== 'code') return cell;
    const saved = code.get(cell.id);
    return saved === undefined || saved === cell.source
      ? cell
      : { ...cell, source: saved, outputs: [], executionCount: null };
  });
}

/** Source as nbformat stores it: lines, each but the last ending with a newline. */
function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  return parts.map((line, i) => (i < parts.length - 1 ? `${line}\n` : line)).filter((line) => line !== '');
}

const NB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** nbformat 4.5 cell ids: 1–64 of [A-Za-z0-9_-], unique in the notebook. */
function cellIds(cells: Cell[]): string[] {
  const used = new Set<string>();
  return cells.map((cell, i) => {
    let id = NB_ID.test(cell.id) ? cell.id : cell.id.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || `cell-${i}`;
    if (used.has(id)) id = `${id.slice(0, 56)}-${i}`;
    used.add(id);
    return id;
  });
}

/** Cell metadata without what the format itself carries (a MyST `id` option). */
function cellMetadata(cell: Cell): JsonObject {
  const { id: _id, ...rest } = cell.metadata;
  return rest;
}

function outputToJson(output: Output): JsonObject {
  switch (output.type) {
    case 'stream':
      return { output_type: 'stream', name: output.name, text: lines(output.text) };
    case 'error':
      return { output_type: 'error', ename: output.ename, evalue: output.evalue, traceback: output.traceback };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        data: output.data,
        metadata: {},
        execution_count: output.executionCount,
      };
    case 'display_data':
      return { output_type: 'display_data', data: output.data, metadata: {} };
  }
}

/** The notebook as an nbformat 4.5 `.ipynb` (JSON text, one-space indent as Jupyter writes it). */
export function toIpynb(notebook: Notebook, code: ReadonlyMap<string, string>): string {
  const cells = withLearnerCode(notebook, code);
  const ids = cellIds(cells);
  const { jupytext: _jupytext, ...metadata } = notebook.metadata;
  return (
    JSON.stringify(
      {
        cells: cells.map((cell, i) => {
          const base = { id: ids[i], metadata: cellMetadata(cell), source: lines(cell.source) };
          if (cell.type === 'markdown') {
            return Object.keys(cell.attachments).length > 0
              ? { cell_type: 'markdown', ...base, attachments: cell.attachments }
              : { cell_type: 'markdown', ...base };
          }
          if (cell.type === 'raw') return { cell_type: 'raw', ...base };
          return {
            cell_type: 'code',
            execution_count: cell.executionCount,
            ...base,
            outputs: cell.outputs.map(outputToJson),
          };
        }),
        metadata: { ...metadata, kernelspec: KERNELSPEC, language_info: { name: 'python' } },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    ) + '\n'
  );
}

/** A YAML value: JSON is valid YAML (flow style), which keeps arbitrary metadata exact. */
const yamlValue = (value: unknown): string => JSON.stringify(value);
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function frontMatter(metadata: JsonObject): string {
  const { jupytext: _jupytext, kernelspec: _kernelspec, ...rest } = metadata;
  const out = [
    '---',
    'jupytext:',
    '  text_representation:',
    '    extension: .md',
    '    format_name: myst',
    "    format_version: '0.13'",
    'kernelspec:',
    `  display_name: ${KERNELSPEC.display_name}`,
    `  language: ${KERNELSPEC.language}`,
    `  name: ${KERNELSPEC.name}`,
  ];
  for (const [key, value] of Object.entries(rest))
    out.push(`${SIMPLE_KEY.test(key) ? key : yamlValue(key)}: ${yamlValue(value)}`);
  out.push('---');
  return out.join('\n');
}

/** A fence longer than any run of backticks in the content. */
function fenceFor(source: string): string {
  const longest = Math.max(2, ...[...source.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function fencedCell(directive: string, cell: Cell): string {
  const fence = fenceFor(cell.source);
  const metadata = cellMetadata(cell);
  const options = Object.keys(metadata)
    .filter((k) => SIMPLE_KEY.test(k))
    .map((k) => `:${k}: ${yamlValue(metadata[k])}`);
  // The parser reads a first line starting with ':' or '---' as options: an empty YAML block
  // before such code keeps it code.
  if (options.length === 0 && /^(---|[ \t]*:)/.test(cell.source)) options.push('---', '---');
  const out = [`${fence}${directive}`, ...options];
  // The parser drops one blank line after the fence line or the options: write one when there
  // are options (jupytext's layout) or when the code itself starts with a blank line.
  if (options.length > 0 || /^[ \t]*(\n|$)/.test(cell.source)) out.push('');
  if (cell.source !== '') out.push(cell.source);
  out.push(fence);
  return out.join('\n');
}

/** The notebook as jupytext MyST markdown (front matter, `{code-cell}` fences, `+++` breaks). */
export function toMyst(notebook: Notebook, code: ReadonlyMap<string, string>): string {
  const cells = withLearnerCode(notebook, code);
  const parts: string[] = [frontMatter(notebook.metadata)];
  let previous: Cell['type'] | null = null;
  for (const cell of cells) {
    if (cell.type === 'markdown') {
      const metadata = cellMetadata(cell);
      const hasMetadata = Object.keys(metadata).length > 0;
      if (previous === 'markdown' || hasMetadata) parts.push(hasMetadata ? `+++ ${JSON.stringify(metadata)}` : '+++');
      parts.push(cell.source);
    } else {
      parts.push(fencedCell(cell.type === 'code' ? '{code-cell} ipython3' : '{raw-cell}', cell));
    }
    previous = cell.type;
  }
  return parts.join('\n\n') + '\n';
}
