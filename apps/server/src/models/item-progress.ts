import { sql, type Kysely } from 'kysely';
import type { Database, ProgressSource, ProgressState } from '../db/schema.ts';

/** One source's state of one item of a course, for a learner. */
export interface ProgressRow {
  route: string;
  source: ProgressSource;
  state: ProgressState;
}

/** Every progress row of a learner in a course (all sources). */
export async function selectCourseProgress(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
): Promise<ProgressRow[]> {
  return db
    .selectFrom('item_progress')
    .select(['route', 'source', 'state'])
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .execute();
}

/** The rows of one item of a course for a learner (all sources). */
export async function selectItemProgress(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  route: string,
): Promise<ProgressRow[]> {
  return db
    .selectFrom('item_progress')
    .select(['route', 'source', 'state'])
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .where('route', '=', route)
    .execute();
}

/** Records that a source saw the item started, unless it already has a state (idempotent). */
export async function insertStartedIfAbsent(
  db: Kysely<Database>,
  key: { userId: number; courseId: number; route: string; source: ProgressSource },
  at: string,
): Promise<void> {
  await db
    .insertInto('item_progress')
    .values({
      user_id: key.userId,
      course_id: key.courseId,
      route: key.route,
      source: key.source,
      state: 'started',
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_id', 'route', 'source']).doNothing())
    .execute();
}

/**
 * Sets a source's state of an item in one statement and returns the state stored. With
 * `keepDone`, a stored 'done' stays 'done' (reaching the end again does not undo a "done").
 */
export async function upsertProgressState(
  db: Kysely<Database>,
  key: { userId: number; courseId: number; route: string; source: ProgressSource },
  state: ProgressState,
  keepDone: boolean,
  at: string,
): Promise<ProgressState> {
  const row = await db
    .insertInto('item_progress')
    .values({
      user_id: key.userId,
      course_id: key.courseId,
      route: key.route,
      source: key.source,
      state,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'course_id', 'route', 'source']).doUpdateSet({
        state: keepDone
          ? sql<ProgressState>`case when item_progress.state = 'done' then 'done' else ${state} end`
          : state,
        updated_at: at,
      }),
    )
    .returning('state')
    .executeTakeFirstOrThrow();
  return row.state;
}

/** Every progress row of a user, with its course (for their data export). */
export async function selectUserProgress(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('item_progress')
    .innerJoin('courses', 'courses.id', 'item_progress.course_id')
    .select([
      'courses.slug as course',
      'item_progress.route',
      'item_progress.source',
      'item_progress.state',
      'item_progress.updated_at',
    ])
    .where('item_progress.user_id', '=', userId)
    .orderBy('courses.slug')
    .orderBy('item_progress.route')
    .orderBy('item_progress.source')
    .execute();
}
