/**
 * The grade report as a byte stream written by a worker thread (ADR 033). The worker has its own
 * database connection and a small heap (`REPORT_WORKER_LIMITS`): the garbage of grading 100,000
 * learners stays in that heap, bounded whatever V8 decides, and the server's event loop is free
 * meanwhile. Backpressure end to end: the worker writes a chunk (a page of learners) only when this
 * stream asks for it, and the stream asks only when its consumer (the HTTP response) has taken the
 * previous one. Destroying the stream (the client left) terminates the worker.
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Db } from '../../db/database.ts';
import type { Run } from '../../db/schema.ts';
import type { FromReportWorker, ReportWorkerData, ToReportWorker } from './report-worker.ts';

/**
 * The worker's heap, and the learners per page (`REPORT_PAGE_SIZE`). A page of 500 learners is
 * ~30,000 attempt rows and their grades (under 10 MB live); the rest of the old generation is room
 * for garbage, collected when it fills. Measured at 30,000 learners on PostgreSQL (ADR 033): 48 MB
 * and pages of 1,000 gave a peak RSS 65 MB over the idle server's; these, 44 MB, for 10 % more time.
 */
export const REPORT_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 };

export const REPORT_PAGE_SIZE = 500;

/** Report workers running now, and how many were stopped before the end (client gone): for logs and tests. */
export const reportWorkers = { running: 0, stopped: 0 };

function startWorker(data: ReportWorkerData): Worker {
  const options = { workerData: data, resourceLimits: REPORT_WORKER_LIMITS };
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./grade-report-worker.js', here), options);
  // Running from the sources (tests, tsx): the worker's TypeScript goes through tsx, a development
  // dependency. The built server runs the bundled worker above.
  const tsxRoot = pathToFileURL(createRequire(here).resolve('tsx/package.json'));
  const tsx = new URL('./dist/esm/api/index.mjs', tsxRoot).href;
  const entry = new URL('./report-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/**
 * The report of a session as a stream of CSV bytes. It fails (is destroyed with an error) when the
 * worker reports an error, runs out of its heap or exits before the end.
 */
export function gradeReportStream(db: Db, run: Run, pageSize = REPORT_PAGE_SIZE): Readable {
  const worker = startWorker({ database: db.options, run, pageSize });
  reportWorkers.running++;
  let asked = false;
  let finished = false;
  const ask = () => {
    if (asked || finished) return;
    asked = true;
    worker.postMessage({ type: 'next' } satisfies ToReportWorker);
  };
  const stream = new Readable({
    read: ask,
    destroy(error, callback) {
      if (!finished) {
        finished = true;
        reportWorkers.stopped++;
        worker.terminate().catch(() => {});
      }
      callback(error);
    },
  });
  worker.on('message', (message: FromReportWorker) => {
    if (finished) return;
    if (message.type === 'chunk') {
      asked = false;
      const { bytes } = message;
      // `push` asks for more (through `read`) while the stream's buffer has room.
      stream.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } else if (message.type === 'end') {
      finished = true;
      stream.push(null);
    } else {
      finished = true;
      const error = new Error(`grade report failed in its worker: ${message.message}`);
      if (message.stack) error.stack = `${error.message}\n  worker stack: ${message.stack}`;
      stream.destroy(error);
      worker.terminate().catch(() => {});
    }
  });
  worker.on('error', (error) => {
    // An uncaught error or ERR_WORKER_OUT_OF_MEMORY: the worker is gone.
    if (finished) return;
    finished = true;
    stream.destroy(error);
  });
  worker.on('exit', (code) => {
    reportWorkers.running--;
    if (finished) return;
    finished = true;
    stream.destroy(new Error(`grade report worker exited before the end (code ${code})`));
  });
  return stream;
}
