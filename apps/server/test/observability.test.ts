import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { currentRequestId, withRequestId } from '../src/lib/observability/context.ts';
import { Metrics } from '../src/lib/observability/metrics.ts';
import { Agent } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, REPO_ROOT } from './fixtures.ts';

const TOKEN = 'a-long-enough-metrics-token';
const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');

/** The value of one series in a Prometheus exposition, or 0 when it is absent. */
function series(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((w) => inside.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

/** Metrics, readiness and request ids (issue 16), on both databases. */
describe.each(DIALECTS)('observability on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let metrics: Metrics;
  let jobs: DbJobQueue;
  let draining = false;
  const ran: (string | undefined)[] = [];

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    metrics = new Metrics(t.db, { process: 'web+worker' });
    jobs = new DbJobQueue(t.db, { concurrency: 1, pollMs: 50, observer: metrics.queueObserver() });
    jobs.registerHandler('test.echo', async (payload: { n: number }) => {
      ran.push(currentRequestId());
      if (payload.n < 0) throw new Error('negative');
      return { n: payload.n };
    });
    const config = loadConfig({}, { dataDir: t.dataDir, metricsToken: TOKEN });
    app = await buildApp({ config, db: t.db, logger: false, jobs, metrics, draining: () => draining });
  });
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  const scrape = async (): Promise<string> => {
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return res.body;
  };

  it('serves /metrics to the token only; its request series move with traffic, by route pattern', async () => {
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-of-same-size!!' } }))
        .statusCode,
    ).toBe(401);
    const labels = { method: 'GET', route: '/courses/:slug', status: '200' };
    const before = series(await scrape(), 'carnet_http_requests_total', labels);
    for (let i = 0; i < 3; i++) expect((await new Agent(app).get('/courses/demo')).statusCode).toBe(200);
    const text = await scrape();
    expect(series(text, 'carnet_http_requests_total', labels)).toBe(before + 3);
    expect(
      series(text, 'carnet_http_request_duration_seconds_count', { method: 'GET', route: '/courses/:slug' }),
    ).toBeGreaterThanOrEqual(3);
    expect((await new Agent(app).get('/courses/demo/no-such-page')).statusCode).toBe(404);
    expect(text).not.toContain('no-such-page');
    // The process's own: event-loop lag, memory, and the caches.
    expect(text).toMatch(/^carnet_nodejs_eventloop_lag_seconds[ {]/m);
    expect(series(text, 'carnet_cache_lookups', { cache: 'pages', result: 'hit' })).toBeGreaterThan(0);
    if (dialect === 'postgres') expect(text).toMatch(/^carnet_db_pool_connections\{state="total"/m);
  });

  it('counts jobs by kind and outcome, their wait and run times, and the queue depth from the database', async () => {
    const queued = await jobs.enqueue('test.echo', { n: 1 });
    await jobs.enqueue('test.echo', { n: 2 });
    expect(series(await scrape(), 'carnet_jobs_queued', { kind: 'test.echo' })).toBe(2);
    jobs.start();
    const failing = await jobs.enqueue('test.echo', { n: -1 });
    await jobs.waitFor(queued, 10_000);
    await jobs.waitFor(failing, 10_000);
    await jobs.stop();
    const text = await scrape();
    expect(series(text, 'carnet_jobs_finished_total', { kind: 'test.echo', status: 'done' })).toBe(2);
    expect(series(text, 'carnet_jobs_finished_total', { kind: 'test.echo', status: 'failed' })).toBe(1);
    expect(series(text, 'carnet_job_run_seconds_count', { kind: 'test.echo' })).toBe(3);
    expect(series(text, 'carnet_job_wait_seconds_count', { kind: 'test.echo' })).toBe(3);
    expect(series(text, 'carnet_jobs_queued', { kind: 'test.echo' })).toBe(0);
    expect(series(text, 'carnet_jobs_running', { kind: 'test.echo' })).toBe(0);
  });

  it('gives every response its request id, takes a proxy’s safe one, and hands it to the jobs a request queues', async () => {
    const own = await app.inject({ url: '/courses/demo' });
    expect(String(own.headers['x-request-id'])).toMatch(/^[0-9a-f]{8}[0-9a-z]{4,}$/);
    const proxied = await app.inject({ url: '/courses/demo', headers: { 'x-request-id': 'proxy-7f3a9c21' } });
    expect(proxied.headers['x-request-id']).toBe('proxy-7f3a9c21');
    const hostile = await app.inject({ url: '/courses/demo', headers: { 'x-request-id': 'evil\nline: injected' } });
    expect(hostile.headers['x-request-id']).not.toContain('evil');

    ran.length = 0;
    const id = await withRequestId('req-12345678', () => jobs.enqueue('test.echo', { n: 3 }));
    const row = await t.db.kysely
      .selectFrom('jobs')
      .select('request_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.request_id).toBe('req-12345678');
    const outside = await jobs.enqueue('test.echo', { n: 4 });
    jobs.start();
    await jobs.waitFor(id, 10_000);
    await jobs.waitFor(outside, 10_000);
    await jobs.stop();
    expect(ran).toContain('req-12345678');
    expect(ran).toContain(`job-${outside}`);
  });

  it('answers /readyz 200 when it should get traffic, 503 once it is stopping; /healthz stays 200', async () => {
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    draining = true;
    const stopping = await app.inject({ url: '/readyz' });
    expect(stopping.statusCode).toBe(503);
    expect(stopping.json()).toEqual({ status: 'stopping' });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    draining = false;
  });

  it('has no /metrics without a token configured, and a readiness that waits for migrations', async () => {
    const bare = await createTestDb(dialect, { migrate: false });
    try {
      const quiet = await buildApp({ config: loadConfig({}, { dataDir: bare.dataDir }), db: bare.db, logger: false });
      const readiness = await quiet.inject({ url: '/readyz' });
      expect(readiness.statusCode).toBe(503);
      expect(readiness.json().status).toBe('migrations pending');
      expect((await quiet.inject({ url: '/metrics' })).statusCode).toBe(404);
      await quiet.close();
    } finally {
      await bare.cleanup();
    }
  });
});

describe('web servers and workers as processes', () => {
  let t: TestDb;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    t = await createTestDb('postgres');
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await t.cleanup();
  });

  function start(
    command: 'serve' | 'worker',
    env: Record<string, string>,
  ): Promise<{ url: string; child: ChildProcess; output: () => string }> {
    const child = spawn(process.execPath, [CARNET, command, ...(command === 'serve' ? ['--port', '0'] : [])], {
      env: {
        ...process.env,
        CARNET_DATA_DIR: t.dataDir,
        DATABASE_URL: t.databaseUrl!,
        CARNET_LOG_LEVEL: 'info',
        CARNET_METRICS_TOKEN: TOKEN,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`carnet ${command} did not start:\n${output}`)), 20_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /(?:serving on |running jobs \(.*; )(http:\/\/[^\s/]+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({ url: match[1]!, child, output: () => output });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`carnet ${command} exited with ${code}:\n${output}`)));
    });
  }

  it('a web server that runs no jobs leaves them to a worker; the worker serves only its operational endpoints and stops on SIGTERM, finishing its job', async () => {
    const web = await start('serve', { CARNET_RUN_JOBS: 'false' });
    const worker = await start('worker', { CARNET_WORKER_PORT: '0' });
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${worker.url}/`)).status).toBe(404);
    const scraped = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await scraped.text()).toContain('process="worker"');
    const page = await fetch(`${web.url}/`);
    expect(page.status).toBe(200);
    const requestId = page.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    // A job queued in the database is run by the worker, not by the web server.
    const queue = new DbJobQueue(t.db);
    const id = await withRequestId('ops-test-0001', () => queue.enqueue('notifications.send', {}));
    for (let i = 0; i < 100; i++) {
      const job = await queue.get(id);
      if (job?.status === 'done' || job?.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(worker.output()).toContain('ops-test-0001');
    expect(web.output()).not.toContain('ops-test-0001');

    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
    worker.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const webExit = new Promise<number | null>((resolve) => web.child.once('exit', (code) => resolve(code)));
    web.child.kill('SIGTERM');
    expect(await webExit).toBe(0);
  }, 60_000);
});
