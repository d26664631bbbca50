import type { SchoolClass } from '../../db/schema.ts';
import type { SheetEntry } from '../../lib/classes/classes.ts';
import { teachClassUrl } from '../../lib/urls.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface SheetPageData {
  schoolClass: SchoolClass;
  entries: SheetEntry[];
  /** The login page's full address, printed on each card. */
  loginAddress: string;
}

/**
 * The printable sheet of first-time passwords: one card per pupil to cut out (login address,
 * identifier, password). It is the answer to the form that made the passwords, and the only time
 * they are shown: the database keeps their argon2id hashes.
 */
export function sheetView(ctx: PageContext, data: SheetPageData): string {
  const { t } = ctx;
  const c = data.schoolClass;
  const main = html`<div class="no-print">
      <h1>${t('sheet.title', { name: c.name })}</h1>
      <div class="form-notice" role="status"><p>${t('sheet.once')}</p></div>
      <p>${t('sheet.print')}</p>
      <p><a href="${teachClassUrl(c.id)}">${t('sheet.back')}</a></p>
    </div>
    <ul class="password-sheet" aria-label="${t('sheet.cards')}">
      ${data.entries.map(
        (e) =>
          html`<li class="password-card">
            <p class="password-card-class">${c.name} · ${c.school_year}</p>
            <p class="password-card-name">${e.name}</p>
            <dl>
              <dt>${t('sheet.address')}</dt>
              <dd><code>${data.loginAddress}</code></dd>
              <dt>${t('sheet.identifier')}</dt>
              <dd><code class="password-card-login">${e.identifier}</code></dd>
              <dt>${t('sheet.password')}</dt>
              <dd><code class="password-card-password">${e.password}</code></dd>
            </dl>
            <p class="password-card-hint">${t('sheet.hint')}</p>
          </li>`,
      )}
    </ul>`;
  return layout(ctx, { title: t('sheet.title', { name: c.name }), main, bodyClass: 'page-sheet' });
}
