import type { NumericAnswer, Quiz } from '@carnet/course-format';
import { createEnv, escapeHtml, renderHtml, type UrlResolver } from '@carnet/render';
import { problemQuestions } from './grade.ts';

/**
 * The secret parts of a quiz (correct answers, choice feedback, explanations) as sanitised HTML,
 * rendered on demand from the full model: only pages whose learner may see them use it (ADR 026).
 */
export interface QuestionSecrets {
  /** The correct answer(s) as a learner reads them. */
  answer: string;
  explanation: string | null;
  /** Per option (choice questions): the feedback shown when it was chosen (or left, for checkboxes). */
  feedback: { chosen: string | null; left: string | null }[];
}

// Author links inside feedback are kept only when they leave the site; relative course links
// would need the whole course's index, which grading does not load.
const externalOnly: UrlResolver = (url) => (/^https?:/i.test(url) ? { url, external: true } : null);

/** Every question's secrets, by question id. */
export function renderQuizSecrets(quiz: Quiz, language: string): Map<string, QuestionSecrets> {
  const env = createEnv(language, () => {});
  const html = (text: string): string => renderHtml(text, env, externalOnly, 'quiz answer');
  const secrets = new Map<string, QuestionSecrets>();
  for (const problem of quiz.problems) {
    for (const q of problemQuestions(problem)) {
      let answer: string;
      let feedback: QuestionSecrets['feedback'] = [];
      switch (q.kind) {
        case 'single':
        case 'multiple':
          answer = q.options
            .filter((o) => o.correct)
            .map((o) => html(o.html))
            .join(' ; ');
          feedback = q.options.map((o) => ({
            chosen: o.feedbackSelected ? html(o.feedbackSelected) : o.feedback ? html(o.feedback) : null,
            left: o.feedbackUnselected ? html(o.feedbackUnselected) : null,
          }));
          break;
        case 'dropdown':
          answer = escapeHtml(q.options.find((o) => o.correct)?.text ?? '');
          break;
        case 'numeric':
          answer = q.answers.map(numericText).join(' ; ');
          break;
        case 'text':
          answer = q.answers.map(escapeHtml).join(' ; ');
          break;
      }
      secrets.set(q.id, { answer, explanation: q.explanation ? html(q.explanation) : null, feedback });
    }
  }
  return secrets;
}

function numericText(a: NumericAnswer): string {
  if (a.range) {
    const { min, max, minInclusive, maxInclusive } = a.range;
    return `${minInclusive ? '[' : ']'}${min} ; ${max}${maxInclusive ? ']' : '['}`;
  }
  return a.tolerance > 0 ? `${a.value} ± ${Number(a.tolerance.toPrecision(6))}` : String(a.value);
}
