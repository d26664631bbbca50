// Staff edit a session's grading and quiz policies (the page and `carnet run grading`), the grades
// follow (a job), and the grade report is a streamed CSV — on both databases.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { gradedItems } from '../src/lib/grades/gradebook.ts';
import { parseGradingPolicy } from '../src/lib/grades/policy.ts';
import { GRADES_RECOMPUTE, registerGradeRecompute } from '../src/lib/grades/recompute.ts';
import { gradeReportStream, reportWorkers } from '../src/lib/grades/report-stream.ts';
import { gradeReport, scoreText } from '../src/lib/grades/report.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { enrol, unenrol } from '../src/lib/runs/enrolment.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalRunById, selectOptionalRunBySlug } from '../src/models/runs.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, REPO_ROOT, insertTestRun } from './fixtures.ts';

const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');

/** A small RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe.each(DIALECTS)('grading page, grade report and command on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  const now = new Date('2026-03-20T10:00:00Z');
  let courseId = 0;
  let versionId = 0;
  let run: Run;
  let staff: Agent;
  let learnerAgent: Agent;
  const base = '/manage/courses/demo/runs/printemps';
  let n = 0;

  const newRun = async (slug: string) =>
    await insertTestRun(t.db.kysely, now, {
      course_id: courseId,
      slug,
      title: `Session ${slug}`,
      version_id: versionId,
    });

  beforeAll(async () => {
    const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
    if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
    t = await createTestDb(dialect);
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
    run = await newRun('printemps');
    const staffUser = await createUser(t.db, 'staff@example.org', { name: 'Staff' });
    await ensureCourseRole(t.db.kysely, { userId: staffUser.id, courseId, role: 'staff', grantedBy: null }, now);
    staff = new Agent(app);
    await staff.login(staffUser.email, staffUser.password);
    const learnerUser = await createUser(t.db, 'curious@example.org', { name: 'Curious' });
    await enrol(t.db.kysely, learnerUser.id, run, now);
    learnerAgent = new Agent(app);
    await learnerAgent.login(learnerUser.email, learnerUser.password);
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  const freshRun = async (id = run.id) => (await selectOptionalRunById(t.db.kysely, id))!;
  const recomputeJobs = async () =>
    (await t.db.kysely.selectFrom('jobs').select('id').where('kind', '=', GRADES_RECOMPUTE).execute()).length;
  const attempt = (
    userId: number,
    problem: string,
    number: number,
    score: number,
    max: number,
    at: string,
    route = QUIZ,
  ) =>
    t.db.kysely
      .insertInto('quiz_attempts')
      .values({
        user_id: userId,
        course_id: courseId,
        version_id: versionId,
        run_id: run.id,
        route,
        problem_id: problem,
        attempt: number,
        answers: '{}',
        score,
        max,
        submitted_at: at,
      })
      .execute();

  /** Every field of the form, valid, with some changes. */
  const valid = (): [string, string][] => [
    ['quizWeight', '2'],
    ['exerciseWeight', '1,5'],
    ['weeks', '1'],
    ['weeks', '2'],
    ['due_1', ''],
    ['due_2', '2026-04-01T18:00'],
    ['due_3', ''],
    ['dueDays', '10'],
    ['graceMinutes', '30'],
    ['threshold', '60'],
    ['certIssue', 'date'],
    ['certDate', '2026-05-15T12:00'],
    ['certShowGrade', '1'],
    ['forgeable', 'exclude'],
    ['quizAttempts', '3'],
    ['quizCounts', 'last'],
    ['quizPartialCredit', '1'],
    ['quizShowAnswer', 'never'],
  ];

  it('is not there for learners or anonymous visitors (404, CSV included)', async () => {
    for (const path of ['/grading', '/grades.csv']) {
      expect((await learnerAgent.get(base + path)).statusCode).toBe(404);
      expect((await new Agent(app).get(base + path)).statusCode).not.toBe(200);
    }
    const post = await learnerAgent.post(`${base}/grading`, valid(), { tokenFrom: '/account' });
    expect(post.statusCode).toBe(404);
    expect(parseGradingPolicy((await freshRun()).grading).threshold).toBe(0.5);
  });

  it('shows the policies with the computed due dates, linked from the session page', async () => {
    const runPage = await staff.get(base);
    expect(runPage.body).toContain(`href="${base}/grading"`);
    expect(runPage.body).toContain(`href="${base}/grades.csv"`);
    const page = await staff.get(`${base}/grading`);
    expect(page.statusCode).toBe(200);
    // Week 1 opens 2026-03-02 09:00 in Paris, due 14 days later.
    expect(page.body).toContain('2026-03-16 09:00');
    expect(page.body).toMatch(/name="threshold"[^>]*value="50"/);
    expect(page.body).toMatch(/name="weeks"\s+value="3"\s+checked/);
    expect(page.body).toMatch(/name="quizShowAnswer"\s+value="finished"\s+checked/);
    expect(page.body).toMatch(/name="quizAttempts"[^>]*value="2"/);
    expect(page.body).toMatch(/name="forgeable"\s+value="count"\s+checked/);
    // The demo's exercises: how each is checked and its hidden checks; none is forgeable.
    const row = (name: string) =>
      new RegExp(`<th scope="row"><code>${name}</code></th>[\\s\\S]*?</tr>`).exec(page.body)?.[0] ?? '';
    expect(row('exo_duree')).toMatch(/dans le navigateur<\/td>\s*<td>2<\/td>\s*<td>oui<\/td>/);
    expect(row('exo_moyenne')).toMatch(/par le serveur<\/td>\s*<td>2<\/td>/);
    expect(row('exo_somme_carres')).toContain('un nouveau tirage à chaque vérification');
    expect(page.body).not.toContain('<strong class="tag">falsifiable</strong>');
    expect(page.body).toContain('Cette version en a 0');
  });

  it('refuses wrong values field by field, keeping what was typed', async () => {
    const fields = valid().filter(
      ([k]) => !['quizWeight', 'exerciseWeight', 'weeks', 'threshold', 'certDate', 'quizAttempts', 'due_2'].includes(k),
    );
    fields.push(
      ['quizWeight', '0'],
      ['exerciseWeight', '0'],
      ['threshold', 'beaucoup'],
      ['certDate', ''],
      ['quizAttempts', '-1'],
      ['due_2', 'demain'],
    );
    const res = await staff.post(`${base}/grading`, fields, { tokenFrom: `${base}/grading` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('role="alert"');
    for (const name of ['quizWeight', 'threshold', 'certDate', 'quizAttempts', 'due_2'])
      expect(res.body).toMatch(new RegExp(`id="f-${name}"[^>]*aria-invalid="true"`));
    expect(res.body).toContain('id="f-weeks-error"');
    expect(res.body).toMatch(/name="threshold"[^>]*value="beaucoup"/);
    expect(res.body).toMatch(/name="due_2"[^>]*value="demain"/);
    // Nothing stored, nothing queued.
    expect(parseGradingPolicy((await freshRun()).grading).threshold).toBe(0.5);
  });

  it('saves both policies, queues the recomputation and says where it stands', async () => {
    const res = await staff.post(`${base}/grading`, valid(), { tokenFrom: `${base}/grading` });
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    const job = Number(/job=(\d+)/.exec(location)![1]);
    expect((await jobs.waitFor(job, 30_000)).status).toBe('done');
    const stored = await freshRun();
    expect(parseGradingPolicy(stored.grading)).toEqual({
      weights: { quiz: 2, exercise: 1.5 },
      weeks: [1, 2],
      dueDays: 10,
      due: { 2: '2026-04-01T16:00:00.000Z' },
      graceMinutes: 30,
      threshold: 0.6,
      certificates: { issue: 'date', date: '2026-05-15T10:00:00.000Z', showGrade: true },
      forgeable: 'exclude',
    });
    expect(stored).toMatchObject({
      quiz_attempts: 3,
      quiz_counts: 'last',
      quiz_partial_credit: 1,
      quiz_show_answer: 'never',
    });
    const page = await staff.get(location);
    expect(page.body).toContain('role="status"');
    expect(page.body).toMatch(new RegExp(`job ${job}: done|tâche ${job} : terminée`));
    // The enrolled learner got a grade row, counted in the summary.
    expect(page.body).toMatch(/1 (learners graded|apprenants notés)/);
    // The form shows what was stored.
    expect(page.body).toMatch(/name="due_2"[^>]*value="2026-04-01T18:00"/);
    expect(page.body).not.toMatch(/name="weeks"\s+value="3"\s+checked/);
    // Another session's job is not shown here.
    const other = await staff.get(`${base}/grading?notice=saved&job=999999`);
    expect(other.body).not.toMatch(/job 999999|tâche 999999/);
  });

  it('editing the schedule queues a recomputation; editing the title alone does not', async () => {
    const fields = (start: string) => ({
      title: 'Printemps',
      mode: 'scheduled',
      startsAt: start,
      endsAt: '2026-05-01T02:00',
      enrolOpensAt: '',
      enrolClosesAt: '',
    });
    const before = await recomputeJobs();
    expect((await staff.post(base, fields('2026-03-02T09:00'), { tokenFrom: base })).statusCode).toBe(303);
    expect(await recomputeJobs()).toBe(before);
    expect((await staff.post(base, fields('2026-03-03T09:00'), { tokenFrom: base })).statusCode).toBe(303);
    expect(await recomputeJobs()).toBe(before + 1);
    expect((await staff.post(base, fields('2026-03-02T09:00'), { tokenFrom: base })).statusCode).toBe(303);
  });

  it('reports every active learner as CSV: scores, empty cells, late work not counted, safe text', async () => {
    const csvRun = await newRun('rapport');
    const mk = async (name: string) => {
      const user = await createUser(t.db, `csv${++n}@example.org`, { name });
      await enrol(t.db.kysely, user.id, csvRun, now);
      return user;
    };
    const a = await mk('=HYPERLINK("http://evil.example","clic")');
    const b = await mk('Dupont, "Jo"\nsecond line');
    const c = await mk('Zoé');
    const gone = await mk('Parti');
    await unenrol(t.db.kysely, gone.id, csvRun.id, now);
    // Week 1 is due 2026-03-16 08:00 UTC (default policy, no grace).
    await attempt(a.id, 'p1', 1, 1, 1, '2026-03-05T10:00:00.000Z');
    await attempt(a.id, 'p2', 1, 1, 2, '2026-03-05T10:00:00.000Z');
    await attempt(b.id, 'p1', 1, 1, 1, '2026-03-17T10:00:00.000Z'); // late
    await attempt(b.id, 'p2', 1, 0, 1, '2026-03-06T10:00:00.000Z');

    const res = await staff.get('/manage/courses/demo/runs/rapport/grades.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="grades-demo-rapport-2026-03-20.csv"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(res.body.slice(1));
    const items = await gradedItems(t.db.kysely, versionId);
    const header = rows[0]!;
    expect(header.slice(0, 2)).toEqual(['email', 'name']);
    expect(header.slice(-4)).toEqual(['quiz score', 'exercise score', 'grade', 'passed']);
    expect(header).toHaveLength(2 + items.length + 4);
    const p1 = 2 + items.findIndex((i) => i.key === `quiz:${QUIZ}#p1`);
    const p2 = 2 + items.findIndex((i) => i.key === `quiz:${QUIZ}#p2`);
    expect(header[p1]).toMatch(/^W1 quiz: /);
    expect(header.some((h) => /^W\d exercise: exo_/.test(h))).toBe(true);

    expect(rows.slice(1).map((r) => r[0])).toEqual([a.email, b.email, c.email]);
    for (const r of rows.slice(1)) expect(r).toHaveLength(header.length);
    const [ra, rb, rc] = rows.slice(1) as [string[], string[], string[]];
    const quizzes = items.filter((i) => i.kind === 'quiz').length;
    // Formula-looking text gets an apostrophe; quotes, commas and line breaks survive quoting.
    expect(ra[1]).toBe('\'=HYPERLINK("http://evil.example","clic")');
    expect(rb[1]).toBe('Dupont, "Jo"\nsecond line');
    expect(rc[1]).toBe('Zoé');
    expect([ra[p1], ra[p2]]).toEqual(['1', '0.5']);
    expect(ra.at(-4)).toBe(scoreText(1.5 / quizzes));
    expect(ra.at(-3)).toBe('0');
    expect(ra.at(-2)).toBe(scoreText(1.5 / quizzes / 2));
    expect(ra.at(-1)).toBe('no');
    // Late: empty (not counted); on time and wrong: 0.
    expect([rb[p1], rb[p2]]).toEqual(['', '0']);
    expect(rb.at(-2)).toBe('0');
    // Nothing attempted: every item empty.
    expect(rc.slice(2, 2 + items.length).every((v) => v === '')).toBe(true);
    expect(rc.slice(-2)).toEqual(['0', 'no']);
  });

  it('carnet run grading changes the policy, queues the job and shows the due dates', async () => {
    const env = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      CARNET_DATA_DIR: t.dataDir,
      DATABASE_URL: t.databaseUrl,
    };
    const carnet = (args: string[]) => {
      const r = spawnSync(process.execPath, [CARNET, 'run', 'grading', ...args], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const cliRun = await newRun('ligne');
    const before = await recomputeJobs();
    const changed = carnet([
      'demo',
      'ligne',
      '--threshold',
      '75',
      '--weights',
      'quiz=1,exercise=3',
      '--weeks',
      '1,3',
      '--grace',
      '15',
      '--show',
    ]);
    expect(changed.stderr).toBe('');
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('grades will be recomputed');
    expect(changed.stdout).toMatch(/threshold +75 %/);
    expect(changed.stdout).toMatch(/week 1 +due 2026-03-16 09:00 \(computed\)/);
    expect(changed.stdout).toMatch(/week 2 .*not counted/);
    expect(parseGradingPolicy((await freshRun(cliRun.id)).grading)).toMatchObject({
      weights: { quiz: 1, exercise: 3 },
      weeks: [1, 3],
      graceMinutes: 15,
      threshold: 0.75,
    });
    expect(await recomputeJobs()).toBe(before + 1);
    const shown = carnet(['demo', 'ligne']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/weeks +1,3/);
    const bad = carnet(['demo', 'ligne', '--threshold', '120']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold: Enter a percentage');
    expect(carnet(['demo', 'nope']).code).toBe(1);
  });

  /** Waits until no report worker runs (they exit asynchronously). */
  const noReportWorker = async () => {
    for (let i = 0; i < 200 && reportWorkers.running > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(reportWorkers.running).toBe(0);
  };

  it('writes the report in a worker thread, page by page, byte for byte as the generator', async () => {
    const csvRun = (await selectOptionalRunBySlug(t.db.kysely, 'demo', 'rapport'))!;
    let expected = '';
    for await (const chunk of gradeReport(t.db.kysely, csvRun)) expected += chunk.toString('utf8');
    await noReportWorker();
    const stopped = reportWorkers.stopped;
    // One learner per page: the worker writes a chunk each time the stream asks for one.
    const stream = gradeReportStream(t.db, csvRun, 1);
    expect(reportWorkers.running).toBe(1);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(chunks.length).toBe(1 + 3); // the header, then one chunk per active learner
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
    await noReportWorker();
    expect(reportWorkers.stopped).toBe(stopped);
  });

  it('ends the download visibly when the worker fails', async () => {
    const csvRun = (await selectOptionalRunBySlug(t.db.kysely, 'demo', 'rapport'))!;
    // A database the worker cannot reach: its first query fails, and so does the stream.
    const unreachable = {
      dataDir: join(t.dataDir, 'nowhere'),
      databaseUrl: t.databaseUrl && 'postgres://127.0.0.1:1/none',
    };
    const stream = gradeReportStream({ ...t.db, options: unreachable }, csvRun);
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow(/grade report failed in its worker/);
    await noReportWorker();
  });

  it('stops the worker when the client leaves in the middle of a download', async () => {
    const bigRun = await newRun('foule');
    const at = now.toISOString();
    const series =
      dialect === 'postgres'
        ? sql`select g from generate_series(1, 20000) as g`
        : sql`select g from (with recursive s(g) as (select 1 union all select g + 1 from s where g < 20000) select g from s)`;
    await sql`insert into users (email, email_key, display_name, password_hash, created_at, updated_at)
      select 'crowd' || g || '@example.org', 'crowd' || g || '@example.org', 'Crowd ' || g, null, ${at}, ${at}
      from (${series}) as numbers`.execute(t.db.kysely);
    await sql`insert into enrolments (user_id, run_id, course_id, status, enrolled_at)
      select id, ${bigRun.id}, ${courseId}, 'active', ${at} from users where email like 'crowd%'`.execute(t.db.kysely);
    await noReportWorker();
    const stopped = reportWorkers.stopped;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const cookie = [...staff.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    // Headers received, nothing read: then the client goes away.
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/manage/courses/demo/runs/foule/grades.csv', headers: { cookie } },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(reportWorkers.running).toBe(1);
          req.destroy();
          resolve();
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    });
    await noReportWorker();
    expect(reportWorkers.stopped).toBe(stopped + 1);
  });
});
