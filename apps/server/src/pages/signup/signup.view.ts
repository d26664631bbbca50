import { PASSWORD_MIN } from '../../lib/auth/passwords.ts';
import { loginUrl, signupConfirmUrl, signupUrl } from '../../lib/urls.ts';
import { csrfField, field, formAlert, type FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

/** The sign-up form. */
export function signupView(ctx: PageContext, data: { form: FormState; csrf: string; next?: string }): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('signup.title')}</h1>
    <p>${t('signup.intro')}</p>
    ${formAlert(t, data.form)}
    <form method="post" action="${signupUrl()}" class="stack-form" novalidate>
      ${csrfField(data.csrf)} ${data.next ? html`<input type="hidden" name="next" value="${data.next}" />` : ''}
      ${field(t, data.form, {
        name: 'name',
        label: t('form.name'),
        hint: t('form.name.hint'),
        autocomplete: 'name',
        required: true,
        maxlength: 80,
      })}
      ${field(t, data.form, {
        name: 'email',
        label: t('form.email'),
        type: 'email',
        autocomplete: 'email',
        required: true,
        maxlength: 254,
      })}
      ${field(t, data.form, {
        name: 'password',
        label: t('form.password'),
        type: 'password',
        autocomplete: 'new-password',
        hint: t('form.password.hint', { min: PASSWORD_MIN }),
        required: true,
      })}
      <p><button type="submit" class="button">${t('signup.submit')}</button></p>
    </form>
    <ul class="form-links">
      <li><a href="${loginUrl()}">${t('signup.haveAccount')}</a></li>
    </ul>
  </div>`;
  return layout(ctx, { title: t('signup.title'), main, bodyClass: 'page-form' });
}

/** After a sign-up request: the same page whether or not the address already had an account. */
export function signupSentView(ctx: PageContext, email: string): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('signup.sent.title')}</h1>
    <p role="status">${t('signup.sent.body', { email })}</p>
    <p>${t('signup.sent.help')}</p>
  </div>`;
  return layout(ctx, { title: t('signup.sent.title'), main, bodyClass: 'page-form' });
}

/** The confirmation page an e-mailed link opens: one button (link scanners only GET). */
export function signupConfirmView(ctx: PageContext, data: { token: string; email: string; csrf: string }): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('signup.confirm.title')}</h1>
    <p>${t('signup.confirm.body', { email: data.email })}</p>
    <form method="post" action="${signupConfirmUrl(data.token)}">
      ${csrfField(data.csrf)}
      <p><button type="submit" class="button">${t('signup.confirm.submit')}</button></p>
    </form>
  </div>`;
  return layout(ctx, { title: t('signup.confirm.title'), main, bodyClass: 'page-form' });
}
