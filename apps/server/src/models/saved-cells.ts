import type { Kysely } from 'kysely';
import type { Database, SavedCell } from '../db/schema.ts';

/** Which notebook of which course, for which learner: every query here is scoped by it. */
export interface NotebookKey {
  userId: number;
  courseId: number;
  route: string;
}

/** One cell of a learner's notebook. */
export interface CellKey extends NotebookKey {
  cellId: string;
}

/** What a save writes. */
export interface CellContent {
  code: string;
  original: string;
}

/** A saved cell as the API shows it. */
export type SavedCellView = Pick<SavedCell, 'cell_id' | 'code' | 'original' | 'version' | 'updated_at'>;

/** The written row's id and new version. */
export type SavedVersion = Pick<SavedCell, 'id' | 'version' | 'updated_at'>;

/** The learner's saved cells of one notebook, in cell-id order. */
export async function selectSavedCells(db: Kysely<Database>, key: NotebookKey): Promise<SavedCellView[]> {
  return db
    .selectFrom('saved_cells')
    .select(['cell_id', 'code', 'original', 'version', 'updated_at'])
    .where('user_id', '=', key.userId)
    .where('course_id', '=', key.courseId)
    .where('route', '=', key.route)
    .orderBy('cell_id')
    .execute();
}

/** One saved cell of the learner, or null when they never saved it. */
export async function selectOptionalSavedCell(db: Kysely<Database>, key: CellKey): Promise<SavedCellView | null> {
  return (
    (await db
      .selectFrom('saved_cells')
      .select(['cell_id', 'code', 'original', 'version', 'updated_at'])
      .where('user_id', '=', key.userId)
      .where('course_id', '=', key.courseId)
      .where('route', '=', key.route)
      .where('cell_id', '=', key.cellId)
      .executeTakeFirst()) ?? null
  );
}

/**
 * Creates the cell's row at version 1, only if there is none: one statement, so of two concurrent
 * first saves exactly one gets a row back. Null when the row already existed.
 */
export async function insertFirstVersion(
  db: Kysely<Database>,
  key: CellKey,
  content: CellContent,
  at: string,
): Promise<SavedVersion | null> {
  const row = await db
    .insertInto('saved_cells')
    .values({
      user_id: key.userId,
      course_id: key.courseId,
      route: key.route,
      cell_id: key.cellId,
      code: content.code,
      original: content.original,
      version: 1,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_id', 'route', 'cell_id']).doNothing())
    .returning(['id', 'version', 'updated_at'])
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Replaces the cell's code if its stored version is still `baseVersion`, and bumps the version:
 * one conditional statement, so of two concurrent saves from the same version exactly one
 * matches. Null when the version had moved on (or there is no row).
 */
export async function updateIfVersion(
  db: Kysely<Database>,
  key: CellKey,
  content: CellContent,
  baseVersion: number,
  at: string,
): Promise<SavedVersion | null> {
  const row = await db
    .updateTable('saved_cells')
    .set((eb) => ({
      code: content.code,
      original: content.original,
      version: eb('version', '+', 1),
      updated_at: at,
    }))
    .where('user_id', '=', key.userId)
    .where('course_id', '=', key.courseId)
    .where('route', '=', key.route)
    .where('cell_id', '=', key.cellId)
    .where('version', '=', baseVersion)
    .returning(['id', 'version', 'updated_at'])
    .executeTakeFirst();
  return row ?? null;
}

/** The learner's earlier versions of a cell (not the current one), newest first. */
export async function selectCellHistory(
  db: Kysely<Database>,
  key: CellKey,
): Promise<{ version: number; code: string; created_at: string }[]> {
  return db
    .selectFrom('saved_cell_versions as v')
    .innerJoin('saved_cells as c', 'c.id', 'v.saved_cell_id')
    .select(['v.version', 'v.code', 'v.created_at'])
    .where('c.user_id', '=', key.userId)
    .where('c.course_id', '=', key.courseId)
    .where('c.route', '=', key.route)
    .where('c.cell_id', '=', key.cellId)
    .whereRef('v.version', '<', 'c.version')
    .orderBy('v.version', 'desc')
    .execute();
}

/** Every saved cell of a user, with its course (for their data export). */
export async function selectUserSavedCells(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('saved_cells')
    .innerJoin('courses', 'courses.id', 'saved_cells.course_id')
    .select([
      'courses.slug as course',
      'saved_cells.route',
      'saved_cells.cell_id',
      'saved_cells.code',
      'saved_cells.original',
      'saved_cells.version',
      'saved_cells.created_at',
      'saved_cells.updated_at',
    ])
    .where('saved_cells.user_id', '=', userId)
    .orderBy('courses.slug')
    .orderBy('saved_cells.route')
    .orderBy('saved_cells.cell_id')
    .execute();
}

/** Every kept version of every saved cell of a user (for their data export). */
export async function selectUserCellVersions(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('saved_cell_versions as v')
    .innerJoin('saved_cells as c', 'c.id', 'v.saved_cell_id')
    .innerJoin('courses', 'courses.id', 'c.course_id')
    .select(['courses.slug as course', 'c.route', 'c.cell_id', 'v.version', 'v.code', 'v.created_at'])
    .where('c.user_id', '=', userId)
    .orderBy('courses.slug')
    .orderBy('c.route')
    .orderBy('c.cell_id')
    .orderBy('v.version')
    .execute();
}
