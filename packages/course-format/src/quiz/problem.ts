/**
 * Builds one problem (the text between two `<hr/>` separators) from its classified lines: title,
 * HTML paragraphs and questions in order, with labels, hints and explanations attached.
 * Question ids are left empty: the caller numbers problems once empty ones are dropped.
 */

import { positionAt, type DiagnosticSink } from '../diagnostics.ts';
import { inlineHtml, paragraphHtml, textHtml } from './html.ts';
import type { ClassifiedLine, LineShape } from './lines.ts';
import type { QuizBlock, QuizQuestion } from './model.ts';
import {
  readAnswers,
  readChoiceGroup,
  readDropdownBlock,
  readInlineDropdown,
  type QuestionReading,
} from './questions.ts';

export interface ProblemDraft {
  line: number;
  title: string | null;
  blocks: QuizBlock[];
  questions: QuizQuestion[];
}

/** Lines that make a question; a segment before the first separator without them is a preamble. */
export function isQuestionLine(shape: LineShape): boolean {
  return ['choice', 'answer', 'dropdown', 'dropdown-open'].includes(shape.kind);
}

/** Builds a problem; with `withTitle` false (the preamble) no line is read as a title. */
export function buildProblem(lines: readonly ClassifiedLine[], sink: DiagnosticSink, withTitle = true): ProblemDraft {
  const first = lines.findIndex((l) => l.shape.kind !== 'blank');
  const start = first < 0 ? undefined : lines[first];
  const underline = lines[first + 1]?.shape;
  const titled = withTitle && start?.shape.kind === 'text' && underline?.kind === 'underline' && underline.count >= 4;
  const builder = new ProblemBuilder(lines, sink);
  builder.run(titled ? first + 2 : Math.max(first, 0));
  return {
    line: start?.line ?? lines[0]?.line ?? 1,
    title: titled && start ? inlineHtml(start.text) : null,
    blocks: builder.blocks,
    questions: builder.questions,
  };
}

/** A label, hint or explanation waiting for its question, with the line it was written on. */
type Pending = { line: number; text: string };

type QuestionReader = (lines: readonly ClassifiedLine[], start: number, sink: DiagnosticSink) => QuestionReading;

const QUESTION_READERS: Partial<Record<LineShape['kind'], QuestionReader>> = {
  choice: readChoiceGroup,
  answer: readAnswers,
  dropdown: readInlineDropdown,
  'dropdown-open': readDropdownBlock,
};

class ProblemBuilder {
  readonly blocks: QuizBlock[] = [];
  readonly questions: QuizQuestion[] = [];
  private paragraph: ClassifiedLine[] = [];
  private pendingLabel: Pending | null = null;
  private pendingHints: Pending[] = [];
  private pendingExplanation: Pending | null = null;

  constructor(
    private readonly lines: readonly ClassifiedLine[],
    private readonly sink: DiagnosticSink,
  ) {}

  run(from: number): void {
    let i = from;
    while (i < this.lines.length) i = this.step(i);
    this.flushParagraph();
    this.reportUnattached();
  }

  /** Reads the construct starting at line `i`; returns the index of the line after it. */
  private step(i: number): number {
    const l = this.lines[i]!;
    const shape = l.shape;
    if (shape.kind === 'text' || shape.kind === 'underline' || shape.kind === 'dropdown-close') {
      if (shape.kind === 'underline') this.warnStrayUnderline(l.line, shape.count);
      this.paragraph.push(l);
      return i + 1;
    }
    // Blank lines end a paragraph, and so does any construct.
    this.flushParagraph();
    const reader = QUESTION_READERS[shape.kind];
    if (reader) {
      const { question, end } = reader(this.lines, i, this.sink);
      if (question) this.addQuestion(question);
      return end;
    }
    switch (shape.kind) {
      case 'explanation':
        return this.readExplanation(i);
      case 'label':
        this.setLabel(l.line, shape.body, shape.hint);
        break;
      case 'hint':
        this.addHint({ line: l.line, text: shape.body });
        break;
      case 'alternative':
        this.sink.error(
          'quiz.alternative-without-answer',
          'An "or=" line gives another accepted answer, so it must directly follow a "= answer" ' +
            'line or another "or=" line.',
          l.line,
        );
        break;
      case 'feedback':
        this.warnIgnoredFeedback(l.line, shape.compound);
        break;
      case 'inline-explanation': {
        const at = positionAt(l.text, shape.offset);
        this.sink.error(
          'quiz.explanation-not-alone',
          'The [explanation] marker must be alone on its line, both where an explanation starts ' +
            'and where it ends.',
          l.line + at.line - 1,
          at.column,
        );
        break;
      }
    }
    return i + 1;
  }

  private flushParagraph(): void {
    const first = this.paragraph[0];
    if (!first) return;
    const html = paragraphHtml(this.paragraph.map((l) => l.text));
    this.blocks.push({ type: 'html', line: first.line, html });
    this.paragraph = [];
  }

  /** `[explanation]`, free text, `[explanation]`: everything inside is the explanation. */
  private readExplanation(start: number): number {
    const content: string[] = [];
    let end = start + 1;
    for (; end < this.lines.length && this.lines[end]!.shape.kind !== 'explanation'; end++) {
      content.push(this.lines[end]!.text);
    }
    const line = this.lines[start]!.line;
    if (end >= this.lines.length) {
      this.sink.error(
        'quiz.unclosed-explanation',
        'This explanation is never closed: end it with a line holding only [explanation], ' + 'before the next <hr/>.',
        line,
      );
      return end;
    }
    const html = textHtml(content);
    if (html !== null) this.attachExplanation({ line, text: html });
    return end + 1;
  }

  /** Records a question, giving it the label, hints and explanation that were waiting for it. */
  private addQuestion(question: QuizQuestion): void {
    question.label = this.pendingLabel ? inlineHtml(this.pendingLabel.text) : null;
    question.hints = this.pendingHints.map((h) => inlineHtml(h.text));
    this.pendingLabel = null;
    this.pendingHints = [];
    this.questions.push(question);
    this.blocks.push({ type: 'question', question });
    const early = this.pendingExplanation;
    if (early) {
      this.pendingExplanation = null;
      this.sink.warning(
        'quiz.explanation-before-question',
        'This explanation comes before any question of its problem, so it is attached to the ' +
          'question that follows it. Put each explanation after its question.',
        early.line,
      );
      this.attachExplanation(early);
    }
  }

  /** An explanation belongs to the last question seen; before any question, to the next one. */
  private attachExplanation(explanation: Pending): void {
    const question = this.questions[this.questions.length - 1];
    if (question) {
      // A second explanation for the same question is kept after the first rather than lost.
      question.explanation = joinHtml(question.explanation, explanation.text);
    } else {
      const before = this.pendingExplanation;
      this.pendingExplanation = {
        line: before?.line ?? explanation.line,
        text: joinHtml(before?.text ?? null, explanation.text),
      };
    }
  }

  /** `>>label<<` (or `>>label||hint<<`) names the next question. */
  private setLabel(line: number, label: string, hint: string | null): void {
    if (this.pendingLabel) this.warnUnattached('quiz.label-without-question', 'label', this.pendingLabel.line);
    this.pendingLabel = label.trim() === '' ? null : { line, text: label };
    if (hint !== null && hint.trim() !== '') this.pendingHints.push({ line, text: hint });
  }

  /** `||hint||` belongs to the last question seen; before any question, to the next one. */
  private addHint(hint: Pending): void {
    const question = this.questions[this.questions.length - 1];
    if (question) question.hints.push(inlineHtml(hint.text));
    else this.pendingHints.push(hint);
  }

  private reportUnattached(): void {
    if (this.pendingLabel) this.warnUnattached('quiz.label-without-question', 'label', this.pendingLabel.line);
    for (const hint of this.pendingHints) this.warnUnattached('quiz.hint-without-question', 'hint', hint.line);
    const explanation = this.pendingExplanation;
    if (explanation) this.warnUnattached('quiz.explanation-without-question', 'explanation', explanation.line);
  }

  private warnUnattached(code: string, what: string, line: number): void {
    this.sink.warning(code, `This ${what} is not followed by any question in its problem, so it is ignored.`, line);
  }

  private warnStrayUnderline(line: number, count: number): void {
    const why =
      count < 4
        ? `A title is underlined with at least 4 "=" and this line has ${count}`
        : 'A line of "=" underlines a title only right under the first line of a problem';
    this.sink.warning('quiz.stray-underline', `${why}; it is kept as text.`, line);
  }

  private warnIgnoredFeedback(line: number, compound: boolean): void {
    if (compound) {
      this.sink.warning(
        'quiz.compound-feedback-ignored',
        'Compound feedback {{ ((A B)) … }} is not supported and is ignored.',
        line,
      );
    } else {
      this.sink.warning(
        'quiz.feedback-ignored',
        'Feedback {{…}} belongs at the end of a choice line; alone on its line it is ignored.',
        line,
      );
    }
  }
}

function joinHtml(before: string | null, after: string): string {
  return before === null ? after : `${before}\n${after}`;
}
