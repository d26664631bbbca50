/**
 * IPython syntax → plain Python, before a cell runs in the browser. Each line stays on its line,
 * so tracebacks keep the learner's line numbers. The Python side (`kernel.py`) implements the
 * calls this produces: `__carnet__.line_magic`, `cell_magic`, `shell` and `help`.
 *
 * Only lines that cannot be Python are rewritten: a statement starting with `%`, `!` or `?`, or
 * ending with `?` after a name. Lines inside a triple-quoted string are never touched.
 */

/** Python literal for a string: JSON's escapes are valid Python escapes. */
function pyString(text: string): string {
  return JSON.stringify(text);
}

const LINE_MAGIC = /^(\s*)%([A-Za-z_]\w*)(?:\s+(.*))?$/;
const SHELL = /^(\s*)!(.*)$/;
const CAPTURE_SHELL = /^(\s*)([A-Za-z_]\w*)\s*=\s*!(.*)$/;
const CAPTURE_MAGIC = /^(\s*)([A-Za-z_]\w*)\s*=\s*%([A-Za-z_]\w*)(?:\s+(.*))?$/;
const HELP_AFTER = /^(\s*)([A-Za-z_][\w.]*(?:\(\))?)\s*(\?\??)\s*$/;
const HELP_BEFORE = /^(\s*)(\?\??)\s*([A-Za-z_][\w.]*)\s*$/;

/** Rewrites one cell. Pure: the same source always gives the same Python. */
export function translateCell(source: string): string {
  const cellMagic = /^%%([A-Za-z_]\w*)[ \t]*(.*)$/.exec(source.split('\n', 1)[0] ?? '');
  if (cellMagic) {
    const body = source.slice(source.indexOf('\n') + 1 || source.length);
    const [, name = '', args = ''] = cellMagic;
    // The body goes as a string on the first line; blank lines keep the line count.
    const call = `__carnet__.cell_magic(${pyString(name)}, ${pyString(args.trim())}, ${pyString(body)})`;
    return [call, ...body.split('\n').map(() => '')].slice(0, source.split('\n').length).join('\n');
  }
  const lines = source.split('\n');
  const starts = lineStartStates(source);
  let continued = false;
  return lines
    .map((line, i) => {
      const state = starts[i];
      const wasContinued = continued;
      continued = /\\$/.test(line) && state === 'code';
      if (state !== 'code' || wasContinued) return line;
      return translateLine(line);
    })
    .join('\n');
}

function translateLine(line: string): string {
  let m = CAPTURE_SHELL.exec(line);
  if (m) return `${m[1]}${m[2]} = __carnet__.shell(${pyString(m[3]!.trim())}, capture=True)`;
  m = CAPTURE_MAGIC.exec(line);
  if (m) return `${m[1]}${m[2]} = __carnet__.line_magic(${pyString(m[3]!)}, ${pyString((m[4] ?? '').trim())})`;
  m = LINE_MAGIC.exec(line);
  if (m) return `${m[1]}__carnet__.line_magic(${pyString(m[2]!)}, ${pyString((m[3] ?? '').trim())})`;
  m = SHELL.exec(line);
  if (m && !line.trimStart().startsWith('!=')) return `${m[1]}__carnet__.shell(${pyString(m[2]!.trim())})`;
  m = HELP_AFTER.exec(line);
  if (m) return `${m[1]}__carnet__.help(${pyString(m[2]!.replace(/\(\)$/, ''))}, ${m[3]!.length})`;
  m = HELP_BEFORE.exec(line);
  if (m) return `${m[1]}__carnet__.help(${pyString(m[3]!)}, ${m[2]!.length})`;
  return line;
}

type LineState = 'code' | 'string' | 'bracket';

/**
 * For each line, whether it starts as code, inside a triple-quoted string, or inside open
 * brackets (a continuation): a small scanner over strings, comments and brackets.
 */
export function lineStartStates(source: string): LineState[] {
  const states: LineState[] = ['code'];
  let quote: string | null = null; // the closing delimiter while inside a string
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\n') {
      // A single-quoted string cannot span lines (unless escaped, handled below).
      if (quote && quote.length === 1) quote = null;
      states.push(quote ? 'string' : depth > 0 ? 'bracket' : 'code');
      continue;
    }
    if (quote) {
      if (c === '\\') {
        i++;
        if (source[i] === '\n') states.push('string');
        continue;
      }
      if (source.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = null;
      }
      continue;
    }
    if (c === '#') {
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      quote = source.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length - 1;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
  }
  return states;
}
