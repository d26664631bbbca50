import type { Kysely } from 'kysely';
import type { Database, NewCourseMedia } from '../db/schema.ts';

/** A version's video as served: its bytes are the file named by its hash (lib/media.ts). */
export interface ServedMedia {
  sha256: string;
  size: number;
  content_type: string;
}

/** Records a version's videos (in the import's transaction, after their files are stored). */
export async function insertCourseMedia(db: Kysely<Database>, rows: NewCourseMedia[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insertInto('course_media')
      .values(rows.slice(i, i + 100))
      .execute();
  }
}

/** The video at `path` in the version tagged `tag` of course `slug`, or null. Videos are public. */
export async function selectOptionalMedia(
  db: Kysely<Database>,
  slug: string,
  tag: string,
  path: string,
): Promise<ServedMedia | null> {
  const row = await db
    .selectFrom('course_media')
    .innerJoin('course_versions', 'course_versions.id', 'course_media.version_id')
    .innerJoin('courses', 'courses.id', 'course_versions.course_id')
    .select(['course_media.sha256', 'course_media.size', 'course_media.content_type'])
    .where('courses.slug', '=', slug)
    .where('course_versions.tag', '=', tag)
    .where('course_media.path', '=', path)
    .executeTakeFirst();
  return row ? { ...row, size: Number(row.size) } : null;
}
