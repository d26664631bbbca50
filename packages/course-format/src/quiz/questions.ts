/**
 * Readers for the constructs that make a question: a choice group, a `=` answer with its `or=`
 * alternatives, a dropdown. Each reads from a line index, reports what is wrong and returns the
 * question (null when nothing usable was written) with the index of the line after it.
 */

import type { DiagnosticSink } from '../diagnostics.ts';
import { choiceOption, dropdownOptions, readAnswer, splitFeedback } from './answers.ts';
import type { ClassifiedLine } from './lines.ts';
import type { ChoiceOption, DropdownQuestion, NumericAnswer, QuizQuestion } from './model.ts';

export interface QuestionReading {
  question: QuizQuestion | null;
  /** Index of the first line after the construct. */
  end: number;
}

/** A fresh question's common fields; the problem builder fills in label and hints, the caller the id. */
function base(line: number): Pick<QuizQuestion, 'id' | 'line' | 'label' | 'hints' | 'explanation'> {
  return { id: '', line, label: null, hints: [], explanation: null };
}

function countWord(n: number): string {
  return n === 0 ? 'none' : String(n);
}

/** Consecutive choice lines of one kind: `( )`/`(x)` (single) or `[ ]`/`[x]` (multiple). */
export function readChoiceGroup(
  lines: readonly ClassifiedLine[],
  start: number,
  sink: DiagnosticSink,
): QuestionReading {
  const first = lines[start]!;
  const multiple = first.shape.kind === 'choice' && first.shape.multiple;
  const options: ChoiceOption[] = [];
  let end = start;
  for (; end < lines.length; end++) {
    const shape = lines[end]!.shape;
    if (shape.kind !== 'choice' || shape.multiple !== multiple) break;
    options.push(choiceOption(shape.body, shape.correct, multiple));
  }
  const correct = options.filter((o) => o.correct).length;
  if (!multiple && correct !== 1) {
    sink.error(
      'quiz.single-correct-count',
      'A single-choice question needs exactly one correct option marked (x); this one has ' +
        `${countWord(correct)}. ` +
        (correct === 0
          ? "Mark the correct option with (x); a question's options are on consecutive lines."
          : 'For several correct options, write a multiple-choice question with [ ] and [x].'),
      first.line,
    );
  }
  if (multiple && correct === 0) {
    sink.warning(
      'quiz.multiple-no-correct',
      'This multiple-choice question has no option marked [x], so only ticking nothing is right. ' +
        'Mark each correct option with [x].',
      first.line,
    );
  }
  const kind = multiple ? 'multiple' : 'single';
  return { question: { ...base(first.line), kind, options }, end };
}

/** A `= answer` line and the `or= alternative` lines right after it: a numeric or a text question. */
export function readAnswers(lines: readonly ClassifiedLine[], start: number, sink: DiagnosticSink): QuestionReading {
  const located: { line: number; text: string }[] = [];
  let end = start;
  for (; end < lines.length; end++) {
    const { line, shape } = lines[end]!;
    if (shape.kind !== 'answer' && shape.kind !== 'alternative') break;
    if ((shape.kind === 'answer') !== (end === start)) break; // a new `=` starts a new question
    const text = answerText(line, shape.body, sink);
    if (text !== null) located.push({ line, text });
  }
  // Even when some answers are rejected the question is returned, so that one mistake does not
  // also make its problem look empty; the error already keeps the quiz from being imported.
  const question = base(lines[start]!.line);
  if (located[0] === undefined || readAnswer(located[0].text).kind === 'text') {
    return { question: { ...question, kind: 'text', answers: located.map((a) => a.text) }, end };
  }
  const answers: NumericAnswer[] = [];
  for (const { line, text } of located) {
    const reading = readAnswer(text);
    if (reading.kind === 'numeric') {
      answers.push(reading.answer);
    } else if (reading.kind === 'invalid') {
      sink.error('quiz.invalid-numeric', `The answer "${text}" cannot be used: ${reading.reason}`, line);
    } else {
      sink.error(
        'quiz.numeric-alternative',
        `The alternative "${text}" is not a number, but the first answer of this question is: ` +
          'every "or=" line of a numeric question must be a number, e.g. "or= 3.14 +- 0.01".',
        line,
      );
    }
  }
  return { question: { ...question, kind: 'numeric', answers }, end };
}

/** The answer of a `=` / `or=` line without its (unsupported) feedback; null when it is empty. */
function answerText(line: number, body: string, sink: DiagnosticSink): string | null {
  const { text, feedback } = splitFeedback(body);
  if (feedback !== null) {
    sink.warning(
      'quiz.answer-feedback-ignored',
      'Feedback {{…}} on an answer line is not supported and is ignored; use an [explanation] instead.',
      line,
    );
  }
  if (text.trim() === '') {
    sink.error('quiz.empty-answer', 'An answer line needs the answer after "=" (or "or="), e.g. "= 42".', line);
    return null;
  }
  return text.trim();
}

/** The one-line dropdown `[[a, (b), c]]`. */
export function readInlineDropdown(
  lines: readonly ClassifiedLine[],
  start: number,
  sink: DiagnosticSink,
): QuestionReading {
  const { line, shape } = lines[start]!;
  const body = shape.kind === 'dropdown' ? shape.body : '';
  return { question: dropdown(line, dropdownOptions(body.split(',')), sink), end: start + 1 };
}

/** The multi-line dropdown: `[[`, one option per line with the correct one in parentheses, `]]`. */
export function readDropdownBlock(
  lines: readonly ClassifiedLine[],
  start: number,
  sink: DiagnosticSink,
): QuestionReading {
  const items: string[] = [];
  let end = start + 1;
  for (; end < lines.length && lines[end]!.shape.kind !== 'dropdown-close'; end++) {
    items.push(lines[end]!.text);
  }
  const line = lines[start]!.line;
  if (end >= lines.length) {
    sink.error(
      'quiz.unclosed-dropdown',
      'This dropdown opened with [[ is never closed: end it with a line holding only ]].',
      line,
    );
    return { question: null, end };
  }
  return { question: dropdown(line, dropdownOptions(items), sink), end: end + 1 };
}

function dropdown(line: number, options: DropdownQuestion['options'], sink: DiagnosticSink): DropdownQuestion {
  const correct = options.filter((o) => o.correct).length;
  if (correct !== 1) {
    sink.error(
      'quiz.dropdown-correct-count',
      'A dropdown needs exactly one correct option, written in parentheses as in [[a, (b), c]]; ' +
        `this one has ${countWord(correct)}.`,
      line,
    );
  }
  return { ...base(line), kind: 'dropdown', options };
}
