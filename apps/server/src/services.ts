import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import type { Assets } from './http/assets.ts';
import type { PyodideDist } from './http/pyodide.ts';
import type { ContentCache } from './lib/content-cache.ts';

/** What route modules depend on; built once by `buildApp`. */
export interface Services {
  config: Config;
  db: Db;
  assets: Assets;
  content: ContentCache;
  /** The self-hosted Pyodide (its content-hashed URL). */
  pyodide: PyodideDist;
}
