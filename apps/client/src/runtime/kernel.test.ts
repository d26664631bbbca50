// The kernel (kernel.py through KernelHost) on the real Pyodide, in Node: display, errors,
// magics, shell escapes, help, imports. The browser-only parts (worker, shared memory, the page)
// are covered by tests/e2e/runtime.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPyodide } from 'pyodide';
import { beforeAll, describe, expect, it } from 'vitest';
import { mountCourseFiles } from './files.ts';
import { KernelHost } from './host.ts';

interface Output {
  kind: string;
  payload: Record<string, unknown> | string;
}

const messages = {
  cell: 'Cellule',
  line: 'ligne',
  notAvailable: '{what} : pas disponible dans le navigateur.',
  exercisesUnavailable: 'Exercices indisponibles : {module}',
  packagesNotConfigured: '{name} : pas de dépôt de paquets',
  packageMissing: '{name} : absent du dépôt',
  packageFailed: '{name} : échec ({error})',
  impossibleInBrowser: '{name} : impossible dans un navigateur',
  noSuchFile: 'fichier introuvable',
  isDirectory: 'est un dossier',
  wroteFile: 'Écrit {path}',
  appendedFile: 'Ajouté à {path}',
  tutorUnavailable: 'Visualisation indisponible',
  javascriptDisabled: 'JavaScript désactivé',
};

let host: KernelHost;
let outputs: Output[] = [];
let inputs: (string | null)[] = [];
let count = 0;
const modulesZip = new Map<string, Uint8Array>();
const fetched: string[] = [];
/** What the server answers a server-checked exercise, and the checks asked for. */
let checkAnswer: unknown = { message: 'hors ligne' };
const checked: { module: string; attribute: string; history: string[] }[] = [];
function checks(module: string, attribute: string): unknown {
  checked.push({ module, attribute, history: [...host.history] });
  return checkAnswer;
}

async function run(code: string): Promise<{ status: string; outputs: Output[]; text: string }> {
  outputs = [];
  const status = await host.run(code, ++count);
  const text = outputs
    .map((o) => (typeof o.payload === 'string' ? o.payload : ''))
    .join('')
    .replace(/\r/g, '');
  return { status, outputs, text };
}

function errorOf(result: { outputs: Output[] }): { ename: string; evalue: string; traceback: string } {
  const error = result.outputs.find((o) => o.kind === 'error');
  if (!error) throw new Error(`no error in ${JSON.stringify(result.outputs)}`);
  return error.payload as never;
}

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const indexURL = dirname(require.resolve('pyodide/package.json')) + '/';
  const pyodide = await loadPyodide({ indexURL });
  // The course files, mounted lazily as in the browser: bytes are fetched on first read.
  const served = new Map([
    ['/files/data/notes.txt', new TextEncoder().encode('un\ndeux\ntrois\n')],
    ['/files/data/grand.txt', new TextEncoder().encode('x'.repeat(5000))],
    ['/files/w1/w1-s1-c1-a.md', new TextEncoder().encode('# A\n')],
  ]);
  mountCourseFiles(
    pyodide,
    {
      base: '/files/',
      files: [...served].map(([path, data]) => ({ path: path.slice('/files/'.length), size: data.length })),
      mappings: [{ source: 'data', destination: 'data' }],
    },
    '/home/pyodide/course',
    '/home/pyodide/course/w1',
    (url) => {
      fetched.push(url);
      return served.get(url)!;
    },
  );
  // A zip made by Python itself: modules/outils.py.
  pyodide.runPython(`
import io, zipfile
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr("outils.py", "def double(x):\\n    return 2 * x\\n")
open("/tmp/modules.zip", "wb").write(buffer.getvalue())
`);
  modulesZip.set('/modules.zip', pyodide.FS.readFile('/tmp/modules.zip'));
  host = new KernelHost(pyodide, {
    source: readFileSync(join(import.meta.dirname, 'kernel.py'), 'utf8'),
    settings: {
      cwd: '/home/pyodide/course/w1',
      modules: { url: '/modules.zip', names: ['outils'], folder: '/home/pyodide/course/modules' },
      exercises: null,
      messages,
      knownPackages: ['numpy'],
      packagesConfigured: false,
    },
    bridge: {
      emit: (kind, payload) => outputs.push({ kind, payload: JSON.parse(payload) as Record<string, unknown> }),
      input: () => inputs.shift() ?? null,
      sleep: () => {},
      fetchBytes: (url) => modulesZip.get(url) ?? new Uint8Array(),
      check: (module, attribute) => JSON.stringify(checks(module, attribute)),
    },
    stream: (name, text) => outputs.push({ kind: name, payload: text }),
    canLoadPackages: false,
  });
  host.install();
}, 60_000);

describe('kernel: running cells', () => {
  it('keeps globals between cells and shows the last expression', async () => {
    await run('x = 20');
    const result = await run('x + 1');
    expect(result.status).toBe('ok');
    const value = result.outputs.find((o) => o.kind === 'result')!.payload as { data: Record<string, string> };
    expect(value.data['text/plain']).toBe('21');
    expect((await run('x + 1;')).outputs).toEqual([]);
  });

  it('streams print output in order with displays', async () => {
    const result = await run('print("a")\ndisplay("b")\nprint("c")');
    expect(result.outputs.map((o) => o.kind)).toEqual(['stdout', 'display', 'stdout']);
  });

  it('trims runtime frames and labels cells with the learner line numbers', async () => {
    await run('def f(n):\n    return 1 / n');
    const result = await run('y = 1\nf(0)');
    expect(result.status).toBe('error');
    const error = errorOf(result);
    expect(error.ename).toBe('ZeroDivisionError');
    expect(error.traceback).toContain(`Cellule [${count}], ligne 2`);
    expect(error.traceback).toMatch(/Cellule \[\d+\], ligne 2, in f\n\s+return 1 \/ n/);
    expect(error.traceback).not.toMatch(/_pyodide|_carnet_kernel|eval_code/);
  });

  it('reports syntax errors at the learner line', async () => {
    const error = errorOf(await run('a = 1\nb = (2,'));
    expect(error.ename).toBe('SyntaxError');
    expect(error.traceback).toContain(`Cellule [${count}], ligne 2`);
  });

  it('supports top-level await', async () => {
    const result = await run('import asyncio\nawait asyncio.sleep(0)\n"awaited"');
    expect(JSON.stringify(result.outputs)).toContain('awaited');
  });

  it('displays rich representations', async () => {
    const result = await run(
      'class T:\n    def _repr_html_(self): return "<b>gras</b>"\n    def _repr_markdown_(self): return "**gras**"\nT()',
    );
    const value = result.outputs.find((o) => o.kind === 'result')!.payload as { data: Record<string, string> };
    expect(value.data['text/html']).toBe('<b>gras</b>');
    expect(value.data['text/markdown']).toBe('**gras**');
    expect(value.data['text/plain']).toMatch(/<__main__\.T object/);
  });

  it('provides IPython.display', async () => {
    const result = await run(
      'from IPython.display import HTML, Markdown, display\ndisplay(HTML("<i>x</i>"), Markdown("*y*"))',
    );
    const displays = result.outputs.filter((o) => o.kind === 'display').map((o) => o.payload as { data: object });
    expect(displays.map((d) => Object.keys(d.data))).toEqual([
      ['text/html', 'text/plain'],
      ['text/markdown', 'text/plain'],
    ]);
  });

  it('answers input() from the bridge and interrupts when cancelled', async () => {
    inputs = ['Ada'];
    const result = await run('name = input("Nom ? ")\nprint("Bonjour", name)');
    expect(result.text).toBe('Bonjour Ada\n');
    inputs = [null];
    const cancelled = await run('input()');
    expect(cancelled.status).toBe('interrupted');
    expect(errorOf(cancelled).ename).toBe('KeyboardInterrupt');
  });
});

describe('kernel: IPython syntax', () => {
  it('times code with %timeit and %%timeit', async () => {
    const line = await run('%timeit -n 10 -r 3 sum(range(100))');
    expect(line.text).toMatch(/per loop \(mean ± std\. dev\. of 3 runs, 10 loops each\)/);
    const cell = await run('%%timeit -n 5 -r 2\nsum(range(10))');
    expect(cell.text).toMatch(/of 2 runs, 5 loops each/);
  });

  it('accepts the Jupyter set-up magics silently', async () => {
    const result = await run('%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n1');
    expect(result.status).toBe('ok');
    expect(result.outputs.map((o) => o.kind)).toEqual(['result']);
  });

  it('explains the magics and commands it does not have', async () => {
    const result = await run('%bash\n!pip install numpy\nprint("suite")');
    expect(result.status).toBe('ok');
    expect(result.text).toContain('%bash : pas disponible dans le navigateur.');
    expect(result.text).toContain('!pip : pas disponible dans le navigateur.');
    expect(result.text).toContain('suite');
  });

  it('runs cat, head and ls on the virtual file system', async () => {
    expect((await run('!cat data/notes.txt')).text).toBe('un\ndeux\ntrois\n');
    expect((await run('!head -n 2 data/notes.txt')).text).toBe('un\ndeux\n');
    expect((await run('!ls data')).text).toBe('grand.txt\nnotes.txt\n');
    const captured = await run('lines = !cat data/notes.txt\nlen(lines)');
    expect(JSON.stringify(captured.outputs)).toContain('"text/plain":"3"');
    expect((await run('!cat absent.txt')).text).toContain('absent.txt: fichier introuvable');
  });

  it('shows help with obj? and obj??', async () => {
    const help = await run('len?');
    expect(help.text).toMatch(/Signature: len\(obj, \/\)/);
    expect(help.text).toMatch(/Docstring: Return the number of items in a container/);
    await run('def carre(x):\n    "Le carré."\n    return x * x');
    expect((await run('carre??')).text).toContain('return x * x');
    expect((await run('inconnu?')).text).toBe('Object `inconnu` not found.\n');
  });

  it('writes files with %%writefile', async () => {
    await run('%%writefile brouillon.txt\nligne 1');
    expect((await run('open("brouillon.txt").read()')).outputs[0]!.payload).toMatchObject({
      data: { 'text/plain': "'ligne 1\\n'" },
    });
  });
});

describe('kernel: imports', () => {
  it('loads course modules from the archive on first import', async () => {
    const result = await run('from outils import double\ndouble(21)');
    expect(JSON.stringify(result.outputs)).toContain('"text/plain":"42"');
  });

  it('explains that exercises are not there yet', async () => {
    const error = errorOf(await run('from corrections.exo_duree import exo_duree'));
    expect(error.ename).toBe('ModuleNotFoundError');
    expect(error.evalue).toBe('Exercices indisponibles : corrections');
  });

  it('explains a package the server does not provide', async () => {
    expect(errorOf(await run('import numpy')).evalue).toBe('numpy : pas de dépôt de paquets');
    expect(errorOf(await run('import tkinter')).evalue).toBe('tkinter : impossible dans un navigateur');
    expect(errorOf(await run('import nulle_part')).evalue).toBe("No module named 'nulle_part'");
  });

  it('fetches a course file only when it is read, and lets the learner overwrite it', async () => {
    expect((await run('import os\nos.path.getsize("data/grand.txt")')).outputs[0]!.payload).toMatchObject({
      data: { 'text/plain': '5000' },
    });
    expect(fetched).not.toContain('/files/data/grand.txt');
    expect(JSON.stringify((await run('len(open("data/grand.txt").read())')).outputs)).toContain('5000');
    expect(fetched.filter((u) => u === '/files/data/grand.txt')).toHaveLength(1);
    await run('open("../data/notes.txt", "w").write("réécrit")');
    expect((await run('!cat data/notes.txt')).text).toBe('réécrit\n');
    expect((await run('!ls')).text).toBe('brouillon.txt\ndata\nw1-s1-c1-a.md\n');
  });

  it('works in the notebook folder', async () => {
    const result = await run('import os\nos.getcwd()');
    expect(JSON.stringify(result.outputs)).toContain('/home/pyodide/course/w1');
  });
});

describe('kernel: exercises the server checks', () => {
  beforeAll(() => {
    const library = join(import.meta.dirname, '..', '..', '..', '..', 'python', 'nbautoeval');
    host.pyodide.FS.mkdirTree('/lib/nbautoeval');
    host.pyodide.FS.mkdirTree('/lib/corrections');
    for (const name of readdirSync(library).filter((n) => n.endsWith('.py')))
      host.pyodide.FS.writeFile(`/lib/nbautoeval/${name}`, readFileSync(join(library, name)));
    host.pyodide.FS.writeFile('/lib/corrections/__init__.py', '');
    const description = {
      name: 'moyenne',
      class: 'ExerciseFunction',
      module: 'corrections.exo_srv',
      attribute: 'exo_srv',
      example_html: '<p>exemple</p>',
    };
    host.pyodide.FS.writeFile(
      '/lib/corrections/exo_srv.py',
      `from nbautoeval.sealed import load_server_exercise\nexo_srv = load_server_exercise(${JSON.stringify(JSON.stringify(description))})\n`,
    );
    host.pyodide.runPython('import sys\nsys.path.insert(0, "/lib")');
  });

  it('sends the cells run so far and shows the table the server made; the page learns its submission', async () => {
    await run('from corrections.exo_srv import exo_srv');
    await run('def moyenne(notes):\n    return sum(notes) / len(notes)');
    checkAnswer = {
      html: '<div class="nbae">table du serveur</div>',
      result: { ok: true, passed: 6, total: 6, rows: [{ call: 'moyenne([20])', ok: true }] },
      submission: 42,
    };
    const result = await run('exo_srv.correction(moyenne)');
    expect(result.status).toBe('ok');
    expect(checked.at(-1)).toEqual({
      module: 'corrections.exo_srv',
      attribute: 'exo_srv',
      history: expect.arrayContaining([
        'from corrections.exo_srv import exo_srv',
        'exo_srv.correction(moyenne)',
      ]) as string[],
    });
    expect(JSON.stringify(result.outputs)).toContain('table du serveur');
    const exercise = result.outputs.find((o) => o.kind === 'exercise')!.payload as {
      module: string;
      result: { ok: boolean; submission: number };
    };
    expect(exercise).toMatchObject({ module: 'corrections.exo_srv', attribute: 'exo_srv' });
    expect(exercise.result).toMatchObject({ ok: true, passed: 1, total: 1, submission: 42 });
  });

  it('says why when the server cannot check (offline, not logged in)', async () => {
    checkAnswer = { message: 'Connectez-vous pour vérifier cet exercice.' };
    const result = await run('exo_srv.correction(moyenne)');
    expect(JSON.stringify(result.outputs)).toContain('Connectez-vous pour vérifier cet exercice.');
    expect(result.outputs.some((o) => o.kind === 'exercise')).toBe(false);
    expect(JSON.stringify((await run('exo_srv.example()')).outputs)).toContain('<p>exemple</p>');
  });
});
