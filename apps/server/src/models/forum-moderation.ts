import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database, ForumReportReason, ForumReportResolution } from '../db/schema.ts';
import { emailKey } from './users.ts';

/** Queries of the forum's moderation (issue 13): states, reports, mutes, the audit log. */

/**
 * Takes the thread's row lock until the transaction ends (PostgreSQL; a SQLite write transaction
 * already holds the database), so a recount cannot miss a post committed alongside it.
 */
export async function lockThread(db: Kysely<Database>, threadId: number): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select id from forum_threads where id = ${threadId} for update`.execute(db);
}

/**
 * Recounts what a thread shows learners — replies and comments neither deleted nor hidden, nor
 * under a hidden reply; endorsed replies shown — and clears an accepted answer no longer shown.
 * Moderation is rare and a thread has at most a few thousand posts: a recount under the thread's
 * lock is simpler to trust than deltas for every combination of hidden, deleted and nested.
 */
export async function recountThread(db: Kysely<Database>, threadId: number): Promise<void> {
  await lockThread(db, threadId);
  const row = await db
    .selectFrom('forum_posts as p')
    .leftJoin('forum_posts as parent', 'parent.id', 'p.parent_id')
    .select([
      sql<number>`count(*)`.as('replies'),
      sql<number>`coalesce(sum(case when p.depth = 1 and p.endorsed_at is not null then 1 else 0 end), 0)`.as(
        'endorsed',
      ),
    ])
    .where('p.thread_id', '=', threadId)
    .where('p.depth', '>', 0)
    .where('p.deleted', '=', 0)
    .where('p.hidden', '=', 0)
    .where((eb) => eb.or([eb('parent.id', 'is', null), eb('parent.hidden', '=', 0)]))
    .executeTakeFirstOrThrow();
  await db
    .updateTable('forum_threads')
    .set((eb) => ({
      reply_count: Number(row.replies),
      endorsed_count: Number(row.endorsed),
      accepted_post_id: eb
        .case()
        .when(
          'accepted_post_id',
          'in',
          eb
            .selectFrom('forum_posts')
            .select('id')
            .where('thread_id', '=', threadId)
            .where((w) => w.or([w('hidden', '=', 1), w('deleted', '=', 1)])),
        )
        .then(null)
        .else(eb.ref('accepted_post_id'))
        .end(),
    }))
    .where('id', '=', threadId)
    .execute();
}

/** Sets a post's hidden flag; says whether it changed. */
export async function updatePostHidden(db: Kysely<Database>, postId: number, hidden: boolean): Promise<boolean> {
  const result = await db
    .updateTable('forum_posts')
    .set({ hidden: hidden ? 1 : 0 })
    .where('id', '=', postId)
    .where('hidden', '=', hidden ? 0 : 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets one of a thread's moderation flags; says whether it changed. */
export async function updateThreadFlag(
  db: Kysely<Database>,
  threadId: number,
  flag: 'pinned' | 'locked' | 'hidden',
  on: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('forum_threads')
    .set({ [flag]: on ? 1 : 0 })
    .where('id', '=', threadId)
    .where(flag, '=', on ? 0 : 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a thread to another topic of its course. */
export async function updateThreadTopic(db: Kysely<Database>, threadId: number, topicId: number): Promise<void> {
  await db.updateTable('forum_threads').set({ topic_id: topicId }).where('id', '=', threadId).execute();
}

/** Makes a reply the opening post of `threadId`, and its comments that thread's replies. */
export async function movePostsToThread(db: Kysely<Database>, replyId: number, threadId: number): Promise<void> {
  await db
    .updateTable('forum_posts')
    .set({ thread_id: threadId, depth: 0, parent_id: null, endorsed_by: null, endorsed_at: null })
    .where('id', '=', replyId)
    .execute();
  await db
    .updateTable('forum_posts')
    .set({ thread_id: threadId, depth: 1, parent_id: null })
    .where('parent_id', '=', replyId)
    .where('depth', '=', 2)
    .execute();
}

/** Files a report; false when this reporter already reported this post. */
export async function insertReport(
  db: Kysely<Database>,
  data: { courseId: number; postId: number; reporterId: number; reason: ForumReportReason; note: string },
  now: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('forum_reports')
    .values({
      course_id: data.courseId,
      post_id: data.postId,
      reporter_id: data.reporterId,
      reason: data.reason,
      note: data.note,
      created_at: now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['post_id', 'reporter_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Closes every open report of a post; returns how many. */
export async function resolveReports(
  db: Kysely<Database>,
  postId: number,
  data: { by: number; resolution: ForumReportResolution },
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('forum_reports')
    .set({ resolved_at: now.toISOString(), resolved_by: data.by, resolution: data.resolution })
    .where('post_id', '=', postId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A reported post in the queue: the post, its thread, its open reports' reasons and notes. */
export interface QueueEntry {
  post_id: number;
  thread_id: number;
  thread_title: string;
  depth: number;
  body: string;
  html: string;
  author_id: number | null;
  author_name: string | null;
  anonymous: number;
  hidden: number;
  deleted: number;
  created_at: string;
  reports: { reason: ForumReportReason; note: string; created_at: string }[];
}

/** The moderation queue: posts with open reports, most reported first, then oldest report first. */
export async function selectQueue(db: Kysely<Database>, courseId: number, limit: number): Promise<QueueEntry[]> {
  const posts = await db
    .selectFrom('forum_reports as r')
    .innerJoin('forum_posts as p', 'p.id', 'r.post_id')
    .innerJoin('forum_threads as t', 't.id', 'p.thread_id')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .select([
      'p.id as post_id',
      't.id as thread_id',
      't.title as thread_title',
      'p.depth',
      'p.body',
      'p.html',
      'p.author_id',
      'u.display_name as author_name',
      'p.anonymous',
      'p.hidden',
      'p.deleted',
      'p.created_at',
      sql<number>`count(*)`.as('n'),
      sql<string>`min(r.created_at)`.as('first'),
    ])
    .where('r.course_id', '=', courseId)
    .where('r.resolved_at', 'is', null)
    .groupBy([
      'p.id',
      't.id',
      't.title',
      'p.depth',
      'p.body',
      'p.html',
      'p.author_id',
      'u.display_name',
      'p.anonymous',
      'p.hidden',
      'p.deleted',
      'p.created_at',
    ])
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`min(r.created_at)`)
    .limit(limit)
    .execute();
  if (posts.length === 0) return [];
  const reports = await db
    .selectFrom('forum_reports')
    .select(['post_id', 'reason', 'note', 'created_at'])
    .where(
      'post_id',
      'in',
      posts.map((p) => p.post_id),
    )
    .where('resolved_at', 'is', null)
    .orderBy('id')
    .execute();
  return posts.map(({ n: _n, first: _first, ...p }) => ({
    ...p,
    reports: reports.filter((r) => r.post_id === p.post_id).map(({ post_id: _p, ...r }) => r),
  }));
}

/** How many posts of a course wait in the queue. */
export async function countQueue(db: Kysely<Database>, courseId: number): Promise<number> {
  const row = await db
    .selectFrom('forum_reports')
    .select(sql<number>`count(distinct post_id)`.as('n'))
    .where('course_id', '=', courseId)
    .where('resolved_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Hidden threads and posts of a course, newest first (moderators find them here to restore them). */
export async function selectHidden(db: Kysely<Database>, courseId: number, limit: number) {
  return db
    .selectFrom('forum_posts as p')
    .innerJoin('forum_threads as t', 't.id', 'p.thread_id')
    .select(['p.id as post_id', 't.id as thread_id', 't.title as thread_title', 'p.depth', 'p.created_at'])
    .where('t.course_id', '=', courseId)
    .where('p.hidden', '=', 1)
    .where('p.deleted', '=', 0)
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
}

/** Mutes a learner until `until` (a second mute replaces the first). */
export async function upsertMute(
  db: Kysely<Database>,
  data: { courseId: number; userId: number; until: string; reason: string; by: number },
  now: Date,
): Promise<void> {
  const values = { until: data.until, reason: data.reason, muted_by: data.by, created_at: now.toISOString() };
  await db
    .insertInto('forum_mutes')
    .values({ course_id: data.courseId, user_id: data.userId, ...values })
    .onConflict((oc) => oc.columns(['course_id', 'user_id']).doUpdateSet(values))
    .execute();
}

/** Lifts a mute; says whether there was one. */
export async function deleteMute(db: Kysely<Database>, courseId: number, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('forum_mutes')
    .where('course_id', '=', courseId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** A course's mutes not yet over, with the learner's name. */
export async function selectMutes(db: Kysely<Database>, courseId: number, now: Date) {
  return db
    .selectFrom('forum_mutes')
    .innerJoin('users', 'users.id', 'forum_mutes.user_id')
    .select(['forum_mutes.user_id', 'users.display_name', 'users.email', 'forum_mutes.until', 'forum_mutes.reason'])
    .where('forum_mutes.course_id', '=', courseId)
    .where('forum_mutes.until', '>', now.toISOString())
    .orderBy('forum_mutes.until')
    .execute();
}

/** One line of the audit log. */
export async function insertAudit(
  db: Kysely<Database>,
  data: {
    courseId: number;
    actorId: number;
    action: string;
    threadId?: number | null;
    postId?: number | null;
    targetUserId?: number | null;
    details?: Record<string, unknown>;
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('forum_audit')
    .values({
      course_id: data.courseId,
      actor_id: data.actorId,
      action: data.action,
      thread_id: data.threadId ?? null,
      post_id: data.postId ?? null,
      target_user_id: data.targetUserId ?? null,
      details: JSON.stringify(data.details ?? {}),
      created_at: now.toISOString(),
    })
    .execute();
}

/** One page of a course's audit log, newest first (`before`: an id, for the next page). */
export async function selectAudit(db: Kysely<Database>, courseId: number, limit: number, before?: number) {
  let query = db
    .selectFrom('forum_audit as a')
    .leftJoin('users as actor', 'actor.id', 'a.actor_id')
    .leftJoin('users as target', 'target.id', 'a.target_user_id')
    .select([
      'a.id',
      'a.action',
      'a.thread_id',
      'a.post_id',
      'a.details',
      'a.created_at',
      'actor.display_name as actor_name',
      'target.display_name as target_name',
    ])
    .where('a.course_id', '=', courseId);
  if (before !== undefined) query = query.where('a.id', '<', before);
  return query.orderBy('a.id', 'desc').limit(limit).execute();
}

/** A learner enrolled (now or before) in a session of the course, by e-mail address, or null. */
export async function selectEnrolledUserByEmail(
  db: Kysely<Database>,
  courseId: number,
  email: string,
): Promise<{ id: number } | null> {
  const row = await db
    .selectFrom('users')
    .select('users.id')
    .where('users.email_key', '=', emailKey(email))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('enrolments')
          .select('enrolments.id')
          .whereRef('enrolments.user_id', '=', 'users.id')
          .where('enrolments.course_id', '=', courseId),
      ),
    )
    .executeTakeFirst();
  return row ?? null;
}
