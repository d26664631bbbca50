// Real Carnet processes and a private PostgreSQL server, for the surge benchmark and the fault
// tests (issue 16). A private server, never the machine's shared one: fault cases restart it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from './fixtures.ts';

export const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');

/** A port nobody listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The folder of PostgreSQL's server programs (initdb, pg_ctl), newest version first; throws if none. */
function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server programs under ${base}/<version>/bin`);
  return join(base, versions[0]!, 'bin');
}

/** A PostgreSQL server of our own: its folder, port and socket directory, restartable, removed by destroy(). */
export interface PrivatePostgres {
  /** The admin URL (database `postgres`, user `postgres`, trust authentication on loopback). */
  adminUrl: string;
  port: number;
  /** A fresh database on it; its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** `pg_ctl restart -m fast`: every connection is cut, the server is back when this resolves. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Starts a private PostgreSQL server in a temporary folder. As root the folder belongs to the
 * `postgres` user and the programs run as that user (PostgreSQL refuses to run as root).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const root = mkdtempSync(join(tmpdir(), 'carnet-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const asRoot = process.getuid?.() === 0;
  const run = (program: string, args: string[]): void => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
      : [join(bin, program), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: root });
    if (result.status !== 0) throw new Error(`${program} ${args.join(' ')}: ${result.stderr || result.stdout}`);
  };
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    chownSync(root, uid, gid);
  }
  chmodSync(root, 0o700);
  run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  spawnSync(asRoot ? 'runuser' : 'mkdir', asRoot ? ['-u', 'postgres', '--', 'mkdir', socketDir] : [socketDir]);
  const port = await freePort();
  const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(root, 'log'), '-w', 'start']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    adminUrl,
    port,
    async createDatabase(name, template) {
      await admin((c) => c.query(`create database ${name}${template ? ` template ${template}` : ''}`));
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async restart() {
      run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(root, 'log'), '-m', 'fast', '-w', 'restart']);
    },
    async destroy() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user ${name}`);
  return { uid, gid };
}

/** Runs the built `carnet` command to its end; its standard output, or throws with its errors. */
export function carnet(args: string[], env: Record<string, string>): string {
  const result = spawnSync(process.execPath, [CARNET, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`carnet ${args.join(' ')}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** One running `carnet serve` or `carnet worker`. */
export interface CarnetProcess {
  role: 'web' | 'worker';
  /** http://127.0.0.1:port (a worker's only with CARNET_WORKER_PORT). */
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited (at once if it has). */
  exited(): Promise<void>;
}

/** Starts `carnet serve` (on a free port) or `carnet worker`; resolves once it says it is running. */
export function startCarnet(role: 'web' | 'worker', env: Record<string, string>): Promise<CarnetProcess> {
  const args = role === 'web' ? ['serve', '--port', '0'] : ['worker'];
  const child = spawn(process.execPath, [CARNET, ...args], {
    env: { ...process.env, CARNET_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = (): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : exit);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`carnet ${args[0]} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      // Keep the start and the last lines: a long run's logs must not fill the memory.
      output = (output + chunk.toString()).slice(-200_000);
      const web = /serving on (http:\/\/[^\s/]+)/.exec(output);
      const worker = /Carnet worker is running jobs \(([^)]*)\)/.exec(output);
      if (web || worker) {
        clearTimeout(timer);
        const url = web?.[1] ?? /http:\/\/[^\s/]+/.exec(worker![1]!)?.[0] ?? '';
        resolve({ role, url, child, output: () => output, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`carnet ${args[0]} exited (${code ?? signal}):\n${output}`));
    });
  });
}

/** Stops a process with a signal and waits for it to exit. */
export async function stopCarnet(process: CarnetProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill(signal);
  await process.exited();
}
