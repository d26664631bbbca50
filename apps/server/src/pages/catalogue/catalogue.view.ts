import { courseUrl } from '../../lib/urls.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface CatalogueEntry {
  slug: string;
  title: string;
  description: string | null;
  language: string;
  notebooks: number;
  quizzes: number;
}

/** The list of published courses. */
export function catalogueView(ctx: PageContext, courses: CatalogueEntry[]): string {
  const { t } = ctx;
  const main = html` <h1>${t('catalogue.title')}</h1>
    <p class="lead">${t('catalogue.intro')}</p>
    ${
      courses.length === 0
        ? html`<p class="empty">${t('catalogue.empty')}</p>`
        : html`<ul class="course-cards">
            ${courses.map(
              (c) =>
                html`<li class="course-card" lang="${c.language}">
                  <h2><a href="${courseUrl(c.slug)}">${c.title}</a></h2>
                  ${c.description ? html`<p>${c.description}</p>` : ''}
                  <p class="meta" lang="${ctx.lang}">
                    ${t('catalogue.counts', { notebooks: c.notebooks, quizzes: c.quizzes })}
                  </p>
                </li>`,
            )}
          </ul>`
    }`;
  return layout(ctx, { title: t('catalogue.title'), main, bodyClass: 'page-catalogue' });
}
