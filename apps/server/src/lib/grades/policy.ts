/**
 * A session's grading policy and the arithmetic of a learner's grade under it (ADR 029). Pure: the
 * same code computes every grade, whichever database the results come from.
 *
 * - Graded items are quiz problems and exercises (those a notebook corrects), each in a week.
 * - An item's score is 0 to 1: a quiz problem's counted attempt (best or last, the quiz policy) as
 *   score ÷ max; an exercise is 1 once a verified submission is all-OK, else 0.
 * - Only results stored before the week's due date plus the grace period count; later ones are
 *   kept, shown as late, and do not count.
 * - Each item type's score is the mean of its items' scores in the weeks that count; the grade is
 *   the weighted mean of the types that have items. Passed when grade ≥ threshold.
 * - An exercise with no hidden check is forgeable (its verified pass can be earned by copying the
 *   expected values the browser shows); the policy counts such exercises or leaves them out.
 */
import { z } from 'zod';
import { LruCache } from '../cache.ts';
import type { ScoreCounts } from '../quizzes/policy.ts';
import { weekOpensAt, type RunTimes } from '../runs/schedule.ts';

export type GradedKind = 'quiz' | 'exercise';
export const GRADED_KINDS: readonly GradedKind[] = ['quiz', 'exercise'];

/** When certificates are issued: as soon as a learner passes, on a set date to those who passed, or never. */
export type CertificateIssue = 'pass' | 'date' | 'never';

/** What forgeable exercises (no hidden check) do in the grade: count like the others, or not at all. */
export type ForgeablePolicy = 'count' | 'exclude';
export const FORGEABLE_POLICIES: readonly ForgeablePolicy[] = ['count', 'exclude'];

export interface GradingPolicy {
  /** Weight of each item type in the grade; 0 leaves the type out. */
  weights: Record<GradedKind, number>;
  /** The weeks whose items count; null = every week. */
  weeks: number[] | null;
  /** A scheduled session's week is due this many days after it opens (unless overridden). */
  dueDays: number;
  /** Week number → ISO due date, overriding the computed one. */
  due: Record<number, string>;
  /** Results stored up to this many minutes after the due date still count. */
  graceMinutes: number;
  /** The grade (0 to 1) a learner needs to pass. */
  threshold: number;
  certificates: { issue: CertificateIssue; date: string | null; showGrade: boolean };
  /** Whether exercises with no hidden check count (the default, so older sessions keep their grades). */
  forgeable: ForgeablePolicy;
}

export const DEFAULT_GRADING_POLICY: GradingPolicy = {
  weights: { quiz: 1, exercise: 1 },
  weeks: null,
  dueDays: 14,
  due: {},
  graceMinutes: 0,
  threshold: 0.5,
  certificates: { issue: 'pass', date: null, showGrade: true },
  forgeable: 'count',
};

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const weight = z.number().finite().min(0).max(1000);
const stored = z.object({
  weights: z.object({ quiz: weight.optional(), exercise: weight.optional() }).partial().optional(),
  weeks: z.array(z.number().int().min(0)).nullable().optional(),
  dueDays: z.number().int().min(0).max(3650).optional(),
  due: z.record(z.string().regex(/^\d+$/), isoDate).optional(),
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 365)
    .optional(),
  threshold: z.number().min(0).max(1).optional(),
  certificates: z
    .object({
      issue: z.enum(['pass', 'date', 'never']).optional(),
      date: isoDate.nullable().optional(),
      showGrade: z.boolean().optional(),
    })
    .optional(),
  forgeable: z.enum(['count', 'exclude']).optional(),
});

const parsedPolicies = new LruCache<string, GradingPolicy>(200);

/**
 * The policy stored in `runs.grading` (JSON); missing or invalid parts take the defaults. Parsed
 * once per distinct JSON (pages, jobs and the certificate hook read it for every learner) and
 * frozen, since the same object is shared.
 */
export function parseGradingPolicy(json: string | null | undefined): GradingPolicy {
  const key = json ?? '{}';
  let policy = parsedPolicies.get(key);
  if (!policy) parsedPolicies.set(key, (policy = deepFreeze(readGradingPolicy(key))));
  return policy;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function readGradingPolicy(json: string): GradingPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return DEFAULT_GRADING_POLICY;
  }
  const parsed = stored.safeParse(raw);
  if (!parsed.success) return DEFAULT_GRADING_POLICY;
  const p = parsed.data;
  const d = DEFAULT_GRADING_POLICY;
  const due: Record<number, string> = {};
  for (const [week, date] of Object.entries(p.due ?? {})) due[Number(week)] = new Date(date).toISOString();
  return {
    weights: { quiz: p.weights?.quiz ?? d.weights.quiz, exercise: p.weights?.exercise ?? d.weights.exercise },
    weeks: p.weeks === undefined ? d.weeks : p.weeks === null ? null : [...new Set(p.weeks)].sort((a, b) => a - b),
    dueDays: p.dueDays ?? d.dueDays,
    due,
    graceMinutes: p.graceMinutes ?? d.graceMinutes,
    threshold: p.threshold ?? d.threshold,
    certificates: {
      issue: p.certificates?.issue ?? d.certificates.issue,
      date: p.certificates?.date ? new Date(p.certificates.date).toISOString() : null,
      showGrade: p.certificates?.showGrade ?? d.certificates.showGrade,
    },
    forgeable: p.forgeable ?? d.forgeable,
  };
}

/** The JSON stored in `runs.grading`. */
export function serializeGradingPolicy(policy: GradingPolicy): string {
  return JSON.stringify(policy);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * When a week is due: the staff's date if set; else, in a scheduled session, `dueDays` after the
 * week opens, but never after the session ends; in a self-paced session, the session's end.
 * Null: no due date (everything counts whenever it is done).
 */
export function weekDueAt(run: RunTimes, policy: GradingPolicy, week: number | null): string | null {
  if (week !== null && policy.due[week]) return policy.due[week];
  const end = run.ends_at ? new Date(run.ends_at).toISOString() : null;
  if (run.mode === 'self-paced' || week === null) return end;
  const computed = new Date(weekOpensAt(run, week).getTime() + policy.dueDays * DAY_MS).toISOString();
  return end !== null && end < computed ? end : computed;
}

/** The last moment a result counts for a week: its due date plus the grace period; null when none. */
export function weekDeadline(run: RunTimes, policy: GradingPolicy, week: number | null): string | null {
  const due = weekDueAt(run, policy, week);
  return due === null ? null : new Date(Date.parse(due) + policy.graceMinutes * 60_000).toISOString();
}

/** One graded item of a course version. */
export interface GradedItem {
  /** Stable within a version: `quiz:<route>#<problem>` or `exercise:<module>.<name>`. */
  key: string;
  kind: GradedKind;
  week: number | null;
  /** The quiz's route, or the notebook that corrects the exercise. */
  route: string;
  /** Problem id, or `<module>.<name>`. */
  ref: string;
  /** Plain text. */
  title: string;
  /**
   * An exercise whose verified grade rests on no hidden check (`hiddenChecks` is 0): copying the
   * expected values the browser shows passes it. Always false for quiz problems (answers stay on the server).
   */
  forgeable: boolean;
}

/** Why an item does not count in the grade: its type weighs 0, its week does not count, or it is a forgeable exercise left out. */
export type NotCounted = 'weight' | 'week' | 'forgeable';

/** Why an item is left out of the grade under a policy, or null when it counts. */
export function whyNotCounted(
  policy: GradingPolicy,
  item: Pick<GradedItem, 'kind' | 'week' | 'forgeable'>,
): NotCounted | null {
  if (policy.weights[item.kind] === 0) return 'weight';
  if (policy.weeks !== null && (item.week === null || !policy.weeks.includes(item.week))) return 'week';
  if (item.forgeable && policy.forgeable === 'exclude') return 'forgeable';
  return null;
}

/** Whether an item counts in the grade: its type has a weight, its week counts, and it is not a forgeable exercise left out. */
export function isCounted(policy: GradingPolicy, item: Pick<GradedItem, 'kind' | 'week' | 'forgeable'>): boolean {
  return whyNotCounted(policy, item) === null;
}

/** A learner's stored results, as the gradebook reads them. */
export interface LearnerResults {
  /** Quiz attempts, oldest first per problem. */
  attempts: { route: string; problemId: string; score: number; max: number; at: string }[];
  /** Verified all-OK submissions (the earliest per exercise is enough). */
  passes: { module: string; exercise: string; at: string }[];
}

export interface ItemGrade {
  item: GradedItem;
  /** 0 to 1, null when nothing counts yet. */
  score: number | null;
  /** Results stored after the deadline (kept, not counted). */
  late: number;
  /** The week's due date (ISO) or null. */
  due: string | null;
  /** Whether the item counts in the grade (`isCounted`: weight, week, forgeable exercises). */
  counted: boolean;
}

export interface WeekGrade {
  week: number | null;
  due: string | null;
  /** Weighted like the grade, over this week's counted items; null when the week has none. */
  score: number | null;
  items: ItemGrade[];
}

export interface LearnerGrade {
  /** 0 to 1. */
  grade: number;
  passed: boolean;
  threshold: number;
  weeks: WeekGrade[];
  /** Per type: mean score of its counted items and how many there are. */
  types: Record<GradedKind, { score: number; items: number; weight: number }>;
}

/** Tolerance for comparing sums of fractions with the threshold (1/3 + 1/6 is not exactly 1/2). */
const EPSILON = 1e-9;

/** Whether `grade` reaches `threshold`. */
export function reaches(grade: number, threshold: number): boolean {
  return grade + EPSILON >= threshold;
}

function weightedMean(items: ItemGrade[], policy: GradingPolicy): number | null {
  let sum = 0;
  let weights = 0;
  for (const kind of GRADED_KINDS) {
    const of = items.filter((i) => i.counted && i.item.kind === kind);
    if (of.length === 0 || policy.weights[kind] === 0) continue;
    const mean = of.reduce((s, i) => s + (i.score ?? 0), 0) / of.length;
    sum += policy.weights[kind] * mean;
    weights += policy.weights[kind];
  }
  return weights === 0 ? null : sum / weights;
}

/**
 * Each week's due date and deadline under a policy, filled as weeks are met. They depend on the
 * session and the policy only: a caller grading many learners of one session passes the same
 * table to every `computeGrade` (the report and the recomputation grade 100,000 learners).
 */
export type WeekDeadlines = Map<number | null, { due: string | null; deadline: string | null }>;

/**
 * A learner's grade: every item's score from the results stored in time, per week, per type, and
 * overall against the threshold.
 */
export function computeGrade(
  run: RunTimes,
  policy: GradingPolicy,
  counts: ScoreCounts,
  items: readonly GradedItem[],
  results: LearnerResults,
  known?: WeekDeadlines,
): LearnerGrade {
  // Attempts by route, then problem: an item's are found from its route and ref (the problem id)
  // without building a key string per attempt (a report grades millions).
  const attempts = new Map<string, Map<string, LearnerResults['attempts']>>();
  for (const a of results.attempts) {
    let problems = attempts.get(a.route);
    if (!problems) attempts.set(a.route, (problems = new Map()));
    let list = problems.get(a.problemId);
    if (!list) problems.set(a.problemId, (list = []));
    list.push(a);
  }
  const passes = new Map<string, string[]>();
  for (const p of results.passes) {
    const key = `exercise:${p.module}.${p.exercise}`;
    let list = passes.get(key);
    if (!list) passes.set(key, (list = []));
    list.push(p.at);
  }
  const deadlines: WeekDeadlines = known ?? new Map();
  const deadlineOf = (week: number | null) => {
    let d = deadlines.get(week);
    if (!d) deadlines.set(week, (d = { due: weekDueAt(run, policy, week), deadline: weekDeadline(run, policy, week) }));
    return d;
  };
  const onTime = (at: string, deadline: string | null) => deadline === null || at <= deadline;

  const graded: ItemGrade[] = items.map((item) => {
    const { due, deadline } = deadlineOf(item.week);
    const counted = isCounted(policy, item);
    let score: number | null = null;
    let late = 0;
    if (item.kind === 'quiz') {
      let counting: { score: number; max: number } | null = null;
      for (const a of attempts.get(item.route)?.get(item.ref) ?? []) {
        if (!onTime(a.at, deadline)) {
          late++;
          continue;
        }
        const better = counting === null || counts === 'last' || a.score / a.max > counting.score / counting.max;
        if (a.max > 0 && better) counting = a;
      }
      score = counting ? counting.score / counting.max : null;
    } else {
      for (const at of passes.get(item.key) ?? []) {
        if (onTime(at, deadline)) score = 1;
        else late++;
      }
    }
    return { item, score, late, due, counted };
  });

  const byWeek = new Map<number | null, ItemGrade[]>();
  for (const g of graded) {
    let list = byWeek.get(g.item.week);
    if (!list) byWeek.set(g.item.week, (list = []));
    list.push(g);
  }
  const weeks: WeekGrade[] = [...byWeek.entries()]
    .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
    .map(([week, list]) => ({ week, due: deadlineOf(week).due, score: weightedMean(list, policy), items: list }));

  const types = {} as LearnerGrade['types'];
  for (const kind of GRADED_KINDS) {
    const of = graded.filter((g) => g.counted && g.item.kind === kind);
    types[kind] = {
      score: of.length === 0 ? 0 : of.reduce((s, g) => s + (g.score ?? 0), 0) / of.length,
      items: of.length,
      weight: policy.weights[kind],
    };
  }
  const grade = weightedMean(graded, policy) ?? 0;
  return {
    grade,
    passed: graded.some((g) => g.counted) && reaches(grade, policy.threshold),
    threshold: policy.threshold,
    weeks,
    types,
  };
}
