import type { Kysely } from 'kysely';
import { renderPost } from '@carnet/render';
import type { Database } from '../../db/schema.ts';
import { ensureFollow } from '../../models/forum-follows.ts';
import { addTopicThreads, ensureTopics, insertPost, insertThread, selectTopics } from '../../models/forum.ts';
import { insertEnrolledNotifications, updateThreadPinnedForAnnouncement } from '../../models/notifications.ts';
import { GENERAL_TOPIC } from '../forum/rules.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { NOTIFICATIONS_SEND } from './jobs.ts';

/**
 * A staff announcement (issue 13, ADR 046): a pinned discussion in the course's `general` topic,
 * its opening post rendered by `renderPost` like any post, and a notification for every learner
 * actively enrolled in the session (or in any session of the course) — one INSERT … SELECT, so
 * 100,000 learners are never loaded — all in one transaction with the job that e-mails them
 * (everyone but those who chose "none"), 500 a job. Returns the thread and how many were told.
 */
export async function publishAnnouncement(
  db: Kysely<Database>,
  jobs: JobQueue,
  data: { courseId: number; runId: number | null; title: string; body: string; authorId: number },
  now: Date,
): Promise<{ threadId: number; notified: number }> {
  await ensureTopics(db, data.courseId, [{ key: GENERAL_TOPIC, title: '', week: null, position: 1_000_000 }], now);
  const topic = (await selectTopics(db, data.courseId)).find((t) => t.key === GENERAL_TOPIC)!;
  const html = renderPost(data.body);
  return db.transaction().execute(async (trx) => {
    const threadId = await insertThread(
      trx,
      {
        courseId: data.courseId,
        topicId: topic.id,
        route: null,
        kind: 'discussion',
        title: data.title,
        authorId: data.authorId,
        anonymous: false,
      },
      now,
    );
    await updateThreadPinnedForAnnouncement(trx, threadId);
    await addTopicThreads(trx, topic.id, 1);
    const postId = await insertPost(
      trx,
      { threadId, depth: 0, parentId: null, authorId: data.authorId, body: data.body, html, anonymous: false },
      now,
    );
    await ensureFollow(trx, threadId, data.authorId, now);
    const notified = await insertEnrolledNotifications(
      trx,
      { courseId: data.courseId, threadId, postId, runId: data.runId, exceptUserId: data.authorId },
      now,
    );
    if (notified > 0) await jobs.enqueue(NOTIFICATIONS_SEND, {}, { db: trx, fairKey: NOTIFICATIONS_SEND });
    return { threadId, notified };
  });
}
