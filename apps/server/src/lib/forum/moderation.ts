import type { Kysely } from 'kysely';
import type { Database, ForumReportReason, ForumReportResolution } from '../../db/schema.ts';
import { HttpError } from '../../http/errors.ts';
import { ensureFollow } from '../../models/forum-follows.ts';
import {
  deleteMute,
  insertAudit,
  insertReport,
  lockThread,
  movePostsToThread,
  recountThread,
  resolveReports,
  updatePostHidden,
  updateThreadFlag,
  updateThreadTopic,
  upsertMute,
} from '../../models/forum-moderation.ts';
import { addTopicThreads, insertThread, type PostRow, type ThreadRow } from '../../models/forum.ts';
import type { ForumActor } from './rules.ts';

/**
 * The forum's moderation workflows (issue 13, ADR 045). Each is one transaction that changes the
 * state, keeps the counters learners see right, and writes its line in the audit log.
 */

export const REPORT_REASONS: readonly ForumReportReason[] = ['spam', 'abuse', 'off-topic', 'other'];
export const isReportReason = (value: string): value is ForumReportReason =>
  (REPORT_REASONS as readonly string[]).includes(value);
export const REPORT_NOTE_MAX = 500;
/** Learner moderators mute for a week at most; staff for up to a year. */
export const MODERATOR_MUTE_DAYS = 7;
export const STAFF_MUTE_DAYS = 365;

/** The moderator role holds the forum's keys; anything else gets the page a learner would. */
export function requireModerator(actor: ForumActor | null): ForumActor {
  if (!actor?.moderator) throw new HttpError('FORUM_FORBIDDEN');
  return actor;
}

/** A learner reports a post (not their own, not already hidden or deleted); a second report of theirs changes nothing. */
export async function reportPost(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  post: PostRow,
  data: { reason: ForumReportReason; note: string },
  now: Date,
): Promise<void> {
  if (post.author_id !== null && post.author_id === actor.userId) throw new HttpError('FORUM_OWN_POST');
  if (post.deleted || post.hidden) throw new HttpError('POST_NOT_FOUND');
  await insertReport(db, { courseId: thread.course_id, postId: post.id, reporterId: actor.userId, ...data }, now);
}

/** Hides a post, or with `hidden` false shows it again; the opening post takes its thread with it. */
export async function setPostHidden(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  post: PostRow,
  hidden: boolean,
  now: Date,
): Promise<void> {
  requireModerator(actor);
  await db.transaction().execute(async (trx) => {
    await lockThread(trx, thread.id);
    if (!(await updatePostHidden(trx, post.id, hidden))) return;
    if (post.depth === 0) {
      if ((await updateThreadFlag(trx, thread.id, 'hidden', hidden)) && !thread.deleted) {
        await addTopicThreads(trx, thread.topic_id, hidden ? -1 : 1);
      }
    } else {
      await recountThread(trx, thread.id);
    }
    if (hidden) await resolveReports(trx, post.id, { by: actor.userId, resolution: 'hidden' }, now);
    await insertAudit(
      trx,
      {
        courseId: thread.course_id,
        actorId: actor.userId,
        action: hidden ? 'hide' : 'unhide',
        threadId: thread.id,
        postId: post.id,
        targetUserId: post.author_id,
      },
      now,
    );
  });
}

/** Closes a post's reports without acting on it (or, after a deletion, as deleted). */
export async function dismissReports(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  post: PostRow,
  resolution: ForumReportResolution,
  now: Date,
): Promise<void> {
  requireModerator(actor);
  await db.transaction().execute(async (trx) => {
    const closed = await resolveReports(trx, post.id, { by: actor.userId, resolution }, now);
    if (closed > 0 && resolution === 'dismissed') {
      await insertAudit(
        trx,
        {
          courseId: thread.course_id,
          actorId: actor.userId,
          action: 'dismiss',
          threadId: thread.id,
          postId: post.id,
          details: { reports: closed },
        },
        now,
      );
    }
  });
}

/** A moderator deleted someone else's post: its reports close and the log keeps it. */
export async function recordModeratorDeletion(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  post: PostRow,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await resolveReports(trx, post.id, { by: actor.userId, resolution: 'deleted' }, now);
    await insertAudit(
      trx,
      {
        courseId: thread.course_id,
        actorId: actor.userId,
        action: 'delete',
        threadId: thread.id,
        postId: post.id,
        targetUserId: post.author_id,
      },
      now,
    );
  });
}

/** Locks or unlocks a thread (no replies, comments or votes while locked), pins or unpins it. */
export async function setThreadFlag(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  flag: 'locked' | 'pinned',
  on: boolean,
  now: Date,
): Promise<void> {
  requireModerator(actor);
  await db.transaction().execute(async (trx) => {
    if (!(await updateThreadFlag(trx, thread.id, flag, on))) return;
    const action = flag === 'locked' ? (on ? 'lock' : 'unlock') : on ? 'pin' : 'unpin';
    await insertAudit(trx, { courseId: thread.course_id, actorId: actor.userId, action, threadId: thread.id }, now);
  });
}

/** Moves a thread to another topic of its course (checked by the caller), its counts following it. */
export async function moveThread(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  topic: { id: number; key: string },
  now: Date,
): Promise<void> {
  requireModerator(actor);
  if (topic.id === thread.topic_id) return;
  await db.transaction().execute(async (trx) => {
    await lockThread(trx, thread.id);
    await updateThreadTopic(trx, thread.id, topic.id);
    if (!thread.deleted && !thread.hidden) {
      await addTopicThreads(trx, thread.topic_id, -1);
      await addTopicThreads(trx, topic.id, 1);
    }
    await insertAudit(
      trx,
      {
        courseId: thread.course_id,
        actorId: actor.userId,
        action: 'move',
        threadId: thread.id,
        details: { from: thread.topic_key, to: topic.key },
      },
      now,
    );
  });
}

/**
 * Splits a reply into its own thread: the reply becomes the new thread's opening post (a
 * discussion, in the same topic and about the same page), its comments the new thread's replies.
 * Both threads' counts are recounted; the author follows the new thread. Returns its id.
 */
export async function splitReply(
  db: Kysely<Database>,
  actor: ForumActor,
  thread: ThreadRow,
  post: PostRow,
  title: string,
  now: Date,
): Promise<number> {
  requireModerator(actor);
  if (post.depth !== 1 || post.deleted) throw new HttpError('FORUM_NOT_SPLITTABLE');
  return db.transaction().execute(async (trx) => {
    await lockThread(trx, thread.id);
    const id = await insertThread(
      trx,
      {
        courseId: thread.course_id,
        topicId: thread.topic_id,
        route: thread.route,
        kind: 'discussion',
        title,
        // The thread is the reply's author's: a deleted account leaves it authorless.
        authorId: post.author_id as number,
        anonymous: post.anonymous === 1,
      },
      new Date(post.created_at),
    );
    await movePostsToThread(trx, post.id, id);
    // The split thread's activity is its latest post's; its votes are its opening post's.
    await trx
      .updateTable('forum_threads')
      .set({ vote_count: post.vote_count, hidden: post.hidden, last_activity_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
    if (!post.hidden) await addTopicThreads(trx, thread.topic_id, 1);
    await recountThread(trx, thread.id);
    await recountThread(trx, id);
    if (post.author_id !== null) await ensureFollow(trx, id, post.author_id, now);
    await insertAudit(
      trx,
      {
        courseId: thread.course_id,
        actorId: actor.userId,
        action: 'split',
        threadId: thread.id,
        postId: post.id,
        targetUserId: post.author_id,
        details: { thread: id, title },
      },
      now,
    );
    return id;
  });
}

/**
 * Mutes a post's author in the course until `days` from now (learner moderators a week at most;
 * staff and other moderators cannot be muted). The moderator acts on the post, so an anonymous
 * author can be muted without being named to a learner moderator.
 */
export async function muteAuthor(
  db: Kysely<Database>,
  actor: ForumActor,
  data: { courseId: number; userId: number; days: number; reason: string; threadId?: number; postId?: number },
  targetIsModerator: boolean,
  now: Date,
): Promise<string> {
  requireModerator(actor);
  const max = actor.staff ? STAFF_MUTE_DAYS : MODERATOR_MUTE_DAYS;
  if (!Number.isInteger(data.days) || data.days < 1 || data.days > max) throw new HttpError('BAD_REQUEST', 'days');
  if (targetIsModerator || data.userId === actor.userId) throw new HttpError('FORUM_FORBIDDEN');
  const until = new Date(now.getTime() + data.days * 86_400_000).toISOString();
  await db.transaction().execute(async (trx) => {
    await upsertMute(
      trx,
      { courseId: data.courseId, userId: data.userId, until, reason: data.reason, by: actor.userId },
      now,
    );
    await insertAudit(
      trx,
      {
        courseId: data.courseId,
        actorId: actor.userId,
        action: 'mute',
        threadId: data.threadId ?? null,
        postId: data.postId ?? null,
        targetUserId: data.userId,
        details: { until, days: data.days, reason: data.reason },
      },
      now,
    );
  });
  return until;
}

/** Lifts a learner's mute (staff). */
export async function unmute(
  db: Kysely<Database>,
  actor: ForumActor,
  courseId: number,
  userId: number,
  now: Date,
): Promise<void> {
  if (!actor.staff) throw new HttpError('FORUM_FORBIDDEN');
  await db.transaction().execute(async (trx) => {
    if (await deleteMute(trx, courseId, userId)) {
      await insertAudit(trx, { courseId, actorId: actor.userId, action: 'unmute', targetUserId: userId }, now);
    }
  });
}
