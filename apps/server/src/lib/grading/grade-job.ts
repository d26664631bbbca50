import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.ts';
import {
  failUnfinishedSubmission,
  hasEarlierPass,
  insertSubmission,
  selectSubmissionById,
  setSubmissionJob,
  updateSubmissionOutcome,
  type SubmissionKey,
} from '../../models/submissions.ts';
import { sandboxLibraryDir } from '../exercises/library.ts';
import { versionSeals, type InputsForm, type VersionExercise } from '../exercises/seals.ts';
import type { JobQueue } from '../jobs/queue.ts';
import {
  SANDBOX_PATHS,
  type Sandbox,
  type SandboxJob,
  type SandboxLimits,
  type SandboxResult,
} from '../sandbox/sandbox.ts';
import { refreshEnrolledGrade } from '../grades/gradebook.ts';
import { gradingCourse, trustedCourse, type GradingCourse } from './course.ts';
import { recordExerciseProgress } from './progress.ts';
import { countFailingRows } from '../analytics/failures.ts';

/** The job kind that grades one submission. */
export const GRADE_EXERCISE = 'grade.exercise';

export const gradePayload = z.object({ submissionId: z.number().int().positive() });
export type GradePayload = z.infer<typeof gradePayload>;

/** What the learner's run may use: a notebook's worth of work, not a benchmark. */
export const GRADE_LIMITS: Partial<SandboxLimits> = { wallMs: 10_000, cpuSeconds: 5, outputBytes: 4 * 1024 * 1024 };
/** The judges and draws run only the library and the course's module on data. */
const TRUSTED_LIMITS: Partial<SandboxLimits> = { wallMs: 10_000, cpuSeconds: 5, outputBytes: 4 * 1024 * 1024 };

/** The line the untrusted run ends with (python/carnet_seal/grade.py). */
const MARKER = '@@carnet-obtained/1@@ ';

/** Why a submission could not be verified: a code the page translates, and English for logs and staff. */
export type UnverifiedCode =
  | 'sandbox-unavailable'
  | 'not-sealed'
  | 'no-correction'
  | 'bad-report'
  | 'timeout'
  | 'memory'
  | 'output-limit'
  | 'crashed'
  | 'judge-failed';

/** One row of the server's verdict, as stored (staff may read it all; learners get `learnerVerdict`). */
export interface VerdictRow {
  /** The dataset (or scenario) the row checks. */
  index: number;
  /** A check the learner never saw: its inputs and expected value are never shown to them. */
  hidden: boolean;
  call: string;
  expected: string;
  obtained: string;
  ok: boolean;
  reason: string | null;
  scenario: number | null;
  /** The type of the exception the learner's object raised, if it did. */
  error?: string | null;
}

/** The server's verdict on a submission. */
export interface Verdict {
  ok: boolean;
  passed: number;
  total: number;
  rows: VerdictRow[];
  /** The correction table as the learner may see it (server-checked exercises: held-back rows reduced). */
  table?: string;
}

export type GradeOutcome =
  | { status: 'done'; verdict: Verdict; errors: { cell: number; error: string }[] }
  | { status: 'failed'; code: UnverifiedCode; reason: string };

const verdictSchema = z.object({
  ok: z.boolean(),
  passed: z.number().int().min(0),
  total: z.number().int().min(0),
  rows: z.array(
    z.object({
      index: z.number().int(),
      hidden: z.boolean(),
      call: z.string(),
      expected: z.string(),
      obtained: z.string(),
      ok: z.boolean(),
      reason: z.string().nullable(),
      scenario: z.number().int().nullable(),
      error: z.string().nullable().optional(),
    }),
  ),
  table: z.string().optional(),
});

/**
 * The programs, imported from the library (the fork-server's zygotes have grade.py imported
 * already, ADR 027: nothing to compile per job).
 */
const GRADE_PROGRAM = 'import sys\nfrom carnet_seal.grade import main\nsys.exit(main(sys.argv[1:]))\n';
const SEAL_PROGRAM = 'import sys\nfrom carnet_seal.seal import main\nsys.exit(main(sys.argv[1:]))\n';

function job(program: string, argv: string[], stdin: unknown, limits: Partial<SandboxLimits>): SandboxJob {
  return {
    libraries: [sandboxLibraryDir()],
    program: { code: program, filename: program === GRADE_PROGRAM ? 'grade.py' : 'seal.py' },
    argv,
    stdin: JSON.stringify(stdin),
    limits,
  };
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

/** What the untrusted run reported (anything: it is the learner's process). */
const obtainedReport = z.object({
  obtained: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(z.object({ cell: z.number(), error: z.string() })).optional(),
  error: z.string().optional(),
});

/**
 * The one report line of an untrusted run. None (the run stopped first, or exited its own way) or
 * more than one (the learner's code wrote its own) is no report: the run proves nothing.
 */
function readReport(run: SandboxResult): z.infer<typeof obtainedReport> | { code: UnverifiedCode; reason: string } {
  const lines = run.stdout.split('\n').filter((line) => line.startsWith(MARKER));
  if (lines.length === 0) {
    return run.reason === 'ok'
      ? { code: 'bad-report', reason: 'the run ended without reporting its results' }
      : sandboxFailure(run);
  }
  if (lines.length > 1) return { code: 'bad-report', reason: `the run reported ${lines.length} results, not one` };
  try {
    const parsed = obtainedReport.safeParse(JSON.parse(lines[0]!.slice(MARKER.length)));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  return { code: 'bad-report', reason: 'the run reported something else than results' };
}

/** A trusted run's JSON answer: its value, or why it failed. */
function readTrusted(
  run: SandboxResult,
): { value: Record<string, unknown> } | { code: UnverifiedCode; reason: string } {
  let value: unknown = null;
  try {
    value = JSON.parse(run.stdout);
  } catch {
    value = null;
  }
  if (value && typeof value === 'object' && 'mismatch' in value) {
    return { code: 'bad-report', reason: `the obtained values do not fit the exercise: ${String(value.mismatch)}` };
  }
  if (run.reason !== 'ok' || !value || typeof value !== 'object' || 'error' in value) {
    const detail = value && typeof value === 'object' && 'error' in value ? String(value.error) : run.message;
    return { code: 'judge-failed', reason: `the judge failed: ${detail.slice(-500)}` };
  }
  return { value: value as Record<string, unknown> };
}

/** Where a graded notebook's runs find the course: untrusted (public files, stand-ins) and trusted. */
export interface GradingCourses {
  untrusted?: GradingCourse;
  trusted?: GradingCourse;
}

/**
 * Grades a learner's cells on one exercise (ADR 034), in up to three sandbox runs:
 * 1. for datasets drawn at random, a trusted run of the module draws new ones for this submission;
 * 2. the untrusted run executes the cells with only the inputs, and reports what the learner's
 *    object gave — never seeing an expected value;
 * 3. a trusted judge compares: the library with the full seal (in a reused worker, ADR 027), or
 *    the module itself in a fresh run when the browser cannot reproduce it.
 */
export async function gradeCells(
  sandbox: Sandbox,
  input: { cells: string[]; exercise: VersionExercise; standin?: string | undefined },
  options: { signal?: AbortSignal; limits?: Partial<SandboxLimits>; courses?: GradingCourses } = {},
): Promise<GradeOutcome> {
  const { seal, module, doc } = input.exercise;
  if (seal.mode === 'none' || !seal.judge || !seal.inputs) {
    return {
      status: 'failed',
      code: 'not-sealed',
      reason: `${module}.${seal.attribute} cannot be checked: ${seal.reason ?? 'not sealed'}`,
    };
  }
  const signal = options.signal;
  const modules = `${SANDBOX_PATHS.course}/modules`;
  const seed = randomInt(2 ** 31);
  const common = { seed, options: doc.options ?? {}, numpy: doc.numpy };
  let inputs: InputsForm = seal.inputs;
  let sealed = seal.sealed;
  let plan = seal.plan;
  if (seal.random) {
    const drawn = readTrusted(
      await sandbox.run(
        {
          ...job(
            SEAL_PROGRAM,
            ['--draw', modules, module, seal.attribute],
            { ...common, judge: seal.judge },
            TRUSTED_LIMITS,
          ),
          ...options.courses?.trusted,
        },
        { signal },
      ),
    );
    if (!('value' in drawn)) return { status: 'failed', ...drawn };
    const fresh = z
      .object({
        inputs: z.record(z.string(), z.unknown()),
        sealed: z.record(z.string(), z.unknown()).optional(),
        plan: z.record(z.string(), z.unknown()).optional(),
      })
      .safeParse(drawn.value);
    if (!fresh.success) return { status: 'failed', code: 'judge-failed', reason: 'the draw gave no datasets' };
    inputs = fresh.data.inputs as InputsForm;
    sealed = fresh.data.sealed;
    plan = fresh.data.plan as InputsForm | undefined;
  }
  const run = await sandbox.run(
    {
      ...job(
        GRADE_PROGRAM,
        ['--obtain'],
        { cells: input.cells, module, attribute: seal.attribute, inputs, standin: input.standin },
        { ...GRADE_LIMITS, ...options.limits },
      ),
      ...options.courses?.untrusted,
    },
    { signal },
  );
  const report = readReport(run);
  if ('code' in report) return { status: 'failed', ...report };
  if (report.error) return { status: 'failed', code: 'crashed', reason: report.error };
  if (!report.obtained)
    return { status: 'failed', code: 'no-correction', reason: 'the cells did not call correction()' };
  const judged = readTrusted(
    seal.judge === 'sealed'
      ? await sandbox.run(
          { ...job(GRADE_PROGRAM, ['--judge'], { sealed, obtained: report.obtained }, TRUSTED_LIMITS), trusted: true },
          { signal },
        )
      : await sandbox.run(
          {
            ...job(
              SEAL_PROGRAM,
              ['--judge', modules, module, seal.attribute],
              { ...common, plan, obtained: report.obtained },
              TRUSTED_LIMITS,
            ),
            ...options.courses?.trusted,
          },
          { signal },
        ),
  );
  if (!('value' in judged)) return { status: 'failed', ...judged };
  const verdict = verdictSchema.safeParse(judged.value);
  if (!verdict.success) return { status: 'failed', code: 'judge-failed', reason: 'the judge gave no verdict' };
  // 0 rows is never a pass, whatever a judge said.
  const value = {
    ...verdict.data,
    ok: verdict.data.ok && verdict.data.total > 0 && verdict.data.passed === verdict.data.total,
  };
  return { status: 'done', verdict: value, errors: report.errors ?? [] };
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
  client: { address: string },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertSubmission(trx, key, values);
    const job = await jobs.enqueue(
      GRADE_EXERCISE,
      { submissionId: id },
      { db: trx, fairKey: fairKey(key.userId), group: client.address },
    );
    await setSubmissionJob(trx, id, job);
    return id;
  });
}

/** A learner's grading runs share one key: one at a time, in turn with other learners' (ADR 035). */
function fairKey(userId: number): string {
  return `user:${userId}`;
}

/**
 * Registers `grade.exercise`: grades a stored submission, stores the verdict (or why it could not
 * be verified), and records the exercise progress of a pass. Without a sandbox, submissions fail
 * with `problem` (what to install). Whatever happens, the submission ends done or failed.
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
      const fail = async (code: UnverifiedCode, reason: string): Promise<{ status: string }> => {
        await updateSubmissionOutcome(db, submissionId, {
          status: 'failed',
          reason,
          reasonCode: code,
          finishedAt: clock().toISOString(),
        });
        return { status: 'failed' };
      };
      if (!sandbox) return fail('sandbox-unavailable', options.problem ?? 'no sandbox on this server');
      // The submission stays "queued" until its verdict: the job row says when it runs (one write less).
      const seals = await versionSeals(db, submission.version_id);
      const exercise = seals.exercises.get(`${submission.module}.${submission.exercise}`);
      if (!exercise)
        return fail('not-sealed', `${submission.module}.${submission.exercise} has no seal in this version`);
      let outcome: GradeOutcome;
      try {
        // The modules are laid out only for what runs them: draws and the module as judge.
        const needsModules = exercise.seal.random || exercise.seal.judge === 'module';
        const courses = {
          untrusted: await gradingCourse(db, submission.version_id, submission.route),
          ...(needsModules ? { trusted: await trustedCourse(db, submission.version_id, submission.route) } : {}),
        };
        outcome = await gradeCells(
          sandbox,
          {
            cells: JSON.parse(submission.cells) as string[],
            exercise,
            standin: seals.gradingSources.get(submission.module),
          },
          { signal, limits: options.limits, courses },
        );
      } catch (error) {
        if (signal.aborted) throw error; // the worker stops: the job is retried elsewhere
        return fail('judge-failed', `grading failed: ${String(error).slice(0, 300)}`);
      }
      if (outcome.status === 'failed') return fail(outcome.code, outcome.reason);
      const finishedAt = clock().toISOString();
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
        await countFailingRows(trx, submission, outcome.verdict);
      });
      // Then the grade (and a certificate it may earn): its own writes, after the verdict is safe.
      if (news) await refreshEnrolledGrade(db, submission.user_id, submission.course_id, clock());
      return { status: 'done' };
    },
    gradePayload,
    {
      // The handler threw past its own catch (the database failed mid-way, say) or its worker died
      // twice: the submission ends failed with the reason, never "queued" forever.
      onFailed: async (payload, error) => {
        const parsed = gradePayload.safeParse(payload);
        if (!parsed.success) return;
        await failUnfinishedSubmission(db, parsed.data.submissionId, {
          reason: `grading stopped: ${error.slice(0, 300)}`,
          reasonCode: 'crashed',
          finishedAt: clock().toISOString(),
        });
      },
    },
  );
}
