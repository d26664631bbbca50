import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `python/` folder (nbautoeval, carnet_seal), found from source or bundle. */
export function pythonDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'python', 'nbautoeval', '__init__.py'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find python/nbautoeval: is Carnet running from its repository?');
    dir = parent;
  }
  return join(dir, 'python');
}

let library: { path: string; data: Buffer }[] | null = null;

/** The exercise library's files (`nbautoeval/…`), as the browser receives them; read once. */
export function libraryFiles(): { path: string; data: Buffer }[] {
  if (!library) {
    const folder = join(pythonDir(), 'nbautoeval');
    library = readdirSync(folder)
      .filter((name) => name.endsWith('.py'))
      .sort()
      .map((name) => ({ path: `nbautoeval/${name}`, data: readFileSync(join(folder, name)) }));
  }
  return library;
}

/** The sealing command's source (python/carnet_seal/seal.py). */
export function sealProgram(): string {
  return readFileSync(join(pythonDir(), 'carnet_seal', 'seal.py'), 'utf8');
}
