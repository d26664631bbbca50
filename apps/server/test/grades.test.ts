// The grading policy over stored results (ADR 029): a session's graded items, a learner's grade
// kept up to date by quiz attempts and verified submissions, late work kept but not counted, and
// every grade recomputed by a job when the policy changes — on both databases.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { gradedItems, learnerGrade, refreshEnrolledGrade, runGrades } from '../src/lib/grades/gradebook.ts';
import { DEFAULT_GRADING_POLICY, parseGradingPolicy } from '../src/lib/grades/policy.ts';
import { registerGradeRecompute, setGradingPolicy } from '../src/lib/grades/recompute.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalLearnerGrade } from '../src/models/learner-grades.ts';
import { selectOptionalRunById } from '../src/models/runs.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const URL_ = `/courses/demo/${QUIZ}`;

describe.each(DIALECTS)('grades on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  // Week 1 opens on 2026-03-02 and is due two weeks later (the default policy).
  let now = new Date('2026-03-03T10:00:00Z');
  let courseId = 0;
  let versionId = 0;
  let run: Run;
  let n = 0;

  beforeAll(async () => {
    const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
    if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
    t = await createTestDb(dialect);
    // With the sandbox, the demo's exercise modules are sealed: its exercises are graded items.
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox: setup.sandbox });
    jobs = new DbJobQueue(t.db, { concurrency: 1, pollMs: 50 });
    registerGradeRecompute(jobs, t.db.kysely, () => now);
    jobs.start();
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      jobs,
      logger: false,
      clock: () => now,
    });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    courseId = live.course_id;
    versionId = live.id;
    run = await insertTestRun(t.db.kysely, now, {
      course_id: courseId,
      slug: 'printemps',
      title: 'Printemps',
      version_id: versionId,
    });
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  async function learner() {
    const user = await createUser(t.db, `learner${++n}@example.org`, { name: `Learner ${n}` });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
    return { user, agent };
  }
  const answer = (agent: Agent, problem: string, answers: [string, string][]) =>
    agent.post(URL_, [['problem', problem], ...answers], { tokenFrom: URL_ });
  const freshRun = async () => (await selectOptionalRunById(t.db.kysely, run.id))!;
  const verifiedPass = (userId: number, module: string, exercise: string, at: string) =>
    t.db.kysely
      .insertInto('submissions')
      .values({
        user_id: userId,
        course_id: courseId,
        version_id: versionId,
        route: 'w1/w1-s3-x1-duree',
        module,
        exercise,
        cells: '[]',
        cells_hash: `${userId}-${exercise}-${at}`,
        browser: '{}',
        status: 'done',
        verdict: '{}',
        ok: 1,
        created_at: at,
      })
      .execute();

  it('graded items: every problem of the three quizzes and the seven corrected exercises, by week', async () => {
    const items = await gradedItems(t.db.kysely, versionId);
    const quizzes = items.filter((i) => i.kind === 'quiz');
    const exercises = items.filter((i) => i.kind === 'exercise');
    expect(new Set(quizzes.map((i) => i.route))).toEqual(
      new Set([QUIZ, 'w2/w2-s2-q1-conteneurs', 'w3/w3-s3-q1-plus-loin']),
    );
    expect(quizzes.filter((i) => i.route === QUIZ).map((i) => i.ref)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(exercises.map((i) => [i.week, i.ref])).toEqual([
      [1, 'corrections.exo_duree.exo_duree'],
      [2, 'corrections.exo_somme_carres.exo_somme_carres'],
      [2, 'corrections.exo_moyenne.exo_moyenne'],
      [2, 'corrections.exo_compte_mots.exo_compte_mots'],
      [2, 'corrections.exo_syracuse.exo_syracuse'],
      [3, 'corrections.exo_regexp_date.exo_regexp_date'],
      [3, 'corrections.exo_tirelire.exo_tirelire'],
    ]);
    // Titles are plain text (CSV headers, chart labels).
    for (const item of items) expect(item.title).not.toMatch(/[<>]/);
  });

  it('a quiz attempt updates the stored grade; a verified pass too', async () => {
    const { user, agent } = await learner();
    expect(await selectOptionalLearnerGrade(t.db.kysely, run.id, user.id)).toBeNull();
    expect((await answer(agent, 'p1', [['p1q1', '3']])).statusCode).toBe(303);
    const items = await gradedItems(t.db.kysely, versionId);
    const quizCount = items.filter((i) => i.kind === 'quiz').length;
    const exerciseCount = items.length - quizCount;
    const afterQuiz = (await selectOptionalLearnerGrade(t.db.kysely, run.id, user.id))!;
    // One problem of all quizzes right, no exercise: (1/quizCount + 0) / 2.
    expect(afterQuiz.grade).toBeCloseTo(1 / quizCount / 2, 9);
    expect(afterQuiz.passed).toBe(0);
    await verifiedPass(user.id, 'corrections.exo_duree', 'exo_duree', now.toISOString());
    await refreshEnrolledGrade(t.db.kysely, user.id, courseId, now);
    const afterPass = (await selectOptionalLearnerGrade(t.db.kysely, run.id, user.id))!;
    expect(afterPass.grade).toBeCloseTo((1 / quizCount + 1 / exerciseCount) / 2, 9);
  });

  it("the course's own attempts (carnet.yml) override the session's default, per quiz and per problem", async () => {
    const { agent } = await learner();
    const url = '/courses/demo/w3/w3-s3-q1-plus-loin';
    const page = (await agent.get(url)).body;
    // p1 allows one attempt, the others three (the session's default is 2); the notice says it varies.
    expect(page).toContain('Essais restants : 1 sur 1');
    expect(page).toContain('Essais restants : 3 sur 3');
    expect(page).not.toContain('sur 2');
    expect(page).toContain('son nombre d’essais est indiqué sous le problème');
    const post = (answers: [string, string][]) =>
      agent.post(url, [['problem', 'p1'], ...answers], { tokenFrom: url, headers: { accept: 'application/json' } });
    expect((await post([['p1q1', '0']])).statusCode).toBe(200);
    expect((await post([['p1q1', '1']])).statusCode).toBe(409);
  });

  it('late work is kept and shown, and does not count', async () => {
    const saved = now;
    now = new Date('2026-03-17T09:00:00Z'); // week 1 was due on 2026-03-16 08:00
    try {
      const { user, agent } = await learner();
      expect((await answer(agent, 'p1', [['p1q1', '3']])).statusCode).toBe(303);
      const stored = await t.db.kysely.selectFrom('quiz_attempts').selectAll().where('user_id', '=', user.id).execute();
      expect(stored).toHaveLength(1);
      const grade = await learnerGrade(t.db.kysely, await freshRun(), user.id);
      expect(grade.grade).toBe(0);
      const p1 = grade.weeks[0]!.items.find((i) => i.item.key === `quiz:${QUIZ}#p1`)!;
      expect(p1).toMatchObject({ score: null, late: 1, due: '2026-03-16T08:00:00.000Z' });
      // The quiz page says so.
      expect((await agent.get(URL_)).body).toContain('ne comptent plus');
    } finally {
      now = saved;
    }
  });

  it("an exercise's solutions open to the session's learners once its week is past due (grace included)", async () => {
    const { user, agent } = await learner();
    const url = '/api/solutions?slug=demo&route=w1/w1-s3-x1-duree&module=corrections.exo_duree&exercise=exo_duree';
    expect((await agent.get(url)).statusCode).toBe(404);
    const saved = now;
    try {
      await setGradingPolicy(t.db.kysely, jobs, run, { ...DEFAULT_GRADING_POLICY, graceMinutes: 120 }, now);
      const later = async (at: string) => {
        now = new Date(at);
        const fresh = new Agent(app);
        await fresh.login(user.email, user.password);
        return fresh;
      };
      expect((await (await later('2026-03-16T09:00:00Z')).get(url)).statusCode).toBe(404); // due at 08:00, grace to 10:00
      const after = await later('2026-03-16T10:00:01Z');
      const open = await after.get(url);
      expect(open.statusCode).toBe(200);
      expect((open.json() as { solutions: { code: string }[] }).solutions[0]!.code).toContain('def duree');
      // A week still open keeps its solutions closed (week 3's exercise).
      const w3 =
        '/api/solutions?slug=demo&route=w3/w3-s2-x1-date-tirelire&module=corrections.exo_tirelire&exercise=exo_tirelire';
      expect((await after.get(w3)).statusCode).toBe(404);
    } finally {
      now = saved;
      await setGradingPolicy(t.db.kysely, jobs, run, DEFAULT_GRADING_POLICY, now);
    }
  });

  it('a policy change recomputes every grade in a job (threshold, weights, weeks)', async () => {
    const a = await learner();
    const b = await learner();
    for (const problem of ['p1', 'p2'])
      await answer(a.agent, problem, problem === 'p1' ? [['p1q1', '3']] : [['p2q1', '1']]);
    await answer(b.agent, 'p1', [['p1q1', '4']]);
    // Only week 1's quizzes count, and a third of them is enough.
    const policy = { ...DEFAULT_GRADING_POLICY, weights: { quiz: 1, exercise: 0 }, weeks: [1], threshold: 2 / 6 };
    const job = await setGradingPolicy(t.db.kysely, jobs, run, policy, now);
    expect((await jobs.waitFor(job, 30_000)).status).toBe('done');
    expect(parseGradingPolicy((await freshRun()).grading)).toEqual(policy);
    const ga = (await selectOptionalLearnerGrade(t.db.kysely, run.id, a.user.id))!;
    const gb = (await selectOptionalLearnerGrade(t.db.kysely, run.id, b.user.id))!;
    expect(ga.grade).toBeCloseTo(2 / 6, 9);
    expect(ga.passed).toBe(1);
    expect(gb.grade).toBe(0);
    expect(gb.passed).toBe(0);
    // Every enrolled learner got a row, including those with no result at all.
    const rows = await t.db.kysely
      .selectFrom('learner_grades')
      .select('user_id')
      .where('run_id', '=', run.id)
      .execute();
    const enrolled = await t.db.kysely
      .selectFrom('enrolments')
      .select('user_id')
      .where('run_id', '=', run.id)
      .execute();
    expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set(enrolled.map((r) => r.user_id)));
    await setGradingPolicy(t.db.kysely, jobs, run, DEFAULT_GRADING_POLICY, now).then((id) => jobs.waitFor(id, 30_000));
  });

  it('runGrades pages through a session in user order with bounded pages', async () => {
    const seen: number[] = [];
    let pages = 0;
    for await (const page of runGrades(t.db.kysely, await freshRun(), 2)) {
      expect(page.length).toBeLessThanOrEqual(2);
      pages++;
      seen.push(...page.map((l) => l.userId));
    }
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });
});
