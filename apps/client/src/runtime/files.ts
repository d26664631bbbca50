import type { PyodideAPI } from 'pyodide';
import type { FilesListing } from '@carnet/runtime';

/** The parts of Emscripten's file system used here (Pyodide's `FS`). */
interface MemNode {
  contents: Uint8Array | null;
  usedBytes: number;
  stream_ops: Record<string, (...args: never[]) => unknown>;
  node_ops: Record<string, (...args: never[]) => unknown>;
}
interface EmscriptenFs {
  mkdirTree(path: string): void;
  createFile(parent: string, name: string, properties: object, canRead: boolean, canWrite: boolean): MemNode;
  symlink(target: string, path: string): void;
  analyzePath(path: string): { exists: boolean };
}

/**
 * Mounts a course's public files under `root`, lazily: each file exists at once (listing, size)
 * but its bytes are fetched, synchronously, on first read. Then the static mappings (`data`…) are
 * linked into the notebook's own folder, as nbhosting does.
 */
export function mountCourseFiles(
  pyodide: PyodideAPI,
  listing: FilesListing,
  root: string,
  cwd: string,
  fetchBytes: (url: string) => Uint8Array,
): void {
  const fs = pyodide.FS as unknown as EmscriptenFs;
  fs.mkdirTree(root);
  fs.mkdirTree(cwd);
  for (const file of listing.files) {
    const slash = file.path.lastIndexOf('/');
    const folder = slash === -1 ? root : `${root}/${file.path.slice(0, slash)}`;
    fs.mkdirTree(folder);
    lazyFile(fs, folder, file.path.slice(slash + 1), listing.base + encodePath(file.path), file.size, fetchBytes);
  }
  for (const { source, destination } of listing.mappings) {
    const link = `${cwd}/${destination}`;
    const target = `${root}/${source}`;
    if (link !== target && !fs.analyzePath(link).exists && fs.analyzePath(target).exists) {
      fs.mkdirTree(link.slice(0, link.lastIndexOf('/')));
      fs.symlink(target, link);
    }
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A memory file whose bytes arrive on first read (or before a write or truncation changes them). */
function lazyFile(
  fs: EmscriptenFs,
  folder: string,
  name: string,
  url: string,
  size: number,
  fetchBytes: (url: string) => Uint8Array,
): void {
  const node = fs.createFile(folder, name, {}, true, true);
  let loaded = false;
  const load = (): void => {
    if (loaded) return;
    loaded = true;
    const bytes = fetchBytes(url);
    node.contents = bytes;
    node.usedBytes = bytes.length;
  };
  // The size is known before the bytes: `os.path.getsize` and `ls -l` need no download.
  node.usedBytes = size;
  const streamOps = node.stream_ops;
  const nodeOps = node.node_ops;
  const before =
    <T extends (...args: never[]) => unknown>(fn: T) =>
    (...args: Parameters<T>) => {
      load();
      return fn(...args);
    };
  node.stream_ops = {
    ...streamOps,
    read: before(streamOps['read']!),
    write: before(streamOps['write']!),
    mmap: before(streamOps['mmap']!),
  };
  node.node_ops = { ...nodeOps, setattr: before(nodeOps['setattr']!) };
}
