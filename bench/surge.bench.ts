/**
 * A day-one surge on several processes (issue 16): `--web N` web servers (`carnet serve`, no jobs)
 * and `--workers M` job workers (`carnet worker`) on a private PostgreSQL server, and `--learners
 * L` virtual learners arriving over `--seconds S`, each doing a first day once (sign-up with the
 * e-mailed link, login, enrolment, course and notebook pages with their runtime files, saves, a
 * wrong then a right submission graded in the sandbox, a quiz answer, the forum). The same load is
 * played first on 1 web server + 1 worker (the baseline, same run), then on N + M; with --faults a
 * third time on N + M while one web server and one worker are killed with SIGKILL and PostgreSQL
 * is restarted. Every acknowledged save, submission, quiz answer and post is then looked for in
 * the database.
 *
 *   npx tsx bench/surge.bench.ts [--web 2] [--workers 2] [--learners 150] [--seconds 20] [--think 200] [--faults]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { prepareWorld, scrapeSum, startCluster, type Cluster, type SurgeWorld } from './lib/cluster.ts';
import { intact, runSurge, verifySurge, type SurgeResult, type Verification } from './lib/surge.ts';
import { record } from './report.ts';

const { values } = parseArgs({
  options: {
    web: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    learners: { type: 'string', default: '150' },
    seconds: { type: 'string', default: '20' },
    think: { type: 'string', default: '200' },
    faults: { type: 'boolean', default: false },
  },
});
const web = Number(values.web);
const workers = Number(values.workers);
const learners = Number(values.learners);
const seconds = Number(values.seconds);
const thinkMs = Number(values.think);
if (values.faults && (web < 2 || workers < 2)) throw new Error('--faults needs --web 2 and --workers 2 at least');

/** Pages a learner waits on, and saves: the p99 < 200 ms target applies to these. */
const TARGETED = /^(page:|put:save$)/;

interface Played {
  layout: string;
  result: SurgeResult;
  verification: Verification;
  serverRequests: number;
  gradingJobs: number;
  load: number[];
}

const loads = { before: loadavg() };
console.log(`surge: ${learners} learners over ${seconds} s, think ${thinkMs} ms; load average ${fmtLoad(loadavg())}`);
const world = await prepareWorld();
const played: Played[] = [];
try {
  played.push(await play(world, 'baseline', { web: 1, workers: 1 }, false));
  played.push(await play(world, 'surge', { web, workers }, false));
  if (values.faults) played.push(await play(world, 'faults', { web, workers }, true));
} finally {
  await world.destroy();
}

for (const p of played) report(p);
const [base, surge] = played as [Played, Played];
const ratio = surge.result.rps / base.result.rps;
console.log(
  `\nscaling: ${web} web + ${workers} workers ${surge.result.rps.toFixed(1)} req/s in ${surge.result.wallSeconds.toFixed(1)} s` +
    ` vs 1 + 1 ${base.result.rps.toFixed(1)} req/s in ${base.result.wallSeconds.toFixed(1)} s: ratio ${ratio.toFixed(2)}`,
);
console.log(`load average before ${fmtLoad(loads.before)}, after ${fmtLoad(loadavg())}`);
record('surge', {
  options: { web, workers, learners, seconds, thinkMs, faults: values.faults },
  ratio,
  runs: played.map((p) => ({ ...p, result: { ...p.result, acknowledged: undefined } })),
});
const failed = played.some((p) => p.result.errors > 0 || !intact(p.verification));
process.exitCode = failed ? 1 : 0;

async function play(world: SurgeWorld, name: string, layout: { web: number; workers: number }, faults: boolean) {
  const cluster: Cluster = await startCluster(world, `surge_${name}`, layout);
  const label = `${name}-${Date.now().toString(36)}`;
  console.log(`\n${name}: ${layout.web} web + ${layout.workers} workers…`);
  try {
    const events = faults
      ? [
          { at: 0.3, name: `kill -9 web server 1 of ${layout.web}`, run: () => kill(cluster.webs[0]!) },
          { at: 0.5, name: `kill -9 worker 1 of ${layout.workers} (while grading)`, run: () => killWorker(cluster) },
          { at: 0.7, name: 'PostgreSQL restart', run: () => world.postgres.restart() },
        ]
      : [];
    const result = await runSurge(
      {
        servers: cluster.webs.map((w) => w.url),
        slug: world.slug,
        runId: world.runId,
        cells: world.cells,
        dataDir: world.dataDir,
      },
      { learners, seconds, thinkMs, label, events },
    );
    const serverRequests = await scrapeSum(cluster.webs, 'carnet_http_requests_total');
    const gradingJobs = await scrapeSum(cluster.workers, 'carnet_jobs_finished_total', { kind: 'grade.exercise' });
    const verification = await verifySurge(cluster.databaseUrl, result.acknowledged);
    // The survivors still serve; a process that died without being killed is a crash.
    for (const p of [...cluster.webs, ...cluster.workers]) {
      const { exitCode, signalCode } = p.child;
      if (signalCode === 'SIGKILL') continue;
      if (exitCode !== null || signalCode !== null) {
        result.errors++;
        result.errorSamples.unshift(`${p.role} ${p.url} died (${exitCode ?? signalCode}): ${p.output().slice(-1500)}`);
        continue;
      }
      if (p.role !== 'web') continue;
      const ready = await fetch(`${p.url}/readyz`).catch((e: Error) => ({ status: e.message }));
      if (ready.status !== 200) {
        result.errors++;
        result.errorSamples.unshift(`survivor ${p.url} /readyz ${ready.status}`);
      }
    }
    return {
      layout: `${layout.web} web + ${layout.workers} workers`,
      result,
      verification,
      serverRequests,
      gradingJobs,
      load: loadavg(),
    };
  } finally {
    await cluster.stop();
  }
}

async function kill(process: { child: { kill(signal: NodeJS.Signals): boolean }; exited(): Promise<void> }) {
  process.child.kill('SIGKILL');
  await process.exited();
}

/** Kills the first worker once it holds a running grading job (or after 10 s of waiting). */
async function killWorker(cluster: Cluster): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: cluster.databaseUrl });
  await client.connect();
  const pid = cluster.workers[0]!.child.pid!;
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query(
        "select 1 from jobs where status = 'running' and kind = 'grade.exercise' and worker like $1",
        [`%:${pid}:%`],
      );
      if (rows.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
  await kill(cluster.workers[0]!);
}

function report(p: Played): void {
  const { result, verification: v } = p;
  console.log(
    `\n== ${result.label} — ${p.layout}: ${result.learnersDone}/${learners} learners done in ${result.wallSeconds.toFixed(1)} s,` +
      ` ${result.requests} requests, ${result.rps.toFixed(1)} req/s, ${result.errors} errors, ${result.retries} retries; load ${fmtLoad(p.load)}`,
  );
  console.log('action                  count   req/s    p50 ms   p99 ms  errors  retries');
  for (const [name, a] of Object.entries(result.actions)) {
    const flag = TARGETED.test(name) && a.p99 >= 200 ? '  ← p99 ≥ 200 ms' : '';
    console.log(
      `${name.padEnd(22)} ${String(a.count).padStart(6)} ${a.rps.toFixed(1).padStart(7)} ${a.p50.toFixed(1).padStart(9)} ${a.p99.toFixed(1).padStart(8)} ${String(a.errors).padStart(7)} ${String(a.retries).padStart(8)}${flag}`,
    );
  }
  console.log(
    `verdict (submit → graded, as the learner polls): p50 ${result.verdict.p50.toFixed(0)} ms, p99 ${result.verdict.p99.toFixed(0)} ms`,
  );
  console.log(
    `server-side: ${p.serverRequests} requests counted by the surviving web servers' /metrics, ${p.gradingJobs} grading jobs by the surviving workers'`,
  );
  for (const e of result.events)
    console.log(
      `fault at ${e.atSeconds.toFixed(1)} s: ${e.name} (${e.tookMs.toFixed(0)} ms)${e.error ? ` FAILED ${e.error}` : ''}`,
    );
  console.log(
    `database: ${v.savesChecked} acknowledged saves, ${v.savesLost.length} lost; ${v.submissionsChecked} accepted submissions,` +
      ` ${v.submissionsNotGraded.length} not graded, ${v.wrongVerdicts.length} wrong verdicts, ${v.jobProblems.length} job problems,` +
      ` ${v.jobsRetried} jobs retried after a lost lease; ${v.learnersMissing} accounts, ${v.quizAttemptsMissing} quiz answers, ${v.postsMissing} posts missing` +
      ` — ${intact(v) ? 'nothing lost' : 'LOST OR WRONG'}`,
  );
  for (const line of [...v.savesLost, ...v.submissionsNotGraded, ...v.wrongVerdicts, ...v.jobProblems].slice(0, 10))
    console.log(`  ${line}`);
  for (const sample of result.errorSamples.slice(0, 10)) console.log(`  error: ${sample}`);
}

function fmtLoad(l: number[]): string {
  return l.map((x) => x.toFixed(2)).join(' ');
}
