import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import {
  deleteCellVersionsUpTo,
  insertCellVersion,
  insertFirstVersion,
  selectOptionalSavedCell,
  updateIfVersion,
  type CellContent,
  type CellKey,
  type SavedCellView,
} from '../../models/saved-cells.ts';

/** Versions of a cell kept in its history, the current one included. */
export const HISTORY_VERSIONS = 51;

export type SaveResult =
  | { saved: true; version: number; updatedAt: string }
  /** The stored version is not the one the save edits: `current` is what is stored (null: nothing). */
  | { saved: false; current: SavedCellView | null };

/**
 * Saves a learner's code for a cell if `baseVersion` is the stored version (0: nothing stored
 * yet). The decision is one conditional INSERT or UPDATE — of two concurrent saves from the same
 * version exactly one wins, on both databases — and the accepted code joins the cell's history in
 * the same transaction. The promise resolves once the transaction is committed (durable: SQLite
 * runs with synchronous=FULL, PostgreSQL's COMMIT waits for its log), so a reply sent after it
 * never acknowledges a save that a crash could lose.
 */
export async function saveCell(
  db: Kysely<Database>,
  key: CellKey,
  content: CellContent,
  baseVersion: number,
  now: Date,
): Promise<SaveResult> {
  const at = now.toISOString();
  const written = await db.transaction().execute(async (trx) => {
    const row =
      baseVersion === 0
        ? await insertFirstVersion(trx, key, content, at)
        : await updateIfVersion(trx, key, content, baseVersion, at);
    if (!row) return null;
    await insertCellVersion(trx, row.id, row.version, content.code, at);
    if (row.version > HISTORY_VERSIONS) await deleteCellVersionsUpTo(trx, row.id, row.version - HISTORY_VERSIONS);
    return row;
  });
  if (written) return { saved: true, version: written.version, updatedAt: written.updated_at };
  return { saved: false, current: await selectOptionalSavedCell(db, key) };
}
