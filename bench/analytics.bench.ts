/**
 * A session's analytics page at MOOC scale (issue 14): a generated course of 10 weeks (3 notebooks
 * and a 5-problem quiz each, 20 exercises), 100,000 enrolled learners who fall away week by week
 * (91 % reach week 1, 10 % week 10), with their item progress, about one passing submission for
 * three failing ones, quiz attempts (1 or 2 per problem), 60 days of activity and the failing-row
 * counters; then `GET /manage/courses/big/runs/grande/analytics` through the app (inject), p50/p99.
 * Target: under 2 s.
 *
 * Baselines, same run: the session's plain staff page (`…/runs/grande`) and a bare
 * `select count(*)` of the session's enrolments. The ratios say what the figures cost.
 *
 *   npx tsx bench/analytics.bench.ts [--database sqlite|postgres] [--learners 100000] [--rounds 10]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    learners: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '10' },
  },
});

const WEEKS = 10;
const NOTEBOOKS = 3;
const PROBLEMS = 5;
const EXERCISES = 2; // per week
const DAYS = 60;

function writeCourse(root: string, notebook: (title: string) => string): void {
  for (let w = 1; w <= WEEKS; w++) {
    mkdirSync(join(root, `w${w}`), { recursive: true });
    for (let s = 1; s <= NOTEBOOKS; s++)
      writeFileSync(join(root, `w${w}`, `w${w}-s${s}-c1-lecon.md`), notebook(`Semaine ${w}, leçon ${s}`));
    const problems = Array.from(
      { length: PROBLEMS },
      (_, p) => `Problème ${w}.${p + 1}\n=====\n\n>>Combien font ${w} + ${p} ?<<\n\n( ) ${w + p + 1}\n(x) ${w + p}\n`,
    );
    writeFileSync(join(root, `w${w}`, `w${w}-s4-q1-quiz.quiz`), problems.join('\n<hr/>\n'));
  }
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const { importCourse } = await import('../apps/server/src/lib/import/import-course.ts');
  const { createSession } = await import('../apps/server/src/lib/auth/sessions.ts');
  const { insertUser } = await import('../apps/server/src/models/users.ts');
  const { insertRun } = await import('../apps/server/src/models/runs.ts');
  const { selectOptionalLiveVersionBySlug } = await import('../apps/server/src/models/courses.ts');
  const { selectItemSummaries } = await import('../apps/server/src/models/course-items.ts');
  const { buildApp } = await import('../apps/server/src/app.ts');
  const { loadConfig } = await import('../apps/server/src/config.ts');
  const { localDay, addDays, mondayOf } = await import('../apps/server/src/lib/analytics/days.ts');
  const { createTestDb } = await import('../apps/server/test/databases.ts');
  const { notebook } = await import('../apps/server/test/fixtures.ts');

  const dialect = values.database as 'sqlite' | 'postgres';
  const learners = Number(values.learners);
  const rounds = Number(values.rounds);
  const t = await createTestDb(dialect);
  const db = t.db.kysely;
  const source = mkdtempSync(join(tmpdir(), 'carnet-bench-analytics-'));
  try {
    writeCourse(source, (title) => notebook(title));
    await importCourse(t.db, { source, slug: 'big', dataDir: t.dataDir });
    const live = (await selectOptionalLiveVersionBySlug(db, 'big'))!;
    const items = (await selectItemSummaries(db, live.id)).filter((i) => i.week !== null);
    const now = new Date();
    const zone = 'Europe/Paris';
    const today = localDay(now, zone);
    const start = new Date(Date.parse(`${addDays(today, -DAYS)}T08:00:00Z`)).toISOString();
    const run = (await insertRun(db, {
      course_id: live.course_id,
      slug: 'grande',
      title: 'Grande session',
      mode: 'scheduled',
      starts_at: start,
      ends_at: null,
      enrol_opens_at: null,
      enrol_closes_at: null,
      version_id: live.id,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }))!;
    const admin = (await insertUser(
      db,
      { email: 'admin@bench.example', displayName: 'Admin', passwordHash: null, isAdmin: true },
      now,
    ))!;

    // Generated in the database itself: one INSERT … SELECT per table, in one transaction.
    const seedStarted = performance.now();
    const at = now.toISOString();
    const series = (n: number) =>
      dialect === 'postgres'
        ? sql`select g from generate_series(1, ${n}) as g`
        : sql`select g from (with recursive s(g) as (select 1 union all select g + 1 from s where g < ${n}) select g from s)`;
    const itemRows = sql.join(
      items.map((item, i) => sql`(cast(${i} as integer), ${item.route}, cast(${item.week} as integer))`),
    );
    const exerciseRows = sql.join(
      Array.from(
        { length: WEEKS * EXERCISES },
        (_, e) => sql`(cast(${e} as integer), cast(${Math.floor(e / EXERCISES) + 1} as integer))`,
      ),
    );
    const problemRows = sql.join(
      items
        .filter((i) => i.type === 'quiz')
        .flatMap((quiz) =>
          Array.from(
            { length: PROBLEMS },
            (_, p) => sql`(cast(${p} as integer), ${quiz.route}, cast(${quiz.week} as integer), ${`p${p + 1}`})`,
          ),
        ),
    );
    const dayRows = sql.join(
      Array.from({ length: DAYS }, (_, d) => {
        const day = addDays(today, -d);
        return sql`(cast(${d} as integer), ${day}, ${mondayOf(day)})`;
      }),
    );
    // A learner u reaches week w when u % 100 < 100 - 9w: 91 % week 1 … 10 % week 10.
    const reaches = (w: string) => sql.raw(`(u.id % 100) < 100 - 9 * ${w}`);
    const verdictFail = JSON.stringify({
      ok: false,
      passed: 2,
      total: 4,
      rows: [
        {
          index: 2,
          hidden: false,
          call: 'f([1, 2, 3])',
          expected: '6',
          obtained: '5',
          ok: false,
          reason: null,
          scenario: null,
        },
      ],
    });
    const verdictPass = JSON.stringify({ ok: true, passed: 4, total: 4, rows: [] });
    await db.transaction().execute(async (trx) => {
      await sql`insert into users (email, email_key, display_name, password_hash, created_at, updated_at)
        select 'learner' || g || '@bench.example', 'learner' || g || '@bench.example', 'Learner ' || g, null, ${at}, ${at}
        from (${series(learners)}) as numbers`.execute(trx);
      await sql`insert into enrolments (user_id, run_id, course_id, status, enrolled_at)
        select id, ${run.id}, ${live.course_id}, 'active', ${at} from users where id <> ${admin.id}`.execute(trx);
      await sql`update runs set enrolled_count = ${learners} where id = ${run.id}`.execute(trx);
      // Items of the weeks reached: opened; done by 70 % of those.
      await sql`with items (idx, route, week) as (values ${itemRows})
        insert into item_progress (user_id, course_id, route, source, state, updated_at)
        select u.id, ${live.course_id}, i.route, 'reading',
          case when (u.id + i.idx) % 10 < 7 then 'done' else 'started' end, ${at}
        from users u cross join items i
        where u.id <> ${admin.id} and ${reaches('i.week')} and (u.id * 3 + i.idx) % 10 < 9`.execute(trx);
      // Exercises: of the learners who reach its week, 2 in 3 try; k = 0..6 failures (3 on
      // average), then a pass for 4 in 5 of them: about one pass for three failures.
      await sql`with exercises (e, week) as (values ${exerciseRows}), tries (n) as (select g from (${series(7)}) as t)
        insert into submissions (user_id, course_id, version_id, route, module, exercise, cells, cells_hash, browser,
          status, verdict, ok, created_at, finished_at)
        select u.id, ${live.course_id}, ${live.id}, 'w' || x.week || '/w' || x.week || '-s1-c1-lecon',
          'corrections.exo_' || x.e, 'exo_' || x.e, '["def f(values):\\n    return sum(values)"]', 'h' || a.n, '{}', 'done',
          case when a.n > (u.id * 3 + x.e) % 7 then ${verdictPass} else ${verdictFail} end,
          case when a.n > (u.id * 3 + x.e) % 7 then 1 else 0 end, ${at}, ${at}
        from users u cross join exercises x cross join tries a
        where u.id <> ${admin.id} and ${reaches('x.week')} and (u.id + x.e) % 3 <> 0
          and (a.n <= (u.id * 3 + x.e) % 7 or (a.n = (u.id * 3 + x.e) % 7 + 1 and (u.id + 2 * x.e) % 5 <> 0))`.execute(
        trx,
      );
      await sql`with exercises (e, week) as (values ${exerciseRows}), checks (c) as (select g from (${series(8)}) as t)
        insert into exercise_row_failures (run_id, module, exercise, hidden, row_index, call, failures)
        select ${run.id}, 'corrections.exo_' || x.e, 'exo_' || x.e, case when k.c > 5 then 1 else 0 end, k.c,
          'f(' || k.c || ')', 1000 * k.c + x.e
        from exercises x cross join checks k`.execute(trx);
      // Quiz problems of the weeks reached: 85 % answer, right 2 times in 3; a second attempt for half.
      await sql`with problems (p, route, week, problem_id) as (values ${problemRows}), tries (n) as (values (1), (2))
        insert into quiz_attempts (user_id, course_id, version_id, run_id, route, problem_id, attempt, answers, score, max, submitted_at)
        select u.id, ${live.course_id}, ${live.id}, ${run.id}, q.route, q.problem_id, a.n, '{"p1q1":["1"]}',
          case when (u.id + q.p + a.n) % 3 = 0 then 0 else 1 end, 1, ${at}
        from users u cross join problems q cross join tries a
        where u.id <> ${admin.id} and ${reaches('q.week')} and (u.id * 7 + q.p) % 20 < 17 and (a.n = 1 or (u.id + q.p) % 2 = 0)`.execute(
        trx,
      );
      // Activity: about 1 learner in 10 of those still in the course on each of the last 60 days.
      await sql`with days (d, day, week) as (values ${dayRows})
        insert into learner_activity (run_id, day, user_id, week)
        select ${run.id}, d.day, u.id, d.week from users u cross join days d
        where u.id <> ${admin.id} and (u.id * 7 + d.d * 13) % 10 = 0 and (u.id % 100) < 100 - d.d`.execute(trx);
    });
    if (dialect === 'postgres') await sql`vacuum analyze`.execute(db);
    else await sql`analyze`.execute(db);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const countOf = async (table: 'item_progress' | 'submissions' | 'quiz_attempts' | 'learner_activity') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const counts = {
      itemProgress: await countOf('item_progress'),
      submissions: await countOf('submissions'),
      passes: Number(
        (
          await db
            .selectFrom('submissions')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('ok', '=', 1)
            .executeTakeFirstOrThrow()
        ).n,
      ),
      quizAttempts: await countOf('quiz_attempts'),
      activity: await countOf('learner_activity'),
    };
    console.log(
      `${dialect}: ${learners.toLocaleString('en')} learners, ${items.length} items; seeded in ${seedSeconds.toFixed(1)} s:`,
      Object.entries(counts)
        .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
        .join(', '),
    );

    const app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      logger: false,
      clock: () => now,
    });
    const session = await createSession(db, admin.id, { idleMs: 3600_000, maxMs: 3600_000 }, now, 'bench');
    const cookie = `carnet_session=${session.token}`;
    const timeGet = async (url: string): Promise<number> => {
      const started = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      const ms = performance.now() - started;
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
      return ms;
    };
    const timeCount = async (): Promise<number> => {
      const started = performance.now();
      await db
        .selectFrom('enrolments')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('run_id', '=', run.id)
        .executeTakeFirstOrThrow();
      return performance.now() - started;
    };
    const page = '/manage/courses/big/runs/grande/analytics';
    if (process.env.PER_QUERY) {
      const m = await import('../apps/server/src/models/analytics.ts');
      const weekItems = items.map((i) => ({ route: i.route, week: i.week! }));
      const all = { from: 1, to: 1e9 };
      for (const [name, q] of Object.entries({
        day: () => m.selectActiveByDay(db, run.id, addDays(today, -59)),
        week: () => m.selectActiveByWeek(db, run.id, mondayOf(addDays(today, -59))),
        items: () => m.selectItemReach(db, run.id, all),
        weeks: () => m.selectWeekReach(db, run.id, weekItems, all),
        exercises: () => m.selectExerciseAttempts(db, run.id, all),
        failures: () => m.selectRowFailures(db, run.id),
        quizzes: () => m.selectProblemDifficulty(db, run.id, all),
      })) {
        const s0 = performance.now();
        await q();
        console.log(name, (performance.now() - s0).toFixed(0), 'ms');
      }
    }
    // The background job's work: every learner's rows counted, slice by slice, and stored.
    const { refreshSnapshot } = await import('../apps/server/src/lib/analytics/snapshot.ts');
    const jobStarted = performance.now();
    await refreshSnapshot(db, run, now);
    const jobSeconds = (performance.now() - jobStarted) / 1000;
    console.log(`the analytics job (counts stored): ${jobSeconds.toFixed(1)} s`);
    await timeGet(page); // warm: the version's facts cached, as on a running server
    const load = loadavg().map((x) => x.toFixed(2));
    const samples = { analytics: [] as number[], staff: [] as number[], count: [] as number[], csv: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      samples.analytics.push(await timeGet(page));
      samples.staff.push(await timeGet('/manage/courses/big/runs/grande'));
      samples.count.push(await timeCount());
      samples.csv.push(await timeGet(`${page}/exercises.csv`));
    }
    const stats = (list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { p50: median(sorted), p99: percentile(sorted, 99) };
    };
    const figures = {
      dialect,
      learners,
      seedSeconds,
      jobSeconds,
      counts,
      rounds,
      load: { before: load, after: loadavg().map((x) => x.toFixed(2)) },
      analytics: stats(samples.analytics),
      csv: stats(samples.csv),
      staffPage: stats(samples.staff),
      countEnrolments: stats(samples.count),
    };
    const f = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
    console.log(
      `analytics page p50 ${f(figures.analytics.p50)}, p99 ${f(figures.analytics.p99)} (target < 2 s: ${figures.analytics.p99 < 2000 ? 'met' : 'MISSED'}); ` +
        `one CSV p50 ${f(figures.csv.p50)}\n` +
        `baselines: staff page p50 ${f(figures.staffPage.p50)} (ratio ${(figures.analytics.p50 / figures.staffPage.p50).toFixed(0)}×), ` +
        `count(*) of enrolments p50 ${f(figures.countEnrolments.p50)} (ratio ${(figures.analytics.p50 / figures.countEnrolments.p50).toFixed(0)}×)\n` +
        `load average ${figures.load.before.join(' ')} → ${figures.load.after.join(' ')}`,
    );
    record(`analytics-${dialect}`, figures);
    await app.close();
  } finally {
    rmSync(source, { recursive: true, force: true });
    await t.cleanup();
  }
}

await main();
