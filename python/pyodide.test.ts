// The exercise library in Pyodide (the browser's CPython), in Node: the demo course's real
// modules, then the stand-ins the browser gets (sealed by seal.py on the machine's CPython, written
// by the server's generator), must give the same verdicts on every row the learner sees, for the
// reference solution and every wrong `_ko` variant; server-checked exercises say they need the
// server, and helpers the course hands out are there. And the unittest suites that need no
// subprocess (datasets, renderers, call objects) pass there too.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { beforeAll, expect, it } from 'vitest';
import { sealDocument, type SealDocument } from '../apps/server/src/lib/exercises/seals.ts';
import { browserStandins } from '../apps/server/src/lib/exercises/standin.ts';

const python = dirname(fileURLToPath(import.meta.url));
const modules = join(python, '..', 'demo-course', 'modules');
const exercises = [
  'exo_duree',
  'exo_compte_mots',
  'exo_syracuse',
  'exo_regexp_date',
  'exo_tirelire',
  'exo_somme_carres',
  'exo_moyenne',
];
const options: Record<string, object> = {
  exo_somme_carres: { helpers: ['carre'], imports: [['corrections.exo_somme_carres', 'carre']] },
};
let pyodide: PyodideAPI;
const docs: SealDocument[] = [];

function copyFolder(from: string, to: string): void {
  pyodide.FS.mkdirTree(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== '__pycache__') copyFolder(join(from, entry.name), `${to}/${entry.name}`);
    else if (entry.isFile() && entry.name.endsWith('.py')) {
      pyodide.FS.writeFile(`${to}/${entry.name}`, readFileSync(join(from, entry.name)));
    }
  }
}

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  pyodide = await loadPyodide({ indexURL: dirname(require.resolve('pyodide/package.json')) + '/' });
  copyFolder(join(python, 'nbautoeval'), '/lib/nbautoeval');
  copyFolder(join(python, 'tests'), '/lib/tests');
  copyFolder(join(modules, 'corrections'), '/real/corrections');
  for (const name of exercises) {
    const run = spawnSync('python3', ['-I', '-S', join(python, 'carnet_seal', 'seal.py'), modules, name], {
      encoding: 'utf8',
      input: JSON.stringify(options[name] ?? {}),
    });
    expect(run.status, run.stderr).toBe(0);
    docs.push(sealDocument.parse(JSON.parse(run.stdout)));
  }
  for (const module of browserStandins(docs)) {
    pyodide.FS.mkdirTree(`/standin/${dirname(module.path)}`);
    pyodide.FS.writeFile(`/standin/${module.path}`, module.source);
  }
}, 120_000);

it('runs the demo exercises and their stand-ins in Pyodide with the same verdicts on the rows learners see', async () => {
  const hidden = Object.fromEntries(
    docs.flatMap((d) =>
      d.exercises.map((e) => [e.attribute, e.mode === 'local' ? (e.sealed!['hidden'] as number[]) : null]),
    ),
  );
  const report = await pyodide.runPythonAsync(`
import importlib, json, sys
sys.path[:0] = ["/lib", "/real"]
import nbautoeval

shown = []
nbautoeval.set_display_hook(shown.append)
names = ${JSON.stringify(exercises)}
hidden = json.loads(${JSON.stringify(JSON.stringify(hidden))})

def verdicts(exo, attempts, skip=()):
    out = []
    for attempt in attempts:
        shown.clear()
        exo.correction(attempt)
        rows = exo.last_result.rows
        if exo.last_result.kind == "ExerciseClass":
            rows = [r for r in rows if (r.scenario or 0) - 1 not in skip]
        else:
            rows = [r for i, r in enumerate(rows) if i not in skip]
        out.append([(r.call, r.expected, r.ok) for r in rows])
    return out

real, attempts = {}, {}
for name in names:
    module = importlib.import_module("corrections." + name)
    exo = getattr(module, name)
    attempts[name] = [exo.solution] + [v for k, v in vars(module).items() if k.startswith(exo.name + "_ko")]
    real[name] = verdicts(exo, attempts[name], set(hidden[name] or ()))

for key in [k for k in sys.modules if k == "corrections" or k.startswith("corrections.")]:
    del sys.modules[key]
sys.path.remove("/real")
sys.path.insert(0, "/standin")
report = {"python": sys.version.split()[0], "exercises": {}}
for name in names:
    module = importlib.import_module("corrections." + name)
    assert module.__file__.startswith("/standin/"), module.__file__
    exo = getattr(module, name)
    try:
        exo.solution
        solution_hidden = False
    except AttributeError:
        solution_hidden = True
    item = {"hidden": solution_hidden, "kind": type(exo).__name__}
    if hidden[name] is not None:
        sealed = verdicts(exo, attempts[name])
        # A random exercise's stand-in holds the server's draw, not this one: only verdicts compare.
        item["same"] = sealed == real[name] if name != "exo_somme_carres" else None
        shown.clear()
        exo.correction(attempts[name][0])
        item["solution_ok"] = exo.last_result.ok
        exo.correction(attempts[name][1])
        item["ko_ok"] = exo.last_result.ok
    else:
        shown.clear()
        exo.correction(lambda notes: 0)
        item["says"] = shown[0]._repr_html_()
        shown.clear()
        exo.example()
        item["example"] = shown[0]._repr_html_()
    report["exercises"][name] = item
report["carre"] = importlib.import_module("corrections.exo_somme_carres").carre(7)
json.dumps(report)
`);
  const result = JSON.parse(report as string) as {
    python: string;
    carre: number;
    exercises: Record<
      string,
      {
        same?: boolean;
        hidden: boolean;
        kind: string;
        solution_ok?: boolean;
        ko_ok?: boolean;
        says?: string;
        example?: string;
      }
    >;
  };
  expect(result.python).toMatch(/^3\.\d+/);
  for (const name of exercises) {
    const item = result.exercises[name]!;
    expect(item.hidden, name).toBe(true);
    if (name === 'exo_moyenne') {
      expect(item.kind).toBe('ServerExercise');
      expect(item.says).toContain('corrigé par le serveur');
      expect(item.example).toContain('moyenne([12, 15, 9])');
      continue;
    }
    if (name !== 'exo_somme_carres') expect(item.same, name).toBe(true);
    // the solution passes, the `_ko` variant fails on what the browser sees
    expect([item.solution_ok, item.ko_ok], name).toEqual([true, false]);
  }
  expect(result.carre).toBe(49);
}, 60_000);

it('passes the renderer and dataset tests in Pyodide (course call renderers read call.args.args)', async () => {
  const report = await pyodide.runPythonAsync(`
import io, sys, unittest
if "/lib" not in sys.path: sys.path.insert(0, "/lib")
stream = io.StringIO()
suite = unittest.defaultTestLoader.loadTestsFromName("tests.test_args_renderers")
result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
f"{result.testsRun} {len(result.failures) + len(result.errors)}\\n{stream.getvalue()}"
`);
  const [counts, ...log] = String(report).split('\n');
  const [ran, failed] = counts!.split(' ').map(Number);
  expect(failed, log.join('\n')).toBe(0);
  expect(ran).toBeGreaterThan(10);
  expect(log.join('\n')).toMatch(/test_course_renderer .* ok/);
}, 60_000);
