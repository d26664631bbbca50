import { resolve } from 'node:path';
import { buildCourse, readCourseFolder } from '@carnet/course-format';
import { FORGEABLE } from '../import/seal-warnings.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  browserAgreements,
  loadBrowserPython,
  type AttemptVerdict,
  type BrowserAgreement,
  type ServerSide,
} from './browser-check.ts';
import { moduleNames } from './modules.ts';
import { courseFolder, explainFailure, failedSeal, sealJob, sealOptions } from './seal.ts';
import { sealDocument, type PracticeMode, type SealDocument } from './seals.ts';

/** One exercise's check (python/carnet_seal/seal.py --validate). */
export interface ExerciseCheck {
  module: string;
  attribute: string;
  name: string;
  ok: boolean;
  solution: string;
  koVariants: string;
  /** How learners practise it: in the browser, checked by the server, or not at all. */
  mode: PracticeMode;
  /** Checks its verified grade rests on that learners never see (a new draw counts all). */
  hiddenChecks: number;
  random: boolean;
  /** The browser's stand-in against the server, on the reference and every variant (browser-check.ts). */
  browser: BrowserAgreement['status'];
  problems: string[];
  /** What was not checked, and why; not a failure. */
  notes: string[];
}

interface ValidationReport {
  ok: boolean;
  problems?: string[];
  /** The module's seal, as sealing at import makes it (the browser's stand-ins are built from it). */
  seal?: unknown;
  exercises: {
    attribute: string;
    name: string;
    ok: boolean;
    problems: string[];
    solution?: { passed: number; total: number };
    ko_variants: { name: string; ok: boolean | null }[];
    mode: PracticeMode;
    random: boolean;
    checks: { hidden: number; extra: number };
    server_verdicts?: AttemptVerdict[];
  }[];
}

/**
 * The authors' check before publishing: for every exercise module of a course folder, in the
 * sandbox, `example()` runs, the reference solution is all-OK, every `<name>_ko` variant has a KO
 * row, and how each exercise is verified — practised in the browser or by the server (never
 * served open), with how many hidden checks; one that cannot be checked, or has no hidden check
 * (its verified grade could be forged), fails. A module that fails to run is one failed check.
 * Then each exercise's browser stand-in, built from the seals as the server serves it, judges the
 * reference and the variants in Pyodide: a verdict other than the server's fails (browser-check.ts).
 */
export async function validateExercises(folderPath: string, sandbox: Sandbox): Promise<ExerciseCheck[]> {
  const snapshot = await readCourseFolder(resolve(folderPath));
  const course = buildCourse(snapshot, { name: 'validate' });
  const modules = course.exerciseModules.filter((m) => m.definitions.length > 0);
  const publicModules = moduleNames(course.files.filter((f) => f.public).map((f) => f.path));
  const folder = courseFolder(snapshot.files);
  const checks: ExerciseCheck[] = [];
  const docs: SealDocument[] = [];
  const serverSide: ServerSide[] = [];
  // Pyodide takes seconds to start: it begins now, beside the sandbox runs. Its Python start-up
  // holds the event loop, so the overlap is short (ADR 039: measured, and what would shorten it).
  const python = modules.length > 0 ? loadBrowserPython() : Promise.reject(new Error('no exercise module'));
  python.catch(() => {}); // its failure is reported per exercise, once awaited
  try {
    for (const { module } of modules) {
      const options = sealOptions(course, module, publicModules);
      const result = await sandbox.run(sealJob(folder.dir, module, course.staticMappings, options, 'validate'));
      let report: ValidationReport | null = null;
      try {
        report = JSON.parse(result.stdout) as ValidationReport;
      } catch {
        report = null;
      }
      if (!report?.exercises) {
        const error = (report as { error?: string } | null)?.error ?? (result.stderr.trim() || result.message);
        const why = failedSeal(module, error, folder.dir, snapshot.files).reason ?? error;
        checks.push({
          module,
          attribute: '—',
          name: '—',
          ok: false,
          solution: '—',
          koVariants: '—',
          mode: 'none',
          hiddenChecks: 0,
          random: false,
          browser: 'none',
          problems: [`the module does not run: ${explainFailure(why, 3).split('\n').join(' ')}`],
          notes: [],
        });
        continue;
      }
      const moduleProblems = [...(report.problems ?? [])];
      const seal = sealDocument.safeParse(report.seal);
      if (seal.success) docs.push(seal.data);
      else moduleProblems.push(`unexpected seal: ${seal.error.message}`);
      report.exercises.forEach((e, i) => {
        const hiddenChecks =
          e.mode === 'none' ? 0 : e.random ? (e.solution?.total ?? 1) : e.checks.hidden + e.checks.extra;
        const problems = [...e.problems, ...(i === 0 ? moduleProblems : [])];
        if (e.mode !== 'none' && hiddenChecks === 0) problems.push(FORGEABLE);
        checks.push({
          module,
          attribute: e.attribute,
          name: e.name,
          ok: problems.length === 0,
          solution: e.solution ? `${e.solution.passed}/${e.solution.total}` : '—',
          koVariants:
            e.ko_variants.length === 0
              ? 'none'
              : e.ko_variants.map((k) => `${k.name} ${k.ok === false ? 'KO' : k.ok ? 'OK!' : 'error'}`).join(', '),
          mode: e.mode,
          hiddenChecks,
          random: e.random,
          browser: e.mode === 'local' ? 'failed' : e.mode,
          problems,
          notes: [],
        });
        if (seal.success)
          serverSide.push({ module, attribute: e.attribute, mode: e.mode, verdicts: e.server_verdicts });
      });
    }
  } finally {
    folder.dispose();
  }
  const publicPaths = new Set(course.files.filter((f) => f.public).map((f) => f.path));
  const browserCourse = { files: snapshot.files, publicPaths, mappings: course.staticMappings, docs };
  const agreements = await browserAgreements(python, browserCourse, serverSide);
  for (const check of checks) {
    const agreement = agreements.get(`${check.module}.${check.attribute}`);
    if (!agreement) continue;
    check.browser = agreement.status;
    if ('problems' in agreement) check.problems.push(...agreement.problems);
    if ('note' in agreement) check.notes.push(agreement.note);
    check.ok = check.problems.length === 0;
  }
  // Settled before returning, even when no exercise needed it: a Pyodide that finishes loading
  // later resets process.exitCode to 0 (`carnet validate` then passed a module that does not run).
  await python.then(
    () => {},
    () => {},
  );
  return checks;
}

const MODES: Record<PracticeMode, string> = { local: 'browser', server: 'server', none: 'NO' };

/** What the browser's stand-in gave against the server (`same`: every row of every attempt). */
const BROWSER: Record<BrowserAgreement['status'], string> = {
  same: 'same',
  differs: 'DIFFERS',
  failed: 'FAILED',
  server: 'checked by the server',
  none: '—',
  'not compared': 'not compared',
};

/** The checks as a table for a terminal. */
export function formatChecks(checks: ExerciseCheck[]): string {
  const rows = [
    ['module', 'exercise', 'solution', 'wrong variants', 'checked by', 'hidden checks', 'browser verdict', 'result'],
    ...checks.map((c) => [
      c.module,
      c.attribute,
      c.solution,
      c.koVariants,
      MODES[c.mode],
      c.random ? `${c.hiddenChecks} (new draw)` : String(c.hiddenChecks),
      BROWSER[c.browser],
      c.ok ? 'ok' : 'FAILED',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of checks) for (const p of [...c.problems, ...c.notes]) lines.push(`${c.module}.${c.attribute}: ${p}`);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(
    '',
    `${checks.length} exercises: ${checks.filter((c) => c.mode === 'local').length} checked in the browser, ` +
      `${checks.filter((c) => c.mode === 'server').length} by the server, ` +
      `${checks.filter((c) => c.mode === 'none').length} not checkable; none served open ` +
      '(no exercise module ever reaches the browser).',
    failed === 0 ? 'All good.' : `${failed} of ${checks.length} exercises failed.`,
  );
  return lines.join('\n');
}
