/**
 * Grading throughput and latency through the real path (JobQueue on SQLite → `sandbox.run` →
 * bubblewrap + CPython), against bare `bwrap … python3 -I -S -c pass` spawns measured in the same
 * run, both with 2 at a time (2 cores). The job is a stand-in for an ExerciseFunction check: define
 * a function and call it on 20 datasets. Latency: 20 concurrent submitters, each submitting,
 * waiting for the result, then thinking 0–2 s (a learner reading the result); and, for the record,
 * the same 20 submitting back to back (saturation: latency is then mostly waiting in line).
 * Targets: jobs/s ≥ bare spawns/s; p50 < 150 ms.
 *
 *   npx tsx bench/sandbox.bench.ts [--jobs 200] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../apps/server/src/config.ts';
import { openDatabase } from '../apps/server/src/db/database.ts';
import { migrateToLatest } from '../apps/server/src/db/migrate.ts';
import { DbJobQueue } from '../apps/server/src/lib/jobs/db-queue.ts';
import { registerSandboxRun, SANDBOX_RUN } from '../apps/server/src/lib/jobs/sandbox-job.ts';
import type { SandboxResult } from '../apps/server/src/lib/sandbox/sandbox.ts';
import { findExecutable, prepareSandbox, probePython } from '../apps/server/src/lib/sandbox/setup.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const PARALLEL = 2;

const config = loadConfig(process.env);
const setup = await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: false });
if (!setup.sandbox) throw new Error(`No sandbox: ${setup.problem}`);
const bwrap = findExecutable(config.bwrap)!;
const python = await probePython(findExecutable(config.python)!);
if (typeof python === 'string') throw new Error(python);

const PROGRAM = `
def check(xs):
    return sorted(set(xs))[:3], sum(x * x for x in xs) % 97

datasets = [list(range(i, 3 * i + 10, 2)) + [i, i] for i in range(20)]
results = [check(xs) for xs in datasets]
print(sum(r[1] for r in results), len(results))
`;
const EXPECTED = '947 20\n';

/** A bare sandboxed interpreter: the same namespaces, the system read-only, nothing else. */
function bareSpawn(): Promise<void> {
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/bin',
    '/bin',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--clearenv',
    (python as { executable: string }).executable,
    '-I',
    '-S',
    '-c',
    'pass',
  ];
  const runAs = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(bwrap, args, { stdio: 'ignore', env: {}, ...runAs });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bare spawn exited ${code}`))));
  });
}

async function bareRate(count: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next++ < count) await bareSpawn();
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-sandbox-'));
const db = openDatabase({ dataDir });
await migrateToLatest(db);
const queue = new DbJobQueue(db, { concurrency: PARALLEL, pollMs: 1000 });
registerSandboxRun(queue, setup.sandbox);
queue.start();

async function submit(): Promise<number> {
  const started = performance.now();
  const id = await queue.enqueue(SANDBOX_RUN, { program: { code: PROGRAM } });
  const done = await queue.waitFor(id, 60_000);
  const result = done.result as SandboxResult;
  if (done.status !== 'done' || result.reason !== 'ok' || result.stdout !== EXPECTED) {
    throw new Error(`unexpected result: ${JSON.stringify(done)}`);
  }
  return performance.now() - started;
}

async function jobRate(count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, () => submit()));
  return count / ((performance.now() - started) / 1000);
}

async function latencies(submitters: number, perSubmitter: number, thinkMs: number): Promise<number[]> {
  const all: number[] = [];
  await Promise.all(
    Array.from({ length: submitters }, async () => {
      for (let i = 0; i < perSubmitter; i++) {
        if (thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * thinkMs));
        all.push(await submit());
      }
    }),
  );
  return all.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

// Warm-up (page cache, JIT), then interleaved rounds so that noise hits both sides alike.
await bareRate(10);
await jobRate(10);
const bare: number[] = [];
const jobs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    bare.push(await bareRate(JOBS));
    jobs.push(await jobRate(JOBS));
  } else {
    jobs.push(await jobRate(JOBS));
    bare.push(await bareRate(JOBS));
  }
}
const thinking = await latencies(20, 10, 2000);
const saturated = await latencies(20, 10, 0);

const bareRateMedian = median(bare);
const jobRateMedian = median(jobs);
const results = {
  parallel: PARALLEL,
  bareSpawnsPerSecond: Math.round(bareRateMedian * 10) / 10,
  jobsPerSecond: Math.round(jobRateMedian * 10) / 10,
  ratio: Math.round((jobRateMedian / bareRateMedian) * 100) / 100,
  latencyWithThinkTime: { p50: Math.round(percentile(thinking, 50)), p99: Math.round(percentile(thinking, 99)) },
  latencySaturated: { p50: Math.round(percentile(saturated, 50)), p99: Math.round(percentile(saturated, 99)) },
};
console.log(`Sandbox grading, ${PARALLEL} at a time, medians of ${ROUNDS} rounds of ${JOBS}:`);
console.log(
  `  bare bwrap + python -c pass: ${results.bareSpawnsPerSecond}/s · jobs through JobQueue + sandbox: ${results.jobsPerSecond}/s · ratio ${results.ratio} (target ≥ 1)`,
);
console.log(
  `  20 submitters thinking 0–2 s: p50 ${results.latencyWithThinkTime.p50} ms, p99 ${results.latencyWithThinkTime.p99} ms (target p50 < 150 ms)`,
);
console.log(
  `  20 submitters back to back (saturated): p50 ${results.latencySaturated.p50} ms, p99 ${results.latencySaturated.p99} ms`,
);
record('sandbox', results);

await queue.stop();
await db.close();
rmSync(dataDir, { recursive: true, force: true });
