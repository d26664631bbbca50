// A verified grade cannot be forged (issue 11): each attack a hostile learner made on the demo
// course, through the real HTTP API and the real sandbox, on both databases — and the reference
// solution of every demo exercise passes while each wrong `_ko` variant fails.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { registerGradeExercise } from '../src/lib/grading/grade-job.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const DUREE = { route: 'w1/w1-s3-x1-duree', module: 'corrections.exo_duree', exercise: 'exo_duree' };
const IMPORT = 'from corrections.exo_duree import exo_duree';
const RIGHT = 'def duree(s):\n    h, r = divmod(s, 3600)\n    m, s = divmod(r, 60)\n    return f"{h:02}:{m:02}:{s:02}"';
const MARKER = '@@carnet-obtained/1@@ ';
/** What the held-back checks of exo_duree hold (its 3rd and 6th datasets): never in a response. */
const HIDDEN = ['45296', '12:34:56', '00:00:00'];

/** Every demo exercise: the notebook that corrects it, and how a learner's cells would call it. */
const DEMO = [
  { route: 'w1/w1-s3-x1-duree', module: 'exo_duree', name: 'duree' },
  { route: 'w2/w2-s3-x1-mots-et-suites', module: 'exo_compte_mots', name: 'compte_mots' },
  { route: 'w2/w2-s3-x1-mots-et-suites', module: 'exo_syracuse', name: 'syracuse' },
  { route: 'w2/w2-s1-x1-listes', module: 'exo_somme_carres', name: 'somme_carres', imports: ', carre' },
  { route: 'w2/w2-s1-x1-listes', module: 'exo_moyenne', name: 'moyenne' },
  { route: 'w3/w3-s2-x1-date-tirelire', module: 'exo_regexp_date', name: 'regexp_date' },
  { route: 'w3/w3-s2-x1-date-tirelire', module: 'exo_tirelire', name: 'Tirelire' },
];

/**
 * What a learner would write from a demo module: its constants, the solution between its markers,
 * and each `_ko` variant's source.
 */
function sources(module: string): { solution: string; kos: { name: string; source: string }[] } {
  const file = join(DEMO_COURSE, 'modules', 'corrections', `${module}.py`);
  const text = readFileSync(file, 'utf8');
  const solution = /# @BEG@[^\n]*\n([\s\S]*?)# @END@/.exec(text)![1]!;
  const program = [
    'import ast, json, sys',
    'tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())',
    'text = open(sys.argv[1], encoding="utf-8").read()',
    'out = []',
    'constants = []',
    'for node in tree.body:',
    '    names = [node.name] if hasattr(node, "name") else [t.id for t in getattr(node, "targets", []) if hasattr(t, "id")]',
    '    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):',
    '        constants.append(ast.get_source_segment(text, node))',
    '    for name in names:',
    '        if "_ko" in name:',
    '            out.append({"name": name, "source": ast.get_source_segment(text, node)})',
    'print(json.dumps({"kos": out, "constants": constants}))',
  ].join('\n');
  const found = JSON.parse(execFileSync('python3', ['-c', program, file], { encoding: 'utf8' })) as {
    kos: { name: string; source: string }[];
    constants: string[];
  };
  return { solution: [...found.constants, solution].join('\n'), kos: found.kos };
}

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
});

describe.each(DIALECTS)('forging a verified grade on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox });
    jobs = new DbJobQueue(t.db, { pollMs: 50, listenUrl: t.databaseUrl, concurrency: 2 });
    registerGradeExercise(jobs, t.db.kysely, sandbox);
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      logger: false,
      jobs,
      grading: { sandbox, unsafe: false, problem: undefined },
    });
    jobs.start();
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  let learners = 0;
  async function learner(): Promise<Agent> {
    const user = await createUser(t.db, `l${++learners}-${dialect}@example.org`);
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return agent;
  }

  /** Submits cells for an exercise and waits for the verdict; returns the raw response text too. */
  async function submit(
    agent: Agent,
    cells: string[],
    target: { route: string; module: string; exercise: string } = DUREE,
  ): Promise<{
    status: string;
    verdict?: { ok: boolean; passed: number; total: number };
    reason?: string;
    raw: string;
  }> {
    const posted = await agent.json(
      'POST',
      '/api/submissions',
      { slug: 'demo', ...target, cells, browser: { ok: true, passed: 6, total: 6 } },
      { csrf: true },
    );
    expect(posted.statusCode, posted.body).toBeLessThan(300);
    const { id } = posted.json<{ id: number }>();
    for (let i = 0; i < 300; i++) {
      const res = await agent.json('GET', `/api/submissions/${id}`);
      const json = res.json<{ status: string }>();
      if (json.status === 'done' || json.status === 'failed') return { ...json, raw: res.body };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('grading did not finish');
  }

  const notAPass = (outcome: { status: string; verdict?: { ok: boolean } }): boolean =>
    outcome.status === 'failed' || outcome.verdict?.ok === false;

  it('1. reading the expected values from the stand-in: there are none in the untrusted run', async () => {
    const agent = await learner();
    for (const attack of [
      'exo_duree._run = lambda f, d: next(iter(exo_duree._sealed_expected))',
      'exo_duree._exercise._run = lambda f, d: next(iter(getattr(exo_duree, "_sealed_expected", [""])))',
      // Whatever the run can read of its own memory and files: no expected value is in it.
      'import gc, os\nfound = [o for o in gc.get_objects() if isinstance(o, str) and o == "01:02:05"]\nseals = os.path.exists(".carnet-seals") or os.path.exists("/course/.carnet-seals")\nassert not found and not seals, (found, seals)',
    ]) {
      const outcome = await submit(agent, [IMPORT, attack, 'exo_duree.correction(None)']);
      expect(notAPass(outcome), attack).toBe(true);
    }
    // The untrusted run's files: the grading stand-ins hold no seal, no dataset.
    const probe = await submit(agent, [
      IMPORT,
      'import pathlib\ntext = "".join(p.read_text() for p in pathlib.Path("/course/.carnet-grading").rglob("*.py"))\nassert "3725" not in text and "01:02:05" not in text and "duree" in text',
      RIGHT,
      'exo_duree.correction(duree)',
    ]);
    expect(probe).toMatchObject({ status: 'done', verdict: { ok: true } });
  }, 120_000);

  it('2. printing a report of its own, then exiting, or another from atexit: never a pass', async () => {
    const agent = await learner();
    const forged = JSON.stringify({ obtained: { values: Array(8).fill({ value: '01:02:05' }) } });
    const write = `os.write(1, b"\\n${MARKER}" + ${JSON.stringify(forged)}.encode() + b"\\n")`;
    const exitFirst = await submit(agent, [IMPORT, `import os\n${write}\nos._exit(0)`]);
    expect(exitFirst).toMatchObject({ status: 'done', verdict: { ok: false } });
    const afterward = await submit(agent, [
      IMPORT,
      RIGHT,
      'exo_duree.correction(duree)',
      `import atexit, os\natexit.register(lambda: ${write})`,
    ]);
    expect(afterward).toMatchObject({ status: 'failed', reason: 'bad-report' });
    const silent = await submit(agent, [IMPORT, RIGHT, 'exo_duree.correction(duree)', 'import os\nos._exit(0)']);
    expect(silent).toMatchObject({ status: 'failed', reason: 'bad-report' });
  }, 120_000);

  it('a report nested 5,000 deep ends the submission failed, with a reason', async () => {
    const agent = await learner();
    const deep = `{"obtained": {"values": [${Array(8)
      .fill(`{"value": ${'['.repeat(5000)}${']'.repeat(5000)}}`)
      .join(', ')}]}}`;
    const forged = `import os\nos.write(1, b"\\n${MARKER}" + ${JSON.stringify(deep)}.encode() + b"\\n")\nos._exit(0)`;
    const outcome = await submit(agent, [IMPORT, forged]);
    expect(outcome.status).toBe('failed');
    expect(['judge-failed', 'bad-report']).toContain(outcome.reason);
    const returned = await submit(agent, [
      IMPORT,
      'def duree(s):\n    x = []\n    for _ in range(5000):\n        x = [x]\n    return x',
      'exo_duree.correction(duree)',
    ]);
    expect(returned).toMatchObject({ status: 'done', verdict: { ok: false } });
  }, 120_000);

  it('3. no rows, or another number of rows, is a refused run, never 0/0', async () => {
    const agent = await learner();
    const tirelire = {
      route: 'w3/w3-s2-x1-date-tirelire',
      module: 'corrections.exo_tirelire',
      exercise: 'exo_tirelire',
    };
    const start = ['from corrections.exo_tirelire import exo_tirelire', 'class T:\n    pass'];
    for (const cells of [
      [...start, 'exo_tirelire._run_scenario = lambda *a: []', 'exo_tirelire.correction(T)'],
      [...start, 'exo_tirelire._exercise._run_scenario = lambda *a: []', 'exo_tirelire.correction(T)'],
      [...start, 'exo_tirelire.correction(T)', 'exo_tirelire.obtained = {"scenarios": []}'],
    ]) {
      const outcome = await submit(agent, cells, tirelire);
      expect(notAPass(outcome), cells.join(' / ')).toBe(true);
    }
    const empty = await submit(agent, [
      IMPORT,
      RIGHT,
      'exo_duree.correction(duree)',
      'exo_duree.obtained = {"values": []}',
    ]);
    expect(empty).toMatchObject({ status: 'failed', reason: 'bad-report' });
  }, 120_000);

  it('4. a verdict shows no hidden input, expected or obtained value — even one the code returns', async () => {
    const agent = await learner();
    const wrong = await submit(agent, [IMPORT, 'def duree(s):\n    return str(s)', 'exo_duree.correction(duree)']);
    expect(wrong.verdict?.ok).toBe(false);
    const leak = await submit(agent, [
      IMPORT,
      'seen = []\ndef duree(s):\n    seen.append(s)\n    return repr(seen)',
      'exo_duree.correction(duree)',
      'exo_duree.correction(duree)',
    ]);
    for (const outcome of [wrong, leak]) {
      for (const value of HIDDEN) expect(outcome.raw).not.toContain(value);
      expect(outcome.raw).not.toMatch(/"expected"|"obtained"/);
      const rows = (outcome.verdict as unknown as { rows: { call: string | null; hidden: number | null }[] }).rows;
      expect(rows.filter((r) => r.hidden !== null).map((r) => [r.call, r.hidden])).toEqual([
        [null, 1],
        [null, 2],
      ]);
    }
    // The history shows the learner's own code, and the same masked verdicts.
    const history = await agent.json('GET', `/api/submissions?slug=demo&route=${DUREE.route}`);
    for (const value of HIDDEN.slice(0, 2)) expect(history.body).not.toContain(value);
  }, 120_000);

  it('5. an exercise the notebook does not correct is refused, and its solution does not open there', async () => {
    const agent = await learner();
    const elsewhere = await agent.json(
      'POST',
      '/api/submissions',
      {
        slug: 'demo',
        ...DUREE,
        route: 'w1/w1-s1-c1-nombres',
        cells: [IMPORT, RIGHT, 'exo_duree.correction(duree)'],
        browser: { ok: true, passed: 8, total: 8 },
      },
      { csrf: true },
    );
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json()).toMatchObject({ error: 'EXERCISE_NOT_IN_NOTEBOOK' });
    const other = await agent.json(
      'POST',
      '/api/submissions',
      {
        slug: 'demo',
        ...DUREE,
        route: 'w2/w2-s3-x1-mots-et-suites',
        cells: [IMPORT, RIGHT, 'exo_duree.correction(duree)'],
        browser: { ok: true, passed: 8, total: 8 },
      },
      { csrf: true },
    );
    expect(other.statusCode).toBe(422);
    // Passed where it belongs: the solution opens there, and only there.
    expect((await submit(agent, [IMPORT, RIGHT, 'exo_duree.correction(duree)'])).verdict?.ok).toBe(true);
    const query = (route: string) =>
      `/api/solutions?slug=demo&route=${route}&module=corrections.exo_duree&exercise=exo_duree`;
    expect((await agent.json('GET', query(DUREE.route))).statusCode).toBe(200);
    expect((await agent.json('GET', query('w1/w1-s1-c1-nombres'))).statusCode).toBe(404);
    expect((await agent.json('GET', query('w2/w2-s3-x1-mots-et-suites'))).statusCode).toBe(404);
  }, 120_000);

  it('copying every expected value the browser shows still fails the hidden checks', async () => {
    const agent = await learner();
    const copied = [
      'ATTENDU = {3725: "01:02:05", 59: "00:00:59", 60: "00:01:00", 3600: "01:00:00", 86399: "23:59:59", 360000: "100:00:00"}',
      'def duree(s):\n    return ATTENDU.get(s, "")',
    ].join('\n');
    const outcome = await submit(agent, [IMPORT, copied, 'exo_duree.correction(duree)']);
    expect(outcome.verdict).toMatchObject({ ok: false, passed: 6, total: 8, hidden: { total: 2, passed: 0 } });
  }, 120_000);

  it('passes every demo reference solution, fails each wrong variant', async () => {
    for (const exercise of DEMO) {
      const agent = await learner(); // 10 submissions a minute each
      const { solution, kos } = sources(exercise.module);
      const target = { route: exercise.route, module: `corrections.${exercise.module}`, exercise: exercise.module };
      const imported = `from corrections.${exercise.module} import ${exercise.module}${exercise.imports ?? ''}`;
      const right = await submit(
        agent,
        [imported, solution, `${exercise.module}.correction(${exercise.name})`],
        target,
      );
      expect(right, exercise.module).toMatchObject({ status: 'done', verdict: { ok: true } });
      expect(kos.length, exercise.module).toBeGreaterThan(0);
      for (const ko of kos) {
        const cells = [imported, solution, ko.source, `${exercise.module}.correction(${ko.name})`];
        const wrong = await submit(agent, cells, target);
        expect(wrong, `${exercise.module} ${ko.name}`).toMatchObject({ status: 'done', verdict: { ok: false } });
      }
    }
  }, 240_000);
});
