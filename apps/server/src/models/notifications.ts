import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database, NotificationEmailMode, NotificationKind, NotificationMail } from '../db/schema.ts';

/**
 * Forum notifications (ADR 046): who is told of what, their e-mail preferences per course, the
 * keys of e-mails and scheduled runs claimed once. Recipients are always chosen by one
 * INSERT … SELECT, never loaded: a thread followed by 100,000 learners is one statement.
 */

/** The e-mail mode of a learner and course when they never chose one. */
export const DEFAULT_EMAIL_MODE: NotificationEmailMode = 'daily';

/** What a new notification's e-mail is, from the recipient's preference (`p.email`) at that moment. */
function mailState(kind: NotificationKind) {
  // Announcements go out at once to everyone but "none"; the rest as each learner chose.
  return kind === 'announcement'
    ? sql<NotificationMail>`case coalesce(p.email, ${DEFAULT_EMAIL_MODE}) when 'none' then 'skipped' else 'queued' end`
    : sql<NotificationMail>`case coalesce(p.email, ${DEFAULT_EMAIL_MODE}) when 'immediate' then 'queued' when 'none' then 'skipped' else 'digest' end`;
}

/** The event a notification is about. */
export interface NotificationEvent {
  courseId: number;
  threadId: number;
  postId: number;
}

/**
 * Notifies every follower of a thread (`following = 1`) but `exceptUserId` (the post's author) of
 * a new post: `answer` for the asker of a question when the post is a reply, else `kind`.
 * Returns how many were notified.
 */
export async function insertFollowerNotifications(
  db: Kysely<Database>,
  event: NotificationEvent & { kind: 'reply' | 'comment'; exceptUserId: number; askerId: number | null },
  now: Date,
): Promise<number> {
  const kind =
    event.kind === 'reply' && event.askerId !== null
      ? sql<NotificationKind>`case when f.user_id = ${event.askerId} then 'answer' else 'reply' end`
      : sql<NotificationKind>`${event.kind}`;
  const select = db
    .selectFrom('forum_follows as f')
    .leftJoin('notification_preferences as p', (join) =>
      join.onRef('p.user_id', '=', 'f.user_id').on('p.course_id', '=', event.courseId),
    )
    .select((eb) => [
      'f.user_id',
      eb.val(event.courseId).as('course_id'),
      kind.as('kind'),
      eb.val(event.threadId).as('thread_id'),
      eb.val(event.postId).as('post_id'),
      eb.val(now.toISOString()).as('created_at'),
      mailState('reply').as('mail'),
    ])
    .where('f.thread_id', '=', event.threadId)
    .where('f.following', '=', 1)
    .where('f.user_id', '<>', event.exceptUserId);
  return insertSelected(db, select);
}

/** Notifies these users (ids already checked) of one event of one kind. */
export async function insertUserNotifications(
  db: Kysely<Database>,
  event: NotificationEvent & { kind: NotificationKind; userIds: number[] },
  now: Date,
): Promise<number> {
  if (event.userIds.length === 0) return 0;
  const select = db
    .selectFrom('users as u')
    .leftJoin('notification_preferences as p', (join) =>
      join.onRef('p.user_id', '=', 'u.id').on('p.course_id', '=', event.courseId),
    )
    .select((eb) => [
      'u.id as user_id',
      eb.val(event.courseId).as('course_id'),
      sql<NotificationKind>`${event.kind}`.as('kind'),
      eb.val(event.threadId).as('thread_id'),
      eb.val(event.postId).as('post_id'),
      eb.val(now.toISOString()).as('created_at'),
      mailState(event.kind).as('mail'),
    ])
    .where('u.id', 'in', event.userIds);
  return insertSelected(db, select);
}

/**
 * Notifies every learner actively enrolled in a session (`runId`), or in any session of the
 * course (null), but `exceptUserId`, of an announcement. Returns how many were notified.
 */
export async function insertEnrolledNotifications(
  db: Kysely<Database>,
  event: NotificationEvent & { runId: number | null; exceptUserId: number },
  now: Date,
): Promise<number> {
  let learners = db
    .selectFrom('enrolments')
    .select('enrolments.user_id')
    .where('enrolments.course_id', '=', event.courseId)
    .where('enrolments.status', '=', 'active')
    .where('enrolments.user_id', '<>', event.exceptUserId);
  if (event.runId !== null) learners = learners.where('enrolments.run_id', '=', event.runId);
  const select = db
    .selectFrom('users as u')
    .leftJoin('notification_preferences as p', (join) =>
      join.onRef('p.user_id', '=', 'u.id').on('p.course_id', '=', event.courseId),
    )
    .select((eb) => [
      'u.id as user_id',
      eb.val(event.courseId).as('course_id'),
      sql<NotificationKind>`'announcement'`.as('kind'),
      eb.val(event.threadId).as('thread_id'),
      eb.val(event.postId).as('post_id'),
      eb.val(now.toISOString()).as('created_at'),
      mailState('announcement').as('mail'),
    ])
    .where('u.id', 'in', learners);
  return insertSelected(db, select);
}

async function insertSelected(
  db: Kysely<Database>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  select: Expression<any>,
): Promise<number> {
  const result = await db
    .insertInto('notifications')
    .columns(['user_id', 'course_id', 'kind', 'thread_id', 'post_id', 'created_at', 'mail'])
    .expression(select)
    .onConflict((oc) => oc.columns(['user_id', 'post_id', 'kind']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** A notification as the list and e-mails show it: its thread, post and post author (through `readerView`). */
export interface NotificationRow {
  id: number;
  user_id: number;
  kind: NotificationKind;
  created_at: string;
  read_at: string | null;
  course_id: number;
  course_slug: string;
  course_title: string;
  thread_id: number;
  thread_title: string;
  post_id: number;
  /** The post's author, to be passed through `readerView` before anyone sees it. */
  author_id: number | null;
  author_name: string | null;
  anonymous: number;
  /** The post's markdown (e-mails quote the start of it as text). */
  body: string;
}

/** Notifications with what they show, of threads and posts neither hidden nor deleted. */
function visibleNotifications(db: Kysely<Database>) {
  return db
    .selectFrom('notifications as n')
    .innerJoin('forum_threads as t', 't.id', 'n.thread_id')
    .innerJoin('forum_posts as fp', 'fp.id', 'n.post_id')
    .innerJoin('courses as c', 'c.id', 'n.course_id')
    .leftJoin('users as a', 'a.id', 'fp.author_id')
    .select([
      'n.id',
      'n.user_id',
      'n.kind',
      'n.created_at',
      'n.read_at',
      'n.course_id',
      'c.slug as course_slug',
      'c.title as course_title',
      'n.thread_id',
      't.title as thread_title',
      'n.post_id',
      'fp.author_id',
      'a.display_name as author_name',
      'fp.anonymous',
      'fp.body',
    ])
    .where('t.hidden', '=', 0)
    .where('t.deleted', '=', 0)
    .where('fp.hidden', '=', 0)
    .where('fp.deleted', '=', 0);
}

/** One page of a user's visible notifications, newest first; `limit + 1` rows tell whether more follow. */
export async function selectNotificationPage(
  db: Kysely<Database>,
  userId: number,
  page: { limit: number; offset: number },
): Promise<NotificationRow[]> {
  return visibleNotifications(db)
    .where('n.user_id', '=', userId)
    .orderBy('n.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** How many visible notifications of a user are unread, counted up to `cap` (the header says "99+"). */
export async function countUnreadNotifications(db: Kysely<Database>, userId: number, cap: number): Promise<number> {
  const row = await db
    .selectFrom(
      visibleNotifications(db).where('n.user_id', '=', userId).where('n.read_at', 'is', null).limit(cap).as('unread'),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one of a user's notifications read; false when they have none with that id (someone else's). */
export async function updateNotificationRead(
  db: Kysely<Database>,
  userId: number,
  id: number,
  now: Date,
): Promise<boolean> {
  const mine = await db
    .selectFrom('notifications')
    .select('id')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!mine) return false;
  await db
    .updateTable('notifications')
    .set({ read_at: now.toISOString() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  return true;
}

/** Marks every unread notification of a user read. */
export async function updateAllNotificationsRead(db: Kysely<Database>, userId: number, now: Date): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ read_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
}

/** The courses a user may set e-mails for: active enrolments, notifications received, choices made. */
export async function selectNotificationCourses(
  db: Kysely<Database>,
  userId: number,
): Promise<{ id: number; slug: string; title: string; email: NotificationEmailMode }[]> {
  const rows = await db
    .selectFrom('courses as c')
    .leftJoin('notification_preferences as p', (join) =>
      join.onRef('p.course_id', '=', 'c.id').on('p.user_id', '=', userId),
    )
    .select(['c.id', 'c.slug', 'c.title', 'p.email'])
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('enrolments as e')
            .select('e.id')
            .whereRef('e.course_id', '=', 'c.id')
            .where('e.user_id', '=', userId)
            .where('e.status', '=', 'active'),
        ),
        eb.exists(
          eb
            .selectFrom('notifications as n')
            .select('n.id')
            .whereRef('n.course_id', '=', 'c.id')
            .where('n.user_id', '=', userId),
        ),
        eb('p.user_id', 'is not', null),
      ]),
    )
    .orderBy('c.title')
    .orderBy('c.id')
    .execute();
  return rows.map((r) => ({ id: r.id, slug: r.slug, title: r.title, email: r.email ?? DEFAULT_EMAIL_MODE }));
}

/** A user's e-mail mode for a course (their choice, else the default). */
export async function selectEmailMode(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
): Promise<NotificationEmailMode> {
  const row = await db
    .selectFrom('notification_preferences')
    .select('email')
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .executeTakeFirst();
  return row?.email ?? DEFAULT_EMAIL_MODE;
}

/**
 * Sets a user's e-mail mode for a course. What is waiting for an e-mail follows the new choice:
 * "none" skips it, "immediate" queues it, a digest mode leaves it for the digest (announcements
 * already queued stay queued unless "none").
 */
export async function upsertEmailMode(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  email: NotificationEmailMode,
  now: Date,
): Promise<void> {
  await db
    .insertInto('notification_preferences')
    .values({ user_id: userId, course_id: courseId, email, updated_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['user_id', 'course_id']).doUpdateSet({ email, updated_at: now.toISOString() }))
    .execute();
  const waiting = db.updateTable('notifications').where('user_id', '=', userId).where('course_id', '=', courseId);
  if (email === 'none') {
    await waiting.set({ mail: 'skipped' }).where('mail', 'in', ['queued', 'digest']).execute();
  } else if (email === 'immediate') {
    await waiting.set({ mail: 'queued' }).where('mail', '=', 'digest').execute();
  } else {
    await waiting.set({ mail: 'digest' }).where('mail', '=', 'queued').where('kind', '<>', 'announcement').execute();
  }
}

/** A notification waiting for its own e-mail, with what the e-mail says and whom it goes to. */
export type QueuedNotification = NotificationRow & {
  email: string;
  language: string | null;
  mail_tries: number;
};

/**
 * The next `limit` notifications queued for an e-mail, oldest first, with their recipient; those
 * of hidden or deleted posts are marked skipped first (nothing to tell any more).
 */
export async function selectQueuedNotifications(db: Kysely<Database>, limit: number): Promise<QueuedNotification[]> {
  await db
    .updateTable('notifications')
    .set({ mail: 'skipped' })
    .where('mail', '=', 'queued')
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('forum_posts as fp')
            .select('fp.id')
            .whereRef('fp.id', '=', 'notifications.post_id')
            .where((x) => x.or([x('fp.hidden', '<>', 0), x('fp.deleted', '<>', 0)])),
        ),
        eb.exists(
          eb
            .selectFrom('forum_threads as t')
            .select('t.id')
            .whereRef('t.id', '=', 'notifications.thread_id')
            .where((x) => x.or([x('t.hidden', '<>', 0), x('t.deleted', '<>', 0)])),
        ),
      ]),
    )
    .execute();
  return visibleNotifications(db)
    .innerJoin('users as r', 'r.id', 'n.user_id')
    .select(['r.email', 'r.language', 'n.mail_tries'])
    .where('n.mail', '=', 'queued')
    .orderBy('n.id')
    .limit(limit)
    .execute();
}

/** Sets the e-mail state of these notifications. */
export async function updateNotificationsMail(
  db: Kysely<Database>,
  ids: number[],
  mail: NotificationMail,
): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .updateTable('notifications')
      .set({ mail })
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
  }
}

/** One more failed delivery of these notifications' e-mails; `failed` once they reach `maxTries`. */
export async function updateNotificationsMailFailed(
  db: Kysely<Database>,
  ids: number[],
  maxTries: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notifications')
    .set((eb) => ({
      mail_tries: eb('mail_tries', '+', 1),
      mail: eb
        .case()
        .when('mail_tries', '>=', maxTries - 1)
        .then(sql<NotificationMail>`'failed'`)
        .else(eb.ref('mail'))
        .end(),
    }))
    .where('id', 'in', ids)
    .execute();
}

/**
 * Claims e-mail keys (one INSERT … ON CONFLICT DO NOTHING): returns those this call inserted,
 * the only ones it may send. A key claimed by another worker, or by an earlier run, is not returned.
 */
export async function claimEmailKeys(
  db: Kysely<Database>,
  claims: { key: string; userId: number }[],
  now: Date,
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const rows = await db
    .insertInto('notification_emails')
    .values(claims.map((c) => ({ key: c.key, user_id: c.userId, claimed_at: now.toISOString() })))
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  return new Set(rows.map((r) => r.key));
}

/** Gives a claimed key back (its e-mail failed: a retry may send it). */
export async function releaseEmailKeys(db: Kysely<Database>, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('notification_emails').where('key', 'in', keys).where('sent_at', 'is', null).execute();
}

/** Records that these claimed e-mails were handed to the mail server. */
export async function updateEmailsSent(db: Kysely<Database>, keys: string[], now: Date): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    await db
      .updateTable('notification_emails')
      .set({ sent_at: now.toISOString() })
      .where('key', 'in', keys.slice(i, i + 500))
      .execute();
  }
}

/** Claims a run's key (a digest period, a digest's next page): true for the one caller that inserted it. */
export async function claimRunKey(db: Kysely<Database>, key: string, now: Date): Promise<boolean> {
  const rows = await db
    .insertInto('notification_runs')
    .values({ key, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  return rows.length === 1;
}

/** Whether any notification waits for its own e-mail. */
export async function hasQueuedNotifications(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('notifications')
    .select('id')
    .where('mail', '=', 'queued')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Which notifications a digest covers: one course's, created in [from, to), unread, left for a digest. */
export interface DigestWindow {
  courseId: number;
  frequency: 'daily' | 'weekly';
  from: string;
  to: string;
}

/**
 * The next `limit` recipients of a digest after `afterUserId`, in user order: those with
 * notifications in the window whose current mode for the course is the digest's frequency.
 */
export async function selectDigestRecipients(
  db: Kysely<Database>,
  w: DigestWindow,
  afterUserId: number,
  limit: number,
): Promise<{ user_id: number; email: string; language: string | null }[]> {
  const recipients = db
    .selectFrom('notifications as n')
    .leftJoin('notification_preferences as p', (join) =>
      join.onRef('p.user_id', '=', 'n.user_id').onRef('p.course_id', '=', 'n.course_id'),
    )
    .select('n.user_id')
    .where('n.course_id', '=', w.courseId)
    .where('n.mail', '=', 'digest')
    .where('n.user_id', '>', afterUserId)
    .where('n.created_at', '>=', w.from)
    .where('n.created_at', '<', w.to)
    .where('n.read_at', 'is', null)
    .where(sql<SqlBool>`coalesce(p.email, ${DEFAULT_EMAIL_MODE}) = ${w.frequency}`)
    .groupBy('n.user_id')
    .orderBy('n.user_id')
    .limit(limit)
    .as('r');
  return db
    .selectFrom(recipients)
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.user_id', 'u.email', 'u.language'])
    .orderBy('r.user_id')
    .execute();
}

/** A digest line: a visible notification, with how many in all its recipient has in the window. */
export type DigestItem = NotificationRow & { rank: number; total: number };

/** Up to `perUser` newest visible notifications of each of these users in the window, with their totals. */
export async function selectDigestItems(
  db: Kysely<Database>,
  w: DigestWindow,
  userIds: number[],
  perUser: number,
): Promise<DigestItem[]> {
  if (userIds.length === 0) return [];
  const ranked = visibleNotifications(db)
    .select([
      sql<number>`row_number() over (partition by n.user_id order by n.id desc)`.as('rank'),
      sql<number>`count(*) over (partition by n.user_id)`.as('total'),
    ])
    .where('n.course_id', '=', w.courseId)
    .where('n.mail', '=', 'digest')
    .where('n.user_id', 'in', userIds)
    .where('n.created_at', '>=', w.from)
    .where('n.created_at', '<', w.to)
    .where('n.read_at', 'is', null)
    .as('ranked');
  const rows = await db
    .selectFrom(ranked)
    .selectAll()
    .where('ranked.rank', '<=', perUser)
    .orderBy('ranked.user_id')
    .orderBy('ranked.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, rank: Number(r.rank), total: Number(r.total) }));
}

/** Marks what a digest covered for these users sent (a later digest of another frequency skips it). */
export async function updateDigestSent(db: Kysely<Database>, w: DigestWindow, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .updateTable('notifications')
    .set({ mail: 'sent' })
    .where('course_id', '=', w.courseId)
    .where('mail', '=', 'digest')
    .where('user_id', 'in', userIds)
    .where('created_at', '>=', w.from)
    .where('created_at', '<', w.to)
    .execute();
}

/** A server secret by name, made by `make` on first use (the first writer's value wins everywhere). */
export async function ensureServerSecret(
  db: Kysely<Database>,
  name: string,
  make: () => string,
  now: Date,
): Promise<string> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: make(), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

/** The course and thread of a post by id (any post: the caller checks what may be seen), or null. */
export async function selectOptionalPostPlace(
  db: Kysely<Database>,
  postId: number,
): Promise<{ course_id: number; thread_id: number } | null> {
  const row = await db
    .selectFrom('forum_posts')
    .innerJoin('forum_threads', 'forum_threads.id', 'forum_posts.thread_id')
    .select(['forum_threads.course_id', 'forum_threads.id as thread_id'])
    .where('forum_posts.id', '=', postId)
    .executeTakeFirst();
  return row ?? null;
}

/** Pins a thread (a staff announcement, in the transaction that creates it). */
export async function updateThreadPinnedForAnnouncement(db: Kysely<Database>, threadId: number): Promise<void> {
  await db.updateTable('forum_threads').set({ pinned: 1 }).where('id', '=', threadId).execute();
}
