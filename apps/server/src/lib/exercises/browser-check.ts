// `carnet validate`'s browser half (ADR 039): each exercise's stand-in, generated from the seals as
// the server serves it, runs in Pyodide (the browser's CPython) under Node on the reference solution
// and every `_ko` variant, and its verdict is compared row by row with the server's. Pyodide under
// Node is not a sandbox: it runs the author's own modules, on the author's machine.
import { createRequire } from 'node:module';
import { dirname, posix } from 'node:path';
import type { StaticMapping } from '@carnet/course-format';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import { libraryFiles } from './library.ts';
import { MODULES_FOLDER } from './modules.ts';
import type { PracticeMode, SealDocument } from './seals.ts';
import { browserStandins } from './standin.ts';

/** One attempt's verdict on the rows the browser sees, or why there is none. */
export interface AttemptVerdict {
  /** `solution`, or the variant's name (`duree_ko`). */
  attempt: string;
  rows?: { call: string; ok: boolean }[];
  error?: string;
}

/** How the browser's verdicts compare with the server's, for one exercise. */
export type BrowserAgreement =
  | { status: 'same' }
  /** `differs`: a row's verdict is another; `failed`: the browser's verdict could not be had. */
  | { status: 'differs' | 'failed'; problems: string[] }
  /** No browser verdict: the server checks it (`server`), or nothing can (`none`). */
  | { status: 'server' | 'none' }
  | { status: 'not compared'; note: string };

/** An exercise as the sandbox's validation reported it. */
export interface ServerSide {
  module: string;
  attribute: string;
  mode: PracticeMode;
  /** The server's verdicts on the reference and each variant (seal.py --validate, mode local). */
  verdicts?: AttemptVerdict[];
}

/** The course as both Pythons see it: its files, which are public, its links, its seals. */
export interface BrowserCourse {
  files: ReadonlyMap<string, Uint8Array>;
  publicPaths: ReadonlySet<string>;
  mappings: readonly StaticMapping[];
  docs: readonly SealDocument[];
}

const ROOT = '/carnet';
const CWD = `${ROOT}/home`; // the notebook's working directory, with the course's links
const COURSE = `${ROOT}/course`; // every module and linked folder: the real modules' world
const PUBLIC = `${ROOT}/public`; // what the browser gets of `modules/` (public files)
const STANDINS = `${ROOT}/standins`; // `corrections.*` as the browser imports them
const LIBRARY = `${ROOT}/library`; // nbautoeval, as the browser receives it

/** Runs in Pyodide: the real module gives the attempts, the stand-in judges them. */
const VERDICTS_PY = String.raw`
import builtins, importlib, json, os, re, sys
sys.path.insert(0, "${LIBRARY}")
from nbautoeval import table as _table

def _of_course(key, module):
    path = getattr(module, "__file__", None) or ""
    return key == "corrections" or key.startswith("corrections.") or (path.startswith("${ROOT}/") and not path.startswith("${LIBRARY}/"))

def _forget():
    for key, module in list(sys.modules.items()):
        if _of_course(key, module):
            del sys.modules[key]

def _world(paths):
    _forget()
    sys.path[:] = paths + [p for p in sys.path if not p.startswith("${ROOT}/")]

def _absent(error):
    # A package this Pyodide lacks (numpy…), not a course module the browser would miss.
    top = (error.name or "").split(".")[0]
    course = "${COURSE}/modules/" + top
    if top and not (os.path.exists(course) or os.path.exists(course + ".py")):
        return top
    return None

# Packages an import statement missed (an attempt may import numpy when it runs): a verdict
# that differs is then put down to them, not to the stand-in.
_missing = set()
_import_statement = builtins.__import__

def _watched(name, globals=None, locals=None, fromlist=(), level=0):
    try:
        return _import_statement(name, globals, locals, fromlist, level)
    except ModuleNotFoundError as error:
        _missing.update(filter(None, [_absent(error)]))
        raise

builtins.__import__ = _watched

def _import(name, where="import"):
    try:
        return importlib.import_module(name), None
    except ModuleNotFoundError as error:
        missing = _absent(error)
        if missing:
            return None, {"skipped": missing}
        return None, {"error": f"{where}: {error!r}"}
    except Exception as error:
        return None, {"error": f"{where}: {error!r}"}

def carnet_browser_verdicts(module, attributes, helpers):
    attributes, helpers = json.loads(attributes), json.loads(helpers)
    _world(["${CWD}", "${COURSE}/modules", "${LIBRARY}"])
    real, failed = _import(module, "the module does not import in Pyodide")
    if failed:
        return json.dumps(failed)
    reals = {key: m for key, m in sys.modules.items() if _of_course(key, m)}
    attempts = {}
    for attribute in attributes:
        exo = getattr(real, attribute)
        # seal.py's ko_variants: the module's attributes named <name>_ko…, in definition order.
        pattern = re.compile(re.escape(exo.name) + r"_ko\w*$")
        attempts[attribute] = [("solution", exo.solution)] + [(k, v) for k, v in vars(real).items() if pattern.match(k)]
    _world(["${CWD}", "${STANDINS}", "${PUBLIC}/modules", "${LIBRARY}"])
    standin, failed = _import(module, "its stand-in does not import in Pyodide")
    if failed:
        return json.dumps(failed)
    # The attempts call the helpers the browser hands out, as a learner's code would (a class
    # from the stand-in is not the real module's: instances of one never equal the other's).
    for owner, name in helpers:
        if owner in reals:
            given, _ = _import(owner)
            if given is not None and hasattr(given, name):
                setattr(reals[owner], name, getattr(given, name))
    out = {}
    shown = []
    _table.set_display_hook(shown.append)
    try:
        for attribute in attributes:
            exo = getattr(standin, attribute)
            verdicts = []
            _missing.clear()
            for label, attempt in attempts[attribute]:
                exo.last_result = None
                shown.clear()
                try:
                    exo.correction(attempt)
                    rows = [{"call": r.call, "ok": bool(r.ok)} for r in exo.last_result.rows]
                    verdicts.append({"attempt": label, "rows": rows})
                except Exception as error:
                    verdicts.append({"attempt": label, "error": repr(error)})
            out[attribute] = {"verdicts": verdicts, "missing": sorted(_missing)}
    finally:
        _table.set_display_hook(None)
    return json.dumps({"exercises": out})
`;

/** Loads Pyodide from the npm package, quiet, with end-of-file on stdin and the exercise library. */
export async function loadBrowserPython(): Promise<PyodideAPI> {
  const require = createRequire(import.meta.url);
  const pyodide = await loadPyodide({
    indexURL: `${dirname(require.resolve('pyodide/package.json'))}/`,
    stdin: () => null,
    stdout: () => {},
    stderr: () => {},
  });
  for (const file of libraryFiles()) write(pyodide, `${LIBRARY}/${file.path}`, file.data);
  pyodide.runPython(VERDICTS_PY);
  return pyodide;
}

function write(pyodide: PyodideAPI, path: string, data: Uint8Array | string): void {
  pyodide.FS.mkdirTree(posix.dirname(path));
  pyodide.FS.writeFile(path, data);
}

/** Lays the course out in Pyodide's memory: real modules and linked folders, public modules, stand-ins. */
function layOut(pyodide: PyodideAPI, course: BrowserCourse): void {
  const links = course.mappings.filter((m) => !m.destination.includes('/'));
  const linked = (path: string) => links.some((l) => path.startsWith(`${l.source.replace(/\/+$/, '')}/`));
  for (const [path, data] of course.files) {
    if (path.startsWith(MODULES_FOLDER) || linked(path)) write(pyodide, `${COURSE}/${path}`, data);
    if (path.startsWith(MODULES_FOLDER) && course.publicPaths.has(path)) write(pyodide, `${PUBLIC}/${path}`, data);
  }
  for (const module of browserStandins(course.docs)) write(pyodide, `${STANDINS}/${module.path}`, module.source);
  pyodide.FS.mkdirTree(CWD);
  for (const { source, destination } of links) pyodide.FS.symlink(`${COURSE}/${source}`, `${CWD}/${destination}`);
  pyodide.FS.chdir(CWD);
}

/**
 * The browser's verdict next to the server's for every exercise: per module, the real module
 * (in Pyodide) gives the reference and its `_ko` variants, the stand-in (from `course.docs`)
 * judges them on the rows learners see; exercises needing a package Pyodide lacks here are not
 * compared, and say so. Keys are `module.attribute`.
 */
export async function browserAgreements(
  python: Promise<PyodideAPI>,
  course: BrowserCourse,
  exercises: readonly ServerSide[],
): Promise<Map<string, BrowserAgreement>> {
  const agreements = new Map<string, BrowserAgreement>();
  const key = (e: ServerSide) => `${e.module}.${e.attribute}`;
  for (const e of exercises) if (e.mode !== 'local') agreements.set(key(e), { status: e.mode });
  const local = exercises.filter((e) => e.mode === 'local');
  if (local.length === 0) return agreements;
  let pyodide: PyodideAPI;
  try {
    pyodide = await python;
  } catch (error) {
    const problems = [`the browser's verdict could not be checked: Pyodide did not load (${lastLine(error)})`];
    for (const e of local) agreements.set(key(e), { status: 'failed', problems });
    return agreements;
  }
  layOut(pyodide, course);
  const helpers = JSON.stringify(course.docs.flatMap((d) => d.helpers.map((h) => [h.module, h.name])));
  const verdictsOf = pyodide.globals.get('carnet_browser_verdicts') as PyCallable;
  try {
    for (const module of [...new Set(local.map((e) => e.module))]) {
      const mine = local.filter((e) => e.module === module);
      let answer: BrowserAnswer;
      try {
        answer = JSON.parse(verdictsOf(module, JSON.stringify(mine.map((e) => e.attribute)), helpers)) as BrowserAnswer;
      } catch (error) {
        answer = { error: `Pyodide failed: ${lastLine(error)}` };
      }
      for (const e of mine) agreements.set(key(e), agreement(e, answer));
    }
  } finally {
    verdictsOf.destroy();
  }
  return agreements;
}

type PyCallable = ((module: string, attributes: string, helpers: string) => string) & { destroy(): void };

/** What `carnet_browser_verdicts` answers for a module. */
interface BrowserAnswer {
  /** Per exercise: its verdicts, and the packages its attempts could not import. */
  exercises?: Record<string, { verdicts: AttemptVerdict[]; missing: string[] }>;
  /** A package the module (or its stand-in) imports that Pyodide lacks here. */
  skipped?: string;
  error?: string;
}

function notCompared(packages: readonly string[]): BrowserAgreement {
  const verb = packages.length > 1 ? 'are' : 'is';
  return {
    status: 'not compared',
    note: `not compared in the browser: ${packages.join(', ')} ${verb} not available to Pyodide here`,
  };
}

function agreement(e: ServerSide, answer: BrowserAnswer): BrowserAgreement {
  if (answer.skipped) return notCompared([answer.skipped]);
  const browser = answer.exercises?.[e.attribute];
  if (answer.error || !browser) {
    return {
      status: 'failed',
      problems: [`the browser's verdict could not be checked: ${answer.error ?? 'no verdict'}`],
    };
  }
  const problems = compareVerdicts(e.verdicts ?? [], browser.verdicts);
  if (problems.length === 0) return { status: 'same' };
  // The differences may come from the missing packages alone: say so, as for an import.
  return browser.missing.length > 0 ? notCompared(browser.missing) : { status: 'differs', problems };
}

/** A Python traceback's last line: what went wrong. */
function lastLine(error: unknown): string {
  return String(error).trim().split('\n').pop()!;
}

const verdict = (ok: boolean) => (ok ? 'OK' : 'KO');
const count = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

/** Where the browser's verdicts differ from the server's, one message per difference (none: the same). Pure. */
export function compareVerdicts(server: readonly AttemptVerdict[], browser: readonly AttemptVerdict[]): string[] {
  const problems: string[] = [];
  for (const s of server) {
    const on = `the browser's verdict differs from the server's on correction(${s.attempt})`;
    const b = browser.find((v) => v.attempt === s.attempt);
    if (s.error) problems.push(`correction(${s.attempt}): the server's verdict could not be computed: ${s.error}`);
    else if (!b) problems.push(`${on}: the browser did not find ${s.attempt}`);
    else if (b.error) problems.push(`${on}: the stand-in failed: ${b.error}`);
    else if (b.rows!.length !== s.rows!.length)
      problems.push(
        `${on}: the browser checks ${count(b.rows!.length)}, the server ${count(s.rows!.length)} that the browser sees`,
      );
    else
      s.rows!.forEach((row, i) => {
        const other = b.rows![i]!;
        if (other.call !== row.call)
          problems.push(`${on}, row ${i + 1}: browser checks ${other.call}, server ${row.call}`);
        else if (other.ok !== row.ok)
          problems.push(`${on}, row ${row.call}: browser ${verdict(other.ok)}, server ${verdict(row.ok)}`);
      });
  }
  for (const b of browser) {
    if (!server.some((s) => s.attempt === b.attempt))
      problems.push(`correction(${b.attempt}): the server gave no verdict`);
  }
  return problems;
}
