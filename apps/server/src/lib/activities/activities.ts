import { parseIpynbNotebook, parseMystNotebook } from '@carnet/course-format';
import type { Kysely } from 'kysely';
import type { Activity, ActivityPupil, Database } from '../../db/schema.ts';
import { selectClassPupils, type ClassPupilEntry } from '../../models/classes.ts';
import { selectOptionalFileData } from '../../models/course-files.ts';
import { selectOptionalItemByRoute } from '../../models/course-items.ts';
import {
  insertFirstActivityCell,
  selectActivityPupils,
  selectExerciseResults,
  selectOptionalActivityCell,
  selectQuizResults,
  touchActivityPupil,
  updateActivityCellIfVersion,
  type ActivityCellKey,
  type ActivityCellView,
} from '../../models/activities.ts';
import { LruCache } from '../cache.ts';
import { toIpynb } from '../work/notebook-export.ts';
import { pupilState, windowEnd, type PupilState } from './rules.ts';

/** What an activity needs of its item (its pinned version's), cached: a version never changes. */
export interface ActivityItem {
  type: 'notebook' | 'quiz' | 'video';
  path: string;
  title: string;
  /** Code cells in page order: id → original source. */
  codeCells: Map<string, string>;
  /** The exercises the notebook corrects, `module.exercise`, in page order. */
  exercises: string[];
}

const items = new LruCache<string, ActivityItem | null>(2000, Infinity, 'activity-items');

/** The item of a version at a route, or null when the version has none there. */
export function activityItem(db: Kysely<Database>, versionId: number, route: string): Promise<ActivityItem | null> {
  return items.getOrLoad(`${versionId}\0${route}`, async () => {
    const row = await selectOptionalItemByRoute(db, versionId, route);
    if (!row) return null;
    const meta = JSON.parse(row.meta) as {
      codeCells?: { id: string; source: string }[];
      exercises?: { module: string; name: string; corrected: boolean }[];
    };
    const exercises = [
      ...new Set((meta.exercises ?? []).filter((e) => e.corrected).map((e) => `${e.module}.${e.name}`)),
    ];
    return {
      type: row.type,
      path: row.path,
      title: row.title,
      codeCells: new Map((meta.codeCells ?? []).map((c) => [c.id, c.source])),
      exercises,
    };
  });
}

export type CopySave =
  { saved: true; version: number; updatedAt: string } | { saved: false; current: ActivityCellView | null };

/**
 * Saves a cell of a pupil's copy if `baseVersion` is the stored one (0: none yet), as saved work
 * does (one conditional statement), and moves the pupil's last activity.
 */
export async function saveCopyCell(
  db: Kysely<Database>,
  key: ActivityCellKey,
  content: { code: string; original: string },
  baseVersion: number,
  now: Date,
): Promise<CopySave> {
  const at = now.toISOString();
  const written =
    baseVersion === 0
      ? await insertFirstActivityCell(db, key, content, at)
      : await updateActivityCellIfVersion(db, key, content, baseVersion, at);
  if (!written) return { saved: false, current: await selectOptionalActivityCell(db, key) };
  await touchActivityPupil(db, key.activityId, key.userId, now);
  return { saved: true, version: written.version, updatedAt: written.updated_at };
}

export interface FollowingRow {
  pupil: ClassPupilEntry;
  state: PupilState;
  row: ActivityPupil | null;
  /** Per exercise of the item (in order): attempts and passed. */
  exercises: { attempts: number; passed: boolean }[];
  /** The quiz's score (best per problem, summed), or null before any attempt. */
  quiz: { score: number; max: number } | null;
  lastActivity: string | null;
}

export interface Following {
  rows: FollowingRow[];
  exercises: { ref: string; passed: number; attempts: number }[];
}

/** The teacher's table of an activity: its class's pupils in class-list order, their states and results. */
export async function followActivity(
  db: Kysely<Database>,
  activity: Activity,
  item: ActivityItem | null,
  now: Date,
): Promise<Following> {
  const pupils = await selectClassPupils(db, activity.class_id);
  const states = new Map((await selectActivityPupils(db, activity.id)).map((r) => [r.user_id, r]));
  const window = {
    activityId: activity.id,
    courseId: activity.course_id,
    route: activity.route,
    userIds: pupils.map((p) => p.user_id),
    from: activity.opens_at,
    end: windowEnd(activity, null),
  };
  const exerciseRows = activity.kind === 'notebook' ? await selectExerciseResults(db, window) : [];
  const quizRows = activity.kind === 'quiz' ? await selectQuizResults(db, window) : [];
  const refs = item?.exercises ?? [];
  const totals = refs.map((ref) => ({ ref, passed: 0, attempts: 0 }));
  const rows = pupils.map((pupil): FollowingRow => {
    const row = states.get(pupil.user_id) ?? null;
    const mine = exerciseRows.filter((r) => r.user_id === pupil.user_id);
    const exercises = refs.map((ref, i) => {
      const found = mine.find((r) => `${r.module}.${r.exercise}` === ref);
      const result = { attempts: found?.attempts ?? 0, passed: (found?.passed ?? 0) === 1 };
      totals[i]!.attempts += result.attempts;
      if (result.passed) totals[i]!.passed++;
      return result;
    });
    const problems = quizRows.filter((r) => r.user_id === pupil.user_id);
    const quiz =
      problems.length > 0
        ? { score: problems.reduce((n, p) => n + p.score, 0), max: problems.reduce((n, p) => n + p.max, 0) }
        : null;
    return {
      pupil,
      state: pupilState(activity, row, now),
      row,
      exercises,
      quiz,
      lastActivity: row?.last_activity_at ?? null,
    };
  });
  return { rows, exercises: totals };
}

/** A pupil's copy of the activity's notebook as nbformat JSON, or null when the item is not a notebook. */
export async function copyAsIpynb(
  db: Kysely<Database>,
  activity: Activity,
  item: ActivityItem,
  code: ReadonlyMap<string, string>,
): Promise<string | null> {
  if (item.type !== 'notebook') return null;
  const data = await selectOptionalFileData(db, activity.version_id, item.path);
  if (!data) return null;
  const parse = item.path.endsWith('.ipynb') ? parseIpynbNotebook : parseMystNotebook;
  const { value } = parse(data.toString('utf8'), item.path);
  return value ? toIpynb(value, code) : null;
}
