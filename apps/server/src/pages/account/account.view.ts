import { PASSWORD_MIN } from '../../lib/auth/passwords.ts';
import { accountExportUrl, accountUrl } from '../../lib/urls.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { certificateNameSection } from '../certificates/certificate.view.ts';

export interface AccountPageData {
  email: string;
  name: string;
  createdAt: string;
  csrf: string;
  /** Each form of the page, shown again with its errors after a failed post. */
  profile: FormState;
  password: FormState;
  deletion: FormState;
  /** The name printed on certificates (ADR 031) and its form. */
  printedName: string;
  certificateName: FormState;
  notice?: string | undefined;
}

/** "My account": name, password, data export, deletion. */
export function accountView(ctx: PageContext, data: AccountPageData): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('account.title')}</h1>
    ${notice(data.notice)}
    <p>${t('account.email', { email: data.email })}</p>

    <section aria-labelledby="profile-title" class="account-section">
      <h2 id="profile-title">${t('account.profile.title')}</h2>
      ${formAlert(t, data.profile)}
      <form method="post" action="${accountUrl()}/profile" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        ${field(
          t,
          { ...data.profile, values: { name: data.profile.values['name'] ?? data.name } },
          {
            name: 'name',
            label: t('form.name'),
            hint: t('form.name.hint'),
            autocomplete: 'name',
            required: true,
            maxlength: 80,
          },
        )}
        <p><button type="submit" class="button">${t('account.profile.submit')}</button></p>
      </form>
    </section>

    ${certificateNameSection(ctx, { csrf: data.csrf, name: data.printedName, form: data.certificateName })}

    <section aria-labelledby="password-title" class="account-section">
      <h2 id="password-title">${t('account.password.title')}</h2>
      <p>${t('account.password.intro')}</p>
      ${formAlert(t, data.password)}
      <form method="post" action="${accountUrl()}/password" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        <input type="text" name="username" value="${data.email}" autocomplete="username" hidden />
        ${field(t, data.password, {
          name: 'current',
          label: t('account.password.current'),
          type: 'password',
          autocomplete: 'current-password',
          required: true,
        })}
        ${field(t, data.password, {
          name: 'password',
          label: t('account.password.new'),
          type: 'password',
          autocomplete: 'new-password',
          hint: t('form.password.hint', { min: PASSWORD_MIN }),
          required: true,
        })}
        <p><button type="submit" class="button">${t('account.password.submit')}</button></p>
      </form>
    </section>

    <section aria-labelledby="export-title" class="account-section">
      <h2 id="export-title">${t('account.export.title')}</h2>
      <p>${t('account.export.intro')}</p>
      <p><a href="${accountExportUrl()}" download>${t('account.export.link')}</a></p>
    </section>

    <section aria-labelledby="delete-title" class="account-section danger-zone">
      <h2 id="delete-title">${t('account.delete.title')}</h2>
      <p>${t('account.delete.intro')}</p>
      ${formAlert(t, data.deletion)}
      <form method="post" action="${accountUrl()}/delete" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        ${field(t, data.deletion, {
          name: 'confirm_password',
          label: t('account.delete.password'),
          type: 'password',
          autocomplete: 'current-password',
          required: true,
        })}
        <p><button type="submit" class="button button-danger">${t('account.delete.submit')}</button></p>
      </form>
    </section>
  </div>`;
  return layout(ctx, { title: t('account.title'), main, bodyClass: 'page-account' });
}

/** Shown once the account is gone. */
export function accountDeletedView(ctx: PageContext): string {
  const { t } = ctx;
  const main = html`<div class="narrow">
    <h1>${t('account.deleted.title')}</h1>
    <p role="status">${t('account.deleted.body')}</p>
  </div>`;
  return layout(ctx, { title: t('account.deleted.title'), main });
}
