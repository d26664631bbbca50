import type { Kysely } from 'kysely';
import type { Database, NewRun, Run } from '../src/db/schema.ts';
import { insertRun } from '../src/models/runs.ts';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_COURSE = join(REPO_ROOT, 'demo-course');

/** A throwaway copy of the demo course (symlinks kept) to modify in a test. */
export function copyDemoCourse(): { dir: string; cleanup(): void } {
  const parent = mkdtempSync(join(tmpdir(), 'carnet-course-'));
  const dir = join(parent, 'demo-course');
  cpSync(DEMO_COURSE, dir, { recursive: true, verbatimSymlinks: true });
  return { dir, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}

/** A small course folder built from a map of path → content. */
export function makeCourse(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-course-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A minimal MyST notebook. */
export function notebook(title: string, body = 'Du texte.'): string {
  return `---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n---\n\n# ${title}\n\n${body}\n\n\`\`\`{code-cell} ipython3\nprint("${title}")\n\`\`\`\n`;
}

/**
 * A session of a course version, stored directly: scheduled from 2026-03-02 08:00 to 2026-05-01
 * unless `run` says otherwise (tests of what happens inside a session).
 */
export async function insertTestRun(
  db: Kysely<Database>,
  now: Date,
  run: Pick<NewRun, 'course_id' | 'version_id' | 'slug'> & Partial<NewRun>,
): Promise<Run> {
  const at = now.toISOString();
  const row = await insertRun(db, {
    title: run.slug,
    mode: 'scheduled',
    starts_at: '2026-03-02T08:00:00.000Z',
    ends_at: '2026-05-01T00:00:00.000Z',
    enrol_opens_at: null,
    enrol_closes_at: null,
    created_at: at,
    updated_at: at,
    ...run,
  });
  if (!row) throw new Error(`the course has a session ${run.slug} already`);
  return row;
}
