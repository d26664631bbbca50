/**
 * Item pages: fills the cached page's "Discussions" section with the latest threads about the page
 * (a fragment the server renders per request, never cached). Without this module the section's
 * links are enough; if the fetch fails, they stay alone.
 */

async function fillPanel(section: HTMLElement): Promise<void> {
  const url = section.dataset['forumPanel'];
  const target = section.querySelector<HTMLElement>('.forum-panel-live');
  if (!url || !target) return;
  const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
  if (!response.ok) return;
  // Our own server's fragment, escaped and sanitised there; parsed inert, then moved in.
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
  target.replaceChildren(...Array.from(doc.body.childNodes));
}

for (const section of document.querySelectorAll<HTMLElement>('section.forum-panel[data-forum-panel]')) {
  fillPanel(section).catch(() => {});
}
