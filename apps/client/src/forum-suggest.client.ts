/**
 * The new-thread form: as the learner types a title, threads with a similar one are listed under
 * it (a fragment the server renders, never cached), in a polite live region. Without this module
 * the form is the same, without suggestions.
 */

const DELAY_MS = 350;
const MIN_LENGTH = 3;

/** Wires one form whose action is the forum (`/courses/<slug>/forum`) and that has a title field. */
function suggest(form: HTMLFormElement, input: HTMLInputElement): void {
  const endpoint = `${form.getAttribute('action') ?? ''}/similar`;
  const region = document.createElement('div');
  region.className = 'forum-similar-live';
  region.setAttribute('aria-live', 'polite');
  input.closest('.field')?.after(region);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;
  let shown = '';

  async function refresh(): Promise<void> {
    const title = input.value.trim();
    if (title === shown) return;
    inFlight?.abort();
    if ([...title].length < MIN_LENGTH) {
      shown = title;
      region.replaceChildren();
      return;
    }
    const controller = new AbortController();
    inFlight = controller;
    const response = await fetch(`${endpoint}?title=${encodeURIComponent(title)}`, {
      credentials: 'same-origin',
      headers: { Accept: 'text/html' },
      signal: controller.signal,
    });
    if (!response.ok || controller.signal.aborted) return;
    // Our own server's fragment, escaped there; parsed inert, then moved in.
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    if (controller.signal.aborted) return;
    shown = title;
    region.replaceChildren(...Array.from(doc.body.childNodes));
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => refresh().catch(() => {}), DELAY_MS);
  });
  if (input.value.trim()) refresh().catch(() => {});
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[method="post"][action$="/forum"]')) {
  const input = form.querySelector<HTMLInputElement>('input[name="title"]');
  if (input) suggest(form, input);
}
