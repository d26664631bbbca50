/**
 * Practice checks of an exercise the server checks (ADR 034): `POST /api/checks` through the real
 * app (sessions, CSRF, the submissions API), the real JobQueue and sandbox (fork-server), on the
 * demo course's `exo_moyenne` — a course subclass the browser cannot reproduce, so the learner's
 * cells run untrusted and the module itself judges in a second, trusted run. Each learner's check
 * is answered once graded: that wait is what they see after `correction()`. Baseline, same run:
 * one bare `bwrap … python3 -I -S -c pass`, one at a time. Target (issue 11 §2): p50 < 300 ms.
 *
 *   npx tsx bench/checks.bench.ts [--checks 40] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import { openDatabase } from '../apps/server/src/db/database.ts';
import { migrateToLatest } from '../apps/server/src/db/migrate.ts';
import { createSession } from '../apps/server/src/lib/auth/sessions.ts';
import { registerGradeExercise } from '../apps/server/src/lib/grading/grade-job.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { DbJobQueue } from '../apps/server/src/lib/jobs/db-queue.ts';
import { ForkServerSandbox } from '../apps/server/src/lib/sandbox/fork-server.ts';
import { prepareSandbox } from '../apps/server/src/lib/sandbox/setup.ts';
import { insertUser } from '../apps/server/src/models/users.ts';
import { median, record } from './report.ts';
import { bareSandbox, percentile } from './sandbox-baseline.ts';

const { values } = parseArgs({
  options: { checks: { type: 'string', default: '40' }, rounds: { type: 'string', default: '3' } },
});
const CHECKS = Number(values.checks);
const ROUNDS = Number(values.rounds);
const PARALLEL = 2;

const config = loadConfig(process.env);
const setup = await prepareSandbox({
  python: config.python,
  bwrap: config.bwrap,
  unsafeGrading: false,
  slots: PARALLEL,
});
if (!setup.sandbox) throw new Error(`No sandbox: ${setup.problem}`);
const sandbox = setup.sandbox;
const bare = await bareSandbox(config);

const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-checks-'));
const db = openDatabase({ dataDir });
await migrateToLatest(db);
await importCourse(db, { source: join(import.meta.dirname, '..', 'demo-course'), slug: 'demo', dataDir, sandbox });
const jobs = new DbJobQueue(db, { concurrency: PARALLEL, pollMs: 1000 });
registerGradeExercise(jobs, db.kysely, sandbox);
const app = await buildApp({
  config: loadConfig({}, { dataDir, logLevel: 'warn' }),
  db,
  logger: false,
  jobs,
  grading: { sandbox, unsafe: false, problem: undefined },
});
jobs.start();

// Enough learners that none reaches the 10 checks a minute a learner may make.
const learners: { cookie: string; csrf: string }[] = [];
for (let i = 0; i < CHECKS * (ROUNDS + 1); i++) {
  const user = await insertUser(
    db.kysely,
    { email: `l${i}@bench.example`, displayName: `L${i}`, passwordHash: null },
    new Date(),
  );
  const session = await createSession(db.kysely, user!.id, { idleMs: 3600_000, maxMs: 3600_000 }, new Date(), 'bench');
  learners.push({ cookie: `carnet_session=${session.token}`, csrf: session.csrfSecret });
}
let next = 0;

/** One practice check, as the page's worker sends it; ms until the table is answered. */
async function check(): Promise<number> {
  const learner = learners[next++ % learners.length]!;
  const started = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: '/api/checks',
    headers: { cookie: learner.cookie, 'x-csrf-token': learner.csrf, 'content-type': 'application/json' },
    payload: {
      slug: 'demo',
      route: 'w2/w2-s1-x1-listes',
      module: 'corrections.exo_moyenne',
      exercise: 'exo_moyenne',
      cells: [
        'from corrections.exo_moyenne import exo_moyenne',
        `def moyenne(notes):  # ${next}\n    return sum(notes) / len(notes) if notes else 0`,
        'exo_moyenne.correction(moyenne)',
      ],
    },
  });
  const body = res.json<{ status: string; verdict?: { ok: boolean; table?: string } }>();
  if (res.statusCode !== 200 || body.status !== 'done' || !body.verdict?.ok || !body.verdict.table) {
    throw new Error(`check not answered: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  return performance.now() - started;
}

async function timed(run: () => Promise<unknown>, count: number): Promise<number[]> {
  const all: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run();
    all.push(performance.now() - started);
  }
  return all;
}

await timed(check, 5); // warm: the version's folders, the zygotes
await timed(bare, 5);
const checks: number[] = [];
const spawns: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    spawns.push(...(await timed(bare, CHECKS)));
    checks.push(...(await timed(check, CHECKS)));
  } else {
    checks.push(...(await timed(check, CHECKS)));
    spawns.push(...(await timed(bare, CHECKS)));
  }
}
// Four learners checking at once, on the machine's two grading slots.
const concurrent: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  concurrent.push(...(await Promise.all(Array.from({ length: 4 }, () => timed(check, CHECKS / 4)))).flat());
}
checks.sort((a, b) => a - b);
spawns.sort((a, b) => a - b);
concurrent.sort((a, b) => a - b);
const results = {
  checks: checks.length,
  bareSpawnMs: { p50: Math.round(median(spawns)), p99: Math.round(percentile(spawns, 99)) },
  checkMs: { p50: Math.round(median(checks)), p99: Math.round(percentile(checks, 99)) },
  ratio: Math.round((median(checks) / median(spawns)) * 10) / 10,
  fourAtOnceMs: { p50: Math.round(median(concurrent)), p99: Math.round(percentile(concurrent, 99)) },
};
console.log(
  `Practice checks of a server-checked exercise (exo_moyenne), ${ROUNDS} rounds of ${CHECKS}, one at a time:`,
);
console.log(
  `  POST /api/checks → table: p50 ${results.checkMs.p50} ms, p99 ${results.checkMs.p99} ms (target p50 < 300 ms)` +
    ` · bare bwrap + python -c pass: p50 ${results.bareSpawnMs.p50} ms · ratio ${results.ratio}`,
);
console.log(`  four learners at once: p50 ${results.fourAtOnceMs.p50} ms, p99 ${results.fourAtOnceMs.p99} ms`);
record('checks', results);

await jobs.stop();
await app.close();
if (sandbox instanceof ForkServerSandbox) sandbox.close();
await db.close();
rmSync(dataDir, { recursive: true, force: true });
