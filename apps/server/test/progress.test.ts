import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { selectItemSummaries } from '../src/models/course-items.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const OTHER = 'w1/w1-s2-c1-chaines';
const progressUrl = (route = NOTEBOOK) => `/api/progress/demo/${route}`;

describe.each(DIALECTS)('progress on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  const now = new Date('2026-03-10T10:00:00Z');
  let notebooks: string[] = [];
  let week1: string[] = [];
  const runs: Run[] = [];

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const items = (await selectItemSummaries(t.db.kysely, live.id)).filter((i) => i.type === 'notebook');
    notebooks = items.map((i) => i.route);
    week1 = items.filter((i) => i.week === 1).map((i) => i.route);
    for (const slug of ['spring', 'autumn']) {
      runs.push(
        await insertTestRun(t.db.kysely, now, {
          course_id: live.course_id,
          slug,
          title: slug,
          mode: 'self-paced',
          starts_at: '2026-01-01T00:00:00.000Z',
          ends_at: null,
          version_id: live.id,
        }),
      );
    }
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function learner(email: string) {
    const user = await createUser(t.db, email, { name: email.split('@')[0] });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    return { user, agent };
  }

  const mark = (agent: Agent, body: object, route = NOTEBOOK) =>
    agent.json('PUT', progressUrl(route), body, { csrf: true });

  /** The status text shown after the link to `route` in the course contents. */
  function statusOf(page: string, route: string): string | undefined {
    const li = page.match(/<li>[\s\S]*?<\/li>/g)?.find((l) => l.includes(`href="/courses/demo/${route}"`));
    if (!li) throw new Error(`no contents entry for ${route}`);
    return /class="item-status item-status-[a-z-]+"\s*>\s*<span aria-hidden="true">[^<]*<\/span>\s*([^<]+?)\s*<\/span/.exec(
      li,
    )?.[1];
  }

  it('shows nothing of progress to anonymous readers (the cached page is unchanged)', async () => {
    const page = (await new Agent(app).get('/courses/demo')).body;
    expect(page).not.toContain('<progress');
    expect(page).not.toContain('item-status');
    expect(page).not.toContain('Non commencé');
    expect(page).not.toContain('\uE010');
  });

  it('marks each notebook of the contents, with words, and shows bars per week and for the course', async () => {
    const { agent } = await learner('reader@example.org');
    const before = (await agent.get('/courses/demo')).body;
    expect(before).not.toContain('\uE010');
    for (const route of notebooks) expect(statusOf(before, route)).toBe('Non commencé');
    expect(before).toContain(`${0} / ${notebooks.length} notebooks terminés`);
    expect(before).toMatch(
      new RegExp(
        `<progress max="${notebooks.length}" value="0" aria-label="Progression dans le cours">0 / ${notebooks.length}</progress>`,
      ),
    );

    // Opening the notebook (its page asks for the saved work) starts it.
    expect((await agent.get(`/api/work/demo/${NOTEBOOK}`)).json().progress).toBe('started');
    expect(statusOf((await agent.get('/courses/demo')).body, NOTEBOOK)).toBe('Commencé');

    const done = await mark(agent, { state: 'done', reason: 'button' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ progress: 'done' });
    const after = (await agent.get('/courses/demo')).body;
    expect(statusOf(after, NOTEBOOK)).toBe('Terminé');
    expect(statusOf(after, OTHER)).toBe('Non commencé');
    expect(after).toContain(`1 / ${notebooks.length} notebooks terminés`);
    expect(after).toMatch(
      new RegExp(
        `<progress max="${week1.length}" value="1" aria-label="Progression : Semaine 1[^"]*">1 / ${week1.length}</progress>`,
      ),
    );
    // In English too.
    const english = (await agent.get('/courses/demo', { 'accept-language': 'en' })).body;
    expect(english).toContain(`1 / ${notebooks.length} notebooks done`);
    expect(statusOf(english, NOTEBOOK)).toBe('Done');
  });

  it('never downgrades "done" when the learner reaches the end again; the button can', async () => {
    const { agent } = await learner('rules@example.org');
    expect((await mark(agent, { state: 'started', reason: 'end' })).json().progress).toBe('started');
    expect((await mark(agent, { state: 'done', reason: 'end' })).json().progress).toBe('done');
    expect((await mark(agent, { state: 'started', reason: 'end' })).json().progress).toBe('done');
    expect((await agent.get(`/api/work/demo/${NOTEBOOK}`)).json().progress).toBe('done');
    expect((await mark(agent, { state: 'started', reason: 'button' })).json().progress).toBe('started');
    expect((await agent.get(`/api/work/demo/${NOTEBOOK}`)).json().progress).toBe('started');
    expect((await mark(agent, { state: 'done', reason: 'button' })).json().progress).toBe('done');
  });

  it('refuses malformed progress (400) and unknown items (404)', async () => {
    const { agent } = await learner('badprogress@example.org');
    for (const body of [{ state: 'finished', reason: 'button' }, { state: 'done' }, { state: 'done', reason: 'why' }]) {
      const res = await mark(agent, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toBe('BAD_REQUEST');
    }
    expect((await mark(agent, { state: 'done', reason: 'button' }, 'w1/nope')).statusCode).toBe(404);
    expect(
      (await agent.json('PUT', '/api/progress/nope/w1/x', { state: 'done', reason: 'button' }, { csrf: true }))
        .statusCode,
    ).toBe(404);
  });

  it('keeps progress when the learner changes session, and shows it on "my courses"; others\' stay apart', async () => {
    const { user, agent } = await learner('switcher@example.org');
    expect(await enrol(t.db.kysely, user.id, runs[0]!, now)).toBe('enrolled');
    await mark(agent, { state: 'done', reason: 'button' });
    await mark(agent, { state: 'started', reason: 'end' }, OTHER);
    const dashboard = (await agent.get('/me')).body;
    expect(dashboard).toContain(`1 / ${notebooks.length} notebooks terminés`);
    expect(dashboard).toMatch(/<progress max="\d+" value="1" aria-label="Progression : [^"]+">/);

    expect(await enrol(t.db.kysely, user.id, runs[1]!, now)).toBe('switched');
    const course = (await agent.get('/courses/demo')).body;
    expect(statusOf(course, NOTEBOOK)).toBe('Terminé');
    expect(statusOf(course, OTHER)).toBe('Commencé');
    expect((await agent.get('/me')).body).toContain(`1 / ${notebooks.length} notebooks terminés`);

    const other = await learner('someone-else@example.org');
    const theirs = (await other.agent.get('/courses/demo')).body;
    expect(statusOf(theirs, NOTEBOOK)).toBe('Non commencé');
    expect(theirs).toContain(`0 / ${notebooks.length} notebooks terminés`);
  });
});
