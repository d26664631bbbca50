import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const URL_ = `/courses/demo/${QUIZ}`;
// Secrets of the demo quiz's problems, as they appear once rendered.
const P1_EXPLANATION = 'calcule le quotient de la division euclidienne';
const P2_FEEDBACK_RIGHT = 'même quand la division est exacte';
const P2_FEEDBACK_WRONG = 'tombe juste';
const P2_EXPLANATION = 'Pour obtenir un entier';
const SECRETS = [P1_EXPLANATION, P2_FEEDBACK_RIGHT, P2_EXPLANATION, 'Avec <code>return x * 2</code>', 'Eh oui'];

describe.each(DIALECTS)('quizzes on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let now = new Date('2026-03-10T10:00:00Z');
  let courseId = 0;
  let versionId = 0;
  let n = 0;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    courseId = live.course_id;
    versionId = live.id;
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function learner(run?: Partial<Run>) {
    const user = await createUser(t.db, `learner${++n}@example.org`, { name: `Learner ${n}` });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    if (run) {
      const created = await insertTestRun(t.db.kysely, now, {
        course_id: courseId,
        slug: `run-${n}`,
        title: `Run ${n}`,
        mode: 'self-paced',
        starts_at: '2026-01-01T00:00:00.000Z',
        ends_at: null,
        version_id: versionId,
        ...run,
      });
      expect(await enrol(t.db.kysely, user.id, created, now)).toBe('enrolled');
    }
    return { user, agent };
  }

  const submit = (agent: Agent, problem: string, answers: [string, string][], json = false) =>
    agent.post(URL_, [['problem', problem], ...answers], {
      tokenFrom: URL_,
      headers: json ? { accept: 'application/json' } : {},
    });

  const attempts = async (userId: number) =>
    t.db.kysely.selectFrom('quiz_attempts').selectAll().where('user_id', '=', userId).orderBy('id').execute();

  /** The HTML of one problem's section. */
  const section = (page: string, id: string): string => {
    const match = new RegExp(`<section class="quiz-problem" id="${id}"[\\s\\S]*?</section>`).exec(page);
    if (!match) throw new Error(`no problem ${id}`);
    return match[0];
  };

  it('anonymous readers see the questions, a login link per problem and no submit button or secret', async () => {
    const res = await new Agent(app).get(URL_);
    expect(res.statusCode).toBe(200);
    const page = res.body;
    expect(page.match(/<form class="quiz-form" method="post"/g)?.length).toBe(6);
    expect(page.match(/class="quiz-login"/g)?.length).toBe(6);
    expect(page).toContain('/login?next=');
    expect(page).not.toContain('quiz-submit');
    expect(page).not.toMatch(/[\uE000-\uE012]/);
    for (const secret of SECRETS) expect(page).not.toContain(secret);
  });

  it('a logged-in learner gets one "Valider" button per problem, attempts left, and still no secret', async () => {
    const { agent } = await learner();
    const page = (await agent.get(URL_)).body;
    expect(page.match(/<button type="submit" class="button quiz-submit">Valider<\/button>/g)?.length).toBe(6);
    expect(page).toContain('Essais restants : 2 sur 2');
    expect(page.match(/role="status"/g)?.length).toBeGreaterThanOrEqual(6);
    for (const secret of SECRETS) expect(page).not.toContain(secret);
  });

  it('a form post is graded, stored and redirected to the problem; the page shows the answer kept', async () => {
    const { agent, user } = await learner();
    const res = await submit(agent, 'p2', [['p2q1', '1']]);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${URL_}#p2`);
    const rows = await attempts(user.id);
    expect(rows).toMatchObject([{ problem_id: 'p2', attempt: 1, score: 1, max: 1, route: QUIZ, run_id: null }]);
    expect(JSON.parse(rows[0]!.answers)).toEqual({ p2q1: ['1'] });
    const p2 = section((await agent.get(URL_)).body, 'p2');
    expect(p2).toMatch(/id="p2q1-1" value="1" checked/);
    expect(p2).not.toMatch(/id="p2q1-0" value="0" checked/);
    expect(p2).toContain('Bonne réponse');
    expect(p2).toContain('Score retenu : 1 / 1');
    // Correct: with the default policy (finished), the answer, feedback and explanation show.
    expect(p2).toContain(P2_FEEDBACK_RIGHT);
    expect(p2).toContain(P2_EXPLANATION);
  });

  it('grades several questions per problem, checkboxes included, with a score per problem', async () => {
    const { agent, user } = await learner();
    await submit(agent, 'p4', [
      ['p4q1', '0'],
      ['p4q1', '2'],
      ['p4q1', '4'],
    ]);
    await submit(agent, 'p6', [
      ['p6q1', '42'],
      ['p6q2', '0'],
      ['p6q3', ' Return '],
    ]);
    const rows = await attempts(user.id);
    expect(rows.map((r) => [r.problem_id, r.score, r.max])).toEqual([
      ['p4', 1, 1],
      ['p6', 2, 3],
    ]);
    const page = (await agent.get(URL_)).body;
    expect(section(page, 'p4')).toMatch(/id="p4q1-4" value="4" checked/);
    const p6 = section(page, 'p6');
    expect(p6).toContain('Score retenu : 2 / 3');
    expect(p6).toMatch(/id="p6q3-answer"[^>]*value=" Return "/);
    expect(p6).toMatch(/<option value="0" selected>/);
    // One attempt left and not all correct: no explanation yet.
    expect(p6).not.toContain('Avec <code>return x * 2</code>');
  });

  it('refuses a third attempt (409, not stored), then shows the answer (attempts exhausted)', async () => {
    const { agent, user } = await learner();
    const first = await submit(agent, 'p1', [['p1q1', '4']], true);
    expect(first.statusCode).toBe(200);
    const json1 = first.json<{ status: string; results: Record<string, string>; actions: string }>();
    expect(json1.results['p1q1']).toContain('Réponse incorrecte');
    expect(JSON.stringify(json1)).not.toContain(P1_EXPLANATION);
    expect(json1.actions).toContain('Essais restants : 1 sur 2');
    const second = await submit(agent, 'p1', [['p1q1', '5']], true);
    expect(JSON.stringify(second.json())).toContain(P1_EXPLANATION);
    const third = await submit(agent, 'p1', [['p1q1', '3']], true);
    expect(third.statusCode).toBe(409);
    expect(third.json<{ status: string }>().status).toContain('tous vos essais');
    expect((await attempts(user.id)).length).toBe(2);
    const form = await submit(agent, 'p1', [['p1q1', '3']]);
    expect(form.statusCode).toBe(409);
    expect(section(form.body, 'p1')).toContain('tous vos essais');
    expect(section(form.body, 'p1')).not.toContain('quiz-submit');
    expect(section(form.body, 'p1')).toMatch(/id="p1q1-answer"[^>]*value="5"[^>]* disabled/);
  });

  it('an answer that is not a number is refused without using an attempt, the error tied to the field', async () => {
    const { agent, user } = await learner();
    const res = await submit(agent, 'p3', [['p3q1', 'environ 3']]);
    expect(res.statusCode).toBe(422);
    const p3 = section(res.body, 'p3');
    expect(p3).toMatch(/value="environ 3" aria-invalid="true" aria-describedby="p3q1-error"/);
    expect(p3).toMatch(/<p class="quiz-error" id="p3q1-error">/);
    expect(p3).toContain('Essais restants : 2 sur 2');
    expect(await attempts(user.id)).toEqual([]);
    const empty = await submit(agent, 'p3', [], true);
    expect(empty.statusCode).toBe(422);
    expect(await attempts(user.id)).toEqual([]);
  });

  it('requires the CSRF token and a login', async () => {
    const { agent, user } = await learner();
    const forged = await agent.post(URL_, { problem: 'p2', p2q1: '1', _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect(await attempts(user.id)).toEqual([]);
    const anonymous = new Agent(app);
    const res = await anonymous.post(URL_, { problem: 'p2', p2q1: '1' });
    expect(res.statusCode).toBe(401);
  });

  it("never shows a learner another learner's answers or scores", async () => {
    const a = await learner();
    await submit(a.agent, 'p2', [['p2q1', '0']]);
    // The learner who chose "int" gets that option's feedback…
    expect(section((await a.agent.get(URL_)).body, 'p2')).toContain(P2_FEEDBACK_WRONG);
    const b = await learner();
    const page = (await b.agent.get(URL_)).body;
    expect(section(page, 'p2')).not.toMatch(/ checked/);
    expect(page).not.toContain('Score retenu');
    expect(page).not.toContain(P2_FEEDBACK_WRONG);
    expect(page).toContain('Essais restants : 2 sur 2');
  });

  it('session policies: one attempt, last counts, never show answers', async () => {
    const { agent, user } = await learner({ quiz_attempts: 1, quiz_show_answer: 'never', quiz_counts: 'last' });
    const res = await submit(agent, 'p2', [['p2q1', '0']], true);
    const json = JSON.stringify(res.json());
    expect(json).toContain('Réponse incorrecte');
    expect(json).toContain('dernier essai');
    for (const secret of [P2_EXPLANATION, P2_FEEDBACK_WRONG, 'Réponse attendue']) expect(json).not.toContain(secret);
    const page = (await agent.get(URL_)).body;
    expect(page).toContain('en 1 essais au plus');
    expect(section(page, 'p2')).not.toContain(P2_EXPLANATION);
    expect((await attempts(user.id))[0]).toMatchObject({ run_id: expect.any(Number) });
  });

  it('session policies: partial credit for checkboxes; answers shown after the due date', async () => {
    const { agent, user } = await learner({
      quiz_partial_credit: 1,
      quiz_show_answer: 'due',
      ends_at: '2026-03-11T00:00:00.000Z',
    });
    await submit(agent, 'p4', [
      ['p4q1', '0'],
      ['p4q1', '2'],
    ]);
    expect((await attempts(user.id))[0]!.score).toBeCloseTo(5 / 6);
    expect(section((await agent.get(URL_)).body, 'p1')).not.toContain(P1_EXPLANATION);
    now = new Date('2026-03-12T00:00:00Z');
    try {
      const page = (await agent.get(URL_)).body;
      expect(section(page, 'p1')).toContain(P1_EXPLANATION);
      expect(section(page, 'p4')).toContain('Réponse en partie juste');
    } finally {
      now = new Date('2026-03-10T10:00:00Z');
    }
  });

  it('marks the quiz started, then done once every problem has an attempt, in the course contents', async () => {
    const { agent, user } = await learner();
    const status = async () => {
      const page = (await agent.get('/courses/demo')).body;
      const li = page.match(/<li>[\s\S]*?<\/li>/g)!.find((l) => l.includes(`href="${URL_}"`))!;
      return /item-status-([a-z-]+)/.exec(li)?.[1];
    };
    expect(await status()).toBe('not-started');
    await submit(agent, 'p1', [['p1q1', '3']]);
    expect(await status()).toBe('started');
    for (const [p, q, v] of [
      ['p2', 'p2q1', '1'],
      ['p3', 'p3q1', '3.14'],
      ['p4', 'p4q1', '0'],
      ['p5', 'p5q1', '2'],
      ['p6', 'p6q1', '42'],
    ] as const) {
      expect((await submit(agent, p, [[q, v]])).statusCode).toBe(303);
    }
    expect(await status()).toBe('done');
    const progress = await t.db.kysely.selectFrom('item_progress').selectAll().where('user_id', '=', user.id).execute();
    expect(progress).toMatchObject([{ route: QUIZ, source: 'quiz', state: 'done' }]);
  });
});
