import type { Kysely } from 'kysely';
import type { Database, LearnerGradesTable } from '../db/schema.ts';
import type { LearnerResults } from '../lib/grades/policy.ts';

export type LearnerGradeRow = LearnerGradesTable;

/** A page of a session's active learners, in user id order, after `afterUserId`. */
export async function selectEnrolledLearnerPage(
  db: Kysely<Database>,
  runId: number,
  afterUserId: number,
  limit: number,
): Promise<{ id: number; email: string; display_name: string }[]> {
  return db
    .selectFrom('enrolments')
    .innerJoin('users', 'users.id', 'enrolments.user_id')
    .select(['users.id', 'users.email', 'users.display_name'])
    .where('enrolments.run_id', '=', runId)
    .where('enrolments.status', '=', 'active')
    .where('enrolments.user_id', '>', afterUserId)
    .orderBy('enrolments.user_id')
    .limit(limit)
    .execute();
}

/**
 * The stored results grading reads, for some learners of a course: every quiz attempt (oldest
 * first per problem) and the first verified all-OK submission of each exercise.
 */
export async function selectLearnerResults(
  db: Kysely<Database>,
  courseId: number,
  userIds: readonly number[],
): Promise<Map<number, LearnerResults>> {
  const results = new Map<number, LearnerResults>();
  if (userIds.length === 0) return results;
  const of = (userId: number): LearnerResults => {
    let r = results.get(userId);
    if (!r) results.set(userId, (r = { attempts: [], passes: [] }));
    return r;
  };
  // Selected under the names grading reads, so each row is used as it is (no copy per attempt: a
  // report reads millions of them); the extra `user_id` is harmless.
  const attempts = await db
    .selectFrom('quiz_attempts')
    .select(['user_id', 'route', 'problem_id as problemId', 'score', 'max', 'submitted_at as at'])
    .where('course_id', '=', courseId)
    .where('user_id', 'in', userIds)
    .orderBy('user_id')
    .orderBy('route')
    .orderBy('problem_id')
    .orderBy('attempt')
    .execute();
  for (const a of attempts) of(a.user_id).attempts.push(a);
  const passes = await db
    .selectFrom('submissions')
    .select(['user_id', 'module', 'exercise', (eb) => eb.fn.min('created_at').as('at')])
    .where('course_id', '=', courseId)
    .where('user_id', 'in', userIds)
    .where('status', '=', 'done')
    .where('ok', '=', 1)
    .groupBy(['user_id', 'module', 'exercise'])
    .execute();
  for (const p of passes) of(p.user_id).passes.push(p);
  return results;
}

/** Stores computed grades (insert or replace per learner and session). */
export async function upsertLearnerGrades(db: Kysely<Database>, rows: readonly LearnerGradeRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Bounded statement size: SQLite allows 32766 parameters, PostgreSQL 65535.
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('learner_grades')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(['run_id', 'user_id']).doUpdateSet((eb) => ({
          grade: eb.ref('excluded.grade'),
          passed: eb.ref('excluded.passed'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
  }
}

/** A learner's stored grade in a session, or null before any. */
export async function selectOptionalLearnerGrade(
  db: Kysely<Database>,
  runId: number,
  userId: number,
): Promise<LearnerGradeRow | null> {
  return (
    (await db
      .selectFrom('learner_grades')
      .selectAll()
      .where('run_id', '=', runId)
      .where('user_id', '=', userId)
      .executeTakeFirst()) ?? null
  );
}

/** How many learners of a session have a stored grade, and how many passed. */
export async function countRunGrades(db: Kysely<Database>, runId: number): Promise<{ graded: number; passed: number }> {
  const row = await db
    .selectFrom('learner_grades')
    .select([
      (eb) => eb.fn.countAll<number | string>().as('graded'),
      (eb) => eb.fn.sum<number | string | null>('passed').as('passed'),
    ])
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return { graded: Number(row.graded), passed: Number(row.passed ?? 0) };
}

/** The mean of a session's stored grades (0 to 1), null before any. */
export async function selectMeanRunGrade(db: Kysely<Database>, runId: number): Promise<number | null> {
  const row = await db
    .selectFrom('learner_grades')
    .select((eb) => eb.fn.avg<number | string | null>('grade').as('mean'))
    .where('run_id', '=', runId)
    .executeTakeFirstOrThrow();
  return row.mean === null ? null : Number(row.mean);
}
