/**
 * Lines of a `.quiz` file and what each one is. A `<pre>` block is opaque: the physical lines it
 * spans form a single source line, so nothing inside it is ever read as a construct.
 */

import type { DiagnosticSink } from '../diagnostics.ts';
import { repairClosingTags } from './html.ts';

/** One line as the parser reads it. */
export interface SourceLine {
  /** 1-based line, in the author's file, where this line starts. */
  line: number;
  /** The text; holds `\n` when a `<pre>` block carries it over several physical lines. */
  text: string;
}

/** What a line is, with the parts its construct carries. */
export type LineShape =
  | { kind: 'blank' }
  | { kind: 'text' }
  | { kind: 'separator' }
  /** A line of `=` only; it underlines a title when it has 4 or more. */
  | { kind: 'underline'; count: number }
  | { kind: 'choice'; multiple: boolean; correct: boolean; body: string }
  | { kind: 'explanation' }
  /** `[explanation]` sharing its line with text, where it cannot open or close an explanation. */
  | { kind: 'inline-explanation'; offset: number }
  | { kind: 'answer'; body: string }
  | { kind: 'alternative'; body: string }
  | { kind: 'dropdown'; body: string }
  | { kind: 'dropdown-open' }
  | { kind: 'dropdown-close' }
  | { kind: 'label'; body: string; hint: string | null }
  | { kind: 'hint'; body: string }
  /** A `{{…}}` line standing alone; `compound` for the `{{ ((A B)) … }}` form. */
  | { kind: 'feedback'; compound: boolean };

export type ClassifiedLine = SourceLine & { shape: LineShape };

// `[^<>]` rather than `[^>]`: a scan stops at the next `<`, which keeps long lines linear.
const PRE_TAG = /<(\/?)pre(?=[\s>])[^<>]*>/gi;

interface Position {
  line: number;
  column: number;
}

/**
 * Splits normalised text into source lines: repairs `<\tag>` slips on each physical line, then
 * joins the lines of each multi-line `<pre>` block. Reports a `<pre>` left open at the end.
 */
export function readSourceLines(text: string, sink: DiagnosticSink): SourceLine[] {
  const physical = text.split('\n').map((t, i) => repairClosingTags(t, i + 1, sink));
  const lines: SourceLine[] = [];
  let i = 0;
  while (i < physical.length) {
    const start = i;
    const parts = [physical[i]!];
    let open = preOpenAtEnd(physical[i]!, i + 1, null);
    i++;
    while (open && i < physical.length) {
      parts.push(physical[i]!);
      open = preOpenAtEnd(physical[i]!, i + 1, open);
      i++;
    }
    if (open) {
      sink.error(
        'quiz.unclosed-pre',
        'This <pre> block is never closed: add </pre> after the code it holds.',
        open.line,
        open.column,
      );
    }
    lines.push({ line: start + 1, text: parts.join('\n') });
  }
  return lines;
}

/** Where the `<pre>` still open at the end of this physical line was opened, or null. */
function preOpenAtEnd(text: string, line: number, openBefore: Position | null): Position | null {
  let open = openBefore;
  for (const tag of text.matchAll(PRE_TAG)) {
    open = tag[1] === '/' ? null : (open ?? { line, column: tag.index + 1 });
  }
  return open;
}

const SEPARATOR = /^\s*<hr\s*\/?>\s*$/i;
const EXPLANATION = /^\s*\[explanation\]\s*$/i;
const EXPLANATION_ANYWHERE = /\[explanation\]/i;
const UNDERLINE = /^\s*==[= \t]*$/;
// Captures are greedy and trimmed afterwards: a lazy capture before `\s*$` backtracks
// quadratically on a long line, and course files are imported on the server.
const ALTERNATIVE = /^\s*or=(.*)$/i;
// `=` not followed by `=`, so `=== x` is not an answer; `=3` and `= 3` are.
const ANSWER = /^\s*=(?!=)(.*)$/;
const DROPDOWN_OPEN = /^\s*\[\[\s*$/;
const DROPDOWN_CLOSE = /^\s*\]\]\s*$/;
const DROPDOWN = /^\s*\[\[(.*)\]\]\s*$/;
// The `s` flag lets an option carry a multi-line `<pre>` block.
const CHOICE = /^\s*(?:\(([ xX])\)|\[([ xX])\])(.*)$/s;
const LABEL = /^\s*>>(.*)<<\s*$/;
const HINT = /^\s*\|\|(.*)\|\|\s*$/;
const FEEDBACK = /^\s*\{\{(.*)\}\}\s*$/;

/** Says what one source line is. Pure: the builder reports what is wrong with it. */
export function classifyLine(text: string): LineShape {
  if (text.trim() === '') return { kind: 'blank' };
  if (SEPARATOR.test(text)) return { kind: 'separator' };
  if (EXPLANATION.test(text)) return { kind: 'explanation' };
  const inline = outsidePre(text).search(EXPLANATION_ANYWHERE);
  if (inline >= 0) return { kind: 'inline-explanation', offset: inline };
  if (UNDERLINE.test(text)) return { kind: 'underline', count: text.split('=').length - 1 };

  let m = ALTERNATIVE.exec(text);
  if (m) return { kind: 'alternative', body: m[1]!.trim() };
  m = ANSWER.exec(text);
  if (m) return { kind: 'answer', body: m[1]!.trim() };

  if (DROPDOWN_OPEN.test(text)) return { kind: 'dropdown-open' };
  if (DROPDOWN_CLOSE.test(text)) return { kind: 'dropdown-close' };
  m = DROPDOWN.exec(text);
  if (m) return { kind: 'dropdown', body: m[1]! };

  m = CHOICE.exec(text);
  if (m) {
    const mark = m[1] ?? m[2]!;
    return { kind: 'choice', multiple: m[1] === undefined, correct: mark !== ' ', body: m[3]! };
  }

  m = LABEL.exec(text);
  if (m) {
    const [label, hint] = splitOnce(m[1]!, '||');
    return { kind: 'label', body: label, hint };
  }
  m = HINT.exec(text);
  if (m) return { kind: 'hint', body: m[1]! };
  m = FEEDBACK.exec(text);
  if (m) return { kind: 'feedback', compound: /^\s*\(\(/.test(m[1]!) };
  return { kind: 'text' };
}

/** Reads every source line's shape. */
export function classifyLines(lines: readonly SourceLine[]): ClassifiedLine[] {
  return lines.map((l) => ({ ...l, shape: classifyLine(l.text) }));
}

/** The text with its `<pre>…</pre>` blocks (closed or not) blanked out, offsets unchanged. */
export function outsidePre(text: string): string {
  let outside = '';
  let copiedUpTo = 0;
  let openAt: number | null = null;
  for (const tag of text.matchAll(PRE_TAG)) {
    const closing = tag[1] === '/';
    if (!closing && openAt === null) {
      outside += text.slice(copiedUpTo, tag.index);
      openAt = tag.index;
    } else if (closing && openAt !== null) {
      copiedUpTo = tag.index + tag[0].length;
      outside += ' '.repeat(copiedUpTo - openAt);
      openAt = null;
    }
  }
  return openAt === null ? outside + text.slice(copiedUpTo) : outside + ' '.repeat(text.length - openAt);
}

function splitOnce(text: string, separator: string): [string, string | null] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + separator.length)];
}
