import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../src/db/database.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { registerSandboxRun, SANDBOX_RUN } from '../src/lib/jobs/sandbox-job.ts';
import type { Sandbox, SandboxResult } from '../src/lib/sandbox/sandbox.ts';
import { loadConfig } from '../src/config.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import { buildApp } from '../src/app.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { insertSubmission, setSubmissionJob, updateSubmissionOutcome } from '../src/models/submissions.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DIALECTS)('the job queue on %s', (dialect) => {
  let test: TestDb;
  const queues: DbJobQueue[] = [];
  const extraDbs: { close(): Promise<void> }[] = [];

  function queue(options: ConstructorParameters<typeof DbJobQueue>[1] = {}, db = test.db): DbJobQueue {
    const q = new DbJobQueue(db, { pollMs: 50, leaseMs: 300, listenUrl: test.databaseUrl, ...options });
    queues.push(q);
    return q;
  }

  afterEach(async () => {
    for (const q of queues.splice(0)) await q.stop({ abandon: true });
    for (const db of extraDbs.splice(0)) await db.close();
    await test?.cleanup();
  });

  it('runs a job and stores its result; a failing handler fails the job with its message', async () => {
    test = await createTestDb(dialect);
    const q = queue();
    q.registerHandler(
      'double',
      async (payload: { n: number }) => ({ twice: payload.n * 2 }),
      z.object({ n: z.number() }),
    );
    q.registerHandler('boom', async () => {
      throw new Error('no luck');
    });
    q.start();
    const id = await q.enqueue('double', { n: 21 });
    const done = await q.waitFor(id, 5000);
    expect(done).toMatchObject({ status: 'done', attempts: 1, result: { twice: 42 }, kind: 'double' });
    const failed = await q.waitFor(await q.enqueue('boom', {}), 5000);
    expect(failed).toMatchObject({ status: 'failed', error: 'no luck', attempts: 1 });
    const invalid = await q.waitFor(await q.enqueue('double', { n: 'x' }), 5000);
    expect(invalid.status).toBe('failed');
    expect(await q.get(999_999)).toBeUndefined();
  });

  it('never runs more jobs at once than its concurrency, and runs each job once', async () => {
    test = await createTestDb(dialect);
    const q = queue({ concurrency: 3 });
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    q.registerHandler('work', async (payload: { i: number }) => {
      running++;
      peak = Math.max(peak, running);
      seen.push(payload.i);
      await sleep(20);
      running--;
      return payload.i;
    });
    q.start();
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => q.enqueue('work', { i })));
    const records = await Promise.all(ids.map((id) => q.waitFor(id, 10_000)));
    expect(records.map((r) => r.result)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('shares work between two workers without running a job twice', async () => {
    test = await createTestDb(dialect);
    const second = openDatabase({ databaseUrl: test.databaseUrl, dataDir: test.dataDir, poolSize: 4 });
    extraDbs.push(second);
    const runs = new Map<number, string[]>();
    const worker = (name: string, db = test.db): DbJobQueue => {
      const q = queue({ concurrency: 2 }, db);
      q.registerHandler('work', async (payload: { i: number }) => {
        runs.set(payload.i, [...(runs.get(payload.i) ?? []), name]);
        await sleep(5);
        return name;
      });
      return q;
    };
    const a = worker('a');
    const b = worker('b', second);
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => a.enqueue('work', { i })));
    a.start();
    b.start();
    const records = await Promise.all(ids.map((id) => a.waitFor(id, 10_000)));
    expect(records.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
    expect([...runs.values()].every((names) => names.length === 1)).toBe(true);
    expect(runs.size).toBe(40);
    expect(new Set(records.map((r) => r.result))).toEqual(new Set(['a', 'b']));
  });

  it('serves keys in turn, one job of a key at a time: a backlog delays others by one run per slot', async () => {
    test = await createTestDb(dialect);
    const q = queue({ concurrency: 2 });
    const started: string[] = [];
    const running = new Map<string, number>();
    let overlap = false;
    q.registerHandler('work', async (payload: { key: string; i: number }) => {
      const now = (running.get(payload.key) ?? 0) + 1;
      running.set(payload.key, now);
      if (now > 1) overlap = true;
      started.push(`${payload.key}${payload.i}`);
      await sleep(40);
      running.set(payload.key, now - 1);
      return payload.key;
    });
    // Two flooding keys, ten jobs each, enqueued first.
    const flood = [];
    for (const key of ['a', 'b']) {
      for (let i = 0; i < 10; i++) flood.push(await q.enqueue('work', { key, i }, { fairKey: key, group: 'net' }));
    }
    expect(await q.pending({ kind: 'work' })).toBe(20);
    expect(await q.pending({ kind: 'work', fairKey: 'a' })).toBe(10);
    expect(await q.pending({ kind: 'work', group: 'net' })).toBe(20);
    expect(await q.pending({ kind: 'work', group: 'elsewhere' })).toBe(0);
    q.start();
    await sleep(150);
    // An honest key arrives in the middle of the flood: it waits for at most one run per slot.
    const before = started.length;
    const honest = await q.enqueue('work', { key: 'c', i: 0 }, { fairKey: 'c' });
    await q.waitFor(honest, 10_000);
    expect(started.indexOf('c0') - before).toBeLessThanOrEqual(2);
    await Promise.all(flood.map((id) => q.waitFor(id, 20_000)));
    expect(overlap).toBe(false);
    // Each key's jobs in order; the two keys alternate rather than one draining first.
    for (const key of ['a', 'b']) {
      expect(started.filter((s) => s.startsWith(key))).toEqual(Array.from({ length: 10 }, (_, i) => `${key}${i}`));
    }
    const firstHalf = started.slice(0, 10);
    expect(firstHalf.filter((s) => s.startsWith('a')).length).toBeGreaterThanOrEqual(4);
    expect(firstHalf.filter((s) => s.startsWith('b')).length).toBeGreaterThanOrEqual(4);
  });

  it('with a slot free, a new key starts at once while flooding keys run one job each', async () => {
    test = await createTestDb(dialect);
    const q = queue({ concurrency: 3 });
    let peak = 0;
    let running = 0;
    q.registerHandler('work', async (payload: { wait: number }) => {
      peak = Math.max(peak, ++running);
      await sleep(payload.wait);
      running--;
      return null;
    });
    q.start();
    const flood = [];
    for (const key of ['a', 'b']) {
      for (let i = 0; i < 5; i++) flood.push(await q.enqueue('work', { wait: 300 }, { fairKey: key }));
    }
    await sleep(100);
    const t0 = Date.now();
    await q.waitFor(await q.enqueue('work', { wait: 0 }, { fairKey: 'c' }), 10_000);
    // Well under one flooding run (300 ms): the third slot was free, the flooders held one each.
    expect(Date.now() - t0).toBeLessThan(250);
    await Promise.all(flood.map((id) => q.waitFor(id, 20_000)));
    expect(peak).toBe(2 + 1);
  });

  it("tells a kind's failure hook when a job fails for good: thrown, invalid, or abandoned twice", async () => {
    test = await createTestDb(dialect);
    const failures: { payload: unknown; error: string }[] = [];
    const onFailed = async (payload: unknown, error: string): Promise<void> => {
      failures.push({ payload, error });
    };
    const q = queue({ leaseMs: 200 });
    q.registerHandler(
      'job',
      async (payload: { n: number }, { signal }) => {
        if (payload.n === 1) throw new Error('no luck');
        if (payload.n === 3) await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return payload.n;
      },
      z.object({ n: z.number() }),
      { onFailed },
    );
    q.start();
    expect((await q.waitFor(await q.enqueue('job', { n: 0 }), 5000)).status).toBe('done');
    expect((await q.waitFor(await q.enqueue('job', { n: 1 }), 5000)).status).toBe('failed');
    expect((await q.waitFor(await q.enqueue('job', { n: 'x' }), 5000)).status).toBe('failed');
    expect(failures.map((f) => f.payload)).toEqual([{ n: 1 }, { n: 'x' }]);
    expect(failures[0]!.error).toBe('no luck');
    // A job whose worker dies on each attempt: the second death fails it, and the hook hears of it.
    const dying = await q.enqueue('job', { n: 3 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await expect.poll(async () => (await q.get(dying))?.attempts, { timeout: 5000 }).toBe(attempt);
      await q.stop({ abandon: true });
      q.start();
    }
    await expect.poll(() => failures.length, { timeout: 5000 }).toBe(3);
    expect(failures[2]).toMatchObject({ payload: { n: 3 } });
    expect((await q.get(dying))?.status).toBe('failed');
  });

  it('keeps a queued job across a restart', async () => {
    test = await createTestDb(dialect);
    const before = queue();
    const id = await before.enqueue('later', { word: 'kept' });
    await before.stop();
    // A new process: a new connection to the same database.
    const db = openDatabase({ databaseUrl: test.databaseUrl, dataDir: test.dataDir, poolSize: 2 });
    extraDbs.push(db);
    const after = queue({}, db);
    after.registerHandler('later', async (payload: { word: string }) => payload.word.toUpperCase());
    after.start();
    expect(await after.waitFor(id, 5000)).toMatchObject({ status: 'done', result: 'KEPT', attempts: 1 });
  });

  it('retries a job once when its worker dies while running it, then gives up', async () => {
    test = await createTestDb(dialect);
    const hang = (): Promise<never> => new Promise(() => {});
    const crashing = queue();
    crashing.registerHandler('fragile', hang);
    crashing.start();
    const id = await crashing.enqueue('fragile', {});
    await expect.poll(async () => (await crashing.get(id))?.status, { timeout: 5000 }).toBe('running');
    await crashing.stop({ abandon: true }); // the crash: the row stays "running", its lease runs out

    const attempts: number[] = [];
    const recovering = queue();
    recovering.registerHandler('fragile', async (_payload, { attempt }) => {
      attempts.push(attempt);
      return 'second time lucky';
    });
    recovering.start();
    expect(await recovering.waitFor(id, 5000)).toMatchObject({
      status: 'done',
      attempts: 2,
      result: 'second time lucky',
    });
    expect(attempts).toEqual([2]);
    await recovering.stop();

    // Crashing on both attempts: failed, with a reason, never run a third time.
    const twice = queue();
    twice.registerHandler('fragile', hang);
    twice.start();
    const id2 = await twice.enqueue('fragile', {});
    await expect.poll(async () => (await twice.get(id2))?.attempts, { timeout: 5000 }).toBe(1);
    await twice.stop({ abandon: true });
    const again = queue();
    again.registerHandler('fragile', hang);
    again.start();
    await expect.poll(async () => (await again.get(id2))?.attempts, { timeout: 5000 }).toBe(2);
    await again.stop({ abandon: true });
    const last = queue();
    last.registerHandler('fragile', async () => 'third');
    last.start();
    const record = await last.waitFor(id2, 5000);
    expect(record).toMatchObject({ status: 'failed', attempts: 2 });
    expect(record.error).toMatch(/stopped .* on its last attempt/);
  });

  it('a stopping worker finishes its running jobs first', async () => {
    test = await createTestDb(dialect);
    const q = queue();
    q.registerHandler('slow', async () => {
      await sleep(200);
      return 'finished';
    });
    q.start();
    const id = await q.enqueue('slow', {});
    await expect.poll(async () => (await q.get(id))?.status, { timeout: 5000 }).toBe('running');
    await q.stop();
    expect(await q.get(id)).toMatchObject({ status: 'done', result: 'finished' });
  });

  it('prunes finished jobs past the retention in batches, never queued or recent ones', async () => {
    test = await createTestDb(dialect);
    let now = new Date('2026-03-01T10:00:00Z');
    const q = queue({ clock: () => now, retentionDays: 14, pruneBatch: 2 });
    q.registerHandler('echo', async (payload: { i: number }) => payload.i);
    q.registerHandler('boom', async () => {
      throw new Error('no luck');
    });
    q.start();
    const old = await Promise.all([1, 2, 3, 4, 5].map((i) => q.enqueue('echo', { i })));
    const oldFailed = await q.enqueue('boom', {});
    await Promise.all([...old, oldFailed].map((id) => q.waitFor(id, 5000)));
    await q.stop();
    now = new Date('2026-03-10T10:00:00Z');
    const later = queue({ clock: () => now });
    later.registerHandler('echo', async (payload: { i: number }) => payload.i);
    later.start();
    const recent = await later.enqueue('echo', { i: 6 });
    await later.waitFor(recent, 5000);
    await later.stop();
    // Never run: no handler for it anywhere, so it stays queued, however old.
    const waiting = await q.enqueue('nobody', {});
    now = new Date('2026-03-16T10:00:00Z'); // 15 days after the old jobs, 6 after the recent one
    expect(await q.prune()).toBe(6);
    const left = await test.db.kysely.selectFrom('jobs').select(['id', 'status']).orderBy('id').execute();
    expect(left).toEqual([
      { id: recent, status: 'done' },
      { id: waiting, status: 'queued' },
    ]);
    expect(await q.prune()).toBe(0);
    // 0 days: keep forever.
    now = new Date('2027-01-01T00:00:00Z');
    expect(await queue({ clock: () => now, retentionDays: 0 }).prune()).toBe(0);
    expect(await queue({ clock: () => now }).prune()).toBe(1);
  });

  it('a pruned grading job leaves its submission whole: status, verdict, history and staff page', async () => {
    test = await createTestDb(dialect);
    await importCourse(test.db, { source: DEMO_COURSE, slug: 'demo', dataDir: test.dataDir });
    const live = (await selectOptionalLiveVersionBySlug(test.db.kysely, 'demo'))!;
    const learner = await createUser(test.db, 'learner@example.org', { name: 'Learner' });
    const key = {
      userId: learner.id,
      courseId: live.course_id,
      route: 'w1/w1-s3-x1-duree',
      module: 'corrections.exo_duree',
      exercise: 'exo_duree',
    };
    const id = await insertSubmission(test.db.kysely, key, {
      versionId: live.id,
      cells: JSON.stringify(['def duree(a, b): return 0']),
      cellsHash: 'h',
      browser: JSON.stringify({ ok: false, passed: 0, total: 1 }),
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    let now = new Date('2026-01-01T00:00:00Z');
    const q = queue({ clock: () => now });
    q.registerHandler('grade.test', async () => 'graded');
    q.start();
    const jobId = await q.enqueue('grade.test', { submissionId: id });
    await setSubmissionJob(test.db.kysely, id, jobId);
    await q.waitFor(jobId, 5000);
    const verdict = { ok: false, passed: 0, total: 1, rows: [] };
    await updateSubmissionOutcome(test.db.kysely, id, {
      status: 'done',
      verdict: JSON.stringify(verdict),
      ok: false,
      finishedAt: now.toISOString(),
    });
    now = new Date('2026-02-01T00:00:00Z');
    expect(await q.prune()).toBe(1);
    expect(await q.get(jobId)).toBeUndefined();

    const app = await buildApp({ config: loadConfig({}, { dataDir: test.dataDir }), db: test.db, logger: false });
    try {
      const agent = new Agent(app);
      await agent.login(learner.email, learner.password);
      const one = await agent.json('GET', `/api/submissions/${id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ id, status: 'done', verdict });
      const history = await agent.json('GET', `/api/submissions?slug=demo&route=${key.route}`);
      expect(history.json<{ submissions: { id: number }[] }>().submissions.map((s) => s.id)).toEqual([id]);
      const admin = await createUser(test.db, 'admin@example.org', { admin: true });
      const staff = new Agent(app);
      await staff.login(admin.email, admin.password);
      const page = await staff.get('/manage/courses/demo/submissions');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('exo_duree');
    } finally {
      await app.close();
    }
  });

  it('a started queue prunes by itself', async () => {
    test = await createTestDb(dialect);
    const now = new Date('2026-03-01T10:00:00Z');
    const q = queue({ clock: () => now, pruneEveryMs: 50 });
    q.registerHandler('echo', async () => 'ok');
    await test.db.kysely
      .insertInto('jobs')
      .values({
        kind: 'echo',
        payload: '{}',
        status: 'done',
        result: '"ok"',
        created_at: '2026-01-01T00:00:00.000Z',
        finished_at: '2026-01-01T00:00:01.000Z',
      })
      .execute();
    q.start();
    await expect
      .poll(async () => (await test.db.kysely.selectFrom('jobs').select('id').execute()).length, { timeout: 5000 })
      .toBe(0);
  });

  it('runs sandbox.run jobs in the real sandbox, and refuses them without one', async () => {
    test = await createTestDb(dialect);
    const config = loadConfig({});
    const setup = await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: false });
    const q = queue({ leaseMs: 30_000 });
    registerSandboxRun(q, setup.sandbox as Sandbox, setup.problem);
    q.start();
    const id = await q.enqueue(SANDBOX_RUN, {
      files: { text: { 'modules/greet.py': 'def hello(name):\n    return f"Bonjour {name}"\n' } },
      pythonPath: ['modules'],
      program: { code: 'from greet import hello\nprint(hello(input()))' },
      stdin: 'Ada\n',
    });
    const record = await q.waitFor(id, 10_000);
    expect(record.status).toBe('done');
    expect(record.result as SandboxResult).toMatchObject({ reason: 'ok', stdout: 'Bonjour Ada\n' });
    await q.stop();

    const refusing = queue();
    registerSandboxRun(
      refusing,
      undefined,
      'bubblewrap was not found. Install bubblewrap (apt-get install bubblewrap).',
    );
    refusing.start();
    const refused = await refusing.waitFor(await refusing.enqueue(SANDBOX_RUN, { program: { code: 'pass' } }), 5000);
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused.error).toMatch(/apt-get install bubblewrap/);
  });
});
