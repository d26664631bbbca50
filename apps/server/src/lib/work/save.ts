import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import {
  insertFirstVersion,
  selectOptionalSavedCell,
  updateIfVersion,
  type CellContent,
  type CellKey,
  type SavedCellView,
} from '../../models/saved-cells.ts';

/** Versions of a cell kept in its history, the current one included (migration 0003's trigger). */
export const HISTORY_VERSIONS = 51;

export type SaveResult =
  | { saved: true; version: number; updatedAt: string }
  /** The stored version is not the one the save edits: `current` is what is stored (null: nothing). */
  | { saved: false; current: SavedCellView | null };

/**
 * Saves a learner's code for a cell if `baseVersion` is the stored version (0: nothing stored
 * yet). The save is one conditional INSERT or UPDATE — of two concurrent saves from the same
 * version exactly one wins, on both databases — and a trigger adds the accepted code to the
 * cell's history within that statement. The promise resolves once the statement is committed
 * (durable: SQLite runs with synchronous=FULL, PostgreSQL's commit waits for its log), so a reply
 * sent after it never acknowledges a save that a crash could lose.
 */
export async function saveCell(
  db: Kysely<Database>,
  key: CellKey,
  content: CellContent,
  baseVersion: number,
  now: Date,
): Promise<SaveResult> {
  const at = now.toISOString();
  const written =
    baseVersion === 0
      ? await insertFirstVersion(db, key, content, at)
      : await updateIfVersion(db, key, content, baseVersion, at);
  if (written) return { saved: true, version: written.version, updatedAt: written.updated_at };
  return { saved: false, current: await selectOptionalSavedCell(db, key) };
}
