/**
 * The header's unread notifications count (ADR 046). Pages are cached and shared, so the count
 * comes from a small uncached endpoint of the reader's own; without this module, or if the fetch
 * fails, the header's link to the notifications page stays as it is.
 */

async function fillUnreadCount(link: HTMLAnchorElement): Promise<void> {
  const url = link.dataset['unreadUrl'];
  const badge = link.querySelector<HTMLElement>('.notifications-count');
  if (!url || !badge) return;
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) return;
  const { unread, cap } = (await response.json()) as { unread: number; cap: number };
  if (typeof unread !== 'number' || unread <= 0) return;
  const shown = unread >= cap ? `${cap - 1}+` : String(unread);
  badge.textContent = shown;
  badge.hidden = false;
  const label = link.dataset['unreadLabel'];
  if (label) link.setAttribute('aria-label', label.replace('{n}', shown));
}

for (const link of document.querySelectorAll<HTMLAnchorElement>('a.notifications-link[data-unread-url]')) {
  fillUnreadCount(link).catch(() => {});
}
