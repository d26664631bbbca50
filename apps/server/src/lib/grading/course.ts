import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StaticMapping } from '@carnet/course-format';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { selectFilesUnder, selectPublicFilesUnder } from '../../models/course-files.ts';
import { selectOptionalVersionById } from '../../models/courses.ts';
import { gradingStandins } from '../exercises/standin.ts';
import { versionSeals } from '../exercises/seals.ts';
import type { CourseStructure } from '../import/import-course.ts';
import { sandboxCourseRoot, writeCourseFiles } from '../sandbox/layout.ts';
import type { SandboxJob } from '../sandbox/sandbox.ts';

/** What a grading run sees of the course: files laid out around the notebook. */
export type GradingCourse = Pick<SandboxJob, 'files' | 'links' | 'pythonPath'>;

interface VersionFolder {
  dir: string;
  paths: string[];
  mappings: StaticMapping[];
}

/**
 * Where the grading stand-ins of a version's exercise modules are written beside its public
 * files, first on the untrusted run's `sys.path`: helpers and inert exercise objects, nothing of
 * the seals (ADR 034).
 */
export const STANDINS_DIR = '.carnet-grading';

const folders = new Map<string, Promise<VersionFolder>>();

/**
 * A version's files laid out once per process under the sandbox's course root (versions are
 * immutable: the folder is reused). `untrusted`: the public files and the grading stand-ins —
 * never the quizzes or exercise modules, which hold answers. `trusted`: the public files and the
 * whole `modules/` folder, for the runs that import the course's exercise modules and run no
 * learner code (draws, the module judge); untrusted runs cannot see it (other versions' folders
 * are hidden from every job, ADR 027).
 */
function versionFolder(db: Kysely<Database>, versionId: number, kind: 'untrusted' | 'trusted'): Promise<VersionFolder> {
  const key = `${kind}:${versionId}`;
  let folder = folders.get(key);
  if (!folder) {
    folder = (async () => {
      const version = await selectOptionalVersionById(db, versionId);
      const structure = JSON.parse(version?.structure ?? '{}') as Partial<CourseStructure>;
      const files = new Map((await selectPublicFilesUnder(db, versionId, '')).map((f) => [f.path, f.data]));
      if (kind === 'trusted') {
        for (const file of await selectFilesUnder(db, versionId, 'modules/')) files.set(file.path, file.data);
      } else {
        const { docs } = await versionSeals(db, versionId);
        for (const module of gradingStandins(docs))
          files.set(`${STANDINS_DIR}/${module.path}`, Buffer.from(module.source));
      }
      const dir = mkdtempSync(join(sandboxCourseRoot(), `version-${versionId}-${kind}-`));
      // The sandbox runs as another user: it must read (never write) these files.
      chmodSync(dir, 0o755);
      try {
        writeCourseFiles(dir, files);
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      return { dir, paths: [...files.keys()], mappings: structure.staticMappings ?? [] };
    })();
    folder.catch(() => folders.delete(key));
    folders.set(key, folder);
  }
  return folder;
}

/** The course of a notebook's untrusted grading run (see `notebookLayout`), stand-ins first on sys.path. */
export async function gradingCourse(db: Kysely<Database>, versionId: number, route: string): Promise<GradingCourse> {
  const { dir, paths, mappings } = await versionFolder(db, versionId, 'untrusted');
  const layout = notebookLayout(dir, paths, route, mappings);
  return { ...layout, pythonPath: [STANDINS_DIR, ...(layout.pythonPath ?? [])] };
}

/** The course of a trusted run for a notebook (the real exercise modules on sys.path). */
export async function trustedCourse(db: Kysely<Database>, versionId: number, route: string): Promise<GradingCourse> {
  const { dir, paths, mappings } = await versionFolder(db, versionId, 'trusted');
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
    if (rest.length > 1 && !(prefix === '' && (rest[0] === 'modules' || rest[0] === STANDINS_DIR)))
      links[rest[0]!] ??= `${prefix}${rest[0]}`;
  }
  const has = (target: string): boolean => paths.some((p) => p.startsWith(`${target}/`));
  for (const { source, destination } of mappings) {
    if (!destination.includes('/') && !(destination in links) && has(source)) links[destination] = source;
  }
  return { files: { dir }, links, pythonPath: has('modules') ? ['modules'] : [] };
}
