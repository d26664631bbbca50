import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database, JobStatus } from '../../db/schema.ts';

/** A job as callers see it. */
export interface JobRecord {
  id: number;
  kind: string;
  status: JobStatus;
  /** How many times a worker started it (2 after a retry). */
  attempts: number;
  /** The handler's return value (JSON), when done. */
  result: unknown;
  /** Why it failed, when failed. */
  error: string | undefined;
  createdAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
}

export interface JobContext {
  id: number;
  /** 1 on the first run, 2 when retried after a crash. */
  attempt: number;
  /** Aborted when the worker stops. */
  signal: AbortSignal;
}

export type JobHandler<P, R> = (payload: P, context: JobContext) => Promise<R>;

/**
 * Background jobs stored in the database: a queued job survives a restart, a job whose worker
 * dies while running it is run once more (then fails), and any process can enqueue while the
 * workers of any process (or machine, on PostgreSQL) run them.
 */
export interface JobQueue {
  /**
   * Stores a job for the handler of `kind`; returns its id. The payload must be JSON. With `db` (a
   * transaction), the job is written by it: it exists, and is run, only if that transaction commits.
   */
  enqueue(kind: string, payload: unknown, options?: { db?: Kysely<Database> }): Promise<number>;
  /** Runs jobs of `kind` in this process once started; the payload is checked by `schema` first. */
  registerHandler<P, R>(kind: string, handler: JobHandler<P, R>, schema?: z.ZodType<P>): void;
  /** Starts claiming jobs of the registered kinds, at most `concurrency` at once. */
  start(): void;
  /**
   * Stops claiming and waits for the running jobs. `abandon`: do not wait, and leave them to be
   * retried by another worker (what a crash does; for tests and a hurried shutdown).
   */
  stop(options?: { abandon?: boolean }): Promise<void>;
  /**
   * Deletes finished jobs older than the retention; returns how many. A started queue does it
   * by itself periodically; callers keep their own copy of what they need from a finished job.
   */
  prune(): Promise<number>;
  /** The job, or undefined if there is none with that id. */
  get(id: number): Promise<JobRecord | undefined>;
  /** Resolves with the job once done or failed; rejects after `timeoutMs` (default: never). */
  waitFor(id: number, timeoutMs?: number): Promise<JobRecord>;
}
