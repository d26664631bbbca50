import type { CourseModel } from '@carnet/course-format';
import { dirname } from '@carnet/course-format';
import type { RenderEnv } from './env.ts';
import type { UrlResolver } from './sanitize.ts';

/** Where rendered pages point: the server decides its URL scheme. */
export interface RenderTarget {
  /** URL of a course item (notebook or quiz) by its route, e.g. `w1/w1-s1-c1-intro`. */
  itemUrl(route: string): string;
  /** URL of a stored course file by its course path. */
  fileUrl(path: string): string;
}

/** Indexes of a course that link resolution needs, built once per course. */
export class CourseLinks {
  private readonly routes: Map<string, string>;
  private readonly publicFiles: Map<string, boolean>;

  constructor(
    private readonly course: CourseModel,
    private readonly target: RenderTarget,
  ) {
    this.routes = new Map(course.items.map((i) => [i.path, i.route]));
    // A video page's slideshow notebooks: a link to one opens the video page.
    for (const item of course.items) {
      if (item.type === 'video') for (const path of Object.keys(item.notebooks)) this.routes.set(path, item.route);
    }
    this.publicFiles = new Map(course.files.map((f) => [f.path, f.public]));
  }

  /** The stored copy of a course file (public or not: the caller decides what it links). */
  fileUrl(path: string): string {
    return this.target.fileUrl(path);
  }

  /**
   * A resolver for one document in folder `dir`: notebook links navigate in the course, other files
   * point at their stored copy (data files download), attachments become data URLs, external
   * links are marked; a relative link to nothing is reported and left as written.
   */
  resolver(dir: string, env: RenderEnv, attachments: Record<string, Record<string, string>> = {}): UrlResolver {
    return (url, tag) => {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
      if (scheme === 'attachment') {
        const bundle = attachments[decodeName(url.slice('attachment:'.length))];
        const mime = bundle && Object.keys(bundle).find((m) => m.startsWith('image/'));
        if (!mime) {
          env.report('warning', 'render.missing-attachment', `The attachment ${url} is not in this cell.`, url);
          return null;
        }
        return { url: `data:${mime};base64,${bundle[mime]!.replace(/\s+/g, '')}` };
      }
      if (scheme) return scheme === 'http' || scheme === 'https' ? { url, external: true } : null;
      if (url.startsWith('#') || url.startsWith('/') || url === '') return null;

      const [, path = '', rest = ''] = /^([^?#]*)(.*)$/.exec(url) ?? [];
      const found = this.find(dir, path);
      if (found === null) {
        env.report(
          'warning',
          'render.broken-link',
          `The ${tag === 'img' ? 'image' : 'link'} "${url}" points to no file of the course.`,
          url,
        );
        return null;
      }
      const route = this.routes.get(found);
      if (route !== undefined) return { url: this.target.itemUrl(route) + rest.replace(/^\?[^#]*/, '') };
      if (this.publicFiles.get(found) === false) {
        env.report(
          'warning',
          'render.private-link',
          `"${url}" holds answers (a quiz or an exercise module) and is never served.`,
          url,
        );
        return { url: '#' };
      }
      const download = tag === 'a' && (found.startsWith('data/') || path.startsWith('data/'));
      return { url: this.target.fileUrl(found) + rest, download };
    };
  }

  /** Finds the file a relative path names; `x.ipynb` also finds `x.md` (courses move between the two). */
  private find(dir: string, path: string): string | null {
    const fs = this.course.fs;
    const direct = fs.resolve(dir, path);
    if (direct !== null) return direct;
    const swapped = path.endsWith('.ipynb')
      ? path.replace(/\.ipynb$/, '.md')
      : path.endsWith('.md')
        ? path.replace(/\.md$/, '.ipynb')
        : null;
    return swapped ? fs.resolve(dir, swapped) : null;
  }
}

/** A percent-encoded name, or the name as written when its encoding is malformed (`100%.png`). */
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

export { dirname };
