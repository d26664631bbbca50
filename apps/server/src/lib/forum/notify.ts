import type { Kysely } from 'kysely';
import type { Database, ForumThreadKind } from '../../db/schema.ts';
import { insertFollowerNotifications, insertUserNotifications } from '../../models/notifications.ts';

/**
 * The forum's writes tell people (issue 13, ADR 046): each function here is one call made by a
 * forum workflow, in its transaction when it has one. It only inserts notification rows (one
 * statement, whatever the number of followers); e-mails are the jobs' business (lib/notifications).
 * Nobody is ever notified of their own act.
 */

/** What the hooks need of a thread. */
export interface NotifiedThread {
  id: number;
  course_id: number;
  author_id: number | null;
  kind: ForumThreadKind;
}

/**
 * A new reply (depth 1) or comment (depth 2): every follower of the thread but its author is told;
 * the asker of a question reads "answer" for a reply. An explicit unfollow silences the thread.
 */
export async function notifyNewPost(
  db: Kysely<Database>,
  thread: NotifiedThread,
  post: { id: number; depth: number; authorId: number },
  now: Date,
): Promise<void> {
  if (post.depth === 0) return;
  await insertFollowerNotifications(
    db,
    {
      courseId: thread.course_id,
      threadId: thread.id,
      postId: post.id,
      kind: post.depth === 1 ? 'reply' : 'comment',
      exceptUserId: post.authorId,
      askerId: thread.kind === 'question' ? thread.author_id : null,
    },
    now,
  );
}

/**
 * An accepted answer: its author reads "your reply was accepted", the asker (when someone else,
 * staff, accepted it) "an answer to your question was accepted". `actorId` null: unknown.
 * Once per post and person, however often it is accepted and undone.
 */
export async function notifyAccepted(
  db: Kysely<Database>,
  thread: NotifiedThread,
  post: { id: number; author_id: number | null },
  actorId: number | null,
  now: Date,
): Promise<void> {
  const event = { courseId: thread.course_id, threadId: thread.id, postId: post.id };
  const replier = post.author_id;
  if (replier !== null && replier !== actorId) {
    await insertUserNotifications(db, { ...event, kind: 'accepted', userIds: [replier] }, now);
  }
  const asker = thread.author_id;
  if (asker !== null && asker !== actorId && asker !== replier) {
    await insertUserNotifications(db, { ...event, kind: 'questionAccepted', userIds: [asker] }, now);
  }
}

/** Staff endorsed a reply: its author is told (not the endorser, should they endorse their own). */
export async function notifyEndorsed(
  db: Kysely<Database>,
  post: { id: number; thread_id: number; author_id: number | null },
  endorserId: number,
  now: Date,
): Promise<void> {
  if (post.author_id === null || post.author_id === endorserId) return;
  const thread = await db
    .selectFrom('forum_threads')
    .select('course_id')
    .where('id', '=', post.thread_id)
    .executeTakeFirstOrThrow();
  await insertUserNotifications(
    db,
    {
      courseId: thread.course_id,
      threadId: post.thread_id,
      postId: post.id,
      kind: 'endorsed',
      userIds: [post.author_id],
    },
    now,
  );
}
