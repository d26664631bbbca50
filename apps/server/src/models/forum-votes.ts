import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** Stores one user's vote for a post; says whether it is new (a second vote is no vote). */
export async function insertVote(db: Kysely<Database>, postId: number, userId: number, now: Date): Promise<boolean> {
  const rows = await db
    .insertInto('forum_votes')
    .values({ post_id: postId, user_id: userId, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['post_id', 'user_id']).doNothing())
    .returning('post_id')
    .execute();
  return rows.length === 1;
}

/** Removes one user's vote for a post; says whether there was one. */
export async function deleteVote(db: Kysely<Database>, postId: number, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('forum_votes')
    .where('post_id', '=', postId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Which of these posts this user voted for. */
export async function selectVotedPostIds(
  db: Kysely<Database>,
  userId: number,
  postIds: number[],
): Promise<Set<number>> {
  if (postIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('forum_votes')
    .select('post_id')
    .where('user_id', '=', userId)
    .where('post_id', 'in', postIds)
    .execute();
  return new Set(rows.map((r) => r.post_id));
}

/** Every vote of a user, with its post's course and thread (for their data export). */
export async function selectUserVotes(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('forum_votes')
    .innerJoin('forum_posts', 'forum_posts.id', 'forum_votes.post_id')
    .innerJoin('forum_threads', 'forum_threads.id', 'forum_posts.thread_id')
    .innerJoin('courses', 'courses.id', 'forum_threads.course_id')
    .select([
      'courses.slug as course',
      'forum_threads.id as thread_id',
      'forum_votes.post_id',
      'forum_votes.created_at',
    ])
    .where('forum_votes.user_id', '=', userId)
    .orderBy('forum_votes.created_at')
    .orderBy('forum_votes.post_id')
    .execute();
}
