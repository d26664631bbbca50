/**
 * Saves per second and their latency with 50 logged-in learners, each saving its own cells in a
 * loop (every save is a durable commit), against a minimal authenticated route — GET /api/session,
 * which resolves the same session cookie — served by the same process in the same run. The load
 * comes from a separate process (this file with --client). Target: saves' p99 under 50 ms.
 *
 *   npx tsx bench/saves.bench.ts [--duration 5] [--rounds 3] [--learners 50] [--think 0] [--database sqlite|postgres]
 *
 * With --think 0 every learner saves again as soon as answered (saturation: latency is then
 * 50 ÷ throughput); --think N waits N ms between a learner's requests, a load closer to real
 * editors (a debounced editor saves at most every second or so).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Load, medianLoad, record } from './report.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    learners: { type: 'string', default: '50' },
    database: { type: 'string', default: 'sqlite' },
    think: { type: 'string', default: '0' },
    client: { type: 'string' },
  },
});

interface Learner {
  cookie: string;
  csrf: string;
}

interface ClientJob {
  url: string;
  mode: 'session' | 'save';
  seconds: number;
  thinkMs: number;
  route: string;
  cells: { id: string; original: string }[];
  learners: Learner[];
}

if (values.client) await client(JSON.parse(values.client) as ClientJob);
else await main();

/** The load generator: one keep-alive connection per learner, each in a loop until time is up. */
async function client(job: ClientJob): Promise<void> {
  const target = new URL(job.url);
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + job.seconds * 1000;
  const request = (agent: http.Agent, method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, method, path, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    job.learners.map(async (learner, l) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      // Start from the versions stored by earlier rounds, as a page does on load.
      const stored = (await request(agent, 'GET', `/api/work/demo/${job.route}`, { cookie: learner.cookie })).body;
      const known = new Map(
        (JSON.parse(stored) as { cells: { cellId: string; version: number }[] }).cells.map((c) => [
          c.cellId,
          c.version,
        ]),
      );
      const versions = job.cells.map((c) => known.get(c.id) ?? 0);
      for (let n = 0; Date.now() < end; n++) {
        const started = process.hrtime.bigint();
        let status: number;
        if (job.mode === 'session') {
          status = (await request(agent, 'GET', '/api/session', { cookie: learner.cookie })).status;
        } else {
          const c = n % job.cells.length;
          const cell = job.cells[c]!;
          const code = `# learner ${l}, save ${n}\n` + 'total = sum(range(10))\nprint(total)\n'.repeat(12);
          const res = await request(
            agent,
            'PUT',
            `/api/work/demo/${job.route}/cells/${encodeURIComponent(cell.id)}`,
            { cookie: learner.cookie, 'x-csrf-token': learner.csrf, 'content-type': 'application/json' },
            JSON.stringify({ code, original: cell.original, baseVersion: versions[c] }),
          );
          status = res.status;
          if (status === 200) versions[c] = (JSON.parse(res.body) as { version: number }).version;
        }
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (status !== 200) errors++;
        if (job.thinkMs > 0) await new Promise((resolve) => setTimeout(resolve, job.thinkMs));
      }
      agent.destroy();
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const result: Load = { rps: latencies.length / job.seconds, p50: at(0.5), p99: at(0.99), errors };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  const { buildApp } = await import('../apps/server/src/app.ts');
  const { loadConfig } = await import('../apps/server/src/config.ts');
  const { importCourse } = await import('../apps/server/src/lib/import/import-course.ts');
  const { createSession } = await import('../apps/server/src/lib/auth/sessions.ts');
  const { hashPassword } = await import('../apps/server/src/lib/auth/passwords.ts');
  const { insertUser } = await import('../apps/server/src/models/users.ts');
  const { selectOptionalItemByRoute } = await import('../apps/server/src/models/course-items.ts');
  const { selectOptionalLiveVersionBySlug } = await import('../apps/server/src/models/courses.ts');
  const { createTestDb } = await import('../apps/server/test/databases.ts');
  const { openDatabase } = await import('../apps/server/src/db/database.ts');

  const root = join(import.meta.dirname, '..');
  const dialect = values.database as 'sqlite' | 'postgres';
  const t = await createTestDb(dialect);
  await importCourse(t.db, { source: join(root, 'demo-course'), slug: 'demo', dataDir: t.dataDir });
  // The server gets its own connection pool of the default size (test databases use a small one).
  const config = loadConfig(
    { DATABASE_URL: t.databaseUrl ?? '' },
    // No write limit here: the benchmark measures the database, not the throttle.
    { dataDir: t.dataDir, logLevel: 'warn', savesPerSecond: '1000000' },
  );
  const db = openDatabase({ databaseUrl: config.databaseUrl, dataDir: t.dataDir, poolSize: config.dbPoolSize });
  const app = await buildApp({ config, db, logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });

  const route = 'w1/w1-s1-c1-nombres';
  const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
  const meta = JSON.parse((await selectOptionalItemByRoute(t.db.kysely, live.id, route))!.meta) as {
    codeCells: { id: string; source: string }[];
  };
  const cells = meta.codeCells.map((c) => ({ id: c.id, original: c.source }));
  const passwordHash = await hashPassword('bench password 123');
  const learners: Learner[] = [];
  for (let i = 0; i < Number(values.learners); i++) {
    const user = await insertUser(
      t.db.kysely,
      { email: `learner${i}@bench.example`, displayName: `Learner ${i}`, passwordHash },
      new Date(),
    );
    const session = await createSession(
      t.db.kysely,
      user!.id,
      { idleMs: 3600_000, maxMs: 3600_000 },
      new Date(),
      'bench',
    );
    learners.push({ cookie: `carnet_session=${session.token}`, csrf: session.csrfSecret });
  }

  const tsx = join(root, 'node_modules/.bin/tsx');
  const load = (mode: ClientJob['mode'], seconds: number): Promise<Load> =>
    new Promise((resolve, reject) => {
      const job: ClientJob = { url: address, mode, seconds, thinkMs: Number(values.think), route, cells, learners };
      const child = spawn(tsx, [import.meta.filename, '--client', JSON.stringify(job)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`client ${code}`))));
    });

  // Interleaved rounds, so that a noisy neighbour weighs on both sides alike; medians are reported.
  await load('session', 1);
  await load('save', 1);
  const sessionRuns: Load[] = [];
  const saveRuns: Load[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    sessionRuns.push(await load('session', Number(values.duration)));
    saveRuns.push(await load('save', Number(values.duration)));
  }
  const saved = await t.db.kysely
    .selectFrom('saved_cells')
    .select((eb) => eb.fn.sum<number>('version').as('n'))
    .executeTakeFirstOrThrow();
  await app.close();
  await db.close();
  await t.cleanup();

  const session = medianLoad(sessionRuns);
  const saves = medianLoad(saveRuns);
  const ratio = saves.rps / session.rps;
  const ms = (n: number) => n.toFixed(1);
  console.log(
    `Database: ${dialect}; ${values.learners} learners on keep-alive connections, ${values.think} ms between a learner's requests, ${values.rounds} rounds of ${values.duration} s (medians)`,
  );
  console.log(
    `GET /api/session: ${session.rps.toFixed(0)} req/s, p50 ${ms(session.p50)} ms, p99 ${ms(session.p99)} ms`,
  );
  console.log(`PUT a cell:       ${saves.rps.toFixed(0)} saves/s, p50 ${ms(saves.p50)} ms, p99 ${ms(saves.p99)} ms`);
  console.log(
    `Ratio saves/minimal: ${(ratio * 100).toFixed(0)} %; saves p99 ${ms(saves.p99)} ms (target < 50 ms: ${saves.p99 < 50 ? 'met' : 'MISSED'})`,
  );
  console.log(`Versions stored: ${Number(saved.n)}`);
  if (session.errors + saves.errors > 0) console.log(`Errors: ${session.errors + saves.errors}`);
  record(`saves-${dialect}-think${values.think}`, {
    session,
    saves,
    ratio,
    learners: Number(values.learners),
    thinkMs: Number(values.think),
  });
}
