import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import {
  countActiveLearners,
  selectActiveByDay,
  selectActiveByWeek,
  selectExerciseAttempts,
  selectItemReach,
  selectProblemDifficulty,
  selectRowFailures,
  selectWeekReach,
} from '../../models/analytics.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { gradedItems, versionExercises } from '../grades/gradebook.ts';
import { daysEndingOn, localDay, weeksBetween } from './days.ts';
import { exerciseFigures, fillSeries, problemFigures, type RunAnalytics } from './figures.ts';

/** Days of the daily chart; weeks of the weekly one at most. */
export const ANALYTICS_DAYS = 60;
export const ANALYTICS_WEEKS = 52;

/**
 * A session's figures for its staff (issue 14): the queries of models/analytics.ts (grouped counts,
 * run at once: PostgreSQL's pool runs them side by side) folded with the items of the session's
 * version, in course order.
 */
export async function runAnalytics(db: Kysely<Database>, run: Run, now: Date, zone: string): Promise<RunAnalytics> {
  const today = localDay(now, zone);
  const dayKeys = daysEndingOn(today, ANALYTICS_DAYS);
  const weekKeys = weeksBetween(localDay(new Date(run.starts_at), zone), today, ANALYTICS_WEEKS);
  const [items, graded, exercises] = await Promise.all([
    selectItemSummaries(db, run.version_id),
    gradedItems(db, run.version_id),
    versionExercises(db, run.version_id),
  ]);
  const weekItems = items.filter((i) => i.week !== null).map((i) => ({ route: i.route, week: i.week! }));
  const [learners, days, weeks, itemReach, weekReach, attempts, failures, problems] = await Promise.all([
    countActiveLearners(db, run.id),
    selectActiveByDay(db, run.id, dayKeys[0]!),
    selectActiveByWeek(db, run.id, weekKeys[0]!),
    selectItemReach(db, run.id),
    selectWeekReach(db, run.id, weekItems),
    selectExerciseAttempts(db, run.id),
    selectRowFailures(db, run.id),
    selectProblemDifficulty(db, run.id),
  ]);
  const reach = new Map(itemReach.map((r) => [r.route, r]));
  const weekCounts = new Map(weekReach.map((w) => [w.week, w]));
  const weekNumbers = [...new Set(weekItems.map((i) => i.week))].sort((a, b) => a - b);
  return {
    learners,
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
