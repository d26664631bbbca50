import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { pythonDir } from '../exercises/library.ts';
import { BwrapSandbox, type BwrapOptions, defaultRunAs, isolationArgs, layoutFailure, systemBinds } from './bwrap.ts';
import { jobLinks, safeRelative, SandboxLayoutError } from './layout.ts';
import { interpret, type ProcessOutcome } from './process.ts';
import {
  DEFAULT_LIMITS,
  jobLimits,
  SANDBOX_PATHS,
  type Sandbox,
  type SandboxJob,
  type SandboxLimits,
  type SandboxResult,
} from './sandbox.ts';

export interface ForkServerOptions extends BwrapOptions {
  /** Zygotes (and trusted workers) kept running: jobs run at most this many at a time. Default: the cores. */
  slots?: number;
  /** Host folders visible read-only at `/opt/lib/<n>` in every zygote, on `sys.path` (the exercise library). */
  libraries?: string[];
  /** Modules imported once by each zygote and trusted worker (from `libraries`), inherited by every job. */
  preload?: string[];
  /**
   * A host folder whose subfolders are course versions (`files: { dir }` under it): bound
   * read-only in the zygotes, each job sees only its own at `/course`.
   */
  courseRoot?: string;
}

/** Grace beyond a job's own wall clock before the server kills a zygote that did not answer. */
const BACKSTOP_MS = 2000;
const ZYGOTE_FILE = '/opt/carnet/zygote.py';
const COURSES_INSIDE = '/opt/courses';

/**
 * The fork-server sandbox (ADR 027): per slot, one long-lived interpreter started by bubblewrap
 * exactly like a job (ADR 022), the exercise library imported once. For each job it forks a fresh
 * process which enters its own user, mount, PID, IPC, network and UTS namespaces, gets a fresh
 * tmpfs working directory, its own /proc, the course read-only, no capabilities and the job's
 * rlimits, then runs the program: a job cannot see or signal the zygote or another job, and
 * nothing it does survives it. The zygote enforces the wall clock and the output cap; the server
 * kills and restarts a zygote that does not answer in time. `trusted` jobs (no learner code) run
 * in a reused sandboxed worker. Jobs it cannot lay out (host folders it does not hold) go to the
 * one-bubblewrap-per-job `BwrapSandbox`.
 */
export class ForkServerSandbox implements Sandbox {
  readonly kind = 'bubblewrap' as const;
  readonly fallback: BwrapSandbox;
  readonly #defaults: SandboxLimits;
  readonly #libraries: string[];
  readonly #courseRoot: string | undefined;
  readonly #forks: Pool;
  readonly #trusted: Pool;

  constructor(private readonly options: ForkServerOptions) {
    this.fallback = new BwrapSandbox(options);
    this.#defaults = { ...DEFAULT_LIMITS, ...options.limits };
    this.#libraries = options.libraries ?? [];
    this.#courseRoot = options.courseRoot !== undefined ? realpathSync(options.courseRoot) : undefined;
    const slots = options.slots ?? availableParallelism();
    this.#forks = new Pool(slots, () => this.#start('fork'));
    this.#trusted = new Pool(slots, () => this.#start('trusted'));
  }

  /** Starts the zygotes now rather than at the first job. */
  async warm(): Promise<void> {
    await Promise.all([this.#forks.warm(), this.#trusted.warm()]);
  }

  /** Stops every zygote and worker (jobs running are killed). */
  close(): void {
    this.#forks.close();
    this.#trusted.close();
  }

  async run(job: SandboxJob, options: { signal?: AbortSignal } = {}): Promise<SandboxResult> {
    const limits = jobLimits(job, this.#defaults);
    let request: Record<string, unknown> | undefined;
    try {
      request = job.trusted ? this.#trustedRequest(job) : this.#forkRequest(job, limits);
    } catch (error) {
      if (!(error instanceof SandboxLayoutError)) throw error;
      return layoutFailure(error);
    }
    if (!request) return this.fallback.run(job, options);
    const pool = job.trusted ? this.#trusted : this.#forks;
    const started = performance.now();
    const answer = await pool.request(request, limits.wallMs + BACKSTOP_MS, options.signal);
    const outcome: ProcessOutcome = {
      exitCode: null,
      signal: null,
      stdout: Buffer.alloc(0),
      stderr: Buffer.alloc(0),
      stdoutTruncated: false,
      stderrTruncated: false,
      timedOut: answer.kind === 'timeout',
      outputLimited: false,
      aborted: answer.kind === 'aborted',
      spawnError: answer.kind === 'dead' ? new Error(answer.reason) : undefined,
      wallMs: 0,
    };
    if (answer.kind === 'frame') {
      const frame = answer.frame;
      if (typeof frame['error'] === 'string') {
        outcome.spawnError = new Error(`the fork-server could not run the job: ${lastLine(frame['error'])}`);
      } else {
        outcome.exitCode = typeof frame['exitCode'] === 'number' ? frame['exitCode'] : null;
        outcome.stdout = Buffer.from(String(frame['stdout'] ?? ''), 'base64');
        outcome.stderr = Buffer.from(String(frame['stderr'] ?? ''), 'base64');
        outcome.stdoutTruncated = frame['stdoutTruncated'] === true;
        outcome.stderrTruncated = frame['stderrTruncated'] === true;
        outcome.timedOut = frame['timedOut'] === true;
        outcome.outputLimited = frame['outputLimited'] === true;
      }
    }
    outcome.wallMs = performance.now() - started;
    return interpret(outcome, limits, !job.trusted);
  }

  /** The zygote's request for a job, or undefined when the job needs the one-bubblewrap path. */
  #forkRequest(job: SandboxJob, limits: SandboxLimits): Record<string, unknown> | undefined {
    const libraries: string[] = [];
    for (const dir of job.libraries ?? []) {
      const index = this.#libraries.indexOf(dir);
      if (index < 0) return undefined;
      libraries.push(`${SANDBOX_PATHS.libraries}/${index}`);
    }
    let course: Record<string, unknown> | null = null;
    const files = job.files;
    if (files && 'dir' in files) {
      if (this.#courseRoot === undefined || !existsSync(files.dir)) return undefined;
      const inside = relative(this.#courseRoot, realpathSync(files.dir));
      if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || inside.startsWith(sep)) return undefined;
      course = { dir: inside };
    } else if (files) {
      const entries: [string, string][] = [];
      for (const [path, data] of files.map) {
        entries.push([safeRelative(path, 'a course file'), Buffer.from(data).toString('base64')]);
      }
      course = { files: entries };
    }
    const links = jobLinks(job);
    for (const [name, target] of links) {
      const present =
        files === undefined
          ? false
          : 'dir' in files
            ? existsSync(join(files.dir, target))
            : [...files.map.keys()].some((p) => p.startsWith(`${target}/`));
      if (!present) throw new SandboxLayoutError(`the course has no ${target} (for ${name}/ in the working directory)`);
    }
    const program = job.program;
    const home = SANDBOX_PATHS.home;
    return {
      rlimits: [
        ['CPU', limits.cpuSeconds],
        ['AS', limits.memoryBytes],
        ['FSIZE', limits.fileBytes],
        ['NOFILE', limits.openFiles],
        ['NPROC', limits.processes],
      ],
      path: [
        home,
        ...(job.pythonPath ?? []).map((p) => join(SANDBOX_PATHS.course, safeRelative(p, 'a sys.path entry'))),
        ...libraries,
      ],
      file: 'code' in program ? null : join(SANDBOX_PATHS.course, safeRelative(program.path, 'the program')),
      code: 'code' in program ? program.code : '',
      filename: 'code' in program ? (program.filename ?? '<submission>') : program.path,
      argv: [...(job.argv ?? [])],
      stdin: job.stdin === undefined ? '' : Buffer.from(job.stdin).toString('base64'),
      wallMs: limits.wallMs,
      outputBytes: limits.outputBytes,
      diskBytes: limits.diskBytes,
      course,
      links,
    };
  }

  #trustedRequest(job: SandboxJob): Record<string, unknown> | undefined {
    if (!('code' in job.program) || job.files) return undefined;
    if ((job.libraries ?? []).some((dir) => !this.#libraries.includes(dir))) return undefined;
    return {
      code: job.program.code,
      filename: job.program.filename ?? '<trusted>',
      argv: [...(job.argv ?? [])],
      stdin: job.stdin === undefined ? '' : Buffer.from(job.stdin).toString('base64'),
    };
  }

  #start(mode: 'fork' | 'trusted'): Zygote {
    const o = this.options;
    const args = [...isolationArgs(systemBinds(o.python))];
    const inside = this.#libraries.map((dir, i) => {
      args.push('--ro-bind', dir, `${SANDBOX_PATHS.libraries}/${i}`);
      return `${SANDBOX_PATHS.libraries}/${i}`;
    });
    if (mode === 'fork') {
      if (this.#courseRoot !== undefined) args.push('--ro-bind', this.#courseRoot, COURSES_INSIDE);
      else args.push('--dir', COURSES_INSIDE);
      args.push('--dir', SANDBOX_PATHS.course);
    } else {
      const d = this.#defaults;
      args.push('--setenv', 'CARNET_RLIMITS', `AS=${d.memoryBytes},NOFILE=${d.openFiles},NPROC=${d.processes}`);
    }
    args.push('--dir', SANDBOX_PATHS.home, '--setenv', 'CARNET_LIBRARIES', inside.join(':'));
    // The system's packages (numpy…), after the standard library of every job (ADR 038).
    args.push('--setenv', 'CARNET_SITE', o.python.sitePackages.join(':'));
    args.push('--ro-bind-data', '3', ZYGOTE_FILE, '--chdir', '/', '--remount-ro', '/');
    args.push(o.python.executable, '-I', '-S', ZYGOTE_FILE, mode, ...(o.preload ?? []));
    return new Zygote(o.bwrap, args, zygoteSource(), defaultRunAs(o.runAs));
  }
}

let source: string | null = null;
function zygoteSource(): string {
  source ??= readFileSync(join(pythonDir(), 'carnet_sandbox', 'zygote.py'), 'utf8');
  return source;
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-1)[0] ?? text;
}

type Answer =
  | { kind: 'frame'; frame: Record<string, unknown> }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'dead'; reason: string };

/** Zygotes of one kind, one job each at a time; a dead one is replaced at the next job. */
class Pool {
  readonly #idle: Zygote[] = [];
  readonly #waiting: ((zygote: Zygote) => void)[] = [];
  readonly #all = new Set<Zygote>();
  #closed = false;

  constructor(
    private readonly size: number,
    private readonly start: () => Zygote,
  ) {}

  async warm(): Promise<void> {
    while (this.#all.size < this.size) this.#add();
    await Promise.all([...this.#all].map((z) => z.ready.catch(() => {})));
  }

  close(): void {
    this.#closed = true;
    for (const zygote of this.#all) zygote.kill();
    this.#all.clear();
    this.#idle.length = 0;
  }

  #add(): Zygote {
    const zygote = this.start();
    this.#all.add(zygote);
    this.#idle.push(zygote);
    zygote.exited.then(() => {
      this.#all.delete(zygote);
      const index = this.#idle.indexOf(zygote);
      if (index >= 0) this.#idle.splice(index, 1);
    });
    return zygote;
  }

  async #acquire(): Promise<Zygote> {
    if (this.#closed) throw new Error('the sandbox is closed');
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.size < this.size) {
      this.#add();
      return this.#idle.pop()!;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(zygote: Zygote): void {
    let next = zygote;
    if (!zygote.alive) {
      this.#all.delete(zygote);
      if (this.#closed) return;
      // Dead: its slot goes to a fresh one.
      next = this.#add();
      this.#idle.pop();
    }
    const waiter = this.#waiting.shift();
    if (waiter) waiter(next);
    else this.#idle.push(next);
  }

  async request(frame: Record<string, unknown>, backstopMs: number, signal?: AbortSignal): Promise<Answer> {
    const zygote = await this.#acquire();
    try {
      return await zygote.request(frame, backstopMs, signal);
    } finally {
      this.#release(zygote);
    }
  }
}

/** One zygote process: frames in and out, one request at a time; killed on the backstop. */
class Zygote {
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;
  #buffer: Buffer = Buffer.alloc(0);
  #stderr = '';
  #dead: string | undefined;
  #killed = false;
  #onFrame: ((frame: Record<string, unknown>) => void) | undefined;
  #onDeath: ((reason: string) => void)[] = [];
  #onRequestDeath: ((reason: string) => void) | undefined;

  constructor(command: string, args: string[], program: string, runAs: { uid: number; gid: number } | undefined) {
    this.#child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: {},
      cwd: '/',
      ...(runAs ?? {}),
    });
    const fd3 = this.#child.stdio[3] as Writable;
    fd3.on('error', () => {});
    fd3.end(program);
    this.#child.stdin!.on('error', () => {});
    this.#child.stdout!.on('data', (chunk: Buffer) => this.#data(chunk));
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      const die = (reason: string): void => {
        if (this.#dead !== undefined) return;
        this.#dead = reason;
        for (const callback of this.#onDeath.splice(0)) callback(reason);
        this.#onRequestDeath?.(reason);
        resolve();
      };
      this.#child.on('error', (error) => die(`the fork-server could not start: ${error.message}`));
      this.#child.on('close', (code, signal) =>
        die(`the fork-server stopped (${signal ?? `status ${code}`}): ${lastLine(this.#stderr) || 'no message'}`),
      );
    });
    this.ready = new Promise((resolve, reject) => {
      this.#onFrame = (frame) => (frame['ready'] === true ? resolve() : reject(new Error('unexpected first frame')));
      this.#onDeath.push((reason) => reject(new Error(reason)));
    });
    // Keeps the server's event loop alive only while starting or running a job.
    this.ready.then(
      () => this.#hold(false),
      () => {},
    );
  }

  #hold(busy: boolean): void {
    for (const handle of [this.#child, this.#child.stdout, this.#child.stderr, this.#child.stdin]) {
      const h = handle as unknown as { ref?: () => void; unref?: () => void };
      if (busy) h.ref?.();
      else h.unref?.();
    }
  }

  /** False once killed or dead: its slot then goes to a fresh zygote. */
  get alive(): boolean {
    return this.#dead === undefined && !this.#killed;
  }

  kill(): void {
    this.#killed = true;
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      // bubblewrap is PID 1's parent: its death takes the whole namespace (zygote, jobs) with it.
      this.#child.kill('SIGKILL');
    } catch {
      // Gone.
    }
  }

  #data(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 4) {
      const size = this.#buffer.readUInt32BE(0);
      if (this.#buffer.length < 4 + size) return;
      const body = this.#buffer.subarray(4, 4 + size);
      this.#buffer = this.#buffer.subarray(4 + size);
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        this.kill();
        return;
      }
      const handler = this.#onFrame;
      this.#onFrame = undefined;
      if (handler) handler(frame);
      else this.kill(); // An answer nobody asked for: not to be trusted.
    }
  }

  async request(frame: Record<string, unknown>, backstopMs: number, signal?: AbortSignal): Promise<Answer> {
    try {
      await this.ready;
    } catch (error) {
      return { kind: 'dead', reason: (error as Error).message };
    }
    if (this.#dead !== undefined) return { kind: 'dead', reason: this.#dead };
    this.#hold(true);
    return new Promise<Answer>((resolve) => {
      let settled = false;
      const settle = (answer: Answer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#onFrame = undefined;
        this.#onRequestDeath = undefined;
        this.#hold(false);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        this.kill();
        settle({ kind: 'timeout' });
      }, backstopMs);
      const onAbort = (): void => {
        this.kill();
        settle({ kind: 'aborted' });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      this.#onRequestDeath = (reason) => settle({ kind: 'dead', reason });
      this.#onFrame = (answer) => settle({ kind: 'frame', frame: answer });
      const body = Buffer.from(JSON.stringify(frame), 'utf8');
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length);
      this.#child.stdin!.write(Buffer.concat([header, body]));
    });
  }
}
