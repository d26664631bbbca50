import { sql, type Kysely } from 'kysely';
import type { Database, NewCourseFile } from '../db/schema.ts';

/** A public course file of a version, with its bytes. */
export interface ServedFile {
  blob_hash: string;
  size: number;
  content_type: string;
  data: Buffer;
}

/**
 * The public file at `path` in the version tagged `tag` of course `slug`, or null. Private files
 * (quizzes, exercise modules) are never returned: to a visitor they do not exist.
 */
export async function selectOptionalPublicFile(
  db: Kysely<Database>,
  slug: string,
  tag: string,
  path: string,
): Promise<ServedFile | null> {
  const row = await db
    .selectFrom('course_files')
    .innerJoin('course_versions', 'course_versions.id', 'course_files.version_id')
    .innerJoin('courses', 'courses.id', 'course_versions.course_id')
    .innerJoin('blobs', 'blobs.hash', 'course_files.blob_hash')
    .select(['course_files.blob_hash', 'course_files.size', 'course_files.content_type', 'blobs.data'])
    .where('courses.slug', '=', slug)
    .where('course_versions.tag', '=', tag)
    .where('course_files.path', '=', path)
    .where('course_files.public', '=', 1)
    .executeTakeFirst();
  return row ?? null;
}

/** Stores blobs that are not stored yet (content-addressed: versions share unchanged files). */
export async function insertMissingBlobs(db: Kysely<Database>, blobs: Map<string, Uint8Array>): Promise<number> {
  const hashes = [...blobs.keys()];
  const existing = new Set<string>();
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await db
      .selectFrom('blobs')
      .select('hash')
      .where('hash', 'in', hashes.slice(i, i + 500))
      .execute();
    for (const row of rows) existing.add(row.hash);
  }
  const missing = hashes.filter((h) => !existing.has(h));
  for (const hash of missing) {
    const data = blobs.get(hash)!;
    await db
      .insertInto('blobs')
      .values({ hash, size: data.byteLength, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
  }
  return missing.length;
}

/** Records a version's files. */
export async function insertFiles(db: Kysely<Database>, files: NewCourseFile[]): Promise<void> {
  for (let i = 0; i < files.length; i += 100) {
    await db
      .insertInto('course_files')
      .values(files.slice(i, i + 100))
      .execute();
  }
}

/** The public files of a version (path and size), in path order: what a notebook's Python sees. */
export async function selectPublicFileList(
  db: Kysely<Database>,
  versionId: number,
): Promise<{ path: string; size: number }[]> {
  return db
    .selectFrom('course_files')
    .select(['path', 'size'])
    .where('version_id', '=', versionId)
    .where('public', '=', 1)
    .orderBy('path')
    .execute();
}

/** The public files of a version under a folder (`modules/`), with their bytes. */
export async function selectPublicFilesUnder(
  db: Kysely<Database>,
  versionId: number,
  folder: string,
): Promise<{ path: string; data: Buffer }[]> {
  return db
    .selectFrom('course_files')
    .innerJoin('blobs', 'blobs.hash', 'course_files.blob_hash')
    .select(['course_files.path', 'blobs.data'])
    .where('course_files.version_id', '=', versionId)
    .where('course_files.public', '=', 1)
    .where(sql<string>`substr(course_files.path, 1, ${folder.length})`, '=', folder)
    .orderBy('course_files.path')
    .execute();
}

/**
 * Every file of a version under a folder, public or not, with its bytes: server-side only (the
 * trusted runs that import a course's exercise modules).
 */
export async function selectFilesUnder(
  db: Kysely<Database>,
  versionId: number,
  folder: string,
): Promise<{ path: string; data: Buffer }[]> {
  return db
    .selectFrom('course_files')
    .innerJoin('blobs', 'blobs.hash', 'course_files.blob_hash')
    .select(['course_files.path', 'blobs.data'])
    .where('course_files.version_id', '=', versionId)
    .where(sql<string>`substr(course_files.path, 1, ${folder.length})`, '=', folder)
    .orderBy('course_files.path')
    .execute();
}

/** The bytes of the file at `path` in a version (public or not: for server-side use), or null. */
export async function selectOptionalFileData(
  db: Kysely<Database>,
  versionId: number,
  path: string,
): Promise<Buffer | null> {
  const row = await db
    .selectFrom('course_files')
    .innerJoin('blobs', 'blobs.hash', 'course_files.blob_hash')
    .select('blobs.data')
    .where('course_files.version_id', '=', versionId)
    .where('course_files.path', '=', path)
    .executeTakeFirst();
  return row?.data ?? null;
}
