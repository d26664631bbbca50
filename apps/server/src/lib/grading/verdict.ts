import type { Verdict } from './grade-job.ts';

/** One row of a verdict as its learner sees it: never an input or expected value of a hidden check. */
export interface LearnerRow {
  /** The call, for a check the learner has seen (its dataset is in the browser's table); else null. */
  call: string | null;
  /** The number of a hidden check (1, 2…), else null. */
  hidden: number | null;
  ok: boolean;
  /** The type of the exception the learner's object raised, if it did. */
  error: string | null;
}

/** A verdict as the API gives it to its learner (README, "Verified grades"; ADR 034). */
export interface LearnerVerdict {
  ok: boolean;
  passed: number;
  total: number;
  rows: LearnerRow[];
  /** The checks the learner never saw, and how many passed. */
  hidden: { total: number; passed: number };
  /** The table of a server-checked exercise, hidden checks reduced to their number. */
  table?: string;
}

/**
 * What a learner may see of a verdict: each check they have seen, by its call, with its outcome;
 * each hidden check only by its number, its outcome and the type of an exception — no input, no
 * expected and no obtained value (what their code returned on a hidden input could carry it). Pure.
 */
export function learnerVerdict(verdict: Verdict): LearnerVerdict {
  const rows: LearnerRow[] = [];
  const hidden = new Map<number, LearnerRow>();
  for (const row of verdict.rows) {
    const error = row.error ?? null;
    if (!row.hidden) {
      rows.push({ call: row.call, hidden: null, ok: row.ok, error });
      continue;
    }
    const seen = hidden.get(row.index);
    if (seen) {
      seen.ok &&= row.ok;
      seen.error ??= error;
    } else {
      const entry = { call: null, hidden: hidden.size + 1, ok: row.ok, error };
      hidden.set(row.index, entry);
      rows.push(entry);
    }
  }
  const checks = [...hidden.values()];
  return {
    ok: verdict.ok,
    passed: verdict.passed,
    total: verdict.total,
    rows,
    hidden: { total: checks.length, passed: checks.filter((c) => c.ok).length },
    ...(verdict.table !== undefined ? { table: verdict.table } : {}),
  };
}
