import type { StaticMapping } from './manifests.ts';

/**
 * The course as a notebook sees it: paths relative to the notebook's own folder, symbolic links
 * inside the course followed, and static mappings (`data` seen from any folder as the course's
 * `data/`) applied — so a reference resolves the same with or without the symlinks on disk.
 */
export class CourseFileSystem {
  private readonly files: ReadonlySet<string>;

  constructor(
    files: Iterable<string>,
    private readonly links: ReadonlyMap<string, string>,
    private readonly mappings: readonly StaticMapping[],
  ) {
    this.files = new Set(files);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /**
   * Resolves `ref` (a relative URL path as written in a file of folder `fromDir`) to the course
   * path of an existing file; null when it leaves the course or names nothing.
   */
  resolve(fromDir: string, ref: string): string | null {
    let decoded: string;
    try {
      // decodeURI would keep %23 (#), %3F (?), %2B (+)… encoded: names with them could not be reached.
      decoded = decodeURIComponent(ref);
    } catch {
      decoded = ref;
    }
    const direct = normalisePath(fromDir === '' ? decoded : `${fromDir}/${decoded}`);
    if (direct !== null) {
      const found = this.followLinks(direct);
      if (found !== null && this.files.has(found)) return found;
    }
    const local = normalisePath(decoded);
    if (local === null) return null;
    for (const { source, destination } of this.mappings) {
      if (local === destination || local.startsWith(destination + '/')) {
        const mapped = this.followLinks(source + local.slice(destination.length));
        if (mapped !== null && this.files.has(mapped)) return mapped;
      }
    }
    return null;
  }

  /** Replaces any linked prefix of `path` by the link's target, repeatedly (links may chain). */
  private followLinks(path: string): string | null {
    let current = path;
    for (let hops = 0; hops < 16; hops++) {
      const parts = current.split('/');
      let replaced = false;
      for (let n = parts.length; n > 0; n--) {
        const target = this.links.get(parts.slice(0, n).join('/'));
        if (target !== undefined) {
          current = [target, ...parts.slice(n)].join('/');
          replaced = true;
          break;
        }
      }
      if (!replaced) return current;
    }
    return null;
  }
}

/** Resolves `.` and `..` in a POSIX relative path; null when it climbs above the root or is absolute. */
export function normalisePath(path: string): string | null {
  if (path.startsWith('/')) return null;
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** The folder of a course path (`w1/x.md` → `w1`, `x.md` → ``). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}
