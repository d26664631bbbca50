import { randomBytes } from 'node:crypto';
import { sanitize } from '@carnet/render';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { HttpError } from '../../http/errors.ts';
import {
  countRecentSnapshots,
  insertSnapshot,
  selectOptionalSnapshot,
  type SnapshotCell,
  type SnapshotRow,
} from '../../models/forum-snapshots.ts';

/** A snapshot's limits: a notebook's cells, each as large as a saved cell, outputs capped. */
export const SNAPSHOT_LIMITS = {
  cells: 300,
  codeBytes: 256 * 1024,
  outputBytes: 512 * 1024,
  totalBytes: 4 * 1024 * 1024,
  perHour: 30,
};

/**
 * Takes a snapshot of a learner's notebook (issue 13, "share my notebook"): the cells named by the
 * page (each must be a code cell of the item), their code, and — if asked — their outputs as the
 * learner's page rendered them. Outputs come from the browser: they go through the course
 * content's allow-list (no script, no handler, data: URLs for pictures only) before they are kept.
 * Immutable once taken: nothing updates a snapshot's cells.
 */
export async function takeSnapshot(
  db: Kysely<Database>,
  input: {
    userId: number;
    courseId: number;
    versionId: number;
    route: string;
    codeCells: ReadonlyMap<string, string>;
    cells: { id: string; code: string; outputs?: string | null | undefined }[];
    withOutputs: boolean;
    now: Date;
  },
): Promise<SnapshotRow> {
  if (input.cells.length === 0 || input.cells.length > SNAPSHOT_LIMITS.cells)
    throw new HttpError('BAD_REQUEST', 'cells');
  let total = 0;
  const cells: SnapshotCell[] = input.cells.map((cell) => {
    if (!input.codeCells.has(cell.id)) throw new HttpError('CELL_NOT_FOUND');
    const codeBytes = Buffer.byteLength(cell.code, 'utf8');
    if (codeBytes > SNAPSHOT_LIMITS.codeBytes) throw new HttpError('CELL_TOO_LARGE');
    let outputs: string | null = null;
    if (input.withOutputs && cell.outputs) {
      if (Buffer.byteLength(cell.outputs, 'utf8') > SNAPSHOT_LIMITS.outputBytes) throw new HttpError('CELL_TOO_LARGE');
      outputs = sanitize(cell.outputs, () => null);
    }
    total += codeBytes + Buffer.byteLength(outputs ?? '', 'utf8');
    return { id: cell.id, code: cell.code, outputs };
  });
  if (total > SNAPSHOT_LIMITS.totalBytes)
    throw new HttpError('PAYLOAD_TOO_LARGE', String(SNAPSHOT_LIMITS.totalBytes / 1024));
  const hourAgo = new Date(input.now.getTime() - 3600_000).toISOString();
  if ((await countRecentSnapshots(db, input.userId, hourAgo)) >= SNAPSHOT_LIMITS.perHour) {
    throw new HttpError('TOO_MANY_REQUESTS');
  }
  const row = {
    token: randomBytes(12).toString('base64url'),
    course_id: input.courseId,
    route: input.route,
    version_id: input.versionId,
    user_id: input.userId,
    cells: JSON.stringify(cells),
    with_outputs: input.withOutputs ? 1 : 0,
    created_at: input.now.toISOString(),
  };
  const id = await insertSnapshot(db, row);
  return { ...row, id, post_id: null };
}

/**
 * A snapshot as `viewerId` may see it, or null: its author always; everyone else once it is
 * attached to a post that is not deleted, in a thread that is not deleted.
 */
export async function visibleSnapshot(
  db: Kysely<Database>,
  courseId: number,
  token: string,
  viewerId: number | null,
): Promise<SnapshotRow | null> {
  if (!/^[A-Za-z0-9_-]{16}$/.test(token)) return null;
  const row = await selectOptionalSnapshot(db, courseId, token);
  if (!row) return null;
  if (viewerId !== null && row.user_id === viewerId) return row;
  if (row.post_id === null) return null;
  const post = await db
    .selectFrom('forum_posts')
    .innerJoin('forum_threads', 'forum_threads.id', 'forum_posts.thread_id')
    .select('forum_posts.id')
    .where('forum_posts.id', '=', row.post_id)
    .where('forum_posts.deleted', '=', 0)
    .where('forum_threads.deleted', '=', 0)
    .where('forum_threads.course_id', '=', courseId)
    .executeTakeFirst();
  return post ? row : null;
}

export function snapshotCells(row: SnapshotRow): SnapshotCell[] {
  return JSON.parse(row.cells) as SnapshotCell[];
}
