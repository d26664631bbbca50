import { PostgresAdapter, sql, type Kysely } from 'kysely';
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

/** Which attempts the staff figures count (ADR 028). */
export interface AttemptScope {
  courseId: number;
  route: string;
  /** Versions whose quiz at `route` is the same: option numbers mean the same options. */
  versionIds: number[];
  /** One session's attempts, or (undefined) every attempt. */
  runId?: number | undefined;
  /** Only each learner's first attempt at each problem (what they thought before any feedback). */
  firstOnly: boolean;
}

/** The versions of a course whose quiz at `route` is identical to the one of `versionId` (itself included). */
export async function selectVersionsWithSameQuiz(
  db: Kysely<Database>,
  courseId: number,
  versionId: number,
  route: string,
): Promise<number[]> {
  const rows = await db
    .selectFrom('quiz_keys as k')
    .innerJoin('course_versions as v', 'v.id', 'k.version_id')
    .select('k.version_id')
    .where('v.course_id', '=', courseId)
    .where('k.route', '=', route)
    .where('k.quiz', '=', (eb) =>
      eb.selectFrom('quiz_keys').select('quiz').where('version_id', '=', versionId).where('route', '=', route),
    )
    .execute();
  return rows.map((r) => r.version_id);
}

/** Attempts and learners per quiz route of a course (any version), for the staff list of quizzes. */
export async function selectQuizRouteCounts(
  db: Kysely<Database>,
  courseId: number,
  runId?: number,
): Promise<{ route: string; attempts: number; learners: number }[]> {
  let query = db
    .selectFrom('quiz_attempts')
    .select((eb) => [
      'route',
      eb.fn.countAll<number>().as('attempts'),
      eb.fn.count<number>('user_id').distinct().as('learners'),
    ])
    .where('course_id', '=', courseId);
  if (runId !== undefined) query = query.where('run_id', '=', runId);
  const rows = await query.groupBy('route').execute();
  return rows.map((r) => ({ route: r.route, attempts: Number(r.attempts), learners: Number(r.learners) }));
}

/** Per problem: attempts, learners, first attempts and first attempts fully right (counted in the database). */
export async function selectProblemCounts(
  db: Kysely<Database>,
  scope: AttemptScope,
): Promise<{ problem_id: string; attempts: number; learners: number; first: number; first_correct: number }[]> {
  if (scope.versionIds.length === 0) return [];
  let query = db
    .selectFrom('quiz_attempts')
    .select((eb) => [
      'problem_id',
      eb.fn.countAll<number>().as('attempts'),
      eb.fn.count<number>('user_id').distinct().as('learners'),
      eb.fn.sum<number>(eb.case().when('attempt', '=', 1).then(1).else(0).end()).as('first'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('attempt', '=', 1), eb('score', '>=', eb.ref('max'))]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('first_correct'),
    ])
    .where('course_id', '=', scope.courseId)
    .where('route', '=', scope.route)
    .where('version_id', 'in', scope.versionIds);
  if (scope.runId !== undefined) query = query.where('run_id', '=', scope.runId);
  const rows = await query.groupBy('problem_id').execute();
  return rows.map((r) => ({
    problem_id: r.problem_id,
    attempts: Number(r.attempts),
    learners: Number(r.learners),
    first: Number(r.first ?? 0),
    first_correct: Number(r.first_correct ?? 0),
  }));
}

/**
 * How many counted attempts gave each answer to each question: `answer` is the JSON array of the
 * values posted (sorted by the form reader, so a set of checkboxes has one spelling). The JSON is
 * opened and grouped by the database: one row per distinct answer, never one per attempt.
 */
export async function selectAnswerCounts(
  db: Kysely<Database>,
  scope: AttemptScope,
): Promise<{ question: string; answer: string; n: number }[]> {
  if (scope.versionIds.length === 0) return [];
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const run = scope.runId === undefined ? sql`` : sql`and a.run_id = ${scope.runId}`;
  const first = scope.firstOnly ? sql`and a.attempt = 1` : sql``;
  const versions = sql.join(scope.versionIds.map((id) => sql`${id}`));
  const where = sql`a.course_id = ${scope.courseId} and a.route = ${scope.route} and a.version_id in (${versions}) ${run} ${first}`;
  const query = pg
    ? sql<{ question: string; answer: string; n: number }>`
        select j.key as question, j.value::text as answer, count(*) as n
        from quiz_attempts a cross join lateral json_each(a.answers::json) j
        where ${where}
        group by j.key, j.value::text`
    : sql<{ question: string; answer: string; n: number }>`
        select j.key as question, j.value as answer, count(*) as n
        from quiz_attempts a, json_each(a.answers) j
        where ${where}
        group by j.key, j.value`;
  const { rows } = await query.execute(db);
  return rows.map((r) => ({ question: r.question, answer: String(r.answer), n: Number(r.n) }));
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
