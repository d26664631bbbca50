/**
 * An activity's following page (ADR 051): the table of pupils is fetched again every 1.5 s from
 * its uncached endpoint and replaced when it changed, so the teacher sees saves and hand-ins
 * without reloading. Paused while the tab is hidden. Without JavaScript the page still works.
 */

const INTERVAL_MS = 1500;

function start(): void {
  const live = document.getElementById('following-live');
  const box = document.getElementById('following-box');
  const url = live?.dataset['url'];
  if (!live || !box || !url) return;
  let last = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async (): Promise<void> => {
    try {
      const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
      if (response.ok) {
        const body = (await response.json()) as { html: string };
        if (body.html !== last) {
          last = body.html;
          // Keep the reader's horizontal scroll position on a phone.
          const scroll = box.scrollLeft;
          box.innerHTML = body.html;
          box.scrollLeft = scroll;
        }
        box.dataset['updated'] = String(Date.now());
      }
    } catch {
      // Offline for a moment: the next tick tries again.
    }
    schedule();
  };
  const schedule = (): void => {
    clearTimeout(timer);
    if (document.visibilityState === 'visible') timer = setTimeout(() => void tick(), INTERVAL_MS);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void tick();
  });
  schedule();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
