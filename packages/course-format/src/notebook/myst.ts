import MarkdownIt, { type StateBlock, type Token } from 'markdown-it';
import { DiagnosticSink, normaliseText, type ParseResult } from '../diagnostics.ts';
import { jsonTooDeepAt, MAX_NESTING } from '../nesting.ts';
import { parseYamlBlock } from '../yaml.ts';
import { isJsonObject, tagsOf, type Cell, type JsonObject, type Notebook } from './model.ts';

/**
 * Jupytext's MyST notebook format: YAML front matter, markdown cells separated by `+++` lines
 * (optionally followed by JSON metadata), code cells as top-level ```{code-cell} fences whose
 * first lines are `:key: value` options or a `---` YAML block. Cell boundaries are found by a
 * real block-level markdown parse, so fences nested in lists or inside longer fences are content.
 */

const CODE_DIRECTIVE = '{code-cell}';
const RAW_DIRECTIVE = '{raw-cell}';

/** A line `+++` (3 or more), the rest of the line being the next markdown cell's JSON metadata. */
function blockBreakRule(state: StateBlock, startLine: number, _endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const end = state.eMarks[startLine]!;
  let pos = start;
  while (pos < end && state.src.charCodeAt(pos) === 0x2b /* + */) pos++;
  if (pos - start < 3) return false;
  if (silent) return true;
  const token = state.push('myst_break', '', 0);
  token.map = [startLine, startLine + 1];
  token.content = state.src.slice(pos, end).trim();
  state.line = startLine + 1;
  return true;
}

const blockParser = new MarkdownIt('commonmark');
blockParser.block.ruler.before('hr', 'myst_break', blockBreakRule, {
  alt: ['paragraph', 'reference', 'blockquote', 'list'],
});
// Only block structure matters here; inline parsing would be wasted work.
blockParser.core.ruler.disable(['inline', 'text_join']);

/** Parses a jupytext MyST notebook. Never throws; `value` is null when there are errors. */
export function parseMystNotebook(rawText: string, path: string): ParseResult<Notebook> {
  const sink = new DiagnosticSink(path);
  const text = normaliseText(rawText);
  const lines = text.split('\n');
  const { metadata, bodyStart } = readFrontMatter(lines, sink);

  const body = lines.slice(bodyStart).join('\n');
  let tokens: Token[];
  try {
    tokens = blockParser.parse(body, {});
  } catch (error) {
    sink.error('myst.parse', `The markdown could not be parsed: ${(error as Error).message}.`, bodyStart + 1);
    return { value: null, diagnostics: sink.items };
  }

  const cells: Cell[] = [];
  let mdStart = 0; // body line where the pending markdown cell starts
  let mdMetadata: JsonObject = {};

  const flushMarkdown = (endLine: number): void => {
    const slice = lines.slice(bodyStart + mdStart, bodyStart + endLine);
    let first = 0;
    while (first < slice.length && slice[first]!.trim() === '') first++;
    const source = slice.slice(first).join('\n').trimEnd();
    if (source === '') return;
    cells.push(makeCell('markdown', cells.length, bodyStart + mdStart + first + 1, source, mdMetadata));
  };

  for (const token of tokens) {
    if (token.level !== 0 || !token.map) continue;
    const [open, close] = token.map;
    if (token.type === 'fence' && (isDirective(token.info, CODE_DIRECTIVE) || isDirective(token.info, RAW_DIRECTIVE))) {
      flushMarkdown(open);
      const isCode = isDirective(token.info, CODE_DIRECTIVE);
      const fenceLine = bodyStart + open + 1;
      const { options, source } = readFencedCell(token.content, fenceLine, sink);
      const cell = makeCell(isCode ? 'code' : 'raw', cells.length, fenceLine, source, options);
      if (cell.type === 'code') {
        const lexer = token.info.trim().slice(CODE_DIRECTIVE.length).trim();
        cell.language = lexer || 'python';
      }
      cells.push(cell);
      if (!fenceIsClosed(lines, bodyStart + close - 1, token.markup, bodyStart + open)) {
        sink.error(
          'myst.unclosed-cell',
          `This ${isCode ? 'code' : 'raw'} cell is never closed: add a line ${token.markup} after its code.`,
          fenceLine,
        );
      }
      mdMetadata = {};
      mdStart = close;
    } else if (token.type === 'myst_break') {
      flushMarkdown(open);
      // The JSON starts after the + signs and spaces: point there, not at the +++.
      const column = (lines[bodyStart + open] ?? '').indexOf(token.content) + 1;
      mdMetadata = readBreakMetadata(token.content, bodyStart + open + 1, column, sink);
      mdStart = close;
    }
  }
  flushMarkdown(lines.length - bodyStart);

  const value: Notebook | null = sink.hasErrors ? null : { path, format: 'myst', metadata, cells };
  return { value, diagnostics: sink.items };
}

function isDirective(info: string, directive: string): boolean {
  const trimmed = info.trim();
  return trimmed === directive || trimmed.startsWith(directive + ' ');
}

function fenceIsClosed(lines: string[], lastLine: number, markup: string, openLine: number): boolean {
  if (lastLine <= openLine) return false;
  const last = (lines[lastLine] ?? '').trim();
  return last.length >= markup.length && last[0] === markup[0] && /^(`+|~+)$/.test(last);
}

function readFrontMatter(lines: string[], sink: DiagnosticSink): { metadata: JsonObject; bodyStart: number } {
  if (lines[0]?.trimEnd() !== '---') return { metadata: {}, bodyStart: 0 };
  let end = 1;
  while (end < lines.length && !/^(---|\.\.\.)\s*$/.test(lines[end]!)) end++;
  if (end >= lines.length) {
    sink.error('myst.unclosed-front-matter', 'The front matter that starts here is never closed by a line ---.', 1);
    return { metadata: {}, bodyStart: lines.length };
  }
  const yaml = lines.slice(1, end).join('\n');
  const value = parseYamlBlock(yaml, sink, 2, 'the front matter');
  if (value !== undefined && value !== null && !isJsonObject(value)) {
    sink.warning(
      'myst.front-matter-not-mapping',
      'The front matter should be a YAML mapping (key: value); it is ignored.',
      2,
    );
  }
  return { metadata: isJsonObject(value) ? value : {}, bodyStart: end + 1 };
}

/** Splits a fenced cell's content into its options (`:key: value` lines or a `---` YAML block) and its source. */
function readFencedCell(
  content: string,
  fenceLine: number,
  sink: DiagnosticSink,
): { options: JsonObject; source: string } {
  let bodyLines = content.split('\n');
  if (bodyLines.at(-1) === '') bodyLines.pop();
  let options: unknown = {};
  const optionsLine = fenceLine + 1;
  if (bodyLines[0]?.startsWith('---')) {
    const close = bodyLines.findIndex((line, i) => i > 0 && /^-{3,}/.test(line));
    const yamlLines = bodyLines.slice(1, close === -1 ? bodyLines.length : close);
    options = parseYamlBlock(yamlLines.join('\n'), sink, optionsLine + 1, 'the cell options');
    bodyLines = close === -1 ? [] : bodyLines.slice(close + 1);
  } else if (bodyLines[0]?.trimStart().startsWith(':')) {
    const yamlLines: string[] = [];
    while (bodyLines.length > 0 && bodyLines[0]!.trimStart().startsWith(':')) {
      yamlLines.push(bodyLines.shift()!.trimStart().slice(1));
    }
    options = parseYamlBlock(yamlLines.join('\n'), sink, optionsLine, 'the cell options', 1);
  }
  // One blank line may separate the options from the code.
  if (bodyLines.length > 0 && bodyLines[0]!.trim() === '') bodyLines = bodyLines.slice(1);
  if (options !== undefined && options !== null && !isJsonObject(options)) {
    sink.warning(
      'myst.options-not-mapping',
      'Cell options should be `:key: value` lines; they are ignored.',
      optionsLine,
    );
  }
  const metadata = isJsonObject(options) ? options : {};
  checkTags(metadata, sink, optionsLine);
  return { options: metadata, source: bodyLines.join('\n') };
}

function readBreakMetadata(json: string, line: number, column: number, sink: DiagnosticSink): JsonObject {
  if (json === '') return {};
  const tooDeep = jsonTooDeepAt(json);
  if (tooDeep >= 0) {
    sink.error(
      'myst.too-deep',
      `The metadata after +++ nests lists or objects more than ${MAX_NESTING} levels deep; no cell needs that. Flatten it.`,
      line,
      column + tooDeep,
    );
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    sink.error(
      'myst.cell-metadata-json',
      `The metadata after +++ must be JSON, e.g. +++ {"tags": ["gridwidth-1-2"]}: ${(error as Error).message}.`,
      line,
      column,
    );
    return {};
  }
  if (!isJsonObject(value)) {
    sink.error(
      'myst.cell-metadata-json',
      'The metadata after +++ must be a JSON object, e.g. {"tags": ["x"]}.',
      line,
      column,
    );
    return {};
  }
  checkTags(value, sink, line);
  return value;
}

function checkTags(metadata: JsonObject, sink: DiagnosticSink, line: number): void {
  const tags = metadata['tags'];
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) {
    sink.warning(
      'myst.tags-not-list',
      'Cell tags should be a list of names, e.g. [raises-exception]; they are ignored.',
      line,
    );
  }
}

function makeCell(type: Cell['type'], index: number, line: number, source: string, metadata: JsonObject): Cell {
  const id = typeof metadata['id'] === 'string' && metadata['id'] !== '' ? metadata['id'] : `cell-${index}`;
  const base = { index, id, line, source, metadata, tags: tagsOf(metadata) };
  switch (type) {
    case 'markdown':
      return { ...base, type, attachments: {} };
    case 'code':
      return { ...base, type, language: 'python', outputs: [], executionCount: null };
    case 'raw':
      return { ...base, type };
  }
}
