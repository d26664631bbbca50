import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Verdict } from '../grading/grade-job.ts';

/** The most a stored call may take (a dataset's call can be long; the page shows its start). */
const CALL_MAX = 300;

/** The rows of a failing verdict, each once: a hidden check by its index, whatever its scenarios. Pure. */
export function failingRows(verdict: Verdict): { hidden: boolean; index: number; call: string }[] {
  if (verdict.ok) return [];
  const rows = new Map<string, { hidden: boolean; index: number; call: string }>();
  for (const row of verdict.rows) {
    if (row.ok) continue;
    const key = `${row.hidden ? 1 : 0}:${row.index}`;
    if (!rows.has(key)) rows.set(key, { hidden: row.hidden, index: row.index, call: row.call.slice(0, CALL_MAX) });
  }
  return [...rows.values()];
}

/**
 * Counts a failing verdict's rows for the learner's session (none: nothing), in the caller's
 * transaction — the one that stores the verdict, so a verdict is counted once (ADR 049).
 */
export async function countFailingRows(
  db: Kysely<Database>,
  submission: { user_id: number; course_id: number; module: string; exercise: string },
  verdict: Verdict,
): Promise<void> {
  for (const row of failingRows(verdict)) {
    await db
      .insertInto('exercise_row_failures')
      .columns(['run_id', 'module', 'exercise', 'hidden', 'row_index', 'call', 'failures'])
      .expression(
        db
          .selectFrom('enrolments')
          .select([
            'run_id',
            sql<string>`cast(${submission.module} as text)`.as('module'),
            sql<string>`cast(${submission.exercise} as text)`.as('exercise'),
            sql<number>`cast(${row.hidden ? 1 : 0} as integer)`.as('hidden'),
            sql<number>`cast(${row.index} as integer)`.as('row_index'),
            sql<string>`cast(${row.call} as text)`.as('call'),
            sql<number>`cast(1 as integer)`.as('failures'),
          ])
          .where('user_id', '=', submission.user_id)
          .where('course_id', '=', submission.course_id)
          .where('status', '=', 'active'),
      )
      .onConflict((oc) =>
        oc
          .columns(['run_id', 'module', 'exercise', 'hidden', 'row_index'])
          .doUpdateSet({ failures: sql<number>`exercise_row_failures.failures + 1` }),
      )
      .execute();
  }
}
