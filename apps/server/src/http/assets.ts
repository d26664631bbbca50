import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { contentTypeOf } from '../lib/import/content-type.ts';
import { PrecompressedFiles } from './precompressed.ts';

/** The built client (apps/client/dist): content-hashed files and the manifest naming them. */
export interface Assets {
  /** URL of an asset by logical name, e.g. `main.css` → `/assets/main-3F2A9C.css`. */
  url(name: string): string;
}

/** apps/client/dist, found from this module's location whether it runs from source or from the bundle. */
export function defaultAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'apps', 'client'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find apps/client: is Carnet running from its repository?');
    dir = parent;
  }
  return join(dir, 'apps', 'client', 'dist');
}

/**
 * Loads the client build into memory and serves it under /assets with immutable caching: the
 * names change whenever the content does. Fails early, with the fix, if the client is not built.
 */
export function registerAssets(app: FastifyInstance, dir = defaultAssetsDir()): Assets {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`The browser client is not built (${manifestFile} is missing): run "npm run build".`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>;
  const files = new Map<string, { data: Buffer; type: string; etag: string }>();
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name !== 'manifest.json') {
        const data = readFileSync(path);
        const etag = `"${createHash('sha256').update(data).digest('base64url').slice(0, 22)}"`;
        files.set(relative(dir, path).split(sep).join('/'), { data, type: contentTypeOf(name), etag });
      }
    }
  };
  walk(dir);

  const compressed = new PrecompressedFiles((path) => files.get(path)?.data);
  app.get('/assets/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const file = files.get(path);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    reply
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('ETag', file.etag)
      .header('Vary', 'Accept-Encoding')
      .type(file.type);
    // The runtime's worker script must be allowed in a cross-origin isolated page.
    if (path.endsWith('.js')) reply.header('Cross-Origin-Embedder-Policy', 'require-corp');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return compressed.send(request, reply, path, file.data);
  });

  // Browsers ask for /favicon.ico whatever the page says: point them at the hashed icon.
  if (manifest['icon.svg']) {
    app.get('/favicon.ico', async (_request, reply) => reply.redirect(`/assets/${manifest['icon.svg']}`, 301));
  }

  return {
    url(name) {
      const file = manifest[name];
      if (!file) throw new Error(`Unknown client asset ${name}: is it an entry of apps/client/build?`);
      return `/assets/${file}`;
    },
  };
}
