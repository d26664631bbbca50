import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../http/errors.ts';
import { FILE_CSP } from '../../http/security.ts';
import { selectOptionalPublicFile } from '../../models/course-files.ts';
import type { Services } from '../../services.ts';

/** Course files of one version (data, media, modules): immutable, so cached for a year. */
export function fileRoutes(app: FastifyInstance, { db }: Services): void {
  app.get<{ Params: { slug: string; tag: string; '*': string } }>('/files/:slug/:tag/*', async (request, reply) => {
    const { slug, tag } = request.params;
    const path = request.params['*'];
    if (!/^[0-9a-f]{16}$/.test(tag) || path === '') throw new HttpError('FILE_NOT_FOUND');
    const file = await selectOptionalPublicFile(db.kysely, slug, tag, path);
    if (!file) throw new HttpError('FILE_NOT_FOUND');
    const etag = `"${file.blob_hash}"`;
    reply
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('ETag', etag)
      .header('Content-Security-Policy', FILE_CSP)
      .type(file.content_type);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(file.data);
  });
}
