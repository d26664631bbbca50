import type { Course } from '../../db/schema.ts';
import type { GradingPolicy } from '../../lib/grades/policy.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { certificateUrl, manageCertificatesUrl, manageCourseUrl, runUrl } from '../../lib/urls.ts';
import type { CertificateListRow } from '../../models/certificates.ts';
import type { RunWithCourse } from '../../models/runs.ts';
import { csrfField, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { percent } from './certificate.view.ts';

export const PAGE_SIZE = 50;

export interface ManageCertificatesData {
  course: Course;
  run: RunWithCourse;
  policy: GradingPolicy;
  counts: { valid: number; revoked: number };
  rows: CertificateListRow[];
  /** The id to page on from, when there are more. */
  next: number | null;
  query: string;
  csrf: string;
  zone: string;
  notice?: string | undefined;
  reasonMissing: boolean;
}

function policyLine(ctx: PageContext, data: ManageCertificatesData): string {
  const { t, lang } = ctx;
  const { issue, date, showGrade } = data.policy.certificates;
  const when =
    issue === 'pass'
      ? t('certificates.manage.policy.pass')
      : issue === 'never'
        ? t('certificates.manage.policy.never')
        : date
          ? t('certificates.manage.policy.date', { date: formatDate(date, lang, data.zone, true) })
          : t('certificates.manage.policy.noDate');
  return `${when} ${t(showGrade ? 'certificates.manage.policy.grade' : 'certificates.manage.policy.noGrade')}`;
}

/** A session's certificates for its staff. */
export function manageCertificatesView(ctx: PageContext, data: ManageCertificatesData): string {
  const { t, lang } = ctx;
  const { course, run } = data;
  const here = manageCertificatesUrl(course.slug, run.slug);
  const title = t('certificates.manage.title', { title: run.title });
  const main = html`<h1>${title}</h1>
    ${notice(data.notice)}
    ${data.reasonMissing ? html`<div class="form-alert" role="alert"><p>${t('certificates.manage.reasonMissing')}</p></div>` : ''}
    <p>${policyLine(ctx, data)}</p>
    <p>${t('certificates.manage.counts', { valid: data.counts.valid, revoked: data.counts.revoked })}</p>
    <form method="post" action="${here}/issue" class="inline-form">
      ${csrfField(data.csrf)}
      <button type="submit" class="button button-secondary">${t('certificates.manage.issueNow')}</button>
    </form>
    <form method="get" action="${here}" class="inline-form" role="search">
      <label for="f-q">${t('certificates.manage.search')}</label>
      <input id="f-q" name="q" type="search" value="${data.query}" maxlength="254" autocomplete="off" />
      <button type="submit" class="button button-secondary">${t('certificates.manage.searchSubmit')}</button>
      ${data.query ? html`<a href="${here}">${t('certificates.manage.all')}</a>` : ''}
    </form>
    ${
      data.rows.length === 0
        ? html`<p class="empty">${t('certificates.manage.empty')}</p>`
        : html`<div class="table-scroll" tabindex="0">
            <table class="runs-table">
              <caption>
                ${t('certificates.manage.caption')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t('certificates.code')}</th>
                  <th scope="col">${t('certificates.manage.learner')}</th>
                  <th scope="col">${t('certificates.manage.grade')}</th>
                  <th scope="col">${t('certificates.manage.issued')}</th>
                  <th scope="col">${t('certificates.manage.state')}</th>
                  <th scope="col">${t('certificates.manage.actions')}</th>
                </tr>
              </thead>
              <tbody>
                ${data.rows.map((c) => row(ctx, data, c, here, lang))}
              </tbody>
            </table>
          </div>`
    }
    ${data.next !== null ? html`<p><a href="${here}?before=${data.next}${data.query ? `&q=${encodeURIComponent(data.query)}` : ''}">${t('certificates.manage.more')}</a></p>` : ''}`;
  return layout(ctx, {
    title,
    main,
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: course.title, href: manageCourseUrl(course.slug) },
      { label: run.title, href: runUrl(course.slug, run.slug) },
      { label: t('certificates.manage.crumb') },
    ],
  });
}

function row(
  ctx: PageContext,
  data: ManageCertificatesData,
  c: CertificateListRow,
  here: string,
  lang: string,
): SafeHtml {
  const { t } = ctx;
  const revoked = c.revoked_at !== null;
  return html`<tr>
    <td>
      <a href="${certificateUrl(c.code)}"><code>${c.code}</code></a>
    </td>
    <td>${c.name}<br /><span class="meta">${c.email}</span></td>
    <td>${c.grade !== null ? percent(lang, c.grade) : '—'}</td>
    <td>${formatDate(c.issued_at, lang, data.zone)}</td>
    <td>
      ${
        revoked
          ? html`${t('certificates.manage.revokedOn', { date: formatDate(c.revoked_at!, lang, data.zone) })}<br /><span
                class="meta"
                >${c.revoke_reason ?? ''}</span
              >`
          : t('certificates.manage.valid')
      }
    </td>
    <td>
      ${
        revoked
          ? html`<form method="post" action="${here}/${c.id}/reissue" class="inline-form">
              ${csrfField(data.csrf)}
              <button type="submit" class="button button-secondary">${t('certificates.manage.reissue')}</button>
            </form>`
          : html`<form method="post" action="${here}/${c.id}/revoke" class="stack-form">
                ${csrfField(data.csrf)}
                <label for="reason-${c.id}">${t('certificates.manage.reason')}</label>
                <input id="reason-${c.id}" name="reason" type="text" maxlength="500" required />
                <button type="submit" class="button button-danger">${t('certificates.manage.revoke')}</button>
              </form>
              <form method="post" action="${here}/${c.id}/reissue" class="inline-form">
                ${csrfField(data.csrf)}
                <button type="submit" class="button button-secondary">${t('certificates.manage.reissue')}</button>
              </form>`
      }
    </td>
  </tr>`;
}
