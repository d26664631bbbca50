/**
 * The grade report's worker thread (ADR 033): writes the CSV of one session with its own database
 * connection and its own small heap, one chunk each time the main thread asks for the next.
 * Started by `report-stream.ts`; the server bundles it as `dist/grade-report-worker.js`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Db, type DbOptions } from '../../db/database.ts';
import type { Run } from '../../db/schema.ts';
import { gradeReport } from './report.ts';

/** What the main thread gives the worker. */
export interface ReportWorkerData {
  database: DbOptions;
  run: Run;
  pageSize: number;
}

/** Main thread → worker: send the next chunk. */
export type ToReportWorker = { type: 'next' };

/** Worker → main thread: a chunk (its buffer transferred), the end, or what went wrong. */
export type FromReportWorker =
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; message: string; stack?: string | undefined };

/** A chunk whose bytes own their whole ArrayBuffer, so that it can be transferred (small Buffers share a pool). */
function ownBytes(chunk: Buffer): Uint8Array {
  if (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength) return chunk;
  const copy = new Uint8Array(chunk.byteLength);
  copy.set(chunk);
  return copy;
}

async function serve(): Promise<void> {
  const port = parentPort!;
  const { database, run, pageSize } = workerData as ReportWorkerData;
  const post = (message: FromReportWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  // Requests for a chunk, counted as they come; `asked` waits for one.
  let requests = 0;
  let waiting: (() => void) | null = null;
  port.on('message', () => {
    requests++;
    waiting?.();
    waiting = null;
  });
  const asked = () => (requests > 0 ? Promise.resolve() : new Promise<void>((resolve) => (waiting = resolve)));
  let db: Db | null = null;
  try {
    // PostgreSQL: one connection is enough (the report's queries run one after the other).
    db = openDatabase({ ...database, poolSize: 1, readonly: true });
    const report = gradeReport(db.kysely, run, pageSize);
    // Backpressure: one chunk per request of the main thread, never ahead of it.
    for (;;) {
      await asked();
      requests--;
      const next = await report.next();
      if (next.done) break;
      const bytes = ownBytes(next.value);
      post({ type: 'chunk', bytes }, [bytes.buffer as ArrayBuffer]);
    }
    await db.close();
    post({ type: 'end' });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ type: 'error', message: e.message, stack: e.stack });
    await db?.close().catch(() => {});
  }
  port.close();
}

await serve();
