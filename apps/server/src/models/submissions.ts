import type { Kysely, Selectable } from 'kysely';
import type { Database, SubmissionStatus, SubmissionsTable } from '../db/schema.ts';

export type SubmissionRow = Selectable<SubmissionsTable>;

/** What identifies a learner's exercise (and, with the cells' hash, an identical submission). */
export interface SubmissionKey {
  userId: number;
  courseId: number;
  route: string;
  module: string;
  exercise: string;
}

/** Stores a new submission, queued; returns its id. */
export async function insertSubmission(
  db: Kysely<Database>,
  key: SubmissionKey,
  values: { versionId: number; cells: string; cellsHash: string; browser: string; createdAt: string },
): Promise<number> {
  const row = await db
    .insertInto('submissions')
    .values({
      user_id: key.userId,
      course_id: key.courseId,
      version_id: values.versionId,
      route: key.route,
      module: key.module,
      exercise: key.exercise,
      cells: values.cells,
      cells_hash: values.cellsHash,
      browser: values.browser,
      status: 'queued',
      created_at: values.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The learner's latest submission of the same code for the same exercise and version, if any. */
export async function selectOptionalIdenticalSubmission(
  db: Kysely<Database>,
  key: SubmissionKey,
  versionId: number,
  cellsHash: string,
): Promise<SubmissionRow | undefined> {
  return db
    .selectFrom('submissions')
    .selectAll()
    .where('user_id', '=', key.userId)
    .where('course_id', '=', key.courseId)
    .where('route', '=', key.route)
    .where('module', '=', key.module)
    .where('exercise', '=', key.exercise)
    .where('cells_hash', '=', cellsHash)
    .where('version_id', '=', versionId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** A submission by id, only if it is `userId`'s (else undefined: another learner's ids do not exist). */
export async function selectOptionalSubmissionOfUser(
  db: Kysely<Database>,
  id: number,
  userId: number,
): Promise<SubmissionRow | undefined> {
  return db.selectFrom('submissions').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
}

/** A submission by id (for the grading job). */
export async function selectSubmissionById(db: Kysely<Database>, id: number): Promise<SubmissionRow> {
  return db.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A learner's submissions of an exercise (or of every exercise of an item), newest first. */
export async function selectSubmissionHistory(
  db: Kysely<Database>,
  key: Omit<SubmissionKey, 'module' | 'exercise'> & { exercise?: string },
  limit = 50,
): Promise<SubmissionRow[]> {
  let query = db
    .selectFrom('submissions')
    .selectAll()
    .where('user_id', '=', key.userId)
    .where('course_id', '=', key.courseId)
    .where('route', '=', key.route);
  if (key.exercise !== undefined) query = query.where('exercise', '=', key.exercise);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** How many submissions a learner made since `since` (ISO time), for the rate limit. */
export async function countSubmissionsSince(db: Kysely<Database>, userId: number, since: string): Promise<number> {
  const row = await db
    .selectFrom('submissions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Links the grading job to its submission. */
export async function setSubmissionJob(db: Kysely<Database>, id: number, jobId: number): Promise<void> {
  await db.updateTable('submissions').set({ job_id: jobId }).where('id', '=', id).execute();
}

/** Moves a submission to `status`, with its verdict or the reason it could not be verified. */
/** Ends a submission still waiting for its verdict as failed (one that has a verdict stays as it is). */
export async function failUnfinishedSubmission(
  db: Kysely<Database>,
  id: number,
  outcome: { reason: string; reasonCode: string; finishedAt: string },
): Promise<void> {
  await db
    .updateTable('submissions')
    .set({ status: 'failed', reason: outcome.reason, reason_code: outcome.reasonCode, finished_at: outcome.finishedAt })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .execute();
}

export async function updateSubmissionOutcome(
  db: Kysely<Database>,
  id: number,
  outcome: {
    status: SubmissionStatus;
    verdict?: string | null;
    ok?: boolean | null;
    reason?: string | null;
    reasonCode?: string | null;
    finishedAt?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('submissions')
    .set({
      status: outcome.status,
      ...(outcome.verdict !== undefined ? { verdict: outcome.verdict } : {}),
      ...(outcome.ok !== undefined ? { ok: outcome.ok === null ? null : outcome.ok ? 1 : 0 } : {}),
      ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      ...(outcome.reasonCode !== undefined ? { reason_code: outcome.reasonCode } : {}),
      ...(outcome.finishedAt !== undefined ? { finished_at: outcome.finishedAt } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** The exercises (module, attribute) of an item a learner has a verified all-OK submission for. */
export async function selectPassedExercises(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  route: string,
): Promise<{ module: string; exercise: string }[]> {
  return db
    .selectFrom('submissions')
    .select(['module', 'exercise'])
    .distinct()
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .where('route', '=', route)
    .where('status', '=', 'done')
    .where('ok', '=', 1)
    .execute();
}

/**
 * Whether the learner already had a verified all-OK submission of this exercise, in this item,
 * made before `submission`: then another pass changes neither their progress nor their grade.
 */
export async function hasEarlierPass(
  db: Kysely<Database>,
  submission: Pick<SubmissionRow, 'id' | 'user_id' | 'course_id' | 'route' | 'module' | 'exercise' | 'created_at'>,
): Promise<boolean> {
  const row = await db
    .selectFrom('submissions')
    .select('id')
    .where('user_id', '=', submission.user_id)
    .where('course_id', '=', submission.course_id)
    .where('route', '=', submission.route)
    .where('module', '=', submission.module)
    .where('exercise', '=', submission.exercise)
    .where('status', '=', 'done')
    .where('ok', '=', 1)
    .where('id', '<>', submission.id)
    .where('created_at', '<=', submission.created_at)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A course's latest submissions with their learners, for its staff (newest first). */
export async function selectCourseSubmissions(
  db: Kysely<Database>,
  courseId: number,
  options: { exercise?: string; limit: number },
): Promise<(SubmissionRow & { user_name: string; user_email: string })[]> {
  let query = db
    .selectFrom('submissions')
    .innerJoin('users', 'users.id', 'submissions.user_id')
    .selectAll('submissions')
    .select(['users.display_name as user_name', 'users.email as user_email'])
    .where('submissions.course_id', '=', courseId);
  if (options.exercise) query = query.where('submissions.exercise', '=', options.exercise);
  return query.orderBy('submissions.id', 'desc').limit(options.limit).execute();
}
