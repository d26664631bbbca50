import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const QUIZ_URL = `/courses/demo/${QUIZ}`;
const STATS = `/manage/courses/demo/quizzes/${QUIZ}`;

/** The HTML of one problem's section of the staff page. */
const section = (page: string, id: string): string => {
  const match = new RegExp(
    `<section class="quiz-stats-problem" aria-labelledby="stats-${id}"[\\s\\S]*?</section>`,
  ).exec(page);
  if (!match) throw new Error(`no problem ${id}`);
  // Numbers are formatted for the reader's language: French puts a narrow no-break space before %.
  return match[0].replace(/[\u00a0\u202f]/g, ' ');
};

/** The rows of the first table of an HTML fragment, as [header cell text, count, share]. */
const rows = (fragment: string): string[][] =>
  [...fragment.matchAll(/<tr[^>]*>\s*<th scope="row">([\s\S]*?)<\/th>\s*<td>(\d+)<\/td>\s*<td>([^<]*)<\/td>/g)].map(
    (m) => [
      m[1]!
        .replace(/<[^>]*>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
      m[2]!,
      m[3]!.replace(/\s+/g, ' ').trim(),
    ],
  );

describe.each(DIALECTS)('quiz answer distributions on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let admin: Agent;
  let learnerAgent: Agent;
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false, clock: () => now });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const run = await insertTestRun(t.db.kysely, now, {
      course_id: live.course_id,
      slug: 'printemps',
      title: 'Printemps',
      mode: 'self-paced',
      starts_at: '2026-01-01T00:00:00.000Z',
      ends_at: null,
      version_id: live.id,
    });

    const a = await createUser(t.db, 'admin@example.org', { admin: true, name: 'Admin' });
    admin = new Agent(app);
    await admin.login(a.email, a.password);

    // Answers go through the real submission path: the form post a learner's browser sends.
    const learner = async (n: number, inRun = false) => {
      const user = await createUser(t.db, `learner${n}@example.org`, { name: `Learner ${n}` });
      const agent = new Agent(app);
      await agent.login(user.email, user.password);
      if (inRun) expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
      return agent;
    };
    const submit = async (agent: Agent, problem: string, answers: [string, string][]) => {
      const res = await agent.post(QUIZ_URL, [['problem', problem], ...answers], { tokenFrom: QUIZ_URL });
      expect(res.statusCode).toBe(303);
    };
    const one = await learner(1);
    await submit(one, 'p2', [['p2q1', '0']]); // int: wrong…
    await submit(one, 'p2', [['p2q1', '1']]); // …then float: right
    await submit(one, 'p3', [['p3q1', '3,14']]);
    await submit(one, 'p4', [
      ['p4q1', '0'],
      ['p4q1', '2'],
      ['p4q1', '4'],
    ]);
    await submit(one, 'p6', [
      ['p6q1', '42'],
      ['p6q2', '1'],
      ['p6q3', ' Return '],
    ]);
    const two = await learner(2);
    await submit(two, 'p2', [['p2q1', '1']]);
    await submit(two, 'p3', [['p3q1', '3.14']]);
    await submit(two, 'p4', [
      ['p4q1', '0'],
      ['p4q1', '2'],
    ]);
    await submit(two, 'p6', [
      ['p6q1', '41'],
      ['p6q3', 'print'],
    ]);
    const three = await learner(3, true);
    await submit(three, 'p2', [['p2q1', '0']]);
    await submit(three, 'p3', [['p3q1', '3.2']]);
    await submit(three, 'p3', [['p3q1', '3.141']]);
    learnerAgent = three;
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('links the course page to the list of quizzes, which counts attempts and learners per quiz', async () => {
    expect((await admin.get('/manage/courses/demo')).body).toContain('href="/manage/courses/demo/quizzes"');
    const list = await admin.get('/manage/courses/demo/quizzes');
    expect(list.statusCode).toBe(200);
    expect(list.body).toMatch(/<caption>\s*Les quiz de cette version/);
    const row =
      /<tr>\s*<th scope="row">\s*<a href="\/manage\/courses\/demo\/quizzes\/w1\/w1-s3-q1-premiers-pas">[\s\S]*?<\/tr>/.exec(
        list.body,
      )![0];
    // 3 learners; 5 + 4 + 3 attempts.
    expect([...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(['1', '3', '12']);
    const inRun = await admin.get('/manage/courses/demo/quizzes?run=printemps');
    expect(inRun.body).toContain('href="/manage/courses/demo/quizzes/w1/w1-s3-q1-premiers-pas?run=printemps"');
    expect(inRun.body).toMatch(/<td>1<\/td>\s*<td>3<\/td>/);
  });

  it('counts each option of a choice question, marks the right one, and sums up each problem', async () => {
    const res = await admin.get(STATS);
    expect(res.statusCode).toBe(200);
    const p2 = section(res.body, 'p2');
    expect(rows(p2)).toEqual([
      ['int', '2', '50 %'],
      ['float bonne réponse', '2', '50 %'],
      ['str', '0', '0 %'],
      ['bool', '0', '0 %'],
    ]);
    expect(p2).toMatch(/Apprenants ayant essayé<\/dt>\s*<dd>3<\/dd>/);
    // First attempts: learner 2 only was right (1 of 3); 4 attempts by 3 learners.
    expect(p2).toMatch(/Réussite au premier essai<\/dt>\s*<dd>\s*33,3 %\s*<span class="muted">\(1 \/ 3\)<\/span>/);
    expect(p2).toMatch(/Essais par apprenant \(moyenne\)<\/dt>\s*<dd>1,33<\/dd>/);
    expect(p2).toContain('Réponses justes : 2 (50 %).');
    expect(p2).toMatch(/<caption>\s*Réponses données à la question 1 du problème 2\s*<\/caption>/);

    // Checkboxes: a share per box, and "right" only for the exact set.
    const p4 = section(res.body, 'p4');
    expect(rows(p4).map((r) => r.slice(0, 2))).toEqual([
      ['prix_total bonne réponse', '2'],
      ['1er_prix', '0'],
      ['_compteur bonne réponse', '2'],
      ['prix-total', '0'],
      ['température bonne réponse', '1'],
      ['class', '0'],
    ]);
    expect(p4).toContain('Réponses justes : 1 (50 %).');
  });

  it('merges free answers that grade alike, lists the most frequent with the right ones marked', async () => {
    const page = (await admin.get(STATS)).body;
    // 3,14 and 3.14 are one answer; 3.141 is right too (± 0.01); 3.2 is not.
    expect(rows(section(page, 'p3'))).toEqual([
      ['3.14 bonne réponse', '2', '50 %'],
      ['3.141 bonne réponse', '1', '25 %'],
      ['3.2', '1', '25 %'],
    ]);
    const p6 = section(page, 'p6');
    expect(p6).toContain('Réponse attendue :');
    expect(p6).toContain('2 essais y ont répondu, 0 l’ont laissée vide.');
    // Question 2 (dropdown) was left blank by learner 2.
    expect(p6).toContain('1 essais y ont répondu, 1 l’ont laissée vide.');
    expect(rows(p6)).toContainEqual(['return bonne réponse', '1', '50 %']);
    expect(rows(p6)).toContainEqual(['print', '1', '50 %']);
  });

  it('filters by session and counts first attempts only on demand', async () => {
    const first = (await admin.get(`${STATS}?attempts=first`)).body;
    expect(first).toMatch(/value="first" checked/);
    expect(rows(section(first, 'p2')).slice(0, 2)).toEqual([
      ['int', '2', '66,7 %'],
      ['float bonne réponse', '1', '33,3 %'],
    ]);
    expect(rows(section(first, 'p3')).map((r) => r[0])).toEqual(['3.14 bonne réponse', '3.2']);
    const run = (await admin.get(`${STATS}?run=printemps`)).body;
    expect(run).toMatch(/<option value="printemps" selected>Printemps<\/option>/);
    expect(rows(section(run, 'p2')).slice(0, 2)).toEqual([
      ['int', '1', '100 %'],
      ['float bonne réponse', '0', '0 %'],
    ]);
    expect(section(run, 'p6')).toContain('Aucun essai compté pour ce problème.');
    expect((await admin.get(`${STATS}?run=nope`)).statusCode).toBe(404);
    expect((await admin.get('/manage/courses/demo/quizzes/w1/nope')).statusCode).toBe(404);
  });

  it('downloads the same figures as CSV', async () => {
    const res = await admin.get(`${STATS}?attempts=first&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="demo-w1_w1-s3-q1-premiers-pas-first.csv"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const lines = res.body.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'problem,problem_title,learners,attempts,first_attempt_success,mean_attempts,question,question_kind,answered,blank,correct_answers,answer,answer_is_correct,count,share',
    );
    expect(lines).toContain("p2,Le type d'une division,3,4,0.3333,1.33,p2q1,single,3,0,1,int,no,2,0.6667");
    expect(lines).toContain("p2,Le type d'une division,3,4,0.3333,1.33,p2q1,single,3,0,1,float,yes,1,0.3333");
    expect(lines).toContain('p3,Une valeur approchée,3,4,0.6667,1.33,p3q1,numeric,3,0,2,3.14,yes,2,0.6667');
    // Nobody answered problem 5: one row per option, with zero counts and no share.
    expect(lines.filter((l) => l.startsWith('p5,'))).toHaveLength(8);
    // Its title is an <h3> in the body, not a ==== title.
    expect(lines).toContain("p5,,0,0,,,p5q1,single,0,0,0,'arn',yes,0,");
  });

  it('writes answers a spreadsheet would run as formulas as text in the CSV', async () => {
    const url = '/courses/demo/w3/w3-s3-q1-plus-loin';
    const payloads = [
      "-1+cmd|' /C calc'!A0",
      '+1+HYPERLINK("https://evil.example","x")',
      '@SUM(1+1)*cmd|" /C calc"!A0',
    ];
    for (const [i, answer] of payloads.entries()) {
      const user = await createUser(t.db, `formula${i}@example.org`);
      const agent = new Agent(app);
      await agent.login(user.email, user.password);
      const res = await agent.post(
        url,
        [
          ['problem', 'p5'],
          ['p5q1', answer],
        ],
        { tokenFrom: url },
      );
      expect(res.statusCode).toBe(303);
    }
    const csv = await admin.get('/manage/courses/demo/quizzes/w3/w3-s3-q1-plus-loin?format=csv');
    expect(csv.statusCode).toBe(200);
    // The answer column of problem 5's rows (answers are shown as graded: trimmed, lower-case).
    const answers = csv.body
      .trimEnd()
      .split('\r\n')
      .filter((l) => l.startsWith('p5,'))
      .map((l) => l.split(',').slice(11, -3).join(','));
    expect(answers).toEqual(
      expect.arrayContaining([
        "'-1+cmd|' /c calc'!a0",
        '"\'+1+hyperlink(""https://evil.example"",""x"")"',
        '"\'@sum(1+1)*cmd|"" /c calc""!a0"',
      ]),
    );
  });

  it('does not exist for a learner, and sends anonymous readers to the login', async () => {
    for (const url of ['/manage/courses/demo/quizzes', STATS, `${STATS}?format=csv`]) {
      const res = await learnerAgent.get(url);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('bonne réponse');
    }
    const anonymous = await new Agent(app).get(`${STATS}?format=csv`);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers['location']).toMatch(/^\/login\?next=/);
  });
});
