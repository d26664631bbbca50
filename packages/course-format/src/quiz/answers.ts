/**
 * The answer-carrying parts of a line: choice options and their feedback, numeric answers,
 * dropdown options. Pure functions; the problem builder reports what they reject.
 */
import { outsidePre } from './lines.ts';

import { inlineHtml } from './html.ts';
import type { ChoiceOption, NumericAnswer } from './model.ts';

const UNSIGNED = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const NUMBER = String.raw`[+-]?${UNSIGNED}`;
/** `3`, `-1.5e3`, `3 +- 0.1`, `100 +- 5%` (edX writes `+-`; `±` is accepted too). */
const VALUE_FORM = new RegExp(String.raw`^(${NUMBER})(?:\s*(?:\+-|±)\s*(${UNSIGNED})\s*(%)?)?$`);
/** `[5, 7)`: bracket = bound included, parenthesis = bound excluded. */
const RANGE_FORM = new RegExp(String.raw`^([[(])\s*(${NUMBER})\s*,\s*(${NUMBER})\s*([\])])$`);

/** What the text after `=` is: a number (or range), a number that cannot be used, or text. */
export type AnswerReading =
  { kind: 'numeric'; answer: NumericAnswer } | { kind: 'invalid'; reason: string } | { kind: 'text' };

/** Reads the text of a `=` or `or=` line (trimmed, feedback removed). */
export function readAnswer(body: string): AnswerReading {
  const value = VALUE_FORM.exec(body);
  if (value) return readValue(Number(value[1]), value[2], value[3] === '%');
  const range = RANGE_FORM.exec(body);
  if (range) return readRange(range[1] === '[', Number(range[2]), Number(range[3]), range[4] === ']');
  return { kind: 'text' };
}

function readValue(value: number, tolerance: string | undefined, percent: boolean): AnswerReading {
  const amount = tolerance === undefined ? 0 : Number(tolerance);
  if (!Number.isFinite(value) || !Number.isFinite(amount)) {
    return { kind: 'invalid', reason: 'it is too large to be used as a number.' };
  }
  return {
    kind: 'numeric',
    answer: { value, tolerance: percent ? (Math.abs(value) * amount) / 100 : amount },
  };
}

function readRange(minInclusive: boolean, min: number, max: number, maxInclusive: boolean): AnswerReading {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return {
      kind: 'invalid',
      reason: 'a bound of this range is too large to be used as a number.',
    };
  }
  if (min > max || (min === max && !(minInclusive && maxInclusive))) {
    return {
      kind: 'invalid',
      reason: 'this range contains no number; write the smaller bound first, e.g. [5, 7).',
    };
  }
  return {
    kind: 'numeric',
    // The centre and half-width describe the range to code that only knows value ± tolerance.
    answer: {
      value: (min + max) / 2,
      tolerance: (max - min) / 2,
      range: { min, max, minInclusive, maxInclusive },
    },
  };
}

/** Splits `text {{ feedback }}` into its text and its feedback (null when there is none). */
export function splitFeedback(body: string): { text: string; feedback: string | null } {
  // Scanned by hand rather than by regular expression: a backtracking pattern here would take
  // quadratic time on a long line, and course files are imported on the server.
  const trimmed = body.trimEnd();
  // Braces inside a `<pre>` block are the author's code, not the start of a feedback.
  const open = outsidePre(trimmed).indexOf('{{');
  if (!trimmed.endsWith('}}') || open < 0 || open + 2 > trimmed.length - 2) {
    return { text: body, feedback: null };
  }
  const feedback = trimmed.slice(open + 2, -2).trim();
  return { text: body.slice(0, open), feedback: feedback === '' ? null : feedback };
}

type Selection = 'selected' | 'unselected';
const FIRST_SELECTION_PART = /^\s*(selected|unselected)\s*:/i;
const NEXT_SELECTION_PART = /,\s*(selected|unselected)\s*:/i;

/**
 * The two edX spellings of checkbox feedback: `selected: A, unselected: B` and
 * `selected: A }, { unselected: B` (the outer braces already removed); either part may be absent.
 * Null when the feedback is plain text.
 */
function readSelectionFeedback(feedback: string): Record<Selection, string | null> | null {
  const flat = feedback.replace(/\}\s*,\s*\{/g, ', ');
  const first = FIRST_SELECTION_PART.exec(flat);
  if (!first) return null;
  const parts: Record<Selection, string | null> = { selected: null, unselected: null };
  const rest = flat.slice(first[0].length);
  const next = NEXT_SELECTION_PART.exec(rest);
  const firstText = next ? rest.slice(0, next.index) : rest;
  parts[first[1]!.toLowerCase() as Selection] = firstText.trim() || null;
  if (next) {
    const nextText = rest.slice(next.index + next[0].length);
    parts[next[1]!.toLowerCase() as Selection] = nextText.trim() || null;
  }
  return parts;
}

/** One option of a choice group, from the text after its `( )` / `[x]` marker. */
export function choiceOption(body: string, correct: boolean, multiple: boolean): ChoiceOption {
  const { text, feedback } = splitFeedback(body);
  const html = inlineHtml(text);
  if (!multiple) return { html, correct, feedback: feedback === null ? null : inlineHtml(feedback) };
  const selection = feedback === null ? null : readSelectionFeedback(feedback);
  return {
    html,
    correct,
    feedback: selection === null && feedback !== null ? inlineHtml(feedback) : null,
    feedbackSelected: selection?.selected ? inlineHtml(selection.selected) : null,
    feedbackUnselected: selection?.unselected ? inlineHtml(selection.unselected) : null,
  };
}

/** Dropdown options from `a, (b), c` items; the one in parentheses is correct. Empty items are skipped. */
export function dropdownOptions(items: readonly string[]): { text: string; correct: boolean }[] {
  return items
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const m = /^\((.*)\)$/s.exec(item);
      return m ? { text: m[1]!.trim(), correct: true } : { text: item, correct: false };
    });
}
