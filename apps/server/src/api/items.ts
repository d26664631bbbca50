import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { LruCache } from '../lib/cache.ts';
import type { LiveVersion } from '../lib/content-cache.ts';
import { readerVersion } from '../lib/runs/reading.ts';
import { selectOptionalItemByRoute } from '../models/course-items.ts';
import type { Services } from '../services.ts';
import type { VideoFacts } from '../lib/videos/facts.ts';

/**
 * What the saved-work and progress API needs of a course item, resolved from the URL for the
 * reader (the version their session is pinned to, else the live one).
 */
export interface ItemTarget {
  courseId: number;
  version: LiveVersion;
  route: string;
  item: ItemFacts;
}

/** The facts of an item the API uses; a version never changes, so they are cached per version. */
export interface ItemFacts {
  type: 'notebook' | 'quiz' | 'video';
  /** Course-relative path of its file (e.g. `w1/w1-s1-c1-nombres.md`). */
  path: string;
  /** Code cells: id → original source. */
  codeCells: Map<string, string>;
  /** The exercises the notebook corrects (`<exo>.correction(…)` in its cells): `module.attribute`. */
  corrects: Set<string>;
  /** A video page's videos. */
  videos: VideoFacts[];
}

/**
 * The path after `prefix`, split into decoded segments (a cell id may contain an encoded `/`).
 * Throws NOT_FOUND for a malformed escape.
 */
export function pathSegments(url: string, prefix: string): string[] {
  const path = url.split('?')[0]!.slice(prefix.length);
  try {
    return path.split('/').map(decodeURIComponent);
  } catch {
    throw new HttpError('NOT_FOUND');
  }
}

/** An item route as page URLs write it: no trailing slash, no file extension. */
export function normaliseRoute(segments: string[]): string {
  return segments
    .join('/')
    .replace(/\/+$/, '')
    .replace(/\.(md|ipynb|quiz)$/, '');
}

/** Resolves course slugs and item routes for the API, with the facts of items cached by version. */
export class ItemResolver {
  private readonly facts = new LruCache<string, ItemFacts | null>(5000, Infinity, 'item-facts');

  constructor(private readonly services: Pick<Services, 'db' | 'content'>) {}

  /**
   * The item at `route` of the course `slug` as this reader sees it; COURSE_ or ITEM_NOT_FOUND
   * otherwise. Without `exact`, an item of the live version that satisfies `accept` (e.g. has the
   * cell being saved) is enough, which spares the enrolment query; only an item the live version
   * lacks sends it to the version the reader's session is pinned to. `exact` always uses that one.
   */
  async resolve(
    request: FastifyRequest,
    slug: string,
    route: string,
    options: { exact?: boolean; accept?: (item: ItemFacts) => boolean } = {},
  ): Promise<ItemTarget> {
    const live = await this.services.content.liveVersion(slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    if (route === '') throw new HttpError('ITEM_NOT_FOUND', undefined, live.slug);
    if (!options.exact) {
      const item = await this.itemFacts(live.id, route);
      if (item && (options.accept?.(item) ?? true)) return { courseId: live.course_id, version: live, route, item };
    }
    const { version } = await readerVersion(request, this.services, live);
    const item = await this.itemFacts(version.id, route);
    if (!item) throw new HttpError('ITEM_NOT_FOUND', undefined, live.slug);
    return { courseId: live.course_id, version, route, item };
  }

  /**
   * The item at `route` of the course `slug` at the version `versionId` (an activity's pinned
   * one, ADR 051), whatever the reader's session; COURSE_ or ITEM_NOT_FOUND when the version is
   * not the course's or has no item there.
   */
  async resolveAt(slug: string, route: string, courseId: number, versionId: number): Promise<ItemTarget> {
    const live = await this.services.content.liveVersion(slug);
    if (!live || live.course_id !== courseId) throw new HttpError('COURSE_NOT_FOUND');
    const version = live.id === versionId ? live : await this.services.content.version(versionId);
    const item = version && route !== '' ? await this.itemFacts(version.id, route) : null;
    if (!version || !item) throw new HttpError('ITEM_NOT_FOUND', undefined, live.slug);
    return { courseId, version: { ...version, slug: live.slug }, route, item };
  }

  private itemFacts(versionId: number, route: string): Promise<ItemFacts | null> {
    return this.facts.getOrLoad(`${versionId}\0${route}`, async () => {
      const row = await selectOptionalItemByRoute(this.services.db.kysely, versionId, route);
      if (!row) return null;
      const meta = JSON.parse(row.meta) as {
        codeCells?: { id: string; source: string }[];
        exercises?: { module: string; name: string; corrected: boolean }[];
        videos?: VideoFacts[];
      };
      return {
        type: row.type,
        path: row.path,
        codeCells: new Map((meta.codeCells ?? []).map((c) => [c.id, c.source])),
        corrects: new Set((meta.exercises ?? []).filter((e) => e.corrected).map((e) => `${e.module}.${e.name}`)),
        videos: meta.videos ?? [],
      };
    });
  }
}
