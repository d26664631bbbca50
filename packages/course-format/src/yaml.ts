import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import { positionAt, type DiagnosticSink } from './diagnostics.ts';
import { aliasTargets, MAX_NESTING, yamlAliasesTooDeepAt, yamlTooDeepAt, type AliasTargets } from './nesting.ts';

/**
 * Parses a YAML block that starts at 1-based `firstLine` of the sink's file, reporting syntax
 * errors there (first line of the message only: the rest is yaml's ASCII-art context).
 * Returns undefined when the block has errors.
 */
export function parseYamlBlock(
  text: string,
  sink: DiagnosticSink,
  firstLine: number,
  what: string,
  columnOffset = 0,
): unknown {
  if (tooDeep(text, sink, firstLine, what, columnOffset)) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    for (const error of doc.errors.slice(0, 3)) {
      const pos = error.linePos?.[0];
      const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      sink.error(
        'yaml.syntax',
        `Invalid YAML in ${what}: ${reason}.`,
        firstLine + (pos ? pos.line - 1 : 0),
        (pos?.col ?? 1) + columnOffset,
      );
    }
    return undefined;
  }
  if (badAliases(doc, lineCounter, sink, firstLine, what, columnOffset)) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    sink.error('yaml.value', `Invalid YAML in ${what}: ${(error as Error).message}.`, firstLine, 1);
    return undefined;
  }
}

/** A whole YAML file, with the line of any value in it for diagnostics. */
export interface YamlFile {
  value: unknown;
  /** 1-based line of the node at `path` (keys and indexes), or of the closest parent that exists. */
  lineOf(path: (string | number)[]): number;
}

/** Parses a YAML manifest; on syntax errors reports them and returns null. */
export function parseYamlFile(text: string, sink: DiagnosticSink, what: string): YamlFile | null {
  if (tooDeep(text, sink, 1, what, 0)) return null;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    parseYamlBlock(text, sink, 1, what);
    return null;
  }
  if (badAliases(doc, lineCounter, sink, 1, what, 0)) return null;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    sink.error('yaml.value', `Invalid YAML in ${what}: ${(error as Error).message}.`, 1, 1);
    return null;
  }
  return {
    value,
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return 1;
    },
  };
}

/**
 * Reports YAML nested deeper than `MAX_NESTING` (checked before parsing: the parser recurses once
 * per level, and a deep enough value overflows the stack).
 */
function tooDeep(text: string, sink: DiagnosticSink, firstLine: number, what: string, columnOffset: number): boolean {
  const offset = yamlTooDeepAt(text);
  if (offset < 0) return false;
  const { line, column } = positionAt(text, offset);
  sink.error(
    'yaml.too-deep',
    `Invalid YAML in ${what}: it nests lists or mappings more than ${MAX_NESTING} levels deep here; no course file needs that. Flatten this value.`,
    firstLine + line - 1,
    column + columnOffset,
  );
  return true;
}

/** Reports an alias used inside its own value, or aliases that nest the value too deep. */
function badAliases(
  doc: Document,
  lineCounter: LineCounter,
  sink: DiagnosticSink,
  firstLine: number,
  what: string,
  columnOffset: number,
): boolean {
  const targets = aliasTargets(doc);
  const cycle = cyclicAliasOffset(doc, targets);
  const deep = cycle === null ? yamlAliasesTooDeepAt(doc, targets) : -1;
  if (cycle === null && deep < 0) return false;
  const { line, col } = lineCounter.linePos(cycle ?? deep);
  const problem =
    cycle !== null
      ? CYCLE
      : `through its aliases (*name), this value nests more than ${MAX_NESTING} levels deep; no course file needs that`;
  sink.error(
    cycle !== null ? 'yaml.value' : 'yaml.too-deep',
    `Invalid YAML in ${what}: ${problem}.`,
    firstLine + line - 1,
    col + columnOffset,
  );
  return true;
}

const CYCLE = 'this alias (*name) is used inside the value it names, which makes an endless value';

/**
 * The offset of an alias used inside its own anchored value (`a: &x [*x]`), or null. yaml builds
 * such values as cyclic objects, which nothing downstream (JSON, recursive readers) survives.
 */
function cyclicAliasOffset(doc: Document, targets: AliasTargets): number | null {
  let found: number | null = null;
  visit(doc, {
    Alias(_key, node, path) {
      const source = targets.get(node);
      if (source && path.includes(source)) {
        found = node.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
