import {
  answerInput,
  createControlBuffers,
  isWorkerMessage,
  type ControlBuffers,
  type OutputMessage,
  type RunStatus,
  type RuntimeConfig,
  type RuntimeState,
  type ExerciseMessage,
  type Stage,
  type WorkerToPage,
} from '@carnet/runtime';

/** What a run tells its cell while it goes. */
export interface RunEvents {
  /** The run left the queue: it has its execution number. */
  started(count: number): void;
  output(message: OutputMessage): void;
  /** `input()` is waiting: resolve with the learner's answer. */
  input(prompt: string, password: boolean): { answer: Promise<string>; cancel(): void };
  packages(names: string[]): void;
  /** A `correction()` ran in this cell: the browser's verdict. */
  exercise?(message: ExerciseMessage): void;
}

export interface RunResult {
  status: RunStatus;
  count: number | null;
}

interface Job {
  runId: number;
  stopOnError: boolean;
  code: string;
  events: RunEvents;
  resolve(result: RunResult): void;
  count: number | null;
  pendingInput: { cancel(): void } | null;
}

/** Why the interpreter restarted, for the learner. */
export type RestartReason = 'asked' | 'interrupt-without-isolation' | 'stuck';

/** If an interrupted run has not stopped after this long, the interpreter is restarted. */
const STUCK_AFTER_MS = 3000;
/** A start-up that has not finished after this long (a stalled download…) is reported. */
const STARTUP_TIMEOUT_MS = 180_000;

/**
 * The page side of the runtime: one worker per notebook page, its state (loading → ready ⇄ busy →
 * interrupting; dead on failure), a queue of runs, interrupt and restart.
 */
export class RuntimeClient {
  state: RuntimeState = 'loading';
  stage: Stage | null = null;
  info: { python: string; pyodide: string; isolated: boolean } | null = null;
  failure: string | null = null;
  lastRestart: RestartReason | null = null;
  /** Counts restarts: the cells run since the last one are the learner's state (verified grades). */
  generation = 0;

  private worker: Worker | null = null;
  private control: ControlBuffers | null = null;
  private ready = false;
  private readonly queue: Job[] = [];
  private current: Job | null = null;
  private counter = 0;
  private nextRunId = 1;
  private stuckTimer: ReturnType<typeof setTimeout> | undefined;
  private startupTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly workerUrl: string,
    private readonly config: RuntimeConfig,
  ) {}

  /** Called on every state or stage change. */
  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Starts the worker (again after a restart); does nothing if it runs. */
  start(): void {
    if (this.worker) return;
    this.ready = false;
    this.failure = null;
    this.control = createControlBuffers();
    this.setState('loading');
    // Marks for the browser's performance timeline (and bench/runtime.bench.ts).
    performance.mark('carnet:worker');
    const worker = new Worker(this.workerUrl, { type: 'module', name: 'python' });
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (worker === this.worker && isWorkerMessage(event.data)) this.receive(event.data);
    });
    worker.addEventListener('error', (event) => {
      if (worker === this.worker) this.die(event.message || 'worker error');
    });
    this.worker = worker;
    worker.postMessage({ type: 'init', config: this.config, control: this.control });
    clearTimeout(this.startupTimer);
    this.startupTimer = setTimeout(() => {
      if (this.worker === worker && !this.ready) this.die(`no answer after ${STARTUP_TIMEOUT_MS / 1000} s`);
    }, STARTUP_TIMEOUT_MS);
  }

  /**
   * Queues a cell's code; runs as soon as the interpreter is free (after start-up, if needed).
   * With `stopOnError`, an error drops the runs queued after it, as Jupyter's run-all does.
   */
  run(code: string, events: RunEvents, options: { stopOnError?: boolean } = {}): Promise<RunResult> {
    this.start();
    return new Promise((resolve) => {
      const stopOnError = options.stopOnError ?? true;
      this.queue.push({ runId: this.nextRunId++, stopOnError, code, events, resolve, count: null, pendingInput: null });
      this.dispatch();
    });
  }

  /** Whether runs are waiting or running. */
  get pending(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  /**
   * Interrupts the running cell (KeyboardInterrupt) and drops the queued ones. Without shared
   * memory (no cross-origin isolation), the only way is a restart: variables are lost.
   */
  interrupt(): void {
    this.cancelQueued();
    const job = this.current;
    if (!job) return;
    if (!this.control) {
      this.restart('interrupt-without-isolation');
      return;
    }
    this.setState('interrupting');
    Atomics.store(new Int32Array(this.control.interrupt), 0, 2);
    if (job.pendingInput) {
      job.pendingInput.cancel();
      job.pendingInput = null;
      answerInput(this.control.input, null);
    }
    clearTimeout(this.stuckTimer);
    this.stuckTimer = setTimeout(() => {
      if (this.current === job) this.restart('stuck');
    }, STUCK_AFTER_MS);
  }

  /** A fresh interpreter: the running cell stops, queued ones are dropped, numbering restarts. */
  restart(reason: RestartReason = 'asked'): void {
    this.cancelQueued();
    clearTimeout(this.stuckTimer);
    const job = this.current;
    this.current = null;
    job?.pendingInput?.cancel();
    job?.resolve({ status: 'interrupted', count: job.count });
    this.worker?.terminate();
    this.worker = null;
    this.counter = 0;
    this.generation++;
    this.lastRestart = reason;
    this.start();
  }

  /** Drops the runs waiting in the queue (they resolve as `cancelled`). */
  cancelQueued(): void {
    for (const job of this.queue.splice(0)) job.resolve({ status: 'cancelled', count: null });
  }

  private dispatch(): void {
    if (!this.ready || this.current || !this.worker) return;
    const job = this.queue.shift();
    if (!job) {
      this.setState('ready');
      return;
    }
    this.current = job;
    job.count = ++this.counter;
    job.events.started(job.count);
    this.setState('busy');
    this.worker.postMessage({ type: 'run', runId: job.runId, count: job.count, code: job.code });
  }

  private receive(message: WorkerToPage): void {
    switch (message.type) {
      case 'stage':
        performance.mark(`carnet:${message.stage}`);
        this.stage = message.stage;
        this.emit();
        return;
      case 'ready':
        performance.mark('carnet:ready');
        clearTimeout(this.startupTimer);
        this.ready = true;
        this.stage = null;
        this.info = { python: message.python, pyodide: message.pyodide, isolated: message.isolated };
        this.setState('ready');
        this.dispatch();
        return;
      case 'failed':
        this.die(message.message);
        return;
    }
    const job = this.current;
    if (!job || message.runId !== job.runId) return;
    switch (message.type) {
      case 'input': {
        const request = job.events.input(message.prompt, message.password);
        job.pendingInput = request;
        void request.answer.then((text) => {
          if (job.pendingInput !== request || !this.control) return;
          job.pendingInput = null;
          answerInput(this.control.input, text);
        });
        return;
      }
      case 'packages':
        job.events.packages(message.names);
        return;
      case 'exercise':
        job.events.exercise?.(message);
        return;
      case 'done':
        clearTimeout(this.stuckTimer);
        this.current = null;
        if (message.status === 'interrupted' || (message.status === 'error' && job.stopOnError)) this.cancelQueued();
        job.resolve({ status: message.status, count: job.count });
        this.dispatch();
        return;
      default:
        job.events.output(message);
    }
  }

  private die(message: string): void {
    this.failure = message;
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
    const job = this.current;
    this.current = null;
    job?.resolve({ status: 'error', count: job.count });
    this.cancelQueued();
    this.setState('dead');
  }

  private setState(state: RuntimeState): void {
    this.state = state;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
