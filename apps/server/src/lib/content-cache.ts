import type { Kysely } from 'kysely';
import type { CourseVersion, Database } from '../db/schema.ts';
import { selectOptionalLiveVersionBySlug } from '../models/courses.ts';
import { LruCache } from './cache.ts';

export type LiveVersion = CourseVersion & { slug: string };

/**
 * What pages read most: which version of a course is live, and rendered pages. A version never
 * changes once imported, so its pages are cached until evicted; which version is live may change
 * at any time on another machine (an import), so that answer is kept only `liveTtlMs`.
 */
export class ContentCache {
  private readonly live: LruCache<string, LiveVersion | null>;
  private readonly pages: LruCache<string, Buffer>;

  constructor(
    private readonly db: Kysely<Database>,
    options: { pageEntries: number; liveTtlMs: number },
  ) {
    this.live = new LruCache(1000, options.liveTtlMs);
    this.pages = new LruCache(options.pageEntries);
  }

  /** The live version of a course, or null when there is none; at most `liveTtlMs` old. */
  liveVersion(slug: string): Promise<LiveVersion | null> {
    return this.live.getOrLoad(slug, () => selectOptionalLiveVersionBySlug(this.db, slug));
  }

  /**
   * A page of a version, rendered once per key (which must name the version and the language) and
   * kept encoded: serving it is then a copy of bytes, with no templating and no UTF-8 encoding.
   */
  page(key: string, render: () => Promise<string>): Promise<Buffer> {
    return this.pages.getOrLoad(key, async () => Buffer.from(await render(), 'utf8'));
  }
}
