// Fairness between learners (issue 11, ADR 035), through the real HTTP API, the real sandbox and
// both databases: two hostile accounts flood the queue with submissions that sleep past the wall
// clock, and an honest learner's verdict still arrives within one run; admission limits answer 429
// (one address) and 503 (the whole queue) with a Retry-After; a crashed grading job ends its
// submission failed.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { registerGradeExercise } from '../src/lib/grading/grade-job.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const DUREE = { slug: 'demo', route: 'w1/w1-s3-x1-duree', module: 'corrections.exo_duree', exercise: 'exo_duree' };
const IMPORT = 'from corrections.exo_duree import exo_duree';
const RIGHT = 'def duree(s):\n    h, r = divmod(s, 3600)\n    m, s = divmod(r, 60)\n    return f"{h:02}:{m:02}:{s:02}"';
const SLEEPER = 'import time\ntime.sleep(30)\ndef duree(s):\n    return ""';
/** The learner's wall clock in these tests (10 s in production): a flood run lasts this long. */
const WALL_MS = 4000;

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
});

describe.each(DIALECTS)('fair grading on %s', (dialect) => {
  let t: TestDb;
  let learners = 0;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox });
  }, 120_000);
  afterAll(async () => {
    await t.cleanup();
  });

  async function serve(
    settings: Record<string, string>,
    options: { start: boolean },
  ): Promise<{ app: FastifyInstance; jobs: DbJobQueue }> {
    const jobs = new DbJobQueue(t.db, { pollMs: 50, leaseMs: 500, listenUrl: t.databaseUrl, concurrency: 2 });
    registerGradeExercise(jobs, t.db.kysely, sandbox, { limits: { wallMs: WALL_MS } });
    const app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir, ...settings }),
      db: t.db,
      logger: false,
      jobs,
      grading: { sandbox, unsafe: false, problem: undefined },
    });
    if (options.start) jobs.start();
    return { app, jobs };
  }

  /** Stops a test's server and forgets its queue, so the next test starts from an empty one. */
  async function finish(app: FastifyInstance, jobs: DbJobQueue): Promise<void> {
    await jobs.stop({ abandon: true });
    await app.close();
    await sql`delete from jobs`.execute(t.db.kysely);
    await sql`delete from submissions`.execute(t.db.kysely);
  }

  async function learner(app: FastifyInstance, ip?: string): Promise<Agent> {
    const user = await createUser(t.db, `fair${++learners}-${dialect}@example.org`);
    const agent = new Agent(app, ip);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return agent;
  }

  const post = (agent: Agent, cells: string[]) =>
    agent.json(
      'POST',
      '/api/submissions',
      { ...DUREE, cells, browser: { ok: true, passed: 6, total: 6 } },
      { csrf: true },
    );

  async function verdict(
    agent: Agent,
    id: number,
  ): Promise<{ status: string; reason?: string; verdict?: { ok: boolean } }> {
    for (;;) {
      const json = (await agent.json('GET', `/api/submissions/${id}`)).json<{ status: string }>();
      if (json.status === 'done' || json.status === 'failed') return json;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('two accounts flooding sleep(30) submissions delay an honest verdict by one run at most', async () => {
    const { app, jobs } = await serve({}, { start: true });
    try {
      const hostile = [await learner(app), await learner(app)];
      const flood: number[] = [];
      for (let i = 0; i < 10; i++) {
        for (const agent of hostile) {
          const res = await post(agent, [IMPORT, `${SLEEPER}\n# ${i}`, 'exo_duree.correction(duree)']);
          expect(res.statusCode, res.body).toBe(202);
          flood.push(res.json<{ id: number }>().id);
        }
      }
      // Both slots are taken by the flood when the honest learner submits.
      await expect
        .poll(
          async () =>
            Number(
              (await sql<{ n: number }>`select count(*) as n from jobs where status = 'running'`.execute(t.db.kysely))
                .rows[0]!.n,
            ),
          { timeout: 5000 },
        )
        .toBe(2);
      const honest = await learner(app);
      const started = Date.now();
      const res = await post(honest, [IMPORT, RIGHT, 'exo_duree.correction(duree)']);
      expect(res.statusCode).toBe(202);
      const outcome = await verdict(honest, res.json<{ id: number }>().id);
      const latency = Date.now() - started;
      expect(outcome).toMatchObject({ status: 'done', verdict: { ok: true } });
      // First come, first served would put it behind twenty runs (ten rounds of WALL_MS): it waits
      // for one slot to free, then runs.
      expect(latency).toBeLessThan(WALL_MS + 2500);
      // Never two runs of one learner at once, while the flood goes on.
      const twice = await sql<{ fair_key: string }>`
        select fair_key from jobs where status = 'running' and fair_key is not null
        group by fair_key having count(*) > 1`.execute(t.db.kysely);
      expect(twice.rows).toEqual([]);
      // The flood's runs end as the wall clock says, failed with a reason.
      const first = await verdict(hostile[0]!, flood[0]!);
      expect(first).toMatchObject({ status: 'failed', reason: 'timeout' });
    } finally {
      await finish(app, jobs);
    }
  }, 60_000);

  it('admission: 429 past the waiting submissions of one address, 503 past the whole queue, with Retry-After', async () => {
    // No workers: every accepted submission stays waiting.
    const { app, jobs } = await serve({ gradingPendingPerAddress: '3', gradingQueueMax: '5' }, { start: false });
    try {
      const classroom = [await learner(app, '198.51.100.7'), await learner(app, '198.51.100.7')];
      let n = 0;
      const cells = (): string[] => [IMPORT, RIGHT, `exo_duree.correction(duree)  # ${n++}`];
      for (let i = 0; i < 3; i++) expect((await post(classroom[i % 2]!, cells())).statusCode).toBe(202);
      // A fourth from the same address, by either account: refused, nothing stored.
      for (const agent of classroom) {
        const refused = await post(agent, cells());
        expect(refused.statusCode).toBe(429);
        expect(refused.headers['retry-after']).toBe('10');
        expect(refused.json()).toMatchObject({ error: 'TOO_MANY_PENDING' });
      }
      expect(await jobs.pending({ kind: 'grade.exercise' })).toBe(3);
      // Others elsewhere are still served, until the whole queue is full.
      const elsewhere = [await learner(app, '203.0.113.1'), await learner(app, '203.0.113.2')];
      expect((await post(elsewhere[0]!, cells())).statusCode).toBe(202);
      expect((await post(elsewhere[1]!, cells())).statusCode).toBe(202);
      const full = await post(elsewhere[0]!, cells());
      expect(full.statusCode).toBe(503);
      expect(full.headers['retry-after']).toBe('30');
      expect(full.json()).toMatchObject({ error: 'GRADING_BUSY' });
      // Practice checks go through the same door.
      const check = await elsewhere[1]!.json('POST', '/api/checks', { ...DUREE, cells: cells() }, { csrf: true });
      expect(check.statusCode).toBe(503);
    } finally {
      await finish(app, jobs);
    }
  }, 60_000);

  it('a grading job whose worker died on its last attempt ends its submission failed, not queued forever', async () => {
    const { app, jobs } = await serve({}, { start: false });
    try {
      const agent = await learner(app);
      const res = await post(agent, [IMPORT, RIGHT, 'exo_duree.correction(duree)']);
      const { id } = res.json<{ id: number }>();
      // What two crashes leave: the job "running" on its last attempt, its lease long expired.
      await sql`update jobs set status = 'running', attempts = max_attempts, worker = 'gone',
        lease_until = '2000-01-01T00:00:00.000Z'`.execute(t.db.kysely);
      jobs.start();
      const outcome = await verdict(agent, id);
      expect(outcome).toMatchObject({ status: 'failed', reason: 'crashed' });
    } finally {
      await finish(app, jobs);
    }
  }, 60_000);
});
