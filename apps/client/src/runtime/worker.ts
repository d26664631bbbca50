/// <reference lib="webworker" />
/**
 * The Python worker of a notebook page (a module Web Worker): loads the self-hosted Pyodide in
 * named stages, mounts the course's files, installs the kernel, then runs cells one at a time.
 * Talks to the page only through protocol.ts.
 */
import type { PyodideAPI } from 'pyodide';
import kernelSource from './kernel.py';
import { KernelHost } from './host.ts';
import { mountCourseFiles } from './files.ts';
import {
  waitForInput,
  type ControlBuffers,
  type PageToWorker,
  type RuntimeConfig,
  type WorkerToPage,
} from '@carnet/runtime';

declare const self: DedicatedWorkerGlobalScope;

function post(message: WorkerToPage): void {
  self.postMessage(message);
}

let host: KernelHost | null = null;
let control: ControlBuffers | null = null;
let currentRun = 0;
let backgroundPackages: Promise<void> = Promise.resolve();
const queue: Extract<PageToWorker, { type: 'run' }>[] = [];
let running = false;

/**
 * Streams are batched: a write goes out at once unless one went out in the last few
 * milliseconds, and whatever waits is flushed before any other output, input, sleep or the end
 * of a run (the worker cannot use timers while Python runs).
 */
let pending: { name: 'stdout' | 'stderr'; text: string } | null = null;
let lastPost = 0;
function stream(name: 'stdout' | 'stderr', text: string): void {
  if (pending && pending.name !== name) flush();
  pending = pending ? { name, text: pending.text + text } : { name, text };
  const now = performance.now();
  if (now - lastPost > 8 || pending.text.length > 64 * 1024) flush();
}
function flush(): void {
  if (!pending) return;
  post({ type: 'stream', runId: currentRun, name: pending.name, text: pending.text });
  pending = null;
  lastPost = performance.now();
}

function fetchBytes(url: string): Uint8Array {
  const request = new XMLHttpRequest();
  request.open('GET', url, false);
  request.responseType = 'arraybuffer';
  request.send();
  if (request.status !== 200) throw new Error(`GET ${url}: HTTP ${request.status}`);
  return new Uint8Array(request.response as ArrayBuffer);
}

/** A synchronous JSON request from the worker (Python waits for it): status and body, or null offline. */
function requestJson(
  method: string,
  url: string,
  body?: unknown,
  csrf?: string,
): { status: number; json: unknown } | null {
  const request = new XMLHttpRequest();
  try {
    request.open(method, url, false);
    request.setRequestHeader('accept', 'application/json');
    if (body !== undefined) request.setRequestHeader('content-type', 'application/json');
    if (csrf) request.setRequestHeader('x-csrf-token', csrf);
    request.send(body === undefined ? null : JSON.stringify(body));
  } catch {
    return null;
  }
  let json: unknown = null;
  try {
    json = JSON.parse(request.responseText);
  } catch {
    json = null;
  }
  return { status: request.status, json };
}

let csrf: string | null = null;

/**
 * An exercise the server checks (ADR 034): the cells run since this interpreter started go to
 * the server, which runs them in its sandbox and answers with the table. The session's CSRF
 * token is read once (again after a refusal). Returns what the kernel shows, as JSON.
 */
function serverCheck(config: RuntimeConfig, module: string, attribute: string): string {
  const checks = config.checks;
  const say = (key: string): string => JSON.stringify({ message: config.messages[key] ?? key });
  if (!checks || !host) return say('checkNeedsServer');
  const body = {
    slug: checks.slug,
    route: checks.route,
    ...(checks.activity ? { activity: checks.activity } : {}),
    module,
    exercise: attribute,
    cells: host.history,
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!csrf) {
      const session = requestJson('GET', checks.sessionUrl);
      if (!session) return say('checkOffline');
      const token = (session.json as { csrf?: string | null } | null)?.csrf;
      if (!token) return say('checkLogin');
      csrf = token;
    }
    const answer = requestJson('POST', checks.url, body, csrf);
    if (!answer) return say('checkOffline');
    if (answer.status === 403 || answer.status === 401) {
      csrf = null;
      continue;
    }
    if (answer.status === 429) return say('checkTooMany');
    if (answer.status === 503) return say('checkBusy');
    const submission = answer.json as {
      id?: number;
      status?: string;
      reason?: string;
      verdict?: { ok: boolean; passed: number; total: number; table?: string; rows?: unknown[] };
    } | null;
    if (answer.status !== 200 || !submission?.id) return say('checkFailed');
    if (submission.status === 'done' && submission.verdict?.table) {
      return JSON.stringify({ html: submission.verdict.table, result: submission.verdict, submission: submission.id });
    }
    if (submission.status === 'queued' || submission.status === 'running') return say('checkSlow');
    const reason = config.messages[`reason.${submission.reason ?? 'crashed'}`] ?? submission.reason ?? '';
    return JSON.stringify({ message: `${config.messages['checkUnverified'] ?? ''} ${reason}`.trim() });
  }
  return say('checkLogin');
}

/**
 * Pyodide reports a failed WebAssembly download or compilation on the console and never settles
 * its promise: while it starts, such messages end the start-up with an error the learner sees.
 */
function watchStartupFailures(): () => void {
  const original = { warn: console.warn, error: console.error };
  let reported = false;
  const watch =
    (log: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      log(...args);
      const text = args.map(String).join(' ');
      if (!reported && /wasm instantiation failed|Aborted\(|Failed to execute 'compile'/.test(text)) {
        reported = true;
        post({ type: 'failed', message: text });
      }
    };
  console.warn = watch(original.warn);
  console.error = watch(original.error);
  return () => Object.assign(console, original);
}

async function start(config: RuntimeConfig): Promise<void> {
  post({ type: 'stage', stage: 'download' });
  const stopWatching = watchStartupFailures();
  const listing = fetch(config.filesUrl).then((r) => {
    if (!r.ok) throw new Error(`${config.filesUrl}: HTTP ${r.status}`);
    return r.json();
  });
  const { loadPyodide } = (await import(/* webpackIgnore: true */ `${config.pyodideUrl}pyodide.mjs`)) as {
    loadPyodide: (options: Record<string, unknown>) => Promise<PyodideAPI>;
  };
  post({ type: 'stage', stage: 'interpreter' });
  const packagesUrl = config.packagesUrl;
  const pyodide = await loadPyodide({
    indexURL: config.pyodideUrl,
    ...(packagesUrl ? { lockFileURL: `${packagesUrl}pyodide-lock.json`, packageBaseUrl: packagesUrl } : {}),
    env: { HOME: '/home/pyodide' },
  });
  if (control) pyodide.setInterruptBuffer(new Int32Array(control.interrupt));

  post({ type: 'stage', stage: 'files' });
  mountCourseFiles(pyodide, await listing, config.root, config.cwd, fetchBytes);

  post({ type: 'stage', stage: 'kernel' });
  const known = new Set<string>();
  for (const info of Object.values(pyodide.lockfile.packages)) for (const name of info.imports) known.add(name);
  if (packagesUrl) {
    // Packages the configured repository lacks still deserve a precise message.
    try {
      const bundled = (await (await fetch(`${config.pyodideUrl}pyodide-lock.json`)).json()) as {
        packages: Record<string, { imports: string[] }>;
      };
      for (const info of Object.values(bundled.packages)) for (const name of info.imports) known.add(name);
    } catch {
      // The message falls back to Python's own.
    }
  }
  host = new KernelHost(pyodide, {
    source: kernelSource,
    settings: {
      cwd: config.cwd,
      modules: config.modules ? { ...config.modules, folder: `${config.root}/modules` } : null,
      // Outside the course folder: the learner's `ls` does not show it.
      exercises: config.exercises ? { ...config.exercises, folder: '/home/pyodide/.carnet/exercises' } : null,
      messages: config.messages,
      knownPackages: [...known],
      packagesConfigured: packagesUrl !== null,
    },
    bridge: {
      emit(kind, payload) {
        flush();
        post({ type: kind, runId: currentRun, ...JSON.parse(payload) } as WorkerToPage);
      },
      input(prompt, password) {
        flush();
        if (!control) throw new Error(config.messages['inputNeedsIsolation'] ?? 'input() is not available here');
        post({ type: 'input', runId: currentRun, prompt, password });
        const answer = waitForInput(control.input);
        // An interrupt cancels the input: it is answered here by KeyboardInterrupt, not again later.
        if (answer === null) Atomics.store(new Int32Array(control.interrupt), 0, 0);
        return answer;
      },
      sleep(seconds) {
        flush();
        const milliseconds = Math.max(0, seconds * 1000);
        if (control) {
          Atomics.wait(new Int32Array(control.interrupt), 0, 0, milliseconds);
          pyodide.checkInterrupt();
        } else {
          const end = performance.now() + milliseconds;
          while (performance.now() < end) {
            /* no shared memory: a busy wait is all a worker has */
          }
        }
      },
      fetchBytes,
      check: (module, attribute) => serverCheck(config, module, attribute),
    },
    stream,
    canLoadPackages: packagesUrl !== null,
    onPackages: (names) => post({ type: 'packages', runId: currentRun, names }),
  });
  host.install();
  stopWatching();
  const python = pyodide.runPython('import sys; sys.version.split()[0]') as string;
  post({ type: 'ready', python, pyodide: pyodide.version, isolated: control !== null });
  if (packagesUrl && config.packages.length > 0) {
    // Declared packages load in the background: the first import of one is then instant.
    backgroundPackages = host.loadPackages(config.packages).catch(() => {});
  }
}

async function drain(): Promise<void> {
  if (running || !host) return;
  running = true;
  while (queue.length > 0) {
    const run = queue.shift()!;
    currentRun = run.runId;
    let status: 'ok' | 'error' | 'interrupted' = 'error';
    try {
      await backgroundPackages;
      if (control) Atomics.store(new Int32Array(control.interrupt), 0, 0);
      status = await host.run(run.code, run.count);
    } catch (error) {
      flush();
      post({ type: 'error', runId: run.runId, ename: 'RuntimeError', evalue: String(error), traceback: String(error) });
    }
    flush();
    post({ type: 'done', runId: run.runId, status });
  }
  running = false;
}

self.addEventListener('message', (event: MessageEvent<PageToWorker>) => {
  const message = event.data;
  if (message.type === 'init') {
    control = message.control;
    start(message.config).then(
      () => void drain(),
      (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  } else if (message.type === 'run') {
    queue.push(message);
    void drain();
  }
});
