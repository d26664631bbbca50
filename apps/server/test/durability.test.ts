import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectOptionalItemByRoute } from '../src/models/course-items.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, REPO_ROOT } from './fixtures.ts';

/**
 * Every save the server acknowledged (200) survives the process being killed (SIGKILL, no
 * shutdown) in the middle of a burst of concurrent saves, on both databases. The real server runs
 * as `npm start` runs it: the built CLI, in its own process.
 */

const CARNET = join(REPO_ROOT, 'apps/server/bin/carnet.js');
const ROUTES = ['w1/w1-s1-c1-nombres', 'w1/w1-s2-c1-chaines'];

interface Server {
  url: string;
  process: ChildProcess;
}

function serve(t: TestDb): Promise<Server> {
  const child = spawn(process.execPath, [CARNET, 'serve', '--port', '0'], {
    env: {
      ...process.env,
      CARNET_DATA_DIR: t.dataDir,
      DATABASE_URL: t.databaseUrl ?? '',
      CARNET_LOG_LEVEL: 'warn',
      CARNET_SAVES_PER_SECOND: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`carnet serve did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, process: child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`carnet serve exited with ${code}:\n${output}`)));
  });
}

function stop(server: Server, signal: NodeJS.Signals): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  server.process.kill(signal);
  return exited;
}

/** Logs in through the real form; returns the cookie header and the CSRF token of JSON writes. */
async function logIn(url: string, email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${url}/login`);
  const anonymous = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: anonymous.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
  expect(login.status).toBe(303);
  const session = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('carnet_session='))!;
  const { csrf } = (await (await fetch(`${url}/api/session`, { headers: { cookie: session } })).json()) as {
    csrf: string;
  };
  return { cookie: session, csrf };
}

describe.each(DIALECTS)('durability of acknowledged saves on %s', (dialect) => {
  let t: TestDb | undefined;
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await stop(server, 'SIGTERM');
    await t?.cleanup();
  });

  it('keeps every acknowledged save after a SIGKILL in the middle of a burst', async () => {
    if (!existsSync(join(REPO_ROOT, 'apps/server/dist/cli.js'))) throw new Error('Build first: npm run build');
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    const user = await createUser(t.db, 'durable@example.org');
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const cells: { route: string; id: string; original: string }[] = [];
    for (const route of ROUTES) {
      const meta = JSON.parse((await selectOptionalItemByRoute(t.db.kysely, live.id, route))!.meta) as {
        codeCells: { id: string; source: string }[];
      };
      for (const c of meta.codeCells) cells.push({ route, id: c.id, original: c.source });
    }
    expect(cells.length).toBeGreaterThanOrEqual(8);

    const first = await serve(t);
    servers.push(first);
    const { cookie, csrf } = await logIn(first.url, user.email, user.password);

    // One writer per cell, all at once, each saving version after version of its own cell.
    const acknowledged = new Map<string, { version: number; code: string }>();
    let unanswered = 0;
    let killed = false;
    const writers = cells.map(async (cell) => {
      let version = 0;
      for (let n = 1; !killed; n++) {
        const code = `# ${cell.id} save ${n}\nprint(${n})\n` + 'x'.repeat(n % 7 === 0 ? 20_000 : 100);
        try {
          const res = await fetch(`${first.url}/api/work/demo/${cell.route}/cells/${encodeURIComponent(cell.id)}`, {
            method: 'PUT',
            headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
            body: JSON.stringify({ code, original: cell.original, baseVersion: version }),
          });
          if (res.status !== 200) throw new Error(`save answered ${res.status}: ${await res.text()}`);
          version = ((await res.json()) as { version: number }).version;
          acknowledged.set(`${cell.route}\0${cell.id}`, { version, code });
        } catch (error) {
          if (!killed) throw error;
          unanswered++;
          return;
        }
      }
    });
    // Kill once the burst is well under way: every writer has had several saves acknowledged.
    const started = Date.now();
    const underWay = () =>
      acknowledged.size === cells.length && [...acknowledged.values()].every((a) => a.version >= 3);
    while (!underWay()) {
      if (Date.now() - started > 20_000) throw new Error('the burst did not get going');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    killed = true;
    first.process.kill('SIGKILL');
    await Promise.all(writers);
    await stop(first, 'SIGKILL');
    expect(first.process.signalCode).toBe('SIGKILL');
    // The kill landed in the middle: requests were in flight and never answered.
    expect(unanswered).toBeGreaterThan(0);

    const second = await serve(t);
    servers.push(second);
    let checked = 0;
    for (const route of ROUTES) {
      const res = await fetch(`${second.url}/api/work/demo/${route}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      const saved = new Map(
        ((await res.json()) as { cells: { cellId: string; code: string; version: number }[] }).cells.map((c) => [
          c.cellId,
          c,
        ]),
      );
      for (const cell of cells.filter((c) => c.route === route)) {
        const acked = acknowledged.get(`${route}\0${cell.id}`);
        if (!acked) continue;
        const row = saved.get(cell.id);
        expect(row, `${route} ${cell.id}`).toBeDefined();
        // At least the acknowledged version; a save that got no answer may have landed after it.
        expect(row!.version).toBeGreaterThanOrEqual(acked.version);
        if (row!.version === acked.version) expect(row!.code).toBe(acked.code);
        checked++;
      }
    }
    expect(checked).toBe(cells.length);
    await stop(second, 'SIGTERM');
  });
});
