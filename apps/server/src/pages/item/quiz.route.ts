import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formValue } from '../../http/forms.ts';
import { formValues, requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import type { LiveVersion } from '../../lib/content-cache.ts';
import { refreshLearnerGrade, routeWeek } from '../../lib/grades/gradebook.ts';
import { parseGradingPolicy, weekDeadline, weekDueAt } from '../../lib/grades/policy.ts';
import { answersFromForm, problemQuestions } from '../../lib/quizzes/grade.ts';
import { learnerProblems, loadQuiz, quizPolicyOf, submitAttempt } from '../../lib/quizzes/quizzes.ts';
import { readerVersion } from '../../lib/runs/reading.ts';
import { courseItemUrl } from '../../lib/urls.ts';
import type { ActiveEnrolment } from '../../models/enrolments.ts';
import type { Services } from '../../services.ts';
import { itemRoute, serveItem } from './item.route.ts';
import { problemUpdate, type ProblemFlash, type QuizReader } from './quiz.view.ts';

/**
 * `POST /courses/<slug>/<quiz route>`: one problem's answers (field `problem`, controls named by
 * question id). A form post is redirected back to the problem (303), or, when refused, gets the page
 * with the answers kept and the reason (422, 409). A script asking for JSON gets the problem's
 * updated parts (problemUpdate) with the same statuses.
 */
export function quizRoutes(app: FastifyInstance, services: Services): void {
  const { db, content, clock, assets } = services;
  app.post<{ Params: { slug: string; '*': string } }>('/courses/:slug/*', async (request, reply) => {
    const user = requireUser(request);
    const live = await content.liveVersion(request.params.slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    const route = itemRoute(request.params['*']);
    const { version, enrolment } = await readerVersion(request, services, live);
    const loaded = await loadQuiz(db.kysely, version.id, route, version.language);
    if (!loaded) throw new HttpError('ITEM_NOT_FOUND', undefined, live.slug);
    const problem = loaded.quiz.problems.find((p) => p.id === formValue(request, 'problem'));
    if (!problem) throw new HttpError('BAD_REQUEST', 'problem');
    const answers = answersFromForm(
      problem,
      Object.fromEntries(problemQuestions(problem).map((q) => [q.id, formValues(request, q.id)])),
    );
    const outcome = await submitAttempt(db.kysely, {
      userId: user.id,
      courseId: version.course_id,
      versionId: version.id,
      runId: enrolment?.run.id ?? null,
      route,
      quiz: loaded.quiz,
      problem,
      answers,
      policy: quizPolicyOf(enrolment?.run ?? null, await routeWeek(db.kysely, version.id, route)),
      at: clock().toISOString(),
    });
    if (outcome.kind === 'graded' && enrolment) await refreshLearnerGrade(db.kysely, enrolment.run, user.id, clock());
    let flash: ProblemFlash | null = null;
    let status = 200;
    if (outcome.kind === 'invalid') {
      const errors = new Map(
        outcome.result.questions.filter((q) => q.error).map((q) => [q.id, 'quiz.error.notANumber' as const]),
      );
      flash = { problemId: problem.id, message: 'quiz.error.invalid', answers, errors };
      status = 422;
    } else if (outcome.kind === 'empty') {
      flash = { problemId: problem.id, message: 'quiz.error.empty', answers, errors: new Map() };
      status = 422;
    } else if (outcome.kind === 'exhausted') {
      flash = { problemId: problem.id, message: 'quiz.error.exhausted', answers: null, errors: new Map() };
      status = 409;
    }
    if ((request.headers.accept ?? '').includes('application/json')) {
      const reader = await quizReader(services, request, { version, enrolment, route, loaded, flash });
      return reply.code(status).send(problemUpdate(pageContext(request, assets), reader, problem.id));
    }
    if (!flash) return reply.redirect(`${courseItemUrl(live.slug, route)}#${problem.id}`, 303);
    return serveItem(request, reply, services, flash, status);
  });
}

/** What the learner's parts of a quiz page are drawn from. */
export async function quizReader(
  { db, clock, config }: Pick<Services, 'db' | 'clock' | 'config'>,
  request: FastifyRequest,
  input: {
    version: LiveVersion;
    enrolment: ActiveEnrolment | null;
    route: string;
    loaded: NonNullable<Awaited<ReturnType<typeof loadQuiz>>>;
    flash: ProblemFlash | null;
  },
): Promise<QuizReader> {
  const run = input.enrolment?.run ?? null;
  const week = await routeWeek(db.kysely, input.version.id, input.route);
  const policy = quizPolicyOf(run, week);
  const now = clock().toISOString();
  const grading = run && parseGradingPolicy(run.grading);
  const dueAt = run && grading && weekDueAt(run, grading, week);
  const deadline = run && grading && weekDeadline(run, grading, week);
  const problems = await learnerProblems(
    db.kysely,
    { userId: request.user!.id, courseId: input.version.course_id },
    input.route,
    input.loaded.quiz,
    policy,
    now,
  );
  return {
    quiz: input.loaded.quiz,
    secrets: input.loaded.secrets,
    policy,
    due: dueAt ? { at: dueAt, late: deadline !== null && now > deadline, zone: config.timezone } : null,
    problems,
    csrf: request.authSession?.csrfSecret ?? '',
    flash: input.flash,
  };
}
