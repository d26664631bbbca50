import type { Kysely } from 'kysely';
import type { CourseVersion, Database } from '../db/schema.ts';
import { selectOptionalLiveVersionBySlug } from '../models/courses.ts';
import { SlottedPage } from '../views/slots.ts';
import { LruCache } from './cache.ts';

export type LiveVersion = CourseVersion & { slug: string };

/**
 * What pages read most: which version of a course is live, and rendered pages. A version never
 * changes once imported, so its pages are cached until evicted; which version is live may change
 * at any time on another machine (an import), so that answer is kept only `liveTtlMs`.
 */
export class ContentCache {
  private readonly live: LruCache<string, LiveVersion | null>;
  private readonly pages: LruCache<string, SlottedPage>;
  private readonly versions: LruCache<number, CourseVersion | null>;

  constructor(
    private readonly db: Kysely<Database>,
    options: { pageEntries: number; liveTtlMs: number },
  ) {
    this.live = new LruCache(1000, options.liveTtlMs, 'live-versions');
    this.pages = new LruCache(options.pageEntries, Infinity, 'pages');
    this.versions = new LruCache(200, Infinity, 'versions');
  }

  /** A version by id (versions never change, so they are kept until evicted), or null. */
  version(id: number): Promise<CourseVersion | null> {
    return this.versions.getOrLoad(id, async () => {
      const row = await this.db.selectFrom('course_versions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ?? null;
    });
  }

  /** The live version of a course, or null when there is none; at most `liveTtlMs` old. */
  liveVersion(slug: string): Promise<LiveVersion | null> {
    return this.live.getOrLoad(slug, () => selectOptionalLiveVersionBySlug(this.db, slug));
  }

  /**
   * A page of a version, rendered once per key (which must name the version and the language) and
   * kept encoded: serving it is then a copy of bytes, with no templating and no UTF-8 encoding.
   * Its per-reader parts are slots (views/slots.ts), filled per request for logged-in readers;
   * `headers` are the page's own response headers (a video page's CSP and isolation).
   */
  page(
    key: string,
    render: () => Promise<string | { html: string; headers: Record<string, string> }>,
  ): Promise<SlottedPage> {
    return this.pages.getOrLoad(key, async () => {
      const rendered = await render();
      return typeof rendered === 'string'
        ? new SlottedPage(rendered)
        : new SlottedPage(rendered.html, rendered.headers);
    });
  }
}
