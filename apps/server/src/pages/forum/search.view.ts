import type { Translate } from '../../i18n/index.ts';
import { excerpt, highlight, QUERY_MAX } from '../../lib/forum/search.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { catalogueUrl, courseUrl, forumSearchUrl, forumThreadUrl, forumUrl } from '../../lib/urls.ts';
import type { SearchHit } from '../../models/forum-search.ts';
import type { TopicWithCount } from '../../models/forum.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { threadKindBadge, topicLabel } from './forum.view.ts';

/** The search page's query string: the words and the list's filters. */
export interface SearchParams {
  q: string;
  topic?: string | undefined;
  unanswered?: boolean | undefined;
  /** Active in the last seven days. */
  recent?: boolean | undefined;
  /** Threads the reader started or posted in (logged-in readers only). */
  mine?: boolean | undefined;
  followed?: boolean | undefined;
  page?: number | undefined;
}

/** The search page's URL with these parameters (page 1 and empty filters left out). */
export function searchPageUrl(slug: string, params: SearchParams): string {
  const query = new URLSearchParams();
  query.set('q', params.q);
  if (params.topic) query.set('topic', params.topic);
  if (params.unanswered) query.set('unanswered', '1');
  if (params.recent) query.set('recent', '1');
  if (params.mine) query.set('mine', '1');
  if (params.followed) query.set('followed', '1');
  if (params.page && params.page > 1) query.set('page', String(params.page));
  return `${forumSearchUrl(slug)}?${query.toString()}`;
}

export interface SearchPageData {
  slug: string;
  courseTitle: string;
  language: string;
  zone: string;
  loggedIn: boolean;
  topics: TopicWithCount[];
  params: SearchParams;
  /** Null: no search was made (no query, or too short); the form only. */
  hits: SearchHit[] | null;
  terms: string[];
  page: number;
  hasMore: boolean;
}

/** The forum's search page: the form, then one page of matching threads, best first. */
export function searchView(ctx: PageContext, data: SearchPageData): string {
  const { t } = ctx;
  const { params } = data;
  const heading = t('forum.search.title');
  const main = html`<h1>${heading} <span class="forum-course">${data.courseTitle}</span></h1>
    ${searchForm(t, data)}
    ${data.hits === null ? (params.q.trim() ? html`<p class="hint">${t('forum.search.short')}</p>` : '') : results(ctx, data, data.hits)}`;
  return layout(ctx, {
    title: data.hits === null ? `${heading} — ${data.courseTitle}` : `${params.q} — ${heading} — ${data.courseTitle}`,
    main,
    breadcrumb: [
      { label: t('nav.catalogue'), href: catalogueUrl() },
      { label: data.courseTitle, href: courseUrl(data.slug) },
      { label: t('forum.title'), href: forumUrl(data.slug) },
      { label: heading },
    ],
    bodyClass: 'page-forum',
  });
}

function check(id: string, name: string, on: boolean | undefined, label: string): SafeHtml {
  return html`<div class="field field-check">
    <input type="checkbox" id="${id}" name="${name}" value="1" ${on ? html`checked` : ''} />
    <label for="${id}">${label}</label>
  </div>`;
}

function searchForm(t: Translate, data: SearchPageData): SafeHtml {
  const { params } = data;
  return html`<form method="get" action="${forumSearchUrl(data.slug)}" class="forum-search-form" role="search">
    <div class="field">
      <label for="f-q">${t('forum.search.field')}</label>
      <p class="hint" id="f-q-hint">${t('forum.search.hint')}</p>
      <input
        id="f-q"
        name="q"
        type="search"
        value="${params.q.slice(0, QUERY_MAX)}"
        maxlength="${QUERY_MAX}"
        aria-describedby="f-q-hint"
        lang="${data.language}"
      />
    </div>
    <div class="field">
      <label for="f-topic">${t('forum.field.topic')}</label>
      <select id="f-topic" name="topic">
        <option value="">${t('forum.list.all')}</option>
        ${data.topics.map(
          (x) =>
            html`<option value="${x.key}" ${x.key === params.topic ? html`selected` : ''}>${topicLabel(t, x)}</option>`,
        )}
      </select>
    </div>
    ${check('f-unanswered', 'unanswered', params.unanswered, t('forum.filter.unanswered'))}
    ${check('f-recent', 'recent', params.recent, t('forum.search.recent'))}
    ${data.loggedIn ? check('f-mine', 'mine', params.mine, t('forum.search.mine')) : ''}
    ${data.loggedIn ? check('f-followed', 'followed', params.followed, t('forum.filter.followed')) : ''}
    <p><button type="submit" class="button">${t('forum.search.submit')}</button></p>
  </form>`;
}

function results(ctx: PageContext, data: SearchPageData, hits: SearchHit[]): SafeHtml {
  const { t } = ctx;
  const { params } = data;
  const summary =
    hits.length === 0 ? t('forum.search.none', { q: params.q }) : t('forum.search.results', { q: params.q });
  return html`<section class="forum-search-results" aria-labelledby="forum-search-summary">
    <h2 id="forum-search-summary">${summary}</h2>
    ${
      hits.length > 0
        ? html`<ol class="forum-threads">
            ${hits.map((hit) => resultRow(ctx, data, hit))}
          </ol>`
        : html`<p><a href="${forumUrl(data.slug)}">${t('forum.search.back')}</a></p>`
    }
    ${
      data.page > 1 || data.hasMore
        ? html`<nav class="forum-pager" aria-label="${t('forum.pages')}">
            ${data.page > 1 ? html`<a rel="prev" href="${searchPageUrl(data.slug, { ...params, page: data.page - 1 })}">${t('forum.page.previous')}</a>` : ''}
            <span>${t('forum.page.n', { n: data.page })}</span>
            ${data.hasMore ? html`<a rel="next" href="${searchPageUrl(data.slug, { ...params, page: data.page + 1 })}">${t('forum.page.next')}</a>` : ''}
          </nav>`
        : ''
    }
  </section>`;
}

function resultRow(ctx: PageContext, data: SearchPageData, hit: SearchHit): SafeHtml {
  const { t } = ctx;
  const topic = { key: hit.topic_key, title: hit.topic_title, week: hit.topic_week };
  return html`<li class="forum-thread-row forum-search-hit">
    <p class="forum-row-kind">
      ${threadKindBadge(t, hit.kind)}
      ${hit.answered ? html`<span class="forum-answered"><span aria-hidden="true">✓ </span>${t('forum.answered')}</span>` : ''}
    </p>
    <h3 class="forum-row-title">
      <a href="${forumThreadUrl(data.slug, hit.id)}" lang="${data.language}">${highlight(hit.title, data.terms)}</a>
    </h3>
    <p class="forum-excerpt" lang="${data.language}">${excerpt(hit.body, data.terms)}</p>
    <p class="forum-meta">
      <span class="forum-topic">${topicLabel(t, topic)}</span> ·
      <span class="forum-replies">${t('forum.replyCount', { n: hit.reply_count })}</span> ·
      <span class="forum-activity"
        >${t('forum.lastActivity')}
        <time datetime="${hit.last_activity_at}"
          >${formatDate(hit.last_activity_at, ctx.lang, data.zone, true)}</time
        ></span
      >
    </p>
  </li>`;
}

/**
 * The suggestions of the new-thread form: up to five threads like the title being typed, links
 * opening in a new tab (the draft stays). Empty when there are none.
 */
export function similarFragment(
  t: Translate,
  data: { slug: string; language: string; hits: SearchHit[]; terms: string[] },
): string {
  if (data.hits.length === 0) return '';
  return html`<div class="forum-similar">
    <p class="forum-similar-title"><strong>${t('forum.similar.title')}</strong></p>
    <ul>
      ${data.hits.map(
        (hit) =>
          html`<li>
            ${threadKindBadge(t, hit.kind)}
            <a href="${forumThreadUrl(data.slug, hit.id)}" target="_blank" rel="noopener" lang="${data.language}"
              >${highlight(hit.title, data.terms)}<span class="visually-hidden"> ${t('forum.similar.newTab')}</span></a
            >
            <span class="forum-replies">${t('forum.replyCount', { n: hit.reply_count })}</span>
            ${hit.answered ? html`<span class="forum-answered"><span aria-hidden="true">✓ </span>${t('forum.answered')}</span>` : ''}
          </li>`,
      )}
    </ul>
  </div>`.value;
}
