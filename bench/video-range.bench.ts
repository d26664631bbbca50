/**
 * A course video served to many players at once (issue 12, ADR 040): a 500 MB `.webm` (random
 * bytes: nothing looks inside) is imported, then the real `carnet serve`, in its own process, is
 * read by 20 concurrent clients, each reading the whole file as successive 1–4 MB Range requests
 * (as a player that seeks and buffers does), then once more as 20 whole-file 200 reads. The
 * server's RSS is sampled from /proc every 100 ms: before, highest during, after.
 *
 * Baseline, same run, same file (the stored copy in DATA_DIR/media), same clients: a bare Node
 * `http` server in its own process that answers ranges with `fs.createReadStream({ start, end })`
 * and nothing else (no database look-up, no headers, no hooks). Ratios: throughput, RSS growth.
 * The import is measured too: its time and the RSS growth of the process that imports (the video
 * is hashed and copied as a stream, never read whole).
 *
 * Passes alternate between the two servers (ranges, then whole reads), `--rounds` times; medians.
 *
 *   npx tsx bench/video-range.bench.ts [--mb 500] [--clients 20] [--rounds 2] [--database sqlite|postgres]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { mediaFilePath } from '../apps/server/src/lib/media.ts';
import { createTestDb, type Dialect } from '../apps/server/test/databases.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '500' },
    clients: { type: 'string', default: '20' },
    database: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '2' },
  },
});
const MB = 1048576;
const SIZE = Number(values.mb) * MB;
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const CARNET = join(import.meta.dirname, '..', 'apps', 'server', 'bin', 'carnet.js');

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A process's resident memory (bytes), from /proc. */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

/** Samples a process's RSS every 100 ms until stopped: the highest seen. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssOf(pid));
    },
  };
}

/** Starts a server process and waits for the line that says it listens. */
async function start(command: string, args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping.has(child))
      console.error(`${command} ${args[0] ?? ''} exited (${code ?? signal}) during the benchmark`);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${command} ${args[0] ?? ''} exited (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(ready)) resolve();
    });
  });
  return child;
}

const stopping = new WeakSet<ChildProcess>();

async function stop(child: ChildProcess): Promise<void> {
  stopping.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// The bare baseline: ranges from a read stream, nothing else.
const BARE = `
const http = require('node:http');
const fs = require('node:fs');
const file = process.env.FILE;
const size = fs.statSync(file).size;
const server = http.createServer((req, res) => {
  const m = /^bytes=(\\d+)-(\\d+)$/.exec(req.headers.range || '');
  const start = m ? Number(m[1]) : 0;
  const end = m ? Math.min(Number(m[2]), size - 1) : size - 1;
  res.writeHead(m ? 206 : 200, {
    'Content-Type': 'video/webm',
    'Content-Length': end - start + 1,
    ...(m ? { 'Content-Range': 'bytes ' + start + '-' + end + '/' + size } : {}),
  });
  const stream = fs.createReadStream(file, { start, end, highWaterMark: 256 * 1024 });
  stream.pipe(res);
  res.on('close', () => stream.destroy());
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('bare listening'));
`;

/**
 * One pass: every client reads the whole file, as ranges of 1–4 MB (seeded, the same for both
 * servers) or as one 200. Checks each answer's status, length, Content-Range and first bytes.
 */
async function pass(port: number, path: string, mode: 'ranges' | 'full', source: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const expectStart = Buffer.alloc(16);
  const get = (start: number, end: number | null) =>
    new Promise<void>((resolve, reject) => {
      const headers = end === null ? {} : { range: `bytes=${start}-${end}` };
      const request = http.get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
        const last = end ?? SIZE - 1;
        const want = end === null ? 200 : 206;
        const range = res.headers['content-range'];
        if (res.statusCode !== want || (end !== null && range !== `bytes ${start}-${last}/${SIZE}`)) {
          reject(new Error(`${res.statusCode} ${range ?? ''} for ${start}-${end ?? ''}`));
          res.resume();
          return;
        }
        let received = 0;
        let head: Buffer | null = null;
        res.on('data', (chunk: Buffer) => {
          if (head === null) head = chunk.subarray(0, 16);
          received += chunk.byteLength;
        });
        res.on('end', () => {
          readSync(source, expectStart, 0, 16, start);
          if (received !== last - start + 1) reject(new Error(`${received} bytes for ${start}-${last}`));
          else if (!head || !expectStart.subarray(0, (head as Buffer).byteLength).equals(head)) {
            reject(new Error(`wrong bytes at ${start}`));
          } else resolve();
        });
        res.on('error', reject);
      });
      request.on('error', reject);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      if (mode === 'full') return get(0, null);
      let seed = client + 1;
      for (let at = 0; at < SIZE;) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const length = MB + (seed % (3 * MB + 1));
        const end = Math.min(at + length, SIZE) - 1;
        await get(at, end);
        at = end + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return (CLIENTS * SIZE) / MB / seconds;
}

interface Figures {
  rangesMBs: number;
  fullMBs: number;
  rssBefore: number;
  rssMax: number;
  rssAfter: number;
}

/** A server under test: its process and what to ask it for; RSS peaks and throughputs gathered. */
interface Side {
  child: ChildProcess;
  port: number;
  path: string;
  rssBefore: number;
  rssMax: number;
  ranges: number[];
  full: number[];
}

/** One pass against one side, its server's RSS sampled throughout. */
async function measure(side: Side, mode: 'ranges' | 'full', source: number): Promise<void> {
  const sampler = sampleRss(side.child.pid!);
  const mbs = await pass(side.port, side.path, mode, source);
  side.rssMax = Math.max(side.rssMax, sampler.stop());
  side[mode].push(mbs);
}

const dialect = values.database as Dialect;
const t = await createTestDb(dialect);
const course = join(t.dataDir, 'course');
mkdirSync(join(course, 'media'), { recursive: true });
const fd = openSync(join(course, 'media', 'big.webm'), 'w');
for (let written = 0; written < SIZE; written += 4 * MB) writeSync(fd, randomBytes(Math.min(4 * MB, SIZE - written)));
closeSync(fd);
writeFileSync(join(course, 'README.md'), '# Vidéo\n');

const importRss = rssOf(process.pid);
const importSampler = sampleRss(process.pid);
const importStarted = performance.now();
const summary = await importCourse(t.db, { source: course, slug: 'video', dataDir: t.dataDir });
const importSeconds = (performance.now() - importStarted) / 1000;
const importPeak = importSampler.stop();
if (summary.status !== 'imported') throw new Error(`import ${summary.status}: ${JSON.stringify(summary.errors)}`);
rmSync(course, { recursive: true, force: true });
const live = await t.db.kysely.selectFrom('course_media').select('sha256').executeTakeFirstOrThrow();
const stored = mediaFilePath(t.dataDir, live.sha256, 'media/big.webm');
const source = openSync(stored, 'r');

const children: ChildProcess[] = [];
let carnetFigures: Figures;
let bareFigures: Figures;
try {
  const carnetPort = await freePort();
  const carnet = await start(
    process.execPath,
    [CARNET, 'serve', '--port', String(carnetPort), '--host', '127.0.0.1'],
    { DATABASE_URL: t.databaseUrl ?? '', CARNET_DATA_DIR: t.dataDir, CARNET_LOG_LEVEL: 'warn' },
    'Carnet is serving',
  );
  children.push(carnet);
  const barePort = await freePort();
  const bare = await start(process.execPath, ['-e', BARE], { FILE: stored, PORT: String(barePort) }, 'bare listening');
  children.push(bare);

  // Warm the page cache with one read of the file here, so that neither side pays the disk.
  for await (const chunk of createReadStream(stored, { highWaterMark: 4 * MB })) void chunk;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sides: Side[] = [
    { child: carnet, port: carnetPort, path: `/files/video/${summary.tag}/media/big.webm` },
    { child: bare, port: barePort, path: '/' },
  ].map((s) => ({ ...s, rssBefore: rssOf(s.child.pid!), rssMax: 0, ranges: [], full: [] }));
  // Interleaved, so that a noisy neighbour weighs on both sides alike; medians are reported.
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['ranges', 'full'] as const) for (const side of sides) await measure(side, mode, source);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  [carnetFigures, bareFigures] = sides.map((side): Figures => ({
    rangesMBs: median(side.ranges),
    fullMBs: median(side.full),
    rssBefore: side.rssBefore,
    rssMax: side.rssMax,
    rssAfter: rssOf(side.child.pid!),
  })) as [Figures, Figures];
} finally {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await stop(child);
  closeSync(source);
  await t.cleanup();
}

const mb = (bytes: number) => (bytes / MB).toFixed(0);
const growth = (f: Figures) => f.rssMax - f.rssBefore;
console.log(
  `${values.mb} MB video, ${CLIENTS} clients, ${ROUNDS} rounds, ${dialect}: import ${importSeconds.toFixed(1)} s, importing process RSS ${mb(importRss)} → peak ${mb(importPeak)} MB (+${mb(importPeak - importRss)})`,
);
for (const [name, f] of [
  ['carnet serve', carnetFigures],
  ['bare node http', bareFigures],
] as const) {
  console.log(
    `${name.padEnd(15)} ranges of 1–4 MB ${f.rangesMBs.toFixed(0)} MB/s, whole-file 200s ${f.fullMBs.toFixed(0)} MB/s; RSS ${mb(f.rssBefore)} MB before, ${mb(f.rssMax)} max, ${mb(f.rssAfter)} after (+${mb(growth(f))})`,
  );
}
const rangesRatio = carnetFigures.rangesMBs / bareFigures.rangesMBs;
const fullRatio = carnetFigures.fullMBs / bareFigures.fullMBs;
console.log(
  `Ratio carnet/bare: throughput ranges ${rangesRatio.toFixed(2)}, whole ${fullRatio.toFixed(2)}; RSS growth ${mb(growth(carnetFigures))} vs ${mb(growth(bareFigures))} MB`,
);
record(`video-range-${dialect}`, {
  sizeMb: Number(values.mb),
  clients: CLIENTS,
  import: { seconds: importSeconds, rssBefore: importRss, rssPeak: importPeak },
  carnet: carnetFigures,
  bare: bareFigures,
  rangesRatio,
  fullRatio,
});
