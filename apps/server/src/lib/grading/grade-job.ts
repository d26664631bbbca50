import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.ts';
import { selectExerciseSeals } from '../../models/exercise-seals.ts';
import {
  hasEarlierPass,
  insertSubmission,
  selectSubmissionById,
  setSubmissionJob,
  updateSubmissionOutcome,
  type SubmissionKey,
} from '../../models/submissions.ts';
import { LruCache } from '../cache.ts';
import { sandboxLibraryDir } from '../exercises/library.ts';
import type { SealDocument } from '../exercises/standin.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { Sandbox, SandboxJob, SandboxLimits, SandboxResult } from '../sandbox/sandbox.ts';
import { refreshEnrolledGrade } from '../grades/gradebook.ts';
import { gradingCourse, SEALS_DIR, type GradingCourse } from './course.ts';
import { recordExerciseProgress } from './progress.ts';

/** The job kind that grades one submission. */
export const GRADE_EXERCISE = 'grade.exercise';

export const gradePayload = z.object({ submissionId: z.number().int().positive() });
export type GradePayload = z.infer<typeof gradePayload>;

/** What the learner's run may use: a notebook's worth of work, not a benchmark. */
export const GRADE_LIMITS: Partial<SandboxLimits> = { wallMs: 10_000, cpuSeconds: 5, outputBytes: 4 * 1024 * 1024 };
/** The judge runs only the library on sealed data. */
const JUDGE_LIMITS: Partial<SandboxLimits> = { wallMs: 10_000, cpuSeconds: 5 };

/** The line the untrusted run ends with (python/carnet_seal/grade.py). */
const MARKER = '@@carnet-obtained/1@@ ';

/** Why a submission could not be verified: a code the page translates, and English for logs and staff. */
export type UnverifiedCode =
  | 'sandbox-unavailable'
  | 'not-sealed'
  | 'no-correction'
  | 'timeout'
  | 'memory'
  | 'output-limit'
  | 'crashed'
  | 'judge-failed';

/** The server's verdict on a submission. */
export interface Verdict {
  ok: boolean;
  passed: number;
  total: number;
  rows: { call: string; expected: string; obtained: string; ok: boolean; reason: string | null }[];
}

export type GradeOutcome =
  | { status: 'done'; verdict: Verdict; errors: { cell: number; error: string }[] }
  | { status: 'failed'; code: UnverifiedCode; reason: string };

/**
 * The grading program: python/carnet_seal/grade.py's main(), imported from the library (the
 * fork-server's zygotes have it imported already, ADR 027: nothing to compile per job).
 */
const GRADE_PROGRAM = 'import sys\nfrom carnet_seal.grade import main\nsys.exit(main(sys.argv[1:]))\n';

function gradeJob(argv: string, stdin: unknown, limits: Partial<SandboxLimits>): SandboxJob {
  return {
    libraries: [sandboxLibraryDir()],
    // The judge runs no learner code: it may run in a reused sandboxed worker (ADR 027).
    trusted: argv === '--judge',
    program: { code: GRADE_PROGRAM, filename: 'grade.py' },
    argv: [argv],
    stdin: JSON.stringify(stdin),
    limits,
  };
}

/** What the untrusted run printed after its marker (anything: it is the learner's process). */
interface ObtainedReport {
  obtained?: unknown;
  errors?: { cell: number; error: string }[];
  error?: string;
}

function parseObtained(line: string | undefined): ObtainedReport | null {
  if (!line) return null;
  try {
    const value = JSON.parse(line.slice(MARKER.length)) as unknown;
    return value && typeof value === 'object' ? (value as ObtainedReport) : null;
  } catch {
    return null;
  }
}

function sandboxFailure(result: SandboxResult): { code: UnverifiedCode; reason: string } {
  const code: UnverifiedCode =
    result.reason === 'timeout' || result.reason === 'cpu-time'
      ? 'timeout'
      : result.reason === 'memory'
        ? 'memory'
        : result.reason === 'output-limit'
          ? 'output-limit'
          : 'crashed';
  return { code, reason: result.message || `the run ended: ${result.reason}` };
}

/**
 * Grades a learner's cells against a sealed exercise in two sandbox runs: the untrusted one runs
 * the cells (in the notebook's course layout, `course`) and reports the values the learner's
 * object gives; the trusted judge, with no learner code, compares them with the seal using the
 * library's rules (ADR 025) — in a reused worker when the sandbox has one (ADR 027).
 */
export async function gradeCells(
  sandbox: Sandbox,
  input: { cells: string[]; seals: SealDocument[]; module: string; attribute: string },
  options: { signal?: AbortSignal; limits?: Partial<SandboxLimits>; course?: GradingCourse } = {},
): Promise<GradeOutcome> {
  const seal = input.seals.find((s) => s.module === input.module);
  const entry = seal?.exercises.find((e) => e.attribute === input.attribute);
  if (!entry?.sealable || !entry.sealed) {
    return { status: 'failed', code: 'not-sealed', reason: `${input.module}.${input.attribute} has no sealed form` };
  }
  // With the course's sealed modules on disk (SEALS_DIR), only the target's seal travels with the
  // job: the other stand-ins are built from those files if the learner's code imports them.
  const seals = options.course?.pythonPath?.includes(SEALS_DIR) ? [seal!] : input.seals;
  const run = await sandbox.run(
    { ...gradeJob('--obtain', { ...input, seals }, { ...GRADE_LIMITS, ...options.limits }), ...options.course },
    { signal: options.signal },
  );
  const line = run.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(MARKER));
  const obtained = parseObtained(line);
  if (!obtained) return { status: 'failed', ...sandboxFailure(run) };
  if (obtained.obtained === undefined) {
    return { status: 'failed', code: 'no-correction', reason: obtained.error ?? 'the cells did not call correction()' };
  }
  const judged = await sandbox.run(
    gradeJob('--judge', { sealed: entry.sealed, obtained: obtained.obtained }, JUDGE_LIMITS),
    { signal: options.signal },
  );
  try {
    const verdict = JSON.parse(judged.stdout) as Verdict & { error?: string };
    if (judged.reason !== 'ok' || verdict.error) throw new Error(verdict.error ?? judged.message);
    const rows = verdict.rows.map(({ call, expected, obtained: o, ok, reason }) => ({
      call,
      expected,
      obtained: o,
      ok,
      reason,
    }));
    return {
      status: 'done',
      verdict: { ok: verdict.ok, passed: verdict.passed, total: verdict.total, rows },
      errors: obtained.errors ?? [],
    };
  } catch (error) {
    return { status: 'failed', code: 'judge-failed', reason: `the judge failed: ${String(error).slice(0, 500)}` };
  }
}

const sealCache = new LruCache<number, SealDocument[]>(50);

/** A version's sealed modules, parsed once per process (versions never change). */
function sealsOf(db: Kysely<Database>, versionId: number): Promise<SealDocument[]> {
  return sealCache.getOrLoad(versionId, async () =>
    (await selectExerciseSeals(db, versionId))
      .filter((row) => row.seal !== null && row.status === 'sealed')
      .map((row) => JSON.parse(row.seal!) as SealDocument),
  );
}

/**
 * Stores a learner's submission and queues its grading, in one transaction: both or neither, and
 * one commit (the API's path, and the benchmark's).
 */
export function queueSubmission(
  db: Kysely<Database>,
  jobs: JobQueue,
  key: SubmissionKey,
  values: Parameters<typeof insertSubmission>[2],
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertSubmission(trx, key, values);
    await setSubmissionJob(trx, id, await jobs.enqueue(GRADE_EXERCISE, { submissionId: id }, { db: trx }));
    return id;
  });
}

/**
 * Registers `grade.exercise`: grades a stored submission, stores the verdict (or why it could not
 * be verified), and records the exercise progress of a pass. Without a sandbox, submissions fail
 * with `problem` (what to install).
 */
export function registerGradeExercise(
  queue: JobQueue,
  db: Kysely<Database>,
  sandbox: Sandbox | undefined,
  options: { problem?: string; clock?: () => Date; limits?: Partial<SandboxLimits> } = {},
): void {
  const clock = options.clock ?? (() => new Date());
  queue.registerHandler<GradePayload, { status: string }>(
    GRADE_EXERCISE,
    async ({ submissionId }, { signal }) => {
      const submission = await selectSubmissionById(db, submissionId);
      if (!sandbox) {
        const reason = options.problem ?? 'no sandbox on this server';
        await updateSubmissionOutcome(db, submissionId, {
          status: 'failed',
          reason,
          reasonCode: 'sandbox-unavailable',
          finishedAt: clock().toISOString(),
        });
        return { status: 'failed' };
      }
      // The submission stays "queued" until its verdict: the job row says when it runs (one write less).
      const seals = await sealsOf(db, submission.version_id);
      const outcome = await gradeCells(
        sandbox,
        {
          cells: JSON.parse(submission.cells) as string[],
          seals,
          module: submission.module,
          attribute: submission.exercise,
        },
        { signal, limits: options.limits, course: await gradingCourse(db, submission.version_id, submission.route) },
      );
      const finishedAt = clock().toISOString();
      if (outcome.status === 'failed') {
        await updateSubmissionOutcome(db, submissionId, {
          status: 'failed',
          reason: outcome.reason,
          reasonCode: outcome.code,
          finishedAt,
        });
        return { status: 'failed' };
      }
      // A pass after an earlier one (a notebook run again) changes no progress and no grade.
      const news = outcome.verdict.ok && !(await hasEarlierPass(db, submission));
      // The verdict and the progress it earns, in one transaction (one commit).
      await db.transaction().execute(async (trx) => {
        await updateSubmissionOutcome(trx, submissionId, {
          status: 'done',
          verdict: JSON.stringify(outcome.verdict),
          ok: outcome.verdict.ok,
          finishedAt,
        });
        if (news) await recordExerciseProgress(trx, submission, finishedAt);
      });
      // Then the grade (and a certificate it may earn): its own writes, after the verdict is safe.
      if (news) await refreshEnrolledGrade(db, submission.user_id, submission.course_id, clock());
      return { status: 'done' };
    },
    gradePayload,
  );
}
