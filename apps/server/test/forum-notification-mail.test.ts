import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { createMailer } from '../src/lib/auth/mailer.ts';
import {
  NOTIFICATIONS_DIGEST,
  NOTIFICATIONS_SEND,
  registerNotificationJobs,
  sendQueuedBatch,
  tickNotifications,
} from '../src/lib/notifications/jobs.ts';
import { selectOptionalLiveVersionBySlug, updateForumAnonymous } from '../src/models/courses.ts';
import { Agent, createUser, readOutbox } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

/**
 * Notification e-mails (issue 13, ADR 046) on both databases: immediate and digest modes, the
 * jobs that send them (never twice, with two workers too), their contents (escaped, anonymous
 * authors unnamed, hidden posts left out), and the one-click unsubscribe link (RFC 8058).
 */

const FORUM = '/courses/demo/forum';
const threadUrl = (id: number) => `${FORUM}/threads/${id}`;
const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  fatal() {},
  trace() {},
  child: () => silent,
  level: 'silent',
};

/** A message file as text: headers unfolded, quoted-printable undone everywhere. */
function rawMessage(dataDir: string, file: string): string {
  const file_ = readFileSync(join(dataDir, 'outbox', file), 'utf8');
  const split = file_.indexOf('\n\n');
  // Folded header lines unfolded, as a mail client reads them.
  const raw = file_.slice(0, split).replace(/\n[ \t]+/g, ' ') + file_.slice(split);
  return Buffer.from(
    raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

/** A header as read: RFC 2047 encoded words (Q or B, UTF-8) decoded. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, how: string, text: string) =>
      how.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

describe.each(DIALECTS)('notification e-mails on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  let courseId: number;
  let clock = new Date('2026-03-10T10:00:00Z');
  const now = () => clock;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    courseId = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!.course_id;
    const config = loadConfig({}, { dataDir: t.dataDir });
    jobs = new DbJobQueue(t.db, { pollMs: 25, clock: now, concurrency: 2 });
    app = await buildApp({ config, db: t.db, logger: false, clock: now, jobs });
    jobs.start();
  });
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  /** Waits until no notification job is queued or running. */
  async function drain(queues: DbJobQueue[] = [jobs]): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pending =
        (await queues[0]!.pending({ kind: NOTIFICATIONS_SEND })) +
        (await queues[0]!.pending({ kind: NOTIFICATIONS_DIGEST }));
      if (pending === 0) return;
      if (Date.now() > deadline) throw new Error('notification jobs did not finish');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }

  let users = 0;
  async function learner(options: { mode?: string; language?: string; name?: string } = {}) {
    const name = options.name ?? `mail${++users}`;
    const user = await createUser(t.db, `${name}@example.org`, { name });
    if (options.language) {
      await t.db.kysely.updateTable('users').set({ language: options.language }).where('id', '=', user.id).execute();
    }
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    if (options.mode) {
      await t.db.kysely
        .insertInto('notification_preferences')
        .values({
          user_id: user.id,
          course_id: courseId,
          email: options.mode as 'daily',
          updated_at: clock.toISOString(),
        })
        .execute();
    }
    return { user, agent };
  }

  async function ask(agent: Agent, title = 'Une question'): Promise<number> {
    const res = await agent.post(
      FORUM,
      { kind: 'question', topic: 'general', title, body: 'Le texte.' },
      { tokenFrom: `${FORUM}/new` },
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return Number(/\/threads\/(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  async function answer(agent: Agent, thread: number, body: string, extra: Record<string, string> = {}) {
    const res = await agent.post(`${threadUrl(thread)}/replies`, { body, ...extra }, { tokenFrom: threadUrl(thread) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return Number(/#post-(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  const mailsTo = (email: string) => readOutbox(t.dataDir).filter((m) => m.to === email);

  it('sends an immediate e-mail, escaped, with the one-click unsubscribe headers, in the reader’s language', async () => {
    const { user: a, agent: asker } = await learner({ mode: 'immediate', language: 'en' });
    const { user: d, agent: daily } = await learner();
    const { agent: replier } = await learner({ name: 'repondeur' });
    const title = 'Pourquoi <script>alert(1)</script> & "guillemets" ?';
    const id = await ask(asker, title);
    await daily.post(`${threadUrl(id)}/follow`, { follow: '1' }, { tokenFrom: threadUrl(id) });
    await answer(replier, id, 'Essayez <b>ceci</b> : `print(1)`');
    await tickNotifications(t.db.kysely, jobs, clock);
    await drain();
    const [mail, ...others] = mailsTo(a.email);
    expect(others).toEqual([]);
    expect(decodeHeader(mail!.subject)).toContain('repondeur answered your question');
    const raw = rawMessage(t.dataDir, mail!.file);
    expect(raw).toMatch(/^List-Unsubscribe: <http:\/\/localhost:\d+\/notifications\/unsubscribe\/\d+-\d+-[\w-]{43}>$/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    // The HTML part has the title escaped; no markup from learners anywhere.
    const htmlPart = raw.slice(raw.indexOf('Content-Type: text/html'));
    expect(htmlPart).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;guillemets&quot;');
    expect(htmlPart).toContain('&lt;b&gt;ceci&lt;/b&gt;');
    expect(htmlPart).not.toContain('<script>');
    expect(htmlPart).not.toContain('<b>ceci');
    // The plain-text part and the subject are text: the title as typed, harmless there.
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(decodeHeader(mail!.subject)).toContain(title);
    expect(raw).toContain('/notifications/posts/');
    // Daily learners wait for their digest.
    expect(mailsTo(d.email)).toEqual([]);
    expect(
      (await t.db.kysely.selectFrom('notifications').select('mail').where('user_id', '=', d.id).execute()).map(
        (r) => r.mail,
      ),
    ).toEqual(['digest']);
  });

  it('never sends an e-mail twice: the batch run twice, then two workers on one database', async () => {
    const { agent: asker } = await learner();
    const id = await ask(asker, 'Suivi par beaucoup');
    const followers = [];
    for (let i = 0; i < 12; i++) {
      const f = await learner({ mode: 'immediate' });
      await f.agent.post(`${threadUrl(id)}/follow`, { follow: '1' }, { tokenFrom: threadUrl(id) });
      followers.push(f.user);
    }
    const mailer = createMailer({ from: 'carnet@example.org', dataDir: t.dataDir }, silent as never);
    const deps = { db: t.db.kysely, mailer, origin: 'http://localhost', clock: now };
    // Two workers with their own queues and handlers (another process each), started together.
    const other = new DbJobQueue(t.db, { pollMs: 25, clock: now, concurrency: 2 });
    registerNotificationJobs(other, deps);
    await answer(asker, id, 'Première réponse');
    // The same batch twice at once (a retry crossing the first run): each e-mail once.
    const [first, second] = await Promise.all([sendQueuedBatch(deps), sendQueuedBatch(deps)]);
    expect(first.sent + second.sent).toBe(12);
    expect((await sendQueuedBatch(deps)).sent).toBe(0);
    await answer(asker, id, 'Deuxième réponse');
    other.start();
    await Promise.all([
      jobs.enqueue(NOTIFICATIONS_SEND, {}),
      other.enqueue(NOTIFICATIONS_SEND, {}),
      jobs.enqueue(NOTIFICATIONS_SEND, {}),
    ]);
    await drain([jobs]);
    await other.stop();
    for (const f of followers) expect(mailsTo(f.email)).toHaveLength(2);
    const keys = await t.db.kysely
      .selectFrom('notification_emails')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(
        'user_id',
        'in',
        followers.map((f) => f.id),
      )
      .where('sent_at', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(Number(keys.n)).toBe(24);
  });

  it('sends each daily digest once, with the day’s unread notifications, no anonymous name, no hidden post', async () => {
    await updateForumAnonymous(t.db.kysely, courseId, true, clock);
    clock = new Date('2026-03-11T09:00:00Z');
    const { user: a, agent: asker } = await learner();
    const { user: w, agent: weekly } = await learner({ mode: 'weekly' });
    const { user: n, agent: none } = await learner({ mode: 'none' });
    const { agent: replier } = await learner({ name: 'nomcache' });
    const id = await ask(asker, 'Fil du jour');
    for (const agent of [weekly, none]) {
      await agent.post(`${threadUrl(id)}/follow`, { follow: '1' }, { tokenFrom: threadUrl(id) });
    }
    await answer(replier, id, 'Réponse anonyme', { anonymous: '1' });
    const hidden = await answer(replier, id, 'Réponse cachée ensuite');
    await answer(replier, id, 'Réponse lue');
    const read = await t.db.kysely
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', a.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await t.db.kysely
      .updateTable('notifications')
      .set({ read_at: clock.toISOString() })
      .where('id', '=', read.id)
      .execute();
    await t.db.kysely.updateTable('forum_posts').set({ hidden: 1 }).where('id', '=', hidden).execute();
    // The next day, two processes tick (twice each): one digest run.
    clock = new Date('2026-03-12T00:05:00Z');
    const ticks = await Promise.all([
      tickNotifications(t.db.kysely, jobs, clock),
      tickNotifications(t.db.kysely, jobs, clock),
    ]);
    await tickNotifications(t.db.kysely, jobs, clock);
    await drain();
    expect(ticks.flat().length).toBeGreaterThan(0);
    const digests = mailsTo(a.email);
    expect(digests).toHaveLength(1);
    const digest = digests[0]!;
    expect(decodeHeader(digest.subject)).toBe('[Python pas à pas] Votre résumé du jour : 1 notification(s)');
    const raw = rawMessage(t.dataDir, digest.file);
    expect(raw).toContain('Anonyme a répondu à votre question « Fil du jour »');
    expect(raw).not.toContain('nomcache');
    expect(raw).not.toContain(`/notifications/posts/${hidden}`);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(mailsTo(w.email)).toEqual([]);
    expect(mailsTo(n.email)).toEqual([]);
    // The job run again, or the next tick the same day: nothing more.
    await tickNotifications(t.db.kysely, jobs, new Date('2026-03-12T18:00:00Z'));
    await drain();
    expect(mailsTo(a.email)).toHaveLength(1);
    // The weekly digest comes on Monday.
    clock = new Date('2026-03-16T00:01:00Z');
    await tickNotifications(t.db.kysely, jobs, clock);
    await drain();
    const weeklyMails = mailsTo(w.email);
    expect(weeklyMails).toHaveLength(1);
    expect(decodeHeader(weeklyMails[0]!.subject)).toContain('Votre résumé de la semaine : 2 notification(s)');
    expect(mailsTo(n.email)).toEqual([]);
    await updateForumAnonymous(t.db.kysely, courseId, false, clock);
    clock = new Date('2026-03-10T10:00:00Z');
  });

  it('unsubscribes in one click without a session; a forged or altered token does nothing', async () => {
    const { user, agent: asker } = await learner({ mode: 'immediate' });
    const { agent: replier } = await learner();
    const id = await ask(asker, 'Pour se désabonner');
    await answer(replier, id, 'Une réponse');
    await tickNotifications(t.db.kysely, jobs, clock);
    await drain();
    const [mail] = mailsTo(user.email);
    const raw = rawMessage(t.dataDir, mail!.file);
    const link = /^List-Unsubscribe: <https?:\/\/[^/]+(\/notifications\/unsubscribe\/[^>]+)>$/m.exec(raw)![1]!;
    expect(raw).toContain(link);
    const mode = async (userId = user.id) =>
      (
        await t.db.kysely
          .selectFrom('notification_preferences')
          .select('email')
          .where('user_id', '=', userId)
          .where('course_id', '=', courseId)
          .executeTakeFirst()
      )?.email;
    const visitor = new Agent(app);
    const page = await visitor.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(page.body).not.toContain('name="_csrf"');
    expect(await mode()).toBe('immediate');
    // Forgeries: another user's id with this MAC, another MAC, nonsense.
    const [, uid, cid, mac] = /(\d+)-(\d+)-([\w-]{43})$/.exec(link)!;
    const { user: victim } = await learner({ mode: 'daily' });
    const flipped = mac!.startsWith('A') ? `B${mac!.slice(1)}` : `A${mac!.slice(1)}`;
    for (const token of [
      `${victim.id}-${cid}-${mac}`,
      `${uid}-${cid}-${flipped}`,
      `${uid}-${cid}`,
      'x',
      `${uid}-${cid}-${mac}x`,
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: `/notifications/unsubscribe/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(res.statusCode, token).toBe(404);
    }
    expect(await mode(victim.id)).toBe('daily');
    expect(await mode()).toBe('immediate');
    // What a mail provider sends (RFC 8058): no cookie, no CSRF token, multipart body.
    const boundary = 'xYzZY';
    const oneClick = await app.inject({
      method: 'POST',
      url: link,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`,
    });
    expect(oneClick.statusCode).toBe(200);
    expect(oneClick.body).toContain('Vous ne recevrez plus d’e-mails du cours « Python pas à pas »');
    expect(await mode()).toBe('none');
    // And then nothing is sent any more.
    await answer(replier, id, 'Encore une réponse');
    await tickNotifications(t.db.kysely, jobs, clock);
    await drain();
    expect(mailsTo(user.email)).toHaveLength(1);
    // The form of the confirmation page works too (url-encoded, from a browser).
    await t.db.kysely
      .updateTable('notification_preferences')
      .set({ email: 'daily' })
      .where('user_id', '=', user.id)
      .execute();
    const viaForm = await visitor.post(link, { 'List-Unsubscribe': 'One-Click', _csrf: '' });
    expect(viaForm.statusCode).toBe(200);
    expect(await mode()).toBe('none');
  });
});
