import type { Quiz } from '@carnet/course-format';
import { QUIZ_MARKER } from '@carnet/render';
import { problemQuestions, type ProblemAnswers } from '../../lib/quizzes/grade.ts';
import { problemPolicy, type QuizPolicy } from '../../lib/quizzes/policy.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import type { LearnerProblem } from '../../lib/quizzes/quizzes.ts';
import type { QuestionSecrets } from '../../lib/quizzes/secrets.ts';
import { loginUrl } from '../../lib/urls.ts';
import { html, trustedHtml, type SafeHtml } from '../../views/html.ts';
import type { PageContext } from '../../views/layout.ts';
import { slot, type SlotContent, type SlotName } from '../../views/slots.ts';

/**
 * The per-learner parts of a quiz page (ADR 026). The stored fragment has quiz markers where a
 * control's state, a question's result and a problem's footer go; the cached page turns them into
 * slots whose anonymous content asks to log in; a learner's request fills them from their attempts.
 */

/** The cached page's form of a quiz fragment: quiz markers become slots. */
export function quizFragmentWithSlots(ctx: Pick<PageContext, 't' | 'path'>, fragment: string): string {
  return fragment.replace(QUIZ_MARKER, (_, kind: 'value' | 'result' | 'footer', key: string) => {
    if (kind === 'value') return slot('quiz-value', html``, key).value;
    if (kind === 'result') return slot('quiz-result', html``, key).value;
    return slot(
      'quiz-footer',
      html`<p class="quiz-login"><a href="${loginUrl(`${ctx.path}#${key}`)}">${ctx.t('quiz.loginToAnswer')}</a></p>`,
      key,
    ).value;
  });
}

/** The notice above a quiz: how it is graded (learner) or that logging in records answers. */
export function quizNotice(
  ctx: Pick<PageContext, 't' | 'path' | 'lang'>,
  policy: QuizPolicy | null,
  due: QuizDue | null = null,
  /** The learner's progress page, when they are enrolled in a session. */
  progressHref: string | null = null,
): SafeHtml {
  const { t } = ctx;
  if (!policy) {
    return html`<p class="notice">
      ${t('quiz.anonymousNotice')} <a href="${loginUrl(ctx.path)}">${t('nav.login')}</a>
    </p>`;
  }
  const attempts =
    policy.attempts === -1
      ? t('quiz.policy.perProblem')
      : policy.attempts === 0
        ? t('quiz.policy.unlimited')
        : t('quiz.policy.attempts', { n: policy.attempts });
  const when = due && formatDate(due.at, ctx.lang, due.zone, true);
  return html`<p class="notice">
      ${attempts} ${t(policy.counts === 'best' ? 'quiz.policy.best' : 'quiz.policy.last')}
      ${when && !due.late ? t('quiz.due', { date: when }) : ''}
      ${progressHref ? html`<a href="${progressHref}">${t('progressPage.link')}</a>` : ''}
    </p>
    ${when && due.late ? html`<p class="notice notice-warning" role="note">${t('quiz.late', { date: when })}</p>` : ''}`;
}

/**
 * The policy the notice states: the attempts every problem of this quiz allows, or -1 when the
 * course sets different numbers per problem (each problem then says its own).
 */
export function noticePolicy(reader: Pick<QuizReader, 'policy' | 'quiz'>): QuizPolicy {
  const counts = new Set(reader.quiz.problems.map((p) => problemPolicy(reader.policy, p).attempts));
  return { ...reader.policy, attempts: counts.size === 1 ? [...counts][0]! : -1 };
}

/** The due date of a quiz's week in the learner's session, and whether it is past (grace included). */
export interface QuizDue {
  at: string;
  late: boolean;
  zone: string;
}

/** A message about one problem, from the submission that was just refused. */
export interface ProblemFlash {
  problemId: string;
  message: 'quiz.error.invalid' | 'quiz.error.empty' | 'quiz.error.exhausted';
  /** The answers posted (kept in the controls so the learner can fix them). */
  answers: ProblemAnswers | null;
  /** Question id → its error. */
  errors: Map<string, 'quiz.error.notANumber'>;
}

/** Everything the learner's parts are drawn from. */
export interface QuizReader {
  quiz: Quiz;
  secrets: Map<string, QuestionSecrets>;
  policy: QuizPolicy;
  /** Null without a session or a due date. */
  due: QuizDue | null;
  problems: Map<string, LearnerProblem>;
  csrf: string;
  flash: ProblemFlash | null;
}

/** The slot contents of a quiz page for one learner. */
export function quizSlots(ctx: Pick<PageContext, 't'>, reader: QuizReader): Partial<Record<SlotName, SlotContent>> {
  const problemOf = new Map<string, string>();
  for (const p of reader.quiz.problems) for (const q of problemQuestions(p)) problemOf.set(q.id, p.id);
  const answersOf = (problemId: string): ProblemAnswers | null =>
    reader.flash?.problemId === problemId && reader.flash.answers
      ? reader.flash.answers
      : (reader.problems.get(problemId)?.answers ?? null);
  return {
    'quiz-value': (key) => {
      const [qid = '', index] = key.split(':');
      const problemId = problemOf.get(qid);
      if (!problemId) return undefined;
      const values = answersOf(problemId)?.[qid] ?? [];
      const locked = reader.problems.get(problemId)?.state.canSubmit === false ? ' disabled' : '';
      if (index !== undefined) {
        // A dropdown's <option> takes `selected`; radios and checkboxes `checked` (and `disabled`).
        const question = problemQuestions(reader.quiz.problems.find((p) => p.id === problemId)!).find(
          (q) => q.id === qid,
        );
        const on = values.includes(index);
        if (question?.kind === 'dropdown') return trustedHtml(on ? ' selected' : '');
        return trustedHtml(`${on ? ' checked' : ''}${locked}`);
      }
      const error = reader.flash?.problemId === problemId && reader.flash.errors.has(qid);
      return html`${values[0] !== undefined ? html` value="${values[0]}"` : ''}${
        error ? html` aria-invalid="true" aria-describedby="${qid}-error"` : ''
      }${trustedHtml(locked)}`;
    },
    'quiz-result': (qid) => {
      const problemId = problemOf.get(qid);
      return problemId ? questionResult(ctx, reader, problemId, qid) : undefined;
    },
    'quiz-footer': (problemId) => problemFooter(ctx, reader, problemId),
  };
}

/** A question's result area: error, right or wrong, feedback and (per policy) answer and explanation. */
export function questionResult(
  ctx: Pick<PageContext, 't'>,
  reader: QuizReader,
  problemId: string,
  qid: string,
): SafeHtml {
  const { t } = ctx;
  const learner = reader.problems.get(problemId);
  const secrets = reader.secrets.get(qid);
  const flash = reader.flash?.problemId === problemId ? reader.flash : null;
  const parts: SafeHtml[] = [];
  const error = flash?.errors.get(qid);
  if (error) parts.push(html`<p class="quiz-error" id="${qid}-error">${t(error)}</p>`);
  const graded = !flash && learner?.result?.questions.find((q) => q.id === qid);
  if (graded) {
    const mark = graded.correct ? 'correct' : graded.score > 0 ? 'partial' : 'wrong';
    const symbol = graded.correct ? '✓' : graded.score > 0 ? '◐' : '✗';
    parts.push(
      html`<p class="quiz-mark quiz-mark-${mark}">
        <span aria-hidden="true">${symbol}</span> ${t(`quiz.mark.${mark}`)}
      </p>`,
    );
    if (reader.policy.showAnswer !== 'never' && secrets && secrets.feedback.length > 0) {
      const chosen = new Set(learner?.answers?.[qid] ?? []);
      const feedback = secrets.feedback
        .map((f, i) => (chosen.has(String(i)) ? f.chosen : f.left))
        .filter((f): f is string => f !== null);
      if (feedback.length > 0) {
        parts.push(
          html`<ul class="quiz-feedback">
            ${feedback.map((f) => html`<li>${trustedHtml(f)}</li>`)}
          </ul>`,
        );
      }
    }
  }
  if (learner?.state.showAnswer && secrets) {
    parts.push(
      html`<p class="quiz-solution"><strong>${t('quiz.expected')}</strong> ${trustedHtml(secrets.answer)}</p>`,
    );
    if (secrets.explanation) {
      parts.push(
        html`<div class="quiz-explanation">
          <p><strong>${t('quiz.explanation')}</strong></p>
          ${trustedHtml(secrets.explanation)}
        </div>`,
      );
    }
  }
  return html`<div class="quiz-result" id="${qid}-result">${parts}</div>`;
}

/** A problem's status line (the live region) and its actions. */
export function problemFooter(ctx: Pick<PageContext, 't'>, reader: QuizReader, problemId: string): SafeHtml {
  return html`<div class="quiz-footer" data-network="${ctx.t('quiz.error.network')}">
    <p class="quiz-status" role="status" id="${problemId}-status">${problemStatus(ctx, reader, problemId)}</p>
    <div class="quiz-actions" id="${problemId}-actions">${problemActions(ctx, reader, problemId)}</div>
  </div>`;
}

/** The text of a problem's status: a refusal, or its score. */
export function problemStatus(ctx: Pick<PageContext, 't'>, reader: QuizReader, problemId: string): SafeHtml {
  const { t } = ctx;
  const flash = reader.flash?.problemId === problemId ? reader.flash : null;
  if (flash) return html`<span class="quiz-refused">${t(flash.message)}</span>`;
  const state = reader.problems.get(problemId)?.state;
  if (!state || state.score === null || state.max === null) return html``;
  const score = Number(state.score.toFixed(2));
  return html`${t(reader.policy.counts === 'best' ? 'quiz.scoreBest' : 'quiz.scoreLast', { score, max: state.max })}`;
}

/** The submit button and the attempts left, or why there is no button. */
export function problemActions(ctx: Pick<PageContext, 't'>, reader: QuizReader, problemId: string): SafeHtml {
  const { t } = ctx;
  const state = reader.problems.get(problemId)?.state;
  if (state && !state.canSubmit) return html`<p class="quiz-attempts">${t('quiz.noAttemptsLeft')}</p>`;
  const left =
    state?.attemptsLeft === null || state === undefined
      ? t('quiz.attemptsUnlimited')
      : t('quiz.attemptsLeft', { left: state.attemptsLeft, total: state.attemptsUsed + state.attemptsLeft });
  return html`<input type="hidden" name="_csrf" value="${reader.csrf}" />
    <button type="submit" class="button quiz-submit">${t('quiz.submit')}</button>
    <span class="quiz-attempts">${left}</span>`;
}

/** The JSON answer to a script's submission: the parts of the problem to replace. */
export function problemUpdate(ctx: Pick<PageContext, 't'>, reader: QuizReader, problemId: string): object {
  const problem = reader.quiz.problems.find((p) => p.id === problemId)!;
  return {
    problem: problemId,
    status: problemStatus(ctx, reader, problemId).value,
    actions: problemActions(ctx, reader, problemId).value,
    results: Object.fromEntries(
      problemQuestions(problem).map((q) => [q.id, questionResult(ctx, reader, problemId, q.id).value]),
    ),
    locked: reader.problems.get(problemId)?.state.canSubmit === false,
  };
}
