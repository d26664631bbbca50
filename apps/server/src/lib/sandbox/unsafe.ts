import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutFailure } from './bwrap.ts';
import { hostCourse, jobLinks, pythonArgs, SandboxLayoutError } from './layout.ts';
import { interpret, runProcess } from './process.ts';
import {
  DEFAULT_LIMITS,
  jobEnvironment,
  jobLimits,
  type Sandbox,
  type SandboxJob,
  type SandboxLimits,
  type SandboxResult,
} from './sandbox.ts';

/**
 * No isolation at all: the program runs as the server's user, with the server's files and network
 * in reach — only the rlimits, the wall-clock limit and the output cap apply. For development
 * machines without bubblewrap, behind CARNET_UNSAFE_GRADING=true (ADR 022). Never in production.
 */
export class UnsafeSandbox implements Sandbox {
  readonly kind = 'unsafe' as const;
  readonly #defaults: SandboxLimits;

  constructor(
    private readonly python: string,
    limits: Partial<SandboxLimits> = {},
    /** The interpreter's site-packages folders (`PythonInstall.sitePackages`), after the standard library. */
    private readonly sitePackages: readonly string[] = [],
  ) {
    this.#defaults = { ...DEFAULT_LIMITS, ...limits };
  }

  async run(job: SandboxJob, options: { signal?: AbortSignal } = {}): Promise<SandboxResult> {
    const limits = jobLimits(job, this.#defaults);
    const scratch = mkdtempSync(join(tmpdir(), 'carnet-unsafe-'));
    let cleanupCourse = (): void => {};
    const home = join(scratch, 'home');
    try {
      let args: string[];
      try {
        const course = hostCourse(job);
        cleanupCourse = course.cleanup;
        const courseDir = course.dir ?? join(scratch, 'no-course');
        mkdirSync(home);
        for (const [name, target] of jobLinks(job)) symlinkSync(join(courseDir, target), join(home, name));
        const programFile = join(scratch, 'main.py');
        writeFileSync(programFile, 'code' in job.program ? job.program.code : '');
        args = pythonArgs(job, limits, {
          course: courseDir,
          cwd: home,
          libraries: [...(job.libraries ?? [])],
          sitePackages: [...this.sitePackages],
          programFile,
        });
      } catch (error) {
        if (error instanceof SandboxLayoutError) return layoutFailure(error);
        throw error;
      }
      const outcome = await runProcess(this.python, args, {
        stdin: job.stdin,
        wallMs: limits.wallMs,
        outputBytes: limits.outputBytes,
        killGroup: true,
        signal: options.signal,
        spawn: { env: jobEnvironment(home), cwd: scratch },
      });
      return interpret(outcome, limits, false);
    } finally {
      cleanupCourse();
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}
