import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticMapping } from '@carnet/course-format';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { selectPublicFilesUnder } from '../../models/course-files.ts';
import { selectOptionalVersionById } from '../../models/courses.ts';
import { selectExerciseSeals } from '../../models/exercise-seals.ts';
import type { CourseStructure } from '../import/import-course.ts';
import { sandboxCourseRoot, writeCourseFiles } from '../sandbox/layout.ts';
import type { SandboxJob } from '../sandbox/sandbox.ts';

/** What the learner's grading run sees of the course: its public files, laid out around the notebook. */
export type GradingCourse = Pick<SandboxJob, 'files' | 'links' | 'pythonPath'>;

interface VersionFolder {
  dir: string;
  paths: string[];
  mappings: StaticMapping[];
  /** Whether SEALS_DIR holds the version's sealed modules. */
  seals: boolean;
}

/**
 * Where a version's sealed modules are written beside its files, one `<module>.seal.json` each:
 * the grading run builds the stand-ins of the modules the learner's code imports from them (the
 * same public data the browser's stand-ins carry; python/carnet_seal/grade.py).
 */
export const SEALS_DIR = '.carnet-seals';

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
      const seals = (await selectExerciseSeals(db, versionId)).filter((r) => r.status === 'sealed' && r.seal);
      const dir = mkdtempSync(join(sandboxCourseRoot(), `version-${versionId}-`));
      // The sandbox runs as another user: it must read (never write) these files.
      chmodSync(dir, 0o755);
      try {
        writeCourseFiles(dir, new Map(files.map((f) => [f.path, f.data])));
        writeCourseFiles(dir, new Map(seals.map((r) => [`${SEALS_DIR}/${r.module}.seal.json`, r.seal!])));
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      return {
        dir,
        paths: files.map((f) => f.path),
        mappings: structure.staticMappings ?? [],
        seals: seals.length > 0,
      };
    })();
    folder.catch(() => folders.delete(versionId));
    folders.set(versionId, folder);
  }
  return folder;
}

/** The course of a notebook's grading run (see `notebookLayout`). */
export async function gradingCourse(db: Kysely<Database>, versionId: number, route: string): Promise<GradingCourse> {
  const { dir, paths, mappings, seals } = await versionFolder(db, versionId);
  const layout = notebookLayout(dir, paths, route, mappings);
  return seals ? { ...layout, pythonPath: [...(layout.pythonPath ?? []), SEALS_DIR] } : layout;
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
