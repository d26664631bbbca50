import { currentRequestId, withRequestId } from '../observability/context.ts';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { EventEmitter } from 'node:events';
import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Database, JobRow } from '../../db/schema.ts';
import type { EnqueueOptions, HandlerOptions, JobContext, JobHandler, JobQueue, JobRecord } from './queue.ts';

export interface DbJobQueueOptions {
  /** Jobs run at once by this process (default: the number of cores). */
  concurrency?: number | undefined;
  /** How long a claim holds without renewal; renewed every third of it while the job runs. */
  leaseMs?: number;
  /** How often to look for jobs enqueued elsewhere, and for claims whose worker died. */
  pollMs?: number;
  /** PostgreSQL: the URL for a LISTEN connection (wakes workers at once); without it, polling only. */
  listenUrl?: string | undefined;
  clock?: () => Date;
  /**
   * Finished jobs (done or failed) are deleted this many days after they finished (default 14;
   * 0 keeps them forever). Whatever needs a job's outcome keeps its own copy (a submission has
   * its status and verdict), so a job row is only history.
   */
  retentionDays?: number | undefined;
  /** How often a started queue prunes (default: once an hour), and how many rows per statement. */
  pruneEveryMs?: number;
  pruneBatch?: number;
  log?: {
    info?(object: object, message: string): void;
    warn(object: object, message: string): void;
    error(object: object, message: string): void;
  };
  /** Told of every job this process starts and finishes (the process's metrics). */
  observer?: {
    started(kind: string): void;
    finished(job: { kind: string; status: 'done' | 'failed'; waitMs: number; runMs: number; result?: unknown }): void;
  };
}

const CHANNEL = 'carnet_jobs';
/** Tries to store a job's result (about 20 s in all) before leaving it to be retried after its lease. */
const STORE_ATTEMPTS = 8;
const ABANDONED = 'The worker running this job stopped (crash or restart) on its last attempt; it was not run again.';

interface Registered {
  handler: JobHandler<unknown, unknown>;
  schema: z.ZodType<unknown> | undefined;
  options: HandlerOptions;
}

/**
 * The job queue in the database (ADR 023). SQLite: one writer at a time, so claiming is one
 * UPDATE … RETURNING; enqueues in this process wake the workers at once, others are found by
 * polling. PostgreSQL: claims use FOR UPDATE SKIP LOCKED (any number of worker processes), and
 * NOTIFY wakes workers and waiters on every machine.
 *
 * Fairness (ADR 035): a job may have a key (its learner). A claim takes only the oldest queued job
 * of each key, and none of a key that has a job running; among those, the lowest rank first. A
 * job's rank is its key's previous pending rank + 1, and never below the rank being served now, so
 * keys take turns: a key with ten jobs waiting gets one run per turn, like a key with one.
 */
export class DbJobQueue implements JobQueue {
  readonly #db: Db;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #clock: () => Date;
  readonly #worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  readonly #handlers = new Map<string, Registered>();
  readonly #running = new Map<number, AbortController>();
  readonly #events = new EventEmitter().setMaxListeners(0);
  readonly #options: DbJobQueueOptions;
  #started = false;
  #pumping = false;
  #pumpAgain = false;
  #timers: NodeJS.Timeout[] = [];
  #listener: pg.Client | undefined;
  #listening: Promise<void> = Promise.resolve();
  #idle: Promise<void> = Promise.resolve();
  #settleIdle: (() => void) | undefined;
  #pruning: Promise<number> | undefined;

  constructor(db: Db, options: DbJobQueueOptions = {}) {
    this.#db = db;
    this.#options = options;
    this.#concurrency = options.concurrency ?? availableParallelism();
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 1000;
    this.#clock = options.clock ?? (() => new Date());
  }

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<number> {
    const db = options.db ?? this.#db.kysely;
    const key = options.fairKey ?? null;
    // The turn being served (the highest rank running, else the lowest waiting), and the key's next.
    const serving = sql<number>`coalesce(
      (select max(fair_rank) from jobs where status = 'running'),
      (select min(fair_rank) from jobs where status = 'queued'), 0)`;
    const next = sql<number>`coalesce(
      (select max(fair_rank) + 1 from jobs where fair_key = ${key} and status in ('queued', 'running')), 0)`;
    const { id } = await db
      .insertInto('jobs')
      .values({
        kind,
        payload: JSON.stringify(payload),
        status: 'queued',
        created_at: this.#now(),
        fair_key: key,
        fair_group: options.group ?? null,
        // The request being served, if any: the worker logs the same id (issue 16).
        request_id: currentRequestId() ?? null,
        fair_rank:
          key === null
            ? serving
            : sql<number>`(select max(r) from (select ${serving} as r union all select ${next}) as ranks)`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // In the caller's transaction, PostgreSQL delivers the notification at commit, as it should.
    if (this.#db.dialect === 'postgres') await this.#notify('new', db);
    this.#pump();
    return id;
  }

  registerHandler<P, R>(
    kind: string,
    handler: JobHandler<P, R>,
    schema?: z.ZodType<P>,
    options: HandlerOptions = {},
  ): void {
    if (this.#handlers.has(kind)) throw new Error(`a handler for "${kind}" jobs is already registered`);
    this.#handlers.set(kind, { handler: handler as JobHandler<unknown, unknown>, schema, options });
    this.#pump();
  }

  async pending(filter: { kind: string; fairKey?: string; group?: string }): Promise<number> {
    let query = this.#db.kysely
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', 'in', ['queued', 'running'])
      .where('kind', '=', filter.kind);
    if (filter.fairKey !== undefined) query = query.where('fair_key', '=', filter.fairKey);
    if (filter.group !== undefined) query = query.where('fair_group', '=', filter.group);
    const { n } = await query.executeTakeFirstOrThrow();
    return Number(n);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#timers.push(setInterval(() => this.#pump(true), this.#pollMs));
    this.#timers.push(setInterval(() => void this.#renewLeases(), Math.max(10, this.#leaseMs / 3)));
    if (this.#retentionDays() > 0) {
      const prune = (): void => void this.prune().catch(() => {});
      this.#timers.push(setInterval(prune, this.#options.pruneEveryMs ?? 3_600_000));
      // Once at start too, a little later, so a restart loop still prunes and start-up stays quick.
      this.#timers.push(setTimeout(prune, Math.min(this.#options.pruneEveryMs ?? 3_600_000, 10_000)));
    }
    if (this.#db.dialect === 'postgres' && this.#options.listenUrl) {
      this.#listening = this.#listen(this.#options.listenUrl);
    }
    this.#pump(true);
  }

  async stop(options: { abandon?: boolean } = {}): Promise<void> {
    this.#started = false;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#pruning?.catch(() => {});
    await this.#listening;
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => {});
    if (options.abandon) {
      // Like a crash: the rows stay "running" with their lease, and are retried once it expires.
      for (const controller of this.#running.values()) controller.abort();
      this.#running.clear();
      return;
    }
    await this.#idle;
  }

  async get(id: number): Promise<JobRecord | undefined> {
    const row = await this.#db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  waitFor(id: number, timeoutMs?: number): Promise<JobRecord> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (record: JobRecord | undefined, error?: Error): void => {
        if (settled || (!error && (!record || (record.status !== 'done' && record.status !== 'failed')))) return;
        settled = true;
        this.#events.off('finished', onFinished);
        clearInterval(poll);
        clearTimeout(timeout);
        if (error) reject(error);
        else resolve(record!);
      };
      const check = (): void => {
        this.get(id).then(
          (record) => finish(record),
          (error: Error) => finish(undefined, error),
        );
      };
      const onFinished = (finishedId: number, record?: JobRecord): void => {
        if (finishedId !== id) return;
        if (record) finish(record);
        else check();
      };
      this.#events.on('finished', onFinished);
      const poll = setInterval(check, this.#pollMs);
      const timeout =
        timeoutMs === undefined
          ? undefined
          : setTimeout(
              () => finish(undefined, new Error(`job ${id} did not finish within ${timeoutMs} ms`)),
              timeoutMs,
            );
      check();
    });
  }

  /**
   * Deletes finished jobs (done or failed) that finished more than the retention ago, in batches
   * of `pruneBatch` rows (one short statement each, so a big backlog never holds a long lock);
   * returns how many. Queued and running jobs are never touched. Concurrent calls share one run;
   * several processes may prune at once (PostgreSQL: SKIP LOCKED, each row deleted once).
   */
  prune(): Promise<number> {
    this.#pruning ??= this.#prune().finally(() => (this.#pruning = undefined));
    return this.#pruning;
  }

  async #prune(): Promise<number> {
    const days = this.#retentionDays();
    if (days <= 0) return 0;
    const cutoff = new Date(this.#clock().getTime() - days * 86_400_000).toISOString();
    const batch = this.#options.pruneBatch ?? 1000;
    let total = 0;
    try {
      for (;;) {
        let pick = this.#db.kysely
          .selectFrom('jobs')
          .select('id')
          .where('status', 'in', ['done', 'failed'])
          .where('finished_at', '<', cutoff)
          .orderBy('id')
          .limit(batch);
        if (this.#db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
        const result = await this.#db.kysely.deleteFrom('jobs').where('id', 'in', pick).executeTakeFirst();
        const deleted = Number(result.numDeletedRows);
        total += deleted;
        if (deleted < batch) break;
        // Let other writers in between batches (SQLite has one writer at a time).
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } catch (error) {
      this.#options.log?.error({ err: error, deleted: total }, 'job queue: pruning finished jobs failed');
      throw error;
    }
    if (total > 0) this.#options.log?.info?.({ deleted: total, before: cutoff }, 'job queue: pruned finished jobs');
    return total;
  }

  #retentionDays(): number {
    return this.#options.retentionDays ?? 14;
  }

  /** Claims and starts jobs while there is room; `sweep` also fails jobs abandoned on their last attempt. */
  #pump(sweep = false): void {
    if (!this.#started) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void (async () => {
      try {
        if (sweep) await this.#failAbandoned();
        do {
          this.#pumpAgain = false;
          while (this.#started && this.#running.size < this.#concurrency && this.#handlers.size > 0) {
            const jobs = await this.#claim(this.#concurrency - this.#running.size);
            for (const job of jobs) this.#run(job);
            if (jobs.length === 0) break;
          }
        } while (this.#pumpAgain && this.#started);
      } catch (error) {
        this.#options.log?.error({ err: error }, 'job queue: claiming failed');
      } finally {
        this.#pumping = false;
      }
    })();
  }

  async #claim(limit: number, db: Kysely<Database> = this.#db.kysely): Promise<JobRow[]> {
    const now = this.#now();
    const kinds = [...this.#handlers.keys()];
    let pick = db
      .selectFrom('jobs as j')
      .select('j.id')
      .where('j.kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb('j.status', '=', 'queued'),
          eb.and([
            eb('j.status', '=', 'running'),
            eb('j.lease_until', '<', now),
            eb('j.attempts', '<', eb.ref('j.max_attempts')),
          ]),
        ]),
      )
      // Fairness: nothing of a key with a job running (a retry excepted: it is that job), and only
      // the oldest queued job of each key, so one statement never claims two of a key.
      .where((eb) => {
        const another = (status: JobRow['status'], relation: '<>' | '<') =>
          eb.exists(
            eb
              .selectFrom('jobs as o')
              .select('o.id')
              .whereRef('o.fair_key', '=', 'j.fair_key')
              .where('o.status', '=', status)
              .whereRef('o.id', relation, 'j.id'),
          );
        return eb.or([
          eb('j.fair_key', 'is', null),
          eb.and([eb.not(another('running', '<>')), eb.not(another('queued', '<'))]),
        ]);
      })
      .orderBy('j.fair_rank')
      .orderBy('j.id')
      .limit(limit);
    if (this.#db.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    return db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        worker: this.#worker,
        lease_until: this.#leaseEnd(),
        started_at: now,
      }))
      .where('id', 'in', pick)
      .returningAll()
      .execute();
  }

  async #failAbandoned(): Promise<void> {
    const now = this.#now();
    const kinds = [...this.#handlers.keys()];
    if (kinds.length === 0) return;
    // Only kinds this process handles: their failure hooks are here.
    const failed = await this.#db.kysely
      .updateTable('jobs')
      .set({ status: 'failed', error: ABANDONED, finished_at: now, worker: null, lease_until: null })
      .where('status', '=', 'running')
      .where('kind', 'in', kinds)
      .where('lease_until', '<', now)
      .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
      .returning(['id', 'kind', 'payload'])
      .execute();
    for (const { id, kind, payload } of failed) {
      await this.#failed(kind, payload, ABANDONED);
      await this.#announce(id);
    }
  }

  #run(row: JobRow): void {
    const controller = new AbortController();
    this.#running.set(row.id, controller);
    if (this.#running.size === 1) this.#idle = new Promise((resolve) => (this.#settleIdle = resolve));
    const registered = this.#handlers.get(row.kind)!;
    const context: JobContext = { id: row.id, attempt: row.attempts, signal: controller.signal };
    const requestId = row.request_id ?? `job-${row.id}`;
    this.#options.observer?.started(row.kind);
    void withRequestId(requestId, async () => {
      let outcome: { status: 'done'; result: unknown } | { status: 'failed'; error: string };
      const began = performance.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const raw: unknown = JSON.parse(row.payload);
          const payload = registered.schema ? registered.schema.parse(raw) : raw;
          outcome = { status: 'done', result: (await registered.handler(payload, context)) ?? null };
          break;
        } catch (error) {
          // The database out of reach (a restart) says nothing of the job: it runs again once the
          // database is back, instead of failing for good (a learner's submission "crashed").
          if (isDatabaseUnavailable(error) && attempt < STORE_ATTEMPTS && !controller.signal.aborted) {
            this.#options.log?.warn(
              { err: error, job: row.id, attempt },
              'job queue: database unavailable, running again',
            );
            await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4000)));
            continue;
          }
          outcome = { status: 'failed', error: (error as Error).message ?? String(error) };
          break;
        }
      }
      const runMs = performance.now() - began;
      const waitMs = Date.parse(row.started_at ?? row.created_at) - Date.parse(row.created_at);
      this.#options.observer?.finished({
        kind: row.kind,
        status: outcome.status,
        runMs,
        waitMs,
        result: outcome.status === 'done' ? outcome.result : undefined,
      });
      this.#options.log?.info?.(
        {
          reqId: requestId,
          job: row.id,
          kind: row.kind,
          attempt: row.attempts,
          status: outcome.status,
          ms: Math.round(runMs),
        },
        'job finished',
      );
      // Abandoned (stop with abandon): the row is left for another worker.
      if (this.#running.get(row.id) !== controller) return;
      // The slot this job frees is taken at once by the next queued job, claimed in the same
      // transaction as this job's result (one commit instead of two), unless a pump is claiming.
      const claimNext = this.#started && !this.#pumping;
      if (claimNext) this.#pumping = true;
      let next: JobRow[] = [];
      try {
        // A result that cannot be stored (the database restarting) is retried for a while, its
        // lease renewed meanwhile: otherwise the job would run again after its lease for nothing.
        let done: { record: JobRecord | null; next: JobRow[] } | undefined;
        for (let attempt = 1; done === undefined; attempt++) {
          try {
            done = await this.#db.kysely.transaction().execute(async (trx) => {
              const record = await this.#finish(row, outcome, trx);
              return { record, next: claimNext ? await this.#claim(1, trx) : [] };
            });
          } catch (error) {
            if (attempt >= STORE_ATTEMPTS) throw error;
            this.#options.log?.warn(
              { err: error, job: row.id, attempt },
              'job queue: storing a result failed, retrying',
            );
            await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4000)));
          }
        }
        next = done.next;
        if (done.record && outcome.status === 'failed') await this.#failed(row.kind, row.payload, outcome.error);
        if (done.record) this.#events.emit('finished', row.id, done.record);
      } catch (error) {
        this.#options.log?.error({ err: error, job: row.id }, 'job queue: storing a result failed');
      } finally {
        if (claimNext) this.#pumping = false;
        this.#running.delete(row.id);
        for (const job of next) this.#run(job);
        if (this.#running.size === 0) this.#settleIdle?.();
        this.#pump();
      }
    });
  }

  async #finish(
    row: JobRow,
    outcome: { status: 'done'; result: unknown } | { status: 'failed'; error: string },
    db: Kysely<Database> = this.#db.kysely,
  ): Promise<JobRecord | null> {
    const finishedAt = this.#now();
    const result = outcome.status === 'done' ? JSON.stringify(outcome.result) : null;
    const error = outcome.status === 'failed' ? outcome.error : null;
    // Only while the claim is ours: a worker that lost its lease must not overwrite a retry's result.
    const updated = await db
      .updateTable('jobs')
      .set({ status: outcome.status, result, error, finished_at: finishedAt, worker: null, lease_until: null })
      .where('id', '=', row.id)
      .where('worker', '=', this.#worker)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return null;
    // In a transaction, PostgreSQL delivers the notification at commit; the caller announces the
    // result in this process once committed.
    if (this.#db.dialect === 'postgres') await this.#notify(`done:${row.id}`, db);
    return toRecord({ ...row, status: outcome.status, result, error, finished_at: finishedAt });
  }

  /** Runs the kind's failure hook; what it cannot do is logged, never thrown. */
  async #failed(kind: string, payload: string, error: string): Promise<void> {
    const hook = this.#handlers.get(kind)?.options.onFailed;
    if (!hook) return;
    try {
      let raw: unknown = payload;
      try {
        raw = JSON.parse(payload);
      } catch {
        // the hook gets the text
      }
      await hook(raw, error);
    } catch (hookError) {
      this.#options.log?.error({ err: hookError, kind }, 'job queue: a failure hook failed');
    }
  }

  async #announce(id: number): Promise<void> {
    this.#events.emit('finished', id);
    if (this.#db.dialect === 'postgres') await this.#notify(`done:${id}`);
  }

  async #renewLeases(): Promise<void> {
    if (this.#running.size === 0) return;
    try {
      await this.#db.kysely
        .updateTable('jobs')
        .set({ lease_until: this.#leaseEnd() })
        .where('worker', '=', this.#worker)
        .where('status', '=', 'running')
        .execute();
    } catch (error) {
      this.#options.log?.warn({ err: error }, 'job queue: renewing leases failed');
    }
  }

  async #notify(message: string, db: Kysely<Database> = this.#db.kysely): Promise<void> {
    await sql`select pg_notify(${CHANNEL}, ${message})`.execute(db);
  }

  async #listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', (error) => {
      // Polling goes on: notifications only make things faster.
      this.#options.log?.warn({ err: error }, 'job queue: LISTEN connection lost; polling only');
      if (this.#listener === client) this.#listener = undefined;
    });
    client.on('notification', (message) => {
      const payload = message.payload ?? '';
      if (payload === 'new') this.#pump();
      else if (payload.startsWith('done:')) this.#events.emit('finished', Number(payload.slice(5)));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.#listener = client;
    } catch (error) {
      this.#options.log?.warn({ err: error }, 'job queue: cannot LISTEN; polling only');
      await client.end().catch(() => {});
    }
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  #leaseEnd(): string {
    return new Date(this.#clock().getTime() + this.#leaseMs).toISOString();
  }
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    result: row.result === null ? undefined : JSON.parse(row.result),
    error: row.error ?? undefined,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}
