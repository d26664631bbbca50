// Forgeable exercises (no hidden check) on the staff pages and in the grading policy: flagged on the
// grading page and the submissions page, counted by default, left out of the grade with `exclude`
// (recomputed by a job, refreshed after a pass, marked in the CSV) — through the HTTP API, real
// sandbox, both databases.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { registerGradeRecompute } from '../src/lib/grades/recompute.ts';
import { registerGradeExercise } from '../src/lib/grading/grade-job.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalLearnerGrade } from '../src/models/learner-grades.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { insertTestRun, makeCourse, notebook, REPO_ROOT } from './fixtures.ts';

const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');
const NU = 'w1/w1-s1-x1-nu';
const CARRE = 'w1/w1-s2-x1-carre';

/** A notebook that imports an exercise and corrects a first attempt with it. */
const exerciseNotebook = (title: string, name: string) =>
  `${notebook(title).replace(/```\{code-cell\}[\s\S]*$/, '')}\n\`\`\`{code-cell} ipython3\nfrom corrections.exo_${name} import exo_${name}\nexo_${name}.correction(lambda x: x)\n\`\`\`\n`;

// exo_nu has two datasets: nothing is held back, the browser shows every expected value (forgeable).
// exo_carre has six: a third is held back, two hidden checks.
const COURSE = {
  'CONTENTS.md': '# Faux\n\n## Semaine 1\n\n* w1-s1: Opposé\n* w1-s2: Carré\n',
  'w1/w1-s1-x1-nu.md': exerciseNotebook('Opposé', 'nu'),
  'w1/w1-s2-x1-carre.md': exerciseNotebook('Carré', 'carre'),
  'modules/corrections/exo_nu.py': [
    'from nbautoeval import Args, ExerciseFunction',
    'def nu(x):',
    '    return -x',
    'exo_nu = ExerciseFunction(nu, [Args(1), Args(2)])',
  ].join('\n'),
  'modules/corrections/exo_carre.py': [
    'from nbautoeval import Args, ExerciseFunction',
    'def carre(x):',
    '    return x * x',
    'exo_carre = ExerciseFunction(carre, [Args(n) for n in (1, 2, 3, 5, 8, 13)])',
  ].join('\n'),
};

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
});

describe.each(DIALECTS)('forgeable exercises on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  let course: { dir: string; cleanup(): void };
  const now = new Date('2026-03-05T10:00:00Z'); // week 1 opened on 2026-03-02, due two weeks later
  let run: Run;
  let staff: Agent;
  const base = '/manage/courses/faux/runs/printemps';
  let n = 0;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    course = makeCourse(COURSE);
    const summary = await importCourse(t.db, { source: course.dir, slug: 'faux', dataDir: t.dataDir, sandbox });
    expect(summary.status).toBe('imported');
    expect(summary.warnings.filter((w) => w.code === 'exercise.forgeable').map((w) => w.file)).toEqual([
      'modules/corrections/exo_nu.py',
    ]);
    jobs = new DbJobQueue(t.db, { concurrency: 1, pollMs: 50, listenUrl: t.databaseUrl });
    registerGradeExercise(jobs, t.db.kysely, sandbox);
    registerGradeRecompute(jobs, t.db.kysely, () => now);
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      jobs,
      logger: false,
      clock: () => now,
      grading: { sandbox, unsafe: false, problem: undefined },
    });
    jobs.start();
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'faux'))!;
    run = await insertTestRun(t.db.kysely, now, {
      course_id: live.course_id,
      slug: 'printemps',
      title: 'Printemps',
      version_id: live.id,
    });
    const staffUser = await createUser(t.db, 'staff@example.org', { name: 'Staff' });
    await ensureCourseRole(
      t.db.kysely,
      { userId: staffUser.id, courseId: live.course_id, role: 'staff', grantedBy: null },
      now,
    );
    staff = new Agent(app);
    await staff.login(staffUser.email, staffUser.password);
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
    course.cleanup();
  });

  async function learner() {
    const user = await createUser(t.db, `learner${++n}@example.org`, { name: `Learner ${n}` });
    const agent = new Agent(app);
    await agent.login(user.email, user.password);
    expect(await enrol(t.db.kysely, user.id, run, now)).toBe('enrolled');
    return { user, agent };
  }

  /** Submits the right function for exo_nu as the notebook page does, and waits for the verdict. */
  async function passNu(agent: Agent) {
    const posted = await agent.json(
      'POST',
      '/api/submissions',
      {
        slug: 'faux',
        route: NU,
        module: 'corrections.exo_nu',
        exercise: 'exo_nu',
        cells: ['from corrections.exo_nu import exo_nu', 'def nu(x):\n    return -x', 'exo_nu.correction(nu)'],
        browser: { ok: true, passed: 2, total: 2 },
      },
      { csrf: true },
    );
    expect(posted.statusCode).toBe(202);
    const { id } = posted.json<{ id: number }>();
    // The job stores the verdict, then refreshes the grade: waiting for the job waits for both.
    const { job_id } = await t.db.kysely
      .selectFrom('submissions')
      .select('job_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect((await jobs.waitFor(job_id!, 60_000)).status).toBe('done');
    return (await agent.json('GET', `/api/submissions/${id}`)).json<{ status: string; verdict?: unknown }>();
  }

  const storedGrade = async (userId: number) => (await selectOptionalLearnerGrade(t.db.kysely, run.id, userId))!;

  /** The grading form, valid, with the forgeable setting given. */
  const form = (forgeable: string): [string, string][] => [
    ['quizWeight', '1'],
    ['exerciseWeight', '1'],
    ['weeks', '1'],
    ['due_1', ''],
    ['dueDays', '14'],
    ['graceMinutes', '0'],
    ['threshold', '50'],
    ['certIssue', 'pass'],
    ['certDate', ''],
    ['certShowGrade', '1'],
    ['quizAttempts', '2'],
    ['quizCounts', 'best'],
    ['quizPartialCredit', ''],
    ['quizShowAnswer', 'finished'],
    ['forgeable', forgeable],
  ];

  /** The row of an exercise in the grading page's table of exercises. */
  const rowOf = (page: string, name: string) => {
    const row = new RegExp(`<tr>\\s*<th scope="row"><code>${name}</code></th>[\\s\\S]*?</tr>`).exec(page);
    expect(row, `no row for ${name}`).not.toBeNull();
    return row![0];
  };

  it('the grading page lists the exercises: notebook, how checked, hidden checks, the forgeable flag', async () => {
    const page = await staff.get(`${base}/grading`);
    expect(page.statusCode).toBe(200);
    // An accessible table: a named, focusable scroller, a caption, headers for columns and rows.
    expect(page.body).toMatch(/role="region" aria-labelledby="exercises-caption"/);
    expect(page.body).toMatch(/<caption id="exercises-caption"[^>]*>\s*Exercices de la version de la session/);
    for (const col of ['Exercice', 'Notebook qui le corrige', 'Vérification', 'Vérifications cachées'])
      expect(page.body).toContain(`<th scope="col">${col}</th>`);
    const nu = rowOf(page.body, 'exo_nu');
    expect(nu).toContain(`href="/courses/faux/${NU}"`);
    expect(nu).toContain('dans le navigateur');
    expect(nu).toMatch(/0\s*<strong class="tag">falsifiable<\/strong>/);
    expect(nu).toContain('sa note vérifiée peut être falsifiée en recopiant les valeurs attendues affichées');
    expect(nu).toMatch(/<td>oui<\/td>/);
    const carre = rowOf(page.body, 'exo_carre');
    expect(carre).toContain(`href="/courses/faux/${CARRE}"`);
    expect(carre).toMatch(/<td>2<\/td>/);
    expect(carre).not.toContain('falsifiable');
    // The setting: a radio group with its legend, counting by default; the hint says how many.
    expect(page.body).toMatch(/<legend>Exercices sans vérification cachée<\/legend>/);
    expect(page.body).toMatch(/name="forgeable"\s+value="count"\s+checked/);
    expect(page.body).not.toMatch(/name="forgeable"\s+value="exclude"\s+checked/);
    expect(page.body).toContain('Cette version en a 1');
    // In English too.
    const en = await staff.get(`${base}/grading`, { 'accept-language': 'en' });
    expect(rowOf(en.body, 'exo_nu')).toContain(
      'No hidden check: its verified grade can be forged by copying the expected values shown.',
    );
    expect(rowOf(en.body, 'exo_nu')).toContain('in the browser');
  });

  it('is not there for a learner (404), whatever the method', async () => {
    const { agent } = await learner();
    expect((await agent.get(`${base}/grading`)).statusCode).toBe(404);
    expect((await agent.get(`${base}/grades.csv`)).statusCode).toBe(404);
    expect((await agent.get('/manage/courses/faux/submissions')).statusCode).toBe(404);
    const post = await agent.post(`${base}/grading`, form('exclude'), { tokenFrom: '/account' });
    expect(post.statusCode).toBe(404);
    const page = await staff.get(`${base}/grading`);
    expect(page.body).toMatch(/name="forgeable"\s+value="count"\s+checked/);
  });

  it('refuses a value that is neither count nor exclude, naming the field', async () => {
    const res = await staff.post(`${base}/grading`, form('peut-être'), { tokenFrom: `${base}/grading` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="f-forgeable-error"');
    expect(res.body).toContain('Choisissez si les exercices sans vérification cachée comptent dans la note.');
  });

  it('counted, a verified pass raises the grade; excluded, it does not, and the CSV says so', async () => {
    const a = await learner();
    expect(await passNu(a.agent)).toMatchObject({ status: 'done', verdict: { ok: true } });
    // Two exercises, no quiz: exo_nu passed is half of the grade, which reaches the 50 % threshold.
    expect(await storedGrade(a.user.id)).toMatchObject({ grade: 0.5, passed: 1 });

    const saved = await staff.post(`${base}/grading`, form('exclude'), { tokenFrom: `${base}/grading` });
    expect(saved.statusCode).toBe(303);
    const job = Number(/job=(\d+)/.exec(String(saved.headers.location))![1]);
    expect((await jobs.waitFor(job, 30_000)).status).toBe('done');
    // Recomputed: exo_carre alone counts, not passed.
    expect(await storedGrade(a.user.id)).toMatchObject({ grade: 0, passed: 0 });
    // A certificate issued while it counted stays (ADR 031: staff revoke): set the policy early.
    const certificates = await t.db.kysely
      .selectFrom('certificates')
      .select('revoked_at')
      .where('user_id', '=', a.user.id)
      .execute();
    expect(certificates).toEqual([{ revoked_at: null }]);

    // A pass made once exo_nu is left out does not raise the grade either.
    const b = await learner();
    expect(await passNu(b.agent)).toMatchObject({ status: 'done', verdict: { ok: true } });
    expect(await storedGrade(b.user.id)).toMatchObject({ grade: 0, passed: 0 });
    // The learner's progress page says so, beside the exercise.
    const progress = await b.agent.get(`/courses/faux/progress`);
    expect(progress.body).toContain('ne compte pas dans la note de cette session');

    const page = await staff.get(`${base}/grading`);
    expect(page.body).toMatch(/name="forgeable"\s+value="exclude"\s+checked/);
    expect(rowOf(page.body, 'exo_nu')).toContain('non : falsifiable, laissé hors de la note');
    expect(rowOf(page.body, 'exo_carre')).toMatch(/<td>oui<\/td>/);

    // The report keeps the column, marked as not counted, with the learner's score; the totals leave it out.
    const csv = await staff.get(`${base}/grades.csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.slice(1).split('\r\n');
    const header = lines[0]!.split(',');
    const nu = header.indexOf('W1 exercise: exo_nu (not counted)');
    expect(nu).toBeGreaterThan(1);
    expect(header).toContain('W1 exercise: exo_carre');
    const rowA = lines.find((l) => l.startsWith(a.user.email))!.split(',');
    expect(rowA[nu]).toBe('1');
    expect(rowA.slice(-3)).toEqual(['0', '0', 'no']); // exercise score, grade, passed

    // Counted again: the same passes count again (results are never rewritten).
    const back = await staff.post(`${base}/grading`, form('count'), { tokenFrom: `${base}/grading` });
    const again = Number(/job=(\d+)/.exec(String(back.headers.location))![1]);
    expect((await jobs.waitFor(again, 30_000)).status).toBe('done');
    expect(await storedGrade(a.user.id)).toMatchObject({ grade: 0.5, passed: 1 });
    expect(await storedGrade(b.user.id)).toMatchObject({ grade: 0.5, passed: 1 });
    const counted = await staff.get(`${base}/grades.csv`);
    expect(counted.body).toContain('W1 exercise: exo_nu,');
  }, 120_000);

  it("the submissions page shows each exercise's hidden checks and flags the forgeable one", async () => {
    const page = await staff.get('/manage/courses/faux/submissions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<th scope="col">Vérifications cachées</th>');
    expect(page.body).toMatch(/<td>0 <strong class="tag">falsifiable<\/strong><\/td>/);
    expect(page.body).toContain('sa note vérifiée peut être falsifiée en recopiant les valeurs attendues affichées');
  });

  it('carnet run grading sets and shows the setting', () => {
    const carnet = (args: string[]) => {
      const r = spawnSync(process.execPath, [CARNET, 'run', 'grading', 'faux', 'printemps', ...args], {
        env: {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          CARNET_DATA_DIR: t.dataDir,
          DATABASE_URL: t.databaseUrl,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const changed = carnet(['--forgeable', 'exclude', '--show']);
    expect(changed.stderr).toBe('');
    expect(changed.code).toBe(0);
    expect(changed.stdout).toMatch(
      /forgeable +excluded from the grade \(exercises with no hidden check: corrections\.exo_nu\.exo_nu\)/,
    );
    const bad = carnet(['--forgeable', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--forgeable: Choose whether exercises with no hidden check count in the grade.');
    expect(carnet([]).stdout).toMatch(/forgeable +excluded from the grade/);
  });
});
