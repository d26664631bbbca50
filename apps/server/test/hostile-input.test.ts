// Hostile values in URLs and forms, through the real HTTP API on both databases: `next=` values
// that are no path of ours, and NUL characters (which PostgreSQL's text cannot hold). Each must
// get a refusal or a redirect home — never a 500, never a half-done action.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalItemByRoute } from '../src/models/course-items.ts';
import { selectOptionalRunBySlug } from '../src/models/runs.ts';
import type { Run } from '../src/db/schema.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

/** `next` values that are not a safe path of this site; NUL has its own test (refused earlier). */
const BAD_NEXT = [
  '/me\u000bx', // vertical tab
  '/me\u2028x', // line separator
  '/me\u2029x', // paragraph separator
  '/me\u3000x', // ideographic space
  '/me\u00a0x', // no-break space
  '/me\u200bx', // zero-width space (a format character)
  '/me\u202ex', // right-to-left override
  '/me\ufeffx', // byte order mark
  '/me\u0007x', // bell
  '/me\u007fx', // delete
  '/me\tx',
  '/me\r\nSet-Cookie: x=1',
  '/me x',
  '/me"x',
  '/me<x>',
  '/me%zz',
  '/me\\..\\x',
  '//evil.example',
  '/\\evil.example',
  '/\t/evil.example',
  'https://evil.example/',
  'javascript:alert(1)',
  ' /me',
];

describe.each(DIALECTS)('hostile input on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let run: Run;
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    run = await insertTestRun(t.db.kysely, now, {
      course_id: live.course_id,
      version_id: live.id,
      slug: 'ouverte',
      mode: 'self-paced',
      starts_at: '2026-01-01T00:00:00.000Z',
      ends_at: null,
    });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function learner(email: string): Promise<Agent> {
    const user = await createUser(t.db, email);
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return agent;
  }

  it('sends every bad next= of the language switch home', async () => {
    for (const next of BAD_NEXT) {
      const res = await app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent(next)}` });
      expect([JSON.stringify(next), res.statusCode, res.headers['location']]).toEqual([JSON.stringify(next), 303, '/']);
    }
    // A good one goes where it says, non-ASCII letters percent-encoded for the Location header.
    const good = await app.inject({ method: 'GET', url: `/lang/en?next=${encodeURIComponent('/courses/démo?x=1#h')}` });
    expect(good.headers['location']).toBe('/courses/d%C3%A9mo?x=1#h');
  });

  it('logs in and goes home for every bad next=, from the query or the form', async () => {
    const user = await createUser(t.db, 'next@example.org');
    for (const next of BAD_NEXT) {
      const agent = new Agent(app);
      const form = await agent.get(`/login?next=${encodeURIComponent(next)}`);
      expect(form.statusCode).toBe(200);
      const res = await agent.post('/login', { email: user.email, password: user.password, next });
      expect([JSON.stringify(next), res.statusCode, res.headers['location']]).toEqual([JSON.stringify(next), 303, '/']);
      // Logged in: the login page sends them on, home again.
      const again = await agent.get(`/login?next=${encodeURIComponent(next)}`);
      expect([again.statusCode, again.headers['location']]).toEqual([303, '/']);
    }
  });

  it('enrols, unenrols and goes home for every bad next= (never a 500 after the deed)', async () => {
    const agent = await learner('enrol-next@example.org');
    for (const next of BAD_NEXT) {
      const enrolled = await agent.post(`/runs/${run.id}/enrol`, { next }, { tokenFrom: '/me' });
      expect([JSON.stringify(next), enrolled.statusCode, enrolled.headers['location']]).toEqual([
        JSON.stringify(next),
        303,
        '/',
      ]);
      expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.enrolled_count).toBe(1);
      const left = await agent.post(`/runs/${run.id}/unenrol`, { next }, { tokenFrom: '/me' });
      expect([left.statusCode, left.headers['location']]).toEqual([303, '/']);
      expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.enrolled_count).toBe(0);
    }
  });

  it('refuses NUL in a URL with a 400 page (PostgreSQL cannot hold it), not a 500', async () => {
    const agent = await learner('nul-url@example.org');
    for (const url of [
      '/courses/%00',
      '/courses/demo/w1/%00x',
      '/manage/courses/%00',
      '/api/work/demo/%00',
      '/lang/en?next=%2Fme%00x',
      '/login?next=%00',
    ]) {
      const res = await agent.get(url, { accept: 'text/html' });
      expect([url, res.statusCode]).toEqual([url, 400]);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });

  it('refuses NUL in a form or a JSON body (400), and does nothing', async () => {
    const user = await createUser(t.db, 'nul-body@example.org');
    const visitor = new Agent(app);
    const login = await visitor.post('/login', { email: `${user.email}\0`, password: user.password });
    expect(login.statusCode).toBe(400);
    expect(
      (await visitor.post('/login', { email: user.email, password: user.password, next: '/me\0' })).statusCode,
    ).toBe(400);
    expect(visitor.cookies.size).toBeGreaterThan(0);
    expect((await visitor.session()).user).toBeNull();

    const agent = await learner('nul-learner@example.org');
    const enrol = await agent.post(`/runs/${run.id}/enrol`, { next: '/\0' }, { tokenFrom: '/me' });
    expect(enrol.statusCode).toBe(400);
    expect((await agent.get('/me')).body).not.toContain(`action="/runs/${run.id}/unenrol"`);

    const quiz = '/courses/demo/w3/w3-s3-q1-plus-loin';
    const answer = await agent.post(
      quiz,
      [
        ['problem', 'p5'],
        ['p5q1', '\0=1+1'],
      ],
      { tokenFrom: quiz },
    );
    expect(answer.statusCode).toBe(400);

    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const item = (await selectOptionalItemByRoute(t.db.kysely, live.id, 'w1/w1-s1-c1-nombres'))!;
    const [cell] = (JSON.parse(item.meta) as { codeCells: { id: string; source: string }[] }).codeCells;
    const save = await agent.json(
      'PUT',
      `/api/work/demo/w1/w1-s1-c1-nombres/cells/${encodeURIComponent(cell!.id)}`,
      { code: 'print("a")\0', original: cell!.source, baseVersion: 0 },
      { csrf: true },
    );
    expect(save.statusCode).toBe(400);
    expect(save.json()).toMatchObject({ error: 'BAD_REQUEST' });
    // Deep in a JSON body too, keys included.
    const deep = await agent.json(
      'PUT',
      `/api/work/demo/w1/w1-s1-c1-nombres/cells/${encodeURIComponent(cell!.id)}`,
      { code: 'x', original: cell!.source, baseVersion: 0, extra: [[[{ 'k\0': 1 }]]] },
      { csrf: true },
    );
    expect(deep.statusCode).toBe(400);
    expect((await agent.json('GET', '/api/work/demo/w1/w1-s1-c1-nombres')).json().cells).toEqual([]);
  });
});
