import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A stored attempt, as pages and the API read it. */
export interface QuizAttempt {
  problem_id: string;
  attempt: number;
  answers: string;
  score: number;
  max: number;
  submitted_at: string;
}

/** Every attempt of a learner on one quiz of a course, oldest first per problem. */
export async function selectQuizAttempts(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  route: string,
): Promise<QuizAttempt[]> {
  return db
    .selectFrom('quiz_attempts')
    .select(['problem_id', 'attempt', 'answers', 'score', 'max', 'submitted_at'])
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .where('route', '=', route)
    .orderBy('problem_id')
    .orderBy('attempt')
    .execute();
}

/**
 * Stores attempt number `attempt`; false when that number is already taken (a concurrent
 * submission won the race), so the caller re-reads and refuses rather than grading twice.
 */
export async function insertQuizAttempt(
  db: Kysely<Database>,
  row: {
    userId: number;
    courseId: number;
    versionId: number;
    runId: number | null;
    route: string;
    problemId: string;
    attempt: number;
    answers: string;
    score: number;
    max: number;
    at: string;
  },
): Promise<boolean> {
  const inserted = await db
    .insertInto('quiz_attempts')
    .values({
      user_id: row.userId,
      course_id: row.courseId,
      version_id: row.versionId,
      run_id: row.runId,
      route: row.route,
      problem_id: row.problemId,
      attempt: row.attempt,
      answers: row.answers,
      score: row.score,
      max: row.max,
      submitted_at: row.at,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_id', 'route', 'problem_id', 'attempt']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The full quiz model (answers included) of a version's quiz: for grading only, never for pages. */
export async function selectOptionalQuizKey(
  db: Kysely<Database>,
  versionId: number,
  route: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('quiz_keys')
    .select('quiz')
    .where('version_id', '=', versionId)
    .where('route', '=', route)
    .executeTakeFirst();
  return row?.quiz ?? null;
}

/** How many attempts a learner made at each problem of a course, and the problem's points (progress page). */
export async function selectAttemptCounts(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
): Promise<Map<string, { used: number; max: number }>> {
  const rows = await db
    .selectFrom('quiz_attempts')
    .select(['route', 'problem_id', (eb) => eb.fn.countAll().as('used'), (eb) => eb.fn.max('max').as('max')])
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .groupBy(['route', 'problem_id'])
    .execute();
  // PostgreSQL counts as bigint (a string): numbers here.
  return new Map(rows.map((r) => [`${r.route}#${r.problem_id}`, { used: Number(r.used), max: Number(r.max) }]));
}
