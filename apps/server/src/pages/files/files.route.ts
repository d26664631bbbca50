import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isMediaPath } from '@carnet/course-format';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/errors.ts';
import { matchesNoneMatch, requestedRange } from '../../http/ranges.ts';
import { FILE_CSP } from '../../http/security.ts';
import { LruCache } from '../../lib/cache.ts';
import { mediaFilePath } from '../../lib/media.ts';
import { selectOptionalPublicFile } from '../../models/course-files.ts';
import { selectOptionalMedia, type ServedMedia } from '../../models/course-media.ts';
import type { Services } from '../../services.ts';

type FileRequest = FastifyRequest<{ Params: { slug: string; tag: string; '*': string } }>;
type StoredVideo = ServedMedia & { location: string };

/**
 * Course files of one version (data, images, modules; videos from DATA_DIR/media, ADR 040):
 * immutable, so cached for a year; byte ranges for players that seek.
 */
export function fileRoutes(app: FastifyInstance, { db, config }: Services): void {
  const videos = new LruCache<string, StoredVideo>(1000);

  /** A version's video and where its bytes are, checked once; null if the version has none there. */
  const findVideo = async (slug: string, tag: string, path: string): Promise<StoredVideo | null> => {
    const key = `${slug}\0${tag}\0${path}`;
    const cached = videos.get(key);
    if (cached) return cached;
    const media = await selectOptionalMedia(db.kysely, slug, tag, path);
    if (!media) return null;
    const location = mediaFilePath(config.dataDir, media.sha256, path);
    const info = await stat(location).catch(() => null);
    if (!info || info.size !== media.size) {
      // The import stored it; it is gone: DATA_DIR/media not shared with this web server, or pruned.
      throw new Error(`the video ${slug}/${tag}/${path} is not in ${location} (${media.size} bytes expected)`);
    }
    const video = { ...media, location };
    videos.set(key, video);
    return video;
  };

  app.route({
    // HEAD by hand: Fastify's own would read a video's stream to the end to discard it.
    method: ['GET', 'HEAD'],
    url: '/files/:slug/:tag/*',
    handler: async (request: FileRequest, reply) => {
      const { slug, tag } = request.params;
      const path = request.params['*'];
      if (!/^[0-9a-f]{16}$/.test(tag) || path === '') throw new HttpError('FILE_NOT_FOUND');
      // Videos first (a version's rows never change: kept per process); a course imported before
      // ADR 040 may still hold a small one as an ordinary file.
      const video = isMediaPath(path) ? await findVideo(slug, tag, path) : null;
      if (video) {
        const answer = prepare(request, reply, `"${video.sha256}"`, video.content_type, video.size);
        if (answer.kind === 'done' || request.method === 'HEAD') return reply.send();
        const range = answer.kind === 'full' ? { start: 0, end: video.size - 1 } : answer;
        if (range.end < range.start) return reply.send(Buffer.alloc(0));
        // Fastify destroys the stream (closing the file) if the client goes away mid-way.
        return reply.send(createReadStream(video.location, { ...range, highWaterMark: 256 * 1024 }));
      }
      const file = await selectOptionalPublicFile(db.kysely, slug, tag, path);
      if (!file) throw new HttpError('FILE_NOT_FOUND');
      const answer = prepare(request, reply, `"${file.blob_hash}"`, file.content_type, file.data.byteLength);
      if (answer.kind === 'done') return reply.send();
      return reply.send(answer.kind === 'full' ? file.data : file.data.subarray(answer.start, answer.end + 1));
    },
  });
}

/**
 * Sets the headers of a file's answer and says what to send: `done` (304, 416: no body), the
 * whole file or a part. Content-Length is the exact length of what follows.
 */
function prepare(
  request: FileRequest,
  reply: FastifyReply,
  etag: string,
  contentType: string,
  size: number,
): { kind: 'done' } | { kind: 'full' } | { kind: 'partial'; start: number; end: number } {
  reply
    .header('Cache-Control', 'public, max-age=31536000, immutable')
    .header('ETag', etag)
    .header('Accept-Ranges', 'bytes')
    .header('Content-Security-Policy', FILE_CSP)
    .type(contentType);
  if (matchesNoneMatch(request.headers['if-none-match'], etag)) {
    reply.code(304);
    return { kind: 'done' };
  }
  const range = requestedRange(request.headers.range, header(request.headers['if-range']), etag, size);
  if (range.kind === 'unsatisfiable') {
    reply.code(416).header('Content-Range', `bytes */${size}`).header('Content-Length', '0');
    return { kind: 'done' };
  }
  if (range.kind === 'partial') {
    reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
      .header('Content-Length', String(range.end - range.start + 1));
    return range;
  }
  reply.header('Content-Length', String(size));
  return range;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
