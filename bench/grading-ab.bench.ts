/**
 * A change to the sandbox against another checkout (`--base`, e.g. a worktree of main), in one
 * process: the demo course's `exo_duree` graded (untrusted run + trusted judge, `gradeCells`)
 * through each checkout's own fork-server (one slot each), one submission at a time, alternating
 * A and B, so that the load of a shared machine falls on both alike. Prints the ratio of the
 * median grading times (this checkout ÷ base; < 1: faster). The full path (JobQueue, two at a
 * time, against bare spawns) is `grading.bench.ts`.
 *
 *   npx tsx bench/grading-ab.bench.ts --base /work/main [--count 400]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../apps/server/src/db/database.ts';
import { migrateToLatest } from '../apps/server/src/db/migrate.ts';
import { versionSeals } from '../apps/server/src/lib/exercises/seals.ts';
import { gradingCourse, trustedCourse } from '../apps/server/src/lib/grading/course.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { sandboxCourseRoot } from '../apps/server/src/lib/sandbox/layout.ts';
import { selectOptionalLiveVersionBySlug } from '../apps/server/src/models/courses.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({ options: { base: { type: 'string' }, count: { type: 'string', default: '400' } } });
if (!values.base) throw new Error('--base <checkout> is required (a checkout of Carnet to compare with)');
const COUNT = Number(values.count);
const here = resolve(import.meta.dirname, '..');

interface Side {
  sandbox: { close(): void; warm(): Promise<void> };
  gradeCells: (
    sandbox: unknown,
    input: unknown,
    options: unknown,
  ) => Promise<{ status: string; verdict?: { ok: boolean } }>;
}

/** A checkout's fork-server and grading function, from its own sources. */
async function side(root: string): Promise<Side> {
  const src = join(root, 'apps/server/src');
  const setup = await import(join(src, 'lib/sandbox/setup.ts'));
  const { ForkServerSandbox } = await import(join(src, 'lib/sandbox/fork-server.ts'));
  const { sandboxLibraryDir } = await import(join(src, 'lib/exercises/library.ts'));
  const { gradeCells } = await import(join(src, 'lib/grading/grade-job.ts'));
  const python = await setup.probePython('/usr/bin/python3');
  if (typeof python === 'string') throw new Error(python);
  const sandbox = new ForkServerSandbox({
    bwrap: setup.findExecutable('bwrap'),
    python,
    slots: 1,
    libraries: [sandboxLibraryDir()],
    preload: setup.PRELOAD,
    // One course root for both: the version's folders below are laid out once, by this checkout.
    courseRoot: sandboxCourseRoot(),
  });
  await sandbox.warm();
  return { sandbox, gradeCells };
}

const base = await side(resolve(values.base));
const mine = await side(here);
const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-ab-'));
const db = openDatabase({ dataDir });
await migrateToLatest(db);
await importCourse(db, {
  source: join(here, 'demo-course'),
  slug: 'demo',
  dataDir,
  sandbox: mine.sandbox as never,
});
const version = (await selectOptionalLiveVersionBySlug(db.kysely, 'demo'))!;
const ROUTE = 'w1/w1-s3-x1-duree';
const input = {
  cells: [
    'from corrections.exo_duree import exo_duree',
    'def duree(s):\n    h, r = divmod(s, 3600)\n    m, s = divmod(r, 60)\n    return f"{h:02}:{m:02}:{s:02}"',
    'exo_duree.correction(duree)',
  ],
  exercise: (await versionSeals(db.kysely, version.id)).exercises.get('corrections.exo_duree.exo_duree'),
};
const courses = {
  untrusted: await gradingCourse(db.kysely, version.id, ROUTE),
  trusted: await trustedCourse(db.kysely, version.id, ROUTE),
};

const times = { base: [] as number[], mine: [] as number[] };
for (let i = 0; i < COUNT; i++) {
  const order: [keyof typeof times, Side][] =
    i % 2
      ? [
          ['base', base],
          ['mine', mine],
        ]
      : [
          ['mine', mine],
          ['base', base],
        ];
  for (const [name, s] of order) {
    const started = performance.now();
    const outcome = await s.gradeCells(s.sandbox, input, { courses });
    if (outcome.status !== 'done' || !outcome.verdict?.ok) throw new Error(`${name}: ${JSON.stringify(outcome)}`);
    times[name].push(performance.now() - started);
  }
}
base.sandbox.close();
mine.sandbox.close();
await db.close();
rmSync(dataDir, { recursive: true, force: true });

const ratio = median(times.mine) / median(times.base);
console.log(
  `${COUNT} gradings of exo_duree each, alternating: base ${median(times.base).toFixed(1)} ms, ` +
    `this checkout ${median(times.mine).toFixed(1)} ms (medians); ratio ${ratio.toFixed(3)}`,
);
record('grading-ab', {
  base: values.base,
  count: COUNT,
  baseMs: median(times.base),
  mineMs: median(times.mine),
  ratio,
});
process.exit(0);
