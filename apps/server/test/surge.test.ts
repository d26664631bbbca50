import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareWorld,
  scrapeSum,
  startCluster,
  surgeEnv,
  type Cluster,
  type SurgeWorld,
} from '../../../bench/lib/cluster.ts';
import { EXERCISE, intact, runSurge, verifySurge, type SurgeResult } from '../../../bench/lib/surge.ts';
import { openDatabase } from '../src/db/database.ts';
import { createUser } from './agent.ts';
import { startCarnet } from './processes.ts';

/**
 * Issue 16's surge and its faults, on real processes (`carnet serve` without jobs, `carnet worker`)
 * and a private PostgreSQL server (restarted here: never the machine's shared one). Virtual
 * learners do a first day (bench/lib/surge.ts) and retry over the web servers on connection
 * errors, 502 and 503; afterwards every acknowledged save, submission, quiz answer and post is
 * looked for in the database.
 */
describe('a day-one surge on several processes', () => {
  let world: SurgeWorld;
  const clusters: Cluster[] = [];
  beforeAll(async () => {
    world = await prepareWorld();
  }, 90_000);
  afterAll(async () => {
    for (const cluster of clusters) await cluster.stop();
    await world?.destroy();
  });

  const target = (cluster: Cluster) => ({
    servers: cluster.webs.map((w) => w.url),
    slug: world.slug,
    runId: world.runId,
    cells: world.cells,
    dataDir: world.dataDir,
  });
  async function cluster(name: string, layout: { web: number; workers: number }): Promise<Cluster> {
    const started = await startCluster(world, name, layout);
    clusters.push(started);
    return started;
  }
  /** 0 errors, every learner through, nothing acknowledged missing; the verification, for more checks. */
  async function expectIntact(c: Cluster, result: SurgeResult, learners: number) {
    expect(result.errorSamples).toEqual([]);
    expect(result.errors).toBe(0);
    expect(result.learnersDone).toBe(learners);
    const verification = await verifySurge(c.databaseUrl, result.acknowledged);
    expect(verification.savesChecked).toBe(learners * 4);
    expect(verification.submissionsChecked).toBe(learners * 2);
    expect(intact(verification), JSON.stringify(verification)).toBe(true);
    return verification;
  }
  const readyz = async (url: string) => (await fetch(`${url}/readyz`)).status;

  it('2 web servers + 1 worker: every learner through with 0 errors, nothing lost, /metrics moved', async () => {
    const c = await cluster('short', { web: 2, workers: 1 });
    const requestsBefore = await scrapeSum(c.webs, 'carnet_http_requests_total');
    const mid: number[] = [];
    const learners = 60;
    const result = await runSurge(target(c), {
      learners,
      seconds: 10,
      thinkMs: 100,
      label: 'short',
      events: [
        {
          at: 0.8,
          name: 'scrape',
          run: async () => {
            mid.push(await scrapeSum(c.webs, 'carnet_http_requests_total'));
            mid.push(await scrapeSum(c.workers, 'carnet_jobs_finished_total', { kind: 'grade.exercise' }));
          },
        },
      ],
    });
    await expectIntact(c, result, learners);
    // Both servers took their share; the series moved with the traffic, during it and after.
    const perServer = await Promise.all(c.webs.map((w) => scrapeSum([w], 'carnet_http_requests_total')));
    for (const n of perServer) expect(n).toBeGreaterThan(result.requests / 4);
    expect(mid[0]!).toBeGreaterThan(requestsBefore);
    const requestsAfter = await scrapeSum(c.webs, 'carnet_http_requests_total');
    expect(requestsAfter - requestsBefore).toBeGreaterThanOrEqual(result.requests);
    expect(
      await scrapeSum(c.webs, 'carnet_http_requests_total', { method: 'PUT', route: '/api/work/*', status: '200' }),
    ).toBe(result.actions['put:save']!.count);
    const graded = await scrapeSum(c.workers, 'carnet_jobs_finished_total', { kind: 'grade.exercise', status: 'done' });
    expect(graded).toBe(learners * 2);
    expect(graded).toBeGreaterThan(mid[1]!);
    await c.stop();
  }, 120_000);

  it('kill -9 of a web server during saves: clients move to the other, every acknowledged save is stored', async () => {
    const c = await cluster('webkill', { web: 2, workers: 1 });
    const learners = 24;
    const result = await runSurge(target(c), {
      learners,
      seconds: 6,
      thinkMs: 100,
      label: 'webkill',
      events: [
        {
          at: 0.5,
          name: 'kill -9 web 1',
          run: async () => {
            c.webs[0]!.child.kill('SIGKILL');
            await c.webs[0]!.exited();
          },
        },
      ],
    });
    expect(c.webs[0]!.child.signalCode).toBe('SIGKILL');
    // The kill landed in the middle: requests were retried on the survivor.
    expect(result.retries).toBeGreaterThan(0);
    await expectIntact(c, result, learners);
    expect(await readyz(c.webs[1]!.url)).toBe(200);
    await c.stop();
  }, 120_000);

  it('kill -9 of a worker while it grades: another worker retries the job after its lease, graded once', async () => {
    const c = await cluster('workerkill', { web: 1, workers: 1 });
    const [web] = c.webs;
    const learner = await logIn(world, web!.url, c.databaseUrl);
    // A run that lasts long enough to be killed in the middle of it, then passes.
    const cells = [EXERCISE.import, 'import time\ntime.sleep(2)', EXERCISE.right, EXERCISE.correction];
    const posted = await learner.json('POST', '/api/submissions', {
      slug: world.slug,
      route: EXERCISE.route,
      module: EXERCISE.module,
      exercise: EXERCISE.exercise,
      cells,
      browser: { ok: true, passed: 6, total: 6 },
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: number };
    const db = new pg.Client({ connectionString: c.databaseUrl });
    await db.connect();
    try {
      const job = async () =>
        (
          await db.query<{ id: number; status: string; attempts: number; worker: string | null }>(
            "select id, status, attempts, worker from jobs where kind = 'grade.exercise' and payload like $1",
            [`%"submissionId":${id}}%`],
          )
        ).rows;
      const first = c.workers[0]!;
      for (let i = 0; ; i++) {
        const [row] = await job();
        if (row?.status === 'running' && row.worker?.includes(`:${first.child.pid}:`)) break;
        if (i > 200) throw new Error(`the worker never ran the job: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      first.child.kill('SIGKILL');
      await first.exited();
      const second = await startCarnet('worker', surgeEnv(world, c.databaseUrl));
      c.workers.push(second);
      // Graded once the lease (30 s) has run out, by the other worker.
      let state: { status: string; verdict?: { ok: boolean } } = { status: 'queued' };
      for (let i = 0; i < 120 && state.status !== 'done' && state.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        state = (await (await learner.json('GET', `/api/submissions/${id}`)).json()) as typeof state;
      }
      expect(state).toMatchObject({ status: 'done', verdict: { ok: true } });
      const rows = await job();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'done', attempts: 2 });
      const stored = await db.query<{ status: string; verdict: string }>(
        'select status, verdict from submissions where id = $1',
        [id],
      );
      expect(stored.rows[0]!.status).toBe('done');
      expect((JSON.parse(stored.rows[0]!.verdict) as { ok: boolean }).ok).toBe(true);
      expect(second.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      await db.end();
    }
    await c.stop();
  }, 120_000);

  it('a PostgreSQL restart mid-load: clients retry, the servers recover without restart, nothing acknowledged lost', async () => {
    const c = await cluster('pgrestart', { web: 2, workers: 1 });
    const learners = 24;
    const result = await runSurge(target(c), {
      learners,
      seconds: 6,
      thinkMs: 100,
      label: 'pgrestart',
      events: [{ at: 0.5, name: 'PostgreSQL restart', run: () => world.postgres.restart() }],
    });
    expect(result.events.map((e) => e.error)).toEqual([undefined]);
    await expectIntact(c, result, learners);
    for (const p of [...c.webs, ...c.workers]) expect(p.child.exitCode).toBeNull();
    for (const w of c.webs) expect(await readyz(w.url)).toBe(200);
    await c.stop();
  }, 120_000);
});

/** A learner created in the database and logged in through the form; JSON requests with its CSRF token. */
async function logIn(world: SurgeWorld, url: string, databaseUrl: string) {
  const db = openDatabase({ databaseUrl, dataDir: world.dataDir, poolSize: 1 });
  const { email, password } = await createUser(db, `grader-${Date.now()}@example.org`).finally(() => db.close());
  const headers = { 'x-forwarded-for': '10.200.0.1' };
  const form = await fetch(`${url}/login`, { headers });
  const anonymous = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie: anonymous.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
  expect(login.status).toBe(303);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('carnet_session='))!;
  const { csrf } = (await (await fetch(`${url}/api/session`, { headers: { ...headers, cookie } })).json()) as {
    csrf: string;
  };
  return {
    json: (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { ...headers, cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}
