// The exercise library in Pyodide (the browser's CPython), in Node: the demo course's real
// modules, then their sealed stand-ins (made by seal.py on the machine's CPython), must show the
// same tables for the reference solution and for every wrong `_ko` variant; and the unittest
// suites that need no subprocess (datasets, renderers, call objects) pass there too.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { beforeAll, expect, it } from 'vitest';

const python = dirname(fileURLToPath(import.meta.url));
const modules = join(python, '..', 'demo-course', 'modules');
const exercises = ['exo_duree', 'exo_compte_mots', 'exo_syracuse', 'exo_regexp_date', 'exo_tirelire'];
let pyodide: PyodideAPI;

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
  pyodide.FS.mkdirTree('/standin/corrections');
  pyodide.FS.writeFile('/standin/corrections/__init__.py', '');
  for (const name of exercises) {
    const run = spawnSync('python3', ['-I', '-S', join(python, 'carnet_seal', 'seal.py'), '--standin', modules, name], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    pyodide.FS.writeFile(`/standin/corrections/${name}.py`, run.stdout);
  }
}, 120_000);

it('runs the demo exercises and their sealed stand-ins in Pyodide with the same tables', async () => {
  const names = JSON.stringify(exercises);
  const report = await pyodide.runPythonAsync(`
import importlib, json, sys
sys.path[:0] = ["/lib", "/real"]
import nbautoeval

shown = []
nbautoeval.set_display_hook(shown.append)

def tables(exo, attempts):
    out = []
    for attempt in attempts:
        shown.clear()
        exo.correction(attempt)
        out.append((shown[0]._repr_html_(), exo.last_result.ok))
    shown.clear()
    exo.example()
    out.append((shown[0]._repr_html_(), None))
    return out

real, attempts = {}, {}
for name in ${names}:
    module = importlib.import_module("corrections." + name)
    exo = getattr(module, name)
    attempts[name] = [exo.solution] + [v for k, v in vars(module).items() if k.startswith(exo.name + "_ko")]
    real[name] = tables(exo, attempts[name])

for key in [k for k in sys.modules if k == "corrections" or k.startswith("corrections.")]:
    del sys.modules[key]
sys.path.remove("/real")
sys.path.insert(0, "/standin")
report = {"python": sys.version.split()[0], "exercises": {}}
for name in ${names}:
    module = importlib.import_module("corrections." + name)
    assert module.__file__.startswith("/standin/"), module.__file__
    exo = getattr(module, name)
    try:
        exo.solution
        hidden = False
    except AttributeError:
        hidden = True
    sealed = tables(exo, attempts[name])
    report["exercises"][name] = {
        "same": sealed == real[name],
        "verdicts": [ok for _, ok in real[name]],
        "hidden": hidden,
    }
json.dumps(report)
`);
  const result = JSON.parse(report as string) as {
    python: string;
    exercises: Record<string, { same: boolean; verdicts: (boolean | null)[]; hidden: boolean }>;
  };
  expect(result.python).toMatch(/^3\.\d+/);
  for (const name of exercises) {
    const item = result.exercises[name]!;
    expect(item.same, name).toBe(true);
    expect(item.hidden, name).toBe(true);
    // the solution passes, the `_ko` variant fails, the example has no verdict
    expect(item.verdicts, name).toEqual([true, false, null]);
  }
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
