import type { ForumReportReason } from '../../db/schema.ts';
import type { Translate } from '../../i18n/index.ts';
import { MODERATOR_MUTE_DAYS, REPORT_NOTE_MAX, REPORT_REASONS, STAFF_MUTE_DAYS } from '../../lib/forum/moderation.ts';
import { readerView, TITLE_MAX, type ForumActor } from '../../lib/forum/rules.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { forumModerationUrl, forumPostUrl, forumThreadUrl } from '../../lib/urls.ts';
import type { QueueEntry } from '../../models/forum-moderation.ts';
import type { PostRow, ThreadRow, TopicWithCount } from '../../models/forum.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html, trustedHtml, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { crumbs, topicLabel, type ForumContext } from './forum.view.ts';
import { authorLabel } from './social.view.ts';

/** The forum's moderation pages and controls (issue 13, ADR 045). */

/** What the thread page says of a hidden post, to the moderators who still see it. */
export function hiddenMark(t: Translate): SafeHtml {
  return html`<p class="forum-hidden-mark">${t('mod.hiddenMark')}</p>`;
}

/** The notice a locked thread shows instead of its reply form (and beside it, to moderators). */
export function lockedNotice(t: Translate): SafeHtml {
  return html`<p class="forum-locked-notice"><span aria-hidden="true">🔒 </span>${t('mod.lockedNotice')}</p>`;
}

export function pinnedMark(t: Translate): SafeHtml {
  return html`<span class="forum-pinned-mark"><span aria-hidden="true">📌 </span>${t('mod.pinnedMark')}</span>`;
}

/** A button that posts one moderation action. */
function actionButton(
  forum: ForumContext,
  action: string,
  label: string,
  extra: Record<string, string> = {},
): SafeHtml {
  return html`<form method="post" action="${action}" class="inline-form">
    ${csrfField(forum.csrf ?? '')}
    ${Object.entries(extra).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
    <button type="submit" class="link-button">${label}</button>
  </form>`;
}

/**
 * A post's moderation actions: "report" for another signed-in reader; hide or show again, split
 * (a reply) and mute its author for moderators.
 */
export function postModerationActions(
  t: Translate,
  forum: ForumContext,
  thread: ThreadRow,
  post: { id: number; depth: number; deleted: number; hidden: number; author_id: number | null },
): SafeHtml[] {
  const actor = forum.actor;
  if (!actor || post.deleted || thread.deleted) return [];
  const url = forumPostUrl(forum.slug, thread.id, post.id);
  const own = post.author_id !== null && post.author_id === actor.userId;
  const actions: SafeHtml[] = [];
  if (!own && !post.hidden) actions.push(html`<a href="${url}/report">${t('mod.report')}</a>`);
  if (!actor.moderator) return actions;
  actions.push(
    actionButton(
      forum,
      `${url}/hide`,
      t(post.hidden ? 'mod.unhide' : post.depth === 0 ? 'mod.hideThread' : 'mod.hide'),
      {
        ...(post.hidden ? { undo: '1' } : {}),
      },
    ),
  );
  if (post.depth === 1) actions.push(html`<a href="${url}/split">${t('mod.split')}</a>`);
  if (!own) actions.push(html`<a href="${url}/mute">${t('mod.mute')}</a>`);
  return actions;
}

/** The thread's moderation tools: lock, pin, move (moderators). */
export function threadModerationTools(t: Translate, forum: ForumContext, thread: ThreadRow): SafeHtml {
  if (!forum.actor?.moderator || thread.deleted) return html``;
  const url = forumThreadUrl(forum.slug, thread.id);
  return html`<div class="forum-mod-tools" role="group" aria-label="${t('mod.tools')}">
    <span class="forum-mod-label">${t('mod.tools')} :</span>
    ${actionButton(forum, `${url}/lock`, t(thread.locked ? 'mod.unlock' : 'mod.lock'), thread.locked ? { undo: '1' } : {})}
    ${actionButton(forum, `${url}/pin`, t(thread.pinned ? 'mod.unpin' : 'mod.pin'), thread.pinned ? { undo: '1' } : {})}
    <a href="${url}/move">${t('mod.move')}</a>
    <a href="${forumModerationUrl(forum.slug)}">${t('mod.queue.title')}</a>
  </div>`;
}

/** The post a moderation form is about, as the reader may see it. */
function quoted(t: Translate, forum: ForumContext, post: PostRow): SafeHtml {
  return html`<figure class="forum-quoted">
    <figcaption>${authorLabel(t, readerView(forum.actor, post).shown)}</figcaption>
    <div class="forum-body" lang="${forum.language}">${trustedHtml(post.html)}</div>
  </figure>`;
}

function page(ctx: PageContext, forum: ForumContext, title: string, main: SafeHtml, thread?: ThreadRow): string {
  const trail = thread
    ? [{ label: thread.title, href: forumThreadUrl(forum.slug, thread.id) }, { label: title }]
    : [{ label: title }];
  const [first, ...rest] = trail;
  return layout(ctx, {
    title: `${title} — ${ctx.t('forum.title')} — ${forum.courseTitle}`,
    main,
    breadcrumb: [...crumbs(ctx, forum, first), ...rest],
    bodyClass: 'page-forum page-forum-moderation',
  });
}

export interface ReportData {
  forum: ForumContext;
  thread: ThreadRow;
  post: PostRow;
  form: FormState;
  done: boolean;
}

/** "Report this post": a reason and an optional note; then thanks. */
export function reportView(ctx: PageContext, data: ReportData): string {
  const { t } = ctx;
  const { forum, thread, post, form } = data;
  const back = `${forumThreadUrl(forum.slug, thread.id)}#post-${post.id}`;
  const chosen = form.values['reason'] ?? '';
  const main = data.done
    ? html`<h1>${t('mod.report.title')}</h1>
        ${notice(t('mod.report.done'))}
        <p><a href="${back}">${t('mod.backToThread')}</a></p>`
    : html`<h1>${t('mod.report.title')}</h1>
        ${quoted(t, forum, post)} ${formAlert(t, form)}
        <form
          method="post"
          action="${forumPostUrl(forum.slug, thread.id, post.id)}/report"
          class="stack-form"
          novalidate
        >
          ${csrfField(forum.csrf ?? '')}
          <fieldset class="field${form.errors['reason'] ? ' field-error' : ''}">
            <legend>${t('mod.report.reason')}</legend>
            ${form.errors['reason'] ? html`<p class="error-message">${t(form.errors['reason'])}</p>` : ''}
            ${REPORT_REASONS.map(
              (reason) =>
                html`<div class="field-check">
                  <input
                    type="radio"
                    id="f-reason-${reason}"
                    name="reason"
                    value="${reason}"
                    ${chosen === reason ? html`checked` : ''}
                  />
                  <label for="f-reason-${reason}">${t(`mod.reason.${reason}`)}</label>
                </div>`,
            )}
          </fieldset>
          <div class="field">
            <label for="f-note">${t('mod.report.note')}</label>
            <textarea id="f-note" name="note" rows="3" maxlength="${REPORT_NOTE_MAX}">
${form.values['note'] ?? ''}</textarea>
          </div>
          <p>
            <button type="submit" class="button">${t('mod.report.submit')}</button>
            <a href="${back}">${t('mod.backToThread')}</a>
          </p>
        </form>`;
  return page(ctx, forum, t('mod.report.title'), main, thread);
}

export interface SplitData {
  forum: ForumContext;
  thread: ThreadRow;
  post: PostRow;
  form: FormState;
}

/** "Split into a new thread": the new thread's title. */
export function splitView(ctx: PageContext, data: SplitData): string {
  const { t } = ctx;
  const { forum, thread, post, form } = data;
  const main = html`<h1>${t('mod.split')}</h1>
    <p>${t('mod.split.hint')}</p>
    ${quoted(t, forum, post)} ${formAlert(t, form)}
    <form method="post" action="${forumPostUrl(forum.slug, thread.id, post.id)}/split" class="stack-form" novalidate>
      ${csrfField(forum.csrf ?? '')}
      ${field(t, form, { name: 'title', label: t('mod.split.title'), required: true, maxlength: TITLE_MAX })}
      <p><button type="submit" class="button">${t('mod.split.submit')}</button></p>
    </form>`;
  return page(ctx, forum, t('mod.split'), main, thread);
}

export interface MuteData {
  forum: ForumContext;
  thread: ThreadRow;
  post: PostRow;
  form: FormState;
}

/** "Mute this post's author": for how many days, and why. */
export function muteView(ctx: PageContext, data: MuteData): string {
  const { t } = ctx;
  const { forum, thread, post, form } = data;
  const max = forum.actor?.staff ? STAFF_MUTE_DAYS : MODERATOR_MUTE_DAYS;
  const main = html`<h1>${t('mod.mute')}</h1>
    <p>${t('mod.mute.hint', { max })}</p>
    ${quoted(t, forum, post)} ${formAlert(t, form)}
    <form method="post" action="${forumPostUrl(forum.slug, thread.id, post.id)}/mute" class="stack-form" novalidate>
      ${csrfField(forum.csrf ?? '')}
      ${field(t, { ...form, values: { days: '1', ...form.values } }, { name: 'days', label: t('mod.mute.days'), required: true, inputmode: 'numeric' })}
      ${field(t, form, { name: 'reason', label: t('mod.mute.reason'), maxlength: REPORT_NOTE_MAX })}
      <p><button type="submit" class="button">${t('mod.mute.submit')}</button></p>
    </form>`;
  return page(ctx, forum, t('mod.mute'), main, thread);
}

export interface MoveData {
  forum: ForumContext;
  thread: ThreadRow;
  topics: TopicWithCount[];
}

/** "Move to another topic". */
export function moveView(ctx: PageContext, data: MoveData): string {
  const { t } = ctx;
  const { forum, thread, topics } = data;
  const main = html`<h1>${t('mod.move')}</h1>
    <form method="post" action="${forumThreadUrl(forum.slug, thread.id)}/move" class="stack-form">
      ${csrfField(forum.csrf ?? '')}
      <div class="field">
        <label for="f-topic">${t('forum.field.topic')}</label>
        <select id="f-topic" name="topic">
          ${topics.map(
            (topic) =>
              html`<option value="${topic.key}" ${topic.id === thread.topic_id ? html`selected` : ''}>
                ${topicLabel(t, topic)}
              </option>`,
          )}
        </select>
      </div>
      <p><button type="submit" class="button">${t('mod.move.submit')}</button></p>
    </form>`;
  return page(ctx, forum, t('mod.move'), main, thread);
}

export interface QueueData {
  forum: ForumContext;
  queue: QueueEntry[];
  hidden: { post_id: number; thread_id: number; thread_title: string; depth: number; created_at: string }[];
  /** Staff only: the course's moderators and mutes, and the form to add a moderator. */
  staff: {
    moderators: { user_id: number; display_name: string; email: string }[];
    mutes: { user_id: number; display_name: string; email: string; until: string; reason: string }[];
    /** The course's topics that are not weeks (`general` and staff's). */
    topics: TopicWithCount[];
    form: FormState;
    topicForm: FormState;
  } | null;
  notice: string | null;
}

/** The moderation queue: reported posts with their reasons and actions, hidden posts, and for staff moderators and mutes. */
export function queueView(ctx: PageContext, data: QueueData): string {
  const { t } = ctx;
  const { forum } = data;
  const url = forumModerationUrl(forum.slug);
  const entry = (e: QueueEntry): SafeHtml => {
    const postUrl = forumPostUrl(forum.slug, e.thread_id, e.post_id);
    const shown = readerView(forum.actor, e);
    return html`<li class="forum-queue-entry">
      <p class="forum-meta">
        <a href="${forumThreadUrl(forum.slug, e.thread_id)}#post-${e.post_id}" lang="${forum.language}"
          >${e.thread_title}</a
        >
        · ${authorLabel(t, shown.shown)} · ${t('mod.queue.reports', { count: e.reports.length })}
        ${e.hidden ? html` · <strong>${t('mod.queue.alreadyHidden')}</strong>` : ''}
      </p>
      <div class="forum-body" lang="${forum.language}">${trustedHtml(e.html)}</div>
      <ul class="forum-queue-reasons">
        ${e.reports.map(
          (r) =>
            html`<li>
              <strong>${t(`mod.reason.${r.reason as ForumReportReason}`)}</strong>${r.note ? html` — ${r.note}` : ''}
              (<time datetime="${r.created_at}">${formatDate(r.created_at, ctx.lang, forum.zone, true)}</time>)
            </li>`,
        )}
      </ul>
      <div class="forum-post-actions">
        ${e.hidden || e.deleted ? '' : actionButton(forum, `${postUrl}/hide`, t(e.depth === 0 ? 'mod.hideThread' : 'mod.hide'), { from: 'queue' })}
        ${actionButton(forum, `${postUrl}/dismiss`, t('mod.queue.dismiss'))}
        ${e.deleted ? '' : html`<a href="${postUrl}/mute">${t('mod.mute')}</a>`}
      </div>
    </li>`;
  };
  const staff = data.staff;
  const main = html`<h1>${t('mod.queue.title')}</h1>
    ${notice(data.notice)}
    <section aria-labelledby="queue-reported">
      <h2 id="queue-reported">${t('mod.queue.heading')}</h2>
      ${
        data.queue.length === 0
          ? html`<p class="forum-empty">${t('mod.queue.empty')}</p>`
          : html`<ol class="forum-queue">
              ${data.queue.map(entry)}
            </ol>`
      }
    </section>
    <section aria-labelledby="queue-hidden">
      <h2 id="queue-hidden">${t('mod.queue.hiddenHeading')}</h2>
      ${
        data.hidden.length === 0
          ? html`<p class="forum-empty">${t('mod.queue.noHidden')}</p>`
          : html`<ul>
              ${data.hidden.map(
                (h) =>
                  html`<li>
                    <a href="${forumThreadUrl(forum.slug, h.thread_id)}#post-${h.post_id}" lang="${forum.language}"
                      >${h.thread_title}</a
                    >
                    — ${t(h.depth === 0 ? 'mod.queue.hiddenThread' : 'mod.queue.hiddenPost')}
                    ${actionButton(forum, `${forumPostUrl(forum.slug, h.thread_id, h.post_id)}/hide`, t('mod.unhide'), { undo: '1', from: 'queue' })}
                  </li>`,
              )}
            </ul>`
      }
    </section>
    ${
      staff
        ? html`<section aria-labelledby="queue-moderators">
              <h2 id="queue-moderators">${t('mod.moderators.heading')}</h2>
              <p>${t('mod.moderators.hint')}</p>
              ${
                staff.moderators.length === 0
                  ? html`<p class="forum-empty">${t('mod.moderators.empty')}</p>`
                  : html`<ul>
                      ${staff.moderators.map(
                        (m) =>
                          html`<li>
                            ${m.display_name} (${m.email})
                            ${actionButton(forum, `${url}/moderators/remove`, t('mod.moderators.remove'), { user: String(m.user_id) })}
                          </li>`,
                      )}
                    </ul>`
              }
              ${formAlert(t, staff.form)}
              <form method="post" action="${url}/moderators" class="stack-form" novalidate>
                ${csrfField(forum.csrf ?? '')}
                ${field(t, staff.form, { name: 'email', type: 'email', label: t('mod.moderators.add'), required: true, autocomplete: 'off' })}
                <p><button type="submit" class="button button-secondary">${t('mod.moderators.addSubmit')}</button></p>
              </form>
            </section>
            <section aria-labelledby="queue-topics">
              <h2 id="queue-topics">${t('mod.topics.heading')}</h2>
              <p>${t('mod.topics.hint')}</p>
              <ul>
                ${staff.topics.map((topic) => html`<li>${topicLabel(t, topic)} — ${t('forum.threadCount', { n: topic.thread_count })}</li>`)}
              </ul>
              ${formAlert(t, staff.topicForm)}
              <form method="post" action="${url}/topics" class="stack-form" novalidate>
                ${csrfField(forum.csrf ?? '')}
                ${field(t, staff.topicForm, { name: 'title', label: t('mod.topics.add'), required: true, maxlength: TITLE_MAX })}
                <p><button type="submit" class="button button-secondary">${t('mod.topics.addSubmit')}</button></p>
              </form>
            </section>
            <section aria-labelledby="queue-mutes">
              <h2 id="queue-mutes">${t('mod.mutes.heading')}</h2>
              ${
                staff.mutes.length === 0
                  ? html`<p class="forum-empty">${t('mod.mutes.empty')}</p>`
                  : html`<ul>
                      ${staff.mutes.map(
                        (m) =>
                          html`<li>
                            ${m.display_name} (${m.email}) —
                            ${t('mod.mutes.until', { date: formatDate(m.until, ctx.lang, forum.zone, true) })}
                            ${m.reason ? html` — ${m.reason}` : ''}
                            ${actionButton(forum, `${url}/mutes/lift`, t('mod.mutes.lift'), { user: String(m.user_id) })}
                          </li>`,
                      )}
                    </ul>`
              }
            </section>
            <p><a href="${url}/log">${t('mod.audit.heading')}</a></p>`
        : ''
    }`;
  return page(ctx, forum, t('mod.queue.title'), main);
}

export interface AuditData {
  forum: ForumContext;
  rows: {
    id: number;
    action: string;
    thread_id: number | null;
    post_id: number | null;
    details: string;
    created_at: string;
    actor_name: string | null;
    target_name: string | null;
  }[];
  next: number | null;
}

const AUDIT_ACTIONS = new Set([
  'hide',
  'unhide',
  'delete',
  'dismiss',
  'lock',
  'unlock',
  'pin',
  'unpin',
  'move',
  'split',
  'mute',
  'unmute',
  'moderatorAdd',
  'moderatorRemove',
  'topicAdd',
]);

/** The audit log (staff): who did what, to which thread, post or learner, when. */
export function auditView(ctx: PageContext, data: AuditData): string {
  const { t } = ctx;
  const { forum } = data;
  const label = (action: string): string =>
    AUDIT_ACTIONS.has(action) ? t(`mod.audit.action.${action}` as Parameters<Translate>[0]) : action;
  const detail = (raw: string): string => {
    try {
      const d = JSON.parse(raw) as Record<string, unknown>;
      return Object.entries(d)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ');
    } catch {
      return '';
    }
  };
  const main = html`<h1>${t('mod.audit.heading')}</h1>
    ${
      data.rows.length === 0
        ? html`<p class="forum-empty">${t('mod.audit.empty')}</p>`
        : html`<div class="table-scroll" tabindex="0">
            <table class="runs-table">
              <caption>
                ${t('mod.audit.caption')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t('mod.audit.when')}</th>
                  <th scope="col">${t('mod.audit.who')}</th>
                  <th scope="col">${t('mod.audit.what')}</th>
                  <th scope="col">${t('mod.audit.target')}</th>
                  <th scope="col">${t('mod.audit.where')}</th>
                </tr>
              </thead>
              <tbody>
                ${data.rows.map(
                  (r) =>
                    html`<tr>
                      <td>
                        <time datetime="${r.created_at}">${formatDate(r.created_at, ctx.lang, forum.zone, true)}</time>
                      </td>
                      <td>${r.actor_name ?? t('forum.deletedUser')}</td>
                      <td>${label(r.action)} <span class="hint">${detail(r.details)}</span></td>
                      <td>${r.target_name ?? ''}</td>
                      <td>
                        ${
                          r.thread_id !== null
                            ? html`<a
                                href="${forumThreadUrl(forum.slug, r.thread_id)}${r.post_id !== null ? `#post-${r.post_id}` : ''}"
                                >${t('mod.audit.thread', { id: r.thread_id })}</a
                              >`
                            : ''
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${data.next !== null ? html`<p><a href="${forumModerationUrl(forum.slug)}/log?before=${data.next}">${t('mod.audit.more')}</a></p>` : ''}`;
  return page(ctx, forum, t('mod.audit.heading'), main);
}

/** Whether a reader is one of the course's moderators (for the link in the forum's header). */
export const moderates = (actor: ForumActor | null): boolean => actor?.moderator === true;
