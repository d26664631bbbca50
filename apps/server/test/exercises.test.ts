// Exercise modules at import: sealed in the real sandbox (bubblewrap), served to the browser as
// stand-ins without the solution, open when they cannot be sealed, reported when they fail; and
// `carnet validate`, the authors' check.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';
import type { Sandbox } from '../src/lib/sandbox/sandbox.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, notebook, REPO_ROOT } from './fixtures.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  const setup = await prepareSandbox({ python: '/usr/bin/python3', bwrap: 'bwrap', unsafeGrading: false });
  if (!setup.sandbox) throw new Error(`the sandbox is needed here: ${setup.problem}`);
  sandbox = setup.sandbox;
});

/** Unzips an archive and runs Python with it on sys.path (CPython, as a stand-in check). */
function runWithArchive(archive: Buffer, code: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-exercises-'));
  writeFileSync(join(dir, 'exercises.zip'), archive);
  return execFileSync(
    'python3',
    ['-I', '-c', `import sys; sys.path.insert(0, sys.argv[1])\n${code}`, join(dir, 'exercises.zip')],
    {
      encoding: 'utf8',
    },
  );
}

const MYST = (title: string): string => notebook(title).replace(/```\{code-cell\}[\s\S]*$/, '');

describe.each(DIALECTS)('exercise modules on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  const get = (url: string) => app.inject({ method: 'GET', url });
  beforeAll(async () => {
    t = await createTestDb(dialect);
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('seals the demo course exercises, and the browser gets stand-ins without the solution', async () => {
    const summary = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir, sandbox });
    expect(summary.status).toBe('imported');
    expect(summary.exerciseSeals?.map((s) => s.status)).toEqual(['sealed', 'sealed', 'sealed', 'sealed', 'sealed']);
    expect(summary.warnings.map((w) => w.code)).toEqual(['quiz.malformed-closing-tag']);

    const page = await get('/courses/demo/w1/w1-s3-x1-duree');
    expect(page.body).toContain(`/runtime/demo/${summary.tag}/exercises.zip`);
    const res = await get(`/runtime/demo/${summary.tag}/exercises.zip`);
    expect(res.statusCode).toBe(200);
    const archive = res.rawPayload;
    const names = runWithArchive(archive, 'import zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))');
    expect(names).toContain('nbautoeval/__init__.py');
    expect(names).toContain('corrections/exo_duree.py');
    const standin = runWithArchive(
      archive,
      'import zipfile; print(zipfile.ZipFile(sys.argv[1]).read("corrections/exo_duree.py").decode())',
    );
    expect(standin).not.toContain('(secondes % 3600) // 60');
    expect(standin).not.toContain('divmod(minutes, 60)');

    // The stand-in judges like the original, and keeps the solution to itself.
    const verdicts = runWithArchive(
      archive,
      [
        'import nbautoeval',
        'nbautoeval.set_display_hook(lambda table: None)',
        'from corrections.exo_duree import exo_duree',
        'exo_duree.correction(lambda s: f"{s // 3600:02}:{s // 60 % 60:02}:{s % 60:02}")',
        'print(exo_duree.last_result.ok, exo_duree.last_result.passed, exo_duree.last_result.total)',
        'exo_duree.correction(lambda s: str(s))',
        'print(exo_duree.last_result.ok)',
        'try:\n    exo_duree.solution\nexcept AttributeError as e:\n    print(type(e).__name__)',
      ].join('\n'),
    );
    expect(verdicts.trim().split('\n')).toEqual(['True 8 8', 'False', 'SolutionUnavailable']);
  });

  it('serves open, with a warning, a module it cannot seal; reports one that fails', async () => {
    const course = makeCourse({
      'w1/w1-s1-x1-double.md': `${MYST('Double')}\n\`\`\`{code-cell} ipython3\nfrom corrections.exo_double import exo_double\n\`\`\`\n`,
      'modules/corrections/exo_double.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'def double(x):',
        '    return 2 * x',
        'class Maison(ExerciseFunction):',
        '    def bonus(self):',
        '        return 1',
        'exo_double = Maison(double, [Args(1), Args(2)])',
      ].join('\n'),
      'modules/corrections/exo_casse.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'raise RuntimeError("module cassé")',
        'exo_casse = ExerciseFunction(len, [Args("a")])',
      ].join('\n'),
    });
    try {
      const summary = await importCourse(t.db, { source: course.dir, slug: 'maison', dataDir: t.dataDir, sandbox });
      expect(summary.status).toBe('imported');
      const seals = Object.fromEntries((summary.exerciseSeals ?? []).map((s) => [s.module, s]));
      expect(seals['corrections.exo_double']?.status).toBe('open');
      expect(seals['corrections.exo_casse']?.status).toBe('failed');
      expect(seals['corrections.exo_casse']?.reason).toContain('module cassé');
      const codes = summary.warnings.map((w) => `${w.file}: ${w.code}`);
      expect(codes).toContain('modules/corrections/exo_double.py: exercise.open');
      expect(codes).toContain('modules/corrections/exo_casse.py: exercise.failed');
      const archive = (await get(`/runtime/maison/${summary.tag}/exercises.zip`)).rawPayload;
      const names = runWithArchive(
        archive,
        'import zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
      );
      expect(names).toContain('corrections/exo_double.py');
      expect(names).not.toContain('corrections/exo_casse.py');
      // Open: the module itself, solution included (flagged for staff by the warning).
      expect(
        runWithArchive(
          archive,
          'import zipfile; print(zipfile.ZipFile(sys.argv[1]).read("corrections/exo_double.py").decode())',
        ),
      ).toContain('return 2 * x');
    } finally {
      course.cleanup();
    }
  });

  it('without a sandbox, seals nothing and the page does not offer exercises', async () => {
    const summary = await importCourse(t.db, {
      source: DEMO_COURSE,
      slug: 'sans',
      dataDir: t.dataDir,
      sandboxProblem: 'install bubblewrap',
    });
    expect(summary.exerciseSeals?.every((s) => s.status === 'unsandboxed' && s.reason === 'install bubblewrap')).toBe(
      true,
    );
    const page = await get('/courses/sans/w1/w1-s3-x1-duree');
    expect(page.body).toContain('"exercises":null');
  });
});

describe('carnet validate', () => {
  const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');
  const validate = (folder: string) =>
    spawnSync(process.execPath, [CARNET, 'validate', folder], {
      encoding: 'utf8',
      env: { ...process.env, CARNET_PYTHON: '/usr/bin/python3' },
    });

  it('passes the demo course', () => {
    const result = validate(DEMO_COURSE);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('5 exercises: all good.');
    expect(result.stdout).toMatch(/corrections\.exo_duree\s+exo_duree\s+8\/8\s+duree_ko KO\s+yes\s+ok/);
  });

  it('fails, and says why, on a wrong reference or a wrong variant that passes', () => {
    const course = makeCourse({
      'w1/w1-s1-x1-triple.md': MYST('Triple'),
      'modules/corrections/exo_triple.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'def triple(x):',
        '    return 3 * x',
        'def triple_ko(x):',
        '    return x + x + x',
        'exo_triple = ExerciseFunction(triple, [Args(1), Args(2)])',
      ].join('\n'),
    });
    try {
      const result = validate(course.dir);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('triple_ko is all-OK: it should have a KO row');
      expect(result.stdout).toContain('1 of 1 exercises failed.');
    } finally {
      course.cleanup();
    }
  });

  it('names the package a module needs and this server lacks', () => {
    const course = makeCourse({
      'w1/w1-s1-x1-absent.md': MYST('Absent'),
      'modules/corrections/exo_absent.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'import carnet_paquet_absent',
        'exo_absent = ExerciseFunction(len, [Args("a")])',
      ].join('\n'),
    });
    try {
      const result = validate(course.dir);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        "the module does not run: modules/corrections/exo_absent.py (line 2) needs the Python package 'carnet_paquet_absent'",
      );
      expect(result.stdout).not.toContain('Traceback');
    } finally {
      course.cleanup();
    }
  });
});
