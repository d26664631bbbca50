import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { SETTINGS } from '../config.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';

/** What every command of the command line shares. */

export type Flags = Record<string, string | boolean | undefined>;

export interface Command {
  summary: string;
  usage: string;
  /** Flags of this command besides the configuration ones. */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Which configuration settings it reads. */
  settings: (keyof typeof SETTINGS)[];
  help: string;
  run(flags: Flags, args: string[], config: () => Config): Promise<number>;
}

export const DB_SETTINGS: (keyof typeof SETTINGS)[] = ['dataDir', 'databaseUrl', 'dbPoolSize', 'logLevel'];

export async function withDb<T>(config: Config, run: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize });
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

export async function requireMigrated(db: Db): Promise<boolean> {
  const pending = await pendingMigrations(db);
  if (pending.length === 0) return true;
  console.error(
    `The database (${db.location}) is not up to date: ${pending.length} migration(s) pending. Run "carnet migrate" first.`,
  );
  return false;
}
