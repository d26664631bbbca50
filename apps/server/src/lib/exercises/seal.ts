import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CourseModel, StaticMapping } from '@carnet/course-format';
import type { SealStatus } from '../../db/schema.ts';
import { sandboxCourseRoot, writeCourseFiles } from '../sandbox/layout.ts';
import { SANDBOX_PATHS, type Sandbox, type SandboxJob } from '../sandbox/sandbox.ts';
import { sandboxLibraryDir, sealProgram } from './library.ts';
import { describeMissingPackage, isCourseModule, missingPackage } from './missing-package.ts';
import { moduleNames } from './modules.ts';
import { sealDocument, type SealDocument } from './seals.ts';

/** What sealing one exercise module gave. */
export interface SealOutcome {
  /** `corrections.exo_label`. */
  module: string;
  status: SealStatus;
  seal: SealDocument | null;
  /** Why the module failed or is not sealed; null when sealed. */
  reason: string | null;
  /** Where in the course a failed module stopped, when known (the import of a missing package). */
  origin?: { file: string; line: number };
}

/** Generous: a module imports twice, runs its reference on every dataset and checks its stand-in. */
const SEAL_LIMITS = { wallMs: 60_000, cpuSeconds: 30 };

/**
 * A course's files laid out once in a private temporary folder that the sandbox's user can read,
 * for the jobs of one import; `dispose()` removes it.
 */
export function courseFolder(files: Map<string, Uint8Array>): { dir: string; dispose(): void } {
  // Under the sandbox's course root, so that the fork-server can lay it out (ADR 027).
  const dir = mkdtempSync(join(sandboxCourseRoot(), 'import-'));
  // The sandbox runs as another user: it must read (never write) these files.
  chmodSync(dir, 0o755);
  writeCourseFiles(dir, files);
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * What seal.py needs to know of the course for one module (its stdin): the hidden checks and
 * server-only datasets carnet.yml sets, the names notebooks import from it that are not
 * exercises (helpers it hands out), every `corrections.*` name notebooks import (a solution a
 * notebook imports may travel), and the public course modules the browser can import.
 */
export function sealOptions(course: CourseModel, module: string, publicModules: readonly string[]): object {
  const exercises: Record<string, { hidden?: string; datasets?: { expression: string; line: number }[] }> = {};
  const definitions = course.exerciseModules.find((m) => m.module === module)?.definitions ?? [];
  let hidden = course.meta.hiddenChecks.find((s) => s.target === 'default')?.share ?? '1/3';
  hidden = course.meta.hiddenChecks.find((s) => s.target === module)?.share ?? hidden;
  for (const setting of course.meta.hiddenChecks) {
    if (setting.target.startsWith(`${module}.`))
      (exercises[setting.target.slice(module.length + 1)] ??= {}).hidden = setting.share;
  }
  for (const setting of course.meta.hiddenDatasets) {
    if (setting.target.startsWith(`${module}.`))
      (exercises[setting.target.slice(module.length + 1)] ??= {}).datasets = setting.expressions;
  }
  const imports = new Set<string>();
  const helpers = new Set<string>();
  for (const item of course.items) {
    if (item.type !== 'notebook') continue;
    for (const use of item.exercises) {
      imports.add(JSON.stringify([use.module, use.name]));
      if (use.module === module && !definitions.some((d) => d.name === use.name)) helpers.add(use.name);
    }
  }
  return {
    hidden,
    exercises,
    helpers: [...helpers].sort(),
    imports: [...imports].sort().map((pair) => JSON.parse(pair) as [string, string]),
    public_modules: publicModules.filter((name) => name !== 'corrections'),
  };
}

/** The job that runs `seal.py` (sealing, or `--validate`) on one module, in the course's files. */
export function sealJob(
  dir: string,
  module: string,
  mappings: readonly StaticMapping[],
  options: object,
  mode: 'seal' | 'validate' = 'seal',
): SandboxJob {
  const links: Record<string, string> = {};
  for (const { source, destination } of mappings) {
    if (!destination.includes('/')) links[destination] = source;
  }
  return {
    files: { dir },
    links,
    pythonPath: ['modules'],
    libraries: [sandboxLibraryDir()],
    program: { code: sealProgram(), filename: 'seal.py' },
    argv: [...(mode === 'validate' ? ['--validate'] : []), `${SANDBOX_PATHS.course}/modules`, module],
    stdin: JSON.stringify(options),
    limits: SEAL_LIMITS,
  };
}

/**
 * Seals every exercise module of a course version in the sandbox (ADR 024, 034): per exercise,
 * how learners practise it, the inputs the untrusted run may get, and what only the judge holds —
 * expected results, held-back and author-declared hidden datasets — never the solution. A module
 * that fails to run is reported. Without a sandbox nothing is sealed, and the reason says what to
 * install.
 */
export async function sealModules(
  course: CourseModel,
  files: Map<string, Uint8Array>,
  sandbox: Sandbox | undefined,
  unavailable: string,
): Promise<SealOutcome[]> {
  const modules = course.exerciseModules.filter((m) => m.definitions.length > 0);
  if (modules.length === 0) return [];
  if (!sandbox)
    return modules.map(({ module }) => ({ module, status: 'unsandboxed', seal: null, reason: unavailable }));
  const publicModules = moduleNames(course.files.filter((f) => f.public).map((f) => f.path));
  const folder = courseFolder(files);
  try {
    // Modules are independent: sealed two at a time (the sandbox queues beyond its slots).
    const outcomes: SealOutcome[] = new Array(modules.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < modules.length) {
        const index = next++;
        outcomes[index] = await sealOne(modules[index]!.module);
      }
    };
    const sealOne = async (module: string): Promise<SealOutcome> => {
      const options = sealOptions(course, module, publicModules);
      const result = await sandbox.run(sealJob(folder.dir, module, course.staticMappings, options));
      let raw: { error?: string } | null = null;
      try {
        raw = JSON.parse(result.stdout) as { error?: string };
      } catch {
        raw = null;
      }
      const parsed = raw && !raw.error ? sealDocument.safeParse(raw) : null;
      if (result.reason !== 'ok' || !parsed?.success) {
        const detail =
          raw?.error ??
          (parsed && !parsed.success ? `unexpected seal: ${parsed.error.message}` : undefined) ??
          (result.stderr.trim() || result.message);
        return failedSeal(module, detail, folder.dir, files);
      }
      return { module, status: 'sealed', seal: parsed.data, reason: null };
    };
    await Promise.all([worker(), worker()]);
    return outcomes;
  } finally {
    folder.dispose();
  }
}

/**
 * A module that failed to run: a package this server lacks said so, with where the course imports
 * it; anything else as the end of its traceback.
 */
export function failedSeal(module: string, detail: string, dir: string, files: Map<string, Uint8Array>): SealOutcome {
  // Tracebacks name the course's files as the sandbox shows them (/course), or the folder itself (unsafe).
  const missing = missingPackage(detail, [SANDBOX_PATHS.course, dir], (name) => isCourseModule(files.keys(), name));
  if (!missing) return { module, status: 'failed', seal: null, reason: explainFailure(detail) };
  return {
    module,
    status: 'failed',
    seal: null,
    reason: describeMissingPackage(missing, module),
    ...(missing.file && missing.line ? { origin: { file: missing.file, line: missing.line } } : {}),
  };
}

/** The end of a traceback: what an author needs to see. */
export function explainFailure(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
