/**
 * Reads a `.quiz` file (Open edX simple-editor dialect, see shared/formats/quiz.md) into the typed
 * model, and projects it to the answer-free form a browser may receive.
 */

import { DiagnosticSink, normaliseText, type Diagnostic } from '../diagnostics.ts';
import { classifyLines, readSourceLines, type ClassifiedLine } from './lines.ts';
import type { PublicQuiz, PublicQuizProblem, PublicQuizQuestion, Quiz, QuizProblem, QuizQuestion } from './model.ts';
import { buildProblem, isQuestionLine, type ProblemDraft } from './problem.ts';

/**
 * Parses one `.quiz` file. Never throws; `value` is null exactly when a diagnostic is an error, so a
 * quiz is imported whole or not at all. Diagnostics are in file order.
 */
export function parseQuiz(text: string, path: string): { value: Quiz | null; diagnostics: Diagnostic[] } {
  const sink = new DiagnosticSink(path);
  const lines = classifyLines(readSourceLines(normaliseText(text), sink));
  const [head = [], ...rest] = splitAtSeparators(lines);

  // Text before the first separator is a preamble, unless the file does not start with a
  // separator and that text already holds the first question.
  let preamble: string | null = null;
  if (head.some((l) => isQuestionLine(l.shape))) rest.unshift(head);
  else preamble = preambleHtml(head, sink);

  const drafts: ProblemDraft[] = [];
  for (const segment of rest) {
    if (segment.every((l) => l.shape.kind === 'blank')) continue;
    const draft = buildProblem(segment, sink);
    if (draft.blocks.length === 0 && draft.title === null) continue;
    if (draft.questions.length === 0) {
      sink.warning(
        'quiz.problem-without-question',
        'This problem has no question (no ( ), [ ], "=" or [[…]] line); it is shown as text only.',
        draft.line,
      );
    }
    drafts.push(draft);
  }
  if (!drafts.some((d) => d.questions.length > 0)) {
    sink.error(
      'quiz.empty',
      'This quiz has no question: expected at least one group of ( ) or [ ] options, an "= answer" ' +
        'line or a [[…]] dropdown.',
      1,
    );
  }

  const quiz: Quiz = { path, preamble, problems: drafts.map(numberProblem) };
  const diagnostics = [...sink.items].sort((a, b) => a.line - b.line || a.column - b.column);
  return { value: sink.hasErrors ? null : quiz, diagnostics };
}

/** Segments between separator lines; the first is what comes before the first separator. */
function splitAtSeparators(lines: readonly ClassifiedLine[]): ClassifiedLine[][] {
  const segments: ClassifiedLine[][] = [[]];
  for (const line of lines) {
    if (line.shape.kind === 'separator') segments.push([]);
    else segments[segments.length - 1]!.push(line);
  }
  return segments;
}

/** The preamble's paragraphs; stray labels, hints or explanations in it are reported and dropped. */
function preambleHtml(lines: readonly ClassifiedLine[], sink: DiagnosticSink): string | null {
  const html = buildProblem(lines, sink, false).blocks.flatMap((b) => (b.type === 'html' ? [b.html] : []));
  return html.length > 0 ? html.join('\n') : null;
}

/** Gives a built problem its place in the file: ids `p<n>` and `p<n>q<k>`. */
function numberProblem(draft: ProblemDraft, index: number): QuizProblem {
  const id = `p${index + 1}`;
  draft.questions.forEach((q, k) => (q.id = `${id}q${k + 1}`));
  return { id, line: draft.line, title: draft.title, blocks: draft.blocks };
}

/**
 * The answer-free projection of a quiz: no correct flags, feedback, explanations or accepted
 * answers. This is the only form of a quiz that may reach a browser, so every field is copied by
 * name (a field added to the model later stays server-side until it is added here on purpose).
 */
export function toPublicQuiz(quiz: Quiz): PublicQuiz {
  return {
    path: quiz.path,
    preamble: quiz.preamble,
    problems: quiz.problems.map((p): PublicQuizProblem => ({
      id: p.id,
      title: p.title,
      blocks: p.blocks.map((b) =>
        b.type === 'html'
          ? { type: 'html', line: b.line, html: b.html }
          : { type: 'question', question: publicQuestion(b.question) },
      ),
    })),
  };
}

function publicQuestion(q: QuizQuestion): PublicQuizQuestion {
  const base = { id: q.id, label: q.label, hints: [...q.hints] };
  switch (q.kind) {
    case 'single':
    case 'multiple':
      return { ...base, kind: q.kind, options: q.options.map((o) => ({ html: o.html })) };
    case 'dropdown':
      return { ...base, kind: q.kind, options: q.options.map((o) => ({ text: o.text })) };
    case 'numeric':
    case 'text':
      return { ...base, kind: q.kind };
  }
}
