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
import { MODULES_FOLDER } from '../../lib/exercises/modules.ts';
import { versionSeals } from '../../lib/exercises/seals.ts';
import { browserStandins } from '../../lib/exercises/standin.ts';
import { selectPublicFileList, selectPublicFilesUnder } from '../../models/course-files.ts';
import { selectOptionalVersionBySlugAndTag } from '../../models/courses.ts';
import type { Services } from '../../services.ts';

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
 * exercise module's stand-in (ADR 024, 034): the helpers the course hands out and its exercises
 * as learners practise them — never a module itself, never a solution, never held-back data.
 * Modules sealed by an older Carnet are absent (importing one explains the exercises are not
 * available): the course must be imported again.
 */
async function exerciseArchive(db: Kysely<Database>, versionId: number): Promise<{ path: string; data: Uint8Array }[]> {
  const files: { path: string; data: Uint8Array }[] = [...libraryFiles()];
  const { docs } = await versionSeals(db, versionId);
  const standins = browserStandins(docs);
  if (!standins.some((m) => m.path === 'corrections/__init__.py'))
    files.push({ path: 'corrections/__init__.py', data: Buffer.from('') });
  for (const module of standins) files.push({ path: module.path, data: Buffer.from(module.source) });
  return files;
}
