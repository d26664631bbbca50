// The learner's progress page (issue 6 §3), on both databases: the grade against the threshold, per
// type and per week, each item's score and status (late answers kept, not counted), what remains
// before the next due date, the SVG chart and its table; anonymous readers and readers in no session.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { gradedItems } from '../src/lib/grades/gradebook.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { percent } from '../src/pages/progress/progress.view.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const QUIZ_URL = `/courses/demo/${QUIZ}`;
const PAGE = '/courses/demo/progress';

/** The row of the items table whose link goes to `href`. */
function row(body: string, href: string): string {
  const at = body.search(new RegExp(`<th scope="row">\\s*<a href="${href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  expect(at, `a row for ${href}`).toBeGreaterThan(-1);
  return body.slice(at, body.indexOf('</tr>', at));
}

describe.each(DIALECTS)('the progress page on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  // Week 1 opens on 2026-03-02 and is due two weeks later, 2026-03-16 at 08:00 UTC (09:00 in Paris).
  let now = new Date('2026-03-03T10:00:00Z');
  let run: Run;
  let quizCount = 0;
  let weekOneQuiz = 0;
  let n = 0;

  beforeAll(async () => {
    const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
    if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
    t = await createTestDb(dialect);
    // Sealed exercise modules make the demo's exercises graded items, next to the quiz problems.
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox: setup.sandbox });
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      logger: false,
      clock: () => now,
    });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    run = await insertTestRun(t.db.kysely, now, {
      course_id: live.course_id,
      slug: 'printemps',
      title: 'Printemps',
      version_id: live.id,
    });
    const items = await gradedItems(t.db.kysely, live.id);
    quizCount = items.filter((i) => i.kind === 'quiz').length;
    weekOneQuiz = items.filter((i) => i.kind === 'quiz' && i.week === 1).length;
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function learner(enrolled = true) {
    const user = await createUser(t.db, `progress${++n}@example.org`, { name: `Learner ${n}` });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    if (enrolled) expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
    return { user, agent };
  }
  const answer = async (agent: Agent, problem: string, answers: [string, string][]) =>
    expect((await agent.post(QUIZ_URL, [['problem', problem], ...answers], { tokenFrom: QUIZ_URL })).statusCode).toBe(
      303,
    );

  it('shows the grade, the items with their scores and attempts, late work as kept but not counted', async () => {
    const { user, agent } = await learner();
    await answer(agent, 'p1', [['p1q1', '3']]); // right: 1 / 1
    await answer(agent, 'p6', [
      ['p6q1', '42'],
      ['p6q2', '0'],
      ['p6q3', ' Return '],
    ]); // 2 / 3
    const saved = now;
    now = new Date('2026-03-17T09:00:00Z'); // week 1 is past due: this answer is kept, not counted
    try {
      await agent.login(user.email, user.password); // a fortnight later, the login has expired
      await answer(agent, 'p2', [['p2q1', '1']]);
      const res = await agent.get(PAGE);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('private, no-store');
      const body = res.body;
      expect(body).toContain('<h1>Ma progression : ');
      expect(body).toContain('Session « Printemps »');

      // The grade: (1 + 2/3) over every quiz problem for quizzes, no exercise; both types weigh 1.
      const grade = (1 + 2 / 3) / quizCount / 2;
      expect(body).toContain(
        `Note actuelle : ${percent('fr', grade)}, pour un seuil de réussite de ${percent('fr', 0.5)}.`,
      );
      expect(body).toMatch(new RegExp(`<meter[^>]*value="${grade}"`));
      expect(body).toContain('Pas encore réussi');
      // Per type: score, weight share and number of items.
      const quizzes = body.slice(body.indexOf('<th scope="row">Quiz</th>'));
      expect(quizzes).toMatch(
        new RegExp(
          `^<th scope="row">Quiz</th>\\s*<td>${percent('fr', (1 + 2 / 3) / quizCount)}</td>\\s*<td>${percent('fr', 0.5)}</td>\\s*<td>${quizCount}</td>`,
        ),
      );

      // The items of week 1: linked to their problem, score, status and attempts.
      const p1 = row(body, `${QUIZ_URL}#p1`);
      expect(p1).toContain('1 / 1');
      expect(p1).toContain('Fait');
      expect(p1).toContain('1 sur 2');
      expect(row(body, `${QUIZ_URL}#p6`)).toContain('2 / 3');
      const p2 = row(body, `${QUIZ_URL}#p2`);
      expect(p2).toContain('Remis après l&#39;échéance : conservé, non compté');
      expect(p2).toContain('pas de score');
      expect(p2).toContain('1 sur 2');
      expect(row(body, `${QUIZ_URL}#p3`)).toContain('Pas fait avant l&#39;échéance');
      // Exercises link to their notebook.
      expect(row(body, '/courses/demo/w1/w1-s3-x1-duree')).toContain('Exercice');
      expect(body).toContain('Ce que vous remettez après l&#39;échéance d&#39;une semaine est conservé');
      // Week 1's facts: due date in the server's time zone, counted, its score.
      const weekOne = body.slice(body.indexOf('id="week-1"'), body.indexOf('id="week-2"'));
      expect(weekOne).toContain('Échéance : 16 mars 2026 à 09:00.');
      expect(weekOne).toContain('Cette semaine compte dans la note.');

      // What remains before the next due date (week 2's, on 23 March): its items, linked.
      const remaining = body.slice(
        body.indexOf('id="remaining-title"'),
        body.indexOf('</section>', body.indexOf('id="remaining-title"')),
      );
      expect(remaining).toContain('Prochaine échéance : 23 mars 2026 à 09:00 (Semaine 2 : Conteneurs et boucles).');
      expect(remaining).toContain('href="/courses/demo/w2/w2-s2-q1-conteneurs#p1"');
      expect(remaining).not.toContain(QUIZ_URL);

      // The chart: an accessible inline SVG, one bar group per week, the threshold line at 50 %.
      expect(body).toMatch(/<svg\s+viewBox="0 0 400 240"\s+role="img"\s+aria-labelledby="chart-title chart-desc"/);
      expect(body).toMatch(/<title id="chart-title">Score par semaine<\/title>/);
      expect(body).toContain(`Semaine 1 : ${percent('fr', (1 + 2 / 3) / weekOneQuiz / 2)}.`);
      expect(body.match(/class="chart-week"/g)).toHaveLength(3);
      expect(body.match(/<rect/g)).toHaveLength(3);
      expect(body).toMatch(/<line\s+class="chart-threshold"\s+x1="54"\s+x2="392"\s+y1="107"\s+y2="107"/);
      expect(body).not.toContain('<script>');
      // Its text alternative: the table of weeks, linked from the figure.
      expect(body).toContain('<a href="#weeks-table">');
      expect(body).toContain('id="weeks-table"');
      const weeksTable = body.slice(
        body.indexOf('id="weeks-table"'),
        body.indexOf('</table>', body.indexOf('id="weeks-table"')),
      );
      expect(weeksTable.match(/<th scope="row">/g)).toHaveLength(3);
      expect(weeksTable).toContain('<th scope="col">Échéance</th>');

      // In English.
      const english = (await agent.get(PAGE, { 'accept-language': 'en' })).body;
      expect(english).toContain('Submitted after the due date: kept, not counted');
      expect(english).toContain(`Current grade: ${percent('en', grade)}, against a pass mark of 50%.`);
    } finally {
      now = saved;
    }
  });

  it('says when the grade reaches the threshold, and which weeks do not count', async () => {
    const { agent } = await learner();
    await t.db.kysely
      .updateTable('runs')
      .set({ grading: JSON.stringify({ threshold: 0.01, weeks: [1] }) })
      .where('id', '=', run.id)
      .execute();
    try {
      await answer(agent, 'p1', [['p1q1', '3']]);
      const body = (await agent.get(PAGE)).body;
      expect(body).toContain('Réussi : votre note atteint le seuil.');
      // Only week 1 counts.
      const weekTwo = body.slice(body.indexOf('id="week-2"'), body.indexOf('id="week-3"'));
      expect(weekTwo).toContain('Cette semaine ne compte pas dans la note.');
      expect(body.match(/class="chart-week"/g)).toHaveLength(3);
      expect(body).toMatch(/<line\s+class="chart-threshold"\s+x1="54"\s+x2="392"\s+y1="188.3"/);
    } finally {
      await t.db.kysely.updateTable('runs').set({ grading: '{}' }).where('id', '=', run.id).execute();
    }
  });

  it('asks anonymous readers to log in, and readers in no session to enrol, with links', async () => {
    const anonymous = await app.inject({ method: 'GET', url: PAGE });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body).toContain('Connectez-vous pour voir votre progression');
    expect(anonymous.body).toContain('href="/login?next=%2Fcourses%2Fdemo%2Fprogress"');
    expect(anonymous.body).not.toContain('<svg');
    const { agent } = await learner(false);
    const outside = await agent.get(PAGE);
    expect(outside.statusCode).toBe(200);
    expect(outside.body).toContain('inscrit à aucune session de ce cours.');
    expect(outside.body).toContain('href="/courses/demo"');
    expect(outside.body).not.toContain('<svg');
    expect((await app.inject({ method: 'GET', url: '/courses/nowhere/progress' })).statusCode).toBe(404);
  });

  it('is linked from the course home, the dashboard and quiz pages of an enrolled learner', async () => {
    const { agent } = await learner();
    for (const url of ['/courses/demo', '/me', QUIZ_URL]) {
      expect((await agent.get(url)).body, url).toContain(`href="${PAGE}"`);
    }
    // Not for readers outside a session.
    const outside = (await learner(false)).agent;
    expect((await outside.get(QUIZ_URL)).body).not.toContain(`href="${PAGE}"`);
  });
});
