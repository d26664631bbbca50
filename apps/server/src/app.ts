import { randomBytes } from 'node:crypto';
import compress from '@fastify/compress';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { registerAssets } from './http/assets.ts';
import { FORM_BODY_LIMIT, registerAuth, registerFormBodies } from './http/auth.ts';
import { pageContext, registerLanguage, registerUnsafeGradingFlag } from './http/context.ts';
import { ERRORS, HttpError } from './http/errors.ts';
import { registerPyodide } from './http/pyodide.ts';
import { acceptedRequestId, withRequestId } from './lib/observability/context.ts';
import { Metrics } from './lib/observability/metrics.ts';
import { registerNulGuard, registerSecurityHeaders } from './http/security.ts';
import { catalogueRoutes } from './pages/catalogue/catalogue.route.ts';
import { courseRoutes } from './pages/course/course.route.ts';
import { errorView } from './pages/errors/error.view.ts';
import { fileRoutes } from './pages/files/files.route.ts';
import { healthRoutes } from './pages/health/health.route.ts';
import { itemRoutes } from './pages/item/item.route.ts';
import { languageRoutes } from './pages/language/language.route.ts';
import { runtimeRoutes } from './pages/runtime/runtime.route.ts';
import { ContentCache } from './lib/content-cache.ts';
import { createMailer, type Mailer } from './lib/auth/mailer.ts';
import { DbRateLimiter, type RateLimiter } from './lib/auth/throttle.ts';
import { DbJobQueue } from './lib/jobs/db-queue.ts';
import type { JobQueue } from './lib/jobs/queue.ts';
import { prepareSandbox, type GradingSetup } from './lib/sandbox/setup.ts';
import { loginUrl } from './lib/urls.ts';
import { accountRoutes } from './pages/account/account.route.ts';
import { dashboardRoutes } from './pages/dashboard/dashboard.route.ts';
import { enrolmentRoutes } from './pages/enrolment/enrolment.route.ts';
import { loginRoutes } from './pages/login/login.route.ts';
import { manageRoutes } from './pages/manage/manage.route.ts';
import { quizStatsRoutes } from './pages/manage/quizzes.route.ts';
import { gradingRoutes } from './pages/grading/grading.route.ts';
import { passwordRoutes } from './pages/password/password.route.ts';
import { progressRoutes } from './pages/progress/progress.route.ts';
import { signupRoutes } from './pages/signup/signup.route.ts';
import type { Services } from './services.ts';
import { apiRoutes } from './api/routes.ts';
import { registerCertificates } from './lib/certificates/issue.ts';
import { registerNotificationJobs } from './lib/notifications/jobs.ts';
import { certificateRoutes } from './pages/certificates/certificate.route.ts';
import { manageCertificateRoutes } from './pages/certificates/manage.route.ts';
import { forumRoutes } from './pages/forum/forum.route.ts';
import { snapshotPageRoutes } from './pages/forum/snapshot.route.ts';
import { forumSearchRoutes } from './pages/forum/search.route.ts';
import { notificationRoutes } from './pages/notifications/notifications.route.ts';
import { announcementRoutes } from './pages/announcements/announcements.route.ts';
import { adminTeacherRoutes } from './pages/admin/teachers.route.ts';
import { joinRoutes } from './pages/join/join.route.ts';
import { teachRoutes } from './pages/teach/teach.route.ts';
import { teachActivityRoutes } from './pages/teach/activity.route.ts';
import { activityRoutes } from './pages/activities/activities.route.ts';
import { teacherNotebookRoutes } from './pages/teach/notebooks.route.ts';
import { registerPrivateCourseGate } from './lib/teacher-notebooks/gate.ts';
import { activityCourseReader } from './lib/activities/course-reader.ts';
import { analyticsRoutes } from './pages/analytics/analytics.route.ts';
import { registerActivityTracking } from './lib/analytics/activity.ts';
import { registerAnalyticsJob } from './lib/analytics/snapshot.ts';

export interface AppOptions {
  config: Config;
  db: Db;
  /** The built client; defaults to apps/client/dist. */
  assetsDir?: string;
  /** Pino logger options; false in tests. */
  logger?: boolean | { level: string };
  /** The time, for everything that expires (sessions, tokens, throttling, run schedules); tests move it. */
  clock?: () => Date;
  /** Where e-mail goes; defaults to SMTP when configured, else the outbox in the data directory. */
  mailer?: Mailer;
  /** Attempt counters for throttling; defaults to the database-backed one. */
  limiter?: RateLimiter;
  /** The job queue; defaults to the database-backed one, not started (`carnet serve` starts it). */
  jobs?: JobQueue;
  /** The sandbox check; defaults to probing bubblewrap and Python as configured. */
  grading?: GradingSetup;
  /** This process's metrics (`/metrics`); defaults to a fresh set. */
  metrics?: Metrics;
  /** True once the process is stopping (`/readyz` then answers 503). */
  draining?: () => boolean;
  /** `worker`: a job worker's HTTP side, only /healthz, /readyz and /metrics (`carnet worker`). */
  role?: 'web' | 'worker';
}

/** Builds the web application (routes, headers, error pages). `listen()` is the caller's business. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    // Access logs are an operator's choice (see the onResponse hook, at debug level).
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 1000 },
    return503OnClosing: true,
    // Shown on error pages and in every log line, and handed to the jobs a request queues: a
    // proxy's X-Request-Id when it is a safe token, else a random prefix per process and a counter.
    genReqId: requestIds(),
  });
  const metrics = options.metrics ?? new Metrics(db, { process: 'web+worker' });
  // The rest of the request runs inside its context (the hook's callback continues the chain).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    withRequestId(request.id, done);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { 2: 4 } },
  });
  const assets = registerAssets(app, options.assetsDir);
  const content = new ContentCache(db.kysely, { pageEntries: config.pageCacheEntries, liveTtlMs: config.liveCacheMs });
  const pyodide = registerPyodide(app);
  const services: Services = {
    config,
    db,
    assets,
    content,
    pyodide,
    clock: options.clock ?? (() => new Date()),
    mailer:
      options.mailer ??
      createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir }, app.log),
    limiter: options.limiter ?? new DbRateLimiter(db.kysely),
    jobs:
      options.jobs ??
      new DbJobQueue(db, {
        concurrency: config.gradingConcurrency,
        listenUrl: config.databaseUrl,
        retentionDays: config.jobsRetentionDays,
        log: app.log,
        observer: metrics.queueObserver(),
      }),
    grading:
      options.grading ??
      (await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: config.unsafeGrading })),
  };
  if (services.grading.unsafe) app.log.warn(`!!! ${services.grading.problem}`);
  else if (!services.grading.sandbox) app.log.error(`Grading is refused: ${services.grading.problem}`);

  // Certificates follow every stored grade, whichever path stores it (ADR 031).
  registerCertificates(services.jobs, db.kysely, services.clock);
  // A big session's analytics, counted in the background (ADR 049).
  registerAnalyticsJob(services.jobs, db.kysely, services.clock);
  // Notification e-mails: sent by whichever process runs the queue's workers (ADR 046).
  registerNotificationJobs(services.jobs, {
    db: db.kysely,
    mailer: services.mailer,
    origin: (config.baseUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, ''),
    clock: services.clock,
  });

  registerLanguage(app);
  registerUnsafeGradingFlag(app, services.grading.unsafe);
  registerNulGuard(app);
  registerFormBodies(app);
  registerAuth(app, services);
  // After the session hook (the owner) and the CSRF hook: private courses are 404s (ADR 052).
  // Pupils and teachers of a class get what an activity on one needs (ADR 052, amended).
  registerPrivateCourseGate(app, services, [activityCourseReader(services.db.kysely, services.clock)]);
  registerSecurityHeaders(app, { https: config.baseUrl?.startsWith('https:') ?? false });
  // Who was active on which day, for the staff's figures (issue 14): after each learning request.
  registerActivityTracking(app, services);
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request',
    );
  });

  healthRoutes(app, services, { metrics, draining: options.draining ?? (() => false) });
  if (options.role === 'worker') {
    // A worker answers its operational endpoints only.
    app.setNotFoundHandler((_request, reply) => reply.code(404).send('not found\n'));
    return app;
  }
  catalogueRoutes(app, services);
  courseRoutes(app, services);
  progressRoutes(app, services);
  itemRoutes(app, services);
  fileRoutes(app, services);
  runtimeRoutes(app, services);
  languageRoutes(app, services);
  loginRoutes(app, services);
  signupRoutes(app, services);
  passwordRoutes(app, services);
  accountRoutes(app, services);
  dashboardRoutes(app, services);
  enrolmentRoutes(app, services);
  manageRoutes(app, services);
  quizStatsRoutes(app, services);
  gradingRoutes(app, services);
  apiRoutes(app, services);
  certificateRoutes(app, services);
  manageCertificateRoutes(app, services);
  forumRoutes(app, services);
  snapshotPageRoutes(app, services);
  forumSearchRoutes(app, services);
  notificationRoutes(app, services);
  announcementRoutes(app, services);
  teachRoutes(app, services);
  teachActivityRoutes(app, services);
  activityRoutes(app, services);
  teacherNotebookRoutes(app, services);
  joinRoutes(app, services);
  adminTeacherRoutes(app, services);
  analyticsRoutes(app, services);

  app.setNotFoundHandler((request, reply) => sendError(request, reply, services, new HttpError('NOT_FOUND')));
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(request, reply, services, error));
  return app;
}

function requestIds(): (request: { headers: Record<string, unknown> }) => string {
  const prefix = randomBytes(4).toString('hex');
  let counter = 0;
  return (request) =>
    acceptedRequestId(request.headers['x-request-id']) ?? `${prefix}${(counter++).toString(36).padStart(4, '0')}`;
}

/** The body limit a request met: its route's, else its parser's (forms have their own). */
function bodyLimit(request: FastifyRequest): number {
  const limit = request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 1024 * 1024;
  const ownLimit = limit !== request.server.initialConfig.bodyLimit;
  const form = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  return form && !ownLimit ? FORM_BODY_LIMIT : limit;
}

/** One error handler: coded errors get their page; anything else is logged and shown as a generic 500. */
function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  { assets }: Services,
  error: FastifyError | HttpError,
) {
  let code: keyof typeof ERRORS;
  let detail: string | undefined;
  if (error instanceof HttpError) {
    code = error.code;
    detail = error.detail;
  } else if ((error as FastifyError).statusCode !== undefined && (error as FastifyError).statusCode! < 500) {
    const status = (error as FastifyError).statusCode;
    code = status === 404 ? 'NOT_FOUND' : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    // A body over a parser's limit: the message says the limit (Fastify's only says "too large").
    detail = status === 413 ? String(Math.floor(bodyLimit(request) / 1024)) : error.message;
  } else if (isDatabaseUnavailable(error)) {
    code = 'DATABASE_UNAVAILABLE';
    detail = '1';
    request.log.warn({ err: error, reqId: request.id }, 'database unavailable');
  } else {
    code = 'INTERNAL';
    request.log.error({ err: error, reqId: request.id }, 'request failed');
  }
  const spec = ERRORS[code];
  if (code === 'LOGIN_REQUIRED' && request.method === 'GET' && !request.url.startsWith('/api/')) {
    return reply.header('Cache-Control', 'no-store').redirect(loginUrl(request.url), 303);
  }
  if ((spec.status === 429 || spec.status === 503) && detail) reply.header('Retry-After', detail);
  const wantsJson = !(request.headers.accept ?? '').includes('text/html') && request.url.startsWith('/api/');
  reply.code(spec.status).header('Cache-Control', 'no-store');
  if (wantsJson) {
    return reply.send({ error: code, message: request.t(spec.body, { id: String(request.id), reason: detail ?? '' }) });
  }
  const page = errorView(pageContext(request, assets), {
    status: spec.status,
    title: spec.title,
    body: spec.body,
    params: { id: String(request.id), reason: detail ?? '' },
    courseSlug: error instanceof HttpError ? error.courseSlug : undefined,
    loginNext: code === 'LOGIN_REQUIRED' ? (request.headers.referer ?? '/') : undefined,
  });
  return reply.type('text/html; charset=utf-8').send(page);
}
