/**
 * Verified grading throughput and latency through the real path: the demo course imported into
 * SQLite (its exercise modules sealed by the real sealing code), learners' submissions of the
 * `exo_duree` ExerciseFunction stored (an enrolled learner's, so a pass also refreshes their grade), and the `grade.exercise` job handler run by the JobQueue
 * (untrusted run of the cells in the fork-server, then the trusted judge, ADR 025 and 027) —
 * against bare `bwrap … python3 -I -S -c pass` spawns measured in the same run, 2 at a time
 * (2 cores). Latency (submit → verified verdict stored): 20 concurrent learners, each submitting,
 * waiting for the verdict, then reading it 0–2 s; and back to back (saturation, for the record).
 * Targets (issue 5 §6): graded submissions/s ≥ bare spawns/s; p50 < 150 ms.
 *
 *   npx tsx bench/grading.bench.ts [--jobs 200] [--rounds 3] [--no-fork-server]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../apps/server/src/config.ts';
import { openDatabase } from '../apps/server/src/db/database.ts';
import { migrateToLatest } from '../apps/server/src/db/migrate.ts';
import { queueSubmission, registerGradeExercise } from '../apps/server/src/lib/grading/grade-job.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { DbJobQueue } from '../apps/server/src/lib/jobs/db-queue.ts';
import { enrol } from '../apps/server/src/lib/runs/enrolment.ts';
import { insertRun } from '../apps/server/src/models/runs.ts';
import { ForkServerSandbox } from '../apps/server/src/lib/sandbox/fork-server.ts';
import { findExecutable, prepareSandbox, probePython } from '../apps/server/src/lib/sandbox/setup.ts';
import { selectOptionalLiveVersionBySlug } from '../apps/server/src/models/courses.ts';
import { selectSubmissionById } from '../apps/server/src/models/submissions.ts';
import { insertUser } from '../apps/server/src/models/users.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'no-fork-server': { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const PARALLEL = 2;

const config = loadConfig(process.env);
const setup = await prepareSandbox({
  python: config.python,
  bwrap: config.bwrap,
  unsafeGrading: false,
  slots: PARALLEL,
  noForkServer: values['no-fork-server'],
});
if (!setup.sandbox) throw new Error(`No sandbox: ${setup.problem}`);
const sandbox = setup.sandbox;
const bwrap = findExecutable(config.bwrap)!;
const python = await probePython(findExecutable(config.python)!);
if (typeof python === 'string') throw new Error(python);

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

const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-grading-'));
const db = openDatabase({ dataDir });
await migrateToLatest(db);
await importCourse(db, { source: join(import.meta.dirname, '..', 'demo-course'), slug: 'demo', dataDir, sandbox });
const version = (await selectOptionalLiveVersionBySlug(db.kysely, 'demo'))!;
// Enrolled learners, as in a MOOC session (a pass also refreshes the learner's grade, ADR 029),
// each submitting a few times: LEARNERS of them, taking turns.
const LEARNERS = 200;
const run = (await insertRun(db.kysely, {
  course_id: version.course_id,
  slug: 'bench',
  title: 'Bench',
  mode: 'self-paced',
  starts_at: new Date(Date.now() - 86_400_000).toISOString(),
  ends_at: null,
  enrol_opens_at: null,
  enrol_closes_at: null,
  version_id: version.id,
  created_at: new Date().toISOString(),
  updated_at: new Date().toISOString(),
}))!;
const learners: number[] = [];
for (let i = 0; i < LEARNERS; i++) {
  const user = (await insertUser(
    db.kysely,
    { email: `bench${i}@example.org`, displayName: `bench ${i}`, passwordHash: null },
    new Date(),
  ))!;
  if ((await enrol(db.kysely, user.id, run, new Date())) !== 'enrolled') throw new Error('could not enrol');
  learners.push(user.id);
}
const queue = new DbJobQueue(db, { concurrency: PARALLEL, pollMs: 1000 });
registerGradeExercise(queue, db.kysely, sandbox);
queue.start();

const ROUTE = 'w1/w1-s3-x1-duree';
const CELLS = [
  'from corrections.exo_duree import exo_duree',
  [
    'def duree(secondes):',
    '    h, reste = divmod(secondes, 3600)',
    '    m, s = divmod(reste, 60)',
    '    return f"{h:02}:{m:02}:{s:02}"',
  ].join('\n'),
  'exo_duree.correction(duree)',
];
let serial = 0;

/** One learner's submission, stored as the API stores it, graded by the job; ms to the verdict. */
async function submit(): Promise<number> {
  const started = performance.now();
  const cells = [...CELLS, `# ${serial++}`];
  const id = await queueSubmission(
    db.kysely,
    queue,
    {
      userId: learners[serial % LEARNERS]!,
      courseId: version.course_id,
      route: ROUTE,
      module: 'corrections.exo_duree',
      exercise: 'exo_duree',
    },
    {
      versionId: version.id,
      cells: JSON.stringify(cells),
      cellsHash: String(serial),
      browser: JSON.stringify({ ok: true, passed: 8, total: 8 }),
      createdAt: new Date().toISOString(),
    },
    { address: '192.0.2.1' },
  );
  const job = (await selectSubmissionById(db.kysely, id)).job_id!;
  const done = await queue.waitFor(job, 60_000);
  const row = await selectSubmissionById(db.kysely, id);
  if (done.status !== 'done' || row.status !== 'done' || row.ok !== 1) {
    throw new Error(`not verified: ${JSON.stringify({ job: done, row })}`);
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
  sandbox: sandbox instanceof ForkServerSandbox ? 'fork-server' : 'one bwrap per run',
  parallel: PARALLEL,
  bareSpawnsPerSecond: Math.round(bareRateMedian * 10) / 10,
  gradedPerSecond: Math.round(jobRateMedian * 10) / 10,
  ratio: Math.round((jobRateMedian / bareRateMedian) * 100) / 100,
  latencyWithThinkTime: { p50: Math.round(percentile(thinking, 50)), p99: Math.round(percentile(thinking, 99)) },
  latencySaturated: { p50: Math.round(percentile(saturated, 50)), p99: Math.round(percentile(saturated, 99)) },
};
console.log(`Verified grading (${results.sandbox}), ${PARALLEL} at a time, medians of ${ROUNDS} rounds of ${JOBS}:`);
console.log(
  `  bare bwrap + python -c pass: ${results.bareSpawnsPerSecond}/s · graded submissions (exo_duree, JobQueue + obtain + judge): ${results.gradedPerSecond}/s · ratio ${results.ratio} (target ≥ 1)`,
);
console.log(
  `  20 learners reading 0–2 s between submissions: p50 ${results.latencyWithThinkTime.p50} ms, p99 ${results.latencyWithThinkTime.p99} ms (target p50 < 150 ms)`,
);
console.log(
  `  20 learners back to back (saturated): p50 ${results.latencySaturated.p50} ms, p99 ${results.latencySaturated.p99} ms`,
);
record(values['no-fork-server'] ? 'grading-bwrap' : 'grading', results);

await queue.stop();
if (sandbox instanceof ForkServerSandbox) sandbox.close();
await db.close();
rmSync(dataDir, { recursive: true, force: true });
