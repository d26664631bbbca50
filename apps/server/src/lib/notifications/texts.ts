import type { NotificationEmailMode, NotificationKind } from '../../db/schema.ts';
import type { MessageKey, Translate } from '../../i18n/index.ts';
import type { NotificationRow } from '../../models/notifications.ts';
import { readerView } from '../forum/rules.ts';

/** What a notification says, in the list and in e-mails (ADR 046). Pure. */

const KIND_KEYS: Record<NotificationKind, MessageKey> = {
  reply: 'notifications.kind.reply',
  comment: 'notifications.kind.comment',
  answer: 'notifications.kind.answer',
  accepted: 'notifications.kind.accepted',
  questionAccepted: 'notifications.kind.questionAccepted',
  endorsed: 'notifications.kind.endorsed',
  announcement: 'notifications.kind.announcement',
};

export const EMAIL_MODES: readonly NotificationEmailMode[] = ['immediate', 'daily', 'weekly', 'none'];

export const isEmailMode = (value: string): value is NotificationEmailMode =>
  (EMAIL_MODES as readonly string[]).includes(value);

/**
 * Who did it, as the recipient may see it: a notification is read like a forum page, through
 * `readerView`, as a learner would (staff too: a notification never names an anonymous author).
 */
export function notificationAuthor(t: Translate, row: NotificationRow): string {
  const seen = readerView({ userId: row.user_id, staff: false, moderator: false }, row);
  if (seen.shown.kind === 'anonymous') return t('forum.anonymous');
  return seen.author_name ?? t('forum.deletedUser');
}

/** The notification as one line of plain text (escape it where it goes into HTML). */
export function notificationText(t: Translate, row: NotificationRow): string {
  return t(KIND_KEYS[row.kind], { who: notificationAuthor(t, row), title: row.thread_title });
}

/** The start of a post's text for an e-mail, on one paragraph, at most `max` characters. */
export function excerpt(body: string, max = 300): string {
  const flat = body.replace(/\s+/gu, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
