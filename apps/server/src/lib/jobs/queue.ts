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

export interface EnqueueOptions {
  /** A transaction: the job exists, and is run, only if it commits. */
  db?: Kysely<Database>;
  /**
   * Whose job this is (a learner): jobs of one key run one at a time, and keys are served in turn,
   * so one key's backlog delays another key's job by at most one run per worker slot (ADR 035).
   */
  fairKey?: string;
  /** What admission limits count together (the client's address); see `pending`. */
  group?: string;
}

export interface HandlerOptions {
  /**
   * Called once a job of this kind has failed for good — its handler threw, its payload was
   * invalid, or its worker died on its last attempt — with the raw payload and the error, so that
   * what the job worked on (a submission) is never left waiting. Its own errors are logged.
   */
  onFailed?(payload: unknown, error: string): Promise<void>;
}

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
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<number>;
  /** Runs jobs of `kind` in this process once started; the payload is checked by `schema` first. */
  registerHandler<P, R>(kind: string, handler: JobHandler<P, R>, schema?: z.ZodType<P>, options?: HandlerOptions): void;
  /** Jobs of `kind` queued or running, all of them or those of one key or group. */
  pending(filter: { kind: string; fairKey?: string; group?: string }): Promise<number>;
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
