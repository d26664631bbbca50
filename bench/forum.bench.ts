/**
 * The forum at the scale of issue 13: a course with N threads and M posts (by default 100,000 and
 * 2,000,000), seeded in bulk SQL (INSERT … SELECT over generate_series on PostgreSQL, a recursive
 * CTE on SQLite; the full-text index kept by its triggers as in production), then the throughput
 * and p50/p99 latency of the topic list, an item's panel fragment, a thread of 2,000 replies
 * (first and last page), search and similar-title suggestions, each against `/healthz` measured
 * in the same run (ratios are what to watch: these machines are noisy). Load from wrk (one
 * thread) in a separate process, or autocannon. Targets (issue 13): list and panel p99 < 50 ms
 * and ≥ 50 % of the baseline's throughput; thread p99 < 100 ms; search p99 < 100 ms.
 *
 *   npx tsx bench/forum.bench.ts [--database postgres|sqlite] [--threads 100000] [--posts 2000000]
 *                                [--duration 5] [--rounds 2] [--connections 50]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import type { Database } from '../apps/server/src/db/schema.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { selectOptionalLiveVersionBySlug } from '../apps/server/src/models/courses.ts';
import { createUser } from '../apps/server/test/agent.ts';
import { createTestDb, type Dialect } from '../apps/server/test/databases.ts';
import { type Load, medianLoad, record } from './report.ts';

const { values } = parseArgs({
  options: {
    database: { type: 'string', default: 'postgres' },
    threads: { type: 'string', default: '100000' },
    posts: { type: 'string', default: '2000000' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
  },
});
const dialect = values.database as Dialect;
const THREADS = Number(values.threads);
const POSTS = Number(values.posts);
const LONG = 2000;
if (POSTS < THREADS + LONG) throw new Error(`--posts must be at least --threads + ${LONG}`);
const root = join(import.meta.dirname, '..');

// Reproducible text: a vocabulary with a few real words at the head (the most frequent) and
// made-up ones after, drawn with a skew, so some terms are in most posts and most in few.
let seed = 42;
/** mulberry32: a small PRNG with 32-bit integer steps (exact in JavaScript numbers). */
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
};
const REAL = (
  'liste fonction boucle variable erreur dictionnaire chaîne entier python exercice tuple indice ' +
  'élève récursivité itération classe objet méthode module fichier lecture écriture tri recherche ' +
  'argument retour valeur booléen condition exception compréhension générateur lambda ensemble'
).split(' ');
const SYLLABLES =
  'ba be bi bo bu ca ce ci co da de di do fa fe fi la le li lo lu ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo za zo'.split(
    ' ',
  );
const vocabulary = [...REAL];
while (vocabulary.length < 5000) {
  const n = 2 + Math.floor(random() * 3);
  let word = '';
  for (let i = 0; i < n; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  if (!vocabulary.includes(word)) vocabulary.push(word);
}
const pick = (): string => vocabulary[Math.floor(random() ** 3 * vocabulary.length)]!;
const phrase = (n: number): string => Array.from({ length: n }, pick).join(' ');
const BODIES = 50_000;

const t = await createTestDb(dialect);
const db: Kysely<Database> = t.db.kysely;
await importCourse(t.db, { source: join(root, 'demo-course'), slug: 'demo', dataDir: t.dataDir });
const app = await buildApp({
  config: loadConfig({}, { dataDir: t.dataDir, logLevel: 'warn' }),
  db: t.db,
  logger: false,
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
// The first visit creates the topics (one per week, and general).
if ((await app.inject({ url: '/courses/demo/forum' })).statusCode !== 200) throw new Error('no forum');

const live = (await selectOptionalLiveVersionBySlug(db, 'demo'))!;
const author = await createUser(t.db, 'bench@example.org', { name: 'Bench' });
const topics = await db
  .selectFrom('forum_topics')
  .select('id')
  .where('course_id', '=', live.course_id)
  .orderBy('id')
  .execute();
const routes = await db
  .selectFrom('course_items')
  .select('route')
  .where('version_id', '=', live.id)
  .where('type', '=', 'notebook')
  .orderBy('position')
  .execute();

const started = Date.now();
const pg = dialect === 'postgres';
await sql`create table bench_slots (kind text not null, slot integer not null, value text not null)`.execute(db);
await sql`create table bench_bodies (id integer primary key, body text not null)`.execute(db);
await sql`create table bench_titles (id integer primary key, title text not null)`.execute(db);

async function insertRows(table: string, rows: [number, string][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000).map(([id, text]) => sql`(${id}, ${text})`);
    await sql`insert into ${sql.table(table)} values ${sql.join(chunk)}`.execute(db);
  }
}
await insertRows(
  'bench_bodies',
  Array.from({ length: BODIES }, (_, i) => [i, `${phrase(8 + Math.floor(random() * 20))}.`]),
);
await insertRows(
  'bench_titles',
  Array.from({ length: THREADS }, (_, i) => [i + 1, phrase(3 + Math.floor(random() * 5))]),
);
const slots = [
  ...topics.map((x, i) => sql`('topic', ${i}, ${String(x.id)})`),
  ...routes.map((x, i) => sql`('route', ${i}, ${x.route})`),
];
await sql`insert into bench_slots values ${sql.join(slots)}`.execute(db);

// Thread n: its topic and (one in ten) item by slot; thread 1 has LONG replies, the others share the rest.
const rest = POSTS - THREADS - LONG;
/** Rows `s.n` = first…last. */
const seq = (first: number, last: number) =>
  pg
    ? sql`select g as n from generate_series(${first}::integer, ${last}::integer) g`
    : sql`select n from (with recursive r(n) as (select ${first} union all select n + 1 from r where n < ${last}) select n from r)`;
const at = (seconds: ReturnType<typeof sql.raw>) =>
  pg
    ? sql`to_char(timestamp '2026-01-01' + ${seconds} * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')`
    : sql`strftime('%Y-%m-%dT%H:%M:%S.000Z', '2026-01-01', '+' || ${seconds} || ' seconds')`;
const each = Math.floor(rest / (THREADS - 1));
await sql`insert into forum_threads (id, course_id, topic_id, route, kind, title, author_id, created_at, last_activity_at, reply_count)
  select s.n, ${live.course_id}, cast(tp.value as integer),
    case when s.n % 10 = 0 then (select value from bench_slots r where r.kind = 'route' and r.slot = (s.n / 10) % ${routes.length}) end,
    case when s.n % 3 = 0 then 'discussion' else 'question' end, bt.title, ${author.id}, ${at(sql.raw('s.n'))}, ${at(sql.raw('s.n'))},
    case when s.n = 1 then ${LONG} else ${each} + case when s.n - 2 < ${rest % (THREADS - 1)} then 1 else 0 end end
  from (${seq(1, THREADS)}) s
  join bench_slots tp on tp.kind = 'topic' and tp.slot = s.n % ${topics.length}
  join bench_titles bt on bt.id = s.n`.execute(db);
// The topics' counts, as the forum keeps them when threads are posted (migration 0017).
await sql`update forum_topics set thread_count = (select count(*) from forum_threads t
  where t.topic_id = forum_topics.id and t.deleted = 0) where course_id = ${live.course_id}`.execute(db);
const threadsDone = Date.now();

// Posts j = 1…M: the opening posts (j ≤ N, of thread j), thread 1's replies, then the others'
// (thread 2 + j mod (N − 1)); bodies drawn from the table by a multiplicative hash of j.
const threadOf = sql.raw(
  `case when s.n <= ${THREADS} then s.n when s.n <= ${THREADS + LONG} then 1 else 2 + (s.n - ${THREADS + LONG + 1}) % ${THREADS - 1} end`,
);
const SLICE = 200_000;
for (let first = 1; first <= POSTS; first += SLICE) {
  const last = Math.min(POSTS, first + SLICE - 1);
  await sql`insert into forum_posts (id, thread_id, depth, author_id, body, html, created_at)
    select s.n, ${threadOf}, case when s.n <= ${THREADS} then 0 else 1 end, ${author.id}, b.body,
      '<p>' || b.body || '</p>', ${at(sql.raw(`(${THREADS} + s.n)`))}
    from (${seq(first, last)}) s join bench_bodies b on b.id = ((s.n % ${BODIES}) * 7919) % ${BODIES}`.execute(db);
  process.stdout.write(`\rposts: ${last} / ${POSTS} (${((Date.now() - threadsDone) / 1000).toFixed(0)} s)`);
}
process.stdout.write('\n');
// Moderation as a live course has it: a few pinned threads (they head the list), one thread in a
// thousand hidden, one reply in a hundred of the long thread hidden (its count kept as writers do).
await sql`update forum_threads set pinned = 1 where id in (3, 5, 7, 11, 13)`.execute(db);
await sql`update forum_threads set hidden = 1 where id % 1000 = 17`.execute(db);
await sql`update forum_posts set hidden = 1 where thread_id = 1 and depth = 1 and id % 100 = 0`.execute(db);
await sql`update forum_threads set reply_count = (select count(*) from forum_posts p
  where p.thread_id = 1 and p.depth = 1 and p.hidden = 0) where id = 1`.execute(db);
// PostgreSQL's autovacuum would have set the visibility map of these tables by now (index-only
// counts read it); a bulk load has to ask.
await sql.raw(pg ? 'vacuum (analyze)' : 'analyze').execute(db);
const seeded = Date.now();
const indexed = await sql<{ n: number | string }>`select count(*) as n from forum_search`.execute(db);
console.log(
  `Seeded ${THREADS} threads and ${POSTS} posts on ${dialect} in ${((seeded - started) / 1000).toFixed(0)} s ` +
    `(posts and their index ${((seeded - threadsDone) / 1000).toFixed(0)} s; ${Number(indexed.rows[0]!.n)} posts indexed)`,
);

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
const scripts = mkdtempSync(join(tmpdir(), 'carnet-forum-bench-'));

/** The load of one route (several paths: taken in turn, by a wrk script). */
async function load(paths: string[], seconds: string): Promise<Load> {
  if (wrk) {
    const script = join(scripts, `paths-${paths.length}-${paths[0]!.length}.lua`);
    writeFileSync(
      script,
      `local paths = {${paths.map((p) => JSON.stringify(p)).join(', ')}}\nlocal i = 0\n` +
        'request = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n',
    );
    const out = await run('wrk', [
      '-t1',
      `-c${values.connections}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      address,
    ]);
    const ms = (label: string): number => {
      const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
      if (!m) return NaN;
      return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
    };
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]),
      p50: ms('50'),
      p99: ms('99'),
      errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? '0'),
    };
  }
  // autocannon: the first path only.
  const bin = join(root, 'node_modules/.bin/autocannon');
  const result = JSON.parse(
    await run(bin, ['--json', '-c', values.connections!, '-d', seconds, `${address}${paths[0]}`]),
  ) as {
    requests: { average: number };
    latency: { p99: number; p50: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

// Searches a learner would type: two words of the middle of the vocabulary, one rarer word, a
// frequent real word with a rarer one, and accents left out.
const queries = Array.from({ length: 40 }, (_, i) => {
  const mid = vocabulary[200 + ((i * 37) % 800)]!;
  const rare = vocabulary[1500 + ((i * 53) % 3000)]!;
  const real = REAL[i % REAL.length]!;
  return [
    `${mid} ${vocabulary[100 + ((i * 11) % 400)]}`,
    rare,
    `${real} ${rare}`,
    real.normalize('NFD').replace(/\p{M}/gu, ''),
  ][i % 4]!;
});
const route = routes[0]!.route;
const lastPage = Math.ceil(LONG / 50);
const targets: { name: string; paths: string[]; p99: number; ratio?: number }[] = [
  { name: 'Topic list', paths: ['/courses/demo/forum'], p99: 50, ratio: 0.5 },
  { name: 'Topic list, one topic', paths: ['/courses/demo/forum?topic=week-1'], p99: 50, ratio: 0.5 },
  {
    name: "Notebook's panel",
    paths: [`/courses/demo/forum/panel?route=${encodeURIComponent(route)}`],
    p99: 50,
    ratio: 0.5,
  },
  { name: `Thread of ${LONG} replies, page 1`, paths: ['/courses/demo/forum/threads/1'], p99: 100 },
  {
    name: `Thread of ${LONG} replies, page ${lastPage}`,
    paths: [`/courses/demo/forum/threads/1?page=${lastPage}`],
    p99: 100,
  },
  {
    name: 'Search (40 queries in turn)',
    paths: queries.map((q) => `/courses/demo/forum/search?q=${encodeURIComponent(q)}`),
    p99: 100,
  },
  {
    name: 'Similar titles (40 in turn)',
    paths: queries.map((q) => `/courses/demo/forum/similar?title=${encodeURIComponent(`Question sur ${q}`)}`),
    p99: 100,
  },
];
for (const target of targets) {
  const res = await app.inject({ url: target.paths[0]! });
  if (res.statusCode !== 200) throw new Error(`${target.paths[0]}: ${res.statusCode}`);
}

// Interleaved rounds (the baseline before each route), so that a noisy neighbour weighs on both alike.
const baselineRuns: Load[] = [];
const runs = new Map<string, Load[]>(targets.map((x) => [x.name, []]));
const loadBefore = loadavg().map((x) => x.toFixed(2));
await load(['/healthz'], '2');
for (let round = 0; round < Number(values.rounds); round++) {
  for (const target of targets) {
    baselineRuns.push(await load(['/healthz'], values.duration!));
    runs.get(target.name)!.push(await load(target.paths, values.duration!));
  }
}
await app.close();
await t.cleanup();
rmSync(scripts, { recursive: true, force: true });

const baseline = medianLoad(baselineRuns);
const loadAverage = loadavg().map((x) => x.toFixed(2));
console.log(
  `Load average (1, 5, 15 min) when the load started ${loadBefore.join(', ')}, at the end ${loadAverage.join(', ')}`,
);
console.log(
  `Database: ${dialect}; ${THREADS} threads, ${POSTS} posts; load from ${wrk ? 'wrk' : 'autocannon'}, ${values.connections} connections, ` +
    `${values.rounds} rounds of ${values.duration} s (medians)`,
);
const line = (name: string, l: Load) =>
  `${name.padEnd(32)} ${l.rps.toFixed(0).padStart(6)} req/s  p50 ${l.p50.toFixed(1).padStart(6)} ms  p99 ${l.p99.toFixed(1).padStart(6)} ms`;
console.log(line('/healthz (baseline)', baseline));
const results: Record<string, unknown> = {
  baseline,
  threads: THREADS,
  posts: POSTS,
  seedSeconds: (seeded - started) / 1000,
  loadAverage: { start: loadBefore, end: loadAverage },
};
let errors = baseline.errors;
for (const target of targets) {
  const l = medianLoad(runs.get(target.name)!);
  errors += l.errors;
  const ratio = l.rps / baseline.rps;
  const checks = [`p99 < ${target.p99} ms: ${l.p99 < target.p99 ? 'met' : 'MISSED'}`];
  if (target.ratio !== undefined) checks.push(`≥ ${target.ratio * 100} %: ${ratio >= target.ratio ? 'met' : 'MISSED'}`);
  console.log(`${line(target.name, l)}  ${(ratio * 100).toFixed(0).padStart(3)} % of baseline (${checks.join('; ')})`);
  results[target.name] = { ...l, ratio };
}
if (errors > 0) console.log(`Errors: ${errors}`);
record(`forum-${dialect}`, results);
