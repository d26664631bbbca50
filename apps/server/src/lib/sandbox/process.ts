import { spawn, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import { EXIT_MEMORY } from './bootstrap.ts';
import type { SandboxLimits, SandboxReason, SandboxResult } from './sandbox.ts';

/** How a sandboxed process ended, before interpretation. */
export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  outputLimited: boolean;
  aborted: boolean;
  spawnError: Error | undefined;
  wallMs: number;
}

export interface RunProcessOptions {
  stdin?: string | Uint8Array | undefined;
  /** Written to fd 3 then closed (bubblewrap reads the program from there). */
  fd3?: string | undefined;
  wallMs: number;
  outputBytes: number;
  /** Kills the whole tree: for bubblewrap, the process itself (its namespace dies with it); else its group. */
  killGroup: boolean;
  signal?: AbortSignal | undefined;
  spawn: SpawnOptions;
}

/**
 * Spawns a process, feeds its stdin, keeps at most `outputBytes` of each output stream, and kills
 * it (SIGKILL) on the wall-clock limit, on too much output, or on abort. Never throws.
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const sizes = { stdout: 0, stderr: 0 };
    const outcome: Omit<ProcessOutcome, 'stdout' | 'stderr' | 'exitCode' | 'signal' | 'wallMs'> = {
      stdoutTruncated: false,
      stderrTruncated: false,
      timedOut: false,
      outputLimited: false,
      aborted: false,
      spawnError: undefined,
    };
    const child = spawn(command, args, {
      ...options.spawn,
      stdio: ['pipe', 'pipe', 'pipe', ...(options.fd3 !== undefined ? (['pipe'] as const) : [])],
      detached: options.killGroup,
    });
    let done = false;
    const kill = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(options.killGroup ? -child.pid : child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      kill();
    }, options.wallMs);
    const onAbort = (): void => {
      outcome.aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const collect = (name: 'stdout' | 'stderr', chunks: Buffer[]) => (chunk: Buffer) => {
      const room = options.outputBytes - sizes[name];
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        sizes[name] = options.outputBytes;
        outcome[`${name}Truncated`] = true;
        if (!outcome.outputLimited) {
          outcome.outputLimited = true;
          kill();
        }
        return;
      }
      chunks.push(chunk);
      sizes[name] += chunk.length;
    };
    child.stdout!.on('data', collect('stdout', stdout));
    child.stderr!.on('data', collect('stderr', stderr));
    const feed = (stream: Writable | null | undefined, data: string | Uint8Array | undefined): void => {
      if (!stream) return;
      // The program may exit (or close its stdin) before reading everything: not an error.
      stream.on('error', () => {});
      if (data !== undefined && data.length > 0) stream.end(data);
      else stream.end();
    };
    feed(child.stdin, options.stdin);
    if (options.fd3 !== undefined) feed(child.stdio[3] as Writable, options.fd3);

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        ...outcome,
        exitCode,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr),
        wallMs: performance.now() - started,
      });
    };
    child.on('error', (error) => {
      outcome.spawnError = error;
      finish(null, null);
    });
    // 'close' waits for the output pipes: a grandchild holding them open is killed with the tree.
    child.on('close', (code, signal) => finish(code, signal));
    if (options.signal?.aborted) onAbort();
  });
}

const SIGNAL_NAMES = Object.fromEntries(Object.entries(constants.signals).map(([name, n]) => [n, name])) as Record<
  number,
  NodeJS.Signals
>;

/**
 * Interprets an outcome. `statusIsWrapped`: the exit status comes from bubblewrap, which reports
 * a child killed by signal N as 128 + N.
 */
export function interpret(outcome: ProcessOutcome, limits: SandboxLimits, statusIsWrapped: boolean): SandboxResult {
  let { exitCode, signal } = outcome;
  if (statusIsWrapped && signal === null && exitCode !== null && exitCode > 128 && SIGNAL_NAMES[exitCode - 128]) {
    signal = SIGNAL_NAMES[exitCode - 128]!;
    exitCode = null;
  }
  const [reason, message] = reasonOf(outcome, exitCode, signal, limits);
  return {
    reason,
    message,
    exitCode,
    signal,
    stdout: outcome.stdout.toString('utf8'),
    stderr: outcome.stderr.toString('utf8'),
    stdoutTruncated: outcome.stdoutTruncated,
    stderrTruncated: outcome.stderrTruncated,
    wallMs: Math.round(outcome.wallMs),
  };
}

function reasonOf(
  outcome: ProcessOutcome,
  exitCode: number | null,
  signal: NodeJS.Signals | null,
  limits: SandboxLimits,
): [SandboxReason, string] {
  if (outcome.spawnError) return ['sandbox-error', `The sandbox could not start: ${outcome.spawnError.message}`];
  if (outcome.outputLimited) {
    return ['output-limit', `The program printed more than ${formatBytes(limits.outputBytes)} and was stopped.`];
  }
  if (outcome.timedOut) {
    return ['timeout', `The program ran longer than ${limits.wallMs / 1000} s and was stopped.`];
  }
  if (outcome.aborted) return ['killed', 'The run was cancelled.'];
  if (signal === 'SIGXCPU') {
    return ['cpu-time', `The program used more than ${limits.cpuSeconds} s of CPU time and was stopped.`];
  }
  if (signal === 'SIGXFSZ') {
    return ['file-size', `The program wrote a file larger than ${formatBytes(limits.fileBytes)} and was stopped.`];
  }
  if (
    signal === 'SIGSEGV' ||
    signal === 'SIGBUS' ||
    signal === 'SIGILL' ||
    signal === 'SIGFPE' ||
    signal === 'SIGABRT'
  ) {
    return ['crashed', `The Python interpreter crashed (${signal}).`];
  }
  if (signal !== null) return ['killed', `The program was killed (${signal}).`];
  if (exitCode === EXIT_MEMORY) {
    return ['memory', `The program used more than ${formatBytes(limits.memoryBytes)} of memory and was stopped.`];
  }
  if (exitCode === 0) return ['ok', 'The program ran to its end.'];
  return ['error', `The program stopped with an error (exit status ${exitCode}).`];
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}
