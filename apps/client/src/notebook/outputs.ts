import DOMPurify from 'dompurify';
import type { MimeBundle, OutputMessage } from '@carnet/runtime';
import type { UiStrings } from './strings.ts';

/** Beyond this, a stream shows its beginning and a "show more" button. */
const MAX_SHOWN_CHARS = 20_000;
const MAX_SHOWN_LINES = 500;

/**
 * HTML from a cell (`_repr_html_`, `display(HTML(…))`, Markdown) is sanitised before it enters the
 * page: no script, no event handler, no form, no frame. The page's CSP (no inline script) is the
 * second wall.
 */
function sanitize(html: string): DocumentFragment {
  return DOMPurify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: [
      'style',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'iframe',
      'object',
      'embed',
      'link',
      'meta',
      'base',
    ],
    FORBID_ATTR: ['id', 'name', 'formaction', 'srcset'],
    ALLOWED_URI_REGEXP: /^(?:https?:|data:image\/(?:png|jpeg|gif|webp);|#|[^:]*$)/i,
  });
}

// Links from outputs open elsewhere and never hand our window to the target.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Terminal colour codes are not for a web page. */
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

interface StreamBlock {
  name: 'stdout' | 'stderr';
  pre: HTMLPreElement;
  shownChars: number;
  shownLines: number;
  hidden: string;
  more: HTMLButtonElement | null;
}

/**
 * A cell's output area: streams merged as they arrive, displays, results and errors, with
 * Jupyter's `clear_output(wait=True)`, and an inline field for `input()`.
 */
export class OutputArea {
  private last: StreamBlock | null = null;
  private clearPending = false;

  constructor(
    readonly element: HTMLElement,
    private readonly strings: UiStrings,
  ) {}

  /** Empties the area (a new run). */
  clear(): void {
    this.element.replaceChildren();
    this.last = null;
    this.clearPending = false;
  }

  /** Shows one output message from the worker. */
  add(message: OutputMessage): void {
    if (message.type === 'clear') {
      if (message.wait) this.clearPending = true;
      else this.clear();
      return;
    }
    if (this.clearPending) this.clear();
    switch (message.type) {
      case 'stream':
        this.stream(message.name, stripAnsi(message.text));
        return;
      case 'error': {
        this.last = null;
        const pre = document.createElement('pre');
        pre.className = 'nb-output nb-error';
        pre.textContent = stripAnsi(message.traceback);
        this.element.append(pre);
        return;
      }
      case 'display':
      case 'result':
        this.last = null;
        this.element.append(this.bundle(message.data));
        return;
    }
  }

  /** Appends a line to stdout (the echo of an `input()` answer, as Jupyter shows it). */
  echo(text: string): void {
    this.stream('stdout', text);
  }

  private stream(name: 'stdout' | 'stderr', text: string): void {
    let block = this.last;
    if (!block || block.name !== name) {
      const pre = document.createElement('pre');
      pre.className = `nb-output nb-stream nb-${name}`;
      this.element.append(pre);
      block = { name, pre, shownChars: 0, shownLines: 0, hidden: '', more: null };
      this.last = block;
    }
    if (block.hidden) {
      block.hidden += text;
      this.updateMore(block);
      return;
    }
    // Carriage returns rewrite the current line (progress bars).
    if (text.includes('\r')) {
      const current = (block.pre.textContent ?? '') + text;
      const rewritten = current.replace(/[^\n]*\r(?!\n)/g, '');
      block.pre.textContent = rewritten;
      block.shownChars = rewritten.length;
      block.shownLines = rewritten.split('\n').length;
      return;
    }
    let shown = text;
    const lines = text.split('\n').length - 1;
    if (block.shownChars + text.length > MAX_SHOWN_CHARS || block.shownLines + lines > MAX_SHOWN_LINES) {
      const roomChars = Math.max(0, MAX_SHOWN_CHARS - block.shownChars);
      let cut = Math.min(roomChars, text.length);
      let seen = block.shownLines;
      for (let i = 0; i < cut; i++) {
        if (text[i] === '\n' && ++seen >= MAX_SHOWN_LINES) {
          cut = i + 1;
          break;
        }
      }
      shown = text.slice(0, cut);
      block.hidden = text.slice(cut);
    }
    block.pre.append(shown);
    block.shownChars += shown.length;
    block.shownLines += shown.split('\n').length - 1;
    if (block.hidden) this.updateMore(block);
  }

  private updateMore(block: StreamBlock): void {
    if (!block.more) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'nb-more';
      button.addEventListener('click', () => {
        block.pre.append(block.hidden);
        block.hidden = '';
        block.shownChars = Number.POSITIVE_INFINITY; // the learner asked for all of it
        button.remove();
        block.more = null;
        block.pre.focus();
      });
      block.pre.tabIndex = 0;
      block.pre.after(button);
      block.more = button;
    }
    const lines = block.hidden.split('\n').length - (block.hidden.endsWith('\n') ? 1 : 0);
    block.more.textContent = this.strings.showMore.replace('{n}', String(lines));
  }

  private bundle(data: MimeBundle): HTMLElement {
    const box = document.createElement('div');
    box.className = 'nb-output nb-rich';
    const image = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].find((t) => data[t] !== undefined);
    if (data['text/html'] !== undefined) {
      box.append(sanitize(data['text/html']));
    } else if (image) {
      const img = document.createElement('img');
      img.alt = data['text/plain'] && !data['text/plain'].startsWith('<') ? data['text/plain'] : '';
      img.src = `data:${image};base64,${data[image]!.replace(/\s+/g, '')}`;
      box.append(img);
    } else if (data['image/svg+xml'] !== undefined) {
      // As an image, an SVG cannot run script.
      const img = document.createElement('img');
      img.alt = '';
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(data['image/svg+xml'])}`;
      box.append(img);
    } else if (data['text/markdown'] !== undefined) {
      const source = data['text/markdown'];
      box.textContent = source;
      void import('./rich.ts').then(({ markdownToHtml }) => box.replaceChildren(sanitize(markdownToHtml(source))));
    } else if (data['text/latex'] !== undefined) {
      const source = data['text/latex'];
      box.textContent = source;
      void import('./rich.ts').then(({ latexToHtml }) => box.replaceChildren(sanitize(latexToHtml(source))));
    } else {
      const pre = document.createElement('pre');
      pre.className = 'nb-plain';
      const json = data['application/json'];
      pre.textContent =
        data['text/plain'] ?? (json !== undefined ? JSON.stringify(JSON.parse(json) as unknown, null, 2) : '');
      box.append(pre);
    }
    return box;
  }

  /**
   * Shows the field that answers `input()`, under what the cell printed; resolves with the
   * learner's answer on Enter. `cancel()` removes it (interrupt).
   */
  ask(prompt: string, password: boolean): { answer: Promise<string>; cancel(): void } {
    this.last = null;
    const form = document.createElement('form');
    form.className = 'nb-input-request';
    const label = document.createElement('label');
    const id = `nb-input-${Math.random().toString(36).slice(2)}`;
    label.htmlFor = id;
    label.className = 'nb-input-prompt';
    label.textContent = prompt || this.strings.inputLabel;
    const field = document.createElement('input');
    field.id = id;
    field.type = password ? 'password' : 'text';
    field.autocomplete = 'off';
    field.spellcheck = false;
    if (!prompt) label.classList.add('visually-hidden');
    form.append(label, field);
    this.element.append(form);
    field.focus();
    let settle: (value: string) => void = () => {};
    const answer = new Promise<string>((resolve) => (settle = resolve));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      form.remove();
      this.echo(`${prompt}${password ? '········' : field.value}\n`);
      settle(field.value);
    });
    return { answer, cancel: () => form.remove() };
  }
}
