/**
 * Import time of a generated course of 200 notebooks, on SQLite and PostgreSQL, against a baseline
 * measured in the same run: rendering the same markdown with a bare markdown-it (no MyST, no math,
 * no sanitiser, no database). Target: the import under 5 s.
 *
 *   npx tsx bench/import.bench.ts [--notebooks 200] [--runs 3]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import MarkdownIt from 'markdown-it';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { createTestDb, DIALECTS } from '../apps/server/test/databases.ts';
import { generateCourse } from './generate-course.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({
  options: { notebooks: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' } },
});
const count = Number(values.notebooks);
const runs = Number(values.runs);
const root = join(import.meta.dirname, '..');

const folder = mkdtempSync(join(tmpdir(), 'carnet-bench-course-'));
const generated = generateCourse(folder, join(root, 'demo-course'), count);
const texts = readdirSync(folder, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .map((f) => readFileSync(join(folder, f), 'utf8'));

const baseline: number[] = [];
const md = new MarkdownIt();
for (let r = 0; r < runs + 1; r++) {
  const started = performance.now();
  for (const text of texts) md.render(text);
  if (r > 0) baseline.push(performance.now() - started); // the first run warms the JIT
}
const baselineMs = median(baseline);
console.log(`Course: ${generated.notebooks} notebooks, ${(generated.bytes / 1024).toFixed(0)} KiB of MyST markdown`);
console.log(`Baseline (bare markdown-it render of the same files): ${baselineMs.toFixed(0)} ms`);

const results: Record<string, unknown> = { notebooks: count, baselineMs };
for (const dialect of DIALECTS) {
  const times: number[] = [];
  for (let r = 0; r < runs + 1; r++) {
    const t = await createTestDb(dialect);
    try {
      const started = performance.now();
      const summary = await importCourse(t.db, { source: folder, slug: 'bench', dataDir: t.dataDir });
      const ms = performance.now() - started;
      if (summary.status !== 'imported')
        throw new Error(`import ${summary.status}: ${JSON.stringify(summary.errors.slice(0, 3))}`);
      if (r > 0) times.push(ms);
    } finally {
      await t.cleanup();
    }
  }
  const ms = median(times);
  console.log(
    `Import on ${dialect}: ${ms.toFixed(0)} ms (median of ${runs}) = ${(ms / baselineMs).toFixed(1)}× the baseline; target < 5000 ms: ${ms < 5000 ? 'met' : 'MISSED'}`,
  );
  results[dialect] = { ms, ratio: ms / baselineMs };
}
rmSync(folder, { recursive: true, force: true });
record('import', results);
