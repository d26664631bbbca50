import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { publicOrigin, sendPage } from '../../http/forms.ts';
import type { ThrottlePolicy } from '../../lib/auth/throttle.ts';
import { canManageCourse } from '../../lib/auth/roles.ts';
import { normalizeCode } from '../../lib/certificates/code.ts';
import { reissueCertificate } from '../../lib/certificates/issue.ts';
import { certificatePdf } from '../../lib/certificates/pdf.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { certificateUrl } from '../../lib/urls.ts';
import { selectOptionalCertificateByCode, type CertificateWithRun } from '../../models/certificates.ts';
import { selectOptionalUserById } from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { certificateView, lookupView, percent } from './certificate.view.ts';

/**
 * Look-ups of certificates by people who do not hold them, per IP address. Codes carry 80 random
 * bits, so guessing is hopeless anyway; the limit stops scraping and keeps the counters cheap for
 * a recruiter checking a few certificates or a classroom sharing one address.
 */
export const LOOKUP_POLICY: ThrottlePolicy = { limit: 60, windowSeconds: 15 * 60 };

/** Public verification pages, the learner's certificate and its PDF, a re-issue with a new name. */
export function certificateRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config, limiter } = services;

  const noindex = (reply: FastifyReply) =>
    reply.header('X-Robots-Tag', 'noindex, nofollow').header('Cache-Control', 'private, no-store');

  /** The certificate a code names, with who reads it; throttled for everyone but its holder and staff. */
  async function lookUp(request: FastifyRequest, code: string) {
    const certificate = await selectOptionalCertificateByCode(db.kysely, code);
    const user = request.user;
    const owner = certificate !== null && user?.id === certificate.user_id;
    const staff =
      certificate !== null && !owner && !!user && (await canManageCourse(db.kysely, user, certificate.course_id));
    if (!owner && !staff) {
      const result = await limiter.consume(`certificate-lookup:${request.ip}`, LOOKUP_POLICY, clock());
      if (!result.allowed) throw new HttpError('TOO_MANY_REQUESTS', String(result.retryAfterSeconds));
    }
    return { certificate, owner, staff };
  }

  app.get<{ Querystring: { code?: string } }>('/certificates', async (request, reply) => {
    noindex(reply);
    const typed = typeof request.query.code === 'string' ? request.query.code.slice(0, 64) : '';
    if (!typed) return sendPage(reply, lookupView(pageContext(request, assets), { code: '', problem: null }));
    const code = normalizeCode(typed);
    if (!code)
      return sendPage(reply, lookupView(pageContext(request, assets), { code: typed, problem: 'malformed' }), 400);
    return reply.redirect(certificateUrl(code), 303);
  });

  app.get<{ Params: { code: string } }>('/certificates/:code', async (request, reply) => {
    noindex(reply);
    const raw = request.params.code;
    const pdf = raw.toLowerCase().endsWith('.pdf');
    const code = normalizeCode(pdf ? raw.slice(0, -4) : raw);
    if (!code) {
      return sendPage(
        reply,
        lookupView(pageContext(request, assets), { code: raw.slice(0, 64), problem: 'malformed' }),
        404,
      );
    }
    if (code !== (pdf ? raw.slice(0, -4) : raw)) {
      return reply.redirect(`${certificateUrl(code)}${pdf ? '.pdf' : ''}`, 301);
    }
    const { certificate, owner, staff } = await lookUp(request, code);
    if (!certificate) {
      return sendPage(reply, lookupView(pageContext(request, assets), { code, problem: 'unknown' }), 404);
    }
    const verifyUrl = `${publicOrigin(request, config)}${certificateUrl(certificate.code)}`;
    if (pdf) {
      // The document is its holder's (and their course staff's); anyone may verify it on the page.
      if (!owner && !staff) throw new HttpError('NOT_FOUND');
      if (certificate.revoked_at !== null) return reply.redirect(certificateUrl(certificate.code), 303);
      return sendPdf(request, reply, certificate, verifyUrl);
    }
    const current = owner ? await selectOptionalUserById(db.kysely, certificate.user_id) : null;
    const noticeKey = (request.query as Record<string, unknown>)['notice'] === 'reissued';
    return sendPage(
      reply,
      certificateView(pageContext(request, assets), {
        certificate,
        owner,
        staff,
        verifyUrl,
        zone: config.timezone,
        csrf: request.authSession?.csrfSecret ?? null,
        currentName: current ? (current.certificate_name ?? current.display_name) : null,
        notice: noticeKey ? request.t('certificates.reissue.done') : undefined,
      }),
    );
  });

  async function sendPdf(request: FastifyRequest, reply: FastifyReply, c: CertificateWithRun, verifyUrl: string) {
    const { t, lang } = request;
    const bytes = await certificatePdf(
      {
        title: `${t('certificates.heading')} — ${c.course_title}`,
        lang,
        site: t('site.name'),
        heading: t('certificates.heading'),
        awardedTo: t('certificates.awardedTo'),
        name: c.name,
        forCourse: t('certificates.forCourse'),
        course: c.course_title,
        session: c.run_title,
        grade: c.grade !== null ? t('certificates.grade', { grade: percent(lang, c.grade) }) : null,
        issued: t('certificates.issuedOn', { date: formatDate(c.issued_at, lang, config.timezone) }),
        verifyLabel: t('certificates.verifyAt'),
        verifyUrl,
        code: `${t('certificates.code')} ${c.code}`,
      },
      new Date(c.issued_at),
    );
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `attachment; filename="certificate-${c.code}.pdf"`)
      .send(bytes);
  }

  // The holder asks for a new certificate with the name they print now (the old code then says revoked).
  app.post<{ Params: { code: string } }>('/certificates/:code/reissue', async (request, reply) => {
    const user = requireUser(request);
    const code = normalizeCode(request.params.code);
    const certificate = code ? await selectOptionalCertificateByCode(db.kysely, code) : null;
    if (!certificate || certificate.user_id !== user.id) throw new HttpError('NOT_FOUND');
    const current = await selectOptionalUserById(db.kysely, user.id);
    const name = current ? (current.certificate_name ?? current.display_name) : certificate.name;
    if (certificate.revoked_at !== null || name === certificate.name) {
      return reply.redirect(certificateUrl(certificate.code), 303);
    }
    const fresh = await reissueCertificate(db.kysely, certificate, {
      by: user.id,
      reason: request.t('certificates.reissue.reason'),
      grade: certificate.grade,
      runTitle: certificate.run_title,
      courseTitle: certificate.course_title,
      now: clock(),
    });
    return reply.redirect(`${certificateUrl((fresh ?? certificate).code)}?notice=reissued`, 303);
  });
}
