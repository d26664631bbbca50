import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

/** Notebook snapshots (issue 13): taken through the API, read-only page, runnable copy's code. */
const ROUTE = 'w2/w2-s2-c1-dictionnaires';
const CELL = 'creer-stock';
const take = (route = ROUTE, slug = 'demo') => `/api/snapshots/${slug}/${route}`;

describe.each(DIALECTS)('notebook snapshots on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const config = loadConfig({}, { dataDir: t.dataDir, savesPerSecond: '100000', forumAntiSpam: 'false' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => now });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function learner(email: string): Promise<Agent> {
    const user = await createUser(t.db, email, { name: email.split('@')[0] });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return agent;
  }

  it('takes a snapshot of the caller’s cells, sanitises the outputs, and says where to post it', async () => {
    const ada = await learner('ada-snap@example.org');
    const response = await ada.json(
      'POST',
      take(),
      {
        cells: [
          {
            id: CELL,
            code: 'stock = {"kiwis": 3}  # </script><script>alert(1)</script>',
            outputs:
              '<pre>3</pre><img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a>',
          },
        ],
        withOutputs: true,
      },
      { csrf: true },
    );
    expect(response.statusCode, response.body).toBe(201);
    const { token, url, post } = response.json() as { token: string; url: string; post: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(post).toBe(`/courses/demo/forum/new?route=${encodeURIComponent(ROUTE)}&snapshot=${token}`);
    // The author sees it; the page escapes the code and keeps no script or handler of the outputs.
    const page = await ada.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
    expect(page.body).not.toMatch(/<script>alert|onerror=|javascript:alert/);
    expect(page.body).toContain(`href="/courses/demo/${ROUTE}?snapshot=${token}"`);
    const code = (await ada.json('GET', `/api/snapshots/demo/${token}`)).json() as { route: string; cells: unknown };
    expect(code).toMatchObject({ route: ROUTE, cells: [{ id: CELL, code: expect.stringContaining('kiwis') }] });
  });

  it('keeps a snapshot private to its author until it is attached to a post', async () => {
    const ada = await learner('ada-private@example.org');
    const bob = await learner('bob-private@example.org');
    const { token, url } = (
      await ada.json('POST', take(), { cells: [{ id: CELL, code: 'secret = 1' }] }, { csrf: true })
    ).json() as { token: string; url: string };
    expect((await bob.get(url)).statusCode).toBe(404);
    expect((await new Agent(app).get(url)).statusCode).toBe(404);
    expect((await bob.json('GET', `/api/snapshots/demo/${token}`)).statusCode).toBe(404);
    // Another course's address, or a token of the wrong shape: nothing.
    expect((await ada.json('GET', `/api/snapshots/nope/${token}`)).statusCode).toBe(404);
    expect((await ada.json('GET', `/api/snapshots/demo/${token.slice(1)}'--`)).statusCode).toBe(404);
  });

  it('refuses what is not a snapshot of this notebook: unknown cells, a quiz, no CSRF, no account, too much', async () => {
    const ada = await learner('ada-refused@example.org');
    const cells = [{ id: CELL, code: 'x = 1' }];
    expect((await new Agent(app).json('POST', take(), { cells })).statusCode).toBe(401);
    expect((await ada.json('POST', take(), { cells })).statusCode).toBe(403);
    expect((await ada.json('POST', take(), { cells: [{ id: 'nope', code: '' }] }, { csrf: true })).statusCode).toBe(
      404,
    );
    expect((await ada.json('POST', take(), { cells: [] }, { csrf: true })).statusCode).toBe(400);
    expect((await ada.json('POST', take(), { cells: 'x' }, { csrf: true })).statusCode).toBe(400);
    expect((await ada.json('POST', take('w1/w1-s3-q1-premiers-pas'), { cells }, { csrf: true })).statusCode).toBe(404);
    expect((await ada.json('POST', take('w1/nowhere'), { cells }, { csrf: true })).statusCode).toBe(404);
    const big = 'x'.repeat(257 * 1024);
    expect((await ada.json('POST', take(), { cells: [{ id: CELL, code: big }] }, { csrf: true })).statusCode).toBe(413);
  });

  it('takes snapshots of a video page’s code cells too, and limits them to 30 an hour', async () => {
    const ada = await learner('ada-limit@example.org');
    const video = await ada.json(
      'POST',
      take('w1/w1-s1-av'),
      { cells: [{ id: 'w1-s1-exo1', code: 'print(1)' }] },
      { csrf: true },
    );
    expect(video.statusCode, video.body).toBe(201);
    for (let i = 0; i < 29; i++) {
      expect(
        (await ada.json('POST', take(), { cells: [{ id: CELL, code: `x = ${i}` }] }, { csrf: true })).statusCode,
      ).toBe(201);
    }
    expect((await ada.json('POST', take(), { cells: [{ id: CELL, code: 'x' }] }, { csrf: true })).statusCode).toBe(429);
  });
  async function share(agent: Agent, code: string, route = ROUTE, cell = CELL): Promise<string> {
    const res = await agent.json('POST', take(route), { cells: [{ id: cell, code }] }, { csrf: true });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { token: string }).token;
  }

  function postThread(agent: Agent, fields: Record<string, string>) {
    return agent.post(
      '/courses/demo/forum',
      { kind: 'question', topic: 'general', title: 'Mon code', body: 'Pourquoi ?', route: ROUTE, ...fields },
      { tokenFrom: `/courses/demo/forum/new?route=${encodeURIComponent(ROUTE)}` },
    );
  }

  it('attaches a snapshot to a new thread about its notebook, once, by its author; then everyone sees it', async () => {
    const ada = await learner('ada-attach@example.org');
    const bob = await learner('bob-attach@example.org');
    const token = await share(ada, 'stock = {"kiwis": 7}');
    // The form carries it, with a link to its page.
    const form = await ada.get(`/courses/demo/forum/new?route=${encodeURIComponent(ROUTE)}&snapshot=${token}`);
    expect(form.body).toContain(`name="snapshot" value="${token}"`);
    // Someone else's snapshot, or one of another notebook, is not attached.
    expect((await postThread(bob, { snapshot: token })).statusCode).toBe(400);
    const other = await share(ada, 'print(1)', 'w1/w1-s1-av', 'w1-s1-exo1');
    expect((await postThread(ada, { snapshot: other })).statusCode).toBe(400);
    const posted = await postThread(ada, { snapshot: token });
    expect(posted.statusCode, posted.body.slice(0, 400)).toBe(303);
    const thread = await bob.get(String(posted.headers['location']));
    expect(thread.body).toContain(`href="/courses/demo/forum/snapshots/${token}"`);
    // Now public (the thread is), and immutable: it cannot be posted again.
    expect((await new Agent(app).get(`/courses/demo/forum/snapshots/${token}`)).statusCode).toBe(200);
    const code = (await bob.json('GET', `/api/snapshots/demo/${token}`)).json() as { cells: { code: string }[] };
    expect(code.cells[0]!.code).toBe('stock = {"kiwis": 7}');
    expect((await postThread(ada, { snapshot: token, title: 'Encore' })).statusCode).toBe(400);
    // The thread deleted (its opening post), the snapshot is its author's alone again.
    const id = /threads\/(\d+)/.exec(String(posted.headers['location']))![1]!;
    const opening = await t.db.kysely
      .selectFrom('forum_posts')
      .select('id')
      .where('thread_id', '=', Number(id))
      .where('depth', '=', 0)
      .executeTakeFirstOrThrow();
    const deleted = await ada.post(
      `/courses/demo/forum/threads/${id}/posts/${opening.id}/delete`,
      {},
      { tokenFrom: String(posted.headers['location']) },
    );
    expect(deleted.statusCode, deleted.body.slice(0, 300)).toBe(303);
    expect((await bob.get(`/courses/demo/forum/snapshots/${token}`)).statusCode).toBe(404);
    expect((await ada.get(`/courses/demo/forum/snapshots/${token}`)).statusCode).toBe(200);
  });
});
