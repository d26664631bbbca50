import type { Kysely } from 'kysely';
import type { Course, CourseVersion, Database } from '../db/schema.ts';

/** A course with its live version (null before the first import). */
export interface LiveCourse {
  course: Course;
  version: CourseVersion | null;
}

/** The course with this id, or null. */
export async function selectOptionalCourseById(db: Kysely<Database>, id: number): Promise<Course | null> {
  return (await db.selectFrom('courses').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** The course at `slug`, or null. */
export async function selectOptionalCourseBySlug(db: Kysely<Database>, slug: string): Promise<Course | null> {
  return (await db.selectFrom('courses').selectAll().where('slug', '=', slug).executeTakeFirst()) ?? null;
}

/** The course at `slug` joined to its live version, or null when there is no such course or it has no live version. */
export async function selectOptionalLiveVersionBySlug(
  db: Kysely<Database>,
  slug: string,
): Promise<(CourseVersion & { slug: string }) | null> {
  const row = await db
    .selectFrom('courses')
    .innerJoin('course_versions', 'course_versions.id', 'courses.live_version_id')
    .selectAll('course_versions')
    .select('courses.slug')
    .where('courses.slug', '=', slug)
    .executeTakeFirst();
  return row ?? null;
}

/** Every catalogue course (private ones left out, ADR 052) that has a live version, with that version, by title. */
export async function selectLiveCourses(db: Kysely<Database>): Promise<(CourseVersion & { slug: string })[]> {
  return db
    .selectFrom('courses')
    .innerJoin('course_versions', 'course_versions.id', 'courses.live_version_id')
    .selectAll('course_versions')
    .select('courses.slug')
    .where('courses.private', '=', 0)
    .orderBy('course_versions.title')
    .execute();
}

/** The version of a course with this content hash, or null. */
export async function selectOptionalVersionByHash(
  db: Kysely<Database>,
  courseId: number,
  hash: string,
): Promise<CourseVersion | null> {
  return (
    (await db
      .selectFrom('course_versions')
      .selectAll()
      .where('course_id', '=', courseId)
      .where('hash', '=', hash)
      .executeTakeFirst()) ?? null
  );
}

/** Makes a version the live one; the switch is one row update, so readers see the old or the new. */
export async function updateLiveVersion(
  db: Kysely<Database>,
  courseId: number,
  versionId: number,
  title: string,
): Promise<void> {
  await db
    .updateTable('courses')
    .set({ live_version_id: versionId, title, updated_at: new Date().toISOString() })
    .where('id', '=', courseId)
    .execute();
}

/**
 * Returns the course at `slug`, creating it if needed (idempotent); `ownerId` creates it as that
 * teacher's private course (ADR 052). An existing course keeps its privacy and owner: callers check them.
 */
export async function ensureCourse(
  db: Kysely<Database>,
  slug: string,
  title: string,
  source: string,
  ownerId?: number,
): Promise<Course> {
  const now = new Date().toISOString();
  const owner = ownerId === undefined ? {} : { private: 1, owner_id: ownerId };
  await db
    .insertInto('courses')
    .values({ slug, title, source, live_version_id: null, created_at: now, updated_at: now, ...owner })
    .onConflict((oc) => oc.column('slug').doUpdateSet({ source, updated_at: now }))
    .execute();
  return db.selectFrom('courses').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
}

/** The version tagged `tag` of the course at `slug`, or null. */
export async function selectOptionalVersionBySlugAndTag(
  db: Kysely<Database>,
  slug: string,
  tag: string,
): Promise<CourseVersion | null> {
  return (
    (await db
      .selectFrom('course_versions')
      .innerJoin('courses', 'courses.id', 'course_versions.course_id')
      .selectAll('course_versions')
      .where('courses.slug', '=', slug)
      .where('course_versions.tag', '=', tag)
      .executeTakeFirst()) ?? null
  );
}

/** Every catalogue course (with or without a live version; teachers' private ones left out), by slug. */
export async function selectAllCourses(db: Kysely<Database>): Promise<Course[]> {
  return db.selectFrom('courses').selectAll().where('private', '=', 0).orderBy('slug').execute();
}

/** A version by id, or null. */
export async function selectOptionalVersionById(db: Kysely<Database>, id: number): Promise<CourseVersion | null> {
  return (await db.selectFrom('course_versions').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Whether a course lets learners post on its forum anonymously to other learners. */
export async function selectForumAnonymousAllowed(db: Kysely<Database>, courseId: number): Promise<boolean> {
  const row = await db.selectFrom('courses').select('forum_anonymous').where('id', '=', courseId).executeTakeFirst();
  return row?.forum_anonymous === 1;
}

/** Sets a course's forum anonymity setting (staff). */
export async function updateForumAnonymous(
  db: Kysely<Database>,
  courseId: number,
  allowed: boolean,
  now: Date,
): Promise<void> {
  await db
    .updateTable('courses')
    .set({ forum_anonymous: allowed ? 1 : 0, updated_at: now.toISOString() })
    .where('id', '=', courseId)
    .execute();
}
