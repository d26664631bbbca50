import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Run } from '../../db/schema.ts';
import {
  selectEnrolledUserRange,
  selectExerciseAttempts,
  selectItemReach,
  selectOptionalSnapshot,
  selectProblemDifficulty,
  selectWeekReach,
  upsertSnapshot,
  type AttemptsBucket,
} from '../../models/analytics.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { selectOptionalRunById } from '../../models/runs.ts';
import type { JobQueue } from '../jobs/queue.ts';

/**
 * The heavy half of a session's figures (ADR 049): reach per item and week, exercise attempts,
 * quiz difficulty — grouped counts over every learner's rows, linear in the session's size (about
 * 30 s at 100,000 learners on SQLite). Counted a slice of learners at a time (each statement well under a
 * second, the event loop free in between), summed, and kept in `run_analytics` by a background
 * job; small sessions are counted at once, on the request.
 */
export interface SessionCounts {
  itemReach: { route: string; opened: number; done: number }[];
  weekReach: { week: number; reached: number; completed: number }[];
  attempts: AttemptsBucket[];
  problems: {
    route: string;
    problem: string;
    learners: number;
    rightFirst: number;
    scoreFirst: number;
    attempts: number;
    rightEver: number;
  }[];
}

/**
 * User ids per slice: at the benchmark's density a slice's four statements take about 1.5 s together
 * on SQLite (29 s for 100,000 learners, a loaded machine); smaller slices block less, each.
 */
export const SLICE_IDS = 5000;
/** Sessions up to this many learners are counted on the request; bigger ones by the job. */
export const INLINE_LEARNERS = 2000;
/** Stored figures older than this are recounted (the page shows the time they were counted). */
export const STALE_MS = 10 * 60_000;
export const ANALYTICS_REFRESH = 'analytics.refresh';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Adds `rows` into `into`, by `key`: the `sums` fields added, the others kept (they are the key). */
function addInto<T extends object>(
  into: Map<string, T>,
  rows: readonly T[],
  key: (row: T) => string,
  sums: readonly (keyof T)[],
): void {
  for (const row of rows) {
    const k = key(row);
    const seen = into.get(k);
    if (!seen) into.set(k, { ...row });
    else for (const field of sums) (seen[field] as number) += row[field] as number;
  }
}

/** Counts a session's heavy figures, slice by slice. */
export async function countSession(db: Kysely<Database>, run: Pick<Run, 'id' | 'version_id'>): Promise<SessionCounts> {
  const weekItems = (await selectItemSummaries(db, run.version_id))
    .filter((i) => i.week !== null)
    .map((i) => ({ route: i.route, week: i.week! }));
  const items = new Map<string, SessionCounts['itemReach'][number]>();
  const weeks = new Map<string, SessionCounts['weekReach'][number]>();
  const attempts = new Map<string, AttemptsBucket>();
  const problems = new Map<string, SessionCounts['problems'][number]>();
  const range = await selectEnrolledUserRange(db, run.id);
  for (let from = range?.from ?? 1; range && from <= range.to; from += SLICE_IDS) {
    const users = { from, to: Math.min(range.to, from + SLICE_IDS - 1) };
    addInto(items, await selectItemReach(db, run.id, users), (r) => r.route, ['opened', 'done']);
    await tick();
    addInto(weeks, await selectWeekReach(db, run.id, weekItems, users), (r) => String(r.week), [
      'reached',
      'completed',
    ]);
    await tick();
    addInto(
      attempts,
      await selectExerciseAttempts(db, run.id, users),
      (r) => `${r.module}\0${r.exercise}\0${r.attempts}`,
      ['learners', 'submissions', 'passes'],
    );
    await tick();
    addInto(problems, await selectProblemDifficulty(db, run.id, users), (r) => `${r.route}\0${r.problem}`, [
      'learners',
      'rightFirst',
      'scoreFirst',
      'attempts',
      'rightEver',
    ]);
    await tick();
  }
  return {
    itemReach: [...items.values()],
    weekReach: [...weeks.values()],
    attempts: [...attempts.values()],
    problems: [...problems.values()],
  };
}

/** Counts the session's figures and stores them with `now`. */
export async function refreshSnapshot(db: Kysely<Database>, run: Pick<Run, 'id' | 'version_id'>, now: Date) {
  const counts = await countSession(db, run);
  await upsertSnapshot(db, run.id, JSON.stringify(counts), now.toISOString());
  return counts;
}

/**
 * The session's heavy figures for its page: counted now for a small session; else the stored
 * ones (null before the first count), with a recount queued when they are missing or stale and
 * none is pending (one per session at a time: its fair key).
 */
export async function sessionCounts(
  db: Kysely<Database>,
  jobs: JobQueue,
  run: Pick<Run, 'id' | 'version_id' | 'enrolled_count'>,
  now: Date,
): Promise<{ counts: SessionCounts | null; computedAt: string | null; refreshing: boolean }> {
  if (run.enrolled_count <= INLINE_LEARNERS)
    return { counts: await countSession(db, run), computedAt: null, refreshing: false };
  const stored = await selectOptionalSnapshot(db, run.id);
  const stale = !stored || now.getTime() - Date.parse(stored.computed_at) > STALE_MS;
  let refreshing = false;
  if (stale) {
    const fairKey = `analytics:${run.id}`;
    refreshing = (await jobs.pending({ kind: ANALYTICS_REFRESH, fairKey })) > 0;
    if (!refreshing) {
      await jobs.enqueue(ANALYTICS_REFRESH, { runId: run.id }, { fairKey });
      refreshing = true;
    }
  }
  return {
    counts: stored ? (JSON.parse(stored.figures) as SessionCounts) : null,
    computedAt: stored?.computed_at ?? null,
    refreshing,
  };
}

const payload = z.object({ runId: z.number().int().positive() });

/** Registers `analytics.refresh`: counts one session's figures and stores them. */
export function registerAnalyticsJob(jobs: JobQueue, db: Kysely<Database>, clock: () => Date): void {
  jobs.registerHandler<z.infer<typeof payload>, { learners: number }>(
    ANALYTICS_REFRESH,
    async ({ runId }) => {
      const run = await selectOptionalRunById(db, runId);
      if (!run) return { learners: 0 };
      await refreshSnapshot(db, run, clock());
      return { learners: run.enrolled_count };
    },
    payload,
  );
}
