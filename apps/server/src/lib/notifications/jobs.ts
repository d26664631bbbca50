import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.ts';
import { selectOptionalCourseById } from '../../models/courses.ts';
import {
  claimEmailKeys,
  claimRunKey,
  hasQueuedNotifications,
  releaseEmailKeys,
  selectDigestItems,
  selectDigestRecipients,
  selectQueuedNotifications,
  updateEmailsSent,
  updateNotificationsMail,
  updateNotificationsMailFailed,
  type DigestWindow,
} from '../../models/notifications.ts';
import type { Mailer, MailMessage } from '../auth/mailer.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { unsubscribeUrl } from '../urls.ts';
import { digestMail, notificationMail } from './mail.ts';
import { unsubscribeToken } from './unsubscribe.ts';

/**
 * Notification e-mails as background jobs (ADR 046). Two kinds, both batched (500 recipients a
 * job, the next page its own job) and retried by the queue:
 * - `notifications.send`: notifications queued for their own e-mail (immediate mode, staff
 *   announcements), oldest first;
 * - `notifications.digest`: one course's daily or weekly digest, a page of recipients in user order.
 * Never twice: every e-mail has a key (`n:<notification>`, `d:<frequency>:<period>:<course>:<user>`)
 * inserted before it is sent, in the transaction that marks its notifications sent; a key
 * another worker (or an earlier attempt) inserted is skipped; a failed delivery gives its key back.
 * A process that dies between that commit and the delivery loses those e-mails (at most once).
 */

export const NOTIFICATIONS_SEND = 'notifications.send';
export const NOTIFICATIONS_DIGEST = 'notifications.digest';
/** Recipients one job handles. */
export const MAIL_BATCH = 500;
/** Lines of a digest (the rest is counted, with a link to the list). */
export const DIGEST_LINES = 20;
/** Deliveries of one notification's e-mail tried before it is given up. */
export const MAX_MAIL_TRIES = 3;

export interface NotificationMailDeps {
  db: Kysely<Database>;
  mailer: Mailer;
  /** The site's origin for links, without a trailing slash. */
  origin: string;
  clock: () => Date;
}

const digestPayload = z.object({
  frequency: z.enum(['daily', 'weekly']),
  from: z.string(),
  to: z.string(),
  courseId: z.number().int().positive(),
  afterUserId: z.number().int().min(0),
});
export type DigestPayload = z.infer<typeof digestPayload>;

/** The course titles a batch needs, read once each. */
function courseTitles(db: Kysely<Database>) {
  const titles = new Map<number, Promise<string>>();
  return (id: number): Promise<string> => {
    let title = titles.get(id);
    if (!title) titles.set(id, (title = selectOptionalCourseById(db, id).then((c) => c?.title ?? '')));
    return title;
  };
}

/** Delivers claimed messages one by one; returns the keys delivered and those that failed. */
async function deliver(
  mailer: Mailer,
  messages: { key: string; message: MailMessage }[],
): Promise<{ sent: string[]; failed: string[]; error?: unknown }> {
  const sent: string[] = [];
  const failed: string[] = [];
  let error: unknown;
  for (const { key, message } of messages) {
    try {
      await mailer.sendNow(message);
      sent.push(key);
    } catch (e) {
      failed.push(key);
      error ??= e;
    }
  }
  return { sent, failed, error };
}

/**
 * One batch of `notifications.send`: the next `limit` queued notifications, each its e-mail once.
 * Returns what happened; `more` when the batch was full (another one follows).
 */
export async function sendQueuedBatch(
  deps: NotificationMailDeps,
  limit = MAIL_BATCH,
): Promise<{ sent: number; failed: number; more: boolean }> {
  const { db, clock } = deps;
  const rows = await selectQueuedNotifications(db, limit);
  if (rows.length === 0) return { sent: 0, failed: 0, more: false };
  const now = clock();
  const title = courseTitles(db);
  const byKey = new Map(rows.map((r) => [`n:${r.id}`, r]));
  const claimed = await db.transaction().execute(async (trx) => {
    const keys = await claimEmailKeys(
      trx,
      rows.map((r) => ({ key: `n:${r.id}`, userId: r.user_id })),
      now,
    );
    await updateNotificationsMail(
      trx,
      [...keys].map((k) => byKey.get(k)!.id),
      'sent',
    );
    return keys;
  });
  const messages = [];
  for (const key of claimed) {
    const row = byKey.get(key)!;
    messages.push({
      key,
      message: notificationMail(row, {
        to: row.email,
        language: row.language,
        origin: deps.origin,
        courseTitle: await title(row.course_id),
        unsubscribe: `${deps.origin}${unsubscribeUrl(await unsubscribeToken(db, row.user_id, row.course_id, now))}`,
      }),
    });
  }
  const result = await deliver(deps.mailer, messages);
  await updateEmailsSent(db, result.sent, clock());
  if (result.failed.length > 0) {
    await releaseEmailKeys(db, result.failed);
    const ids = result.failed.map((k) => byKey.get(k)!.id);
    await updateNotificationsMail(db, ids, 'queued');
    await updateNotificationsMailFailed(db, ids, MAX_MAIL_TRIES);
  }
  return { sent: result.sent.length, failed: result.failed.length, more: rows.length === limit };
}

/** The key of a digest e-mail. */
const digestKey = (w: DigestWindow, userId: number): string => `d:${w.frequency}:${w.from}:${w.courseId}:${userId}`;

/**
 * One page of a course's digest: the next `limit` recipients after `afterUserId`, one e-mail each
 * (once). When the page is full, the next page is queued first (once, whatever the retries: its
 * run key), so pages of a big course run on several workers at once.
 */
export async function sendDigestPage(
  deps: NotificationMailDeps & { jobs?: JobQueue },
  payload: DigestPayload,
  limit = MAIL_BATCH,
): Promise<{ sent: number; failed: number; next: number | null }> {
  const { db, clock } = deps;
  const w: DigestWindow = {
    courseId: payload.courseId,
    frequency: payload.frequency,
    from: payload.from,
    to: payload.to,
  };
  const recipients = await selectDigestRecipients(db, w, payload.afterUserId, limit);
  if (recipients.length === 0) return { sent: 0, failed: 0, next: null };
  const now = clock();
  const last = recipients.at(-1)!.user_id;
  const next = recipients.length === limit ? last : null;
  if (next !== null && deps.jobs) {
    const jobs = deps.jobs;
    await db.transaction().execute(async (trx) => {
      const key = `digest:${w.frequency}:${w.from}:${w.courseId}:after:${next}`;
      if (await claimRunKey(trx, key, now)) {
        await jobs.enqueue(NOTIFICATIONS_DIGEST, { ...payload, afterUserId: next }, { db: trx });
      }
    });
  }
  const items = await selectDigestItems(
    db,
    w,
    recipients.map((r) => r.user_id),
    DIGEST_LINES,
  );
  const byUser = new Map<number, typeof items>();
  for (const item of items) {
    const list = byUser.get(item.user_id);
    if (list) list.push(item);
    else byUser.set(item.user_id, [item]);
  }
  // Recipients whose notifications are all hidden by now get nothing (and nothing is claimed).
  const mailed = recipients.filter((r) => byUser.has(r.user_id));
  const claimed = await db.transaction().execute(async (trx) => {
    const keys = await claimEmailKeys(
      trx,
      mailed.map((r) => ({ key: digestKey(w, r.user_id), userId: r.user_id })),
      now,
    );
    const users = mailed.filter((r) => keys.has(digestKey(w, r.user_id))).map((r) => r.user_id);
    await updateDigestMail(trx, w, users, 'digest', 'sent');
    return users;
  });
  const courseTitle = await courseTitles(db)(w.courseId);
  const byId = new Map(mailed.map((r) => [r.user_id, r]));
  const messages = [];
  for (const userId of claimed) {
    const recipient = byId.get(userId)!;
    const lines = byUser.get(userId)!;
    messages.push({
      key: digestKey(w, userId),
      message: digestMail(lines, lines[0]!.total, w.frequency, {
        to: recipient.email,
        language: recipient.language,
        origin: deps.origin,
        courseTitle,
        unsubscribe: `${deps.origin}${unsubscribeUrl(await unsubscribeToken(db, userId, w.courseId, now))}`,
      }),
    });
  }
  const result = await deliver(deps.mailer, messages);
  await updateEmailsSent(db, result.sent, clock());
  if (result.failed.length > 0) {
    await releaseEmailKeys(db, result.failed);
    const users = result.failed.map((k) => Number(k.slice(k.lastIndexOf(':') + 1)));
    await updateDigestMail(db, w, users, 'sent', 'digest');
    // The queue retries the job: the page's recipients still waiting are those that failed.
    throw new Error(`${result.failed.length} digest e-mail(s) not sent: ${String(result.error)}`);
  }
  return { sent: result.sent.length, failed: 0, next };
}

/** Moves the digest notifications of these users in the window from one e-mail state to another. */
async function updateDigestMail(
  db: Kysely<Database>,
  w: DigestWindow,
  userIds: number[],
  from: 'digest' | 'sent',
  to: 'digest' | 'sent',
): Promise<void> {
  for (let i = 0; i < userIds.length; i += MAIL_BATCH) {
    await db
      .updateTable('notifications')
      .set({ mail: to })
      .where('course_id', '=', w.courseId)
      .where('mail', '=', from)
      .where('user_id', 'in', userIds.slice(i, i + MAIL_BATCH))
      .where('created_at', '>=', w.from)
      .where('created_at', '<', w.to)
      .where('kind', '<>', 'announcement')
      .execute();
  }
}

const registered = new WeakSet<JobQueue>();

/** Registers both handlers on a queue (once per queue); called by `buildApp`, like certificates. */
export function registerNotificationJobs(jobs: JobQueue, deps: NotificationMailDeps): void {
  if (registered.has(jobs)) return;
  registered.add(jobs);
  jobs.registerHandler<Record<string, never>, { sent: number; failed: number }>(
    NOTIFICATIONS_SEND,
    async () => {
      const result = await sendQueuedBatch(deps);
      if (result.more || result.failed > 0) {
        await jobs.enqueue(NOTIFICATIONS_SEND, {}, { fairKey: NOTIFICATIONS_SEND });
      }
      return { sent: result.sent, failed: result.failed };
    },
    z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  );
  jobs.registerHandler<DigestPayload, { sent: number }>(
    NOTIFICATIONS_DIGEST,
    async (payload) => ({ sent: (await sendDigestPage({ ...deps, jobs }, payload)).sent }),
    digestPayload,
  );
}

/** The last whole period of a digest before `now`: days and weeks (from Monday) in UTC. */
export function lastPeriod(frequency: 'daily' | 'weekly', now: Date): { from: string; to: string } {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const day = 86_400_000;
  if (frequency === 'daily') {
    return { from: new Date(midnight - day).toISOString(), to: new Date(midnight).toISOString() };
  }
  const monday = midnight - ((now.getUTCDay() + 6) % 7) * day;
  return { from: new Date(monday - 7 * day).toISOString(), to: new Date(monday).toISOString() };
}

/**
 * What the scheduler does at each tick: a `notifications.send` job when notifications wait and
 * none is pending; each digest period once it has ended, its first page for every course. A period
 * starts once whatever the number of processes ticking: its run key is inserted by one of them,
 * in the transaction that queues its jobs. Returns the ids of the jobs queued.
 */
export async function tickNotifications(db: Kysely<Database>, jobs: JobQueue, now: Date): Promise<number[]> {
  const queued: number[] = [];
  if ((await hasQueuedNotifications(db)) && (await jobs.pending({ kind: NOTIFICATIONS_SEND })) === 0) {
    queued.push(await jobs.enqueue(NOTIFICATIONS_SEND, {}, { fairKey: NOTIFICATIONS_SEND }));
  }
  for (const frequency of ['daily', 'weekly'] as const) {
    const period = lastPeriod(frequency, now);
    await db.transaction().execute(async (trx) => {
      if (!(await claimRunKey(trx, `digest:${frequency}:${period.from}`, now))) return;
      const courses = await trx.selectFrom('courses').select('id').orderBy('id').execute();
      for (const course of courses) {
        const payload: DigestPayload = { frequency, ...period, courseId: course.id, afterUserId: 0 };
        queued.push(await jobs.enqueue(NOTIFICATIONS_DIGEST, payload, { db: trx }));
      }
    });
  }
  return queued;
}

/** In `carnet serve`: ticks at start and every `everyMs` (default 30 s). Returns a stop function. */
export function scheduleNotifications(
  db: Kysely<Database>,
  jobs: JobQueue,
  clock: () => Date,
  options: { everyMs?: number; log?: { error(o: object, m: string): void } } = {},
): () => void {
  const run = (): void =>
    void tickNotifications(db, jobs, clock()).catch((err: unknown) => options.log?.error({ err }, 'notifications'));
  run();
  const timer = setInterval(run, options.everyMs ?? 30_000);
  timer.unref();
  return () => clearInterval(timer);
}
