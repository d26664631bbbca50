import { LANGUAGES, type Language, type Translate } from '../i18n/index.ts';
import { catalogueUrl } from '../lib/urls.ts';
import { html, jsonScript, type SafeHtml } from './html.ts';

/** What every page template receives: the reader's language and the asset URLs. */
export interface PageContext {
  lang: Language;
  t: Translate;
  /** URL of a built client asset by its logical name (`main.css`, `enhance.js`). */
  asset(name: string): string;
  /** The current path and query, for the language switch to come back here. */
  path: string;
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
        <header class="site-header">
          <a class="site-name" href="${catalogueUrl()}">${t('site.name')}</a>
          <nav aria-label="${t('nav.main')}" class="site-nav">
            <a href="${catalogueUrl()}">${t('nav.catalogue')}</a>
          </nav>
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
