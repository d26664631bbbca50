import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A teacher's own notebook: a private course (ADR 052) and the one notebook of its live version. */
export interface TeacherNotebookEntry {
  /** The notebook's id: its private course's id. */
  notebookId: number;
  courseId: number;
  slug: string;
  /** The live version (the last upload); activities pin the one they were given. */
  versionId: number;
  route: string;
  title: string;
  /** Where the last upload came from (`upload: <file name>`). */
  source: string | null;
  updatedAt: string;
  /** How many uploads made a version. */
  versions: number;
}

function notebooksOf(db: Kysely<Database>, teacherId: number) {
  return db
    .selectFrom('courses')
    .innerJoin('course_versions as v', 'v.id', 'courses.live_version_id')
    .innerJoin('course_items as i', (j) => j.onRef('i.version_id', '=', 'v.id').on('i.type', '=', 'notebook'))
    .select([
      'courses.id as notebookId',
      'courses.id as courseId',
      'courses.slug',
      'v.id as versionId',
      'i.route',
      'i.title',
      'courses.source',
      'courses.updated_at as updatedAt',
    ])
    .select((eb) =>
      eb
        .selectFrom('course_versions as all_v')
        .whereRef('all_v.course_id', '=', 'courses.id')
        .select(sql<number>`count(*)`.as('n'))
        .as('versions'),
    )
    .where('courses.private', '=', 1)
    .where('courses.owner_id', '=', teacherId);
}

/** A teacher's notebooks, last uploaded first (the activity form's picker, /teach/notebooks). */
export async function selectTeacherNotebooks(db: Kysely<Database>, teacherId: number): Promise<TeacherNotebookEntry[]> {
  const rows = await notebooksOf(db, teacherId)
    .orderBy('courses.updated_at', 'desc')
    .orderBy('courses.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, versions: Number(r.versions) }));
}

/** The teacher's notebook with this id, or null when there is none or it is someone else's. */
export async function selectOptionalTeacherNotebook(
  db: Kysely<Database>,
  teacherId: number,
  notebookId: number,
): Promise<TeacherNotebookEntry | null> {
  const row = await notebooksOf(db, teacherId).where('courses.id', '=', notebookId).executeTakeFirst();
  return row ? { ...row, versions: Number(row.versions) } : null;
}

/** The slug of a teacher's private course (with or without a version yet), or null. */
export async function selectOptionalOwnedCourseSlug(
  db: Kysely<Database>,
  teacherId: number,
  courseId: number,
): Promise<string | null> {
  const row = await db
    .selectFrom('courses')
    .select('slug')
    .where('id', '=', courseId)
    .where('private', '=', 1)
    .where('owner_id', '=', teacherId)
    .executeTakeFirst();
  return row?.slug ?? null;
}

/** Whether the course at `slug` is private, and whose; null when there is no such course. */
export async function selectOptionalCoursePrivacy(
  db: Kysely<Database>,
  slug: string,
): Promise<{ courseId: number; private: boolean; ownerId: number | null } | null> {
  const row = await db
    .selectFrom('courses')
    .select(['id', 'private', 'owner_id'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row ? { courseId: row.id, private: row.private === 1, ownerId: row.owner_id } : null;
}
