// Verified grades: a learner's cells graded in the real sandbox (bubblewrap) in two runs — the
// untrusted one obtains values, the trusted judge compares — and the submissions API around it.
import { execFileSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { pythonDir } from '../src/lib/exercises/library.ts';
import { versionSeals, type VersionExercise } from '../src/lib/exercises/seals.ts';
import { gradingCourse, trustedCourse } from '../src/lib/grading/course.ts';
import { gradeCells, registerGradeExercise } from '../src/lib/grading/grade-job.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectItemProgress } from '../src/models/item-progress.ts';
import { hasEarlierPass, selectSubmissionById } from '../src/models/submissions.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const ROUTE = 'w1/w1-s3-x1-duree';
const MODULE = 'corrections.exo_duree';
const IMPORT = 'from corrections.exo_duree import exo_duree';
const RIGHT = [
  'def duree(secondes):',
  '    h, reste = divmod(secondes, 3600)',
  '    m, s = divmod(reste, 60)',
  '    return f"{h:02}:{m:02}:{s:02}"',
].join('\n');
const WRONG = 'def duree(secondes):\n    return f"{secondes // 3600}:{secondes % 3600 // 60}:{secondes % 60}"';
const CORRECTION = 'exo_duree.correction(duree)';

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
});

/** What the browser's stand-in shows for these cells (CPython here, the same library as Pyodide): each row's verdict. */
function browserRows(exercise: VersionExercise, cells: string[]): boolean[] {
  const program = [
    'import sys, json, types',
    'sys.path.insert(0, sys.argv[1])',
    'import nbautoeval',
    'from nbautoeval.sealed import load_exercise',
    'nbautoeval.set_display_hook(lambda table: None)',
    'module = types.ModuleType("corrections.exo_duree")',
    'module.exo_duree = load_exercise(sys.argv[2])',
    'sys.modules["corrections"] = types.ModuleType("corrections")',
    'sys.modules["corrections.exo_duree"] = module',
    'namespace = {}',
    'for cell in json.loads(sys.argv[3]):',
    '    try: exec(cell, namespace)',
    '    except Exception: pass',
    'print(json.dumps([row.ok for row in module.exo_duree.last_result.rows]))',
  ].join('\n');
  const out = execFileSync(
    'python3',
    ['-I', '-S', '-c', program, pythonDir(), JSON.stringify(exercise.seal.public), JSON.stringify(cells)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as boolean[];
}

describe('grading in the sandbox (the untrusted run obtains, a trusted judge compares)', () => {
  let exercise: VersionExercise;
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox });
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    exercise = (await versionSeals(t.db.kysely, live.id)).exercises.get(`${MODULE}.exo_duree`)!;
  }, 60_000);
  afterAll(async () => {
    await t.cleanup();
  });
  async function courses() {
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    return {
      untrusted: await gradingCourse(t.db.kysely, live.id, ROUTE),
      trusted: await trustedCourse(t.db.kysely, live.id, ROUTE),
    };
  }
  const grade = async (cells: string[], limits = {}) =>
    gradeCells(sandbox, { cells, exercise }, { limits, courses: await courses() });

  it('agrees with the browser on honest code, right or wrong, and checks more than the browser sees', async () => {
    for (const cells of [
      [IMPORT, RIGHT, CORRECTION],
      [IMPORT, WRONG, CORRECTION],
    ]) {
      const outcome = await grade(cells);
      expect(outcome.status).toBe('done');
      if (outcome.status !== 'done') continue;
      // The rows the learner sees, in the same order, with the same verdicts; then the hidden ones.
      expect(outcome.verdict.rows.filter((r) => !r.hidden).map((r) => r.ok)).toEqual(browserRows(exercise, cells));
      expect(outcome.verdict.rows.filter((r) => r.hidden)).toHaveLength(2);
    }
    const wrong = await grade([IMPORT, WRONG, CORRECTION]);
    expect(wrong.status === 'done' && wrong.verdict.ok).toBe(false);
    expect(wrong.status === 'done' && wrong.verdict.rows.find((r) => !r.ok)?.obtained).toBe("'1:2:5'");
    const right = await grade([IMPORT, RIGHT, CORRECTION]);
    expect(right.status === 'done' && right.verdict).toMatchObject({ ok: true, passed: 8, total: 8 });
  }, 60_000);

  it('runs every cell: one that raises does not stop the next, input() reads end-of-file', async () => {
    const outcome = await grade([
      IMPORT,
      'raise ValueError("oops")',
      'answer = input("? ")',
      'import sys; sys.exit(3)',
      RIGHT,
      CORRECTION,
    ]);
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(outcome.verdict.ok).toBe(true);
    expect(outcome.errors.map((e) => e.error)).toEqual(['ValueError', 'EOFError', 'SystemExit']);
  }, 60_000);

  it("gives the learner's code the other exercise modules as inert stand-ins, without their data", async () => {
    const cells = [
      IMPORT,
      'from corrections.exo_syracuse import exo_syracuse',
      'print(type(exo_syracuse).__name__)\nassert exo_syracuse.datasets == [] and exo_syracuse.correction(None) is None',
      'from corrections.exo_syracuse import nothing_here',
      RIGHT,
      CORRECTION,
    ];
    const outcome = await grade(cells);
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(outcome.verdict.ok).toBe(true);
    expect(outcome.errors).toEqual([{ cell: 4, error: 'ImportError' }]);
  });

  it('cannot be fooled by patching ==, builtins or the library in the learner cells', async () => {
    const attacks = [
      // An object equal to everything.
      'class Yes:\n    def __eq__(self, other): return True\n    def __repr__(self): return "\'01:02:05\'"\ndef duree(s): return Yes()',
      // The library's comparison and result recorder, patched to say OK.
      [
        WRONG,
        'import nbautoeval, nbautoeval.table as table, nbautoeval.exercise as exercise',
        'exercise.Exercise._compare = lambda self, e, o: (True, None)',
        'exercise.Exercise.validate = lambda self, e, o: True',
        'table.record = lambda result: None',
        'nbautoeval.set_result_hook(lambda r: None)',
      ].join('\n'),
      // builtins patched: every comparison helper the learner can reach.
      [
        WRONG,
        'import builtins, operator',
        'builtins.bool = lambda *a: True',
        'builtins.isinstance = lambda *a: True',
        'operator.eq = lambda a, b: True',
      ].join('\n'),
      // A str subclass equal to everything.
      'class S(str):\n    def __eq__(self, other): return True\n    __hash__ = str.__hash__\ndef duree(s): return S("x")',
    ];
    for (const attack of attacks) {
      const outcome = await grade([IMPORT, attack, CORRECTION]);
      // Either judged KO, or the learner's run broke itself (not verified): never a pass.
      expect(outcome.status === 'done' ? outcome.verdict.ok : outcome.code, attack).not.toBe(true);
      if (outcome.status === 'failed') expect(outcome.code, attack).not.toBe('judge-failed');
    }
  }, 120_000);

  it('stops an infinite loop with a clear reason', async () => {
    const outcome = await grade([IMPORT, 'while True:\n    pass', RIGHT, CORRECTION], { wallMs: 3000, cpuSeconds: 2 });
    expect(outcome).toMatchObject({ status: 'failed', code: 'timeout' });
  }, 30_000);

  it("gives the learner's run the notebook's course files (data/), never the answers", async () => {
    const reading = [
      'poem = open("data/poeme.txt", encoding="utf-8").read()',
      'import os',
      'hidden = [p for p in ["/course/modules/corrections/exo_duree.py", "/course/w1/w1-s3-q1-premiers-pas.quiz"] if os.path.exists(p)]',
      'assert poem and not hidden, hidden',
    ].join('\n');
    const outcome = await grade([IMPORT, reading, RIGHT, CORRECTION]);
    expect(outcome).toMatchObject({ status: 'done', verdict: { ok: true }, errors: [] });
  }, 30_000);

  it('says when the cells never call correction()', async () => {
    expect(await grade([IMPORT, RIGHT])).toMatchObject({ status: 'failed', code: 'no-correction' });
  }, 30_000);
});

describe.each(DIALECTS)('submissions API on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox });
    jobs = new DbJobQueue(t.db, { pollMs: 50, listenUrl: t.databaseUrl });
    registerGradeExercise(jobs, t.db.kysely, sandbox);
    const config = loadConfig({}, { dataDir: t.dataDir });
    app = await buildApp({
      config,
      db: t.db,
      logger: false,
      jobs,
      grading: { sandbox, unsafe: false, problem: undefined },
    });
    jobs.start();
  }, 60_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  async function learner(email: string): Promise<Agent> {
    const user = await createUser(t.db, email);
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return agent;
  }
  const body = (cells: string[], browser = { ok: true, passed: 8, total: 8 }) => ({
    slug: 'demo',
    route: ROUTE,
    module: MODULE,
    exercise: 'exo_duree',
    cells,
    browser,
  });
  async function settle(agent: Agent, id: number) {
    for (let i = 0; i < 200; i++) {
      const res = await agent.json('GET', `/api/submissions/${id}`);
      expect(res.statusCode).toBe(200);
      const json = res.json<{ status: string }>();
      if (json.status === 'done' || json.status === 'failed') return res.json();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('grading did not finish');
  }

  it('grades a submission, marks the notebook done, lists it, hides it from others', async () => {
    const ann = await learner(`ann-${dialect}@example.org`);
    const anonymous = new Agent(app);
    expect((await anonymous.json('POST', '/api/submissions', body([RIGHT]))).statusCode).toBe(401);
    expect((await ann.json('POST', '/api/submissions', body([RIGHT]))).statusCode).toBe(403); // no CSRF token

    const wrong = await ann.json('POST', '/api/submissions', body([IMPORT, WRONG, CORRECTION]), { csrf: true });
    expect(wrong.statusCode).toBe(202);
    expect(wrong.json()).toMatchObject({ status: 'queued' });
    const wrongDone = await settle(ann, wrong.json<{ id: number }>().id);
    expect(wrongDone).toMatchObject({ status: 'done', verdict: { ok: false, total: 8 } });

    const data = 'rows = open("data/temperatures.csv").read().splitlines()\nassert len(rows) > 1';
    const withData = await ann.json('POST', '/api/submissions', body([IMPORT, data, RIGHT, CORRECTION]), {
      csrf: true,
    });
    expect(await settle(ann, withData.json<{ id: number }>().id)).toMatchObject({
      status: 'done',
      verdict: { ok: true },
    });

    const posted = await ann.json('POST', '/api/submissions', body([IMPORT, RIGHT, CORRECTION]), { csrf: true });
    const { id } = posted.json<{ id: number }>();
    expect(await settle(ann, id)).toMatchObject({ status: 'done', verdict: { ok: true, passed: 8, total: 8 } });

    // The same code again is the same submission.
    const again = await ann.json('POST', '/api/submissions', body([IMPORT, RIGHT, CORRECTION]), { csrf: true });
    expect(again.json()).toEqual({ id, status: 'done' });

    const history = await ann.json('GET', `/api/submissions?slug=demo&route=${ROUTE}&exercise=exo_duree`);
    const list = history.json<{ submissions: { id: number; cells: string[]; verdict: { ok: boolean } }[] }>();
    expect(list.submissions.map((s) => [s.id, s.verdict.ok])).toEqual([
      [id, true],
      [withData.json<{ id: number }>().id, true],
      [wrong.json<{ id: number }>().id, false],
    ]);
    expect(list.submissions[0]!.cells).toEqual([IMPORT, RIGHT, CORRECTION]);

    const user = (await ann.session()).user!;
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const rows = await selectItemProgress(t.db.kysely, user.id, live.course_id, ROUTE);
    expect(rows.find((r) => r.source === 'exercise')?.state).toBe('done');
    // The first pass earned the progress; the second changes nothing (no progress or grade work).
    const first = await selectSubmissionById(t.db.kysely, withData.json<{ id: number }>().id);
    expect(await hasEarlierPass(t.db.kysely, first)).toBe(false);
    expect(await hasEarlierPass(t.db.kysely, await selectSubmissionById(t.db.kysely, id))).toBe(true);

    const bob = await learner(`bob-${dialect}@example.org`);
    expect((await bob.json('GET', `/api/submissions/${id}`)).statusCode).toBe(404);
    const bobs = await bob.json('GET', `/api/submissions?slug=demo&route=${ROUTE}`);
    expect(bobs.json()).toEqual({ submissions: [] });
  }, 120_000);

  it('refuses unknown exercises and limits submissions per learner', async () => {
    const cy = await learner(`cy-${dialect}@example.org`);
    const unknown = await cy.json(
      'POST',
      '/api/submissions',
      { ...body([RIGHT]), exercise: 'exo_nope' },
      { csrf: true },
    );
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ error: 'EXERCISE_NOT_IN_NOTEBOOK' });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await cy.json('POST', '/api/submissions', body([IMPORT, `# try ${i}`, 'x = 1']), { csrf: true });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(statuses[10]).toBe(429);
  }, 120_000);
});
