// A Carnet session on several processes for the surge (issue 16): a throwaway database on a
// private PostgreSQL server, the demo course imported and a self-paced session opened once, then
// copied (CREATE DATABASE … TEMPLATE) for each layout of web servers and workers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../apps/server/src/db/database.ts';
import { selectOptionalItemByRoute } from '../../apps/server/src/models/course-items.ts';
import { selectOptionalLiveVersionBySlug } from '../../apps/server/src/models/courses.ts';
import { DEMO_COURSE } from '../../apps/server/test/fixtures.ts';
import {
  carnet,
  startCarnet,
  startPrivatePostgres,
  stopCarnet,
  type CarnetProcess,
  type PrivatePostgres,
} from '../../apps/server/test/processes.ts';
import { EXERCISE, READING_ROUTE, type CodeCell } from './surge.ts';

export const METRICS_TOKEN = 'surge-metrics-token-0123456789';
const TEMPLATE = 'surge_template';

/** The prepared session: the private server, the data directory, what learners need to know. */
export interface SurgeWorld {
  postgres: PrivatePostgres;
  dataDir: string;
  slug: string;
  runId: number;
  cells: Record<string, CodeCell[]>;
  /** A fresh copy of the prepared database; its URL. */
  copy(name: string): Promise<string>;
  destroy(): Promise<void>;
}

/** Starts a private PostgreSQL, migrates, imports the demo course and creates a self-paced session. */
export async function prepareWorld(): Promise<SurgeWorld> {
  const postgres = await startPrivatePostgres();
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-surge-'));
  try {
    const url = await postgres.createDatabase(TEMPLATE);
    const env = { CARNET_DATA_DIR: dataDir, DATABASE_URL: url };
    carnet(['migrate'], env);
    carnet(['import', DEMO_COURSE, '--slug', 'demo'], env);
    const created = carnet(
      ['run', 'create', 'demo', '--title', 'Premier jour', '--start', new Date().toISOString(), '--self-paced'],
      env,
    );
    const runId = Number(/\(id (\d+)\)/.exec(created)?.[1]);
    if (!Number.isInteger(runId)) throw new Error(`no session id in: ${created}`);
    const db = openDatabase({ databaseUrl: url, dataDir, poolSize: 1 });
    const cells: Record<string, CodeCell[]> = {};
    try {
      const live = (await selectOptionalLiveVersionBySlug(db.kysely, 'demo'))!;
      for (const route of [EXERCISE.route, READING_ROUTE]) {
        const item = await selectOptionalItemByRoute(db.kysely, live.id, route);
        cells[route] = (JSON.parse(item!.meta) as { codeCells: CodeCell[] }).codeCells.map((c) => ({
          id: c.id,
          source: c.source,
        }));
      }
    } finally {
      await db.close();
    }
    return {
      postgres,
      dataDir,
      slug: 'demo',
      runId,
      cells,
      copy: (name) => postgres.createDatabase(name, TEMPLATE),
      async destroy() {
        await postgres.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await postgres.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Web servers (no jobs) and workers (each with its metrics port) on one database. */
export interface Cluster {
  webs: CarnetProcess[];
  workers: CarnetProcess[];
  databaseUrl: string;
  stop(): Promise<void>;
}

/** The environment every process of a surge shares. */
export function surgeEnv(world: SurgeWorld, databaseUrl: string): Record<string, string> {
  return {
    CARNET_DATA_DIR: world.dataDir,
    DATABASE_URL: databaseUrl,
    // Behind a proxy: each learner's own address comes in X-Forwarded-For.
    CARNET_TRUST_PROXY: 'true',
    CARNET_METRICS_TOKEN: METRICS_TOKEN,
    CARNET_LOG_LEVEL: 'warn',
  };
}

/** Starts `web` web servers and `workers` workers on a fresh copy of the world's database. */
export async function startCluster(
  world: SurgeWorld,
  name: string,
  layout: { web: number; workers: number },
): Promise<Cluster> {
  const databaseUrl = await world.copy(name);
  const env = surgeEnv(world, databaseUrl);
  const webs: CarnetProcess[] = [];
  const workers: CarnetProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([...webs, ...workers].map((p) => stopCarnet(p, 'SIGTERM')));
  };
  try {
    for (let i = 0; i < layout.web; i++) webs.push(await startCarnet('web', { ...env, CARNET_RUN_JOBS: 'false' }));
    for (let i = 0; i < layout.workers; i++)
      workers.push(await startCarnet('worker', { ...env, CARNET_WORKER_PORT: '0' }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { webs, workers, databaseUrl, stop };
}

/** The sum of a series over the given processes' /metrics (a killed process counts nothing). */
export async function scrapeSum(processes: CarnetProcess[], name: string, labels: Record<string, string> = {}) {
  let total = 0;
  for (const p of processes) {
    if (!p.url || p.child.exitCode !== null || p.child.signalCode !== null) continue;
    try {
      const text = await (
        await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text();
      total += seriesSum(text, name, labels);
    } catch {
      // a process that stopped answering counts nothing
    }
  }
  return total;
}

/** The sum of every line of one series whose labels include the given ones. */
export function seriesSum(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inside = line.includes('{') ? line.slice(line.indexOf('{') + 1, line.indexOf('}')).split(',') : [];
    if (wanted.every((w) => inside.includes(w))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
