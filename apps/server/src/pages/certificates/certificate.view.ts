import type { Certificate } from '../../db/schema.ts';
import type { CertificateStatus } from '../../lib/certificates/issue.ts';
import { unprintableCharacters } from '../../lib/certificates/fonts.ts';
import { CERTIFICATE_NAME_MAX } from '../../lib/certificates/name.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import {
  accountUrl,
  certificateLookupUrl,
  certificateNameUrl,
  certificatePdfUrl,
  certificateUrl,
  manageCertificatesUrl,
} from '../../lib/urls.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

const NOINDEX = html`<meta name="robots" content="noindex, nofollow" />`;

/** A grade as printed: a whole percentage (0.874 → "87 %" in French, "87%" in English). */
export function percent(lang: string, grade: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(grade);
}

export interface CertificatePageData {
  certificate: Certificate & { course_slug: string; run_slug: string };
  /** The reader is the learner it was issued to. */
  owner: boolean;
  /** The reader is staff of the course. */
  staff: boolean;
  verifyUrl: string;
  zone: string;
  csrf: string | null;
  /** The owner's current printed name (a re-issue is offered when it differs). */
  currentName: string | null;
  notice?: string | undefined;
}

/** The verification page; the learner's own certificate page when they read it. */
export function certificateView(ctx: PageContext, data: CertificatePageData): string {
  const { t, lang } = ctx;
  const c = data.certificate;
  const revoked = c.revoked_at !== null;
  const title = t(revoked ? 'certificates.revoked.title' : 'certificates.valid.title');
  const main = revoked
    ? html`<div class="narrow certificate-status">
        <h1>${title}</h1>
        ${notice(data.notice)}
        <p class="certificate-verdict certificate-verdict-revoked" role="status">
          ${t('certificates.revoked.body', { code: c.code, date: formatDate(c.revoked_at!, lang, data.zone) })}
        </p>
        <p>${t('certificates.revoked.course', { course: c.course_title, session: c.run_title })}</p>
        ${data.owner || data.staff ? html`<p>${t('certificates.revoked.reason', { reason: c.revoke_reason ?? '' })}</p>` : ''}
        ${staffLink(ctx, data)} ${lookupForm(ctx, '')}
      </div>`
    : html`<div class="certificate-page">
        ${notice(data.notice)}
        <p class="certificate-verdict certificate-verdict-valid no-print" role="status">
          <strong>${title}.</strong> ${t('certificates.valid.body', { code: c.code })}
        </p>
        ${document(ctx, data)} ${data.owner ? ownerActions(ctx, data) : ''} ${staffLink(ctx, data)}
      </div>`;
  return layout(ctx, { title, main, head: NOINDEX, bodyClass: 'page-certificate' });
}

/** The certificate itself: what the PDF prints, as HTML (printable). */
function document(ctx: PageContext, data: CertificatePageData): SafeHtml {
  const { t, lang } = ctx;
  const c = data.certificate;
  return html`<article class="certificate" aria-labelledby="certificate-title">
    <p class="certificate-site">${t('site.name')}</p>
    <h1 id="certificate-title">${t('certificates.heading')}</h1>
    <p class="certificate-small">${t('certificates.awardedTo')}</p>
    <p class="certificate-name">${c.name}</p>
    <p class="certificate-small">${t('certificates.forCourse')}</p>
    <p class="certificate-course">${c.course_title}</p>
    <p>${c.run_title}</p>
    ${c.grade !== null ? html`<p>${t('certificates.grade', { grade: percent(lang, c.grade) })}</p>` : ''}
    <p>${t('certificates.issuedOn', { date: formatDate(c.issued_at, lang, data.zone) })}</p>
    <p class="certificate-verify">
      ${t('certificates.verifyAt')} <a href="${certificateUrl(c.code)}">${data.verifyUrl}</a><br />
      ${t('certificates.code')} <strong class="certificate-code">${c.code}</strong>
    </p>
  </article>`;
}

function ownerActions(ctx: PageContext, data: CertificatePageData): SafeHtml {
  const { t } = ctx;
  const c = data.certificate;
  const renamed = data.currentName !== null && data.currentName !== c.name;
  const missing = unprintableCharacters(c.name);
  return html`<section class="certificate-actions no-print" aria-labelledby="certificate-actions-title">
    <h2 id="certificate-actions-title">${t('certificates.actions.title')}</h2>
    <p>
      <a class="button" href="${certificatePdfUrl(c.code)}" download>${t('certificates.download')}</a>
      <button type="button" class="button button-secondary" data-print hidden>${t('certificates.print')}</button>
    </p>
    <p>${t('certificates.share', { url: data.verifyUrl })}</p>
    <p>
      ${t('certificates.nameIs', { name: c.name })}
      <a href="${accountUrl()}#certificate-name-title">${t('certificates.changeName')}</a>
    </p>
    ${
      // A name chosen before ADR 036, or the display name, may have characters the PDF cannot print.
      missing.length > 0
        ? html`<p class="certificate-unprintable">${t('certificates.unprintable', { chars: missing.join(' ') })}</p>`
        : ''
    }
    ${
      renamed && data.csrf
        ? html`<form method="post" action="${certificateUrl(c.code)}/reissue" class="stack-form">
            ${csrfField(data.csrf)}
            <p>${t('certificates.reissue.intro', { name: data.currentName! })}</p>
            <p><button type="submit" class="button">${t('certificates.reissue.submit')}</button></p>
          </form>`
        : ''
    }
  </section>`;
}

function staffLink(ctx: PageContext, data: CertificatePageData): SafeHtml {
  if (!data.staff) return html``;
  const c = data.certificate;
  return html`<p class="no-print">
    <a href="${manageCertificatesUrl(c.course_slug, c.run_slug)}?q=${encodeURIComponent(c.code)}"
      >${ctx.t('certificates.manage.link')}</a
    >
  </p>`;
}

/** The form to type a code. */
export function lookupForm(ctx: PageContext, code: string, error?: SafeHtml | string): SafeHtml {
  const { t } = ctx;
  return html`<form method="get" action="${certificateLookupUrl()}" class="stack-form certificate-lookup">
    <div class="field${error ? ' field-error' : ''}">
      <label for="f-code">${t('certificates.lookup.label')}</label>
      <p class="hint" id="f-code-hint">${t('certificates.lookup.hint')}</p>
      ${error ? html`<p class="error-message" id="f-code-error">${error}</p>` : ''}
      <input
        id="f-code"
        name="code"
        type="text"
        value="${code}"
        autocomplete="off"
        spellcheck="false"
        maxlength="64"
        aria-describedby="f-code-hint${error ? ' f-code-error' : ''}"
        ${error ? html`aria-invalid="true"` : ''}
      />
    </div>
    <p><button type="submit" class="button">${t('certificates.lookup.submit')}</button></p>
  </form>`;
}

/** The look-up page: a form, and why the last code typed was not found. */
export function lookupView(ctx: PageContext, data: { code: string; problem: 'unknown' | 'malformed' | null }): string {
  const { t } = ctx;
  const title = t(data.problem === 'unknown' ? 'certificates.unknown.title' : 'certificates.lookup.title');
  const error =
    data.problem === 'unknown'
      ? t('certificates.unknown.body')
      : data.problem === 'malformed'
        ? t('certificates.lookup.malformed')
        : undefined;
  const main = html`<div class="narrow">
    <h1>${title}</h1>
    <p>${t('certificates.lookup.intro')}</p>
    ${data.problem ? html`<div class="form-alert" role="alert"><p>${error}</p></div>` : ''}
    ${lookupForm(ctx, data.code, error)}
  </div>`;
  return layout(ctx, { title, main, head: NOINDEX });
}

/** The learner's line about a session's certificate (dashboard card, course's session box). */
export function certificateLine(ctx: PageContext, status: CertificateStatus, zone: string): SafeHtml {
  const { t, lang } = ctx;
  switch (status.kind) {
    case 'issued':
      return html`<p class="certificate-line">
        <a href="${certificateUrl(status.certificate.code)}">${t('certificates.line.issued')}</a>
      </p>`;
    case 'revoked':
      return html`<p class="certificate-line">${t('certificates.line.revoked')}</p>`;
    case 'waiting':
      return html`<p class="certificate-line">
        ${t('certificates.line.waiting', { date: formatDate(status.date, lang, zone) })}
      </p>`;
    case 'progress':
      return html`<p class="certificate-line">
        ${t('certificates.line.progress', {
          grade: percent(lang, status.grade ?? 0),
          threshold: percent(lang, status.threshold),
        })}
      </p>`;
    case 'none':
      return html``;
  }
}

/** The account page's section: the name printed on certificates. */
export function certificateNameSection(
  ctx: PageContext,
  data: { csrf: string; name: string; form: FormState },
): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="certificate-name-title" class="account-section">
    <h2 id="certificate-name-title">${t('certificates.name.title')}</h2>
    <p>${t('certificates.name.intro')}</p>
    ${formAlert(t, data.form)}
    <form method="post" action="${certificateNameUrl()}" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      ${field(
        t,
        { ...data.form, values: { certificate_name: data.form.values['certificate_name'] ?? data.name } },
        {
          name: 'certificate_name',
          label: t('certificates.name.label'),
          hint: t('certificates.name.hint', { max: CERTIFICATE_NAME_MAX }),
          autocomplete: 'name',
          required: true,
          maxlength: CERTIFICATE_NAME_MAX,
        },
      )}
      <p><button type="submit" class="button">${t('certificates.name.submit')}</button></p>
    </form>
  </section>`;
}
