import type { Quiz, QuizProblem } from '@carnet/course-format';
import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import { upsertProgressState } from '../../models/item-progress.ts';
import { insertQuizAttempt, selectOptionalQuizKey, selectQuizAttempts } from '../../models/quiz-attempts.ts';
import { LruCache } from '../cache.ts';
import { parseGradingPolicy, weekDueAt } from '../grades/policy.ts';
import { gradeProblem, type ProblemAnswers, type ProblemResult } from './grade.ts';
import {
  DEFAULT_QUIZ_POLICY,
  problemPolicy,
  problemState,
  SHOW_ANSWER_VALUES,
  type ProblemState,
  type QuizPolicy,
  type ShowAnswer,
} from './policy.ts';
import { renderQuizSecrets, type QuestionSecrets } from './secrets.ts';

/**
 * Quizzes as a workflow across tables (ADR 026): the full model of a version's quiz (cached per
 * process: versions are immutable), a learner's state per problem, and a submission.
 */

interface LoadedQuiz {
  quiz: Quiz;
  secrets: Map<string, QuestionSecrets>;
}

const quizzes = new LruCache<string, LoadedQuiz | null>(200, Infinity, 'quizzes');

/** The full quiz (with its rendered secrets) of a version's route, or null when it is not a quiz. */
export async function loadQuiz(
  db: Kysely<Database>,
  versionId: number,
  route: string,
  language: string,
): Promise<LoadedQuiz | null> {
  const key = `${versionId}\0${route}`;
  const cached = quizzes.get(key);
  if (cached !== undefined) return cached;
  const json = await selectOptionalQuizKey(db, versionId, route);
  const quiz = json === null ? null : (JSON.parse(json) as Quiz);
  const loaded = quiz && { quiz, secrets: renderQuizSecrets(quiz, language) };
  quizzes.set(key, loaded);
  return loaded;
}

/** The quiz policy of a session for a quiz of `week`; the defaults for a reader with none. */
export function quizPolicyOf(run: Run | null, week: number | null): QuizPolicy {
  if (!run) return DEFAULT_QUIZ_POLICY;
  const show = run.quiz_show_answer as ShowAnswer;
  return {
    attempts: run.quiz_attempts,
    counts: run.quiz_counts === 'last' ? 'last' : 'best',
    partialCredit: run.quiz_partial_credit === 1,
    showAnswer: SHOW_ANSWER_VALUES.includes(show) ? show : DEFAULT_QUIZ_POLICY.showAnswer,
    // The week's due date of the grading policy (derived from the schedule, or set by staff).
    dueAt: weekDueAt(run, parseGradingPolicy(run.grading), week),
  };
}

/** A learner's view of one problem: the policy's state, and the answers and result of the last attempt. */
export interface LearnerProblem {
  state: ProblemState;
  /** The answers of the last attempt (question id → values), null before any. */
  answers: ProblemAnswers | null;
  /** The last attempt graded against this version's quiz. */
  result: ProblemResult | null;
}

/** Every problem of a quiz as one learner stands, by problem id. */
export async function learnerProblems(
  db: Kysely<Database>,
  user: { userId: number; courseId: number },
  route: string,
  quiz: Quiz,
  policy: QuizPolicy,
  now: string,
): Promise<Map<string, LearnerProblem>> {
  const rows = await selectQuizAttempts(db, user.userId, user.courseId, route);
  const problems = new Map<string, LearnerProblem>();
  for (const problem of quiz.problems) {
    const attempts = rows.filter((r) => r.problem_id === problem.id);
    const last = attempts.at(-1);
    const answers = last ? (JSON.parse(last.answers) as ProblemAnswers) : null;
    problems.set(problem.id, {
      state: problemState(problemPolicy(policy, problem), attempts, now),
      answers,
      result: answers && gradeProblem(problem, answers, policy),
    });
  }
  return problems;
}

/** What a submission came to. */
export type Submission =
  | { kind: 'graded'; result: ProblemResult }
  | { kind: 'invalid'; result: ProblemResult }
  | { kind: 'empty' }
  | { kind: 'exhausted' };

/**
 * Grades and stores one attempt at a problem, unless the learner has none left or the answers
 * cannot be graded; marks the quiz started, or done once every problem has an attempt.
 */
export async function submitAttempt(
  db: Kysely<Database>,
  input: {
    userId: number;
    courseId: number;
    versionId: number;
    runId: number | null;
    route: string;
    quiz: Quiz;
    problem: QuizProblem;
    answers: ProblemAnswers;
    policy: QuizPolicy;
    at: string;
  },
): Promise<Submission> {
  const { quiz, problem, policy } = input;
  const rows = await selectQuizAttempts(db, input.userId, input.courseId, input.route);
  const used = rows.filter((r) => r.problem_id === problem.id).length;
  const allowed = problemPolicy(policy, problem).attempts;
  if (allowed !== 0 && used >= allowed) return { kind: 'exhausted' };
  const result = gradeProblem(problem, input.answers, policy);
  if (result.empty) return { kind: 'empty' };
  if (result.invalid) return { kind: 'invalid', result };
  const stored = await insertQuizAttempt(db, {
    userId: input.userId,
    courseId: input.courseId,
    versionId: input.versionId,
    runId: input.runId,
    route: input.route,
    problemId: problem.id,
    attempt: used + 1,
    answers: JSON.stringify(input.answers),
    score: result.score,
    max: result.max,
    at: input.at,
  });
  // Another submission took this attempt number meanwhile: with a limit, this one may be one too many.
  if (!stored) return { kind: 'exhausted' };
  const answered = new Set([...rows.map((r) => r.problem_id), problem.id]);
  const done = quiz.problems.every((p) => answered.has(p.id));
  await upsertProgressState(
    db,
    { userId: input.userId, courseId: input.courseId, route: input.route, source: 'quiz' },
    done ? 'done' : 'started',
    true,
    input.at,
  );
  return { kind: 'graded', result };
}
