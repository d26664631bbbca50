import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser, type CurrentUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { canManageCourse } from '../../lib/auth/roles.ts';
import { normalizeCode } from '../../lib/certificates/code.ts';
import { CERTIFICATES_ISSUE, reissueCertificate } from '../../lib/certificates/issue.ts';
import { parseGradingPolicy } from '../../lib/grades/policy.ts';
import { manageCertificatesUrl } from '../../lib/urls.ts';
import {
  countRunCertificates,
  revokeCertificate,
  selectOptionalRunCertificate,
  selectRunCertificatePage,
} from '../../models/certificates.ts';
import { selectOptionalCourseBySlug } from '../../models/courses.ts';
import { selectOptionalLearnerGrade } from '../../models/learner-grades.ts';
import { selectOptionalRunBySlug } from '../../models/runs.ts';
import { emailKey } from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { manageCertificatesView, PAGE_SIZE } from './manage.view.ts';

const NOTICES: Record<string, MessageKey> = {
  revoked: 'certificates.manage.notice.revoked',
  reissued: 'certificates.manage.notice.reissued',
  queued: 'certificates.manage.notice.queued',
};
export const REASON_MAX = 500;

type Params = { slug: string; run: string };

/** Staff: a session's certificates, paged; revoke with a reason; re-issue; issue now. */
export function manageCertificateRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config, jobs } = services;

  /** The session if this user manages its course; 404 otherwise (whether or not it exists). */
  async function managedRun(user: CurrentUser, slug: string, runSlug: string) {
    const course = await selectOptionalCourseBySlug(db.kysely, slug);
    if (!course || !(await canManageCourse(db.kysely, user, course.id))) throw new HttpError('NOT_FOUND');
    const run = await selectOptionalRunBySlug(db.kysely, slug, runSlug);
    if (!run) throw new HttpError('RUN_NOT_FOUND');
    return { course, run };
  }

  async function certificateOf(request: FastifyRequest<{ Params: Params & { id: string } }>) {
    const { course, run } = await managedRun(requireUser(request), request.params.slug, request.params.run);
    const id = Number(request.params.id);
    const certificate = Number.isSafeInteger(id) ? await selectOptionalRunCertificate(db.kysely, run.id, id) : null;
    if (!certificate) throw new HttpError('NOT_FOUND');
    return { course, run, certificate };
  }

  app.get<{ Params: Params; Querystring: { before?: string; q?: string; notice?: string; error?: string } }>(
    '/manage/courses/:slug/runs/:run/certificates',
    async (request, reply) => {
      const { course, run } = await managedRun(requireUser(request), request.params.slug, request.params.run);
      const before = Number(request.query.before);
      const q = (request.query.q ?? '').trim().slice(0, 254);
      const code = q ? normalizeCode(q) : null;
      const rows = await selectRunCertificatePage(db.kysely, run.id, {
        beforeId: Number.isSafeInteger(before) && before > 0 ? before : undefined,
        limit: PAGE_SIZE + 1,
        code: code ?? undefined,
        emailKey: q && !code ? emailKey(q) : undefined,
      });
      const ctx = pageContext(request, assets);
      const noticeKey = NOTICES[request.query.notice ?? ''];
      return sendPage(
        reply.header('Cache-Control', 'private, no-store'),
        manageCertificatesView(ctx, {
          course,
          run,
          policy: parseGradingPolicy(run.grading),
          counts: await countRunCertificates(db.kysely, run.id),
          rows: rows.slice(0, PAGE_SIZE),
          next: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1]!.id : null,
          query: q,
          csrf: ctx.viewer!.csrf,
          zone: config.timezone,
          notice: noticeKey ? request.t(noticeKey) : undefined,
          reasonMissing: request.query.error === 'reason',
        }),
      );
    },
  );

  app.post<{ Params: Params & { id: string } }>(
    '/manage/courses/:slug/runs/:run/certificates/:id/revoke',
    async (request, reply) => {
      const { run, certificate } = await certificateOf(request);
      const back = manageCertificatesUrl(request.params.slug, run.slug);
      const reason = formValue(request, 'reason').trim().slice(0, REASON_MAX);
      if (!reason) return reply.redirect(`${back}?q=${encodeURIComponent(certificate.code)}&error=reason`, 303);
      await revokeCertificate(db.kysely, certificate.id, requireUser(request).id, reason, clock());
      return reply.redirect(`${back}?q=${encodeURIComponent(certificate.code)}&notice=revoked`, 303);
    },
  );

  app.post<{ Params: Params & { id: string } }>(
    '/manage/courses/:slug/runs/:run/certificates/:id/reissue',
    async (request, reply) => {
      const { run, certificate } = await certificateOf(request);
      const back = manageCertificatesUrl(request.params.slug, run.slug);
      const reason =
        formValue(request, 'reason').trim().slice(0, REASON_MAX) || request.t('certificates.manage.reissued');
      // The new one prints the learner's current name and grade (their stored grade; the old one's if none).
      const stored = await selectOptionalLearnerGrade(db.kysely, run.id, certificate.user_id);
      const grade = parseGradingPolicy(run.grading).certificates.showGrade
        ? (stored?.grade ?? certificate.grade)
        : null;
      const version = await db.kysely
        .selectFrom('course_versions')
        .select('title')
        .where('id', '=', run.version_id)
        .executeTakeFirst();
      const fresh = await reissueCertificate(db.kysely, certificate, {
        by: requireUser(request).id,
        reason,
        grade,
        runTitle: run.title,
        courseTitle: version?.title ?? certificate.course_title,
        now: clock(),
      });
      const code = (fresh ?? certificate).code;
      return reply.redirect(`${back}?q=${encodeURIComponent(code)}&notice=reissued`, 303);
    },
  );

  // Issues now to every passed learner without a certificate (as the policy allows): a job.
  app.post<{ Params: Params }>('/manage/courses/:slug/runs/:run/certificates/issue', async (request, reply) => {
    const { run } = await managedRun(requireUser(request), request.params.slug, request.params.run);
    await jobs.enqueue(CERTIFICATES_ISSUE, { runId: run.id });
    return reply.redirect(`${manageCertificatesUrl(request.params.slug, run.slug)}?notice=queued`, 303);
  });
}
