/**
 * The sandbox contract: run one Python program, hostile until proven otherwise, in a fresh
 * process that sees only the course's files, a private scratch folder, the Python standard
 * library and the system's Python packages (read-only: numpy…, ADR 038), within limits. Implementations: `ForkServerSandbox` (production: each job forked from a
 * pre-started sandboxed interpreter, then isolated in its own namespaces, ADR 027), `BwrapSandbox`
 * (one bubblewrap per job: its fallback) and `UnsafeSandbox` (development only, no isolation).
 */

/** Where a job's pieces appear inside the sandbox (the same for every implementation that isolates). */
export const SANDBOX_PATHS = {
  /** The course version's files, read-only. */
  course: '/course',
  /** The working directory: private, writable, size-limited, discarded after the job. */
  home: '/home/learner',
  /** Extra read-only folders (the exercise library…), each `/opt/lib/<n>`, on `sys.path`. */
  libraries: '/opt/lib',
} as const;

/**
 * The whole environment of a job (nothing of the server's): its home and scratch folder, UTF-8;
 * matplotlib drawing off-screen (Agg) with its settings and font cache in the private home; and
 * numerical libraries on one thread — a job has one core, and each thread of OpenBLAS (numpy)
 * reserves ~50 MB of address space: with one per core numpy hangs or fails under the memory
 * limit on a large machine (ADR 038).
 */
export function jobEnvironment(home: string): Record<string, string> {
  return {
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    MPLBACKEND: 'Agg',
    MPLCONFIGDIR: `${home}/.matplotlib`,
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    NUMEXPR_NUM_THREADS: '1',
  };
}

/** The course version's files: a folder on disk, or a map of relative path → contents. */
export type SandboxFiles = { dir: string } | { map: ReadonlyMap<string, Uint8Array | string> };

export interface SandboxLimits {
  /** Wall-clock time before the whole process tree is killed (ms). */
  wallMs: number;
  /** CPU time (s), RLIMIT_CPU. */
  cpuSeconds: number;
  /** Address space (bytes), RLIMIT_AS. */
  memoryBytes: number;
  /** Processes and threads of the sandbox's user (RLIMIT_NPROC; see ADR 022 for what it counts). */
  processes: number;
  /** Largest file the program may write (bytes), RLIMIT_FSIZE. */
  fileBytes: number;
  /** Open file descriptors, RLIMIT_NOFILE. */
  openFiles: number;
  /** Size of the writable working directory (bytes; a tmpfs). */
  diskBytes: number;
  /** Bytes kept of stdout and of stderr; beyond, the run is killed ("output-limit"). */
  outputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  wallMs: 10_000,
  cpuSeconds: 5,
  memoryBytes: 512 * 1024 * 1024,
  processes: 64,
  fileBytes: 16 * 1024 * 1024,
  openFiles: 64,
  diskBytes: 32 * 1024 * 1024,
  outputBytes: 1024 * 1024,
};

/** One run of a Python program. */
export interface SandboxJob {
  /** The course version's files, read-only at `SANDBOX_PATHS.course`. */
  files?: SandboxFiles;
  /**
   * Course folders that appear (read-only) in the working directory, by name: the notebook's
   * `data/`, `media/`… e.g. `{ data: 'w1/data' }`. Keys are single path segments.
   */
  links?: Readonly<Record<string, string>>;
  /** Course folders put first on `sys.path` (e.g. `modules`), relative to the course. */
  pythonPath?: readonly string[];
  /** Host folders made visible read-only and put on `sys.path` after `pythonPath` (the exercise library). */
  libraries?: readonly string[];
  /** The program: Python source (run as `__main__`), or a file of the course. */
  program: { code: string; filename?: string } | { path: string };
  argv?: readonly string[];
  /** Standard input; end-of-file after it (none: end-of-file at once). */
  stdin?: string | Uint8Array;
  limits?: Partial<SandboxLimits>;
  /**
   * The program runs no learner code (the grading judge: library code on data, ADR 025): an
   * implementation may run it in a reused, still sandboxed, process (ADR 027). Such a program
   * must keep no state between runs and read no course files.
   */
  trusted?: boolean;
}

/**
 * Why a run ended. `ok`: exit status 0; `error`: another exit status (an uncaught exception…);
 * the rest: the sandbox stopped it, or could not run it (`sandbox-error`).
 */
export type SandboxReason =
  | 'ok'
  | 'error'
  | 'timeout'
  | 'cpu-time'
  | 'memory'
  | 'output-limit'
  | 'file-size'
  | 'crashed'
  | 'killed'
  | 'sandbox-error';

export interface SandboxResult {
  reason: SandboxReason;
  /** One sentence for the learner, in English (the page translates `reason`). */
  message: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the stream was cut at `outputBytes`. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  wallMs: number;
}

export interface Sandbox {
  /** `bubblewrap` or `unsafe` (no isolation: development only). */
  readonly kind: 'bubblewrap' | 'unsafe';
  /** Runs one job in a fresh process; never throws for anything the program does. */
  run(job: SandboxJob, options?: { signal?: AbortSignal }): Promise<SandboxResult>;
}

/** The limits of a job: the defaults, overridden by the job's own. */
export function jobLimits(job: SandboxJob, defaults: SandboxLimits = DEFAULT_LIMITS): SandboxLimits {
  return { ...defaults, ...job.limits };
}
