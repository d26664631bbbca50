import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/errors.ts';
import { LruCache } from '../cache.ts';
import { selectOptionalCoursePrivacy } from '../../models/teacher-notebooks.ts';
import type { Services } from '../../services.ts';

/** A private course as the gate knows it. */
export interface PrivateCourse {
  courseId: number;
  ownerId: number | null;
}

/**
 * Who else may read a private course's URLs besides its owner (e.g. the pupils of an activity
 * given from it): true lets the request through.
 */
export type PrivateCourseReader = (request: FastifyRequest, course: PrivateCourse) => Promise<boolean>;

/** `/api/<name>/<slug>/…` routes that name their course in the path. */
const API_PATH_SLUG = new Set(['work', 'progress', 'snapshots', 'videos']);

/**
 * The course a URL (or an API body or query) is about, by slug, or null: `/courses/<slug>…`,
 * `/files/<slug>/…`, `/runtime/<slug>/…`, `/manage/courses/<slug>…`, `/api/{work,progress,
 * snapshots,videos}/<slug>/…`, and any other `/api/…` with a `slug` in its query or JSON body.
 */
export function courseSlugOf(url: string, query: unknown, body: unknown): string | null {
  const path = url.split('?', 1)[0]!;
  const segments = path.split('/');
  const decode = (s: string | undefined): string | null => {
    if (!s) return null;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const [, first, second, third] = segments;
  if (first === 'courses' || first === 'files' || first === 'runtime') return decode(second);
  if (first === 'manage' && second === 'courses') return decode(third);
  if (first === 'api') {
    if (second && API_PATH_SLUG.has(second)) return decode(third);
    for (const source of [query, body]) {
      const slug = source && typeof source === 'object' ? (source as Record<string, unknown>)['slug'] : undefined;
      if (typeof slug === 'string') return slug;
    }
  }
  return null;
}

/**
 * Hides private courses (ADR 052): every URL of one is a 404 (COURSE_NOT_FOUND, as for a course
 * that does not exist) unless the reader is its owner or one of `readers` lets them through. A
 * course's privacy never changes once it exists, so it is cached for existing courses only (an
 * unknown slug is looked up again: it may become a private course).
 */
export function registerPrivateCourseGate(
  app: FastifyInstance,
  services: Pick<Services, 'db'>,
  readers: PrivateCourseReader[] = [],
): void {
  const known = new LruCache<string, PrivateCourse | false>(5000, Infinity, 'course-privacy');
  const privacy = async (slug: string): Promise<PrivateCourse | false> => {
    const cached = known.get(slug);
    if (cached !== undefined) return cached;
    const row = await selectOptionalCoursePrivacy(services.db.kysely, slug);
    if (!row) return false;
    const value = row.private ? { courseId: row.courseId, ownerId: row.ownerId } : false;
    known.set(slug, value);
    return value;
  };
  app.addHook('preHandler', async (request) => {
    const slug = courseSlugOf(request.url, request.query, request.body);
    if (slug === null) return;
    const course = await privacy(slug);
    if (!course) return;
    if (request.user && course.ownerId === request.user.id) return;
    for (const reader of readers) if (await reader(request, course)) return;
    throw new HttpError('COURSE_NOT_FOUND');
  });
}
