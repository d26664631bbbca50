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
