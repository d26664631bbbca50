import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { versionSeals } from '../lib/exercises/seals.ts';
import { GRADE_EXERCISE, GRADE_LIMITS, queueSubmission, type Verdict } from '../lib/grading/grade-job.ts';
import { learnerVerdict } from '../lib/grading/verdict.ts';
import { selectOptionalFileData } from '../models/course-files.ts';
import { canManageCourse } from '../lib/auth/roles.ts';
import { extractSolutions } from '../lib/exercises/solutions.ts';
import { routeWeek } from '../lib/grades/gradebook.ts';
import { parseGradingPolicy, weekDeadline } from '../lib/grades/policy.ts';
import { copyAccess } from '../lib/activities/rules.ts';
import { selectOptionalActivityOfPupil } from '../models/activities.ts';
import { selectOptionalActiveEnrolment } from '../models/enrolments.ts';
import {
  countSubmissionsSince,
  insertSubmission,
  selectOptionalIdenticalSubmission,
  selectOptionalSubmissionOfUser,
  selectPassedExercises,
  selectSubmissionHistory,
  updateSubmissionOutcome,
  type SubmissionRow,
} from '../models/submissions.ts';
import type { Services } from '../services.ts';
import { normaliseRoute, type ItemTarget } from './items.ts';
import type { ApiParts } from './routes.ts';

/** Most cells a submission carries, and their total size (UTF-8 bytes). */
const MAX_CELLS = 500;
const MAX_CELLS_BYTES = 512 * 1024;
/** Submissions per learner per minute (across servers: counted in the database). */
export const SUBMISSIONS_PER_MINUTE = 10;

/** Retry-After when an address has too many submissions waiting: about one grading run. */
const PENDING_RETRY_SECONDS = Math.ceil((GRADE_LIMITS.wallMs ?? 10_000) / 1000);
/** Retry-After when the whole queue is full. */
const BUSY_RETRY_SECONDS = 30;

const IDENTIFIER = /^[A-Za-z_]\w*$/;

const checkBody = z.object({
  slug: z.string().min(1).max(200),
  route: z.string().min(1).max(1000),
  module: z
    .string()
    .max(200)
    .regex(/^corrections(\.[A-Za-z_]\w*)+$/),
  exercise: z.string().max(200).regex(IDENTIFIER),
  cells: z.array(z.string()).min(1).max(MAX_CELLS),
  /** In activity mode (ADR 051): the pupil's activity, whose pinned version grades the cells. */
  activity: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

const submissionBody = checkBody.extend({
  browser: z.object({
    ok: z.boolean(),
    passed: z.number().int().min(0),
    total: z.number().int().min(0),
  }),
});

/** A submission as the API shows it to its learner: never a hidden check's data (ADR 034). */
function submissionJson(row: SubmissionRow, withCode: boolean) {
  return {
    id: row.id,
    status: row.status,
    module: row.module,
    exercise: row.exercise,
    route: row.route,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    browser: JSON.parse(row.browser) as unknown,
    ...(row.verdict ? { verdict: learnerVerdict(JSON.parse(row.verdict) as Verdict) } : {}),
    ...(row.reason_code ? { reason: row.reason_code, detail: row.reason } : {}),
    ...(withCode ? { cells: JSON.parse(row.cells) as unknown } : {}),
  };
}

/** An `activity` query parameter: absent, or an id (BAD_REQUEST otherwise). */
function activityParam(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,11}$/.test(value)) throw new HttpError('BAD_REQUEST', 'activity');
  return Number(value);
}

/** How long a practice check waits for its verdict before answering that it is still queued. */
const CHECK_WAIT_MS = 20_000;

/**
 * Verified grades (README, "Exercises"): `POST /api/submissions` stores a learner's cells for an
 * exercise and queues its grading; `POST /api/checks` does the same for an exercise the server
 * checks (the browser cannot) and answers with the verdict and its table once graded; `GET
 * /api/submissions/:id` says where a submission is; `GET /api/submissions?slug&route[&exercise]`
 * is the learner's history. Only one's own submissions exist.
 */
export function submissionRoutes(app: FastifyInstance, services: Services, { items }: ApiParts): void {
  const { db, clock, jobs } = services;

  /**
   * The item a request is about, as its reader is graded on it: in activity mode (`activity`: one
   * of the pupil's own activities, on this course and route, not hidden to them) at the
   * activity's pinned version (ADR 051) — a submission needs the copy editable —, else at the
   * reader's version.
   */
  async function targetOf(
    request: FastifyRequest,
    slug: string,
    route: string,
    activity: number | undefined,
    use: 'submit' | 'read',
    options: { exact?: boolean } = {},
  ): Promise<ItemTarget> {
    if (activity === undefined) return items.resolve(request, slug, route, options);
    const user = requireUser(request);
    const found = await selectOptionalActivityOfPupil(db.kysely, activity, user.id);
    const access = found ? copyAccess(found.activity, found.pupil, clock()) : 'hidden';
    if (!found || found.activity.kind !== 'notebook' || found.activity.route !== route || access === 'hidden') {
      throw new HttpError('ITEM_NOT_FOUND');
    }
    if (use === 'submit' && access !== 'editable') throw new HttpError('ACTIVITY_READ_ONLY');
    return items.resolveAt(slug, route, found.activity.course_id, found.activity.version_id);
  }

  /** Stores (or finds the identical) submission of an exercise the notebook at `route` corrects. */
  async function submit(
    request: FastifyRequest,
    body: z.infer<typeof checkBody>,
    browser: unknown,
  ): Promise<{ id: number; status: SubmissionRow['status']; existing: boolean }> {
    const user = requireUser(request);
    const size = body.cells.reduce((n, c) => n + Buffer.byteLength(c, 'utf8'), 0);
    if (size > MAX_CELLS_BYTES) throw new HttpError('SUBMISSION_TOO_LARGE');
    const route = normaliseRoute(body.route.split('/'));
    const target = await targetOf(request, body.slug, route, body.activity, 'submit', { exact: true });
    if (target.item.type !== 'notebook') throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    const ref = `${body.module}.${body.exercise}`;
    // Only an exercise this notebook corrects: a submission elsewhere would open its solution there.
    if (!target.item.corrects.has(ref)) throw new HttpError('EXERCISE_NOT_IN_NOTEBOOK');
    const exercise = (await versionSeals(db.kysely, target.version.id)).exercises.get(ref);
    if (!exercise) throw new HttpError('EXERCISE_NOT_FOUND');
    if (exercise.seal.mode === 'none') throw new HttpError('EXERCISE_UNVERIFIABLE');

    const key = {
      userId: user.id,
      courseId: target.courseId,
      route: target.route,
      module: body.module,
      exercise: body.exercise,
    };
    const cells = JSON.stringify(body.cells);
    const cellsHash = createHash('sha256').update(cells).digest('hex');
    const same = await selectOptionalIdenticalSubmission(db.kysely, key, target.version.id, cellsHash);
    // A random exercise is verified on a new draw each time: the same code is graded again.
    if (same && same.status !== 'failed' && !exercise.seal.random)
      return { id: same.id, status: same.status, existing: true };

    const now = clock();
    const recent = await countSubmissionsSince(db.kysely, user.id, new Date(now.getTime() - 60_000).toISOString());
    if (recent >= SUBMISSIONS_PER_MINUTE) throw new HttpError('TOO_MANY_SUBMISSIONS', '60');

    // Admission (ADR 035): the queue serves learners in turn; these caps keep it short. A
    // classroom behind one NAT shares an address, so its cap is per waiting submission, not per hour.
    if ((await jobs.pending({ kind: GRADE_EXERCISE })) >= services.config.gradingQueueMax) {
      throw new HttpError('GRADING_BUSY', String(BUSY_RETRY_SECONDS));
    }
    const waiting = await jobs.pending({ kind: GRADE_EXERCISE, group: request.ip });
    if (waiting >= services.config.gradingPendingPerAddress) {
      throw new HttpError('TOO_MANY_PENDING', String(PENDING_RETRY_SECONDS));
    }

    const values = {
      versionId: target.version.id,
      cells,
      cellsHash,
      browser: JSON.stringify(browser),
      createdAt: now.toISOString(),
    };
    if (!services.grading.sandbox) {
      const id = await insertSubmission(db.kysely, key, values);
      await updateSubmissionOutcome(db.kysely, id, {
        status: 'failed',
        reason: services.grading.problem ?? 'no sandbox',
        reasonCode: 'sandbox-unavailable',
        finishedAt: now.toISOString(),
      });
      return { id, status: 'failed', existing: false };
    }
    const id = await queueSubmission(db.kysely, jobs, key, values, { address: request.ip });
    return { id, status: 'queued', existing: false };
  }

  app.post('/api/submissions', { bodyLimit: 2 * 1024 * 1024 }, async (request, reply) => {
    const parsed = submissionBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'slug, route, module, exercise, cells, browser');
    const { id, status, existing } = await submit(request, parsed.data, parsed.data.browser);
    reply.header('Cache-Control', 'no-store');
    return reply.code(existing ? 200 : 202).send({ id, status });
  });

  app.post('/api/checks', { bodyLimit: 2 * 1024 * 1024 }, async (request, reply) => {
    const user = requireUser(request);
    const parsed = checkBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'slug, route, module, exercise, cells');
    const { id } = await submit(request, parsed.data, { practice: true });
    let row = await selectOptionalSubmissionOfUser(db.kysely, id, user.id);
    if (row?.status === 'queued' && row.job_id !== null) {
      await jobs.waitFor(row.job_id, CHECK_WAIT_MS).catch(() => undefined);
      row = await selectOptionalSubmissionOfUser(db.kysely, id, user.id);
    }
    reply.header('Cache-Control', 'no-store');
    return submissionJson(row!, false);
  });

  app.get<{ Params: { id: string } }>('/api/submissions/:id', async (request, reply) => {
    const user = requireUser(request);
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError('SUBMISSION_NOT_FOUND');
    const row = await selectOptionalSubmissionOfUser(db.kysely, id, user.id);
    if (!row) throw new HttpError('SUBMISSION_NOT_FOUND');
    reply.header('Cache-Control', 'no-store');
    return submissionJson(row, false);
  });

  app.get<{ Querystring: { slug?: string; route?: string; exercise?: string; activity?: string } }>(
    '/api/submissions',
    async (request, reply) => {
      const user = requireUser(request);
      const { slug, route, exercise } = request.query;
      if (!slug || !route) throw new HttpError('BAD_REQUEST', 'slug, route');
      const activity = activityParam(request.query.activity);
      const target = await targetOf(request, slug, normaliseRoute(route.split('/')), activity, 'read');
      const rows = await selectSubmissionHistory(db.kysely, {
        userId: user.id,
        courseId: target.courseId,
        route: target.route,
        ...(exercise ? { exercise } : {}),
      });
      reply.header('Cache-Control', 'no-store');
      return { submissions: rows.map((row) => submissionJson(row, true)) };
    },
  );

  // The reference solutions of an exercise, once the learner has passed it (a verified all-OK
  // submission) or the week's due date is past in their session, and always to the course's staff.
  // Before that they do not exist (404).
  app.get<{ Querystring: { slug?: string; route?: string; module?: string; exercise?: string; activity?: string } }>(
    '/api/solutions',
    async (request, reply) => {
      const user = requireUser(request);
      const { slug, route, module, exercise } = request.query;
      if (!slug || !route || !module || !exercise) throw new HttpError('BAD_REQUEST', 'slug, route, module, exercise');
      const activity = activityParam(request.query.activity);
      const target = await targetOf(request, slug, normaliseRoute(route.split('/')), activity, 'read');
      if (!target.item.corrects.has(`${module}.${exercise}`)) throw new HttpError('SOLUTION_NOT_AVAILABLE');
      // The week's due date (plus grace) in the learner's session is past: nothing can count any more.
      const pastDue = async (): Promise<boolean> => {
        const enrolment = await selectOptionalActiveEnrolment(db.kysely, user.id, target.courseId);
        if (!enrolment) return false;
        const week = await routeWeek(db.kysely, target.version.id, target.route);
        const deadline = weekDeadline(enrolment.run, parseGradingPolicy(enrolment.run.grading), week);
        return deadline !== null && clock().toISOString() > deadline;
      };
      const passed = (await selectPassedExercises(db.kysely, user.id, target.courseId, target.route)).some(
        (p) => p.module === module && p.exercise === exercise,
      );
      if (!passed && !(await pastDue()) && !(await canManageCourse(db.kysely, user, target.courseId))) {
        throw new HttpError('SOLUTION_NOT_AVAILABLE');
      }
      const name = (await versionSeals(db.kysely, target.version.id)).exercises.get(`${module}.${exercise}`)?.seal.name;
      const source = await selectOptionalFileData(
        db.kysely,
        target.version.id,
        `modules/${module.replace(/\./g, '/')}.py`,
      );
      if (!name || !source) throw new HttpError('SOLUTION_NOT_AVAILABLE');
      reply.header('Cache-Control', 'no-store');
      return { solutions: extractSolutions(source.toString('utf8'), name) };
    },
  );
}
