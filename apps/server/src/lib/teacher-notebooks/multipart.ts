import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/errors.ts';

/** A file field of a multipart form. */
export interface UploadedFile {
  /** The file name the browser sent, without any folder. */
  filename: string;
  data: Buffer;
}

const uploads = new WeakMap<object, Map<string, UploadedFile>>();

/** The file posted under `name` (null when the field is absent or the file empty). */
export function uploadedFile(request: FastifyRequest, name: string): UploadedFile | null {
  const body = request.body;
  if (!body || typeof body !== 'object') return null;
  return uploads.get(body)?.get(name) ?? null;
}

const MAX_PARTS = 16;
const MAX_FIELD_BYTES = 4096;

/**
 * Parses `multipart/form-data` bodies of the routes of `scope` (an encapsulated plugin: other routes
 * keep refusing them) up to `bodyLimit` bytes, held in memory: text fields become the body's keys,
 * like urlencoded forms (so the CSRF hook reads `_csrf`), files are read with `uploadedFile`.
 */
export function registerMultipart(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      const boundary = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(request.headers['content-type'] ?? '');
      if (!boundary) throw new HttpError('BAD_REQUEST', 'multipart boundary');
      const parsed = parseMultipart(body as Buffer, boundary[1] ?? boundary[2]!);
      done(null, parsed);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** The fields of a multipart body (RFC 7578); files are kept aside, see `uploadedFile`. */
export function parseMultipart(body: Buffer, boundary: string): Record<string, string> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new HttpError('BAD_REQUEST', 'multipart body');
  for (let parts = 0; ; parts++) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') break;
    if (parts >= MAX_PARTS) throw new HttpError('BAD_REQUEST', 'too many parts');
    at += 2; // CRLF after the delimiter
    const headersEnd = body.indexOf('\r\n\r\n', at);
    if (headersEnd < 0 || headersEnd - at > 2048) throw new HttpError('BAD_REQUEST', 'multipart headers');
    const headers = body.subarray(at, headersEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next < 0) throw new HttpError('BAD_REQUEST', 'multipart body');
    const content = body.subarray(headersEnd + 4, next);
    at = next + 2;

    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (!name) continue;
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (filename !== undefined) {
      // Browsers send the base name; older ones a whole Windows path.
      const base = filename.split(/[\\/]/).pop() ?? '';
      if (content.length > 0 || base !== '') files.set(name, { filename: base, data: Buffer.from(content) });
    } else {
      if (content.length > MAX_FIELD_BYTES) throw new HttpError('BAD_REQUEST', 'field too long');
      fields[name] = content.toString('utf8');
    }
  }
  uploads.set(fields, files);
  return fields;
}
