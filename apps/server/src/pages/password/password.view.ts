import { PASSWORD_MIN } from '../../lib/auth/passwords.ts';
import { forgotPasswordUrl, loginUrl, resetPasswordUrl } from '../../lib/urls.ts';
import { csrfField, field, formAlert, type FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

/** "Forgot your password?": asks for the address. */
export function forgotView(ctx: PageContext, data: { form: FormState; csrf: string }): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('forgot.title')}</h1>
    <p>${t('forgot.intro')}</p>
    ${formAlert(t, data.form)}
    <form method="post" action="${forgotPasswordUrl()}" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      ${field(t, data.form, {
        name: 'email',
        label: t('form.email'),
        type: 'email',
        autocomplete: 'email',
        required: true,
        maxlength: 254,
      })}
      <p><button type="submit" class="button">${t('forgot.submit')}</button></p>
    </form>
    <ul class="form-links">
      <li><a href="${loginUrl()}">${t('forgot.backToLogin')}</a></li>
    </ul>
  </div>`;
  return layout(ctx, { title: t('forgot.title'), main, bodyClass: 'page-form' });
}

/** After a reset request: the same words whether the address has an account or not. */
export function forgotSentView(ctx: PageContext, email: string, minutes: number): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('forgot.sent.title')}</h1>
    <p role="status">${t('forgot.sent.body', { email, minutes })}</p>
    <p><a href="${loginUrl()}">${t('forgot.backToLogin')}</a></p>
  </div>`;
  return layout(ctx, { title: t('forgot.sent.title'), main, bodyClass: 'page-form' });
}

/** The new-password form an e-mailed reset link opens. */
export function resetView(
  ctx: PageContext,
  data: { form: FormState; csrf: string; token: string; email: string },
): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('reset.title')}</h1>
    ${formAlert(t, data.form)}
    <form method="post" action="${resetPasswordUrl(data.token)}" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      <input type="text" name="username" value="${data.email}" autocomplete="username" hidden />
      ${field(t, data.form, {
        name: 'password',
        label: t('reset.password'),
        type: 'password',
        autocomplete: 'new-password',
        hint: t('form.password.hint', { min: PASSWORD_MIN }),
        required: true,
      })}
      <p><button type="submit" class="button">${t('reset.submit')}</button></p>
    </form>
  </div>`;
  return layout(ctx, { title: t('reset.title'), main, bodyClass: 'page-form' });
}
