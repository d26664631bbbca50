import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import {
  countActiveLearners,
  selectActiveByDay,
  selectActiveByWeek,
  selectRowFailures,
} from '../../models/analytics.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { gradedItems, versionExercises } from '../grades/gradebook.ts';
import { daysEndingOn, localDay, weeksBetween } from './days.ts';
import { exerciseFigures, fillSeries, problemFigures, type RunAnalytics } from './figures.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { sessionCounts } from './snapshot.ts';

/** Days of the daily chart; weeks of the weekly one at most. */
export const ANALYTICS_DAYS = 60;
export const ANALYTICS_WEEKS = 52;

/**
 * A session's figures for its staff (issue 14, ADR 049): activity and failing checks counted now
 * (their tables are small and indexed by session), the rest from `sessionCounts` (counted now for
 * a small session, else as last stored by the job), folded with the items of the session's
 * version, in course order.
 */
export async function runAnalytics(
  db: Kysely<Database>,
  jobs: JobQueue,
  run: Run,
  now: Date,
  zone: string,
): Promise<RunAnalytics> {
  const today = localDay(now, zone);
  const dayKeys = daysEndingOn(today, ANALYTICS_DAYS);
  const weekKeys = weeksBetween(localDay(new Date(run.starts_at), zone), today, ANALYTICS_WEEKS);
  const [items, graded, exercises] = await Promise.all([
    selectItemSummaries(db, run.version_id),
    gradedItems(db, run.version_id),
    versionExercises(db, run.version_id),
  ]);
  const weekItems = items.filter((i) => i.week !== null).map((i) => ({ route: i.route, week: i.week! }));
  const [learners, days, weeks, failures, heavy] = await Promise.all([
    countActiveLearners(db, run.id),
    selectActiveByDay(db, run.id, dayKeys[0]!),
    selectActiveByWeek(db, run.id, weekKeys[0]!),
    selectRowFailures(db, run.id),
    sessionCounts(db, jobs, run, now),
  ]);
  const counts = heavy.counts ?? { itemReach: [], weekReach: [], attempts: [], problems: [] };
  const itemReach = counts.itemReach;
  const weekReach = counts.weekReach;
  const attempts = counts.attempts;
  const problems = counts.problems;
  const reach = new Map(itemReach.map((r) => [r.route, r]));
  const weekCounts = new Map(weekReach.map((w) => [w.week, w]));
  const weekNumbers = [...new Set(weekItems.map((i) => i.week))].sort((a, b) => a - b);
  return {
    learners,
    counted: heavy.counts !== null,
    countedAt: heavy.computedAt,
    refreshing: heavy.refreshing,
    days: fillSeries(
      dayKeys,
      days.map((d) => ({ key: d.day, learners: d.learners })),
    ).map((d) => ({
      day: d.key,
      learners: d.learners,
    })),
    weeks: fillSeries(
      weekKeys,
      weeks.map((w) => ({ key: w.week, learners: w.learners })),
    ).map((w) => ({
      week: w.key,
      learners: w.learners,
    })),
    funnelWeeks: weekNumbers.map((week) => ({
      week,
      items: weekItems.filter((i) => i.week === week).length,
      reached: weekCounts.get(week)?.reached ?? 0,
      completed: weekCounts.get(week)?.completed ?? 0,
    })),
    funnelItems: items.map((i) => ({
      route: i.route,
      title: i.title,
      type: i.type,
      week: i.week,
      opened: reach.get(i.route)?.opened ?? 0,
      done: reach.get(i.route)?.done ?? 0,
    })),
    exercises: exerciseFigures(exercises, attempts, failures),
    quizzes: problemFigures(
      graded
        .filter((g) => g.kind === 'quiz')
        .map((g) => ({ route: g.route, problem: g.ref, title: g.title, week: g.week })),
      problems,
    ),
  };
}
