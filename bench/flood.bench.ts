/**
 * An honest learner's verdict while hostile accounts flood the grading queue (issue 11 §1,
 * ADR 035), through the real app (sessions, CSRF, `POST /api/submissions`), the real JobQueue and
 * the real sandbox, with the production limits (10 s wall clock per run). Each flooder posts ten
 * submissions that `time.sleep(30)`; once they hold every grading slot, honest learners submit the
 * demo's exo_duree one after another and wait for their verdict. Baseline, same run: the same
 * honest submissions on an idle queue. First come, first served, an honest learner would wait for
 * every flood run ahead of it (flooders × 10 runs × 10 s / slots); served in turn, for one slot to
 * free (≤ one wall clock).
 *
 * With as many slots as flooders (`--concurrency 2` on 2 cores) every slot is held, and an honest
 * learner waits for one to free; with more (the default), not at all.
 *
 *   npx tsx bench/flood.bench.ts [--flooders 2] [--honest 8] [--concurrency N] [--flood sleep|cpu] [--database postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import { openDatabase } from '../apps/server/src/db/database.ts';
import { migrateToLatest } from '../apps/server/src/db/migrate.ts';
import { createSession } from '../apps/server/src/lib/auth/sessions.ts';
import { GRADE_LIMITS, registerGradeExercise } from '../apps/server/src/lib/grading/grade-job.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { DbJobQueue } from '../apps/server/src/lib/jobs/db-queue.ts';
import { ForkServerSandbox } from '../apps/server/src/lib/sandbox/fork-server.ts';
import { prepareSandbox } from '../apps/server/src/lib/sandbox/setup.ts';
import { insertUser } from '../apps/server/src/models/users.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: {
    flooders: { type: 'string', default: '2' },
    honest: { type: 'string', default: '8' },
    // Default: the server's (CARNET_GRADING_CONCURRENCY, else twice the cores, 4 at least).
    concurrency: { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    // sleep: runs that wait out the wall clock; cpu: runs that burn their CPU time.
    flood: { type: 'string', default: 'sleep' },
  },
});
const FLOODERS = Number(values.flooders);
const HONEST = Number(values.honest);
const config = loadConfig(process.env);
const SLOTS = Number(values.concurrency ?? config.gradingConcurrency);
const WALL_MS = GRADE_LIMITS.wallMs ?? 10_000;

const setup = await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: false, slots: SLOTS });
if (!setup.sandbox) throw new Error(`No sandbox: ${setup.problem}`);
const sandbox = setup.sandbox;

const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-flood-'));
let databaseUrl: string | undefined;
let dropDatabase = async (): Promise<void> => {};
if (values.database === 'postgres') {
  const admin = process.env['CARNET_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `carnet_bench_flood_${process.pid}`;
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  dropDatabase = async () => {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  };
}
const db = openDatabase({ dataDir, databaseUrl });
await migrateToLatest(db);
await importCourse(db, { source: join(import.meta.dirname, '..', 'demo-course'), slug: 'demo', dataDir, sandbox });
const jobs = new DbJobQueue(db, { concurrency: SLOTS, pollMs: 1000, listenUrl: databaseUrl });
registerGradeExercise(jobs, db.kysely, sandbox);
const app = await buildApp({
  config: loadConfig({}, { dataDir, logLevel: 'warn', ...(databaseUrl ? { databaseUrl } : {}) }),
  db,
  logger: false,
  jobs,
  grading: { sandbox, unsafe: false, problem: undefined },
});
jobs.start();

let learners = 0;
async function learner(): Promise<{ cookie: string; csrf: string; ip: string }> {
  const n = ++learners;
  const user = await insertUser(
    db.kysely,
    { email: `l${n}@bench.example`, displayName: `L${n}`, passwordHash: null },
    new Date(),
  );
  const session = await createSession(db.kysely, user!.id, { idleMs: 3600_000, maxMs: 3600_000 }, new Date(), 'bench');
  // Each from its own address: the flood is not stopped by the per-address cap, only by fairness.
  return { cookie: `carnet_session=${session.token}`, csrf: session.csrfSecret, ip: `10.1.${n >> 8}.${n & 255}` };
}

const ROUTE = { slug: 'demo', route: 'w1/w1-s3-x1-duree', module: 'corrections.exo_duree', exercise: 'exo_duree' };
const RIGHT = 'def duree(s):\n    h, r = divmod(s, 3600)\n    m, s = divmod(r, 60)\n    return f"{h:02}:{m:02}:{s:02}"';

async function post(who: Awaited<ReturnType<typeof learner>>, code: string): Promise<number> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/submissions',
    remoteAddress: who.ip,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'application/json' },
    payload: {
      ...ROUTE,
      cells: ['from corrections.exo_duree import exo_duree', code, 'exo_duree.correction(duree)'],
      browser: { ok: true, passed: 6, total: 6 },
    },
  });
  if (res.statusCode !== 202) throw new Error(`submission refused: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return res.json<{ id: number }>().id;
}

async function verdict(
  who: Awaited<ReturnType<typeof learner>>,
  id: number,
): Promise<{ status: string; verdict?: { ok: boolean } }> {
  for (;;) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/submissions/${id}`,
      remoteAddress: who.ip,
      headers: { cookie: who.cookie },
    });
    const body = res.json<{ status: string; verdict?: { ok: boolean } }>();
    if (body.status === 'done' || body.status === 'failed') return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One honest learner's submission; ms until its verified verdict. */
async function honest(): Promise<number> {
  const who = await learner();
  const started = performance.now();
  const outcome = await verdict(who, await post(who, RIGHT));
  if (outcome.status !== 'done' || !outcome.verdict?.ok) throw new Error(`honest verdict: ${JSON.stringify(outcome)}`);
  return performance.now() - started;
}

async function runningJobs(): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from jobs where status = 'running'`.execute(
    db.kysely,
  );
  return Number(rows[0]!.n);
}

for (let i = 0; i < 3; i++) await honest(); // warm: the version's folders, the zygotes
const idle: number[] = [];
for (let i = 0; i < HONEST; i++) idle.push(await honest());

const flooders = await Promise.all(Array.from({ length: FLOODERS }, () => learner()));
const floodStart = performance.now();
for (let i = 0; i < 10; i++) {
  const hog = values.flood === 'cpu' ? 'while True:\n    pass' : 'import time\ntime.sleep(30)';
  for (const who of flooders) await post(who, `${hog}  # ${i}\ndef duree(s):\n    return ""`);
}
while ((await runningJobs()) < Math.min(SLOTS, FLOODERS)) await new Promise((resolve) => setTimeout(resolve, 20));
// Honest learners arrive one after another, spread over a wall clock, while the flood runs.
const flooded: number[] = [];
for (let i = 0; i < HONEST; i++) {
  flooded.push(await honest());
  await new Promise((resolve) => setTimeout(resolve, WALL_MS / HONEST));
}
const floodMs = performance.now() - floodStart;

idle.sort((a, b) => a - b);
flooded.sort((a, b) => a - b);
const fifoMs = Math.ceil((FLOODERS * 10) / SLOTS) * WALL_MS;
const results = {
  database: values.database,
  flood: values.flood,
  flooders: FLOODERS,
  slots: SLOTS,
  wallMs: WALL_MS,
  idleMs: { p50: Math.round(median(idle)), max: Math.round(idle.at(-1)!) },
  floodedMs: { p50: Math.round(median(flooded)), max: Math.round(flooded.at(-1)!) },
  maxOverWall: Math.round((flooded.at(-1)! / WALL_MS) * 100) / 100,
  ratio: Math.round((median(flooded) / median(idle)) * 10) / 10,
  firstComeFirstServedMs: fifoMs,
};
console.log(
  `Honest verdicts (exo_duree) under a flood of ${FLOODERS} accounts × 10 ${values.flood === 'cpu' ? 'CPU-bound' : 'sleep(30)'} runs, ${SLOTS} grading slots, ` +
    `wall clock ${WALL_MS / 1000} s, ${values.database}, ${HONEST} honest learners over ${Math.round(floodMs / 1000)} s:`,
);
console.log(
  `  idle queue: p50 ${results.idleMs.p50} ms, max ${results.idleMs.max} ms · under flood: p50 ${results.floodedMs.p50} ms,` +
    ` max ${results.floodedMs.max} ms (${results.maxOverWall} wall clock; ratio to idle ${results.ratio})` +
    ` · first come, first served would be ~${fifoMs / 1000} s for the last flood run`,
);
record(`flood-${values.database}-${values.flood}-${SLOTS}`, results);

await jobs.stop({ abandon: true });
await app.close();
if (sandbox instanceof ForkServerSandbox) sandbox.close();
await db.close();
await dropDatabase();
rmSync(dataDir, { recursive: true, force: true });
