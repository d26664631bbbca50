import type { Kysely } from 'kysely';
import type { Database, ForumSnapshot } from '../db/schema.ts';

export interface SnapshotCell {
  id: string;
  code: string;
  /** The outputs as the author's page rendered them, sanitised; null when not shared. */
  outputs: string | null;
}

/** A snapshot as stored (its cells as JSON). */
export type SnapshotRow = ForumSnapshot;

export async function insertSnapshot(db: Kysely<Database>, row: Omit<SnapshotRow, 'id' | 'post_id'>): Promise<number> {
  const { id } = await db.insertInto('forum_snapshots').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function selectOptionalSnapshot(
  db: Kysely<Database>,
  courseId: number,
  token: string,
): Promise<SnapshotRow | null> {
  const row = await db
    .selectFrom('forum_snapshots')
    .selectAll()
    .where('course_id', '=', courseId)
    .where('token', '=', token)
    .executeTakeFirst();
  return row ?? null;
}

/** Attaches a snapshot to a post, once: false when it is not its author's or already attached. */
export async function attachSnapshot(
  db: Kysely<Database>,
  snapshotId: number,
  userId: number,
  postId: number,
): Promise<boolean> {
  const result = await db
    .updateTable('forum_snapshots')
    .set({ post_id: postId })
    .where('id', '=', snapshotId)
    .where('user_id', '=', userId)
    .where('post_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The snapshots attached to some posts, by post id. */
export async function selectSnapshotsOfPosts(db: Kysely<Database>, postIds: number[]): Promise<SnapshotRow[]> {
  if (postIds.length === 0) return [];
  return db.selectFrom('forum_snapshots').selectAll().where('post_id', 'in', postIds).execute();
}

/** How many snapshots a learner took since `since` (the limit that keeps the table small). */
export async function countRecentSnapshots(db: Kysely<Database>, userId: number, since: string): Promise<number> {
  const row = await db
    .selectFrom('forum_snapshots')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
