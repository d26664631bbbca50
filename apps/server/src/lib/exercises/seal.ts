import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticMapping } from '@carnet/course-format';
import type { SealStatus } from '../../db/schema.ts';
import { sandboxCourseRoot, writeCourseFiles } from '../sandbox/layout.ts';
import { SANDBOX_PATHS, type Sandbox, type SandboxJob } from '../sandbox/sandbox.ts';
import { sandboxLibraryDir, sealProgram } from './library.ts';
import { describeMissingPackage, isCourseModule, missingPackage } from './missing-package.ts';
import type { SealDocument } from './standin.ts';

/** What sealing one exercise module gave. */
export interface SealOutcome {
  /** `corrections.exo_label`. */
  module: string;
  status: SealStatus;
  seal: SealDocument | null;
  /** Why the module is open, failed or not sealed; null when sealed. */
  reason: string | null;
  /** Where in the course a failed module stopped, when known (the import of a missing package). */
  origin?: { file: string; line: number };
}

/** Generous: a module imports, runs its reference on every dataset and checks its stand-in. */
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

/** The job that runs `seal.py` (sealing, or `--validate`) on one module, in the course's files. */
export function sealJob(
  dir: string,
  module: string,
  mappings: StaticMapping[],
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
    limits: SEAL_LIMITS,
  };
}

/**
 * Seals every exercise module of a course version in the sandbox: the datasets, the expected
 * results (the reference runs once, here) and the example, without the solution. A module with an
 * exercise that cannot be sealed faithfully is served open (and says why); one that fails to run
 * is reported. Without a sandbox nothing is sealed, and the reason says what to install.
 */
export async function sealModules(
  files: Map<string, Uint8Array>,
  modules: { module: string }[],
  mappings: StaticMapping[],
  sandbox: Sandbox | undefined,
  unavailable: string,
): Promise<SealOutcome[]> {
  if (modules.length === 0) return [];
  if (!sandbox)
    return modules.map(({ module }) => ({ module, status: 'unsandboxed', seal: null, reason: unavailable }));
  const folder = courseFolder(files);
  try {
    const outcomes: SealOutcome[] = [];
    for (const { module } of modules) {
      const result = await sandbox.run(sealJob(folder.dir, module, mappings));
      let seal: SealDocument | null = null;
      try {
        seal = JSON.parse(result.stdout) as SealDocument;
      } catch {
        seal = null;
      }
      if (result.reason !== 'ok' || !seal || seal.error) {
        const detail = seal?.error ?? (result.stderr.trim() || result.message);
        outcomes.push(failedSeal(module, detail, folder.dir, files));
        continue;
      }
      const blocked = seal.exercises.filter((e) => !e.sealable);
      outcomes.push(
        blocked.length === 0
          ? { module, status: 'sealed', seal, reason: null }
          : {
              module,
              status: 'open',
              seal,
              reason: blocked.map((e) => `${e.attribute}: ${e.reason ?? 'cannot be sealed'}`).join('; '),
            },
      );
    }
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
  if (!missing) return { module, status: 'failed', seal: null, reason: lastLines(detail) };
  return {
    module,
    status: 'failed',
    seal: null,
    reason: describeMissingPackage(missing, module),
    ...(missing.file && missing.line ? { origin: { file: missing.file, line: missing.line } } : {}),
  };
}

/** The end of a traceback: what an author needs to see. */
function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
