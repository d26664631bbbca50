import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Activity, ActivityPupil, Database } from '../../db/schema.ts';
import { selectCourseActivitiesOfReader, type CourseActivityOfReader } from '../../models/activities.ts';
import type { PrivateCourse, PrivateCourseReader } from '../teacher-notebooks/gate.ts';
import { copyAccess } from './rules.ts';

/** What a request to a private course's URL asks for, as far as an activity may need it. */
export type ActivityNeed =
  /** The pinned version's runtime files or course files (GET `/runtime/<slug>/<tag>/…`, `/files/<slug>/<tag>/…`). */
  | { kind: 'read'; tag: string }
  /** A submission or a server check of an exercise, in activity mode (POST `/api/submissions`, `/api/checks`). */
  | { kind: 'submit'; activity: number | null; route: string }
  /** The pupil's submission history or an exercise's solutions, in activity mode (GET). */
  | { kind: 'history'; activity: number | null; route: string };

const RUNTIME_FILES = new Set(['files.json', 'modules.zip', 'exercises.zip']);

const field = (source: unknown, name: string): unknown =>
  source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;

function activityId(value: unknown): number | null {
  const n = typeof value === 'string' && /^[1-9]\d{0,11}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** An item route as the API normalises it (no trailing slash, no extension). */
const routeOf = (value: unknown): string =>
  typeof value === 'string' ? value.replace(/\/+$/, '').replace(/\.(md|ipynb|quiz)$/, '') : '';

/**
 * The one thing an activity may need of a private course that this request asks for, or null:
 * everything else of the course (its home page and items under /courses, saved work, progress,
 * snapshots, the forum, /manage) is never an activity's.
 */
export function activityNeed(request: Pick<FastifyRequest, 'method' | 'url' | 'query' | 'body'>): ActivityNeed | null {
  const segments = request.url.split('?', 1)[0]!.split('/');
  const [, first, second, third, fourth] = segments;
  const read = request.method === 'GET' || request.method === 'HEAD';
  if (read && (first === 'files' || first === 'runtime') && third) {
    if (first === 'runtime' && (segments.length !== 5 || !RUNTIME_FILES.has(fourth ?? ''))) return null;
    return { kind: 'read', tag: third };
  }
  if (first !== 'api' || segments.length !== 3) return null;
  if (request.method === 'POST' && (second === 'submissions' || second === 'checks')) {
    return {
      kind: 'submit',
      activity: activityId(field(request.body, 'activity')),
      route: routeOf(field(request.body, 'route')),
    };
  }
  if (read && (second === 'submissions' || second === 'solutions')) {
    return {
      kind: 'history',
      activity: activityId(field(request.query, 'activity')),
      route: routeOf(field(request.query, 'route')),
    };
  }
  return null;
}

/**
 * Whether one of the reader's activities on the course allows `need` at `now`: its class's
 * teachers read the pinned version's files (to review copies); its pupils read them while the
 * activity is not hidden to them (ADR 051's dates and mode), and submit — naming the activity,
 * for its route — while their copy is editable, or read their history and solutions while it is
 * not hidden.
 */
export function activityAllows(rows: readonly CourseActivityOfReader[], need: ActivityNeed, now: Date): boolean {
  return rows.some((row) => {
    if (need.kind === 'read' && row.tag !== need.tag) return false;
    if (row.role === 'teacher') return need.kind === 'read';
    if (need.kind !== 'read' && (row.id !== need.activity || row.route !== need.route)) return false;
    const pupil = row.handed_in_at ? ({ handed_in_at: row.handed_in_at } as ActivityPupil) : null;
    const access = copyAccess(row as unknown as Activity, pupil, now);
    return need.kind === 'submit' ? access === 'editable' : access !== 'hidden';
  });
}

/**
 * The private-course gate's reader for activities (ADR 052, amended): lets a request through
 * when it is one an activity on the course needs and one of the reader's activities allows it.
 * One indexed query per request and course (memoised on the request).
 */
export function activityCourseReader(db: Kysely<Database>, clock: () => Date): PrivateCourseReader {
  const seen = new WeakMap<FastifyRequest, Map<number, Promise<CourseActivityOfReader[]>>>();
  return async (request: FastifyRequest, course: PrivateCourse): Promise<boolean> => {
    const user = request.user;
    if (!user) return false;
    const need = activityNeed(request);
    if (!need) return false;
    let byCourse = seen.get(request);
    if (!byCourse) seen.set(request, (byCourse = new Map()));
    let rows = byCourse.get(course.courseId);
    if (!rows) byCourse.set(course.courseId, (rows = selectCourseActivitiesOfReader(db, user.id, course.courseId)));
    return activityAllows(await rows, need, clock());
  };
}
