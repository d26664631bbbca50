/**
 * A notebook page's cells and toolbar: every code cell becomes editable (CodeMirror, created as it
 * comes near the viewport) and runnable; run-all follows Jupyter's rules.
 */
import { isolateHistory } from '@codemirror/commands';
import type { RunStatus } from '@carnet/runtime';
import type { EditorView } from '@codemirror/view';
import { createEditor } from './editor.ts';
import { OutputArea } from './outputs.ts';
import type { RuntimeClient, RunEvents } from './runtime-client.ts';
import type { UiStrings } from './strings.ts';

/** The page's configuration (the `carnet-notebook` JSON script, see runtime-config.ts on the server). */
export interface PageConfig {
  strings: UiStrings;
  cells: { id: string; tags: string[]; source: string }[];
}

const format = (text: string, values: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));

/** One code cell of the page: its source (editor or original), its prompt, its outputs. */
class CodeCell {
  editor: EditorView | null = null;
  private current: string;
  readonly outputs: OutputArea;
  private readonly prompt: HTMLElement | null = null;
  private readonly resetButton: HTMLButtonElement | null = null;

  constructor(
    readonly element: HTMLElement,
    readonly number: number,
    readonly original: string,
    readonly tags: Set<string>,
    private readonly page: NotebookPage,
  ) {
    this.current = original;
    element.dataset['cellNumber'] = String(number);
    const strings = page.strings;
    let outputs = element.querySelector<HTMLElement>('.nb-outputs');
    if (!outputs) {
      outputs = document.createElement('div');
      outputs.className = 'nb-outputs';
      const input = element.querySelector('.nb-input');
      const anchor = input?.closest('details.nb-fold') ?? input;
      if (anchor && anchor.parentElement) anchor.after(outputs);
      else element.append(outputs);
    }
    // A log: new output is announced politely; the label says whose output it is.
    outputs.setAttribute('role', 'log');
    outputs.setAttribute('aria-label', format(strings.output, { n: number }));
    this.outputs = new OutputArea(outputs, strings);

    const input = element.querySelector<HTMLElement>('.nb-input');
    if (!input || element.hidden) return;
    element.classList.add('nb-live');
    element.tabIndex = -1;
    const bar = document.createElement('div');
    bar.className = 'nb-cell-bar';
    this.prompt = document.createElement('span');
    this.prompt.className = 'nb-count';
    this.prompt.textContent = '[ ]';
    const run = button(`▶ ${strings.run}`, format(strings.runHint, { n: number }), 'nb-run', () => {
      void page.runCells([this]);
    });
    const above = button('⤒', format(strings.runAbove, { n: number }), 'nb-run-above', () => {
      void page.runAbove(this);
    });
    this.resetButton = button(`↺ ${strings.reset}`, format(strings.reset, { n: number }), 'nb-reset', () =>
      this.reset(),
    );
    this.resetButton.hidden = true;
    bar.append(this.prompt, run, above, this.resetButton);
    input.before(bar);
    const pre = input.querySelector('pre');
    pre?.addEventListener('click', () => this.edit());
    element.addEventListener('keydown', (event) => {
      if (event.target === element && event.key === 'Enter') {
        event.preventDefault();
        this.edit();
      }
    });
  }

  /** The code to run: what the learner typed, else the course's original. */
  get source(): string {
    return this.editor ? this.editor.state.doc.toString() : this.current;
  }

  get editable(): boolean {
    return this.prompt !== null;
  }

  /** Replaces the read-only code with an editor (done when the cell comes near the viewport). */
  upgrade(): EditorView | null {
    if (this.editor || !this.editable) return this.editor;
    const input = this.element.querySelector<HTMLElement>('.nb-input')!;
    const holder = document.createElement('div');
    holder.className = 'nb-editor';
    const strings = this.page.strings;
    this.editor = createEditor(holder, {
      doc: this.current,
      label: format(strings.editor, { n: this.number }),
      onRun: () => void this.page.runCells([this]),
      onRunAndNext: () => {
        void this.page.runCells([this]);
        this.page.focusAfter(this);
      },
      onEscape: () => this.element.focus(),
      onChange: (doc) => {
        this.current = doc;
        const modified = doc !== this.original;
        this.element.classList.toggle('nb-modified', modified);
        if (this.resetButton) this.resetButton.hidden = !modified;
      },
    });
    input.replaceChildren(holder);
    return this.editor;
  }

  /** Focuses the editor (creating it if needed). */
  edit(): void {
    this.upgrade()?.focus();
  }

  /** Back to the course's original code; Ctrl-Z in the editor undoes it. */
  reset(): void {
    const editor = this.upgrade();
    if (!editor) return;
    editor.dispatch({
      changes: { from: 0, to: editor.state.doc.length, insert: this.original },
      annotations: isolateHistory.of('full'),
    });
    editor.focus();
  }

  setPrompt(text: string): void {
    if (this.prompt) this.prompt.textContent = text;
  }
}

/** A button with an icon and a text; `label` is its accessible name (and tooltip). */
function button(text: string, label: string, className: string, onClick: () => void): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  const [icon, ...words] = text.split(' ');
  const iconSpan = document.createElement('span');
  iconSpan.setAttribute('aria-hidden', 'true');
  iconSpan.textContent = words.length > 0 ? `${icon} ` : (icon ?? '');
  const textSpan = document.createElement('span');
  textSpan.className = 'button-text';
  textSpan.textContent = words.join(' ');
  element.append(iconSpan, textSpan);
  element.title = label;
  element.setAttribute('aria-label', label);
  element.addEventListener('click', onClick);
  return element;
}

/** The notebook page: toolbar, runtime status, cells, and the run-all rules. */
export class NotebookPage {
  readonly cells: CodeCell[] = [];
  readonly runtime: RuntimeClient;
  private readonly status: HTMLElement;
  private readonly interruptButton: HTMLButtonElement;
  private notice = '';

  constructor(
    private readonly article: HTMLElement,
    private readonly config: PageConfig,
    runtime: RuntimeClient,
  ) {
    this.runtime = runtime;
    const strings = config.strings;
    const byId = new Map(config.cells.map((c) => [c.id, c]));
    let number = 0;
    for (const element of article.querySelectorAll<HTMLElement>('.nb-code[data-cell-id]')) {
      const info = byId.get(element.dataset['cellId'] ?? '');
      if (!info) continue;
      this.cells.push(new CodeCell(element, ++number, info.source, new Set(info.tags), this));
    }

    const bar = document.createElement('div');
    bar.className = 'runtime-bar';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', strings.toolbar);
    this.status = document.createElement('p');
    this.status.className = 'runtime-status';
    this.status.setAttribute('role', 'status');
    this.interruptButton = button(`■ ${strings.interrupt}`, strings.interrupt, 'runtime-interrupt', () => {
      this.runtime.interrupt();
    });
    bar.append(
      this.status,
      button(`▶▶ ${strings.runAll}`, strings.runAll, 'runtime-run-all', () => void this.runAll()),
      this.interruptButton,
      button(`↻ ${strings.restart}`, strings.restart, 'runtime-restart', () => this.runtime.restart()),
      button(`↻▶ ${strings.restartRunAll}`, strings.restartRunAll, 'runtime-restart-run-all', () => {
        this.runtime.restart();
        void this.runAll();
      }),
    );
    const keys = document.createElement('p');
    keys.className = 'runtime-keys';
    keys.textContent = strings.keys;
    const header = document.createElement('div');
    header.className = 'runtime-header';
    header.append(bar, keys);
    const kind = article.querySelector('.item-kind');
    if (kind) kind.after(header);
    else article.prepend(header);

    this.runtime.subscribe(() => this.showState());
    this.showState();
    this.observeCells();
  }

  get strings(): UiStrings {
    return this.config.strings;
  }

  /** Editors are created as cells come near the viewport: a long notebook opens at once. */
  private observeCells(): void {
    if (!('IntersectionObserver' in window)) {
      for (const cell of this.cells) cell.upgrade();
      return;
    }
    const byElement = new Map(this.cells.map((c) => [c.element, c]));
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          byElement.get(entry.target as HTMLElement)?.upgrade();
          observer.unobserve(entry.target);
        }
      },
      { rootMargin: '600px 0px' },
    );
    for (const cell of this.cells) if (cell.editable) observer.observe(cell.element);
  }

  private showState(): void {
    const { runtime, strings } = this;
    let text: string;
    switch (runtime.state) {
      case 'loading':
        text = runtime.stage ? `${strings.loading} (${strings[`stage.${runtime.stage}`]})` : strings.loading;
        break;
      case 'ready':
        text = format(strings.ready, { python: runtime.info?.python ?? '3' });
        break;
      case 'busy':
        text = strings.busy;
        break;
      case 'interrupting':
        text = strings.interrupting;
        break;
      case 'dead':
        text = format(strings.failed, { message: runtime.failure ?? '' });
        break;
    }
    if (runtime.lastRestart && runtime.state !== 'dead') {
      this.notice =
        runtime.lastRestart === 'asked'
          ? strings.restarted
          : runtime.lastRestart === 'stuck'
            ? strings.stuckRestarted
            : strings.interruptRestarted;
      runtime.lastRestart = null;
    }
    if (runtime.state === 'busy') this.notice = '';
    this.status.textContent = this.notice ? `${text} — ${this.notice}` : text;
    this.status.dataset['state'] = runtime.state;
    this.interruptButton.disabled = runtime.state !== 'busy' && runtime.state !== 'interrupting';
  }

  /**
   * Runs cells in order. Like Jupyter, an error stops the cells queued after it, unless the cell
   * is tagged `raises-exception`; an interrupt stops them all.
   */
  async runCells(cells: CodeCell[], options: { skipTagged?: boolean } = {}): Promise<RunStatus[]> {
    const todo = cells.filter((c) => !(options.skipTagged && c.tags.has('skip-execution')));
    for (const cell of todo) cell.setPrompt('[*]');
    const results = todo.map((cell) =>
      this.runtime
        .run(cell.source, this.events(cell), { stopOnError: !cell.tags.has('raises-exception') })
        .then(({ status, count }) => {
          cell.setPrompt(count === null ? '[ ]' : `[${count}]`);
          return status;
        }),
    );
    return Promise.all(results);
  }

  runAll(): Promise<RunStatus[]> {
    return this.runCells(this.cells, { skipTagged: true });
  }

  runAbove(cell: CodeCell): Promise<RunStatus[]> {
    return this.runCells(this.cells.slice(0, this.cells.indexOf(cell)), { skipTagged: true });
  }

  focusAfter(cell: CodeCell): void {
    const next = this.cells.slice(this.cells.indexOf(cell) + 1).find((c) => c.editable);
    if (next) {
      next.edit();
      next.element.scrollIntoView({ block: 'nearest' });
    }
  }

  private events(cell: CodeCell): RunEvents {
    return {
      started: (count) => {
        cell.setPrompt('[*]');
        cell.outputs.clear();
        cell.element.dataset['count'] = String(count);
      },
      output: (message) => cell.outputs.add(message),
      input: (prompt, password) => cell.outputs.ask(prompt, password),
      packages: (names) => cell.outputs.echo(`${format(this.strings.packages, { names: names.join(', ') })}\n`),
    };
  }
}
