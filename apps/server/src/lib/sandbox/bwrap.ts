import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hostCourse, jobLinks, pythonArgs, SandboxLayoutError } from './layout.ts';
import { interpret, runProcess } from './process.ts';
import {
  DEFAULT_LIMITS,
  jobEnvironment,
  jobLimits,
  SANDBOX_PATHS,
  type Sandbox,
  type SandboxJob,
  type SandboxLimits,
  type SandboxResult,
} from './sandbox.ts';

/** What the sandbox needs to know about the interpreter (see `probePython`). */
export interface PythonInstall {
  /** The real executable (symbolic links resolved). */
  executable: string;
  /** Folders holding the interpreter and its standard library, bound read-only. */
  prefixes: string[];
  /**
   * The interpreter's own site-packages folders that exist (Debian: /usr/lib/python3/dist-packages,
   * where apt puts numpy, pandas, matplotlib): `-S` leaves them out, so every implementation
   * appends them to `sys.path` after the standard library, read-only (ADR 038).
   */
  sitePackages: string[];
  version: string;
}

export interface BwrapOptions {
  /** Absolute path of `bwrap`. */
  bwrap: string;
  python: PythonInstall;
  /** Host user the sandbox runs as (needs unprivileged user namespaces); default: nobody when Carnet runs as root. */
  runAs?: { uid: number; gid: number } | undefined;
  limits?: Partial<SandboxLimits>;
}

/** The system folders every job sees read-only (merged /usr: /bin, /lib… are links into it). */
const SYSTEM = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * What the system's packages read from /etc, read-only when present (nothing else of /etc): the
 * loader's cache and the alternatives its libraries are reached through (numpy's libblas.so.3 is
 * /etc/alternatives/libblas.so.3-…), matplotlib's settings and the fonts it lists (ADR 038).
 */
const SYSTEM_CONFIG = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/matplotlibrc', '/etc/fonts'];

/** Where the program's source is placed (from a pipe, read-only). */
const PROGRAM_FILE = '/opt/carnet/main.py';

/**
 * bubblewrap + CPython: each job gets new user, PID, IPC, UTS, network (empty: no network at all)
 * and cgroup namespaces, the system and the course read-only, a private size-limited tmpfs as
 * working directory, its own /proc, a minimal /dev, a clean environment, no capabilities, and
 * the rlimits of the bootstrap. Killing bwrap kills the namespace's init, hence every process of
 * the job (`--die-with-parent`).
 */
export class BwrapSandbox implements Sandbox {
  readonly kind = 'bubblewrap' as const;
  readonly #system: string[];
  readonly #defaults: SandboxLimits;
  readonly #runAs: { uid: number; gid: number } | undefined;

  constructor(private readonly options: BwrapOptions) {
    this.#system = systemBinds(options.python);
    this.#defaults = { ...DEFAULT_LIMITS, ...options.limits };
    this.#runAs = defaultRunAs(options.runAs);
  }

  async run(job: SandboxJob, options: { signal?: AbortSignal } = {}): Promise<SandboxResult> {
    const limits = jobLimits(job, this.#defaults);
    let course;
    let args: string[];
    try {
      course = hostCourse(job, this.#runAs);
      args = this.#args(job, limits, course.dir);
    } catch (error) {
      if (!(error instanceof SandboxLayoutError)) throw error;
      return layoutFailure(error);
    }
    try {
      const outcome = await runProcess(this.options.bwrap, args, {
        stdin: job.stdin,
        fd3: 'code' in job.program ? job.program.code : '',
        wallMs: limits.wallMs,
        outputBytes: limits.outputBytes,
        killGroup: false,
        signal: options.signal,
        spawn: { env: {}, cwd: '/', ...(this.#runAs ?? {}) },
      });
      return interpret(outcome, limits, true);
    } finally {
      course.cleanup();
    }
  }

  #args(job: SandboxJob, limits: SandboxLimits, courseDir: string | undefined): string[] {
    const home = SANDBOX_PATHS.home;
    const args = [...isolationArgs(this.#system), '--size', String(limits.diskBytes), '--tmpfs', home];
    if (courseDir !== undefined) args.push('--ro-bind', courseDir, SANDBOX_PATHS.course);
    for (const [name, target] of jobLinks(job)) {
      if (courseDir === undefined || !existsSync(join(courseDir, target))) {
        throw new SandboxLayoutError(`the course has no ${target} (for ${name}/ in the working directory)`);
      }
      args.push('--ro-bind', join(courseDir, target), `${home}/${name}`);
    }
    const libraries = (job.libraries ?? []).map((dir, i) => {
      if (!existsSync(dir)) throw new SandboxLayoutError(`library folder not found: ${dir}`);
      const inside = `${SANDBOX_PATHS.libraries}/${i}`;
      args.push('--ro-bind', dir, inside);
      return inside;
    });
    args.push('--ro-bind-data', '3', PROGRAM_FILE, '--chdir', home, '--remount-ro', '/');
    args.push(
      this.options.python.executable,
      ...pythonArgs(job, limits, {
        course: SANDBOX_PATHS.course,
        cwd: home,
        libraries,
        sitePackages: this.options.python.sitePackages,
        programFile: PROGRAM_FILE,
      }),
    );
    return args;
  }
}

export const NOBODY = 65534;

/** The user jobs run as on the host: nobody when Carnet runs as root (ADR 022). */
export function defaultRunAs(runAs?: { uid: number; gid: number }): { uid: number; gid: number } | undefined {
  return runAs ?? (process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : undefined);
}

/**
 * What every sandboxed process gets (ADR 022): new user, PID, IPC, UTS, network and cgroup
 * namespaces, no capabilities, a clean environment, the system read-only, its own /proc and a
 * read-only minimal /dev. The working directory and the program are the caller's.
 */
export function isolationArgs(system: string[]): string[] {
  const home = SANDBOX_PATHS.home;
  return [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-net',
    '--unshare-cgroup-try',
    '--uid',
    '1000',
    '--gid',
    '1000',
    '--hostname',
    'sandbox',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--clearenv',
    ...Object.entries(jobEnvironment(home)).flatMap(([name, value]) => ['--setenv', name, value]),
    ...system,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--remount-ro',
    '/dev',
  ];
}

/** Read-only binds of the system folders, their few settings in /etc, and the interpreter's own folders outside them. */
export function systemBinds(python: PythonInstall): string[] {
  const args: string[] = [];
  for (const path of SYSTEM) {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (stat.isDirectory()) args.push('--ro-bind', path, path);
  }
  for (const path of SYSTEM_CONFIG) args.push('--ro-bind-try', path, path);
  const bound = [...SYSTEM];
  const covered = (p: string): boolean => bound.some((s) => p === s || p.startsWith(`${s}/`));
  for (const prefix of [...python.prefixes, ...python.sitePackages]) {
    if (covered(prefix)) continue;
    args.push('--ro-bind', prefix, prefix);
    bound.push(prefix);
  }
  return args;
}

export function layoutFailure(error: Error): SandboxResult {
  return {
    reason: 'sandbox-error',
    message: `The job could not be laid out: ${error.message}`,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    wallMs: 0,
  };
}
