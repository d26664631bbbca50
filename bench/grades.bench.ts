/**
 * The grade report of a big session, end to end: a generated course of 50 quiz problems (10 weeks),
 * 100,000 enrolled learners with 1–2 attempts at most problems (about 6 million stored attempts,
 * a few late), and `GET …/grades.csv` through a real listening server read by an HTTP client as a
 * stream. Targets (PostgreSQL): under 30 s and under 200 MB of memory (the server's RSS, sampled from
 * /proc). `GET /healthz` is probed during the export: the server's event loop while it grades.
 *
 * Baseline, same run, same process: reading the same rows the report reads — the same pages of
 * learners and their attempts, with the same queries — without grading, CSV or HTTP. The ratio says
 * what grading and streaming add to the reads that cannot be avoided.
 *
 *   npx tsx bench/grades.bench.ts [--database sqlite|postgres] [--learners 100000] [--rounds 1]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    learners: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '1' },
  },
});

const CARNET = join(import.meta.dirname, '..', 'apps', 'server', 'bin', 'carnet.js');

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const WEEKS = 10;
const PROBLEMS = 5;
const START = '2026-03-02T08:00:00.000Z';
const ON_TIME = '2026-03-05T10:00:00.000Z';
const LATE = '2026-07-01T00:00:00.000Z';

/** A course of WEEKS weeks, each a short notebook and a quiz of PROBLEMS single-choice problems. */
function writeCourse(root: string, notebook: (title: string) => string): void {
  for (let w = 1; w <= WEEKS; w++) {
    mkdirSync(join(root, `w${w}`), { recursive: true });
    writeFileSync(join(root, `w${w}`, `w${w}-s1-c1-lecture.md`), notebook(`Semaine ${w}`));
    const problems = Array.from(
      { length: PROBLEMS },
      (_, p) => `Problème ${w}.${p + 1}\n=====\n\n>>Combien font ${w} + ${p} ?<<\n\n( ) ${w + p + 1}\n(x) ${w + p}\n`,
    );
    writeFileSync(join(root, `w${w}`, `w${w}-s1-q1-quiz.quiz`), problems.join('\n<hr/>\n'));
  }
}

async function main(): Promise<void> {
  const { importCourse } = await import('../apps/server/src/lib/import/import-course.ts');
  const { createSession } = await import('../apps/server/src/lib/auth/sessions.ts');
  const { gradedItems } = await import('../apps/server/src/lib/grades/gradebook.ts');
  const { insertUser } = await import('../apps/server/src/models/users.ts');
  const { insertRun } = await import('../apps/server/src/models/runs.ts');
  const { selectOptionalLiveVersionBySlug } = await import('../apps/server/src/models/courses.ts');
  const { selectEnrolledLearnerPage, selectLearnerResults } =
    await import('../apps/server/src/models/learner-grades.ts');
  const { createTestDb } = await import('../apps/server/test/databases.ts');
  const { notebook } = await import('../apps/server/test/fixtures.ts');

  const dialect = values.database as 'sqlite' | 'postgres';
  const learners = Number(values.learners);
  const t = await createTestDb(dialect);
  const source = mkdtempSync(join(tmpdir(), 'carnet-bench-grades-'));
  try {
    writeCourse(source, (title) => notebook(title));
    await importCourse(t.db, { source, slug: 'big', dataDir: t.dataDir });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'big'))!;
    const items = await gradedItems(t.db.kysely, live.id);
    if (items.length !== WEEKS * PROBLEMS) throw new Error(`expected ${WEEKS * PROBLEMS} items, got ${items.length}`);
    const now = new Date();
    const run = (await insertRun(t.db.kysely, {
      course_id: live.course_id,
      slug: 'grande',
      title: 'Grande session',
      mode: 'scheduled',
      starts_at: START,
      ends_at: '2026-06-30T00:00:00.000Z',
      enrol_opens_at: null,
      enrol_closes_at: null,
      version_id: live.id,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }))!;
    const admin = (await insertUser(
      t.db.kysely,
      { email: 'admin@bench.example', displayName: 'Admin', passwordHash: null, isAdmin: true },
      now,
    ))!;

    // Generated data, inserted by the database itself (one statement per table).
    const setupStarted = performance.now();
    const at = now.toISOString();
    const series =
      dialect === 'postgres'
        ? sql`select g from generate_series(1, ${learners}) as g`
        : sql`select g from (with recursive s(g) as (select 1 union all select g + 1 from s where g < ${learners}) select g from s)`;
    await sql`insert into users (email, email_key, display_name, password_hash, created_at, updated_at)
      select 'learner' || g || '@bench.example', 'learner' || g || '@bench.example',
        case when g % 1000 = 0 then '=Learner, "' || g || '"' else 'Learner ' || g end, null, ${at}, ${at}
      from (${series}) as numbers`.execute(t.db.kysely);
    await sql`insert into enrolments (user_id, run_id, course_id, status, enrolled_at)
      select id, ${run.id}, ${live.course_id}, 'active', ${at} from users where id <> ${admin.id}`.execute(t.db.kysely);
    await sql`update runs set enrolled_count = ${learners} where id = ${run.id}`.execute(t.db.kysely);
    const itemRows = sql.join(items.map((item, i) => sql`(cast(${i} as integer), ${item.route}, ${item.ref})`));
    // Most learners try most problems (80 %), half of them twice; about 1 in 23 tries late.
    await sql`with items (idx, route, problem_id) as (values ${itemRows}),
        tries (n) as (values (1), (2))
      insert into quiz_attempts
        (user_id, course_id, version_id, run_id, route, problem_id, attempt, answers, score, max, submitted_at)
      select u.id, ${live.course_id}, ${live.id}, ${run.id}, i.route, i.problem_id, a.n, '{}',
        case when (u.id + i.idx + a.n) % 3 = 0 then 0 else 1 end, 1,
        case when (u.id * 7 + i.idx) % 23 = 0 then ${LATE} else ${ON_TIME} end
      from users u cross join items i cross join tries a
      where u.id <> ${admin.id} and (u.id * 7 + i.idx * 13) % 10 < 8 and (a.n = 1 or (u.id + i.idx) % 2 = 0)`.execute(
      t.db.kysely,
    );
    if (dialect === 'postgres') await sql`analyze`.execute(t.db.kysely);
    const attempts = Number(
      (
        await t.db.kysely
          .selectFrom('quiz_attempts')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    console.log(
      `${dialect}: ${learners.toLocaleString('en')} learners, ${items.length} items, ${attempts.toLocaleString('en')} attempts (generated in ${setupSeconds.toFixed(1)} s)`,
    );

    // The server: the real `carnet serve`, in its own process, so that its memory is its own.
    const db = t.db;
    const port = await freePort();
    const server = spawn(process.execPath, [CARNET, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
      env: { ...process.env, DATABASE_URL: t.databaseUrl ?? '', CARNET_DATA_DIR: t.dataDir, CARNET_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`carnet serve exited (${code})`)));
      server.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Carnet is serving')) resolve();
      });
    });
    const address = new URL(`http://127.0.0.1:${port}`);
    const session = await createSession(db.kysely, admin.id, { idleMs: 3600_000, maxMs: 3600_000 }, now, 'bench');

    /** The server's resident memory now, and its high-water mark, from /proc (bytes). */
    const serverMemory = () => {
      const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
      return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
    };
    let peak = 0;
    const sample = () => {
      peak = Math.max(peak, serverMemory().rss);
    };

    /** The report through HTTP: bytes and lines read as they come, nothing kept. */
    const download = () =>
      new Promise<{ ms: number; bytes: number; lines: number }>((resolve, reject) => {
        const started = performance.now();
        const req = http.get(
          {
            host: address.hostname,
            port: address.port,
            path: '/manage/courses/big/runs/grande/grades.csv',
            headers: { cookie: `carnet_session=${session.token}` },
          },
          (res) => {
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
            let bytes = 0;
            let lines = 0;
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
            });
            res.on('end', () => resolve({ ms: performance.now() - started, bytes, lines }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
      });

    /** The latency of `GET /healthz` (ms): the server's event loop while it exports. */
    const health = () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        http
          .get({ host: address.hostname, port: address.port, path: '/healthz' }, (res) => {
            res.resume();
            res.on('end', () => resolve(performance.now() - started));
          })
          .on('error', reject);
      });
    /** Probes `/healthz` one after the other, 50 ms apart, until `done` resolves. */
    const probeHealth = async (done: Promise<unknown>) => {
      const latencies: number[] = [];
      let over = false;
      void done.finally(() => (over = true));
      while (!over) {
        latencies.push(await health());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return latencies.sort((a, b) => a - b);
    };

    /** The baseline: the same pages and queries, rows counted, no grading, no CSV, no HTTP. */
    const readOnly = async () => {
      const started = performance.now();
      let after = 0;
      let rows = 0;
      for (;;) {
        const page = await selectEnrolledLearnerPage(db.kysely, run.id, after, 1000);
        if (page.length === 0) break;
        const results = await selectLearnerResults(
          db.kysely,
          run.course_id,
          page.map((l) => l.id),
        );
        for (const r of results.values()) rows += r.attempts.length;
        after = page.at(-1)!.id;
      }
      return { ms: performance.now() - started, rows };
    };

    const rounds = Number(values.rounds);
    const exportMs: number[] = [];
    const baselineMs: number[] = [];
    let last = { bytes: 0, lines: 0 };
    let healthMs: number[] = [];
    const rssBefore = serverMemory().rss;
    for (let r = 0; r < rounds; r++) {
      const base = await readOnly();
      if (base.rows !== attempts) throw new Error(`baseline read ${base.rows} attempts of ${attempts}`);
      baselineMs.push(base.ms);
      const timer = setInterval(sample, 20);
      const downloading = download();
      const [result, latencies] = await Promise.all([downloading, probeHealth(downloading)]);
      healthMs = latencies;
      clearInterval(timer);
      sample();
      if (result.lines !== learners + 1) throw new Error(`expected ${learners + 1} lines, got ${result.lines}`);
      exportMs.push(result.ms);
      last = result;
    }
    const hwm = serverMemory().hwm;
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));

    const mb = (bytes: number) => bytes / 1024 / 1024;
    const figures = {
      database: dialect,
      learners,
      items: items.length,
      attempts,
      exportSeconds: median(exportMs) / 1000,
      baselineSeconds: median(baselineMs) / 1000,
      ratio: median(exportMs) / median(baselineMs),
      csvMegabytes: mb(last.bytes),
      serverRssBeforeMegabytes: mb(rssBefore),
      serverPeakRssMegabytes: mb(peak),
      serverHighWaterMegabytes: mb(hwm),
      healthProbes: healthMs.length,
      healthP50Ms: healthMs[Math.floor(healthMs.length * 0.5)] ?? 0,
      healthMaxMs: healthMs.at(-1) ?? 0,
    };
    console.log(
      [
        `grade report CSV (${dialect}): ${figures.exportSeconds.toFixed(1)} s for ${learners.toLocaleString('en')} rows, ${figures.csvMegabytes.toFixed(1)} MB (target < 30 s)`,
        `  baseline, the same reads without grading/CSV/HTTP: ${figures.baselineSeconds.toFixed(1)} s — ratio ${figures.ratio.toFixed(2)}`,
        `  server memory (carnet serve, its own process): peak RSS while exporting ${figures.serverPeakRssMegabytes.toFixed(0)} MB, high-water mark ${figures.serverHighWaterMegabytes.toFixed(0)} MB (before the export: ${figures.serverRssBeforeMegabytes.toFixed(0)} MB; target < 200 MB)`,
        `  GET /healthz during the export (last round, ${figures.healthProbes} probes): p50 ${figures.healthP50Ms.toFixed(1)} ms, max ${figures.healthMaxMs.toFixed(0)} ms`,
      ].join('\n'),
    );
    record(`grades-${dialect}`, figures);
  } finally {
    rmSync(source, { recursive: true, force: true });
    await t.cleanup();
  }
}

await main();
