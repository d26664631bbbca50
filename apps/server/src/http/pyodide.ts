import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PrecompressedFiles } from './precompressed.ts';

/** The files of the `pyodide` npm package a browser loads (the rest is Node and docs). */
const FILES: Record<string, string> = {
  'pyodide.mjs': 'text/javascript; charset=utf-8',
  'pyodide.asm.mjs': 'text/javascript; charset=utf-8',
  'pyodide.asm.wasm': 'application/wasm',
  'python_stdlib.zip': 'application/zip',
  'pyodide-lock.json': 'application/json; charset=utf-8',
};

/** The self-hosted Pyodide: where a page finds it. */
export interface PyodideDist {
  /** Base URL, content-hashed and ending with `/` (e.g. `/pyodide/314.0.7-1a2b3c4d/`). */
  url: string;
  version: string;
}

/**
 * Serves Pyodide from the npm package under a content-hashed URL with immutable caching, so a
 * browser downloads it once per release and keeps it offline. Compressed copies (brotli, gzip)
 * are made once per process, on first request.
 */
export function registerPyodide(app: FastifyInstance): PyodideDist {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('pyodide/package.json'));
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const files = new Map<string, Buffer>();
  const hash = createHash('sha256');
  for (const name of Object.keys(FILES)) {
    const data = readFileSync(join(dir, name));
    files.set(name, data);
    hash.update(name).update(data);
  }
  const url = `/pyodide/${version}-${hash.digest('hex').slice(0, 12)}/`;
  const compressed = new PrecompressedFiles((name) => files.get(name));

  app.get<{ Params: { name: string } }>(`${url}:name`, async (request, reply) => {
    const { name } = request.params;
    const data = files.get(name);
    const type = FILES[name];
    if (!data || !type) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    reply
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('Cross-Origin-Embedder-Policy', 'require-corp')
      .header('Access-Control-Allow-Origin', '*')
      .header('Vary', 'Accept-Encoding')
      .type(type);
    return compressed.send(request, reply, name, data);
  });
  return { url, version };
}
