import type { MessageKey } from '../../i18n/index.ts';
import { catalogueUrl, courseUrl, loginUrl, safeLocalPath } from '../../lib/urls.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface ErrorPageData {
  status: number;
  title: MessageKey;
  body: MessageKey;
  params?: Record<string, string>;
  /** Inside a course: offer its contents as the way back. */
  courseSlug?: string | undefined;
  /** For LOGIN_REQUIRED: offer the login form, coming back to this page. */
  loginNext?: string | undefined;
}

/** An error page that says what happened and where to go next, in the reader's language. */
export function errorView(ctx: PageContext, data: ErrorPageData): string {
  const { t } = ctx;
  const main = html`<div class="error-page">
    <h1>${t(data.title)}</h1>
    <p>${t(data.body, data.params)}</p>
    <ul class="error-links">
      ${data.loginNext !== undefined ? html`<li><a href="${loginUrl(safeLocalPath(refererPath(data.loginNext)))}">${t('nav.login')}</a></li>` : ''}
      ${data.courseSlug ? html`<li><a href="${courseUrl(data.courseSlug)}">${t('error.backToCourse')}</a></li>` : ''}
      <li><a href="${catalogueUrl()}">${t('error.backToCatalogue')}</a></li>
    </ul>
    <p class="error-status">HTTP ${data.status}</p>
  </div>`;
  return layout(ctx, { title: t(data.title), main, bodyClass: 'page-error' });
}

/** The path of a Referer header (which is an absolute URL), or the header itself. */
function refererPath(referer: string): string {
  try {
    const url = new URL(referer, 'http://x');
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}
