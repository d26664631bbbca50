/** Where a problem was found: a course-relative file path, 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export type Severity = 'error' | 'warning';

/**
 * One problem found while reading a course, phrased for a course author.
 * `code` is stable (tests and tools match on it); `message` is English prose.
 */
export interface Diagnostic extends SourcePosition {
  severity: Severity;
  code: string;
  message: string;
}

/** What every parser returns: never a throw; `value` is null when an error diagnostic exists. */
export interface ParseResult<T> {
  value: T | null;
  diagnostics: Diagnostic[];
}

/** The only error the course-format parsers throw: it carries the diagnostics that stopped them. */
export class CourseFormatError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'CourseFormatError';
    this.diagnostics = diagnostics;
  }
}

/** `file:line:column: severity: message [code]`, the form editors and terminals link to. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Collects diagnostics for one file; positions are 1-based. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(readonly file: string) {}

  error(code: string, message: string, line = 1, column = 1): void {
    this.items.push({ severity: 'error', code, message, file: this.file, line, column });
  }

  warning(code: string, message: string, line = 1, column = 1): void {
    this.items.push({ severity: 'warning', code, message, file: this.file, line, column });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** Converts a 0-based character offset in `text` to a 1-based line and column. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * `positionAt` for many offsets in one text: the line starts are found once, then each position is
 * a binary search (a notebook of megabytes with hundreds of cells would otherwise take seconds).
 */
export function positionLocator(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const end = Math.min(Math.max(offset, 0), text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= end) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: end - starts[lo]! + 1 };
  };
}

/** Normalises line endings and strips a UTF-8 byte-order mark, so line numbers match the author's editor. */
export function normaliseText(text: string): string {
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return noBom.includes('\r') ? noBom.replace(/\r\n?/g, '\n') : noBom;
}
