import { translator, isLanguage, type Translate } from '../../i18n/index.ts';
import type { NotificationRow } from '../../models/notifications.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import type { MailMessage } from '../auth/mailer.ts';
import { notificationsUrl, postLinkUrl } from '../urls.ts';
import { excerpt, notificationText } from './texts.ts';

/**
 * Notification e-mails (ADR 046): plain text, and an HTML alternative built with the escaping
 * templates (thread titles and posts are learners' text: never markup). Every message carries a
 * one-click unsubscribe link and the RFC 8058 headers. Pure.
 */

/** Where a message's links point and who reads it. */
export interface MailTarget {
  to: string;
  /** The recipient's language (users.language), French when unknown. */
  language: string | null;
  /** The site's origin, without a trailing slash. */
  origin: string;
  courseTitle: string;
  /** The absolute one-click unsubscribe URL of this recipient and course. */
  unsubscribe: string;
}

/** A header value on one line: control characters (CR, LF…) become spaces. */
const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/gu, ' ').trim();

const translate = (language: string | null): Translate => translator(isLanguage(language) ? language : 'fr');

function footer(t: Translate, target: MailTarget): { text: string; html: SafeHtml } {
  const settings = `${target.origin}${notificationsUrl()}#email-preferences`;
  return {
    text: [
      '-- ',
      t('mail.footer.why', { course: target.courseTitle }),
      `${t('mail.footer.settings')}: ${settings}`,
      `${t('mail.footer.unsubscribe')}: ${target.unsubscribe}`,
    ].join('\n'),
    html: html`<hr />
      <p style="color:#4a5561;font-size:90%">
        ${t('mail.footer.why', { course: target.courseTitle })}<br />
        <a href="${settings}">${t('mail.footer.settings')}</a> ·
        <a href="${target.unsubscribe}">${t('mail.footer.unsubscribe')}</a>
      </p>`,
  };
}

function message(
  target: MailTarget,
  t: Translate,
  parts: { subject: string; text: string; body: SafeHtml },
): MailMessage {
  const end = footer(t, target);
  return {
    to: target.to,
    subject: oneLine(parts.subject),
    text: `${parts.text}\n\n${end.text}\n`,
    html: html`<!doctype html>
      <html>
        <body>
          ${parts.body} ${end.html}
        </body>
      </html>`.value,
    headers: {
      'List-Unsubscribe': `<${target.unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** The e-mail of one notification (immediate mode, or an announcement). */
export function notificationMail(row: NotificationRow, target: MailTarget): MailMessage {
  const t = translate(target.language);
  const link = `${target.origin}${postLinkUrl(row.post_id)}`;
  const line = notificationText(t, row);
  const quoted = row.kind === 'announcement' ? excerpt(row.body, 5000) : excerpt(row.body);
  const subject =
    row.kind === 'announcement'
      ? t('mail.announcement.subject', { course: target.courseTitle, title: row.thread_title })
      : t('mail.notification.subject', { course: target.courseTitle, text: line });
  return message(target, t, {
    subject,
    text: `${line}\n\n${quoted}\n\n${t('mail.open')}: ${link}`,
    body: html`<p><strong>${line}</strong></p>
      <blockquote>${quoted}</blockquote>
      <p><a href="${link}">${t('mail.open')}</a></p>`,
  });
}

/** A digest: the newest `items` of the period (at most a few), and how many there were in all. */
export function digestMail(
  items: NotificationRow[],
  total: number,
  frequency: 'daily' | 'weekly',
  target: MailTarget,
): MailMessage {
  const t = translate(target.language);
  const lines = items.map((row) => ({
    text: notificationText(t, row),
    link: `${target.origin}${postLinkUrl(row.post_id)}`,
  }));
  const more = total - items.length;
  const all = `${target.origin}${notificationsUrl()}`;
  const intro = t(frequency === 'daily' ? 'mail.digest.intro.daily' : 'mail.digest.intro.weekly', {
    course: target.courseTitle,
  });
  return message(target, t, {
    subject: t(frequency === 'daily' ? 'mail.digest.subject.daily' : 'mail.digest.subject.weekly', {
      course: target.courseTitle,
      n: total,
    }),
    text: [
      intro,
      '',
      ...lines.map((l) => `- ${l.text}\n  ${l.link}`),
      ...(more > 0 ? ['', `${t('mail.digest.more', { n: more })} ${all}`] : []),
    ].join('\n'),
    body: html`<p>${intro}</p>
      <ul>
        ${lines.map((l) => html`<li><a href="${l.link}">${l.text}</a></li>`)}
      </ul>
      ${more > 0 ? html`<p><a href="${all}">${t('mail.digest.more', { n: more })}</a></p>` : ''}`,
  });
}
