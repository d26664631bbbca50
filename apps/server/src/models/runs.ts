import type { Kysely } from 'kysely';
import type { Database, NewRun, Run } from '../db/schema.ts';

/** A run with the slug and title of its course, and the tag of its pinned version. */
export type RunWithCourse = Run & { course_slug: string; course_title: string; version_tag: string };

function runsWithCourse(db: Kysely<Database>) {
  return db
    .selectFrom('runs')
    .innerJoin('courses', 'courses.id', 'runs.course_id')
    .innerJoin('course_versions', 'course_versions.id', 'runs.version_id')
    .selectAll('runs')
    .select(['courses.slug as course_slug', 'courses.title as course_title', 'course_versions.tag as version_tag']);
}

/** The run with this id, or null. */
export async function selectOptionalRunById(db: Kysely<Database>, id: number): Promise<RunWithCourse | null> {
  return (await runsWithCourse(db).where('runs.id', '=', id).executeTakeFirst()) ?? null;
}

/** The run `runSlug` of the course `courseSlug`, or null. */
export async function selectOptionalRunBySlug(
  db: Kysely<Database>,
  courseSlug: string,
  runSlug: string,
): Promise<RunWithCourse | null> {
  return (
    (await runsWithCourse(db)
      .where('courses.slug', '=', courseSlug)
      .where('runs.slug', '=', runSlug)
      .executeTakeFirst()) ?? null
  );
}

/** Every run of a course (archived ones included), newest start first. */
export async function selectCourseRuns(db: Kysely<Database>, courseId: number): Promise<RunWithCourse[]> {
  return runsWithCourse(db).where('runs.course_id', '=', courseId).orderBy('runs.starts_at', 'desc').execute();
}

/** Every run, by course then start (for `carnet run list`). */
export async function selectAllRuns(db: Kysely<Database>): Promise<RunWithCourse[]> {
  return runsWithCourse(db).orderBy('courses.slug').orderBy('runs.starts_at').execute();
}

/**
 * Runs the catalogue may show: not archived, of a course that has a live version, and whose
 * enrolment has not closed and which has not ended at `now`.
 */
export async function selectListedRuns(db: Kysely<Database>, now: Date): Promise<RunWithCourse[]> {
  const at = now.toISOString();
  return runsWithCourse(db)
    .where('runs.archived', '=', 0)
    .where('courses.live_version_id', 'is not', null)
    .where((eb) => eb.or([eb('runs.enrol_closes_at', 'is', null), eb('runs.enrol_closes_at', '>', at)]))
    .where((eb) => eb.or([eb('runs.ends_at', 'is', null), eb('runs.ends_at', '>', at)]))
    .orderBy('runs.starts_at')
    .execute();
}

/** Creates a run; null when the course already has a run with this slug. */
export async function insertRun(db: Kysely<Database>, run: NewRun): Promise<Run | null> {
  const row = await db
    .insertInto('runs')
    .values(run)
    .onConflict((oc) => oc.columns(['course_id', 'slug']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export type RunChanges = Partial<
  Pick<
    Run,
    | 'title'
    | 'mode'
    | 'starts_at'
    | 'ends_at'
    | 'enrol_opens_at'
    | 'enrol_closes_at'
    | 'week_opens'
    | 'archived'
    | 'videos_count'
    | 'version_id'
    | 'grading'
    | 'quiz_attempts'
    | 'quiz_counts'
    | 'quiz_partial_credit'
    | 'quiz_show_answer'
  >
>;

/** Changes a run's settings. */
export async function updateRun(db: Kysely<Database>, runId: number, changes: RunChanges, now: Date): Promise<void> {
  await db
    .updateTable('runs')
    .set({ ...changes, updated_at: now.toISOString() })
    .where('id', '=', runId)
    .execute();
}

/** Adds `delta` to a run's enrolment counter (in the caller's transaction). */
export async function addToEnrolledCount(db: Kysely<Database>, runId: number, delta: number): Promise<void> {
  await db
    .updateTable('runs')
    .set((eb) => ({ enrolled_count: eb('enrolled_count', '+', delta) }))
    .where('id', '=', runId)
    .execute();
}
