import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Makes a user follow a thread unless they already have a row for it: an automatic follow (they
 * started it, replied or commented) never overrides an explicit unfollow.
 */
export async function ensureFollow(db: Kysely<Database>, threadId: number, userId: number, now: Date): Promise<void> {
  await db
    .insertInto('forum_follows')
    .values({ thread_id: threadId, user_id: userId, following: 1, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing())
    .execute();
}

/** A user's explicit choice to follow a thread or not: the row says so whatever it said before. */
export async function upsertFollow(
  db: Kysely<Database>,
  threadId: number,
  userId: number,
  following: boolean,
  now: Date,
): Promise<void> {
  const value = following ? 1 : 0;
  await db
    .insertInto('forum_follows')
    .values({ thread_id: threadId, user_id: userId, following: value, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ following: value }))
    .execute();
}

/** Whether a user follows a thread (no row: no). */
export async function selectIsFollowing(db: Kysely<Database>, threadId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('forum_follows')
    .select('following')
    .where('thread_id', '=', threadId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.following === 1;
}

/** Every follow row of a user (unfollows too), with its thread (for their data export). */
export async function selectUserFollows(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('forum_follows')
    .innerJoin('forum_threads', 'forum_threads.id', 'forum_follows.thread_id')
    .innerJoin('courses', 'courses.id', 'forum_threads.course_id')
    .select([
      'courses.slug as course',
      'forum_follows.thread_id',
      'forum_threads.title as thread_title',
      'forum_follows.following',
      'forum_follows.created_at',
    ])
    .where('forum_follows.user_id', '=', userId)
    .orderBy('forum_follows.created_at')
    .orderBy('forum_follows.thread_id')
    .execute();
}
