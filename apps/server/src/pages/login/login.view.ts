import { forgotPasswordUrl, loginUrl, signupUrl } from '../../lib/urls.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface LoginPageData {
  form: FormState;
  csrf: string;
  next: string;
  /** A notice after logout, reset or account deletion. */
  notice?: string | undefined;
}

/** The login form. */
export function loginView(ctx: PageContext, data: LoginPageData): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('login.title')}</h1>
    ${notice(data.notice)} ${formAlert(t, data.form)}
    <form method="post" action="${loginUrl()}" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      <input type="hidden" name="next" value="${data.next}" />
      ${field(t, data.form, {
        name: 'email',
        // Pupils' accounts made by a teacher log in with an identifier, not an address (ADR 048).
        label: t('form.emailOrIdentifier'),
        type: 'text',
        autocomplete: 'username',
        required: true,
        maxlength: 254,
      })}
      ${field(t, data.form, {
        name: 'password',
        label: t('form.password'),
        type: 'password',
        autocomplete: 'current-password',
        required: true,
      })}
      <p><button type="submit" class="button">${t('login.submit')}</button></p>
    </form>
    <ul class="form-links">
      <li><a href="${forgotPasswordUrl()}">${t('login.forgot')}</a></li>
      <li><a href="${signupUrl()}">${t('login.noAccount')}</a></li>
    </ul>
  </div>`;
  return layout(ctx, { title: t('login.title'), main, bodyClass: 'page-form' });
}
