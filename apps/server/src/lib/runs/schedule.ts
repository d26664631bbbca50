import type { Run } from '../../db/schema.ts';

/** What the schedule functions read of a run. */
export type RunTimes = Pick<
  Run,
  'mode' | 'starts_at' | 'ends_at' | 'enrol_opens_at' | 'enrol_closes_at' | 'week_opens' | 'archived'
>;

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Week overrides as stored (JSON object: week number → ISO date); invalid entries are ignored. */
export function weekOverrides(run: Pick<Run, 'week_opens'>): Map<number, string> {
  const result = new Map<number, string>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.week_opens);
  } catch {
    return result;
  }
  if (parsed && typeof parsed === 'object') {
    for (const [key, value] of Object.entries(parsed)) {
      const week = Number(key);
      if (Number.isInteger(week) && week >= 1 && typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
        result.set(week, value);
      }
    }
  }
  return result;
}

/**
 * When week `week` (1-based) opens: self-paced runs open everything at their start; scheduled
 * runs open week N at start + (N − 1) weeks unless staff set another date for that week.
 */
export function weekOpensAt(run: RunTimes, week: number): Date {
  const start = Date.parse(run.starts_at);
  if (run.mode === 'self-paced') return new Date(start);
  const override = weekOverrides(run).get(week);
  if (override) return new Date(override);
  return new Date(start + Math.max(0, week - 1) * WEEK_MS);
}

/** Whether week `week` is open at `now`. */
export function isWeekOpen(run: RunTimes, week: number, now: Date): boolean {
  return weekOpensAt(run, week).getTime() <= now.getTime();
}

export type RunPhase = 'upcoming' | 'running' | 'ended';

/** Where a run is in its life at `now`. */
export function runPhase(run: RunTimes, now: Date): RunPhase {
  if (Date.parse(run.starts_at) > now.getTime()) return 'upcoming';
  if (run.ends_at && Date.parse(run.ends_at) <= now.getTime()) return 'ended';
  return 'running';
}

/** Whether a learner may enrol at `now`: not archived, not ended, inside the enrolment window. */
export function isEnrolmentOpen(run: RunTimes, now: Date): boolean {
  const t = now.getTime();
  if (run.archived) return false;
  if (run.ends_at && Date.parse(run.ends_at) <= t) return false;
  if (run.enrol_opens_at && Date.parse(run.enrol_opens_at) > t) return false;
  if (run.enrol_closes_at && Date.parse(run.enrol_closes_at) <= t) return false;
  return true;
}

/** The latest open week among `weeks` at `now`, or null when none is open yet. */
export function latestOpenWeek(run: RunTimes, weeks: number[], now: Date): number | null {
  const open = weeks.filter((w) => isWeekOpen(run, w, now));
  return open.length > 0 ? Math.max(...open) : null;
}
