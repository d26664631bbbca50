// Exercise modules at import: sealed in the real sandbox (bubblewrap), served to the browser as
// stand-ins without the solution nor the held-back datasets, checked by the server when the browser
// cannot reproduce them, never served open, reported when they fail; and `carnet validate`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { formatSummary } from '../src/lib/import/summary.ts';
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
    expect(summary.exerciseSeals?.map((s) => s.status)).toEqual(Array(7).fill('sealed'));
    const modes = Object.fromEntries(
      (summary.exerciseSeals ?? []).flatMap((s) =>
        (s.exercises ?? []).map((e) => [e.attribute, [e.mode, e.hiddenChecks, e.random]]),
      ),
    );
    expect(modes).toEqual({
      exo_duree: ['local', 2, false],
      exo_compte_mots: ['local', 2, false],
      exo_syracuse: ['local', 4, false],
      exo_regexp_date: ['local', 2, false],
      exo_tirelire: ['local', 1, false],
      exo_somme_carres: ['local', 3, true],
      exo_moyenne: ['server', 2, false],
    });
    expect(summary.warnings.map((w) => w.code)).toEqual(['quiz.malformed-closing-tag']);
    expect(summary.exerciseSeals?.find((s) => s.module === 'corrections.exo_somme_carres')?.helpers).toEqual(['carre']);
    expect(formatSummary(summary)).toContain('hands out the source of carre (never the module itself)');

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
    // The held-back datasets (the 3rd and the 6th) and their results are not in it.
    expect(standin).toContain('3725');
    expect(standin).not.toContain('\\"00:00:00\\"');
    expect(standin).not.toContain('45296');
    expect(standin).not.toContain('12:34:56');
    // A server-checked exercise: its description only, not its module.
    const moyenne = runWithArchive(
      archive,
      'import zipfile; print(zipfile.ZipFile(sys.argv[1]).read("corrections/exo_moyenne.py").decode())',
    );
    expect(moyenne).toContain('_load_server_exercise(');
    expect(moyenne).not.toContain('sum(notes) / len(notes)');
    expect(moyenne).not.toContain('13.5');

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
    expect(verdicts.trim().split('\n')).toEqual(['True 6 6', 'False', 'SolutionUnavailable']);
  });

  it('never serves a module open: the server checks what the browser cannot; reports one that fails', async () => {
    const course = makeCourse({
      'w1/w1-s1-x1-double.md': `${MYST('Double')}\n\`\`\`{code-cell} ipython3\nfrom corrections.exo_double import exo_double\nexo_double.correction(lambda x: x)\n\`\`\`\n`,
      'modules/corrections/exo_double.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'def double(x):',
        '    return 2 * x',
        'class Maison(ExerciseFunction):',
        '    def bonus(self):',
        '        return 1',
        'exo_double = Maison(double, [Args(1), Args(2), Args(3)])',
      ].join('\n'),
      'modules/corrections/exo_casse.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'raise RuntimeError("module cassé")',
        'exo_casse = ExerciseFunction(len, [Args("a")])',
      ].join('\n'),
      'modules/corrections/exo_nu.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'def nu(x):',
        '    return -x',
        'exo_nu = ExerciseFunction(nu, [Args(1), Args(2)])',
      ].join('\n'),
    });
    try {
      const summary = await importCourse(t.db, { source: course.dir, slug: 'maison', dataDir: t.dataDir, sandbox });
      expect(summary.status).toBe('imported');
      const seals = Object.fromEntries((summary.exerciseSeals ?? []).map((s) => [s.module, s]));
      expect(seals['corrections.exo_double']?.status).toBe('sealed');
      expect(seals['corrections.exo_double']?.exercises?.[0]).toMatchObject({ mode: 'server', hiddenChecks: 1 });
      expect(seals['corrections.exo_casse']?.status).toBe('failed');
      expect(seals['corrections.exo_casse']?.reason).toContain('module cassé');
      const warnings = summary.warnings.map((w) => `${w.file}: ${w.code}`);
      expect(warnings).toContain('modules/corrections/exo_casse.py: exercise.failed');
      // Two datasets: nothing to hold back, so nothing a copier of the expected values would miss.
      expect(warnings).toContain('modules/corrections/exo_nu.py: exercise.forgeable');
      expect(summary.warnings.find((w) => w.code === 'exercise.forgeable')?.message).toContain(
        'its verified grade can be forged by copying the expected values shown',
      );
      const archive = (await get(`/runtime/maison/${summary.tag}/exercises.zip`)).rawPayload;
      const names = runWithArchive(
        archive,
        'import zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
      );
      expect(names).toContain('corrections/exo_double.py');
      expect(names).not.toContain('corrections/exo_casse.py');
      const double = runWithArchive(
        archive,
        'import zipfile; print(zipfile.ZipFile(sys.argv[1]).read("corrections/exo_double.py").decode())',
      );
      expect(double).not.toContain('return 2 * x');
      expect(double).toContain('_load_server_exercise(');
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

  it("passes the demo course, the browser giving the server's verdicts", () => {
    const result = validate(DEMO_COURSE);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '7 exercises: 6 checked in the browser, 1 by the server, 0 not checkable; none served open',
    );
    expect(result.stdout).toContain('All good.');
    expect(result.stdout).toMatch(/\s+hidden checks\s+browser verdict\s+result\n/);
    expect(result.stdout).toMatch(/corrections\.exo_duree\s+exo_duree\s+8\/8\s+duree_ko KO\s+browser\s+2\s+same\s+ok/);
    expect(result.stdout).toMatch(
      /corrections\.exo_moyenne\s+exo_moyenne\s+6\/6\s+moyenne_ko KO\s+server\s+2\s+checked by the server\s+ok/,
    );
    // A random exercise: compared on the seal's draw, the one its stand-in holds.
    expect(result.stdout).toMatch(
      /corrections\.exo_somme_carres\s+exo_somme_carres\s+9\/9\s+somme_carres_ko KO\s+browser\s+9 \(new draw\)\s+same\s+ok/,
    );
    expect(result.stdout.match(/\ssame\s+ok\n/g)).toHaveLength(6);
  }, 120_000);

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
      expect(result.stdout).toContain('exo_triple: has no hidden check: its verified grade can be forged');
      expect(result.stdout).toContain('1 of 1 exercises failed.');
    } finally {
      course.cleanup();
    }
  }, 120_000);

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
  }, 120_000);

  it("fails when the browser's stand-in would give another verdict than the server, and notes what it cannot run", () => {
    // Honest code whose result depends on the Python it runs on: `linux` on the server, `emscripten`
    // in Pyodide. The seal holds the server's results: in the browser, the reference fails.
    const course = makeCourse({
      'w1/w1-s1-x1-plateforme.md': MYST('Plateforme'),
      'modules/corrections/exo_plateforme.py': [
        'import sys',
        'from nbautoeval import Args, ExerciseFunction',
        'def plateforme(nom):',
        '    return f"{nom} sur {sys.platform}"',
        'def plateforme_ko(nom):',
        '    return nom',
        'exo_plateforme = ExerciseFunction(plateforme, [Args("a"), Args("b"), Args("c"), Args("d")])',
        // A reference that imports, when it runs, a package this Pyodide does not have.
        'def hauteur(texte):',
        '    import curses',
        '    return texte.count("\\n") + 1',
        'def hauteur_ko(texte):',
        '    return 1',
        'exo_hauteur = ExerciseFunction(hauteur, [Args("a"), Args("b\\nc"), Args("d"), Args("e\\nf\\ng")])',
      ].join('\n'),
      // Honest code that returns instances of a class the notebook imports: in the browser, the
      // expected values are the stand-in's class (a copy), and so are the learner's results.
      'w1/w1-s2-x1-milieu.md':
        MYST('Milieu') + '```{code-cell}\nfrom corrections.exo_milieu import Point, exo_milieu\n```\n',
      'modules/corrections/exo_milieu.py': [
        'from nbautoeval import Args, ExerciseFunction',
        'class Point:',
        '    def __init__(self, x, y):',
        '        self.x, self.y = x, y',
        '    def __eq__(self, other):',
        '        return type(other) is type(self) and (self.x, self.y) == (other.x, other.y)',
        '    def __repr__(self):',
        '        return f"Point({self.x}, {self.y})"',
        'def milieu(a, b):',
        '    return Point((a.x + b.x) // 2, (a.y + b.y) // 2)',
        'def milieu_ko(a, b):',
        '    return Point(a.x, b.y)',
        'exo_milieu = ExerciseFunction(milieu, [Args(Point(0, 0), Point(2, 2)), Args(Point(1, 1), Point(1, 1)),',
        '                                       Args(Point(0, 4), Point(4, 0)), Args(Point(2, 0), Point(0, 2))])',
      ].join('\n'),
      // A package the server's Python has and this Pyodide does not: not compared, not failed.
      'modules/corrections/exo_ecran.py': [
        'import curses',
        'from nbautoeval import Args, ExerciseFunction',
        'def largeur(texte):',
        '    return len(texte)',
        'def largeur_ko(texte):',
        '    return 0',
        'exo_ecran = ExerciseFunction(largeur, [Args("a"), Args("bb"), Args("ccc"), Args("dddd")])',
      ].join('\n'),
    });
    try {
      const result = validate(course.dir);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stdout).toMatch(
        /corrections\.exo_plateforme\s+exo_plateforme\s+4\/4\s+plateforme_ko KO\s+browser\s+1\s+DIFFERS\s+FAILED/,
      );
      expect(result.stdout).toContain(
        "corrections.exo_plateforme.exo_plateforme: the browser's verdict differs from the server's on correction(solution), " +
          "row plateforme('a'): browser KO, server OK",
      );
      // Each row the browser sees (the third is held back), and only the reference: the variant fails on both sides.
      expect(result.stdout).toContain("correction(solution), row plateforme('d'): browser KO, server OK");
      expect(result.stdout).not.toContain("row plateforme('c')");
      expect(result.stdout).not.toContain('correction(plateforme_ko)');
      expect(result.stdout).toMatch(
        /corrections\.exo_ecran\s+exo_ecran\s+4\/4\s+largeur_ko KO\s+browser\s+1\s+not compared\s+ok/,
      );
      expect(result.stdout).toContain(
        'corrections.exo_ecran.exo_ecran: not compared in the browser: curses is not available to Pyodide here',
      );
      expect(result.stdout).toMatch(
        /corrections\.exo_plateforme\s+exo_hauteur\s+4\/4\s+hauteur_ko KO\s+browser\s+1\s+not compared\s+ok/,
      );
      expect(result.stdout).toContain(
        'corrections.exo_plateforme.exo_hauteur: not compared in the browser: curses is not available to Pyodide here',
      );
      expect(result.stdout).toMatch(
        /corrections\.exo_milieu\s+exo_milieu\s+4\/4\s+milieu_ko KO\s+browser\s+1\s+same\s+ok/,
      );
      expect(result.stdout).toContain('1 of 4 exercises failed.');
    } finally {
      course.cleanup();
    }
  }, 120_000);
});
