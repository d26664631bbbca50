import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formValues, requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { canManageCourse } from '../../lib/auth/roles.ts';
import { checkGradingInput, gradingInputOf, versionWeeks, type GradingInput } from '../../lib/grades/form.ts';
import { versionExercises } from '../../lib/grades/gradebook.ts';
import { parseGradingPolicy, weekDueAt } from '../../lib/grades/policy.ts';
import { recomputeJobState, setRunPolicies } from '../../lib/grades/recompute.ts';
import { gradeReportStream } from '../../lib/grades/report-stream.ts';
import { reportFileName } from '../../lib/grades/report.ts';
import { toLocalInput } from '../../lib/runs/dates.ts';
import { runGradingUrl } from '../../lib/urls.ts';
import { selectOptionalCourseBySlug } from '../../models/courses.ts';
import { countRunGrades, selectMeanRunGrade } from '../../models/learner-grades.ts';
import { selectOptionalRunBySlug, type RunWithCourse } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { gradingView } from './grading.view.ts';

type Params = { slug: string; run: string };

const JOB_STATES: Record<string, MessageKey> = {
  queued: 'grading.job.queued',
  running: 'grading.job.running',
  done: 'grading.job.done',
  failed: 'grading.job.failed',
};

/** The form's text values, flattened for `FormState` (weeks joined by commas, due dates as `due_<week>`). */
function formValuesOf(input: GradingInput): Record<string, string> {
  const { weeks, due, ...rest } = input;
  const values: Record<string, string> = { ...rest, weeks: weeks.join(',') };
  for (const [week, text] of Object.entries(due)) values[`due_${week}`] = text;
  return values;
}

/**
 * A session's grading policy and quiz policy, edited by its staff, and its grade report (CSV,
 * streamed). Like the other staff pages, they do not exist for anyone else (404).
 */
export function gradingRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config, jobs } = services;

  async function managedRun(request: FastifyRequest<{ Params: Params }>) {
    const user = requireUser(request);
    const course = await selectOptionalCourseBySlug(db.kysely, request.params.slug);
    if (!course || !(await canManageCourse(db.kysely, user, course.id))) throw new HttpError('NOT_FOUND');
    const run = await selectOptionalRunBySlug(db.kysely, course.slug, request.params.run);
    if (!run) throw new HttpError('RUN_NOT_FOUND');
    return { course, run };
  }

  function inputOf(request: FastifyRequest, weeks: number[]): GradingInput {
    const due: Record<number, string> = {};
    for (const week of weeks) due[week] = formValue(request, `due_${week}`);
    return {
      quizWeight: formValue(request, 'quizWeight'),
      exerciseWeight: formValue(request, 'exerciseWeight'),
      weeks: formValues(request, 'weeks'),
      due,
      dueDays: formValue(request, 'dueDays'),
      graceMinutes: formValue(request, 'graceMinutes'),
      threshold: formValue(request, 'threshold'),
      certIssue: formValue(request, 'certIssue'),
      certDate: formValue(request, 'certDate'),
      certShowGrade: formValue(request, 'certShowGrade'),
      forgeable: formValue(request, 'forgeable'),
      quizAttempts: formValue(request, 'quizAttempts'),
      quizCounts: formValue(request, 'quizCounts'),
      quizPartialCredit: formValue(request, 'quizPartialCredit'),
      quizShowAnswer: formValue(request, 'quizShowAnswer'),
    };
  }

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    run: RunWithCourse,
    weeks: number[],
    form: FormState,
    status = 200,
  ) {
    const ctx = pageContext(request, assets);
    const zone = config.timezone;
    // The dates the rule gives (the hint beside each override), under the stored policy.
    const stored = parseGradingPolicy(run.grading);
    const policy = { ...stored, due: {} };
    const computedDue: Record<number, string | null> = {};
    for (const week of weeks) {
      const due = weekDueAt(run, policy, week);
      computedDue[week] = due ? toLocalInput(due, zone).replace('T', ' ') : null;
    }
    const query = request.query as Record<string, unknown>;
    let notice: string | undefined;
    if (query['notice'] === 'saved') {
      notice = request.t('grading.notice.saved');
      const jobId = Number(query['job']);
      const job = Number.isSafeInteger(jobId) && jobId > 0 ? await recomputeJobState(db.kysely, run.id, jobId) : null;
      if (job) {
        const key = JOB_STATES[job.status] ?? 'grading.job.queued';
        notice += ` ${request.t(key, { id: jobId, learners: job.learners ?? 0 })}`;
      }
    }
    const counts = await countRunGrades(db.kysely, run.id);
    return sendPage(
      reply,
      gradingView(ctx, {
        run,
        weeks,
        computedDue,
        form,
        csrf: ctx.viewer!.csrf,
        zone,
        notice,
        summary: { ...counts, mean: await selectMeanRunGrade(db.kysely, run.id) },
        exercises: await versionExercises(db.kysely, run.version_id),
        policy: stored,
      }),
      status,
    );
  }

  app.get<{ Params: Params }>('/manage/courses/:slug/runs/:run/grading', async (request, reply) => {
    const { run } = await managedRun(request);
    const weeks = await versionWeeks(db.kysely, run.version_id);
    const values = formValuesOf(gradingInputOf(run, config.timezone, weeks));
    return show(request, reply, run, weeks, { values, errors: {} });
  });

  app.post<{ Params: Params }>('/manage/courses/:slug/runs/:run/grading', async (request, reply) => {
    const { course, run } = await managedRun(request);
    const weeks = await versionWeeks(db.kysely, run.version_id);
    const input = inputOf(request, weeks);
    const checked = checkGradingInput(input, config.timezone, weeks);
    if (!checked.ok)
      return show(request, reply, run, weeks, { values: formValuesOf(input), errors: checked.errors }, 400);
    const job = await setRunPolicies(db.kysely, jobs, run, checked.policy, checked.quiz, clock());
    return reply.redirect(`${runGradingUrl(course.slug, run.slug)}?notice=saved&job=${job}`, 303);
  });

  app.get<{ Params: Params }>('/manage/courses/:slug/runs/:run/grades.csv', async (request, reply) => {
    const { course, run } = await managedRun(request);
    const name = reportFileName(course.slug, run.slug, clock());
    // Written by a worker thread with its own connection and heap (ADR 033); an error cuts the
    // download short (the headers are sent), a client that leaves stops the worker.
    const body = gradeReportStream(db, run);
    body.on('error', (error) => request.log.error({ err: error, run: run.id }, 'grade report interrupted'));
    body.on('close', () => {
      if (!body.readableEnded && !body.errored)
        request.log.info({ run: run.id }, 'grade report abandoned by the client');
    });
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${name}"`)
      .header('Cache-Control', 'private, no-store')
      .send(body);
  });
}
