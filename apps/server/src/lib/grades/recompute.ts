import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Run } from '../../db/schema.ts';
import { selectOptionalRunById, updateRun } from '../../models/runs.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { recomputeRunGrades } from './gradebook.ts';
import { serializeGradingPolicy, type GradingPolicy } from './policy.ts';

/** The job that recomputes every grade of a session after its policy changed. */
export const GRADES_RECOMPUTE = 'grades.recompute';
const payload = z.object({ runId: z.number().int().positive() });

/**
 * Stores a session's new grading policy and queues the recomputation of its learners' grades (a
 * job: a session may have 100,000 learners, and the job survives a restart). Returns the job id.
 */
export async function setGradingPolicy(
  db: Kysely<Database>,
  jobs: JobQueue,
  run: Pick<Run, 'id'>,
  policy: GradingPolicy,
  now: Date,
): Promise<number> {
  await updateRun(db, run.id, { grading: serializeGradingPolicy(policy) }, now);
  return jobs.enqueue(GRADES_RECOMPUTE, { runId: run.id });
}

/** Registers `grades.recompute`: reads the session as it is now (the latest policy wins). */
export function registerGradeRecompute(
  queue: JobQueue,
  db: Kysely<Database>,
  clock: () => Date = () => new Date(),
): void {
  queue.registerHandler<z.infer<typeof payload>, { learners: number }>(
    GRADES_RECOMPUTE,
    async ({ runId }) => {
      const run = await selectOptionalRunById(db, runId);
      if (!run) return { learners: 0 };
      return { learners: await recomputeRunGrades(db, run, clock()) };
    },
    payload,
  );
}
