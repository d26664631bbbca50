import type { AttemptsBucket } from '../../models/analytics.ts';

/**
 * A session's staff figures (issue 14, ADR 049) as the page and its CSV files show them, built
 * from grouped counts and the version's items. Pure: no database here.
 */
export interface RunAnalytics {
  /** Active enrolments now. */
  learners: number;
  /** False while a big session's first count is still running (the progress, exercise and quiz figures are then empty). */
  counted: boolean;
  /** When the stored figures were counted (null: counted for this request). */
  countedAt: string | null;
  /** A recount is queued or running. */
  refreshing: boolean;
  /** The last 60 days (the platform's time zone), oldest first, zeros included. */
  days: { day: string; learners: number }[];
  /** Weeks (their Monday) from the session's start to today, the last 52 at most. */
  weeks: { week: string; learners: number }[];
  funnelWeeks: { week: number; items: number; reached: number; completed: number }[];
  funnelItems: { route: string; title: string; type: string; week: number | null; opened: number; done: number }[];
  exercises: ExerciseFigures[];
  quizzes: ProblemFigures[];
}

export interface ExerciseFigures {
  /** `module.name`. */
  ref: string;
  name: string;
  route: string | null;
  notebookTitle: string | null;
  week: number | null;
  /** Learners with at least one verified submission, and those with a pass. */
  tried: number;
  passed: number;
  submissions: number;
  passes: number;
  /** Attempts to the first pass, among learners who passed (null: nobody did). */
  meanAttempts: number | null;
  medianAttempts: number | null;
  /** The checks that fail most: failing verdicts in which each failed (top 5). */
  failingRows: { call: string; hidden: boolean; index: number; failures: number }[];
}

export interface ProblemFigures {
  route: string;
  problem: string;
  title: string;
  week: number | null;
  /** Learners who answered (one first attempt each). */
  learners: number;
  /** Share of them right at the first attempt, and their mean first score (0–1); null: nobody. */
  rightFirst: number | null;
  meanFirstScore: number | null;
  /** Share of learners right at some attempt. */
  rightEver: number | null;
  attempts: number;
}

/** Mean and median of a histogram of values (value → how many). Null when it is empty. */
export function histogramStats(buckets: readonly { value: number; count: number }[]): {
  mean: number | null;
  median: number | null;
} {
  const sorted = buckets.filter((b) => b.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, b) => n + b.count, 0);
  if (total === 0) return { mean: null, median: null };
  const mean = sorted.reduce((s, b) => s + b.value * b.count, 0) / total;
  /** The value of the k-th element (0-based) in sorted order. */
  const at = (k: number): number => {
    let seen = 0;
    for (const b of sorted) {
      seen += b.count;
      if (k < seen) return b.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
  const median = total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
  return { mean, median };
}

/** `count` over `total`, or null when there is no one to count. */
export const share = (count: number, total: number): number | null => (total > 0 ? count / total : null);

/** Zero-filled series: each of `keys` with its count in `rows` (absent: 0), in the order of `keys`. */
export function fillSeries(
  keys: readonly string[],
  rows: readonly { key: string; learners: number }[],
): { key: string; learners: number }[] {
  const byKey = new Map(rows.map((r) => [r.key, r.learners]));
  return keys.map((key) => ({ key, learners: byKey.get(key) ?? 0 }));
}

/** An exercise of the version as the figures need it. */
export interface ExerciseItem {
  ref: string;
  module: string;
  name: string;
  route: string;
  notebookTitle: string;
  week: number | null;
}

/** Per exercise: its histogram folded into rates and attempts, with its most failed rows. */
export function exerciseFigures(
  exercises: readonly ExerciseItem[],
  buckets: readonly AttemptsBucket[],
  failures: readonly {
    module: string;
    exercise: string;
    hidden: number;
    row_index: number;
    call: string;
    failures: number;
  }[],
  topRows = 5,
): ExerciseFigures[] {
  const byRef = new Map<string, AttemptsBucket[]>();
  for (const b of buckets) {
    const ref = `${b.module}.${b.exercise}`;
    const list = byRef.get(ref);
    if (list) list.push(b);
    else byRef.set(ref, [b]);
  }
  const rowsByRef = new Map<string, ExerciseFigures['failingRows']>();
  // The counters come most failed first: the first `topRows` of each exercise are its top.
  for (const f of failures) {
    const ref = `${f.module}.${f.exercise}`;
    const list = rowsByRef.get(ref) ?? [];
    if (list.length < topRows)
      list.push({ call: f.call, hidden: f.hidden === 1, index: f.row_index, failures: f.failures });
    rowsByRef.set(ref, list);
  }
  const known = new Set(exercises.map((e) => e.ref));
  // Exercises with submissions the version does not use (an earlier version's) come last.
  const others = [...new Set([...byRef.keys(), ...rowsByRef.keys()])]
    .filter((ref) => !known.has(ref))
    .sort()
    .map((ref) => ({ ref, name: ref, route: null, notebookTitle: null, week: null }));
  const all: Pick<ExerciseFigures, 'ref' | 'name' | 'route' | 'notebookTitle' | 'week'>[] = [
    ...exercises.map((e) => ({
      ref: e.ref,
      name: e.name,
      route: e.route,
      notebookTitle: e.notebookTitle,
      week: e.week,
    })),
    ...others,
  ];
  return all.map((e) => {
    const list = byRef.get(e.ref) ?? [];
    const passedBuckets = list.filter((b) => b.attempts !== null);
    const stats = histogramStats(passedBuckets.map((b) => ({ value: b.attempts!, count: b.learners })));
    return {
      ...e,
      tried: list.reduce((n, b) => n + b.learners, 0),
      passed: passedBuckets.reduce((n, b) => n + b.learners, 0),
      submissions: list.reduce((n, b) => n + b.submissions, 0),
      passes: list.reduce((n, b) => n + b.passes, 0),
      meanAttempts: stats.mean,
      medianAttempts: stats.median,
      failingRows: rowsByRef.get(e.ref) ?? [],
    };
  });
}

/** Per quiz problem of the version (and any other answered), its difficulty. */
export function problemFigures(
  problems: readonly { route: string; problem: string; title: string; week: number | null }[],
  counts: readonly {
    route: string;
    problem: string;
    learners: number;
    rightFirst: number;
    scoreFirst: number;
    attempts: number;
    rightEver: number;
  }[],
): ProblemFigures[] {
  const key = (route: string, problem: string) => `${route}#${problem}`;
  const byKey = new Map(counts.map((c) => [key(c.route, c.problem), c]));
  const known = new Set(problems.map((p) => key(p.route, p.problem)));
  const others = counts
    .filter((c) => !known.has(key(c.route, c.problem)))
    .map((c) => ({ route: c.route, problem: c.problem, title: key(c.route, c.problem), week: null }))
    .sort((a, b) => a.title.localeCompare(b.title));
  return [...problems, ...others].map((p) => {
    const c = byKey.get(key(p.route, p.problem));
    const learners = c?.learners ?? 0;
    return {
      ...p,
      learners,
      rightFirst: share(c?.rightFirst ?? 0, learners),
      meanFirstScore: learners > 0 ? (c?.scoreFirst ?? 0) / learners : null,
      rightEver: share(c?.rightEver ?? 0, learners),
      attempts: c?.attempts ?? 0,
    };
  });
}
