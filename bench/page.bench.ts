/**
 * Requests per second and p99 latency of a notebook page, against a minimal Fastify route served
 * by the same process in the same run (the ratio is what to watch: these machines are noisy).
 * The load comes from autocannon in a separate process. Target: the page at ≥ 50 % of the minimal
 * route's throughput.
 *
 *   npx tsx bench/page.bench.ts [--duration 10] [--connections 50] [--database sqlite|postgres]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { createTestDb, type Dialect } from '../apps/server/test/databases.ts';
import { record } from './report.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
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

/** Runs autocannon in its own process (asynchronously: this process serves the requests). */
function autocannon(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'node_modules/.bin/autocannon'), args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

async function load(path: string): Promise<{ rps: number; p99: number; p50: number; errors: number }> {
  const url = `${address}${path}`;
  await autocannon(['-c', values.connections!, '-d', '2', url]); // warm-up
  const result = JSON.parse(await autocannon(['--json', '-c', values.connections!, '-d', values.duration!, url])) as {
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

const minimal = await load('/bench/minimal');
const page = await load(notebook);
await app.close();
await t.cleanup();

const ratio = page.rps / minimal.rps;
console.log(`Database: ${dialect}; ${values.connections} connections, ${values.duration} s each`);
console.log(`Minimal route:  ${minimal.rps.toFixed(0)} req/s, p50 ${minimal.p50} ms, p99 ${minimal.p99} ms`);
console.log(
  `Notebook page:  ${page.rps.toFixed(0)} req/s, p50 ${page.p50} ms, p99 ${page.p99} ms (${(size / 1024).toFixed(0)} KiB of HTML)`,
);
console.log(`Ratio page/minimal: ${(ratio * 100).toFixed(0)} % (target ≥ 50 %: ${ratio >= 0.5 ? 'met' : 'MISSED'})`);
if (minimal.errors + page.errors > 0) console.log(`Errors: ${minimal.errors + page.errors}`);
record(`page-${dialect}`, { minimal, page, ratio, htmlBytes: size });
