import type { Kysely } from 'kysely';
import type { Database, Enrolment, Run } from '../db/schema.ts';

/** An active enrolment with its run. */
export interface ActiveEnrolment {
  enrolment: Enrolment;
  run: Run;
}

/** The user's active enrolment in a course, with its run, or null. */
export async function selectOptionalActiveEnrolment(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
): Promise<ActiveEnrolment | null> {
  const row = await db
    .selectFrom('enrolments')
    .innerJoin('runs', 'runs.id', 'enrolments.run_id')
    .selectAll('runs')
    .select([
      'enrolments.id as e_id',
      'enrolments.status as e_status',
      'enrolments.enrolled_at as e_enrolled_at',
      'enrolments.unenrolled_at as e_unenrolled_at',
      'enrolments.last_route as e_last_route',
      'enrolments.last_visit_at as e_last_visit_at',
    ])
    .where('enrolments.user_id', '=', userId)
    .where('enrolments.course_id', '=', courseId)
    .where('enrolments.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return null;
  const { e_id, e_status, e_enrolled_at, e_unenrolled_at, e_last_route, e_last_visit_at, ...run } = row;
  return {
    run,
    enrolment: {
      id: e_id,
      user_id: userId,
      run_id: run.id,
      course_id: courseId,
      status: e_status,
      enrolled_at: e_enrolled_at,
      unenrolled_at: e_unenrolled_at,
      last_route: e_last_route,
      last_visit_at: e_last_visit_at,
    },
  };
}

/** A learner's enrolment in a run (active or not), or null. */
export async function selectOptionalEnrolment(
  db: Kysely<Database>,
  userId: number,
  runId: number,
): Promise<Enrolment | null> {
  return (
    (await db
      .selectFrom('enrolments')
      .selectAll()
      .where('user_id', '=', userId)
      .where('run_id', '=', runId)
      .executeTakeFirst()) ?? null
  );
}

/** Ids of the runs the user is actively enrolled in. */
export async function selectActiveRunIds(db: Kysely<Database>, userId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('enrolments')
    .select('run_id')
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .execute();
  return new Set(rows.map((r) => r.run_id));
}

/** A dashboard line: an active enrolment with its run, course and the course's first page. */
export interface DashboardEntry {
  enrolment_id: number;
  enrolled_at: string;
  last_route: string | null;
  last_visit_at: string | null;
  run: Run;
  course_slug: string;
  course_title: string;
}

/** The user's active enrolments, most recently visited first. */
export async function selectDashboardEntries(db: Kysely<Database>, userId: number): Promise<DashboardEntry[]> {
  const rows = await db
    .selectFrom('enrolments')
    .innerJoin('runs', 'runs.id', 'enrolments.run_id')
    .innerJoin('courses', 'courses.id', 'enrolments.course_id')
    .selectAll('runs')
    .select([
      'enrolments.id as enrolment_id',
      'enrolments.enrolled_at as enrolled_at',
      'enrolments.last_route as last_route',
      'enrolments.last_visit_at as last_visit_at',
      'courses.slug as course_slug',
      'courses.title as course_title',
    ])
    .where('enrolments.user_id', '=', userId)
    .where('enrolments.status', '=', 'active')
    .orderBy('enrolments.last_visit_at', 'desc')
    .orderBy('enrolments.enrolled_at', 'desc')
    .execute();
  return rows.map(({ enrolment_id, enrolled_at, last_route, last_visit_at, course_slug, course_title, ...run }) => ({
    enrolment_id,
    enrolled_at,
    last_route,
    last_visit_at,
    course_slug,
    course_title,
    run,
  }));
}

/** Every enrolment of a user, with run and course names (for their data export). */
export async function selectUserEnrolments(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('enrolments')
    .innerJoin('runs', 'runs.id', 'enrolments.run_id')
    .innerJoin('courses', 'courses.id', 'enrolments.course_id')
    .select([
      'courses.slug as course',
      'runs.slug as run',
      'runs.title as run_title',
      'enrolments.status',
      'enrolments.enrolled_at',
      'enrolments.unenrolled_at',
      'enrolments.last_route',
      'enrolments.last_visit_at',
    ])
    .where('enrolments.user_id', '=', userId)
    .orderBy('enrolments.enrolled_at')
    .execute();
}

/** Remembers the last page a learner opened in the course of this enrolment. */
export async function updateLastRoute(
  db: Kysely<Database>,
  enrolmentId: number,
  route: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('enrolments')
    .set({ last_route: route, last_visit_at: now.toISOString() })
    .where('id', '=', enrolmentId)
    .execute();
}
