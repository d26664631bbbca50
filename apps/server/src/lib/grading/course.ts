import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticMapping } from '@carnet/course-format';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { selectPublicFilesUnder } from '../../models/course-files.ts';
import { selectOptionalVersionById } from '../../models/courses.ts';
import type { CourseStructure } from '../import/import-course.ts';
import { sandboxCourseRoot, writeCourseFiles } from '../sandbox/layout.ts';
import type { SandboxJob } from '../sandbox/sandbox.ts';

/** What the learner's grading run sees of the course: its public files, laid out around the notebook. */
export type GradingCourse = Pick<SandboxJob, 'files' | 'links' | 'pythonPath'>;

interface VersionFolder {
  dir: string;
  paths: string[];
  mappings: StaticMapping[];
}

const folders = new Map<number, Promise<VersionFolder>>();

/**
 * A version's public files laid out once per process under the sandbox's course root (never the
 * quizzes or exercise modules: they hold answers). Versions are immutable: the folder is reused.
 */
function versionFolder(db: Kysely<Database>, versionId: number): Promise<VersionFolder> {
  let folder = folders.get(versionId);
  if (!folder) {
    folder = (async () => {
      const version = await selectOptionalVersionById(db, versionId);
      const structure = JSON.parse(version?.structure ?? '{}') as Partial<CourseStructure>;
      const files = await selectPublicFilesUnder(db, versionId, '');
      const dir = mkdtempSync(join(sandboxCourseRoot(), `version-${versionId}-`));
      // The sandbox runs as another user: it must read (never write) these files.
      chmodSync(dir, 0o755);
      try {
        writeCourseFiles(dir, new Map(files.map((f) => [f.path, f.data])));
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      return { dir, paths: files.map((f) => f.path), mappings: structure.staticMappings ?? [] };
    })();
    folder.catch(() => folders.delete(versionId));
    folders.set(versionId, folder);
  }
  return folder;
}

/** The course of a notebook's grading run (see `notebookLayout`). */
export async function gradingCourse(db: Kysely<Database>, versionId: number, route: string): Promise<GradingCourse> {
  const { dir, paths, mappings } = await versionFolder(db, versionId);
  return notebookLayout(dir, paths, route, mappings);
}

/**
 * The working directory of a notebook's run, as the browser resolves paths (ADR 017): the folders
 * beside the notebook (its `data/`…), then the static mappings (`data` → the course's `data/`) for
 * names not taken; the course's `modules/` on `sys.path`.
 */
export function notebookLayout(
  dir: string,
  paths: readonly string[],
  route: string,
  mappings: readonly StaticMapping[],
): GradingCourse {
  const slash = route.lastIndexOf('/');
  const prefix = slash < 0 ? '' : route.slice(0, slash + 1);
  const links: Record<string, string> = {};
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).split('/');
    if (rest.length > 1 && !(prefix === '' && rest[0] === 'modules')) links[rest[0]!] ??= `${prefix}${rest[0]}`;
  }
  const has = (target: string): boolean => paths.some((p) => p.startsWith(`${target}/`));
  for (const { source, destination } of mappings) {
    if (!destination.includes('/') && !(destination in links) && has(source)) links[destination] = source;
  }
  return { files: { dir }, links, pythonPath: has('modules') ? ['modules'] : [] };
}
