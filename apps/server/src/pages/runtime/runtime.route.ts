import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FilesListing } from '@carnet/runtime';
import { HttpError } from '../../http/errors.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { LruCache } from '../../lib/cache.ts';
import { courseFileUrl } from '../../lib/urls.ts';
import { zipFiles } from '../../lib/zip.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { libraryFiles } from '../../lib/exercises/library.ts';
import { standinSource, type SealDocument } from '../../lib/exercises/standin.ts';
import { selectOptionalFileData, selectPublicFileList, selectPublicFilesUnder } from '../../models/course-files.ts';
import { selectExerciseSeals } from '../../models/exercise-seals.ts';
import { selectOptionalVersionBySlugAndTag } from '../../models/courses.ts';
import type { Services } from '../../services.ts';

/** The course's Python modules folder: on `sys.path`, sent as one archive. */
export const MODULES_FOLDER = 'modules/';

/**
 * What the in-browser runtime fetches about a course version: the listing of its public files
 * (mounted lazily in Python's file system) and the archive of its `modules/` folder. Both are
 * immutable, like the version.
 */
export function runtimeRoutes(app: FastifyInstance, { db }: Services): void {
  const archives = new LruCache<string, Buffer>(20);

  const immutable = (reply: FastifyReply): FastifyReply =>
    reply.header('Cache-Control', 'public, max-age=31536000, immutable');

  app.get<{ Params: { slug: string; tag: string } }>('/runtime/:slug/:tag/files.json', async (request, reply) => {
    const { slug, tag } = request.params;
    const version = await selectOptionalVersionBySlugAndTag(db.kysely, slug, tag);
    if (!version) throw new HttpError('FILE_NOT_FOUND');
    const structure = JSON.parse(version.structure) as Partial<CourseStructure>;
    const files = (await selectPublicFileList(db.kysely, version.id)).filter((f) => !f.path.startsWith(MODULES_FOLDER));
    const listing: FilesListing = {
      base: courseFileUrl(slug, tag, ''),
      files,
      mappings: structure.staticMappings ?? [],
    };
    return immutable(reply).type('application/json; charset=utf-8').send(JSON.stringify(listing));
  });

  app.get<{ Params: { slug: string; tag: string } }>('/runtime/:slug/:tag/modules.zip', async (request, reply) => {
    const { slug, tag } = request.params;
    const archive = await archives.getOrLoad(`${slug}\0${tag}`, async () => {
      const version = await selectOptionalVersionBySlugAndTag(db.kysely, slug, tag);
      if (!version) throw new HttpError('FILE_NOT_FOUND');
      const files = await selectPublicFilesUnder(db.kysely, version.id, MODULES_FOLDER);
      return zipFiles(files.map((f) => ({ path: f.path.slice(MODULES_FOLDER.length), data: f.data })));
    });
    return immutable(reply).type('application/zip').send(archive);
  });

  app.get<{ Params: { slug: string; tag: string } }>('/runtime/:slug/:tag/exercises.zip', async (request, reply) => {
    const { slug, tag } = request.params;
    const archive = await archives.getOrLoad(`exercises\0${slug}\0${tag}`, async () => {
      const version = await selectOptionalVersionBySlugAndTag(db.kysely, slug, tag);
      if (!version) throw new HttpError('FILE_NOT_FOUND');
      return zipFiles(await exerciseArchive(db.kysely, version.id));
    });
    return immutable(reply).type('application/zip').send(archive);
  });
}

/**
 * What the browser imports as `nbautoeval` and `corrections.*`: the exercise library, and each
 * exercise module's stand-in (sealed: no solution), or the module itself when it had to be served
 * open (ADR 024). Modules that could not be sealed are absent: importing one explains why.
 */
async function exerciseArchive(db: Kysely<Database>, versionId: number): Promise<{ path: string; data: Uint8Array }[]> {
  const files: { path: string; data: Uint8Array }[] = [...libraryFiles()];
  files.push({ path: 'corrections/__init__.py', data: Buffer.from('') });
  for (const row of await selectExerciseSeals(db, versionId)) {
    const path = `${row.module.replace(/\./g, '/')}.py`;
    if (row.status === 'sealed' && row.seal) {
      files.push({ path, data: Buffer.from(standinSource(JSON.parse(row.seal) as SealDocument)) });
    } else if (row.status === 'open') {
      const source = await selectOptionalFileData(db, versionId, `${MODULES_FOLDER}${path}`);
      if (source) files.push({ path, data: source });
    }
  }
  return files;
}

/** Top-level Python module names of a version's `modules/` folder (files and packages). */
export function moduleNames(paths: string[]): string[] {
  const names = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(MODULES_FOLDER)) continue;
    const rest = path.slice(MODULES_FOLDER.length);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest.replace(/\.py$/, '') : rest.slice(0, slash);
    if ((slash !== -1 || rest.endsWith('.py')) && /^[A-Za-z_]\w*$/.test(name)) names.add(name);
  }
  return [...names].sort();
}
