import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Assets } from './http/assets.ts';
import type { PyodideDist } from './http/pyodide.ts';
import type { ContentCache } from './lib/content-cache.ts';
import type { JobQueue } from './lib/jobs/queue.ts';
import type { GradingSetup } from './lib/sandbox/setup.ts';
import type { Mailer } from './lib/auth/mailer.ts';
import type { RateLimiter } from './lib/auth/throttle.ts';

/** What route modules depend on; built once by `buildApp`. */
export interface Services {
  config: Config;
  db: Db;
  assets: Assets;
  content: ContentCache;
  /** The self-hosted Pyodide (its content-hashed URL). */
  pyodide: PyodideDist;
  /** The current time: everything that expires reads it here, so tests can move it. */
  clock: () => Date;
  mailer: Mailer;
  limiter: RateLimiter;
  /** Background jobs (grading runs); its workers run only where `carnet serve` starts them. */
  jobs: JobQueue;
  /** The sandbox, or why grading is refused; `grading.unsafe` asks pages for a warning banner. */
  grading: GradingSetup;
}
