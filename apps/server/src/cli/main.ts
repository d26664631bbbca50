import { parseArgs } from 'node:util';
import { buildApp } from '../app.ts';
import { ConfigError, loadConfig, SETTINGS, type Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest, pendingMigrations } from '../db/migrate.ts';
import { importCourse, ImportError } from '../lib/import/import-course.ts';
import { DbJobQueue } from '../lib/jobs/db-queue.ts';
import { registerGradeRecompute } from '../lib/grades/recompute.ts';
import { scheduleCertificateDates } from '../lib/certificates/issue.ts';
import { scheduleNotifications } from '../lib/notifications/jobs.ts';
import { Metrics } from '../lib/observability/metrics.ts';
import { registerGradeExercise } from '../lib/grading/grade-job.ts';
import { registerSandboxRun } from '../lib/jobs/sandbox-job.ts';
import { prepareSandbox } from '../lib/sandbox/setup.ts';
import { formatChecks, validateExercises } from '../lib/exercises/validate.ts';
import { formatSummary } from '../lib/import/summary.ts';
import { runCommands, userCommands } from './accounts.ts';
import { DB_SETTINGS, requireMigrated, withDb, type Command, type Flags } from './common.ts';

/**
 * The `carnet` command line. Each command parses its own flags; configuration flags are shared
 * and validated by the one schema in config.ts.
 */

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'serve the courses over HTTP',
    usage: 'carnet serve [options]',
    options: {},
    settings: [
      'port',
      'host',
      'baseUrl',
      'trustProxy',
      'pageCacheEntries',
      'liveCacheMs',
      'sessionIdleHours',
      'sessionMaxDays',
      'savesPerSecond',
      'smtpUrl',
      'mailFrom',
      'timezone',
      'python',
      'bwrap',
      'unsafeGrading',
      'gradingConcurrency',
      'gradingPendingPerAddress',
      'gradingQueueMax',
      'jobsRetentionDays',
      'runJobs',
      'metricsToken',
      'drainSeconds',
      'forumAntiSpam',
      ...DB_SETTINGS,
    ],
    help: [
      'Serves the catalogue, courses and files, and runs background jobs (grading) in this process',
      '(CARNET_RUN_JOBS=false leaves them to "carnet worker" processes).',
      'The database must be migrated first (carnet migrate). Grading needs bubblewrap and python3:',
      'without them it is refused (the log says what to install), unless CARNET_UNSAFE_GRADING=true.',
    ].join('\n'),
    run: serve,
  },
  worker: {
    summary: 'run background jobs (grading, certificates, e-mail) without serving pages',
    usage: 'carnet worker [options]',
    options: {},
    settings: [
      'host',
      'workerPort',
      'metricsToken',
      'baseUrl',
      'port',
      'smtpUrl',
      'mailFrom',
      'timezone',
      'python',
      'bwrap',
      'unsafeGrading',
      'gradingConcurrency',
      'jobsRetentionDays',
      ...DB_SETTINGS,
    ],
    help: [
      'Runs the job queue: grading runs, grade recomputations, certificates and notification e-mails.',
      'Any number of workers and web servers share one PostgreSQL database (SQLite: one machine).',
      'With CARNET_WORKER_PORT it answers /healthz, /readyz and /metrics there, and nothing else.',
      'SIGTERM stops claiming jobs and waits for the running ones; a second signal leaves them to another worker.',
    ].join('\n'),
    run: worker,
  },
  import: {
    summary: 'import a course folder or git repository',
    usage: 'carnet import <folder | git URL> [--slug S] [--check] [--json] [options]',
    options: { slug: { type: 'string' }, check: { type: 'boolean' }, json: { type: 'boolean' } },
    settings: ['maxFileMb', 'maxMediaMb', 'python', 'bwrap', 'unsafeGrading', ...DB_SETTINGS],
    help: [
      'Reads a course folder (or clones/fetches a git URL, file:// included, into the data directory),',
      'checks and renders every notebook and quiz, and stores it as a new version that becomes live',
      'at once. All or nothing: on any error nothing is written and the previous version stays live.',
      'Importing identical content again changes nothing.',
      '',
      '  --slug S   the course address (/courses/S); default: the folder or repository name',
      '  --check    validate only: print the summary, write nothing, exit 1 on errors',
      '  --json     print the summary as JSON (for scripts)',
    ].join('\n'),
    run: runImport,
  },
  validate: {
    summary: "check a course's exercises before publishing",
    usage: 'carnet validate <course folder> [--json] [options]',
    options: { json: { type: 'boolean' } },
    settings: ['python', 'bwrap', 'unsafeGrading'],
    help: [
      'Runs every exercise module of the folder in the sandbox: example() must run, the reference',
      'solution must be all-OK, and every <name>_ko variant must have a KO row. Prints a table and',
      'exits 1 when any check fails. Needs bubblewrap and python3, like grading.',
    ].join('\n'),
    run: runValidate,
  },
  migrate: {
    summary: 'create or upgrade the database schema',
    usage: 'carnet migrate [--status] [options]',
    options: { status: { type: 'boolean' } },
    settings: DB_SETTINGS,
    help: 'Applies pending migrations (SQLite file in the data directory, or DATABASE_URL). --status lists them without applying.',
    run: migrate,
  },
  ...userCommands,
  ...runCommands,
};

function configHelp(settings: (keyof typeof SETTINGS)[]): string {
  return settings
    .map(
      (key) => `  ${`${SETTINGS[key].flag} <value>`.padEnd(26)} ${SETTINGS[key].env.padEnd(20)} ${SETTINGS[key].help}`,
    )
    .join('\n');
}

export function commandHelp(name: string, command: Command): string {
  return `${command.usage}\n\n${command.help}\n\nConfiguration (flag, or environment variable):\n${configHelp(command.settings)}\n  ${'--help'.padEnd(26)} show this help`;
}

function mainHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `carnet — host Python courses made of notebooks\n\nUsage: carnet <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "carnet <command> --help" for a command's options.`;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  // Two-word commands: `carnet user create`, `carnet run list`.
  if (name !== undefined && rest[0] !== undefined && COMMANDS[`${name} ${rest[0]}`]) {
    name = `${name} ${rest[0]}`;
    rest = rest.slice(1);
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`carnet: unknown command "${name}".\n\n${mainHelp()}`);
    return 2;
  }
  const configOptions = Object.fromEntries(
    command.settings.map((key) => [SETTINGS[key].flag.slice(2), { type: 'string' as const }]),
  );
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, ...configOptions, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as { values: Flags; positionals: string[] };
  } catch (error) {
    console.error(`carnet ${name}: ${(error as Error).message}\n\n${commandHelp(name, command)}`);
    return 2;
  }
  if (parsed.values['help']) {
    console.log(commandHelp(name, command));
    return 0;
  }
  const flagSettings = Object.fromEntries(
    command.settings.flatMap((key) => {
      const value = parsed.values[SETTINGS[key].flag.slice(2)];
      return typeof value === 'string' ? [[key, value]] : [];
    }),
  );
  const config = (): Config => loadConfig(process.env, flagSettings);
  try {
    return await command.run(parsed.values, parsed.positionals, config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ImportError) {
      console.error(error.message);
      return 2;
    }
    console.error(`carnet ${name}: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

async function migrate(flags: Flags, _args: string[], getConfig: () => Config): Promise<number> {
  const config = getConfig();
  return withDb(config, async (db) => {
    if (flags['status']) {
      const pending = await pendingMigrations(db);
      console.log(
        pending.length === 0 ? `${db.location}: up to date.` : `${db.location}: pending: ${pending.join(', ')}`,
      );
      return 0;
    }
    const applied = await migrateToLatest(db);
    console.log(
      applied.length === 0 ? `${db.location}: already up to date.` : `${db.location}: applied ${applied.join(', ')}.`,
    );
    return 0;
  });
}

async function runValidate(flags: Flags, args: string[], getConfig: () => Config): Promise<number> {
  const [folder, ...extra] = args;
  if (!folder || extra.length > 0) {
    console.error(`carnet validate: give one course folder.\n\n${commandHelp('validate', COMMANDS['validate']!)}`);
    return 2;
  }
  const config = getConfig();
  const grading = await prepareSandbox({
    python: config.python,
    bwrap: config.bwrap,
    unsafeGrading: config.unsafeGrading,
  });
  if (!grading.sandbox) {
    console.error(`carnet validate: cannot run exercises here. ${grading.problem ?? ''}`);
    return 2;
  }
  if (grading.unsafe) console.error(`WARNING: ${grading.problem ?? 'exercises run without a sandbox'}`);
  const checks = await validateExercises(folder, grading.sandbox);
  console.log(flags['json'] ? JSON.stringify(checks, null, 2) : formatChecks(checks));
  return checks.every((c) => c.ok) ? 0 : 1;
}

async function runImport(flags: Flags, args: string[], getConfig: () => Config): Promise<number> {
  const [source, ...extra] = args;
  if (!source || extra.length > 0) {
    console.error(`carnet import: give one folder or git URL.\n\n${commandHelp('import', COMMANDS['import']!)}`);
    return 2;
  }
  const config = getConfig();
  return withDb(config, async (db) => {
    if (!flags['check'] && !(await requireMigrated(db))) return 2;
    // Exercise modules are sealed in the sandbox at import (ADR 024).
    const grading = flags['check']
      ? undefined
      : await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: config.unsafeGrading });
    const summary = await importCourse(db, {
      source,
      slug: typeof flags['slug'] === 'string' ? flags['slug'] : undefined,
      check: flags['check'] === true,
      dataDir: config.dataDir,
      maxFileBytes: config.maxFileMb * 1024 * 1024,
      maxMediaBytes: config.maxMediaMb * 1024 * 1024,
      sandbox: grading?.sandbox,
      sandboxProblem: grading?.problem,
    });
    console.log(flags['json'] ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    return summary.status === 'failed' ? 1 : 0;
  });
}

async function serve(_flags: Flags, _args: string[], getConfig: () => Config): Promise<number> {
  return runProcess(getConfig(), { http: true, jobs: getConfig().runJobs });
}

async function worker(_flags: Flags, _args: string[], getConfig: () => Config): Promise<number> {
  return runProcess(getConfig(), { http: false, jobs: true });
}

/**
 * One Carnet process (issue 16): a web server (`http`), a job worker (`jobs`), or both — any number
 * of each on one PostgreSQL database. On SIGTERM or SIGINT it stops gracefully: `/readyz` answers
 * 503 for CARNET_DRAIN_SECONDS (load balancers stop sending traffic), then the server stops taking
 * connections and finishes the requests in flight, the workers stop claiming and finish their
 * running jobs (a second signal abandons them to another worker, as a crash would), and the
 * database closes.
 */
async function runProcess(config: Config, role: { http: boolean; jobs: boolean }): Promise<number> {
  const db = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  if (!(await requireMigrated(db))) {
    await db.close();
    return 2;
  }
  const grading = await prepareSandbox({
    python: config.python,
    bwrap: config.bwrap,
    unsafeGrading: config.unsafeGrading,
    slots: config.gradingConcurrency,
  });
  const metrics = new Metrics(db, { process: role.http ? (role.jobs ? 'web+worker' : 'web') : 'worker' });
  const sandbox = grading.sandbox ? metrics.countRuns(grading.sandbox) : undefined;
  // The queue logs through the app's logger, which exists once the app is built.
  const logs: {
    to?: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  } = {};
  const jobs = new DbJobQueue(db, {
    concurrency: config.gradingConcurrency,
    listenUrl: config.databaseUrl,
    retentionDays: config.jobsRetentionDays,
    log: {
      info: (o, m) => logs.to?.info(o, m),
      warn: (o, m) => logs.to?.warn(o, m),
      error: (o, m) => logs.to?.error(o, m),
    },
    observer: metrics.queueObserver(),
  });
  registerSandboxRun(jobs, sandbox, grading.problem);
  registerGradeExercise(jobs, db.kysely, sandbox, { problem: grading.problem });
  registerGradeRecompute(jobs, db.kysely);
  let draining = false;
  const app = await buildApp({
    config,
    db,
    jobs,
    grading: { ...grading, sandbox },
    metrics,
    draining: () => draining,
    role: role.http ? 'web' : 'worker',
  });
  logs.to = app.log;
  const port = role.http ? config.port : config.workerPort;
  const address = port === undefined ? null : await app.listen({ port, host: config.host });
  const stops: (() => void)[] = [];
  if (role.jobs) {
    jobs.start();
    stops.push(scheduleCertificateDates(db.kysely, jobs, () => new Date(), { log: app.log }));
    stops.push(scheduleNotifications(db.kysely, jobs, () => new Date(), { log: app.log }));
  }
  if (grading.unsafe) console.warn(`WARNING: ${grading.problem}`);
  else if (!grading.sandbox && role.jobs) console.error(`Grading is refused: ${grading.problem}`);
  if (role.http) {
    const shown = config.baseUrl ?? address!.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
    console.log(`Carnet is serving on ${shown} (database: ${db.location}${role.jobs ? '' : '; jobs left to workers'})`);
  } else {
    console.log(`Carnet worker is running jobs (database: ${db.location}${address ? `; ${address}/metrics` : ''})`);
  }
  let hurry = false;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      console.log('Carnet is stopping…');
      resolve();
      const again = (): void => {
        hurry = true;
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  draining = true;
  if (config.drainSeconds > 0 && role.http) await new Promise((r) => setTimeout(r, config.drainSeconds * 1000));
  for (const stop of stops) stop();
  // The server first (in-flight requests may still queue jobs), then the workers.
  await app.close();
  await jobs.stop({ abandon: hurry });
  await db.close();
  return 0;
}
