import { LANGUAGES, type Language, type Translate } from '../i18n/index.ts';
import {
  accountUrl,
  catalogueUrl,
  dashboardUrl,
  loginUrl,
  logoutUrl,
  manageUrl,
  notificationsUrl,
  signupUrl,
  unreadCountUrl,
} from '../lib/urls.ts';
import { html, jsonScript, type SafeHtml } from './html.ts';
import { slot } from './slots.ts';

/** The logged-in reader, as the page shell shows them. */
export interface Viewer {
  name: string;
  isAdmin: boolean;
  /** The session's CSRF token, for the forms of the page (logout in the header). */
  csrf: string;
}

/** What every page template receives: the reader's language and the asset URLs. */
export interface PageContext {
  lang: Language;
  t: Translate;
  /** URL of a built client asset by its logical name (`main.css`, `enhance.js`). */
  asset(name: string): string;
  /** The current path and query, for the language switch to come back here. */
  path: string;
  /**
   * Who reads: a Viewer, null for an anonymous visitor, or undefined for a page rendered once
   * for everyone and cached (its per-reader parts are then slots, see slots.ts).
   */
  viewer?: Viewer | null;
  /** Grading runs without a sandbox (CARNET_UNSAFE_GRADING): the shell shows a warning banner. */
  unsafeGrading?: boolean;
}

export interface Crumb {
  label: string;
  href?: string;
}

export interface PageOptions {
  title: string;
  main: SafeHtml;
  breadcrumb?: Crumb[];
  /** Extra class on <body>, to let the stylesheet lay out a kind of page. */
  bodyClass?: string;
  /** Extra <head> elements (preloads, descriptions). */
  head?: SafeHtml;
}

/** The page shell: landmarks, skip link, header with the language switch, footer. */
export function layout(ctx: PageContext, options: PageOptions): string {
  const { t } = ctx;
  const crumbs = options.breadcrumb ?? [];
  return (
    '<!doctype html>\n' +
    html`<html lang="${ctx.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>${options.title} · ${t('site.name')}</title>
        <link rel="stylesheet" href="${ctx.asset('main.css')}" />
        <script type="module" src="${ctx.asset('enhance.js')}"></script>
        ${options.head}
      </head>
      <body class="${options.bodyClass ?? ''}">
        <a class="skip-link" href="#main">${t('nav.skip')}</a>
        ${ctx.unsafeGrading ? unsafeGradingBanner(t) : ''}
        <header class="site-header">
          <a class="site-name" href="${catalogueUrl()}">${t('site.name')}</a>
          <nav aria-label="${t('nav.main')}" class="site-nav">
            <a href="${catalogueUrl()}">${t('nav.catalogue')}</a>
          </nav>
          ${ctx.viewer === undefined ? slot('account', accountArea(ctx, null)) : accountArea(ctx, ctx.viewer)}
          <nav aria-label="${t('nav.language')}" class="lang-switch">
            <ul>
              ${LANGUAGES.map(
                (lang) =>
                  html`<li>
                    <a
                      href="/lang/${lang}?next=${encodeURIComponent(ctx.path)}"
                      lang="${lang}"
                      hreflang="${lang}"
                      ${lang === ctx.lang ? html` aria-current="true"` : ''}
                      >${t(`lang.${lang}`)}</a
                    >
                  </li>`,
              )}
            </ul>
          </nav>
        </header>
        ${crumbs.length > 0 ? breadcrumb(t, crumbs) : ''}
        <main id="main" tabindex="-1">${options.main}</main>
        <footer class="site-footer"><p>${t('footer.about')}</p></footer>
        ${jsonScript('carnet-strings', { copy: t('notebook.copy'), copied: t('notebook.copied') })}
      </body>
    </html> `.value
  );
}

/**
 * The development-only warning: learners' programs run without a sandbox on this server. Part of
 * the shell (not a slot): the flag is fixed for the process, like its page cache.
 */
export function unsafeGradingBanner(t: Translate): SafeHtml {
  return html`<div class="unsafe-grading" role="alert">
    <p><strong>${t('unsafeGrading.title')}</strong> ${t('unsafeGrading.body')}</p>
  </div>`;
}

/**
 * The header's account area: log in and sign up, or the reader's links and a logout button. The
 * notifications link is the same for every reader (pages are cached): a client module fills in
 * its unread count from an uncached endpoint; without JavaScript, the link is enough.
 */
export function accountArea(ctx: Pick<PageContext, 't' | 'path'>, viewer: Viewer | null): SafeHtml {
  const { t } = ctx;
  if (!viewer) {
    return html`<nav aria-label="${t('nav.account')}" class="account-nav">
      <a href="${loginUrl(ctx.path)}">${t('nav.login')}</a>
      <a href="${signupUrl()}">${t('nav.signup')}</a>
    </nav>`;
  }
  return html`<nav aria-label="${t('nav.account')}" class="account-nav">
    <a href="${dashboardUrl()}">${t('nav.dashboard')}</a>
    <a
      href="${notificationsUrl()}"
      class="notifications-link"
      data-unread-url="${unreadCountUrl()}"
      data-unread-label="${t('nav.notifications.unread')}"
      >${t('nav.notifications')}<span class="notifications-count" hidden></span
    ></a>
    ${viewer.isAdmin ? html`<a href="${manageUrl()}">${t('nav.manage')}</a>` : ''}
    <a href="${accountUrl()}" class="account-name">${viewer.name}</a>
    <form method="post" action="${logoutUrl()}" class="logout-form">
      <input type="hidden" name="_csrf" value="${viewer.csrf}" />
      <button type="submit" class="link-button">${t('nav.logout')}</button>
    </form>
  </nav>`;
}

function breadcrumb(t: Translate, crumbs: Crumb[]): SafeHtml {
  return html`<nav aria-label="${t('nav.breadcrumb')}" class="breadcrumb">
    <ol>
      ${crumbs.map((c, i) =>
        c.href && i < crumbs.length - 1
          ? html`<li><a href="${c.href}">${c.label}</a></li>`
          : html`<li><span aria-current="page">${c.label}</span></li>`,
      )}
    </ol>
  </nav>`;
}
