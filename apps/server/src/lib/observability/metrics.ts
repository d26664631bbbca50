import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { namedCaches } from '../cache.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';

/**
 * The process's metrics in Prometheus form (issue 16, ADR 047). Each web server and worker keeps
 * its own (Prometheus adds them up); what lives in the database — the queue's depth — is read at
 * scrape time, so every process reports the same figure for it. Labels are bounded: routes are
 * their patterns (`/courses/:slug/forum`), never raw URLs.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly jobsFinished: Counter<'kind' | 'status'>;
  readonly jobRun: Histogram<'kind'>;
  readonly jobWait: Histogram<'kind'>;
  readonly gradingOutcomes: Counter<'outcome'>;
  readonly sandboxBusy: Gauge;
  readonly jobsRunning: Gauge<'kind'>;

  constructor(db: Db, options: { process: 'web' | 'worker' | 'web+worker' }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ process: options.process });
    collectDefaultMetrics({ register: this.registry, prefix: 'carnet_' });
    this.httpRequests = new Counter({
      name: 'carnet_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'carnet_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    this.jobsFinished = new Counter({
      name: 'carnet_jobs_finished_total',
      help: 'Jobs this process finished, by kind and status (done or failed)',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.jobRun = new Histogram({
      name: 'carnet_job_run_seconds',
      help: 'Time a job ran, by kind',
      labelNames: ['kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.jobWait = new Histogram({
      name: 'carnet_job_wait_seconds',
      help: 'Time a job waited in the queue before it started, by kind',
      labelNames: ['kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.gradingOutcomes = new Counter({
      name: 'carnet_grading_outcomes_total',
      help: 'Verified gradings by outcome (the submission status the grading job stored)',
      labelNames: ['outcome'],
      registers,
    });
    this.sandboxBusy = new Gauge({
      name: 'carnet_sandbox_slots_busy',
      help: 'Sandbox runs in progress in this process',
      registers,
    });
    this.jobsRunning = new Gauge({
      name: 'carnet_jobs_running',
      help: 'Jobs running in this process, by kind',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'carnet_jobs_queued',
      help: 'Jobs waiting in the queue (all processes: read from the database), by kind',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        const rows = await db.kysely
          .selectFrom('jobs')
          .select(['kind', sql<number>`count(*)`.as('n')])
          .where('status', '=', 'queued')
          .groupBy('kind')
          .execute();
        for (const row of rows) this.set({ kind: row.kind }, Number(row.n));
      },
    });
    new Gauge({
      name: 'carnet_db_pool_connections',
      help: 'PostgreSQL pool connections of this process: total, idle, and requests waiting for one',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = db.poolStats?.();
        if (!pool) return;
        this.set({ state: 'total' }, pool.total);
        this.set({ state: 'idle' }, pool.idle);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    });
    new Gauge({
      name: 'carnet_cache_lookups',
      help: 'Lookups of this process in its in-memory caches, by cache and result (hit or miss)',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        for (const [name, cache] of namedCaches()) {
          this.set({ cache: name, result: 'hit' }, cache.hits);
          this.set({ cache: name, result: 'miss' }, cache.misses);
        }
      },
    });
  }

  /** What the queue tells about each job it finishes. */
  jobFinished(job: { kind: string; status: 'done' | 'failed'; waitMs: number; runMs: number; result?: unknown }): void {
    this.jobsFinished.inc({ kind: job.kind, status: job.status });
    this.jobRun.observe({ kind: job.kind }, job.runMs / 1000);
    this.jobWait.observe({ kind: job.kind }, Math.max(0, job.waitMs) / 1000);
    if (job.kind === 'grade.exercise') {
      const status = (job.result as { status?: unknown } | null | undefined)?.status;
      this.gradingOutcomes.inc({
        outcome: job.status === 'failed' ? 'crashed' : typeof status === 'string' ? status : 'unknown',
      });
    }
  }

  /** The job queue's observer (DbJobQueueOptions.observer). */
  queueObserver() {
    return {
      started: (kind: string) => this.jobsRunning.inc({ kind }),
      finished: (job: { kind: string; status: 'done' | 'failed'; waitMs: number; runMs: number; result?: unknown }) => {
        this.jobsRunning.dec({ kind: job.kind });
        this.jobFinished(job);
      },
    };
  }

  /** A sandbox whose runs in progress count in `carnet_sandbox_slots_busy`. */
  countRuns(sandbox: Sandbox): Sandbox {
    const gauge = this.sandboxBusy;
    return {
      kind: sandbox.kind,
      async run(job, options) {
        gauge.inc();
        try {
          return await sandbox.run(job, options);
        } finally {
          gauge.dec();
        }
      },
    };
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
