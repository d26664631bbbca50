/**
 * The messages between a notebook page and its Python worker: the only contract between the two
 * sides (`client.ts` on the page, `worker.ts` in the worker). Plain data, structured-clonable.
 */

/** What the learner sees of the runtime. */
export type RuntimeState = 'loading' | 'ready' | 'busy' | 'interrupting' | 'dead';

/** Start-up stages, in order, shown while the state is `loading`. */
export const STAGES = ['download', 'interpreter', 'files', 'kernel'] as const;
export type Stage = (typeof STAGES)[number];

/** How a run ended. `cancelled`: it never ran (interrupt or restart while queued). */
export type RunStatus = 'ok' | 'error' | 'interrupted' | 'cancelled';

/** A display's representations by MIME type (text values; images in base64), as in Jupyter. */
export type MimeBundle = Record<string, string>;

/** Everything the worker needs to know about the page, sent once with `init`. */
export interface RuntimeConfig {
  /** Base URL of the self-hosted Pyodide distribution (ends with `/`). */
  pyodideUrl: string;
  /** Base URL of a Pyodide package repository (`pyodide-lock.json` and wheels), or null. */
  packagesUrl: string | null;
  /** Packages the course declares (carnet.yml `packages`), loaded in the background once ready. */
  packages: string[];
  /** The course's public files, mounted lazily under `root`. */
  filesUrl: string;
  /** The course's folder in the virtual file system, and the notebook's own folder (cwd). */
  root: string;
  cwd: string;
  /** The course's `modules/` archive (fetched on first import of one of `names`), or null. */
  modules: { url: string; names: string[] } | null;
  /**
   * The exercise library and the course's exercise modules (sealed stand-ins), fetched on first
   * import of `nbautoeval` or `corrections`; null when the server could not prepare them.
   */
  exercises: { url: string } | null;
  /**
   * Where an exercise the server checks (the browser cannot reproduce it) sends the learner's cells:
   * the API endpoint, the session endpoint that gives the CSRF token, and the notebook's place
   * (with, in activity mode, the pupil's activity: its pinned version grades the cells, ADR 051).
   */
  checks: { url: string; sessionUrl: string; slug: string; route: string; activity?: number } | null;
  /** Messages Python shows (in the reader's language), by key; see kernel.py. */
  messages: Record<string, string>;
}

/** The course files listing served at `filesUrl`. */
export interface FilesListing {
  /** Base URL of the files; a file's URL is `base + path`. */
  base: string;
  files: { path: string; size: number }[];
  /** nbhosting static mappings: `destination` in each notebook folder points to `source`. */
  mappings: { source: string; destination: string }[];
}

/**
 * Shared memory for what cannot wait for the worker's event loop: interrupting a busy
 * interpreter and answering `input()`. Absent when the page is not cross-origin isolated.
 */
export interface ControlBuffers {
  /** Int32Array(1): Pyodide's interrupt buffer; 2 (SIGINT) asks for a KeyboardInterrupt. */
  interrupt: SharedArrayBuffer;
  /** Int32Array(2) header (state, byte length) then UTF-8 bytes of the answer. */
  input: SharedArrayBuffer;
}

/** Input buffer states (header slot 0). */
export const INPUT_WAITING = 0;
export const INPUT_ANSWERED = 1;
export const INPUT_CANCELLED = 2;
/** Bytes available for one `input()` answer. */
export const INPUT_CAPACITY = 64 * 1024;

export type PageToWorker =
  | { type: 'init'; config: RuntimeConfig; control: ControlBuffers | null }
  | { type: 'run'; runId: number; count: number; code: string };

export type WorkerToPage =
  | { type: 'stage'; stage: Stage }
  | { type: 'ready'; python: string; pyodide: string; isolated: boolean }
  | { type: 'failed'; message: string }
  | { type: 'stream'; runId: number; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; runId: number; data: MimeBundle; metadata: Record<string, unknown> }
  | { type: 'clear'; runId: number; wait: boolean }
  | { type: 'result'; runId: number; count: number; data: MimeBundle; metadata: Record<string, unknown> }
  | { type: 'error'; runId: number; ename: string; evalue: string; traceback: string }
  | { type: 'input'; runId: number; prompt: string; password: boolean }
  | { type: 'packages'; runId: number; names: string[] }
  | ExerciseMessage
  | { type: 'done'; runId: number; status: Exclude<RunStatus, 'cancelled'> };

/** The browser's verdict of one `correction()` (nbautoeval's result), for the page to submit. */
export interface ExerciseVerdict {
  exercise: string;
  kind: string;
  ok: boolean;
  passed: number;
  total: number;
  /** Checks the server makes on data the browser does not have (0 when none). */
  server_checks?: number;
  /** When the server itself checked the cells (a server-checked exercise): the submission it made. */
  submission?: number | null;
}

/**
 * A `correction()` ran during a run: the exercise's module and attribute (`corrections.exo_x`,
 * `exo_x`; null when the kernel cannot tell) and the browser's verdict.
 */
export interface ExerciseMessage {
  type: 'exercise';
  runId: number;
  module: string | null;
  attribute: string | null;
  result: ExerciseVerdict;
}

/** Output messages: what a cell's output area shows. */
export type OutputMessage = Extract<WorkerToPage, { type: 'stream' | 'display' | 'clear' | 'result' | 'error' }>;

/** Narrowing check for messages from the worker (a worker is ours, but a bug should not crash the page). */
export function isWorkerMessage(value: unknown): value is WorkerToPage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return (
    typeof type === 'string' &&
    [
      'stage',
      'ready',
      'failed',
      'stream',
      'display',
      'clear',
      'result',
      'error',
      'input',
      'packages',
      'exercise',
      'done',
    ].includes(type)
  );
}

/** Writes an `input()` answer (or a cancellation) into the shared buffer and wakes the worker. */
export function answerInput(buffer: SharedArrayBuffer, answer: string | null): void {
  const header = new Int32Array(buffer, 0, 2);
  if (answer === null) {
    Atomics.store(header, 0, INPUT_CANCELLED);
  } else {
    const bytes = new TextEncoder().encode(answer);
    const length = Math.min(bytes.length, INPUT_CAPACITY);
    new Uint8Array(buffer, 8, INPUT_CAPACITY).set(bytes.subarray(0, length));
    Atomics.store(header, 1, length);
    Atomics.store(header, 0, INPUT_ANSWERED);
  }
  Atomics.notify(header, 0);
}

/** Blocks (worker side) until the page answers `input()`; null when it was cancelled. */
export function waitForInput(buffer: SharedArrayBuffer): string | null {
  const header = new Int32Array(buffer, 0, 2);
  while (Atomics.load(header, 0) === INPUT_WAITING) Atomics.wait(header, 0, INPUT_WAITING, 1000);
  const state = Atomics.load(header, 0);
  const length = Atomics.load(header, 1);
  // TextDecoder refuses views on shared memory: copy first.
  const text = new TextDecoder().decode(new Uint8Array(buffer, 8, length).slice());
  Atomics.store(header, 0, INPUT_WAITING);
  return state === INPUT_ANSWERED ? text : null;
}

/** Allocates the control buffers, or null when SharedArrayBuffer is unavailable (no isolation). */
export function createControlBuffers(): ControlBuffers | null {
  if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated) return null;
  return { interrupt: new SharedArrayBuffer(4), input: new SharedArrayBuffer(8 + INPUT_CAPACITY) };
}
