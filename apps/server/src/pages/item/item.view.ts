import type { Heading } from '@carnet/render';
import { localizeFragment } from '../../i18n/index.ts';
import { catalogueUrl, courseItemUrl, courseUrl } from '../../lib/urls.ts';
import type { CourseItemSummary } from '../../models/course-items.ts';
import type { CourseItemRow } from '../../db/schema.ts';
import { html, jsonScript, trustedHtml, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { slot } from '../../views/slots.ts';
import { kindBadge } from '../course/course.view.ts';
import { itemPanel } from '../forum/forum.view.ts';
import { quizFragmentWithSlots, quizNotice } from './quiz.view.ts';
import { entries } from './runtime-config.ts';

export interface ItemPageData {
  slug: string;
  courseTitle: string;
  language: string;
  item: CourseItemRow;
  previous: CourseItemSummary | null;
  next: CourseItemSummary | null;
  /** A notebook's runtime configuration (see runtime-config.ts); null for quizzes. */
  runtime: { runtime: object; page: object } | null;
  /** An activity's page (ADR 051): its parts above and below the item; no pager, no forum panel. */
  activity?: { top: SafeHtml; bottom: SafeHtml; breadcrumb: { label: string; href?: string }[] };
}

/** A notebook or quiz page: the stored body, its outline, and previous/next navigation. */
export function itemView(ctx: PageContext, data: ItemPageData): string {
  const { t } = ctx;
  const { item } = data;
  const headings = JSON.parse(item.headings) as Heading[];
  const hasTitle = headings[0]?.level === 1;
  // The fragment was sanitised at import; only its UI-string markers are filled in here.
  // A quiz's per-learner places (answers, results, submit buttons) become slots (ADR 026).
  const fragment = localizeFragment(item.html, t);
  const body = trustedHtml(item.type === 'quiz' ? quizFragmentWithSlots(ctx, fragment) : fragment);
  const outline = headings.filter((h, i) => h.level <= 3 && !(i === 0 && h.level === 1));
  const activity = data.activity;
  const main = html` ${activity ? activity.top : pager(ctx, data, 'pager-top')}
    <div class="item-layout${outline.length >= 2 ? ' with-toc' : ''}">
      <article class="item item-${item.type}" lang="${data.language}">
        <p class="item-kind" lang="${ctx.lang}">${kindBadge(ctx, item.kind)}</p>
        ${hasTitle && item.type !== 'quiz' ? '' : html`<h1>${item.title}</h1>`}
        ${item.type === 'quiz' ? html`<div lang="${ctx.lang}">${slot('quiz-notice', quizNotice(ctx, null))}</div>` : ''}
        ${data.runtime ? html`<noscript><p class="notice" lang="${ctx.lang}">${t('runtime.noscript')}</p></noscript>` : ''}
        ${body}
      </article>
      ${data.runtime ? jsonScript('carnet-notebook', data.runtime.page) : ''}
      ${
        item.type === 'video'
          ? jsonScript('carnet-video', { strings: entries(t, 'video.ui.'), slug: data.slug, route: item.route })
          : ''
      }
      ${outline.length >= 2 ? toc(ctx, outline, data.language) : ''}
    </div>
    ${activity ? activity.bottom : html`${itemPanel(ctx, data.slug, item.route)} ${pager(ctx, data, 'pager-bottom')}`}`;
  return layout(ctx, {
    title: `${item.title} — ${data.courseTitle}`,
    main,
    breadcrumb: activity?.breadcrumb ?? [
      { label: t('nav.catalogue'), href: catalogueUrl() },
      { label: data.courseTitle, href: courseUrl(data.slug) },
      ...(item.week !== null
        ? [{ label: t('course.week', { n: item.week }), href: `${courseUrl(data.slug)}#contents-title` }]
        : []),
      { label: item.menu_title },
    ],
    bodyClass: `page-item page-${item.type}`,
    // The runtime's part comes first, with an async script: Python starts loading while the page
    // is still being parsed and styled.
    head: html`${
      data.runtime
        ? html`${jsonScript('carnet-runtime', data.runtime.runtime)}
            <script type="module" async src="${ctx.asset('notebook.js')}"></script>`
        : ''
    }
    ${item.type === 'video' ? html`<script type="module" src="${ctx.asset('video.js')}"></script>` : ''}
    ${item.type === 'quiz' && !data.runtime ? html`<script type="module" src="${ctx.asset('quiz.js')}"></script>` : ''}
    ${activity ? '' : html`<script type="module" src="${ctx.asset('forum-panel.js')}"></script>`}`,
  });
}

function toc(ctx: PageContext, headings: Heading[], language: string): SafeHtml {
  return html`<aside class="toc" aria-labelledby="toc-title">
    <h2 id="toc-title">${ctx.t('notebook.toc')}</h2>
    <ol lang="${language}">
      ${headings.map((h) => html`<li class="toc-${h.level}"><a href="#${h.id}">${h.text}</a></li>`)}
    </ol>
  </aside>`;
}

function pager(ctx: PageContext, data: ItemPageData, className: string): SafeHtml {
  const { previous, next } = data;
  if (!previous && !next) return html``;
  const link = (item: CourseItemSummary, rel: 'prev' | 'next'): SafeHtml =>
    html`<a class="pager-${rel}" rel="${rel}" href="${courseItemUrl(data.slug, item.route)}"
      ><span class="pager-label">${ctx.t(rel === 'prev' ? 'notebook.previous' : 'notebook.next')}</span>
      <span class="pager-title" lang="${data.language}">${item.menu_title}</span></a
    >`;
  return html`<nav class="pager ${className}" aria-label="${ctx.t('notebook.pager')}">
    ${previous ? link(previous, 'prev') : html`<span></span>`}${next ? link(next, 'next') : ''}
  </nav>`;
}
