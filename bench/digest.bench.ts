/**
 * A daily digest for 100,000 followers (issue 13, ADR 046): a course, a thread followed by N
 * learners (seeded in bulk SQL), one reply (the real `addPost`: its notifications are one
 * INSERT … SELECT), then the digest run as its jobs do it, page after page of 500 recipients, each
 * e-mail composed as MIME by nodemailer and dropped (no disk, no network). Reports the time and
 * the peak memory (RSS and heap, sampled) of the run, against a baseline measured in the same run:
 * a bare loop inserting the same number of rows into the e-mail keys table, 500 a statement —
 * the least a digest that records each e-mail must write.
 *
 *   npx tsx bench/digest.bench.ts [--database sqlite|postgres] [--followers 100000]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import { addPost, createThread } from '../apps/server/src/lib/forum/forum.ts';
import type { Mailer, MailMessage } from '../apps/server/src/lib/auth/mailer.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { lastPeriod, sendDigestPage } from '../apps/server/src/lib/notifications/jobs.ts';
import { selectOptionalLiveVersionBySlug } from '../apps/server/src/models/courses.ts';
import { ensureTopics, selectOptionalThread, selectTopics } from '../apps/server/src/models/forum.ts';
import { createUser } from '../apps/server/test/agent.ts';
import { createTestDb, type Dialect } from '../apps/server/test/databases.ts';
import { record } from './report.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    followers: { type: 'string', default: '100000' },
  },
});
const dialect = values.database as Dialect;
const FOLLOWERS = Number(values.followers);
const root = join(import.meta.dirname, '..');

const t = await createTestDb(dialect);
const db = t.db.kysely;
await importCourse(t.db, { source: join(root, 'demo-course'), slug: 'demo', dataDir: t.dataDir });
const live = (await selectOptionalLiveVersionBySlug(db, 'demo'))!;
const day = new Date('2026-03-10T12:00:00Z');
const at = day.toISOString();

// N learners and their follows of one thread, in bulk SQL.
let started = performance.now();
if (dialect === 'postgres') {
  await sql`insert into users (email, email_key, display_name, created_at, updated_at)
    select 'f' || i || '@example.org', 'f' || i || '@example.org', 'Follower ' || i, ${at}, ${at}
    from generate_series(1, ${FOLLOWERS}) as i`.execute(db);
} else {
  await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${FOLLOWERS})
    insert into users (email, email_key, display_name, created_at, updated_at)
    select 'f' || i || '@example.org', 'f' || i || '@example.org', 'Follower ' || i, ${at}, ${at} from n`.execute(db);
}
const asker = await createUser(t.db, 'asker@example.org', { name: 'Asker' });
const replier = await createUser(t.db, 'replier@example.org', { name: 'Replier' });
await ensureTopics(db, live.course_id, [{ key: 'general', title: '', week: null, position: 1_000_000 }], day);
const general = (await selectTopics(db, live.course_id)).find((x) => x.key === 'general')!;
const threadId = await createThread(
  db,
  {
    courseId: live.course_id,
    topicId: general.id,
    route: null,
    kind: 'question',
    title: 'Une question suivie par tout le monde',
    body: 'Pourquoi ?',
    authorId: asker.id,
  },
  day,
);
await sql`insert into forum_follows (thread_id, user_id, following, created_at)
  select ${threadId}, id, 1, ${at} from users where email like 'f%@example.org'`.execute(db);
const seedMs = performance.now() - started;

// The reply: its transaction notifies every follower.
started = performance.now();
const thread = (await selectOptionalThread(db, live.course_id, threadId))!;
await addPost(db, thread, { parentId: null, body: 'Parce que.', authorId: replier.id }, day);
const notifyMs = performance.now() - started;

/** Composes each message as the outbox would (MIME, encodings) and drops it. */
const compose = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
let composed = 0;
const mailer: Mailer = {
  description: 'bench',
  send() {},
  idle: async () => {},
  async sendNow(message: MailMessage) {
    await compose.sendMail({ from: 'carnet@example.org', ...message });
    composed++;
  },
};

/** Peak RSS and heap while `work` runs, sampled every 20 ms, above what was in use before. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; rssMb: number; heapMb: number }> {
  global.gc?.();
  const before = process.memoryUsage();
  let rss = before.rss;
  let heap = before.heapUsed;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  clearInterval(sample);
  const m = process.memoryUsage();
  rss = Math.max(rss, m.rss);
  heap = Math.max(heap, m.heapUsed);
  return { value, ms, rssMb: (rss - before.rss) / 2 ** 20, heapMb: (heap - before.heapUsed) / 2 ** 20 };
}

const period = lastPeriod('daily', new Date('2026-03-11T00:05:00Z'));
const deps = { db, mailer, origin: 'https://carnet.example.org', clock: () => new Date('2026-03-11T00:05:00Z') };
const digest = await measured(async () => {
  let after = 0;
  let sent = 0;
  let pages = 0;
  for (;;) {
    const page = await sendDigestPage(deps, {
      frequency: 'daily',
      ...period,
      courseId: live.course_id,
      afterUserId: after,
    });
    sent += page.sent;
    pages++;
    if (page.next === null) return { sent, pages };
    after = page.next;
  }
});

const baseline = await measured(async () => {
  const now = new Date().toISOString();
  const users = await db.selectFrom('users').select('id').orderBy('id').limit(digest.value.sent).execute();
  for (let i = 0; i < users.length; i += 500) {
    await db
      .insertInto('notification_emails')
      .values(users.slice(i, i + 500).map((u, j) => ({ key: `baseline:${i + j}`, user_id: u.id, claimed_at: now })))
      .execute();
  }
  return users.length;
});

const results = {
  database: dialect,
  followers: FOLLOWERS,
  seedMs: Math.round(seedMs),
  notifyMs: Math.round(notifyMs),
  digest: {
    emails: digest.value.sent,
    composed,
    pages: digest.value.pages,
    ms: Math.round(digest.ms),
    perEmailUs: Math.round((digest.ms * 1000) / Math.max(1, digest.value.sent)),
    peakRssMb: Math.round(digest.rssMb),
    peakHeapMb: Math.round(digest.heapMb),
  },
  baseline: { rows: baseline.value, ms: Math.round(baseline.ms) },
  ratio: Number((digest.ms / baseline.ms).toFixed(1)),
};
console.log(
  `digest (${dialect}): ${results.digest.emails} e-mails in ${results.digest.pages} pages, ${results.digest.ms} ms ` +
    `(${results.digest.perEmailUs} µs each), peak +${results.digest.peakRssMb} MB RSS, +${results.digest.peakHeapMb} MB heap; ` +
    `baseline ${results.baseline.rows} key rows in ${results.baseline.ms} ms; ratio ${results.ratio}× ` +
    `(the reply's notifications for ${FOLLOWERS} followers: ${results.notifyMs} ms)`,
);
record(`digest-${dialect}`, results);
await t.cleanup();
