import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Carnet's configuration: one schema for the environment and the command-line flags (flags win).
 * Every setting is named by both its variable and its flag in errors, so an operator knows what to fix.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const configSchema = z
  .object({
    port: z.coerce
      .number({ message: 'expected a port number' })
      .int('expected a whole number')
      .min(0, 'expected a port between 0 and 65535')
      .max(65535, 'expected a port between 0 and 65535')
      .default(3000),
    host: z.string().min(1, 'expected a host name or address').default('127.0.0.1'),
    dataDir: z.string().min(1, 'expected a folder path').default('./var'),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\/.+/, 'expected a URL like postgres://user@host:5432/database (leave unset for SQLite)')
      .optional(),
    dbPoolSize: z.coerce.number({ message: 'expected a number' }).int().min(1).max(200).default(10),
    logLevel: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    baseUrl: z.url({ message: 'expected an absolute URL such as https://carnet.example.org' }).optional(),
    trustProxy: boolean.default(false),
    maxFileMb: z.coerce.number({ message: 'expected a number of megabytes' }).positive().max(4096).default(64),
    maxMediaMb: z.coerce.number({ message: 'expected a number of megabytes' }).positive().max(65536).default(4096),
    pageCacheEntries: z.coerce.number({ message: 'expected a number of pages' }).int().min(0).default(500),
    liveCacheMs: z.coerce.number({ message: 'expected a number of milliseconds' }).int().min(0).default(2000),
    sessionIdleHours: z.coerce.number({ message: 'expected a number of hours' }).positive().max(8760).default(168),
    sessionMaxDays: z.coerce.number({ message: 'expected a number of days' }).positive().max(365).default(30),
    savesPerSecond: z.coerce.number({ message: 'expected a number of saves per second' }).positive().default(20),
    forumAntiSpam: boolean.default(true),
    metricsToken: z.string().min(16, 'expected a token of 16 characters or more').optional(),
    runJobs: boolean.default(true),
    workerPort: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535).optional(),
    drainSeconds: z.coerce.number({ message: 'expected a number of seconds' }).min(0).max(600).default(0),
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\/.+/, 'expected a URL like smtp://user:password@mail.example.org:587 or smtps://…')
      .optional(),
    mailFrom: z
      .string()
      .min(3, 'expected an address such as "Carnet <carnet@example.org>"')
      .default('Carnet <carnet@localhost>'),
    timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Paris').default('Europe/Paris'),
    pyodidePackagesUrl: z
      .url({ message: 'expected the absolute URL of a Pyodide package repository (with pyodide-lock.json)' })
      .transform((url) => (url.endsWith('/') ? url : `${url}/`))
      .optional(),
    python: z.string().min(1, 'expected the path of a CPython 3.11+ interpreter').default('/usr/bin/python3'),
    bwrap: z.string().min(1, 'expected the path of bubblewrap (bwrap)').default('bwrap'),
    unsafeGrading: boolean.default(false),
    gradingConcurrency: z.coerce
      .number({ message: 'expected a number of jobs' })
      .int('expected a whole number')
      .min(1, 'expected at least 1')
      .max(256)
      // Twice the cores, 4 at least: a run that sleeps or waits out its wall clock holds a slot
      // without a core, and each learner holds one slot at most (ADR 035), so two stuck learners
      // must not take every slot of a 2-core server.
      .default(Math.max(4, 2 * availableParallelism())),
    gradingPendingPerAddress: z.coerce
      .number({ message: 'expected a number of submissions' })
      .int('expected a whole number')
      .min(1, 'expected at least 1')
      .default(60),
    gradingQueueMax: z.coerce
      .number({ message: 'expected a number of submissions' })
      .int('expected a whole number')
      .min(1, 'expected at least 1')
      .default(5000),
    jobsRetentionDays: z.coerce
      .number({ message: 'expected a number of days' })
      .int('expected a whole number of days')
      .min(0, 'expected 0 (keep forever) or more days')
      .max(3650)
      .default(14),
  })
  .superRefine((config, ctx) => {
    // Links in e-mails must not be built from a request's Host header (an attacker could choose it).
    if (config.smtpUrl && !config.baseUrl) {
      ctx.addIssue({
        code: 'custom',
        path: ['smtpUrl'],
        message: 'sending e-mail needs CARNET_BASE_URL too (links in messages)',
      });
    }
  });

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof configSchema> & { dataDir: string };

/** Where each setting comes from: environment variable and command-line flag. */
export const SETTINGS: Record<keyof z.infer<typeof configSchema>, { env: string; flag: string; help: string }> = {
  port: { env: 'PORT', flag: '--port', help: 'HTTP port (default 3000)' },
  host: {
    env: 'HOST',
    flag: '--host',
    help: 'address to listen on (default 127.0.0.1; 0.0.0.0 for a classroom network)',
  },
  dataDir: {
    env: 'CARNET_DATA_DIR',
    flag: '--data-dir',
    help: 'data directory: SQLite database, git checkouts, outbox (default ./var)',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: '--database-url',
    help: 'postgres://… to use PostgreSQL instead of SQLite',
  },
  dbPoolSize: {
    env: 'CARNET_DB_POOL_SIZE',
    flag: '--db-pool-size',
    help: 'PostgreSQL connections per process (default 10)',
  },
  logLevel: { env: 'CARNET_LOG_LEVEL', flag: '--log-level', help: `log level: ${LOG_LEVELS.join('|')} (default info)` },
  baseUrl: {
    env: 'CARNET_BASE_URL',
    flag: '--base-url',
    help: 'public URL, e.g. https://carnet.example.org (enables HSTS and secure cookies when https)',
  },
  trustProxy: {
    env: 'CARNET_TRUST_PROXY',
    flag: '--trust-proxy',
    help: 'trust X-Forwarded-* headers from a reverse proxy (default false)',
  },
  maxFileMb: {
    env: 'CARNET_MAX_FILE_MB',
    flag: '--max-file-mb',
    help: 'largest course file accepted by import, in MB (default 64)',
  },
  maxMediaMb: {
    env: 'CARNET_MAX_MEDIA_MB',
    flag: '--max-media-mb',
    help: 'largest video file (.webm, .mp4, .m4v) accepted by import, in MB (default 4096)',
  },
  pageCacheEntries: {
    env: 'CARNET_PAGE_CACHE_ENTRIES',
    flag: '--page-cache-entries',
    help: 'rendered pages kept in memory per process (default 500; 0 disables)',
  },
  liveCacheMs: {
    env: 'CARNET_LIVE_CACHE_MS',
    flag: '--live-cache-ms',
    help: 'how long a web server trusts its knowledge of which course version is live (default 2000 ms)',
  },
  pyodidePackagesUrl: {
    env: 'CARNET_PYODIDE_PACKAGES_URL',
    flag: '--pyodide-packages-url',
    help: 'base URL of a Pyodide package repository (pyodide-lock.json and wheels) for numpy & co. (default: none)',
  },
  sessionIdleHours: {
    env: 'CARNET_SESSION_IDLE_HOURS',
    flag: '--session-idle-hours',
    help: 'a login ends after this many hours without a visit (default 168: one week)',
  },
  sessionMaxDays: {
    env: 'CARNET_SESSION_MAX_DAYS',
    flag: '--session-max-days',
    help: 'a login ends this many days after it started, whatever the activity (default 30)',
  },
  savesPerSecond: {
    env: 'CARNET_SAVES_PER_SECOND',
    flag: '--saves-per-second',
    help: "a learner's saves of code and progress accepted per second on average, bursts of twice that (default 20)",
  },
  metricsToken: {
    env: 'CARNET_METRICS_TOKEN',
    flag: '--metrics-token',
    help: 'serve /metrics (Prometheus) to requests with "Authorization: Bearer <token>"; unset: no /metrics',
  },
  runJobs: {
    env: 'CARNET_RUN_JOBS',
    flag: '--run-jobs',
    help: 'false: this web server runs no background jobs (leave them to "carnet worker" processes)',
  },
  workerPort: {
    env: 'CARNET_WORKER_PORT',
    flag: '--worker-port',
    help: 'carnet worker: serve /healthz, /readyz and /metrics on this port (unset: no HTTP at all)',
  },
  drainSeconds: {
    env: 'CARNET_DRAIN_SECONDS',
    flag: '--drain-seconds',
    help: 'on SIGTERM, answer /readyz with 503 for this long before closing (load balancers stop sending traffic); default 0',
  },
  forumAntiSpam: {
    env: 'CARNET_FORUM_ANTISPAM',
    flag: '--forum-antispam',
    help: "false: the forum's posting limits, link and duplicate checks are off (one class on a laptop); mutes and locks still hold",
  },
  smtpUrl: {
    env: 'CARNET_SMTP_URL',
    flag: '--smtp-url',
    help: 'smtp://user:password@host:587 (or smtps://) to send e-mail; unset: messages go to DATA_DIR/outbox and the log',
  },
  mailFrom: {
    env: 'CARNET_MAIL_FROM',
    flag: '--mail-from',
    help: 'sender of e-mails (default "Carnet <carnet@localhost>")',
  },
  timezone: {
    env: 'CARNET_TIMEZONE',
    flag: '--timezone',
    help: 'time zone of dates typed in forms and shown on pages (default Europe/Paris)',
  },
  python: {
    env: 'CARNET_PYTHON',
    flag: '--python',
    help: "CPython 3.11+ that runs learners' code in the sandbox (default /usr/bin/python3)",
  },
  bwrap: {
    env: 'CARNET_BWRAP',
    flag: '--bwrap',
    help: 'bubblewrap, the sandbox (default: bwrap on the PATH; Debian: apt-get install bubblewrap)',
  },
  unsafeGrading: {
    env: 'CARNET_UNSAFE_GRADING',
    flag: '--unsafe-grading',
    help: "DEVELOPMENT ONLY: run learners' code without a sandbox when bubblewrap is missing (default false)",
  },
  gradingConcurrency: {
    env: 'CARNET_GRADING_CONCURRENCY',
    flag: '--grading-concurrency',
    help: 'jobs (grading runs) at once in this process; a learner has one at a time (default: twice the cores, 4 at least)',
  },
  gradingPendingPerAddress: {
    env: 'CARNET_GRADING_PENDING_PER_ADDRESS',
    flag: '--grading-pending-per-address',
    help: 'submissions waiting for grading from one client address (a classroom behind one NAT shares it) before 429 (default 60)',
  },
  gradingQueueMax: {
    env: 'CARNET_GRADING_QUEUE_MAX',
    flag: '--grading-queue-max',
    help: 'submissions waiting for grading in all before new ones get 503 and a Retry-After (default 5000)',
  },
  jobsRetentionDays: {
    env: 'CARNET_JOBS_RETENTION_DAYS',
    flag: '--jobs-retention-days',
    help: 'finished background jobs are deleted this many days after they finished (default 14; 0 keeps them)',
  },
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds the configuration from the environment and flags (flag values are strings, keyed by
 * setting name). Empty environment variables count as unset. Throws ConfigError listing every
 * wrong setting.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<keyof typeof SETTINGS, string>> = {},
  cwd = process.cwd(),
): Config {
  const input: Record<string, string> = {};
  for (const [key, { env: name }] of Object.entries(SETTINGS)) {
    const fromFlag = flags[key as keyof typeof SETTINGS];
    const fromEnv = env[name];
    const value = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    if (value !== undefined) input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]) as keyof typeof SETTINGS;
        const setting = SETTINGS[key];
        const got = input[key] !== undefined ? ` (got ${JSON.stringify(input[key])})` : '';
        return `${setting.env} / ${setting.flag}: ${issue.message}${got}`;
      }),
    );
  }
  const config = parsed.data;
  return { ...config, dataDir: isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir) };
}
