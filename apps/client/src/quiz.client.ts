/**
 * Quiz pages: submits a problem's form with fetch and updates the problem in place (status line,
 * results, actions), without reloading. Without this module the form posts and the server
 * redirects back to the problem (ADR 026): same server, same parts.
 */

/** The server's JSON answer to a submission (pages/item/quiz.view.ts `problemUpdate`). */
interface ProblemUpdate {
  problem: string;
  /** Sanitised HTML, rendered by the server for this learner. */
  status: string;
  actions: string;
  results: Record<string, string>;
  locked: boolean;
}

function isProblemUpdate(value: unknown): value is ProblemUpdate {
  const v = value as Partial<ProblemUpdate> | null;
  return !!v && typeof v.problem === 'string' && typeof v.status === 'string' && typeof v.results === 'object';
}

function apply(form: HTMLFormElement, update: ProblemUpdate): void {
  const id = update.problem;
  const status = document.getElementById(`${id}-status`);
  // The status line is a live region: changing its content (not the element) gets it announced.
  if (status) status.innerHTML = update.status;
  const actions = document.getElementById(`${id}-actions`);
  if (actions) actions.innerHTML = update.actions;
  for (const [qid, html] of Object.entries(update.results)) {
    document.getElementById(`${qid}-result`)?.replaceWith(fragment(html));
    const fieldset = document.getElementById(qid);
    for (const input of fieldset?.querySelectorAll<HTMLInputElement>('input[type="text"]') ?? []) {
      const error = document.getElementById(`${qid}-error`);
      if (error) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', error.id);
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
  }
  if (update.locked) {
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      'input:not([type="hidden"]), select',
    )) {
      control.disabled = true;
    }
  }
}

function fragment(html: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = html;
  return template.content;
}

async function submit(form: HTMLFormElement): Promise<void> {
  const body = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (typeof value === 'string') body.append(name, value);
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action || location.pathname, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body,
      credentials: 'same-origin',
    });
    const json: unknown = (response.headers.get('content-type') ?? '').includes('application/json')
      ? await response.json()
      : null;
    if (!isProblemUpdate(json)) {
      // Not an answer this module understands (session expired, error page): let the browser post.
      form.submit();
      return;
    }
    apply(form, json);
  } catch {
    const status = document.getElementById(`${form.dataset['problem'] ?? ''}-status`);
    const message = form.querySelector<HTMLElement>('.quiz-footer')?.dataset['network'];
    if (status && message) status.textContent = message;
    if (button) button.disabled = false;
  }
}

for (const form of document.querySelectorAll<HTMLFormElement>('form.quiz-form')) {
  form.addEventListener('submit', (event) => {
    // Anonymous readers have no submit button: nothing to enhance.
    if (!form.querySelector('input[name="_csrf"]')) return;
    event.preventDefault();
    void submit(form);
  });
}
