import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import type { SealDocument } from '../lib/exercises/standin.ts';
import { queueSubmission } from '../lib/grading/grade-job.ts';
import { selectExerciseSeals } from '../models/exercise-seals.ts';
import { selectOptionalFileData } from '../models/course-files.ts';
import { canManageCourse } from '../lib/auth/roles.ts';
import { extractSolutions } from '../lib/exercises/solutions.ts';
import { routeWeek } from '../lib/grades/gradebook.ts';
import { parseGradingPolicy, weekDeadline } from '../lib/grades/policy.ts';
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
import { normaliseRoute } from './items.ts';
import type { ApiParts } from './routes.ts';

/** Most cells a submission carries, and their total size (UTF-8 bytes). */
const MAX_CELLS = 500;
const MAX_CELLS_BYTES = 512 * 1024;
/** Submissions per learner per minute (across servers: counted in the database). */
export const SUBMISSIONS_PER_MINUTE = 10;

const IDENTIFIER = /^[A-Za-z_]\w*$/;

const submissionBody = z.object({
  slug: z.string().min(1).max(200),
  route: z.string().min(1).max(1000),
  module: z
    .string()
    .max(200)
    .regex(/^corrections(\.[A-Za-z_]\w*)+$/),
  exercise: z.string().max(200).regex(IDENTIFIER),
  cells: z.array(z.string()).min(1).max(MAX_CELLS),
  browser: z.object({
    ok: z.boolean(),
    passed: z.number().int().min(0),
    total: z.number().int().min(0),
  }),
});

/** A submission as the API shows it to its learner. */
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
    ...(row.verdict ? { verdict: JSON.parse(row.verdict) as unknown } : {}),
    ...(row.reason_code ? { reason: row.reason_code, detail: row.reason } : {}),
    ...(withCode ? { cells: JSON.parse(row.cells) as unknown } : {}),
  };
}

/**
 * Verified grades (README, "Exercises"): `POST /api/submissions` stores a learner's cells for an
 * exercise and queues its grading; `GET /api/submissions/:id` says where it is; `GET
 * /api/submissions?slug&route[&exercise]` is the learner's history. Only one's own submissions exist.
 */
export function submissionRoutes(app: FastifyInstance, services: Services, { items }: ApiParts): void {
  const { db, clock, jobs } = services;

  app.post('/api/submissions', { bodyLimit: 2 * 1024 * 1024 }, async (request, reply) => {
    const user = requireUser(request);
    const parsed = submissionBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'slug, route, module, exercise, cells, browser');
    const body = parsed.data;
    const size = body.cells.reduce((n, c) => n + Buffer.byteLength(c, 'utf8'), 0);
    if (size > MAX_CELLS_BYTES) throw new HttpError('SUBMISSION_TOO_LARGE');
    const target = await items.resolve(request, body.slug, normaliseRoute(body.route.split('/')), { exact: true });
    if (target.item.type !== 'notebook') throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    const seals = await selectExerciseSeals(db.kysely, target.version.id);
    const seal = seals.find((row) => row.module === body.module && row.status === 'sealed' && row.seal);
    const known = seal && (JSON.parse(seal.seal!) as SealDocument).exercises.some((e) => e.attribute === body.exercise);
    if (!known) throw new HttpError('EXERCISE_NOT_FOUND');

    const key = {
      userId: user.id,
      courseId: target.courseId,
      route: target.route,
      module: body.module,
      exercise: body.exercise,
    };
    const cells = JSON.stringify(body.cells);
    const cellsHash = createHash('sha256').update(cells).digest('hex');
    reply.header('Cache-Control', 'no-store');
    const same = await selectOptionalIdenticalSubmission(db.kysely, key, target.version.id, cellsHash);
    if (same && same.status !== 'failed') return reply.code(200).send({ id: same.id, status: same.status });

    const now = clock();
    const recent = await countSubmissionsSince(db.kysely, user.id, new Date(now.getTime() - 60_000).toISOString());
    if (recent >= SUBMISSIONS_PER_MINUTE) throw new HttpError('TOO_MANY_SUBMISSIONS', '60');

    const values = {
      versionId: target.version.id,
      cells,
      cellsHash,
      browser: JSON.stringify(body.browser),
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
      return reply.code(202).send({ id, status: 'failed' });
    }
    const id = await queueSubmission(db.kysely, jobs, key, values);
    return reply.code(202).send({ id, status: 'queued' });
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

  app.get<{ Querystring: { slug?: string; route?: string; exercise?: string } }>(
    '/api/submissions',
    async (request, reply) => {
      const user = requireUser(request);
      const { slug, route, exercise } = request.query;
      if (!slug || !route) throw new HttpError('BAD_REQUEST', 'slug, route');
      const target = await items.resolve(request, slug, normaliseRoute(route.split('/')));
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
  app.get<{ Querystring: { slug?: string; route?: string; module?: string; exercise?: string } }>(
    '/api/solutions',
    async (request, reply) => {
      const user = requireUser(request);
      const { slug, route, module, exercise } = request.query;
      if (!slug || !route || !module || !exercise) throw new HttpError('BAD_REQUEST', 'slug, route, module, exercise');
      const target = await items.resolve(request, slug, normaliseRoute(route.split('/')));
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
      const seal = (await selectExerciseSeals(db.kysely, target.version.id)).find((s) => s.module === module);
      const name = seal?.seal
        ? (JSON.parse(seal.seal) as SealDocument).exercises.find((e) => e.attribute === exercise)?.name
        : undefined;
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
