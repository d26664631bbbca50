import type { NotificationEmailMode } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { EMAIL_MODES, notificationText } from '../../lib/notifications/texts.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import {
  dashboardUrl,
  notificationPreferencesUrl,
  notificationReadUrl,
  notificationsReadAllUrl,
  notificationsUrl,
  postLinkUrl,
} from '../../lib/urls.ts';
import type { NotificationRow } from '../../models/notifications.ts';
import { csrfField, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface NotificationsPageData {
  notifications: NotificationRow[];
  page: number;
  hasMore: boolean;
  unread: number;
  courses: { id: number; title: string; email: NotificationEmailMode }[];
  csrf: string;
  zone: string;
  notice?: string | undefined;
}

const MODE_KEYS: Record<NotificationEmailMode, MessageKey> = {
  immediate: 'notifications.mode.immediate',
  daily: 'notifications.mode.daily',
  weekly: 'notifications.mode.weekly',
  none: 'notifications.mode.none',
};

/** /me/notifications: the list (newest first, 30 a page), read marks, e-mail choices per course. */
export function notificationsView(ctx: PageContext, data: NotificationsPageData): string {
  const { t } = ctx;
  const pageField = data.page > 1 ? html`<input type="hidden" name="page" value="${data.page}" />` : '';
  const main = html`<h1>${t('notifications.title')}</h1>
    ${notice(data.notice)}
    <section aria-labelledby="notifications-list-title">
      <h2 id="notifications-list-title">
        ${data.unread === 0 ? t('notifications.unread.none') : t('notifications.unread.count', { n: data.unread })}
      </h2>
      ${
        data.unread > 0
          ? html`<form method="post" action="${notificationsReadAllUrl()}" class="inline-form">
              ${csrfField(data.csrf)} ${pageField}
              <button type="submit" class="button">${t('notifications.readAll')}</button>
            </form>`
          : ''
      }
      ${
        data.notifications.length === 0
          ? html`<p class="empty">${t('notifications.empty')}</p>`
          : html`<ol class="notification-list">
              ${data.notifications.map((n) => item(ctx, data, n, pageField))}
            </ol>`
      }
      ${pager(ctx, data)}
    </section>
    ${preferences(ctx, data)}`;
  return layout(ctx, {
    title: t('notifications.title'),
    main,
    breadcrumb: [{ label: t('dashboard.title'), href: dashboardUrl() }, { label: t('notifications.title') }],
    bodyClass: 'page-notifications',
  });
}

function item(
  ctx: PageContext,
  data: NotificationsPageData,
  n: NotificationRow,
  pageField: SafeHtml | string,
): SafeHtml {
  const { t } = ctx;
  const unread = n.read_at === null;
  return html`<li class="notification${unread ? ' notification-unread' : ''}" id="notification-${n.id}">
    <p>
      ${unread ? html`<span class="notification-badge">${t('notifications.unreadMark')}</span> ` : ''}<a
        href="${postLinkUrl(n.post_id)}"
        >${notificationText(t, n)}</a
      >
    </p>
    <p class="notification-meta">
      ${n.course_title} · <time datetime="${n.created_at}">${formatDate(n.created_at, ctx.lang, data.zone, true)}</time>
    </p>
    ${
      unread
        ? html`<form method="post" action="${notificationReadUrl(n.id)}" class="inline-form">
            ${csrfField(data.csrf)} ${pageField}
            <button type="submit" class="link-button">
              ${t('notifications.markRead')}<span class="visually-hidden"> : ${notificationText(t, n)}</span>
            </button>
          </form>`
        : ''
    }
  </li>`;
}

function pager(ctx: PageContext, data: NotificationsPageData): SafeHtml | string {
  const { t } = ctx;
  if (data.page === 1 && !data.hasMore) return '';
  const urlOf = (page: number) => (page === 1 ? notificationsUrl() : `${notificationsUrl()}?page=${page}`);
  return html`<nav class="forum-pager" aria-label="${t('forum.pages')}">
    ${data.page > 1 ? html`<a rel="prev" href="${urlOf(data.page - 1)}">${t('forum.page.previous')}</a>` : ''}
    <span>${t('forum.page.n', { n: data.page })}</span>
    ${data.hasMore ? html`<a rel="next" href="${urlOf(data.page + 1)}">${t('forum.page.next')}</a>` : ''}
  </nav>`;
}

function preferences(ctx: PageContext, data: NotificationsPageData): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="email-preferences">
    <h2 id="email-preferences">${t('notifications.email.title')}</h2>
    <p>${t('notifications.email.intro')}</p>
    ${
      data.courses.length === 0
        ? html`<p class="empty">${t('notifications.email.noCourse')}</p>`
        : html`<form method="post" action="${notificationPreferencesUrl()}" class="stack-form">
            ${csrfField(data.csrf)}
            ${data.courses.map(
              (c) =>
                html`<div class="field">
                  <label for="email-course-${c.id}">${c.title}</label>
                  <select id="email-course-${c.id}" name="course-${c.id}">
                    ${EMAIL_MODES.map(
                      (mode) =>
                        html`<option value="${mode}" ${mode === c.email ? html`selected` : ''}>
                          ${t(MODE_KEYS[mode])}
                        </option>`,
                    )}
                  </select>
                </div>`,
            )}
            <p><button type="submit" class="button">${t('notifications.email.save')}</button></p>
          </form>`
    }
  </section>`;
}

/** The unsubscribe link's page: a confirmation form, then what was done. */
export function unsubscribeView(
  ctx: PageContext,
  data: { courseTitle: string; done: boolean; action: string },
): string {
  const { t } = ctx;
  const main = data.done
    ? html`<h1>${t('notifications.unsubscribe.doneTitle')}</h1>
        <div class="form-notice" role="status">
          <p>${t('notifications.unsubscribe.done', { course: data.courseTitle })}</p>
        </div>
        <p><a href="${notificationsUrl()}#email-preferences">${t('notifications.unsubscribe.change')}</a></p>`
    : html`<h1>${t('notifications.unsubscribe.title')}</h1>
        <p>${t('notifications.unsubscribe.confirm', { course: data.courseTitle })}</p>
        <form method="post" action="${data.action}" class="stack-form">
          <input type="hidden" name="List-Unsubscribe" value="One-Click" />
          <p><button type="submit" class="button">${t('notifications.unsubscribe.submit')}</button></p>
        </form>`;
  return layout(ctx, { title: t('notifications.unsubscribe.title'), main });
}
