import { resolve } from 'node:path';
import { buildCourse, readCourseFolder } from '@carnet/course-format';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { courseFolder, failedSeal, sealJob } from './seal.ts';

/** One exercise's check (python/carnet_seal/seal.py --validate). */
export interface ExerciseCheck {
  module: string;
  attribute: string;
  name: string;
  ok: boolean;
  solution: string;
  koVariants: string;
  sealable: boolean;
  problems: string[];
}

interface ValidationReport {
  ok: boolean;
  exercises: {
    attribute: string;
    name: string;
    ok: boolean;
    problems: string[];
    solution?: { passed: number; total: number };
    ko_variants: { name: string; ok: boolean | null }[];
    sealable: boolean;
    reason: string | null;
  }[];
}

/**
 * The authors' check before publishing: for every exercise module of a course folder, in the
 * sandbox, `example()` runs, the reference solution is all-OK, and every `<name>_ko` variant has
 * a KO row. A module that fails to run is one failed check.
 */
export async function validateExercises(folderPath: string, sandbox: Sandbox): Promise<ExerciseCheck[]> {
  const snapshot = await readCourseFolder(resolve(folderPath));
  const course = buildCourse(snapshot, { name: 'validate' });
  const modules = course.exerciseModules.filter((m) => m.definitions.length > 0);
  const folder = courseFolder(snapshot.files);
  const checks: ExerciseCheck[] = [];
  try {
    for (const { module } of modules) {
      const result = await sandbox.run(sealJob(folder.dir, module, course.staticMappings, 'validate'));
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
          sealable: false,
          problems: [`the module does not run: ${why.trim().split('\n').slice(-3).join(' ')}`],
        });
        continue;
      }
      for (const e of report.exercises) {
        checks.push({
          module,
          attribute: e.attribute,
          name: e.name,
          ok: e.ok,
          solution: e.solution ? `${e.solution.passed}/${e.solution.total}` : '—',
          koVariants:
            e.ko_variants.length === 0
              ? 'none'
              : e.ko_variants.map((k) => `${k.name} ${k.ok === false ? 'KO' : k.ok ? 'OK!' : 'error'}`).join(', '),
          sealable: e.sealable,
          problems: [...e.problems, ...(e.sealable ? [] : [`served open: ${e.reason ?? ''}`])],
        });
      }
    }
  } finally {
    folder.dispose();
  }
  return checks;
}

/** The checks as a table for a terminal. */
export function formatChecks(checks: ExerciseCheck[]): string {
  const rows = [
    ['module', 'exercise', 'solution', 'wrong variants', 'sealed', 'result'],
    ...checks.map((c) => [
      c.module,
      c.attribute,
      c.solution,
      c.koVariants,
      c.sealable ? 'yes' : 'no',
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
  for (const c of checks) for (const p of c.problems) lines.push(`${c.module}.${c.attribute}: ${p}`);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(
    '',
    failed === 0 ? `${checks.length} exercises: all good.` : `${failed} of ${checks.length} exercises failed.`,
  );
  return lines.join('\n');
}
