import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import { addToEnrolledCount } from '../../models/runs.ts';
import { isEnrolmentOpen } from './schedule.ts';

export type EnrolResult = 'enrolled' | 'already-enrolled' | 'switched' | 'closed';

/**
 * Enrols a learner in a run (idempotent). A learner has one active enrolment per course: enrolling
 * in another run of the same course leaves the previous one. Counters change in the same
 * transaction as the enrolment rows, so `runs.enrolled_count` is always the number of active rows.
 */
export async function enrol(db: Kysely<Database>, userId: number, run: Run, now: Date): Promise<EnrolResult> {
  if (!isEnrolmentOpen(run, now)) return 'closed';
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const previous = await trx
      .updateTable('enrolments')
      .set({ status: 'unenrolled', unenrolled_at: at })
      .where('user_id', '=', userId)
      .where('course_id', '=', run.course_id)
      .where('status', '=', 'active')
      .where('run_id', '!=', run.id)
      .returning('run_id')
      .execute();
    for (const p of previous) await addToEnrolledCount(trx, p.run_id, -1);

    const back = await trx
      .updateTable('enrolments')
      .set({ status: 'active', enrolled_at: at, unenrolled_at: null })
      .where('user_id', '=', userId)
      .where('run_id', '=', run.id)
      .where('status', '=', 'unenrolled')
      .executeTakeFirst();
    let added = Number(back.numUpdatedRows) > 0;
    if (!added) {
      const inserted = await trx
        .insertInto('enrolments')
        .values({ user_id: userId, run_id: run.id, course_id: run.course_id, status: 'active', enrolled_at: at })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      added = inserted !== undefined;
    }
    if (!added) return 'already-enrolled';
    await addToEnrolledCount(trx, run.id, 1);
    return previous.length > 0 ? 'switched' : 'enrolled';
  });
}

/** Leaves a run; the enrolment row stays (inactive), so coming back later finds the learner's place. */
export async function unenrol(db: Kysely<Database>, userId: number, runId: number, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('enrolments')
      .set({ status: 'unenrolled', unenrolled_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('run_id', '=', runId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await addToEnrolledCount(trx, runId, -1);
    return true;
  });
}

/** Leaves every active run of a user (before deleting the account: the counters stay right). */
export async function unenrolEverywhere(trx: Kysely<Database>, userId: number, now: Date): Promise<void> {
  const left = await trx
    .updateTable('enrolments')
    .set({ status: 'unenrolled', unenrolled_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('status', '=', 'active')
    .returning('run_id')
    .execute();
  for (const row of left) await addToEnrolledCount(trx, row.run_id, -1);
}
