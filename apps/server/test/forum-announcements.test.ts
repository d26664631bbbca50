import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { NOTIFICATIONS_SEND } from '../src/lib/notifications/jobs.ts';
import { enrol, unenrol } from '../src/lib/runs/enrolment.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser, readOutbox } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

/**
 * Staff announcements (issue 13, ADR 046) on both databases: a pinned thread in `general`, a
 * notification and an e-mail for every active learner of the session (or course), "none" kept.
 */

const PAGE = '/manage/courses/demo/announcements';

describe.each(DIALECTS)('staff announcements on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  let courseId: number;
  let spring: Run;
  let autumn: Run;
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    courseId = live.course_id;
    const run = (slug: string, title: string) =>
      insertTestRun(t.db.kysely, now, { course_id: courseId, version_id: live.id, slug, title });
    spring = await run('printemps', 'Printemps');
    autumn = await run('automne', 'Automne');
    jobs = new DbJobQueue(t.db, { pollMs: 25, clock: () => now });
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      logger: false,
      clock: () => now,
      jobs,
    });
    jobs.start();
  });
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  async function drain(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await jobs.pending({ kind: NOTIFICATIONS_SEND })) > 0) {
      if (Date.now() > deadline) throw new Error('jobs did not finish');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  }

  let users = 0;
  async function learner(run: Run | null, mode?: 'none' | 'weekly') {
    const user = await createUser(t.db, `annonce${++users}@example.org`, { name: `Annonce ${users}` });
    if (run) expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
    if (mode) {
      await t.db.kysely
        .insertInto('notification_preferences')
        .values({ user_id: user.id, course_id: courseId, email: mode, updated_at: now.toISOString() })
        .execute();
    }
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }

  async function teacher() {
    const made = await learner(null);
    await ensureCourseRole(t.db.kysely, { userId: made.user.id, courseId, role: 'staff', grantedBy: null }, now);
    return made;
  }

  const kindsOf = async (userId: number) =>
    (await t.db.kysely.selectFrom('notifications').select('kind').where('user_id', '=', userId).execute()).map(
      (r) => r.kind,
    );

  it('publishes a pinned thread in "general" and tells every active learner of the session, by e-mail unless "none"', async () => {
    const { user: s, agent: staff } = await teacher();
    const a = await learner(spring);
    const b = await learner(spring, 'weekly');
    const quiet = await learner(spring, 'none');
    const gone = await learner(spring);
    expect(await unenrol(t.db.kysely, gone.user.id, spring.id, now)).toBe(true);
    const other = await learner(autumn);
    expect((await staff.get(PAGE)).body).toContain('Les apprenants de la session « Printemps »');
    const res = await staff.post(
      PAGE,
      {
        audience: String(spring.id),
        title: 'Examen <b>demain</b>',
        body: 'Révisez la **semaine 2**.\n\n<script>alert(1)</script>',
      },
      { tokenFrom: PAGE },
    );
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    const location = String(res.headers['location']);
    expect(location).toMatch(/\?sent=3&thread=\d+$/);
    const threadId = Number(/thread=(\d+)/.exec(location)![1]);
    const thread = await t.db.kysely
      .selectFrom('forum_threads')
      .innerJoin('forum_topics', 'forum_topics.id', 'forum_threads.topic_id')
      .select(['forum_threads.pinned', 'forum_topics.key', 'forum_threads.author_id'])
      .where('forum_threads.id', '=', threadId)
      .executeTakeFirstOrThrow();
    expect(thread).toEqual({ pinned: 1, key: 'general', author_id: s.id });
    const page = (await a.agent.get(`/courses/demo/forum/threads/${threadId}`)).body;
    expect(page).toContain('<strong>semaine 2</strong>');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('Examen &lt;b&gt;demain&lt;/b&gt;');
    for (const who of [a, b, quiet]) expect(await kindsOf(who.user.id)).toEqual(['announcement']);
    for (const who of [gone, other]) expect(await kindsOf(who.user.id)).toEqual([]);
    expect(await kindsOf(s.id)).toEqual([]);
    await drain();
    const mails = readOutbox(t.dataDir);
    // At once, weekly digesters too; never to "none".
    expect(mails.filter((m) => m.to === a.user.email)).toHaveLength(1);
    expect(mails.filter((m) => m.to === b.user.email)).toHaveLength(1);
    expect(mails.filter((m) => m.to === quiet.user.email)).toHaveLength(0);
    expect(mails.filter((m) => m.to === other.user.email)).toHaveLength(0);
    const mail = mails.find((m) => m.to === a.user.email)!;
    const text = Buffer.from(
      mail.text
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
    expect(text).toContain('Révisez la **semaine 2**.');
    expect((await a.agent.get('/me/notifications')).body).toContain('Annonce : « Examen &lt;b&gt;demain&lt;/b&gt; »');
  });

  it('reaches every session of the course with "all sessions"', async () => {
    const { agent: staff } = await teacher();
    const a = await learner(spring);
    const c = await learner(autumn);
    const res = await staff.post(
      PAGE,
      { audience: 'course', title: 'Pour tous', body: 'Bonjour à tous.' },
      { tokenFrom: PAGE },
    );
    expect(res.statusCode).toBe(303);
    expect(await kindsOf(a.user.id)).toEqual(['announcement']);
    expect(await kindsOf(c.user.id)).toEqual(['announcement']);
  });

  it('is staff-only (404), needs the CSRF token, and keeps the form on errors', async () => {
    const { agent: plain } = await learner(spring);
    expect((await plain.get(PAGE)).statusCode).toBe(404);
    const refused = await plain.post(PAGE, { audience: 'course', title: 'Pirate', body: 'Non.' }, { tokenFrom: '/me' });
    expect(refused.statusCode).toBe(404);
    const { agent: staff } = await teacher();
    const forged = await staff.post(PAGE, { _csrf: '', audience: 'course', title: 'Sans jeton', body: 'Non.' });
    expect(forged.statusCode).toBe(403);
    const bad = await staff.post(PAGE, { audience: '999999', title: '', body: 'Texte gardé' }, { tokenFrom: PAGE });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Texte gardé');
    expect(bad.body).toContain('Choisissez les destinataires parmi les sessions du cours.');
    const titles = await t.db.kysely.selectFrom('forum_threads').select('title').execute();
    expect(titles.map((r) => r.title)).not.toContain('Pirate');
    expect(titles.map((r) => r.title)).not.toContain('Sans jeton');
  });
});
