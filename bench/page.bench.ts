/**
 * Requests per second and p99 latency of a notebook page, against a minimal Fastify route served
 * by the same process in the same run (the ratio is what to watch: these machines are noisy).
 * The load comes from wrk (or autocannon if wrk is not installed) in a separate process. Target: the page at ≥ 50 % of the minimal
 * route's throughput.
 *
 *   npx tsx bench/page.bench.ts [--duration 5] [--rounds 3] [--connections 50] [--database sqlite|postgres]
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { createTestDb, type Dialect } from '../apps/server/test/databases.ts';
import { type Load, medianLoad, record } from './report.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    database: { type: 'string', default: 'sqlite' },
  },
});
const root = join(import.meta.dirname, '..');
const dialect = values.database as Dialect;
const t = await createTestDb(dialect);
await importCourse(t.db, { source: join(root, 'demo-course'), slug: 'demo', dataDir: t.dataDir });
const app = await buildApp({
  config: loadConfig({}, { dataDir: t.dataDir, logLevel: 'warn' }),
  db: t.db,
  logger: false,
});
app.get('/bench/minimal', async () => 'ok');
const address = await app.listen({ port: 0, host: '127.0.0.1' });

const notebook = '/courses/demo/w1/w1-s2-c1-chaines';
const size = (await app.inject({ method: 'GET', url: notebook })).body.length;

/** Runs a command in its own process, asynchronously: this process is the one serving the load. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

const wrk = spawnSync('wrk', ['--version']).error === undefined;

/** wrk (C, one thread) if installed — it leaves more CPU to the server — else autocannon. */
async function load(path: string, seconds: string): Promise<Load> {
  const url = `${address}${path}`;
  if (wrk) {
    const out = await run('wrk', ['-t1', `-c${values.connections}`, `-d${seconds}s`, '--latency', url]);
    const ms = (label: string): number => {
      const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
      if (!m) return NaN;
      return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
    };
    const errors = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0';
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
      p50: ms('50'),
      p99: ms('99'),
      errors: Number(errors),
    };
  }
  const bin = join(root, 'node_modules/.bin/autocannon');
  const result = JSON.parse(await run(bin, ['--json', '-c', values.connections!, '-d', seconds, url])) as {
    requests: { average: number };
    latency: { p99: number; p50: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    p50: result.latency.p50,
    errors: result.errors + result.non2xx,
  };
}

// Interleaved rounds, so that a noisy neighbour weighs on both sides alike; medians are reported.
const minimalRuns: Load[] = [];
const pageRuns: Load[] = [];
await load('/bench/minimal', '2');
await load(notebook, '2');
for (let round = 0; round < Number(values.rounds); round++) {
  minimalRuns.push(await load('/bench/minimal', values.duration!));
  pageRuns.push(await load(notebook, values.duration!));
}
await app.close();
await t.cleanup();
const minimal = medianLoad(minimalRuns);
const page = medianLoad(pageRuns);

const ratio = page.rps / minimal.rps;
console.log(
  `Database: ${dialect}; load from ${wrk ? 'wrk' : 'autocannon'}, ${values.connections} connections, ${values.rounds} rounds of ${values.duration} s each (medians)`,
);
console.log(`Minimal route:  ${minimal.rps.toFixed(0)} req/s, p50 ${minimal.p50} ms, p99 ${minimal.p99} ms`);
console.log(
  `Notebook page:  ${page.rps.toFixed(0)} req/s, p50 ${page.p50} ms, p99 ${page.p99} ms (${(size / 1024).toFixed(0)} KiB of HTML)`,
);
console.log(`Ratio page/minimal: ${(ratio * 100).toFixed(0)} % (target ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'MISSED'})`);
if (minimal.errors + page.errors > 0) console.log(`Errors: ${minimal.errors + page.errors}`);
record(`page-${dialect}`, { minimal, page, ratio, htmlBytes: size });
