import type { SchoolClass } from '../../db/schema.ts';
import { levelLabel } from '../../lib/classes/classes.ts';
import { dashboardUrl, joinUrl, loginUrl, signupUrl } from '../../lib/urls.ts';
import { csrfField, field, formAlert, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export type JoinPageData =
  /** The code form (`/join`, or a refused code shown again with its error). */
  | { kind: 'form'; form: FormState; csrf: string | null }
  /** A visitor who is not logged in: log in or sign up first, then come back here. */
  | { kind: 'login'; code: string }
  /** The class a valid code opens, and the button that joins it. */
  | { kind: 'confirm'; schoolClass: SchoolClass; teachers: string[]; csrf: string; member: boolean };

/** Joining a class with its code. */
export function joinView(ctx: PageContext, data: JoinPageData): string {
  const { t } = ctx;
  let body: SafeHtml;
  if (data.kind === 'login') {
    const back = joinUrl(data.code);
    body = html`<p>${t('join.loginFirst')}</p>
      <ul class="form-links">
        <li><a class="button" href="${loginUrl(back)}">${t('join.login')}</a></li>
        <li><a href="${signupUrl()}?next=${encodeURIComponent(back)}">${t('join.signup')}</a></li>
      </ul>`;
  } else if (data.kind === 'confirm') {
    const c = data.schoolClass;
    body = html`<p class="lead">${c.name}</p>
      <p class="meta">${c.school_year} · ${t(levelLabel(c.level))}</p>
      <p>${t('join.teachers', { names: data.teachers.join(', ') })}</p>
      ${
        data.member
          ? html`<p>${t('join.already')}</p>
              <p><a href="${dashboardUrl()}">${t('join.toDashboard')}</a></p>`
          : html`<form method="post" action="${joinUrl(c.join_code)}" class="stack-form">
              ${csrfField(data.csrf)}
              <p><button type="submit" class="button">${t('join.submit')}</button></p>
            </form>`
      }`;
  } else {
    body = html`${formAlert(t, data.form)}
      <form method="post" action="${joinUrl()}" class="stack-form" novalidate>
        ${data.csrf ? csrfField(data.csrf) : ''}
        ${field(t, data.form, {
          name: 'code',
          label: t('join.code'),
          hint: t('join.codeHint'),
          required: true,
          maxlength: 12,
          autocomplete: 'off',
        })}
        <p><button type="submit" class="button">${t('join.continue')}</button></p>
      </form>`;
  }
  const main = html`<div class="narrow">
    <h1>${t('join.title')}</h1>
    ${body}
  </div>`;
  return layout(ctx, { title: t('join.title'), main, bodyClass: 'page-form' });
}
