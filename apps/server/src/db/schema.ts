import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The database as Kysely sees it. Portable types only: integers, text (timestamps are ISO-8601 UTC
 * strings, JSON is text), and bytes. The same queries run on SQLite and PostgreSQL.
 */
export interface Database {
  courses: CoursesTable;
  course_versions: CourseVersionsTable;
  course_items: CourseItemsTable;
  quiz_keys: QuizKeysTable;
  blobs: BlobsTable;
  course_files: CourseFilesTable;
}

export interface CoursesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  /** Null until the first successful import. */
  live_version_id: number | null;
  /** Folder or git URL it was last imported from. */
  source: string | null;
  created_at: string;
  updated_at: string;
}

export interface CourseVersionsTable {
  id: Generated<number>;
  course_id: number;
  /** SHA-256 of the course files and the renderer version: the version's identity. */
  hash: string;
  /** First 16 hex digits of the hash, used in file URLs. */
  tag: string;
  title: string;
  description: string | null;
  language: string;
  /** JSON: tracks, weeks, sequence titles, metadata (see lib/import/structure.ts). */
  structure: string;
  /** JSON: the import summary (counts, warnings). */
  summary: string;
  renderer: string;
  created_at: string;
}

export interface CourseItemsTable {
  version_id: number;
  route: string;
  path: string;
  type: 'notebook' | 'quiz';
  kind: string;
  position: number;
  week: number | null;
  sequence: string | null;
  title: string;
  menu_title: string;
  /** Sanitised HTML with UI-string markers. */
  html: string;
  /** JSON: the page outline [{level, text, id}]. */
  headings: string;
  /** JSON: exercises used, code cells (id, tags). */
  meta: string;
}

/** Quiz answers and explanations: read by grading only, never by a page. */
export interface QuizKeysTable {
  version_id: number;
  route: string;
  /** JSON: the full quiz model. */
  quiz: string;
}

export interface BlobsTable {
  hash: string;
  size: number;
  data: ColumnType<Buffer, Buffer, never>;
}

export interface CourseFilesTable {
  version_id: number;
  path: string;
  blob_hash: string;
  size: number;
  content_type: string;
  /** 0 for quizzes and exercise modules: they hold answers and are never served. */
  public: number;
}

export type Course = Selectable<CoursesTable>;
export type CourseVersion = Selectable<CourseVersionsTable>;
export type CourseItemRow = Selectable<CourseItemsTable>;
export type NewCourseItem = Insertable<CourseItemsTable>;
export type NewCourseFile = Insertable<CourseFilesTable>;
