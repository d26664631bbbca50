import type { NumericAnswer, QuizProblem, QuizQuestion } from '@carnet/course-format';

/**
 * Quiz grading: a learner's answers to one problem against the full model (ADR 026). Pure: no
 * database, no clock. Answers arrive as the form posts them: a question id → its values (one
 * for radios, text and dropdowns, several for checkboxes; option indexes as strings).
 */

/** A problem's posted answers: question id → values. */
export type ProblemAnswers = Record<string, string[]>;

/** Session options that change grading. */
export interface GradingOptions {
  /** Multiple choice: a share of the point for each option rightly ticked or left (else all or nothing). */
  partialCredit: boolean;
}

/** Why an answer cannot be graded (the attempt is not used). */
export type AnswerError = 'not-a-number';

export interface QuestionResult {
  id: string;
  /** 0 to 1. */
  score: number;
  correct: boolean;
  /** Nothing was answered. */
  blank: boolean;
  error: AnswerError | null;
}

export interface ProblemResult {
  questions: QuestionResult[];
  /** Sum of the question scores. */
  score: number;
  /** One point per question. */
  max: number;
  correct: boolean;
  /** Some answer cannot be graded (e.g. a numeric answer that is not a number): not an attempt. */
  invalid: boolean;
  /** Nothing answered at all: not an attempt either. */
  empty: boolean;
}

/** The questions of a problem, in order. */
export function problemQuestions(problem: QuizProblem): QuizQuestion[] {
  return problem.blocks.flatMap((b) => (b.type === 'question' ? [b.question] : []));
}

/** Keeps only the posted fields that are answers to this problem's questions, with valid shapes. */
export function answersFromForm(problem: QuizProblem, fields: Record<string, string | string[]>): ProblemAnswers {
  const answers: ProblemAnswers = {};
  for (const q of problemQuestions(problem)) {
    const raw = fields[q.id];
    const values = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]).map((v) => v.slice(0, 500));
    const count = q.kind === 'numeric' || q.kind === 'text' ? 0 : q.options.length;
    const kept =
      count === 0
        ? values.slice(0, 1).filter((v) => v.trim() !== '')
        : [...new Set(values.filter((v) => /^\d{1,3}$/.test(v) && Number(v) < count))].sort(
            (a, b) => Number(a) - Number(b),
          );
    answers[q.id] = q.kind === 'multiple' ? kept : kept.slice(0, 1);
  }
  return answers;
}

/** Grades one problem. */
export function gradeProblem(problem: QuizProblem, answers: ProblemAnswers, options: GradingOptions): ProblemResult {
  const questions = problemQuestions(problem).map((q) => gradeQuestion(q, answers[q.id] ?? [], options));
  const score = questions.reduce((sum, q) => sum + q.score, 0);
  return {
    questions,
    score,
    max: questions.length,
    correct: questions.every((q) => q.correct),
    invalid: questions.some((q) => q.error !== null),
    empty: questions.every((q) => q.blank),
  };
}

/** Grades one question. */
export function gradeQuestion(q: QuizQuestion, values: string[], options: GradingOptions): QuestionResult {
  const blank = values.length === 0;
  const result = (score: number, error: AnswerError | null = null): QuestionResult => ({
    id: q.id,
    score,
    correct: score === 1,
    blank,
    error,
  });
  if (blank) return result(0);
  switch (q.kind) {
    case 'single':
    case 'dropdown':
      return result(q.options[Number(values[0])]?.correct ? 1 : 0);
    case 'multiple': {
      const chosen = new Set(values.map(Number));
      const right = q.options.filter((o, i) => o.correct === chosen.has(i)).length;
      if (right === q.options.length) return result(1);
      return result(options.partialCredit ? right / q.options.length : 0);
    }
    case 'numeric': {
      const value = readNumber(values[0]!);
      if (value === null) return result(0, 'not-a-number');
      return result(q.answers.some((a) => numericMatches(a, value)) ? 1 : 0);
    }
    case 'text': {
      const given = normaliseText(values[0]!);
      return result(q.answers.some((a) => normaliseText(a) === given) ? 1 : 0);
    }
  }
}

/**
 * A learner's number: `3.14`, `-2`, `1e3`, and `3,14` (a French decimal comma, when it is the only
 * separator). Null when it is not a number.
 */
export function readNumber(text: string): number | null {
  let t = text.trim().replace(/\s+/g, '');
  if (/^[+-]?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Whether `value` is one of the answers a numeric answer line accepts. */
export function numericMatches(answer: NumericAnswer, value: number): boolean {
  if (answer.range) {
    const { min, max, minInclusive, maxInclusive } = answer.range;
    return (minInclusive ? value >= min : value > min) && (maxInclusive ? value <= max : value < max);
  }
  // A little slack for binary fractions: 3.14 ± 0.01 must accept 3.15.
  const slack = 1e-9 * Math.max(1, Math.abs(answer.value));
  return Math.abs(value - answer.value) <= answer.tolerance + slack;
}

/**
 * Text answers are compared as edX's simple editor does (case-insensitive), after trimming and
 * collapsing inner white space.
 */
export function normaliseText(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}
