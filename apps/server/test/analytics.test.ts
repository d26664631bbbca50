// A session's figures for its staff (issue 14), on both databases: active learners per day and
// week from real requests, the funnel from item progress, exercises (success, attempts to the
// first pass, the checks that fail most, counted as the grading job does), quiz difficulty, each
// table's CSV (formulas defused), who may see it (a learner, another course's staff and a visitor
// may not), and an empty session.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { countFailingRows } from '../src/lib/analytics/failures.ts';
import { ANALYTICS_REFRESH, refreshSnapshot } from '../src/lib/analytics/snapshot.ts';
import type { Verdict } from '../src/lib/grading/grade-job.ts';
import { versionExercises } from '../src/lib/grades/gradebook.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const PAGE = '/manage/courses/demo/runs/printemps/analytics';

/** The table row whose header cell starts with `label`, as text without tags. */
function rowText(body: string, tableId: string, label: string): string {
  const table = body.slice(body.indexOf(`id="${tableId}"`), body.indexOf('</table>', body.indexOf(`id="${tableId}"`)));
  const rows = table.split(/<tr[^>]*>/).map((r) =>
    r
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const found = rows.find((r) => r.startsWith(label));
  expect(found, `a row ${label} in ${tableId}`).toBeDefined();
  return found!;
}

describe.each(DIALECTS)('session analytics on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let now = new Date('2026-03-10T10:00:00Z'); // a Tuesday
  let run: Run;
  let courseId: number;
  let versionId: number;
  let n = 0;
  let staff: Agent;
  let learnerAgent: Agent;
  const learners: { id: number; agent: Agent }[] = [];
  let exercise: { module: string; name: string; route: string; week: number | null };

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'autre', dataDir: t.dataDir });
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    courseId = live.course_id;
    versionId = live.id;
    run = await insertTestRun(t.db.kysely, now, {
      course_id: courseId,
      slug: 'printemps',
      title: 'Printemps',
      version_id: live.id,
    });
    await insertTestRun(t.db.kysely, now, { course_id: courseId, slug: 'vide', title: 'Vide', version_id: live.id });
    const other = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'autre'))!;
    const otherRun = await insertTestRun(t.db.kysely, now, {
      course_id: other.course_id,
      slug: 'printemps',
      version_id: other.id,
    });
    exercise = (await versionExercises(t.db.kysely, live.id))[0]!;

    const staffUser = await createUser(t.db, 'staff@example.org');
    await ensureCourseRole(t.db.kysely, { userId: staffUser.id, courseId, role: 'staff', grantedBy: null }, now);
    staff = new Agent(app);
    await staff.login(staffUser.email, staffUser.password);
    // Four learners of the session (A, B, C, D); one of another session of another course.
    for (const name of ['A', 'B', 'C', 'D']) {
      const user = await createUser(t.db, `learner${++n}@example.org`, { name });
      expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
      const agent = new Agent(app);
      await agent.login(user.email, user.password);
      learners.push({ id: user.id, agent });
    }
    learnerAgent = learners[3]!.agent;
    const outsider = await createUser(t.db, 'outsider@example.org');
    await enrol(t.db.kysely, outsider.id, otherRun, now);
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('counts what the session did, per day and week, item, exercise and quiz problem', async () => {
    const [a, b, c] = learners as [(typeof learners)[0], (typeof learners)[0], (typeof learners)[0]];
    const db = t.db.kysely;
    const items = await db
      .selectFrom('course_items')
      .select(['route', 'week'])
      .where('version_id', '=', versionId)
      .orderBy('position')
      .execute();
    const [first, second] = items.filter((i) => i.week === 1) as unknown as [{ route: string }, { route: string }];

    // Activity from real requests: A on Tuesday; A and B (twice) on Wednesday; D reads nothing.
    expect((await a.agent.get(`/courses/demo/${first.route}`)).statusCode).toBe(200);
    now = new Date('2026-03-11T09:00:00Z');
    expect((await a.agent.get('/courses/demo')).statusCode).toBe(200);
    expect((await b.agent.get(`/courses/demo/${first.route}`)).statusCode).toBe(200);
    expect((await b.agent.get(`/courses/demo/${second.route}`)).statusCode).toBe(200);
    // Staff pages and the catalogue are not learning.
    expect((await learnerAgent.get('/')).statusCode).toBe(200);

    // Progress: item pages write "started" when opened; A finishes the first item; C's progress
    // is on another course (not counted).
    await db.deleteFrom('item_progress').execute();
    const progress = (
      user: number,
      route: string,
      state: 'started' | 'done',
      source: 'reading' | 'exercise' = 'reading',
    ) =>
      db
        .insertInto('item_progress')
        .values({ user_id: user, course_id: courseId, route, source, state, updated_at: now.toISOString() })
        .execute();
    await progress(a.id, first.route, 'done');
    await progress(a.id, first.route, 'started', 'exercise');
    await progress(a.id, second.route, 'started');
    await progress(b.id, first.route, 'started');

    // Exercises: A fails twice then passes (3 attempts), B passes at once (1), C fails twice.
    const failing = (call: string): Verdict => ({
      ok: false,
      passed: 1,
      total: 3,
      rows: [
        { index: 0, hidden: false, call: 'f(1)', expected: '1', obtained: '1', ok: true, reason: null, scenario: null },
        { index: 1, hidden: false, call, expected: '2', obtained: '3', ok: false, reason: null, scenario: null },
        { index: 2, hidden: true, call: 'f(99)', expected: '9', obtained: '0', ok: false, reason: null, scenario: 0 },
        { index: 2, hidden: true, call: 'f(99)', expected: '9', obtained: '0', ok: false, reason: null, scenario: 1 },
      ],
    });
    let id = 0;
    const submit = async (user: number, ok: boolean, call = '=HYPERLINK("http://evil")') => {
      id++;
      const verdict: Verdict = ok ? { ok: true, passed: 3, total: 3, rows: [] } : failing(call);
      await db
        .insertInto('submissions')
        .values({
          user_id: user,
          course_id: courseId,
          version_id: versionId,
          route: first.route,
          module: exercise.module,
          exercise: exercise.name,
          cells: '[]',
          cells_hash: `h${id}`,
          browser: '{}',
          status: 'done',
          verdict: JSON.stringify(verdict),
          ok: ok ? 1 : 0,
          created_at: now.toISOString(),
          finished_at: now.toISOString(),
        })
        .execute();
      await countFailingRows(
        db,
        { user_id: user, course_id: courseId, module: exercise.module, exercise: exercise.name },
        verdict,
      );
    };
    await submit(a.id, false);
    await submit(a.id, false);
    await submit(a.id, true);
    await submit(b.id, true);
    await submit(c.id, false);
    await submit(c.id, false, 'f(2)');
    // A submission still queued is no attempt.
    await db
      .insertInto('submissions')
      .values({
        user_id: c.id,
        course_id: courseId,
        version_id: versionId,
        route: first.route,
        module: exercise.module,
        exercise: exercise.name,
        cells: '[]',
        cells_hash: 'queued',
        browser: '{}',
        status: 'queued',
        created_at: now.toISOString(),
      })
      .execute();

    // Quiz p1: A right at once; B wrong then right; C wrong. p2: B half right.
    const attempt = (user: number, problem: string, n: number, score: number, max = 1) =>
      db
        .insertInto('quiz_attempts')
        .values({
          user_id: user,
          course_id: courseId,
          version_id: versionId,
          run_id: run.id,
          route: QUIZ,
          problem_id: problem,
          attempt: n,
          answers: '{}',
          score,
          max,
          submitted_at: now.toISOString(),
        })
        .execute();
    await attempt(a.id, 'p1', 1, 1);
    await attempt(b.id, 'p1', 1, 0);
    await attempt(b.id, 'p1', 2, 1);
    await attempt(c.id, 'p1', 1, 0);
    await attempt(b.id, 'p6', 1, 1.5, 3);

    const res = await staff.get(PAGE);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.body;
    expect(body).toContain('<h1>Statistiques : Printemps</h1>');
    expect(body).toContain('4 apprenants inscrits.');
    // Days (newest first): Wednesday 2 (B twice counts once), Tuesday 1; the week of Monday 9 March: 2.
    expect(rowText(body, 'table-days', '11 mars 2026')).toBe('11 mars 2026 2');
    expect(rowText(body, 'table-days', '10 mars 2026')).toBe('10 mars 2026 1');
    expect(rowText(body, 'table-days', '9 mars 2026')).toBe('9 mars 2026 0');
    expect(rowText(body, 'table-weeks', '9 mars 2026')).toBe('9 mars 2026 2');
    expect(rowText(body, 'table-weeks', '2 mars 2026')).toBe('2 mars 2026 0');
    // The charts: images named and described, with their table linked.
    expect(body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-days-title chart-days-desc"/);
    expect(body).toContain('au plus 2 apprenants actifs un même jour ; 2 aujourd’hui.');
    expect(body).toContain('href="#table-days"');

    // Funnel: week 1 reached by A and B (2 of 4: 50 %), completed by nobody (A left the second item).
    const weekOne = items.filter((i) => i.week === 1).length;
    expect(rowText(body, 'table-funnel-weeks', 'Semaine 1')).toBe(`Semaine 1 ${weekOne} 2 (50 %) 0 (0 %)`);
    expect(rowText(body, 'table-funnel-weeks', 'Semaine 2')).toContain(' 0 (0 %) 0 (0 %)');
    const firstTitle = (
      await db
        .selectFrom('course_items')
        .select('title')
        .where('version_id', '=', versionId)
        .where('route', '=', first.route)
        .executeTakeFirstOrThrow()
    ).title;
    expect(rowText(body, 'table-funnel-items', firstTitle)).toMatch(/ 1 2 \(50 %\) 1 \(25 %\)$/);

    // Exercise: 3 tried, 2 passed (66,7 %), 6 verified submissions, 2 passed; attempts 3 and 1:
    // mean 2, median 2. Row 1 failed in the 4 failing verdicts (named by its first call: the
    // index is the row), and so did the hidden check, once each whatever its scenarios.
    const ex = rowText(body, 'table-exercises', exercise.name);
    expect(ex).toContain(' 3 66,7 % 6 (dont 2 réussies) 2 2 ');
    const start = body.indexOf('<ol class="failing-rows">');
    const cell = body.slice(start, body.indexOf('</ol>', start));
    expect(cell.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toMatch(
      /=HYPERLINK\(&quot;http:\/\/evil&quot;\) — échoue dans 4 soumissions .*cachée f\(99\) — échoue dans 4 soumissions/,
    );
    expect(body).toContain('6 soumissions vérifiées : 2 réussies, 4 échouées.');

    // Quiz p1: 3 learners, 1 right first (33,3 %), mean first score 33,3 %, 2 right at some attempt, 4 attempts.
    const quizRow = (problem: string) => {
      const table = body.slice(body.indexOf('id="table-quizzes"'));
      const at = table.indexOf(`${QUIZ}#${problem}"`);
      expect(at, problem).toBeGreaterThan(-1);
      const row = table.slice(table.indexOf('</a>', at), table.indexOf('</tr>', at));
      return row
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    };
    expect(quizRow('p1')).toBe('1 3 33,3 % 33,3 % 66,7 % 4');
    expect(quizRow('p6')).toBe('1 1 0 % 50 % 0 % 1');

    // The CSVs: BOM, CRLF, the same figures; a call that looks like a formula is defused.
    const csv = async (name: string) => {
      const r = await staff.get(`${PAGE}/${name}.csv`);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(r.headers['content-disposition']).toBe(`attachment; filename="demo-printemps-${name}.csv"`);
      expect(r.body.startsWith('\uFEFF')).toBe(true);
      return r.body.slice(1).split('\r\n');
    };
    const days = await csv('days');
    expect(days[0]).toBe('day,active_learners');
    expect(days).toContain('2026-03-11,2');
    expect(days).toContain('2026-03-10,1');
    expect(days).toHaveLength(62); // header, 60 days, the final empty line
    expect(await csv('weeks')).toContain('2026-03-09,2');
    expect(await csv('funnel-weeks')).toContain(`1,${weekOne},2,0,4`);
    const exercises = await csv('exercises');
    expect(exercises).toContain(
      `${exercise.week},${exercise.module}.${exercise.name},${exercise.route},3,2,0.6667,6,2,2,2`,
    );
    const failingRows = await csv('failing-rows');
    expect(failingRows[0]).toBe('exercise,check,hidden,call,failing_submissions');
    expect(failingRows).toContain(`${exercise.module}.${exercise.name},2,1,f(99),4`);
    expect(failingRows).toContain(`${exercise.module}.${exercise.name},1,0,"'=HYPERLINK(""http://evil"")",4`);
    expect(failingRows).toHaveLength(4);
    const quizzes = await csv('quizzes');
    expect(quizzes.find((l) => l.startsWith(`1,${QUIZ},p1,`))).toMatch(/,3,0\.3333,0\.3333,0\.6667,4$/);
    expect((await staff.get(`${PAGE}/secrets.csv`)).statusCode).toBe(404);
    expect((await staff.get(`${PAGE}/days`)).statusCode).toBe(404);

    // The session's staff page links to it.
    expect((await staff.get('/manage/courses/demo/runs/printemps')).body).toContain(`href="${PAGE}"`);
  });

  it('is not there for a learner, another course’s staff or a visitor', async () => {
    const otherStaff = await createUser(t.db, 'other-staff@example.org');
    const other = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'autre'))!;
    await ensureCourseRole(
      t.db.kysely,
      { userId: otherStaff.id, courseId: other.course_id, role: 'staff', grantedBy: null },
      now,
    );
    const otherAgent = new Agent(app);
    await otherAgent.login(otherStaff.email, otherStaff.password);
    // Their own course's page works: the refusal is about the course.
    expect((await otherAgent.get('/manage/courses/autre/runs/printemps/analytics')).statusCode).toBe(200);
    for (const url of [
      PAGE,
      `${PAGE}/exercises.csv`,
      `${PAGE}/failing-rows.csv`,
      '/manage/courses/demo/runs/nope/analytics',
    ]) {
      for (const agent of [learnerAgent, otherAgent]) {
        const res = await agent.get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.body).not.toContain('Statistiques');
        expect(res.body).not.toContain('f(99)');
      }
      // A visitor is sent to log in, as for every staff page.
      const visitor = await new Agent(app).get(url);
      expect(visitor.statusCode, url).toBe(303);
      expect(visitor.headers.location).toMatch(/^\/login\?next=/);
      expect(visitor.body).not.toContain('f(99)');
    }
    // An administrator sees every course's.
    const admin = await createUser(t.db, 'admin@example.org', { admin: true });
    const adminAgent = new Agent(app);
    await adminAgent.login(admin.email, admin.password);
    expect((await adminAgent.get(PAGE)).statusCode).toBe(200);
  });

  it('shows an empty session with zeros and no failure', async () => {
    const res = await staff.get('/manage/courses/demo/runs/vide/analytics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('0 apprenants inscrits.');
    expect(res.body).toContain('0 soumissions vérifiées : 0 réussies, 0 échouées.');
    expect(rowText(res.body, 'table-funnel-weeks', 'Semaine 1')).toMatch(/ 0 \(—\) 0 \(—\)$/);
    expect(res.body).not.toContain('failing-rows">');
    const csv = await staff.get('/manage/courses/demo/runs/vide/analytics/exercises.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain(',0,0,,0,0,,\r\n');
    // In English too.
    const en = await staff.get('/manage/courses/demo/runs/vide/analytics', { 'accept-language': 'en' });
    expect(en.body).toContain('0 learners enrolled.');
  });

  it('shows a big session the counts its background job stored, queued once when missing or stale', async () => {
    const db = t.db.kysely;
    const jobs = () => db.selectFrom('jobs').select('status').where('kind', '=', ANALYTICS_REFRESH).execute();
    await db.updateTable('runs').set({ enrolled_count: 5000 }).where('id', '=', run.id).execute();
    try {
      const first = await staff.get(PAGE);
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('sont en cours de calcul : rechargez la page dans une minute.');
      // Activity and failing checks are counted on the request all the same.
      expect(rowText(first.body, 'table-days', '11 mars 2026')).toBe('11 mars 2026 2');
      expect(await jobs()).toHaveLength(1);
      await staff.get(PAGE);
      expect(await jobs()).toHaveLength(1); // pending: not queued twice
      // What the job does: the same figures, counted a slice of learners at a time.
      await db.deleteFrom('jobs').where('kind', '=', ANALYTICS_REFRESH).execute();
      await refreshSnapshot(db, run, now);
      const counted = await staff.get(PAGE);
      expect(counted.body).toContain('Progression, exercices et quiz comptés le 11 mars 2026 à 10:00');
      expect(counted.body).not.toContain('Un nouveau décompte est en cours.');
      expect(rowText(counted.body, 'table-exercises', exercise.name)).toContain(' 3 66,7 % 6 (dont 2 réussies) 2 2 ');
      expect(await jobs()).toHaveLength(0);
      // Ten minutes later the figures are stale: shown, and recounted in the background.
      now = new Date(now.getTime() + 11 * 60_000);
      const stale = await staff.get(PAGE);
      expect(stale.body).toContain('Un nouveau décompte est en cours.');
      expect(rowText(stale.body, 'table-exercises', exercise.name)).toContain(' 3 66,7 % ');
      expect(await jobs()).toHaveLength(1);
    } finally {
      await db.updateTable('runs').set({ enrolled_count: 4 }).where('id', '=', run.id).execute();
    }
  });
});
