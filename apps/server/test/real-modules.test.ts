// Exercise modules as real courses write them (issue 11 §3): numpy (`ExerciseFunctionNumpy`,
// float tolerance), pandas, matplotlib (Agg), `from IPython.display import HTML` at top level and
// a course subclass of CallRenderer — sealed at import in the real sandbox with the system's
// packages (Debian's python3-numpy, -pandas, -matplotlib), then graded through the HTTP API.
// A module importing a package the server lacks is reported with the package to install.
//
// These tests stay at the HTTP level (import, log in, POST /api/submissions, poll): grade.py,
// seal.py and grade-job.ts are being rewritten (the untrusted run will receive inputs only), and
// these modules must seal and grade the same way after that rewrite.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { registerGradeExercise } from '../src/lib/grading/grade-job.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { DbJobQueue } from '../src/lib/jobs/db-queue.ts';
import { sandboxLibraryDir } from '../src/lib/exercises/library.ts';
import { BwrapSandbox } from '../src/lib/sandbox/bwrap.ts';
import { prepareSandbox, probePython } from '../src/lib/sandbox/setup.ts';
import { UnsafeSandbox } from '../src/lib/sandbox/unsafe.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { makeCourse, notebook } from './fixtures.ts';

const COURSE = join(dirname(fileURLToPath(import.meta.url)), 'courses', 'real-modules');

interface Case {
  route: string;
  module: string;
  exercise: string;
  right: string[];
  wrong: string[];
}

const CASES: Record<string, Case> = {
  numpy: {
    route: 'w1/w1-s1-x1-normes',
    module: 'corrections.exo_normes',
    exercise: 'exo_normes',
    // Not bit-for-bit the reference's values (another formula, a relative error of 1e-9):
    // ExerciseFunctionNumpy compares with numpy.isclose, so this is right.
    right: ['import numpy as np', 'def normes(points):\n    return np.hypot(points[:, 0], points[:, 1]) * (1 + 1e-9)'],
    wrong: ['def normes(points):\n    return abs(points).sum(axis=1)'],
  },
  pandas: {
    route: 'w1/w1-s2-x1-moyennes',
    module: 'corrections.exo_moyennes',
    exercise: 'exo_moyennes',
    right: [
      'import pandas as pd',
      'def moyennes(notes):\n    return {e: round(float(pd.Series(n).mean()), 2) for e, n in notes.items()}',
    ],
    wrong: ['def moyennes(notes):\n    return {e: sum(n) // len(n) for e, n in notes.items()}'],
  },
  ipython: {
    route: 'w1/w1-s3-x1-bienvenue',
    module: 'corrections.exo_bienvenue',
    exercise: 'exo_bienvenue',
    right: [
      'from IPython.display import HTML, display\ndisplay(HTML("<i>essai</i>"))',
      [
        'def bienvenue(prenoms, langue="fr"):',
        '    mots = {"fr": ("Bienvenue", "et"), "en": ("Welcome", "and")}[langue]',
        '    tete = ", ".join(prenoms[:-1])',
        "    return f\"{mots[0]} {tete + f' {mots[1]} ' if tete else ''}{prenoms[-1]} !\"",
      ].join('\n'),
    ],
    wrong: ['def bienvenue(prenoms, langue="fr"):\n    return "Bienvenue " + " et ".join(prenoms) + " !"'],
  },
  matplotlib: {
    route: 'w1/w1-s4-x1-histogramme',
    module: 'corrections.exo_histogramme',
    exercise: 'exo_histogramme',
    // Drawn and saved as PNG in the learner's run: matplotlib works there too, off-screen.
    right: [
      'import io\nimport matplotlib\nimport matplotlib.pyplot as plt',
      [
        'def histogramme(valeurs, classes):',
        '    if matplotlib.get_backend().lower() != "agg":',
        '        return None',
        '    figure, axes = plt.subplots()',
        '    hauteurs, _, _ = axes.hist(valeurs, bins=classes)',
        '    figure.savefig(io.BytesIO(), format="png")',
        '    plt.close(figure)',
        '    return [int(h) for h in hauteurs]',
      ].join('\n'),
    ],
    wrong: ['def histogramme(valeurs, classes):\n    return [len(valeurs) // classes] * classes'],
  },
};

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
});

describe.each(DIALECTS)('modules with numpy, pandas, matplotlib and IPython.display on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let jobs: DbJobQueue;
  let learner: Agent;
  let summary: Awaited<ReturnType<typeof importCourse>>;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    summary = await importCourse(t.db, { source: COURSE, slug: 'reels', dataDir: t.dataDir, sandbox });
    jobs = new DbJobQueue(t.db, { pollMs: 50, listenUrl: t.databaseUrl });
    registerGradeExercise(jobs, t.db.kysely, sandbox);
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir }),
      db: t.db,
      logger: false,
      jobs,
      grading: { sandbox, unsafe: false, problem: undefined },
    });
    jobs.start();
    const user = await createUser(t.db, `reel-${dialect}@example.org`);
    learner = new Agent(app);
    expect((await learner.login(user.email, user.password)).statusCode).toBe(303);
  }, 120_000);
  afterAll(async () => {
    await jobs.stop();
    await app.close();
    await t.cleanup();
  });

  it('seals every module at import (not open, not failed)', () => {
    expect(summary.status).toBe('imported');
    const seals = Object.fromEntries((summary.exerciseSeals ?? []).map((s) => [s.module, s]));
    for (const c of Object.values(CASES)) {
      expect(seals[c.module], c.module).toMatchObject({ status: 'sealed', reason: null });
    }
    expect(summary.warnings.filter((w) => w.code.startsWith('exercise.'))).toEqual([]);
  });

  async function verdict(c: Case, cells: string[]) {
    const posted = await learner.json(
      'POST',
      '/api/submissions',
      {
        slug: 'reels',
        route: c.route,
        module: c.module,
        exercise: c.exercise,
        cells: [`from ${c.module} import ${c.exercise}`, ...cells, `${c.exercise}.correction(${c.exercise.slice(4)})`],
        browser: { ok: true, passed: 0, total: 0 },
      },
      { csrf: true },
    );
    expect(posted.statusCode, posted.body).toBe(202);
    const { id } = posted.json<{ id: number }>();
    for (let i = 0; i < 300; i++) {
      const res = await learner.json('GET', `/api/submissions/${id}`);
      const body = res.json<{
        status: string;
        detail?: string;
        verdict?: {
          ok: boolean;
          passed: number;
          total: number;
          rows: { call: string | null; hidden: number | null; ok: boolean }[];
        };
      }>();
      if (body.status === 'done' || body.status === 'failed') return body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${c.exercise}: grading did not finish`);
  }

  it.each(Object.keys(CASES))(
    'verifies a right submission OK and a wrong one KO (%s)',
    async (name) => {
      const c = CASES[name]!;
      const right = await verdict(c, c.right);
      expect(right.status, right.detail).toBe('done');
      expect(right.verdict?.ok, JSON.stringify(right.verdict)).toBe(true);
      expect(right.verdict?.passed).toBe(right.verdict?.total);
      const wrong = await verdict(c, c.wrong);
      expect(wrong.status, wrong.detail).toBe('done');
      expect(wrong.verdict?.ok).toBe(false);
      expect(wrong.verdict?.passed).toBeLessThan(wrong.verdict!.total);
      // Held-back checks (ADR 034) show nothing of their dataset: only the rows the learner saw.
      const shown = (v: typeof right.verdict) => (v?.rows ?? []).filter((r) => r.hidden === null);
      expect(shown(right.verdict).length).toBeGreaterThan(0);
      if (name === 'ipython') {
        // The course's call renderer (call.args.args[0], call.args.keywords) made the call column.
        const calls = [
          "bienvenue(1 prénoms, langue='fr')",
          "bienvenue(3 prénoms, langue='fr')",
          "bienvenue(2 prénoms, langue='en')",
        ];
        const seen = shown(right.verdict).map((r) => r.call);
        expect(seen).toEqual(calls.filter((call) => seen.includes(call)));
      }
      // The right normes() is off by 1e-9 (relative) from the reference on every row: it passes
      // only through numpy.isclose (with ==, comparing arrays raises: KO). The wrong one fails all.
      if (name === 'numpy') expect(wrong.verdict?.passed).toBe(0);
    },
    60_000,
  );
});

describe("the system's packages in every sandbox implementation", () => {
  // What a course module needs of its interpreter, whichever sandbox runs it.
  const PROGRAM = [
    'import os, sys',
    'import numpy, pandas, matplotlib.pyplot as plt',
    'from IPython.display import HTML, display',
    'display(HTML("<b>x</b>"))',
    'plt.plot([1, 2]); plt.savefig("figure.png")',
    'site = [i for i, p in enumerate(sys.path) if p.endswith(("site-packages", "dist-packages"))]',
    'stdlib = max(i for i, p in enumerate(sys.path) if p.endswith("lib-dynload"))',
    'print(plt.get_backend(), os.path.getsize("figure.png") > 0, min(site) > stdlib)',
    'print(os.environ["MPLCONFIGDIR"] == os.path.join(os.environ["HOME"], ".matplotlib"), os.environ["OPENBLAS_NUM_THREADS"])',
  ].join('\n');
  const job = {
    program: { code: PROGRAM },
    libraries: [sandboxLibraryDir()],
    limits: { wallMs: 30_000, cpuSeconds: 20 },
  };

  it.each(['fork-server', 'one bubblewrap per job', 'unsafe (development)'])(
    '%s',
    async (kind) => {
      let runner: Sandbox;
      if (kind === 'fork-server') runner = sandbox;
      else if (kind === 'unsafe (development)') {
        const install = await probePython('/usr/bin/python3');
        if (typeof install === 'string') throw new Error(install);
        runner = new UnsafeSandbox('/usr/bin/python3', {}, install.sitePackages);
      } else {
        const setup = await prepareSandbox({
          python: '/usr/bin/python3',
          bwrap: 'bwrap',
          unsafeGrading: false,
          noForkServer: true,
        });
        runner = setup.sandbox!;
        expect(runner).toBeInstanceOf(BwrapSandbox);
      }
      const result = await runner.run(job);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('agg True True\nTrue 1\n');
    },
    60_000,
  );
});

describe('a module importing a package this server does not have', () => {
  it('fails to seal with the package to install and the line of its import', async () => {
    const t = await createTestDb('sqlite');
    const course = makeCourse({
      'w1/w1-s1-x1-absent.md': notebook('Absent'),
      'modules/corrections/exo_absent.py': [
        '"""Needs a package no server has."""',
        'from nbautoeval import Args, ExerciseFunction',
        'import carnet_paquet_absent',
        'exo_absent = ExerciseFunction(len, [Args("a")])',
      ].join('\n'),
    });
    try {
      const summary = await importCourse(t.db, { source: course.dir, slug: 'absent', dataDir: t.dataDir, sandbox });
      expect(summary.status).toBe('imported');
      expect(summary.exerciseSeals?.[0]?.status).toBe('failed');
      const warning = summary.warnings.find((w) => w.code === 'exercise.failed');
      expect(warning).toMatchObject({ file: 'modules/corrections/exo_absent.py', line: 3 });
      expect(warning?.message).toContain(
        "modules/corrections/exo_absent.py (line 3) needs the Python package 'carnet_paquet_absent', which this " +
          'server does not have (install python3-carnet-paquet-absent',
      );
      expect(warning?.message).not.toContain('Traceback');
    } finally {
      course.cleanup();
      await t.cleanup();
    }
  }, 60_000);
});
