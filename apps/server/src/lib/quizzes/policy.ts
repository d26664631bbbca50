/**
 * A session's quiz policy (attempts, which attempt counts, when answers show) and what it means
 * for one learner's problem. Pure (ADR 026).
 */

/** When the correct answers and the explanations of a problem are shown. */
export type ShowAnswer = 'finished' | 'correct' | 'last-attempt' | 'due' | 'never';
export const SHOW_ANSWER_VALUES: readonly ShowAnswer[] = ['finished', 'correct', 'last-attempt', 'due', 'never'];

/** Which attempt a problem's score comes from. */
export type ScoreCounts = 'best' | 'last';

/** A session's quiz settings (the `quiz_*` columns of `runs`). */
export interface QuizPolicy {
  /** Attempts per problem; 0 = unlimited. */
  attempts: number;
  counts: ScoreCounts;
  partialCredit: boolean;
  showAnswer: ShowAnswer;
  /** The due date `showAnswer: 'due'` waits for (ISO), or null when the session has none. */
  dueAt: string | null;
}

/** The policy of readers with no session (and of sessions left at their defaults). */
export const DEFAULT_QUIZ_POLICY: QuizPolicy = {
  attempts: 2,
  counts: 'best',
  partialCredit: false,
  showAnswer: 'finished',
  dueAt: null,
};

/** The policy of one problem: the course may set its own number of attempts (carnet.yml). */
export function problemPolicy(policy: QuizPolicy, problem: { attempts?: number | undefined }): QuizPolicy {
  return problem.attempts === undefined ? policy : { ...policy, attempts: problem.attempts };
}

/** What a stored attempt says for the policy. */
export interface AttemptSummary {
  score: number;
  max: number;
}

/** The state of one learner's problem under a policy. */
export interface ProblemState {
  attemptsUsed: number;
  /** Null when unlimited. */
  attemptsLeft: number | null;
  /** The score that counts (best or last attempt), null before any attempt. */
  score: number | null;
  max: number | null;
  /** The last attempt was fully correct. */
  lastCorrect: boolean;
  /** Correct answers and explanations may be shown. */
  showAnswer: boolean;
  /** Another attempt is accepted. */
  canSubmit: boolean;
}

/** A problem's state from its attempts in order (oldest first). */
export function problemState(policy: QuizPolicy, attempts: readonly AttemptSummary[], now: string): ProblemState {
  const used = attempts.length;
  const last = attempts.at(-1);
  const lastCorrect = last !== undefined && last.score === last.max;
  const left = policy.attempts === 0 ? null : Math.max(0, policy.attempts - used);
  const exhausted = left === 0;
  const everCorrect = attempts.some((a) => a.score === a.max);
  let counted: AttemptSummary | undefined = last;
  if (policy.counts === 'best') {
    for (const a of attempts) if (!counted || a.score > counted.score) counted = a;
  }
  const showAnswer = ((): boolean => {
    switch (policy.showAnswer) {
      case 'finished':
        return everCorrect || exhausted;
      case 'correct':
        return everCorrect;
      case 'last-attempt':
        return exhausted;
      case 'due':
        return policy.dueAt !== null && now >= policy.dueAt;
      case 'never':
        return false;
    }
  })();
  return {
    attemptsUsed: used,
    attemptsLeft: left,
    score: counted ? counted.score : null,
    max: counted ? counted.max : null,
    lastCorrect,
    showAnswer,
    canSubmit: !exhausted,
  };
}
