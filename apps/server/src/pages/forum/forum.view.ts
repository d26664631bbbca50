import type { ForumThreadKind } from '../../db/schema.ts';
import type { MessageKey, Translate } from '../../i18n/index.ts';
import type { ReplyWithComments, ShownPost, ThreadContent } from '../../lib/forum/forum.ts';
import {
  BODY_MAX,
  canAcceptAnswer,
  canDeletePost,
  canEditPost,
  GENERAL_TOPIC,
  shownAuthor,
  TITLE_MAX,
  THREAD_KINDS,
  type ForumActor,
  type ReaderView,
} from '../../lib/forum/rules.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import {
  catalogueUrl,
  courseItemUrl,
  courseUrl,
  forumAcceptUrl,
  forumModerationUrl,
  forumNewThreadUrl,
  forumPanelUrl,
  forumPostUrl,
  forumSearchUrl,
  forumSnapshotUrl,
  forumRepliesUrl,
  forumThreadUrl,
  forumUrl,
  loginUrl,
} from '../../lib/urls.ts';
import type { PostRow, ThreadRow, ThreadSummary, TopicWithCount } from '../../models/forum.ts';
import { csrfField, field, formAlert, type FormState } from '../../views/forms.ts';
import { html, trustedHtml, type SafeHtml } from '../../views/html.ts';
import { layout, type Crumb, type PageContext } from '../../views/layout.ts';
import {
  anonymousField,
  authorLabel,
  endorseControl,
  endorsedMark,
  followControl,
  voteControl,
} from './social.view.ts';
import {
  hiddenMark,
  lockedNotice,
  pinnedMark,
  postModerationActions,
  threadModerationTools,
} from './moderation.view.ts';

/** What every forum page knows of its course and reader. */
export interface ForumContext {
  slug: string;
  courseTitle: string;
  /** The course's language (titles and posts are in it, most likely). */
  language: string;
  zone: string;
  actor: ForumActor | null;
  /** The form token of a logged-in reader. */
  csrf: string | null;
  /** The course lets learners post anonymously to other learners (its staff setting). */
  anonymousAllowed: boolean;
}

/** Items threads are about: title by route (in the live version). */
export type ItemTitles = Map<string, { title: string; week: number | null }>;

/** The list's filters, as the query string carries them. */
export interface ListFilter {
  topic?: string;
  route?: string;
  unanswered?: boolean;
  /** Threads the reader follows; threads they started or posted in (logged-in readers only). */
  followed?: boolean;
  mine?: boolean;
  sort?: 'activity' | 'votes';
  page?: number;
}

/** The forum list's URL with these filters (page 1, newest activity and empty filters left out). */
export function forumListUrl(slug: string, filter: ListFilter): string {
  const query = new URLSearchParams();
  if (filter.topic) query.set('topic', filter.topic);
  if (filter.route) query.set('route', filter.route);
  if (filter.unanswered) query.set('unanswered', '1');
  if (filter.followed) query.set('followed', '1');
  if (filter.mine) query.set('mine', '1');
  if (filter.sort === 'votes') query.set('sort', 'votes');
  if (filter.page && filter.page > 1) query.set('page', String(filter.page));
  const q = query.toString();
  return q ? `${forumUrl(slug)}?${q}` : forumUrl(slug);
}

/** The new-thread form's URL, about an item or in a topic. */
export function newThreadUrl(slug: string, options: { route?: string; topic?: string }): string {
  const query = new URLSearchParams();
  if (options.route) query.set('route', options.route);
  if (options.topic) query.set('topic', options.topic);
  const q = query.toString();
  return q ? `${forumNewThreadUrl(slug)}?${q}` : forumNewThreadUrl(slug);
}

/** A topic's name in the reader's language. */
export function topicLabel(t: Translate, topic: { key: string; title: string; week: number | null }): string {
  if (topic.week !== null) {
    const week = t('course.week', { n: topic.week });
    return topic.title ? t('forum.topic.weekTheme', { week, theme: topic.title }) : week;
  }
  return topic.key === GENERAL_TOPIC ? t('forum.topic.general') : topic.title;
}

const authorName = (t: Translate, name: string | null): string => name ?? t('forum.deletedUser');

function endorsedListMark(t: Translate): SafeHtml {
  return html`<span class="forum-endorsed-mark"><span aria-hidden="true">★ </span>${t('forum.list.endorsed')}</span>`;
}

function when(ctx: PageContext, forum: ForumContext, iso: string): SafeHtml {
  return html`<time datetime="${iso}">${formatDate(iso, ctx.lang, forum.zone, true)}</time>`;
}

/** The Question/Discussion badge. */
export function threadKindBadge(t: Translate, kind: ForumThreadKind): SafeHtml {
  return html`<span class="forum-kind forum-kind-${kind}">${t(`forum.kind.${kind}`)}</span>`;
}

function answeredMark(t: Translate): SafeHtml {
  return html`<span class="forum-answered"><span aria-hidden="true">✓ </span>${t('forum.answered')}</span>`;
}

export function crumbs(ctx: PageContext, forum: ForumContext, last?: Crumb): Crumb[] {
  return [
    { label: ctx.t('nav.catalogue'), href: catalogueUrl() },
    { label: forum.courseTitle, href: courseUrl(forum.slug) },
    { label: ctx.t('forum.title'), href: forumUrl(forum.slug) },
    ...(last ? [last] : []),
  ];
}

/** A labelled textarea, with its hint and error tied to it as `field` does for inputs. */
function textarea(
  t: Translate,
  form: FormState,
  options: { name: string; id: string; label: string; hint?: string; rows?: number },
): SafeHtml {
  const error = form.errors[options.name];
  const described = [options.hint ? `${options.id}-hint` : '', error ? `${options.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="field${error ? ' field-error' : ''}">
    <label for="${options.id}">${options.label}</label>
    ${options.hint ? html`<p class="hint" id="${options.id}-hint">${options.hint}</p>` : ''}
    ${error ? html`<p class="error-message" id="${options.id}-error">${t(error)}</p>` : ''}
    <textarea
      id="${options.id}"
      name="${options.name}"
      rows="${options.rows ?? 8}"
      maxlength="${BODY_MAX}"
      required
      ${described ? html`aria-describedby="${described}"` : ''}
      ${error ? html`aria-invalid="true"` : ''}
    >
${form.values[options.name] ?? ''}</textarea>
  </div>`;
}

function pager(
  t: Translate,
  page: number,
  extent: { pages: number | null; hasNext: boolean },
  urlOf: (page: number) => string,
): SafeHtml {
  if (page <= 1 && !extent.hasNext) return html``;
  const label =
    extent.pages === null ? t('forum.page.n', { n: page }) : t('forum.page.nOf', { n: page, total: extent.pages });
  return html`<nav class="forum-pager" aria-label="${t('forum.pages')}">
    ${page > 1 ? html`<a rel="prev" href="${urlOf(page - 1)}">${t('forum.page.previous')}</a>` : ''}
    <span>${label}</span>
    ${extent.hasNext ? html`<a rel="next" href="${urlOf(page + 1)}">${t('forum.page.next')}</a>` : ''}
  </nav>`;
}

export interface ForumListData {
  forum: ForumContext;
  topics: TopicWithCount[];
  threads: ReaderView<ThreadSummary>[];
  items: ItemTitles;
  filter: ListFilter;
  page: number;
  hasMore: boolean;
}

/** The course forum: topics with their counts, then one page of threads, newest activity first. */
export function forumListView(ctx: PageContext, data: ForumListData): string {
  const { t } = ctx;
  const { forum, filter } = data;
  const topic = data.topics.find((x) => x.key === filter.topic);
  const about = filter.route ? data.items.get(filter.route) : undefined;
  const heading = topic
    ? topicLabel(t, topic)
    : filter.route
      ? t('forum.list.about', { title: about?.title ?? filter.route })
      : t('forum.list.all');
  const main = html`<h1>${t('forum.title')} <span class="forum-course">${forum.courseTitle}</span></h1>
    <p class="forum-actions">
      <a class="button" href="${newThreadUrl(forum.slug, { route: filter.route, topic: topic?.key })}"
        >${t('forum.new')}</a
      >
      ${forum.actor?.moderator ? html`<a href="${forumModerationUrl(forum.slug)}">${t('mod.queue.title')}</a>` : ''}
    </p>
    <form method="get" action="${forumSearchUrl(forum.slug)}" class="forum-search-form" role="search">
      <label for="forum-q">${t('forum.search.field')}</label>
      <input type="search" id="forum-q" name="q" maxlength="200" />
      <button type="submit">${t('forum.search.submit')}</button>
    </form>
    <div class="forum-layout">
      <nav class="forum-topics" aria-labelledby="forum-topics-title">
        <h2 id="forum-topics-title">${t('forum.topics')}</h2>
        <ul>
          <li>
            <a href="${forumUrl(forum.slug)}" ${!filter.topic && !filter.route ? html`aria-current="page"` : ''}
              >${t('forum.list.all')}</a
            >
          </li>
          ${data.topics.map(
            (x) =>
              html`<li>
                <a
                  href="${forumListUrl(forum.slug, { topic: x.key })}"
                  ${x.key === filter.topic ? html`aria-current="page"` : ''}
                  >${topicLabel(t, x)}</a
                >
                <span class="forum-count">${t('forum.threadCount', { n: x.thread_count })}</span>
              </li>`,
          )}
        </ul>
      </nav>
      <section class="forum-list" aria-labelledby="forum-list-title">
        <h2 id="forum-list-title">${heading}</h2>
        ${
          about && filter.route
            ? html`<p>
                <a href="${courseItemUrl(forum.slug, filter.route)}" lang="${forum.language}"
                  >${t('forum.backToItem', { title: about.title })}</a
                >
              </p>`
            : ''
        }
        ${filterForm(t, data)}
        ${
          data.threads.length === 0
            ? html`<p class="forum-empty">${t('forum.list.empty')}</p>`
            : html`<ul class="forum-threads">
                ${data.threads.map((thread) => threadRow(ctx, forum, thread, data.items))}
              </ul>`
        }
        ${pager(t, data.page, { pages: null, hasNext: data.hasMore }, (page) =>
          forumListUrl(forum.slug, { ...filter, page }),
        )}
      </section>
    </div>`;
  return layout(ctx, {
    title: `${heading} — ${t('forum.title')} — ${forum.courseTitle}`,
    main,
    breadcrumb: crumbs(ctx, forum)
      .slice(0, -1)
      .concat({ label: t('forum.title') }),
    bodyClass: 'page-forum',
  });
}

function filterForm(t: Translate, data: ForumListData): SafeHtml {
  const { filter } = data;
  return html`<form method="get" action="${forumUrl(data.forum.slug)}" class="forum-filter">
    ${filter.route ? html`<input type="hidden" name="route" value="${filter.route}" />` : ''}
    <div class="field">
      <label for="f-topic">${t('forum.field.topic')}</label>
      <select id="f-topic" name="topic">
        <option value="">${t('forum.list.all')}</option>
        ${data.topics.map(
          (x) =>
            html`<option value="${x.key}" ${x.key === filter.topic ? html`selected` : ''}>${topicLabel(t, x)}</option>`,
        )}
      </select>
    </div>
    <div class="field field-check">
      <input type="checkbox" id="f-unanswered" name="unanswered" value="1" ${filter.unanswered ? html`checked` : ''} />
      <label for="f-unanswered">${t('forum.filter.unanswered')}</label>
    </div>
    ${
      data.forum.actor
        ? html`<div class="field field-check">
              <input
                type="checkbox"
                id="f-followed"
                name="followed"
                value="1"
                ${filter.followed ? html`checked` : ''}
              />
              <label for="f-followed">${t('forum.filter.followed')}</label>
            </div>
            <div class="field field-check">
              <input type="checkbox" id="f-mine" name="mine" value="1" ${filter.mine ? html`checked` : ''} />
              <label for="f-mine">${t('forum.filter.postedIn')}</label>
            </div>`
        : ''
    }
    <div class="field">
      <label for="f-sort">${t('forum.filter.sort')}</label>
      <select id="f-sort" name="sort">
        <option value="">${t('forum.sort.activity')}</option>
        <option value="votes" ${filter.sort === 'votes' ? html`selected` : ''}>${t('forum.sort.votes')}</option>
      </select>
    </div>
    <p><button type="submit" class="button button-secondary">${t('forum.filter.submit')}</button></p>
  </form>`;
}

function threadRow(
  ctx: PageContext,
  forum: ForumContext,
  thread: ReaderView<ThreadSummary>,
  items: ItemTitles,
): SafeHtml {
  const { t } = ctx;
  const item = thread.route ? items.get(thread.route) : undefined;
  return html`<li class="forum-thread-row">
    <p class="forum-row-kind">
      ${threadKindBadge(t, thread.kind)} ${thread.answered ? answeredMark(t) : ''}
      ${thread.endorsed ? endorsedListMark(t) : ''} ${thread.pinned ? pinnedMark(t) : ''}
    </p>
    <h3 class="forum-row-title">
      <a href="${forumThreadUrl(forum.slug, thread.id)}" lang="${forum.language}">${thread.title}</a>
    </h3>
    <p class="forum-meta">
      ${
        item && thread.route
          ? html`<span class="forum-about"
                >${t('forum.about')}
                <a href="${courseItemUrl(forum.slug, thread.route)}" lang="${forum.language}">${item.title}</a></span
              >
              · `
          : ''
      }
      ${authorLabel(t, thread.shown)} ·
      <span class="forum-votes">${t('forum.votes', { n: thread.vote_count })}</span> ·
      <span class="forum-replies">${t('forum.replyCount', { n: thread.reply_count })}</span> ·
      <span class="forum-activity">${t('forum.lastActivity')} ${when(ctx, forum, thread.last_activity_at)}</span>
    </p>
  </li>`;
}

export interface NewThreadData {
  forum: ForumContext;
  topics: TopicWithCount[];
  /** The item the thread will be about, if any. */
  about: { route: string; title: string } | null;
  form: FormState;
  /** The reader's notebook snapshot to attach (issue 13), if they came from "share a snapshot". */
  snapshot?: { token: string; url: string } | null;
}

/** The new-thread form: kind, topic, title, text; about an item when the reader came from one. */
export function newThreadView(ctx: PageContext, data: NewThreadData): string {
  const { t } = ctx;
  const { forum, form } = data;
  const kind = form.values['kind'] ?? 'question';
  const kindError = form.errors['kind'];
  const topicError = form.errors['topic'];
  const main = html`<div class="narrow">
    <h1>${t('forum.new')}</h1>
    ${
      data.about
        ? html`<p class="forum-about">
            ${t('forum.about')}
            <a href="${courseItemUrl(forum.slug, data.about.route)}" lang="${forum.language}">${data.about.title}</a>
          </p>`
        : ''
    }
    ${formAlert(t, form)}
    <form method="post" action="${forumUrl(forum.slug)}" class="stack-form" novalidate>
      ${csrfField(forum.csrf ?? '')}
      ${data.about ? html`<input type="hidden" name="route" value="${data.about.route}" />` : ''}
      ${
        data.snapshot
          ? html`<input type="hidden" name="snapshot" value="${data.snapshot.token}" />
              <p class="forum-snapshot">
                ${t('snapshot.attached')} — <a href="${data.snapshot.url}" target="_blank">${t('snapshot.title')}</a>
              </p>`
          : ''
      }
      <fieldset
        class="field${kindError ? ' field-error' : ''}"
        ${kindError ? html`aria-describedby="f-kind-error"` : ''}
      >
        <legend>${t('forum.field.kind')}</legend>
        ${kindError ? html`<p class="error-message" id="f-kind-error">${t(kindError)}</p>` : ''}
        ${THREAD_KINDS.map(
          (k) =>
            html`<div class="field-check">
              <input type="radio" id="f-kind-${k}" name="kind" value="${k}" ${k === kind ? html`checked` : ''} />
              <label for="f-kind-${k}">${t(`forum.kind.${k}`)}</label>
              <span class="hint">${t(`forum.kind.${k}.hint`)}</span>
            </div>`,
        )}
      </fieldset>
      <div class="field${topicError ? ' field-error' : ''}">
        <label for="f-topic">${t('forum.field.topic')}</label>
        ${topicError ? html`<p class="error-message" id="f-topic-error">${t(topicError)}</p>` : ''}
        <select
          id="f-topic"
          name="topic"
          ${topicError ? html`aria-describedby="f-topic-error" aria-invalid="true"` : ''}
        >
          ${data.topics.map(
            (x) =>
              html`<option value="${x.key}" ${x.key === form.values['topic'] ? html`selected` : ''}>
                ${topicLabel(t, x)}
              </option>`,
          )}
        </select>
      </div>
      ${field(t, form, {
        name: 'title',
        label: t('forum.field.title'),
        hint: t('forum.field.title.hint', { max: TITLE_MAX }),
        required: true,
        maxlength: TITLE_MAX,
      })}
      ${textarea(t, form, {
        name: 'body',
        id: 'f-body',
        label: t('forum.field.body'),
        hint: t('forum.field.body.hint', { max: BODY_MAX }),
        rows: 12,
      })}
      ${forum.anonymousAllowed ? anonymousField(t, form, 'f-anonymous') : ''}
      <p><button type="submit" class="button">${t('forum.new.submit')}</button></p>
    </form>
  </div>`;
  return layout(ctx, {
    title: `${t('forum.new')} — ${forum.courseTitle}`,
    main,
    breadcrumb: crumbs(ctx, forum, { label: t('forum.new') }),
    bodyClass: 'page-forum',
    head: html`<script type="module" src="${ctx.asset('forum-suggest.js')}"></script>`,
  });
}

export interface ThreadPageData {
  forum: ForumContext;
  /** As this reader may see it (`readerView`). */
  thread: ReaderView<ThreadRow>;
  /** The reader follows the thread. */
  following: boolean;
  topic: { key: string; title: string; week: number | null } | null;
  about: { route: string; title: string } | null;
  content: ThreadContent;
  /** The reply form, or a comment form (`parent` says on which reply), shown again with its errors. */
  replyForm: FormState;
}

/** A thread: its opening post, the accepted answer, one page of replies with their comments, the forms. */
export function threadView(ctx: PageContext, data: ThreadPageData): string {
  const { t } = ctx;
  const { forum, thread, content } = data;
  const replyCount = t('forum.replyCount', { n: thread.reply_count });
  const main = html`<article class="forum-thread" aria-labelledby="thread-title">
      <header class="forum-thread-head">
        <p class="forum-row-kind">
          ${threadKindBadge(t, thread.kind)} ${thread.accepted_post_id !== null ? answeredMark(t) : ''}
          ${thread.deleted ? html`<span class="forum-deleted-mark">${t('forum.thread.deleted')}</span>` : ''}
          ${thread.pinned ? pinnedMark(t) : ''}
        </p>
        <h1 id="thread-title" lang="${forum.language}">${thread.title}</h1>
        <p class="forum-meta">
          ${
            data.about
              ? html`<span class="forum-about"
                    >${t('forum.about')}
                    <a href="${courseItemUrl(forum.slug, data.about.route)}" lang="${forum.language}"
                      >${data.about.title}</a
                    ></span
                  >
                  · `
              : ''
          }
          ${
            data.topic
              ? html`<a href="${forumListUrl(forum.slug, { topic: data.topic.key })}">${topicLabel(t, data.topic)}</a>
                  · `
              : ''
          }
          ${replyCount}
        </p>
        ${followControl(t, forum, thread, data.following)} ${threadModerationTools(t, forum, thread)}
        ${thread.hidden ? hiddenMark(t) : ''} ${thread.locked ? lockedNotice(t) : ''}
      </header>
      ${content.opening ? post(ctx, data, content.opening) : ''}
    </article>
    ${
      content.accepted
        ? html`<section class="forum-accepted" aria-labelledby="accepted-title">
            <h2 id="accepted-title">${t('forum.accepted')}</h2>
            ${reply(ctx, data, content.accepted, true)}
          </section>`
        : ''
    }
    <section class="forum-replies-section" aria-labelledby="replies-title">
      <h2 id="replies-title">${t('forum.replies')}</h2>
      ${
        content.replies.length === 0 && !content.accepted
          ? html`<p class="forum-empty">${t('forum.replies.empty')}</p>`
          : html`<ol class="forum-replies">
              ${content.replies.map((r) => html`<li>${reply(ctx, data, r, false)}</li>`)}
            </ol>`
      }
      ${pager(t, content.page, { pages: content.pages, hasNext: content.page < content.pages }, (page) => `${forumThreadUrl(forum.slug, thread.id)}?page=${page}`)}
    </section>
    ${replySection(ctx, data)}`;
  return layout(ctx, {
    title: `${thread.title} — ${t('forum.title')} — ${forum.courseTitle}`,
    main,
    breadcrumb: crumbs(ctx, forum, { label: thread.title }),
    bodyClass: 'page-forum page-forum-thread',
  });
}

function replySection(ctx: PageContext, data: ThreadPageData): SafeHtml {
  const { t } = ctx;
  const { forum, thread } = data;
  const form = data.replyForm.values['parent'] ? { values: {}, errors: {} } : data.replyForm;
  return html`<section class="forum-reply-form" aria-labelledby="reply-title">
    <h2 id="reply-title">${t('forum.reply')}</h2>
    ${
      thread.locked && !forum.actor?.moderator
        ? html`${lockedNotice(t)} ${lockedOutText(t, data.replyForm)}`
        : forum.actor
          ? html`${formAlert(t, form)}
              <form method="post" action="${forumRepliesUrl(forum.slug, thread.id)}" class="stack-form" novalidate>
                ${csrfField(forum.csrf ?? '')}
                ${textarea(t, form, {
                  name: 'body',
                  id: 'f-reply',
                  label: t('forum.field.reply'),
                  hint: t('forum.field.body.hint', { max: BODY_MAX }),
                })}
                ${forum.anonymousAllowed ? anonymousField(t, form, 'f-reply-anonymous') : ''}
                <p><button type="submit" class="button">${t('forum.reply.submit')}</button></p>
              </form>`
          : html`<p>
              <a href="${loginUrl(forumThreadUrl(forum.slug, thread.id))}">${t('forum.loginToReply')}</a>
            </p>`
    }
  </section>`;
}

/** A reply refused because the thread was locked meanwhile: its text, to copy elsewhere. */
function lockedOutText(t: Translate, form: FormState): SafeHtml {
  const body = form.values['body'];
  if (!body) return html``;
  return html`<div class="field">
    <label for="f-reply-kept">${t('forum.field.keptText')}</label>
    <textarea id="f-reply-kept" rows="6" readonly>${body}</textarea>
  </div>`;
}

function reply(ctx: PageContext, data: ThreadPageData, entry: ReplyWithComments, accepted: boolean): SafeHtml {
  const { t } = ctx;
  const { forum, thread } = data;
  const commenting = data.replyForm.values['parent'] === String(entry.reply.id);
  const form: FormState = commenting ? data.replyForm : { values: {}, errors: {} };
  const id = `f-comment-${entry.reply.id}`;
  return html`${post(ctx, data, entry.reply, accepted)}
  ${
    entry.comments.length > 0
      ? html`<ul class="forum-comments" aria-label="${t('forum.comments')}">
          ${entry.comments.map((c) => html`<li>${post(ctx, data, c)}</li>`)}
        </ul>`
      : ''
  }
  ${
    forum.actor &&
    !entry.reply.deleted &&
    !entry.reply.hidden &&
    !thread.deleted &&
    (!thread.locked || forum.actor.moderator)
      ? html`<details class="forum-comment-form" ${commenting ? html`open` : ''}>
          <summary>${t('forum.comment')}</summary>
          ${formAlert(t, form)}
          <form method="post" action="${forumRepliesUrl(forum.slug, thread.id)}" class="stack-form" novalidate>
            ${csrfField(forum.csrf ?? '')}
            <input type="hidden" name="parent" value="${entry.reply.id}" />
            ${textarea(t, form, { name: 'body', id, label: t('forum.field.comment'), rows: 4 })}
            ${forum.anonymousAllowed ? anonymousField(t, form, `${id}-anonymous`) : ''}
            <p><button type="submit" class="button button-secondary">${t('forum.comment.submit')}</button></p>
          </form>
        </details>`
      : ''
  }`;
}

/** A post's attached notebook snapshot: its read-only page, which opens it as a runnable copy. */
function snapshotLink(ctx: PageContext, slug: string, token: string | undefined): SafeHtml {
  if (!token) return html``;
  return html`<p class="forum-snapshot">
    <a href="${forumSnapshotUrl(slug, token)}">${ctx.t('snapshot.attached')} — ${ctx.t('snapshot.openCopy')}</a>
  </p>`;
}

/** One post: who and when, its stored HTML (or "deleted"), its votes, and the actions the reader may take. */
function post(ctx: PageContext, data: ThreadPageData, p: ShownPost, accepted = false): SafeHtml {
  const { t } = ctx;
  const { forum, thread } = data;
  const kind = p.depth === 0 ? 'opening' : p.depth === 1 ? 'reply' : 'comment';
  const actions: SafeHtml[] = [voteControl(t, forum, thread, p, data.content.voted.has(p.id))];
  const postUrl = forumPostUrl(forum.slug, thread.id, p.id);
  actions.push(endorseControl(t, forum, thread, p));
  if (!thread.deleted && p.depth === 1 && !p.deleted && canAcceptAnswer(forum.actor, thread)) {
    const undo = thread.accepted_post_id === p.id;
    actions.push(
      html`<form method="post" action="${forumAcceptUrl(forum.slug, thread.id)}" class="inline-form">
        ${csrfField(forum.csrf ?? '')}<input type="hidden" name="post" value="${p.id}" />
        ${undo ? html`<input type="hidden" name="undo" value="1" />` : ''}
        <button type="submit" class="link-button">${t(undo ? 'forum.accept.undo' : 'forum.accept')}</button>
      </form>`,
    );
  }
  if (!thread.deleted && canEditPost(forum.actor, p)) {
    actions.push(html`<a href="${postUrl}/edit">${t('forum.edit')}</a>`);
  }
  if (!thread.deleted && canDeletePost(forum.actor, p)) {
    actions.push(
      html`<form method="post" action="${postUrl}/delete" class="inline-form">
        ${csrfField(forum.csrf ?? '')}
        <button type="submit" class="link-button link-danger">
          ${t(p.depth === 0 ? 'forum.delete.thread' : 'forum.delete')}
        </button>
      </form>`,
    );
  }
  if (forum.actor?.staff && p.edited_at) {
    actions.push(html`<a href="${postUrl}/history">${t('forum.history')}</a>`);
  }
  actions.push(...postModerationActions(t, forum, thread, p));
  const shownActions = actions.filter((a) => a.value !== '');
  return html`<article
    class="forum-post forum-post-${kind}${accepted ? ' forum-post-accepted' : ''}${p.deleted ? ' forum-post-deleted' : ''}${p.hidden ? ' forum-post-hidden' : ''}"
    id="post-${p.id}"
  >
    ${p.hidden && p.depth > 0 ? hiddenMark(t) : ''}
    <p class="forum-meta">
      ${accepted ? html`${answeredMark(t)} · ` : ''} ${p.deleted ? '' : html`${authorLabel(t, p.shown)} · `}
      ${when(ctx, data.forum, p.created_at)}
      ${p.edited_at && !p.deleted ? html` · <span class="forum-edited">${t('forum.edited')}</span>` : ''}
    </p>
    ${
      p.deleted
        ? html`<p class="forum-body forum-removed">${t('forum.post.deleted')}</p>`
        : html`${endorsedMark(t, p)}
            <div class="forum-body" lang="${forum.language}">${trustedHtml(p.html)}</div>
            ${snapshotLink(ctx, forum.slug, data.content.snapshots.get(p.id))}`
    }
    ${shownActions.length > 0 ? html`<div class="forum-post-actions">${shownActions}</div>` : ''}
  </article>`;
}

export interface EditPostData {
  forum: ForumContext;
  thread: ThreadRow;
  post: PostRow;
  form: FormState;
}

/** The edit form of a post (its author's). */
export function editPostView(ctx: PageContext, data: EditPostData): string {
  const { t } = ctx;
  const { forum, thread, post: p } = data;
  const main = html`<div class="narrow">
    <h1>${t('forum.edit.title')}</h1>
    <p>
      <a href="${forumThreadUrl(forum.slug, thread.id)}#post-${p.id}" lang="${forum.language}">${thread.title}</a>
    </p>
    ${formAlert(t, data.form)}
    <form method="post" action="${forumPostUrl(forum.slug, thread.id, p.id)}/edit" class="stack-form" novalidate>
      ${csrfField(forum.csrf ?? '')}
      ${p.depth === 0 ? field(t, data.form, { name: 'title', label: t('forum.field.title'), required: true, maxlength: TITLE_MAX }) : ''}
      ${textarea(t, data.form, {
        name: 'body',
        id: 'f-body',
        label: t('forum.field.body'),
        hint: t('forum.field.body.hint', { max: BODY_MAX }),
        rows: 12,
      })}
      <p><button type="submit" class="button">${t('forum.edit.submit')}</button></p>
    </form>
  </div>`;
  return layout(ctx, {
    title: `${t('forum.edit.title')} — ${thread.title}`,
    main,
    breadcrumb: crumbs(ctx, forum, { label: thread.title, href: forumThreadUrl(forum.slug, thread.id) }).concat({
      label: t('forum.edit.title'),
    }),
    bodyClass: 'page-forum',
  });
}

export interface HistoryData {
  forum: ForumContext;
  thread: ThreadRow;
  post: PostRow;
  revisions: { id: number; body: string; title: string | null; replaced_at: string; editor_name: string | null }[];
}

/** A post's history (staff): each replaced text as written, oldest first, then the current one. */
export function historyView(ctx: PageContext, data: HistoryData): string {
  const { t } = ctx;
  const { forum, thread, post: p } = data;
  const main = html`<div class="narrow">
    <h1>${t('forum.history.title')}</h1>
    <p>
      <a href="${forumThreadUrl(forum.slug, thread.id)}#post-${p.id}" lang="${forum.language}">${thread.title}</a>
      · ${authorLabel(t, shownAuthor(forum.actor, p))}
    </p>
    <ol class="forum-history">
      ${data.revisions.map(
        (r) =>
          html`<li>
            <h2>${t('forum.history.replaced')} ${when(ctx, forum, r.replaced_at)}</h2>
            <p class="forum-meta">${t('forum.history.by', { name: authorName(t, r.editor_name) })}</p>
            ${r.title !== null ? html`<p>${t('forum.history.oldTitle')} <span lang="${forum.language}">${r.title}</span></p>` : ''}
            <pre class="forum-source" lang="${forum.language}">${r.body}</pre>
          </li>`,
      )}
      <li>
        <h2>${t('forum.history.current')}</h2>
        <pre class="forum-source" lang="${forum.language}">${p.body}</pre>
      </li>
    </ol>
  </div>`;
  return layout(ctx, {
    title: `${t('forum.history.title')} — ${thread.title}`,
    main,
    breadcrumb: crumbs(ctx, forum, { label: thread.title, href: forumThreadUrl(forum.slug, thread.id) }).concat({
      label: t('forum.history.title'),
    }),
    bodyClass: 'page-forum',
  });
}

/** The fragment an item page's panel shows: the latest threads about it, and how many there are. */
export function panelFragment(
  t: Translate,
  data: { slug: string; language: string; threads: ReaderView<ThreadSummary>[]; total: number },
): string {
  const count: MessageKey = data.total === 0 ? 'forum.panel.none' : 'forum.panel.count';
  return html`<p class="forum-panel-count">${t(count, { n: data.total })}</p>
    ${
      data.threads.length > 0
        ? html`<ul class="forum-panel-threads">
            ${data.threads.map(
              (thread) =>
                html`<li>
                  ${threadKindBadge(t, thread.kind)}
                  <a href="${forumThreadUrl(data.slug, thread.id)}" lang="${data.language}">${thread.title}</a>
                  <span class="forum-replies">${t('forum.replyCount', { n: thread.reply_count })}</span>
                  ${thread.answered ? answeredMark(t) : ''}
                </li>`,
            )}
          </ul>`
        : ''
    }`.value;
}

/** The static part of an item page's panel (cached with the page): links that work without JavaScript. */
export function itemPanel(ctx: PageContext, slug: string, route: string): SafeHtml {
  const { t } = ctx;
  return html`<section
    class="forum-panel"
    aria-labelledby="forum-panel-title"
    lang="${ctx.lang}"
    data-forum-panel="${forumPanelUrl(slug, route)}"
  >
    <h2 id="forum-panel-title">${t('forum.panel.title')}</h2>
    <div class="forum-panel-live" aria-live="polite"></div>
    <p class="forum-panel-links">
      <a href="${forumListUrl(slug, { route })}">${t('forum.panel.see')}</a>
      <a class="button button-secondary" href="${newThreadUrl(slug, { route })}">${t('forum.panel.ask')}</a>
    </p>
  </section>`;
}
