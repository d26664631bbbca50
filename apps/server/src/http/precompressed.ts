import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Formats that gain nothing from compression. */
const COMPRESSED = /\.(zip|whl|gz|png|jpe?g|gif|webp|woff2?|map)$/;

/**
 * Compressed copies of immutable files (built assets, Pyodide), made once per process on first
 * request and kept: serving them costs a copy, where on-the-fly compression would cost CPU on
 * every request.
 */
export class PrecompressedFiles {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly read: (name: string) => Buffer | undefined) {}

  /** Sends `data` (the file `name`) in the best encoding the client accepts. */
  async send(request: FastifyRequest, reply: FastifyReply, name: string, data: Buffer): Promise<FastifyReply> {
    if (COMPRESSED.test(name) || data.length < 1024) return reply.send(data);
    const accepted = String(request.headers['accept-encoding'] ?? '');
    const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
    if (!encoding) return reply.send(data);
    return reply.header('Content-Encoding', encoding).send(await this.encoded(name, encoding));
  }

  private encoded(name: string, encoding: 'br' | 'gzip'): Promise<Buffer> {
    const key = `${encoding}:${name}`;
    let result = this.cache.get(key);
    if (!result) {
      const data = this.read(name)!;
      result =
        encoding === 'br'
          ? brotli(data, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: data.length > 1_000_000 ? 5 : 9,
                [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
              },
            })
          : gzipAsync(data, { level: data.length > 1_000_000 ? 6 : 9 });
      this.cache.set(key, result);
    }
    return result;
  }
}
