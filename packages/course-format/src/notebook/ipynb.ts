import {
  findNodeAtLocation,
  getNodeValue,
  parseTree,
  printParseErrorCode,
  type Node,
  type ParseError,
} from 'jsonc-parser';
import { DiagnosticSink, positionLocator, type ParseResult } from '../diagnostics.ts';
import { jsonTooDeepAt, MAX_NESTING } from '../nesting.ts';
import { isJsonObject, tagsOf, type Cell, type JsonObject, type Notebook, type Output } from './model.ts';

/**
 * nbformat 4 (.ipynb) notebooks, stored outputs included. The JSON is parsed into a syntax tree so
 * that every problem, even deep inside a cell, is reported at its line and column.
 */
export function parseIpynbNotebook(text: string, path: string): ParseResult<Notebook> {
  const sink = new DiagnosticSink(path);
  const errors: ParseError[] = [];
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const locate = positionLocator(noBom);
  const at = (offset: number): [number, number] => {
    const p = locate(offset);
    return [p.line, p.column];
  };
  // Checked before parsing: the parser, and all that walks its value, recurse once per level.
  const tooDeep = jsonTooDeepAt(noBom);
  if (tooDeep >= 0) {
    sink.error(
      'ipynb.too-deep',
      `This .ipynb file nests lists or objects more than ${MAX_NESTING} levels deep here; no notebook needs that. Remove or flatten this value.`,
      ...at(tooDeep),
    );
    return { value: null, diagnostics: sink.items };
  }
  const root = parseTree(noBom, errors, { allowTrailingComma: false, disallowComments: true });

  if (errors.length > 0 || !root) {
    const first = errors[0];
    const [line, column] = first ? at(first.offset) : [1, 1];
    const reason = first ? printParseErrorCode(first.error) : 'empty file';
    sink.error('ipynb.json', `This .ipynb file is not valid JSON (${reason}).`, line, column);
    return { value: null, diagnostics: sink.items };
  }
  if (root.type !== 'object') {
    sink.error(
      'ipynb.not-notebook',
      'A notebook must be a JSON object with "cells" and "nbformat".',
      ...at(root.offset),
    );
    return { value: null, diagnostics: sink.items };
  }

  const nbformat = getNodeValue(findNodeAtLocation(root, ['nbformat']) ?? nullNode) as unknown;
  if (nbformat !== 4) {
    const node = findNodeAtLocation(root, ['nbformat']) ?? root;
    sink.error(
      'ipynb.nbformat',
      `Only nbformat 4 notebooks are supported; this one says nbformat ${JSON.stringify(nbformat ?? null)}. Convert it with "jupyter nbconvert --to notebook".`,
      ...at(node.offset),
    );
    return { value: null, diagnostics: sink.items };
  }
  const metadataNode = findNodeAtLocation(root, ['metadata']);
  const metadata = metadataNode ? getNodeValue(metadataNode) : {};
  const cellsNode = findNodeAtLocation(root, ['cells']);
  if (!cellsNode || cellsNode.type !== 'array') {
    sink.error('ipynb.cells', 'A notebook needs a "cells" list.', ...at((cellsNode ?? root).offset));
    return { value: null, diagnostics: sink.items };
  }
  const language = readLanguage(isJsonObject(metadata) ? metadata : {});

  const cells: Cell[] = [];
  for (const cellNode of cellsNode.children ?? []) {
    const [line, column] = at(cellNode.offset);
    const cell = readCell(getNodeValue(cellNode) as unknown, cells.length, line, language);
    if (typeof cell === 'string') sink.error('ipynb.cell', cell, line, column);
    else cells.push(cell);
  }
  const value = sink.hasErrors
    ? null
    : { path, format: 'ipynb' as const, metadata: isJsonObject(metadata) ? metadata : {}, cells };
  return { value, diagnostics: sink.items };
}

const nullNode: Node = { type: 'null', offset: 0, length: 0 };

function readLanguage(metadata: JsonObject): string {
  const info = metadata['language_info'];
  if (isJsonObject(info) && typeof info['name'] === 'string') return info['name'];
  const kernel = metadata['kernelspec'];
  if (isJsonObject(kernel) && typeof kernel['language'] === 'string') return kernel['language'];
  return 'python';
}

/** nbformat stores multi-line strings either as a string or as a list of lines. */
function joinText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return null;
}

/** Returns the cell, or a message saying what is wrong with it. */
function readCell(raw: unknown, index: number, line: number, language: string): Cell | string {
  if (!isJsonObject(raw)) return 'A cell must be a JSON object.';
  const source = joinText(raw['source'] ?? '');
  if (source === null) return 'The cell "source" must be a string or a list of strings.';
  const metadata = isJsonObject(raw['metadata']) ? raw['metadata'] : {};
  const id = typeof raw['id'] === 'string' && raw['id'] !== '' ? raw['id'] : `cell-${index}`;
  const base = { index, id, line, source, metadata, tags: tagsOf(metadata) };
  switch (raw['cell_type']) {
    case 'markdown':
      return { ...base, type: 'markdown', attachments: readAttachments(raw['attachments']) };
    case 'raw':
      return { ...base, type: 'raw' };
    case 'code': {
      const outputs: Output[] = [];
      for (const out of Array.isArray(raw['outputs']) ? raw['outputs'] : []) {
        const output = readOutput(out);
        if (typeof output === 'string') return output;
        outputs.push(output);
      }
      const count = raw['execution_count'];
      return { ...base, type: 'code', language, outputs, executionCount: typeof count === 'number' ? count : null };
    }
    default:
      return `Unknown cell_type ${JSON.stringify(raw['cell_type'] ?? null)}: expected "markdown", "code" or "raw".`;
  }
}

function readAttachments(raw: unknown): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  if (!isJsonObject(raw)) return result;
  for (const [name, bundle] of Object.entries(raw)) {
    if (isJsonObject(bundle)) result[name] = readBundle(bundle);
  }
  return result;
}

function readBundle(raw: JsonObject): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [mime, value] of Object.entries(raw)) {
    const text = joinText(value);
    if (text !== null) data[mime] = text;
    else if (mime.endsWith('json')) data[mime] = JSON.stringify(value);
  }
  return data;
}

function readOutput(raw: unknown): Output | string {
  if (!isJsonObject(raw)) return 'An output must be a JSON object.';
  switch (raw['output_type']) {
    case 'stream': {
      const text = joinText(raw['text']);
      if (text === null) return 'A stream output needs a "text".';
      return { type: 'stream', name: raw['name'] === 'stderr' ? 'stderr' : 'stdout', text };
    }
    case 'execute_result':
    case 'display_data': {
      const data = isJsonObject(raw['data']) ? readBundle(raw['data']) : {};
      const count = raw['execution_count'];
      return { type: raw['output_type'], data, executionCount: typeof count === 'number' ? count : null };
    }
    case 'error': {
      const traceback = Array.isArray(raw['traceback']) ? raw['traceback'].filter((l) => typeof l === 'string') : [];
      return {
        type: 'error',
        ename: typeof raw['ename'] === 'string' ? raw['ename'] : 'Error',
        evalue: typeof raw['evalue'] === 'string' ? raw['evalue'] : '',
        traceback,
      };
    }
    default:
      return `Unknown output_type ${JSON.stringify(raw['output_type'] ?? null)}: expected stream, execute_result, display_data or error.`;
  }
}
