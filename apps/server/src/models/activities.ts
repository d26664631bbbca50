import { sql, type Kysely } from 'kysely';
import type { Activity, ActivityMode, ActivityPupil, Database } from '../db/schema.ts';

/** Activities, pupils' states, copies and comments (issue 14, ADR 051). Workflows: lib/activities. */

export interface ActivityData {
  title: string;
  opensAt: string;
  closesAt: string;
  mode: ActivityMode;
}

export interface NewActivityData extends ActivityData {
  classId: number;
  courseId: number;
  versionId: number;
  route: string;
  kind: 'notebook' | 'quiz';
  createdBy: number;
}

/** Creates an activity; returns its id. */
export async function insertActivity(db: Kysely<Database>, data: NewActivityData, now: Date): Promise<number> {
  const at = now.toISOString();
  const row = await db
    .insertInto('activities')
    .values({
      class_id: data.classId,
      course_id: data.courseId,
      version_id: data.versionId,
      route: data.route,
      kind: data.kind,
      title: data.title,
      opens_at: data.opensAt,
      closes_at: data.closesAt,
      mode: data.mode,
      created_by: data.createdBy,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes an activity's title, dates and mode (its item stays). */
export async function updateActivity(db: Kysely<Database>, id: number, data: ActivityData, now: Date): Promise<void> {
  await db
    .updateTable('activities')
    .set({
      title: data.title,
      opens_at: data.opensAt,
      closes_at: data.closesAt,
      mode: data.mode,
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

/** Deletes an activity with its pupils' states, copies and comments (cascade). */
export async function deleteActivity(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('activities').where('id', '=', id).execute();
}

/** The activity if `userId` teaches its class, else null (to anyone else it does not exist). */
export async function selectOptionalActivityOfTeacher(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
): Promise<Activity | null> {
  const row = await db
    .selectFrom('activities')
    .innerJoin('class_teachers', 'class_teachers.class_id', 'activities.class_id')
    .selectAll('activities')
    .where('activities.id', '=', activityId)
    .where('class_teachers.user_id', '=', userId)
    .executeTakeFirst();
  return row ?? null;
}

/** The activity if `userId` is a pupil of its class, with their state in it (null before they open it). */
export async function selectOptionalActivityOfPupil(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
): Promise<{ activity: Activity; pupil: ActivityPupil | null; className: string } | null> {
  const row = await db
    .selectFrom('activities')
    .innerJoin('class_members', 'class_members.class_id', 'activities.class_id')
    .innerJoin('classes', 'classes.id', 'activities.class_id')
    .selectAll('activities')
    .select('classes.name as class_name')
    .where('activities.id', '=', activityId)
    .where('class_members.user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  const { class_name, ...activity } = row;
  return { activity, pupil: await selectOptionalActivityPupil(db, activityId, userId), className: class_name };
}

/** A pupil's state in an activity, or null before they opened it. */
export async function selectOptionalActivityPupil(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
): Promise<ActivityPupil | null> {
  return (
    (await db
      .selectFrom('activity_pupils')
      .selectAll()
      .where('activity_id', '=', activityId)
      .where('user_id', '=', userId)
      .executeTakeFirst()) ?? null
  );
}

export interface ClassActivityEntry extends Activity {
  opened: number;
  handed_in: number;
}

/** A class's activities by opening date, with how many pupils opened and handed in each (one query). */
export async function selectClassActivities(db: Kysely<Database>, classId: number): Promise<ClassActivityEntry[]> {
  const rows = await db
    .selectFrom('activities')
    .leftJoin('activity_pupils', 'activity_pupils.activity_id', 'activities.id')
    .selectAll('activities')
    .select([
      sql<number>`count(activity_pupils.user_id)`.as('opened'),
      sql<number>`count(activity_pupils.handed_in_at)`.as('handed_in'),
    ])
    .where('activities.class_id', '=', classId)
    .groupBy('activities.id')
    .orderBy('activities.opens_at', 'desc')
    .orderBy('activities.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, opened: Number(r.opened), handed_in: Number(r.handed_in) }));
}

export interface PupilActivityEntry {
  id: number;
  class_id: number;
  title: string;
  kind: 'notebook' | 'quiz';
  opens_at: string;
  closes_at: string;
  mode: ActivityMode;
  opened_at: string | null;
  handed_in_at: string | null;
  mark: string | null;
}

/** The activities of every class the user is a pupil of, with their state (for /me). */
export async function selectPupilActivities(db: Kysely<Database>, userId: number): Promise<PupilActivityEntry[]> {
  return db
    .selectFrom('activities')
    .innerJoin('class_members', 'class_members.class_id', 'activities.class_id')
    .leftJoin('activity_pupils', (join) =>
      join.onRef('activity_pupils.activity_id', '=', 'activities.id').on('activity_pupils.user_id', '=', userId),
    )
    .select([
      'activities.id',
      'activities.class_id',
      'activities.title',
      'activities.kind',
      'activities.opens_at',
      'activities.closes_at',
      'activities.mode',
      'activity_pupils.opened_at',
      'activity_pupils.handed_in_at',
      'activity_pupils.mark',
    ])
    .where('class_members.user_id', '=', userId)
    .orderBy('activities.closes_at')
    .orderBy('activities.id')
    .execute();
}

/** Every pupil state row of an activity. */
export async function selectActivityPupils(db: Kysely<Database>, activityId: number): Promise<ActivityPupil[]> {
  return db.selectFrom('activity_pupils').selectAll().where('activity_id', '=', activityId).execute();
}

/** Records that a pupil opened (or worked in) an activity: the row made on first use, its last activity moved. */
export async function touchActivityPupil(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('activity_pupils')
    .values({ activity_id: activityId, user_id: userId, opened_at: at, last_activity_at: at })
    .onConflict((oc) => oc.columns(['activity_id', 'user_id']).doUpdateSet({ last_activity_at: at }))
    .execute();
}

/** Hands a pupil's copy in (`at`) or reopens it (null); the row made if needed. */
export async function updateHandedIn(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
  at: Date | null,
  now: Date,
): Promise<void> {
  await touchActivityPupil(db, activityId, userId, now);
  await db
    .updateTable('activity_pupils')
    .set({ handed_in_at: at ? at.toISOString() : null })
    .where('activity_id', '=', activityId)
    .where('user_id', '=', userId)
    .execute();
}

/** Sets (or clears, with nulls) a pupil's mark and feedback. */
export async function updateMark(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
  data: { mark: string | null; feedback: string | null; by: number },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('activity_pupils')
    .values({
      activity_id: activityId,
      user_id: userId,
      opened_at: at,
      last_activity_at: at,
      mark: data.mark,
      feedback: data.feedback,
      marked_at: at,
      marked_by: data.by,
    })
    .onConflict((oc) =>
      oc
        .columns(['activity_id', 'user_id'])
        .doUpdateSet({ mark: data.mark, feedback: data.feedback, marked_at: at, marked_by: data.by }),
    )
    .execute();
}

// ---- Copies ----

export interface ActivityCellView {
  cell_id: string;
  code: string;
  original: string;
  version: number;
  updated_at: string;
}

/** A pupil's copy: the cells they changed, in cell-id order. */
export async function selectActivityCells(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
): Promise<ActivityCellView[]> {
  return db
    .selectFrom('activity_cells')
    .select(['cell_id', 'code', 'original', 'version', 'updated_at'])
    .where('activity_id', '=', activityId)
    .where('user_id', '=', userId)
    .orderBy('cell_id')
    .execute();
}

/** Every pupil's cells of an activity (for the notebooks' export), by pupil then cell. */
export async function selectAllActivityCells(
  db: Kysely<Database>,
  activityId: number,
): Promise<{ user_id: number; cell_id: string; code: string }[]> {
  return db
    .selectFrom('activity_cells')
    .select(['user_id', 'cell_id', 'code'])
    .where('activity_id', '=', activityId)
    .orderBy('user_id')
    .orderBy('cell_id')
    .execute();
}

export interface ActivityCellKey {
  activityId: number;
  userId: number;
  cellId: string;
}

/** The first version of a cell of a copy, only if there is none (one statement); null when there was. */
export async function insertFirstActivityCell(
  db: Kysely<Database>,
  key: ActivityCellKey,
  content: { code: string; original: string },
  at: string,
): Promise<{ version: number; updated_at: string } | null> {
  const row = await db
    .insertInto('activity_cells')
    .values({
      activity_id: key.activityId,
      user_id: key.userId,
      cell_id: key.cellId,
      code: content.code,
      original: content.original,
      version: 1,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['activity_id', 'user_id', 'cell_id']).doNothing())
    .returning(['version', 'updated_at'])
    .executeTakeFirst();
  return row ?? null;
}

/** Replaces a copy's cell if its version is still `baseVersion` (one conditional statement); null otherwise. */
export async function updateActivityCellIfVersion(
  db: Kysely<Database>,
  key: ActivityCellKey,
  content: { code: string; original: string },
  baseVersion: number,
  at: string,
): Promise<{ version: number; updated_at: string } | null> {
  const row = await db
    .updateTable('activity_cells')
    .set((eb) => ({ code: content.code, original: content.original, version: eb('version', '+', 1), updated_at: at }))
    .where('activity_id', '=', key.activityId)
    .where('user_id', '=', key.userId)
    .where('cell_id', '=', key.cellId)
    .where('version', '=', baseVersion)
    .returning(['version', 'updated_at'])
    .executeTakeFirst();
  return row ?? null;
}

/** One cell of a copy, or null. */
export async function selectOptionalActivityCell(
  db: Kysely<Database>,
  key: ActivityCellKey,
): Promise<ActivityCellView | null> {
  return (
    (await db
      .selectFrom('activity_cells')
      .select(['cell_id', 'code', 'original', 'version', 'updated_at'])
      .where('activity_id', '=', key.activityId)
      .where('user_id', '=', key.userId)
      .where('cell_id', '=', key.cellId)
      .executeTakeFirst()) ?? null
  );
}

// ---- Comments ----

export interface ActivityCommentEntry {
  id: number;
  cell_id: string;
  body: string;
  created_at: string;
  author: string | null;
}

/** Adds a teacher's comment on a cell of a pupil's copy. */
export async function insertActivityComment(
  db: Kysely<Database>,
  data: { activityId: number; userId: number; cellId: string; authorId: number; body: string },
  now: Date,
): Promise<void> {
  await db
    .insertInto('activity_comments')
    .values({
      activity_id: data.activityId,
      user_id: data.userId,
      cell_id: data.cellId,
      author_id: data.authorId,
      body: data.body,
      created_at: now.toISOString(),
    })
    .execute();
}

/** The comments on one pupil's copy, oldest first. */
export async function selectActivityComments(
  db: Kysely<Database>,
  activityId: number,
  userId: number,
): Promise<ActivityCommentEntry[]> {
  return db
    .selectFrom('activity_comments')
    .leftJoin('users', 'users.id', 'activity_comments.author_id')
    .select([
      'activity_comments.id',
      'activity_comments.cell_id',
      'activity_comments.body',
      'activity_comments.created_at',
      'users.display_name as author',
    ])
    .where('activity_comments.activity_id', '=', activityId)
    .where('activity_comments.user_id', '=', userId)
    .orderBy('activity_comments.created_at')
    .orderBy('activity_comments.id')
    .execute();
}

/** Deletes a comment of this copy; says whether there was one. */
export async function deleteActivityComment(
  db: Kysely<Database>,
  data: { id: number; activityId: number; userId: number },
): Promise<boolean> {
  const result = await db
    .deleteFrom('activity_comments')
    .where('id', '=', data.id)
    .where('activity_id', '=', data.activityId)
    .where('user_id', '=', data.userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// ---- Results within an activity's window ----

/**
 * Where results count for an activity: its item, its class's pupils, from its opening to each
 * pupil's hand-in, or `end` for those who have not handed in.
 */
export interface ResultWindow {
  activityId: number;
  courseId: number;
  route: string;
  userIds: number[];
  from: string;
  end: string;
}

/** Per pupil and exercise: attempts and whether one passed, within the activity's window. */
export async function selectExerciseResults(
  db: Kysely<Database>,
  w: ResultWindow,
): Promise<{ user_id: number; module: string; exercise: string; attempts: number; passed: number }[]> {
  if (w.userIds.length === 0) return [];
  const rows = await db
    .selectFrom('submissions as s')
    .leftJoin('activity_pupils as ap', (join) =>
      join.onRef('ap.user_id', '=', 's.user_id').on('ap.activity_id', '=', w.activityId),
    )
    .select([
      's.user_id',
      's.module',
      's.exercise',
      sql<number>`count(*)`.as('attempts'),
      sql<number>`max(case when s.ok = 1 then 1 else 0 end)`.as('passed'),
    ])
    .where('s.course_id', '=', w.courseId)
    .where('s.route', '=', w.route)
    .where('s.user_id', 'in', w.userIds)
    .where('s.created_at', '>=', w.from)
    .where(sql<boolean>`s.created_at <= coalesce(ap.handed_in_at, ${w.end})`)
    .groupBy(['s.user_id', 's.module', 's.exercise'])
    .execute();
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), passed: Number(r.passed) }));
}

/** Per pupil and quiz problem: the best score and its maximum, within the activity's window. */
export async function selectQuizResults(
  db: Kysely<Database>,
  w: ResultWindow,
): Promise<{ user_id: number; problem_id: string; score: number; max: number }[]> {
  if (w.userIds.length === 0) return [];
  const rows = await db
    .selectFrom('quiz_attempts as q')
    .leftJoin('activity_pupils as ap', (join) =>
      join.onRef('ap.user_id', '=', 'q.user_id').on('ap.activity_id', '=', w.activityId),
    )
    .select(['q.user_id', 'q.problem_id', sql<number>`max(q.score)`.as('score'), sql<number>`max(q.max)`.as('max')])
    .where('q.course_id', '=', w.courseId)
    .where('q.route', '=', w.route)
    .where('q.user_id', 'in', w.userIds)
    .where('q.submitted_at', '>=', w.from)
    .where(sql<boolean>`q.submitted_at <= coalesce(ap.handed_in_at, ${w.end})`)
    .groupBy(['q.user_id', 'q.problem_id'])
    .execute();
  return rows.map((r) => ({ ...r, score: Number(r.score), max: Number(r.max) }));
}

/** An activity on a course as one of its class's pupils or teachers sees it (the private-course gate, ADR 052). */
export interface CourseActivityOfReader {
  id: number;
  route: string;
  /** The pinned version's tag (the runtime's and course files' URLs carry it). */
  tag: string;
  opens_at: string;
  closes_at: string;
  mode: ActivityMode;
  role: 'pupil' | 'teacher';
  handed_in_at: string | null;
}

/**
 * The activities on `courseId` of the classes `userId` is a pupil of, or an approved teacher of:
 * one query, driven by the reader's memberships (class_members_user, class_teachers_user, then
 * activities_class).
 */
export async function selectCourseActivitiesOfReader(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
): Promise<CourseActivityOfReader[]> {
  const classes = db
    .selectFrom('class_members')
    .select(['class_members.class_id', sql<'pupil' | 'teacher'>`'pupil'`.as('role')])
    .where('class_members.user_id', '=', userId)
    .unionAll(
      db
        .selectFrom('class_teachers')
        .innerJoin('teachers', 'teachers.user_id', 'class_teachers.user_id')
        .select(['class_teachers.class_id', sql<'pupil' | 'teacher'>`'teacher'`.as('role')])
        .where('class_teachers.user_id', '=', userId)
        .where('teachers.status', '=', 'approved'),
    );
  return db
    .selectFrom(classes.as('r'))
    .innerJoin('activities as a', 'a.class_id', 'r.class_id')
    .innerJoin('course_versions as v', 'v.id', 'a.version_id')
    .leftJoin('activity_pupils as p', (j) => j.onRef('p.activity_id', '=', 'a.id').on('p.user_id', '=', userId))
    .select(['a.id', 'a.route', 'v.tag', 'a.opens_at', 'a.closes_at', 'a.mode', 'r.role', 'p.handed_in_at'])
    .where('a.course_id', '=', courseId)
    .execute();
}
