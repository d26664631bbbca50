import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

let sandboxCopy: string | null = null;

/**
 * The exercise library as the sandbox reads it (nbautoeval, the sealing and grading programs, and
 * the small IPython that course modules import): a copy, once per process, in a world-readable
 * temporary folder. The sandbox runs as an unprivileged user, who may not reach the repository
 * itself (a checkout under /root, or a private temporary folder).
 */
export function sandboxLibraryDir(): string {
  if (!sandboxCopy || !existsSync(sandboxCopy)) {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-python-'));
    chmodSync(dir, 0o755);
    for (const name of ['nbautoeval', 'carnet_seal', 'IPython']) {
      cpSync(join(pythonDir(), name), join(dir, name), {
        recursive: true,
        filter: (source) => !source.includes('__pycache__'),
      });
    }
    makeReadable(dir);
    sandboxCopy = dir;
  }
  return sandboxCopy;
}

function makeReadable(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, 0o755);
      makeReadable(path);
    } else chmodSync(path, 0o644);
  }
}
