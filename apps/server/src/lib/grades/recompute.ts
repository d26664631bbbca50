import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, Run } from '../../db/schema.ts';
import { selectOptionalRunById, updateRun } from '../../models/runs.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { QuizColumns } from './form.ts';
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

/**
 * Stores both policies staff edit together (the grading page, `carnet run grading`): the quiz
 * columns first, since which attempt counts is part of a grade, then the grading policy, which
 * queues the recomputation. Returns the job id.
 */
export async function setRunPolicies(
  db: Kysely<Database>,
  jobs: JobQueue,
  run: Pick<Run, 'id'>,
  policy: GradingPolicy,
  quiz: QuizColumns,
  now: Date,
): Promise<number> {
  await updateRun(db, run.id, quiz, now);
  return setGradingPolicy(db, jobs, run, policy, now);
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

/** Queues the recomputation of a session's grades (its schedule or version changed). */
export function queueGradeRecompute(jobs: JobQueue, runId: number): Promise<number> {
  return jobs.enqueue(GRADES_RECOMPUTE, { runId });
}

/** Where a recomputation stands, for the grading page: null unless `jobId` recomputes this session. */
export async function recomputeJobState(
  db: Kysely<Database>,
  runId: number,
  jobId: number,
): Promise<{ status: string; learners: number | null } | null> {
  const row = await db
    .selectFrom('jobs')
    .select(['kind', 'payload', 'status', 'result'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  if (!row || row.kind !== GRADES_RECOMPUTE) return null;
  const parsed = payload.safeParse(JSON.parse(row.payload));
  if (!parsed.success || parsed.data.runId !== runId) return null;
  const result = row.result ? (JSON.parse(row.result) as { learners?: number }) : null;
  return { status: row.status, learners: typeof result?.learners === 'number' ? result.learners : null };
}
