/**
 * The typed model of a `.quiz` file (Open edX simple-editor dialect, see shared/formats/quiz.md).
 *
 * HTML fields hold the author's inline HTML as written (repaired, not yet sanitised): the renderer
 * sanitises them. The full model holds the answers; `toPublicQuiz` drops everything a learner
 * must not see before submitting, and is the only form that may reach a browser.
 */

export interface Quiz {
  /** Course-relative path of the file, e.g. `w1/w1-s3-q1-bases.quiz`. */
  path: string;
  /** HTML before the first problem separator, if any (e.g. an `<em>` paragraph). */
  preamble: string | null;
  problems: QuizProblem[];
}

export interface QuizProblem {
  /** Stable id within the file: `p1`, `p2`… in file order. */
  id: string;
  /** 1-based line where the problem starts (its title, or its first line). */
  line: number;
  /** Text of the `====`-underlined title, if any (inline HTML). */
  title: string | null;
  /** Body in order: HTML text blocks and questions interleaved as written. */
  blocks: QuizBlock[];
  /** Attempts allowed for this problem when the course sets them (carnet.yml `attempts`; 0 = unlimited). */
  attempts?: number;
}

export type QuizBlock = QuizHtmlBlock | QuizQuestionBlock;

export interface QuizHtmlBlock {
  type: 'html';
  line: number;
  html: string;
}

export interface QuizQuestionBlock {
  type: 'question';
  question: QuizQuestion;
}

export type QuizQuestion =
  SingleChoiceQuestion | MultipleChoiceQuestion | NumericQuestion | TextQuestion | DropdownQuestion;

interface QuestionBase {
  /** Stable id within the file: `p2q1` = first question of problem 2. */
  id: string;
  /** 1-based line of the question's first answer line. */
  line: number;
  /** The `>>label<<` text (inline HTML), if the author gave one. */
  label: string | null;
  /** Demand hints `||…||`, in order (inline HTML). Shown on request, not secret. */
  hints: string[];
  /** The `[explanation]…[explanation]` block that follows the question (HTML). Secret. */
  explanation: string | null;
}

export interface ChoiceOption {
  /** The option's text (inline HTML). */
  html: string;
  /** Secret. */
  correct: boolean;
  /** Choice feedback `{{…}}` (inline HTML). Secret until submitted. */
  feedback: string | null;
  /** Multiple choice only: `{{ selected: …, unselected: … }}` feedback. Secret. */
  feedbackSelected?: string | null;
  feedbackUnselected?: string | null;
}

export interface SingleChoiceQuestion extends QuestionBase {
  kind: 'single';
  options: ChoiceOption[];
}

export interface MultipleChoiceQuestion extends QuestionBase {
  kind: 'multiple';
  options: ChoiceOption[];
}

export interface NumericAnswer {
  /** Exact value, or the centre when a tolerance is given. */
  value: number;
  /** Absolute tolerance (`= 3 +- 0.1` gives 0.1; `+- 5%` gives 5 % of |value|). 0 = exact. */
  tolerance: number;
  /** `= [5, 7)` style range, when given instead of a value. */
  range?: { min: number; max: number; minInclusive: boolean; maxInclusive: boolean };
}

export interface NumericQuestion extends QuestionBase {
  kind: 'numeric';
  /** Secret. The first is the main answer, the others come from `or=` lines. */
  answers: NumericAnswer[];
}

export interface TextQuestion extends QuestionBase {
  kind: 'text';
  /** Secret. The first is the main answer, the others come from `or=` lines. */
  answers: string[];
}

export interface DropdownQuestion extends QuestionBase {
  kind: 'dropdown';
  options: { text: string; correct: boolean }[];
}

/** What a learner may see before submitting: no answers, no feedback, no explanations. */
export interface PublicQuiz {
  path: string;
  preamble: string | null;
  problems: PublicQuizProblem[];
}

export interface PublicQuizProblem {
  id: string;
  title: string | null;
  blocks: (QuizHtmlBlock | { type: 'question'; question: PublicQuizQuestion })[];
}

export type PublicQuizQuestion =
  | { id: string; kind: 'single' | 'multiple'; label: string | null; hints: string[]; options: { html: string }[] }
  | { id: string; kind: 'numeric' | 'text'; label: string | null; hints: string[] }
  | { id: string; kind: 'dropdown'; label: string | null; hints: string[]; options: { text: string }[] };
