import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { selectOptionalRunBySlug } from '../src/models/runs.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { Agent, createUser } from './agent.ts';
import { copyDemoCourse, DEMO_COURSE } from './fixtures.ts';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

describe.each(DIALECTS)('course sessions and enrolment on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let admin: Agent;
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false, clock: () => now });
    const a = await createUser(t.db, 'admin@example.org', { admin: true, name: 'Admin' });
    admin = new Agent(app);
    await admin.login(a.email, a.password);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function createRun(fields: Record<string, string>) {
    const res = await admin.post(
      '/manage/courses/demo/runs/new',
      { mode: 'scheduled', ...fields },
      { tokenFrom: '/manage/courses/demo' },
    );
    expect(res.statusCode, res.body.slice(0, 200)).toBe(303);
    return (await selectOptionalRunBySlug(
      t.db.kysely,
      'demo',
      String(res.headers['location']).split('/').pop()!.split('?')[0]!,
    ))!;
  }

  async function learner(email: string) {
    const user = await createUser(t.db, email, { name: email.split('@')[0] });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    return { user, agent };
  }

  it('lets staff create a scheduled session whose weeks open one per week, with per-week overrides', async () => {
    const run = await createRun({ title: 'Printemps 2026', startsAt: '2026-03-02T09:00', week_3: '2026-03-30T09:00' });
    expect(run.starts_at).toBe('2026-03-02T08:00:00.000Z'); // Paris is UTC+1 in March
    const page = await admin.get(`/manage/courses/demo/runs/${run.slug}`);
    expect(page.body).toContain('value="2026-03-02T09:00"');
    const learnerView = await learner('calendar@example.org');
    await learnerView.agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    const course = await learnerView.agent.get('/courses/demo');
    expect(course.body).toContain('Semaine 1 : ouverte depuis le 2 mars 2026');
    expect(course.body).toContain('Semaine 2 : ouverte depuis le 9 mars 2026');
    expect(course.body).toContain('Semaine 3 : ouvre le 30 mars 2026');
    expect(
      (await admin.post('/manage/courses/demo/runs/new', { title: 'x', startsAt: 'tomorrow' }, { tokenFrom: '/me' }))
        .statusCode,
    ).toBe(400);
  });

  it('shows open sessions in the catalogue: an enrol button for learners, a login link for visitors', async () => {
    const run = await createRun({ title: 'Catalogue 2026', startsAt: '2026-03-01T00:00' });
    const anonymous = await new Agent(app).get('/');
    expect(anonymous.body).toContain('Catalogue 2026');
    expect(anonymous.body).not.toContain(`action="/runs/${run.id}/enrol"`);
    expect(anonymous.body).toContain('Se connecter pour s’inscrire');
    const { agent } = await learner('catalogue@example.org');
    const page = await agent.get('/');
    expect(page.body).toContain(`action="/runs/${run.id}/enrol"`);
    const res = await agent.post(`/runs/${run.id}/enrol`, { next: '/' }, { tokenFrom: '/' });
    expect(res.headers['location']).toBe('/');
    expect((await agent.get('/')).body).toMatch(/Catalogue 2026[\s\S]*?Inscrit/);
  });

  it('keeps the enrolment count right through enrol, repeat, unenrol, re-enrol and concurrent enrolments', async () => {
    const run = await createRun({ title: 'Counting', startsAt: '2026-03-01T00:00' });
    const count = async () => (await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.enrolled_count;
    const { agent } = await learner('counter@example.org');
    await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    expect(await count()).toBe(1);
    await agent.post(`/runs/${run.id}/unenrol`, {}, { tokenFrom: '/me' });
    expect(await count()).toBe(0);
    expect((await agent.get('/me')).body).toContain('inscrit à aucune session');
    await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    expect(await count()).toBe(1);
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => createUser(t.db, `crowd${i}@example.org`)));
    const fresh = (await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!;
    await Promise.all(
      users.flatMap((u) => [enrol(t.db.kysely, u.id, fresh, now), enrol(t.db.kysely, u.id, fresh, now)]),
    );
    expect(await count()).toBe(31);
    const active = await t.db.kysely
      .selectFrom('enrolments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_id', '=', run.id)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    expect(Number(active.n)).toBe(31);
  });

  it('moves a learner who enrols in another session of the same course', async () => {
    const first = await createRun({ title: 'Switch A', startsAt: '2026-03-01T00:00' });
    const second = await createRun({ title: 'Switch B', startsAt: '2026-03-01T00:00' });
    const { agent } = await learner('switcher@example.org');
    await agent.post(`/runs/${first.id}/enrol`, {}, { tokenFrom: '/me' });
    expect((await agent.get('/')).body).toContain('Passer à cette session');
    await agent.post(`/runs/${second.id}/enrol`, {}, { tokenFrom: '/me' });
    expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', first.slug))!.enrolled_count).toBe(0);
    expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', second.slug))!.enrolled_count).toBe(1);
  });

  it('refuses enrolment outside the enrolment window, and hides archived sessions', async () => {
    const later = await createRun({ title: 'Not yet', startsAt: '2026-06-01T00:00', enrolOpensAt: '2026-05-01T00:00' });
    const { agent } = await learner('early@example.org');
    const res = await agent.post(`/runs/${later.id}/enrol`, {}, { tokenFrom: '/me' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Inscriptions fermées');
    expect((await agent.get('/')).body).toContain('inscriptions à partir du 1 mai 2026');

    const archived = await createRun({ title: 'Old session', startsAt: '2026-03-01T00:00' });
    await admin.post(
      `/manage/courses/demo/runs/${archived.slug}`,
      { title: 'Old session', mode: 'scheduled', startsAt: '2026-03-01T00:00', archived: '1' },
      { tokenFrom: '/me' },
    );
    expect((await agent.get('/')).body).not.toContain('Old session');
    expect((await agent.post(`/runs/${archived.id}/enrol`, {}, { tokenFrom: '/me' })).statusCode).toBe(404);
  });

  it('answers 404 to anyone acting on a session they are not in, or on staff pages of a course that is not theirs', async () => {
    const run = await createRun({ title: 'Private', startsAt: '2026-03-01T00:00' });
    const { agent } = await learner('nosy@example.org');
    expect((await agent.post(`/runs/${run.id}/unenrol`, {}, { tokenFrom: '/me' })).statusCode).toBe(404);
    expect((await agent.post('/runs/999999/enrol', {}, { tokenFrom: '/me' })).statusCode).toBe(404);
    for (const url of ['/manage', '/manage/courses/demo', `/manage/courses/demo/runs/${run.slug}`]) {
      expect((await agent.get(url)).statusCode).toBe(404);
    }
    const edit = await agent.post(
      `/manage/courses/demo/runs/${run.slug}`,
      { title: 'Pwned', startsAt: '2026-03-01T00:00' },
      { tokenFrom: '/me' },
    );
    expect(edit.statusCode).toBe(404);
    expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.title).toBe('Private');
    // Anonymous visitors are sent to the login form.
    const anonymous = await new Agent(app).get('/manage/courses/demo');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers['location']).toBe('/login?next=%2Fmanage%2Fcourses%2Fdemo');
  });

  it('lets an administrator grant and revoke staff, and staff then manage the course’s sessions (not the staff)', async () => {
    const { user, agent } = await learner('teacher@example.org');
    expect((await agent.get('/manage/courses/demo')).statusCode).toBe(404);
    const grant = await admin.post(
      '/manage/courses/demo/staff',
      { email: 'TEACHER@example.org' },
      { tokenFrom: '/manage/courses/demo' },
    );
    expect(grant.statusCode).toBe(303);
    const page = await agent.get('/manage/courses/demo');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Équipe pédagogique');
    const created = await agent.post(
      '/manage/courses/demo/runs/new',
      { title: 'By staff', mode: 'self-paced', startsAt: '2026-03-01T00:00' },
      { tokenFrom: '/me' },
    );
    expect(created.statusCode).toBe(303);
    expect(
      (await agent.post('/manage/courses/demo/staff', { email: 'friend@example.org' }, { tokenFrom: '/me' }))
        .statusCode,
    ).toBe(404);
    await admin.post(`/manage/courses/demo/staff/${user.id}/revoke`, {}, { tokenFrom: '/manage/courses/demo' });
    expect((await agent.get('/manage/courses/demo')).statusCode).toBe(404);
  });

  it('remembers the last page an enrolled learner opened, for "resume where I left"', async () => {
    const run = await createRun({ title: 'Resume', startsAt: '2026-03-01T00:00' });
    const { agent } = await learner('resumer@example.org');
    await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    // Before any page: the course's first item, its first sequence's video.
    expect((await agent.get('/me')).body).toContain('href="/courses/demo/w1/w1-s1-av"');
    await agent.get('/courses/demo/w2/w2-s2-c1-dictionnaires');
    const me = await agent.get('/me');
    expect(me.body).toMatch(/href="\/courses\/demo\/w2\/w2-s2-c1-dictionnaires"\s*>Reprendre là où je me suis arrêté/);
    expect((await agent.get('/courses/demo')).body).toContain('href="/courses/demo/w2/w2-s2-c1-dictionnaires"');
  });

  it('keeps the anonymous page cache anonymous, and fills a logged-in reader’s parts per request', async () => {
    const { agent } = await learner('cache@example.org');
    const url = '/courses/demo/w1/w1-s2-c1-chaines';
    const mine = await agent.get(url);
    expect(mine.body).toContain('>cache</a>');
    expect(mine.headers['cache-control']).toBe('private, no-store');
    const anonymous = await new Agent(app).get(url);
    expect(anonymous.body).not.toContain('cache@example.org');
    expect(anonymous.body).not.toContain('>cache</a>');
    expect(anonymous.body).not.toContain('name="_csrf"');
    expect(anonymous.body).toContain('href="/login?next=%2Fcourses%2Fdemo%2Fw1%2Fw1-s2-c1-chaines"');
    expect(anonymous.body).not.toMatch(/[\uE010\uE011]/);
    expect(mine.body).not.toMatch(/[\uE010\uE011]/);
  });

  it('pins a session to its course version until staff move it to a newer one', async () => {
    const run = await createRun({ title: 'Pinned', startsAt: '2026-03-01T00:00' });
    const { agent } = await learner('pinned@example.org');
    await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    const changed = copyDemoCourse();
    try {
      appendFileSync(join(changed.dir, 'w1/w1-s1-c1-nombres.md'), '\n\nUne phrase ajoutée dans la nouvelle version.\n');
      const summary = await importCourse(t.db, { source: changed.dir, slug: 'demo', dataDir: t.dataDir });
      expect(summary.status).toBe('imported');
    } finally {
      changed.cleanup();
    }
    await new Promise((r) => setTimeout(r, 2100)); // the live-version cache (2 s)
    const url = '/courses/demo/w1/w1-s1-c1-nombres';
    expect((await new Agent(app).get(url)).body).toContain('Une phrase ajoutée');
    expect((await agent.get(url)).body).not.toContain('Une phrase ajoutée');
    const page = await admin.get(`/manage/courses/demo/runs/${run.slug}`);
    expect(page.body).toContain('Une version plus récente est en ligne');
    await admin.post(`/manage/courses/demo/runs/${run.slug}/move`, {}, { tokenFrom: '/me' });
    expect((await agent.get(url)).body).toContain('Une phrase ajoutée');
  });

  it('keeps enrolment counts right when an enrolled learner deletes their account', async () => {
    const run = await createRun({ title: 'Deletion', startsAt: '2026-03-01T00:00' });
    const { user, agent } = await learner('deleter@example.org');
    await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' });
    const data = (await agent.get('/account/export')).json();
    expect(data.enrolments).toEqual([expect.objectContaining({ course: 'demo', run: run.slug, status: 'active' })]);
    expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.enrolled_count).toBe(1);
    await agent.post('/account/delete', { confirm_password: user.password }, { tokenFrom: '/account' });
    expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.enrolled_count).toBe(0);
  });
});
