/**
 * A notebook page's cells and toolbar: every code cell becomes editable (CodeMirror, created as it
 * comes near the viewport) and runnable; run-all follows Jupyter's rules.
 */
import { isolateHistory } from '@codemirror/commands';
import { Transaction } from '@codemirror/state';
import type { RunStatus } from '@carnet/runtime';
import type { EditorView } from '@codemirror/view';
import { createEditor } from './editor.ts';
import { OutputArea } from './outputs.ts';
import type { RuntimeClient, RunEvents } from './runtime-client.ts';
import { SavedWork, type SavedCell, type SaveStatus } from './saved-work.ts';
import { submitExercise } from './grading.ts';
import { format, type UiStrings } from './strings.ts';

/** The page's configuration (the `carnet-notebook` JSON script, see runtime-config.ts on the server). */
export interface PageConfig {
  strings: UiStrings;
  cells: { id: string; tags: string[]; source: string }[];
  /** The course and the notebook's route, for saved work and progress. */
  slug: string;
  route: string;
  /** Where to log in and come back here. */
  loginUrl: string;
  /** Whether reaching the end marks the page read (a notebook), or another source says (a video page). */
  reading: boolean;
  /** The snapshot strings (sharing one, opening one as a runnable copy; issue 13). */
  snapshot: Record<string, string>;
  /** An activity's page (ADR 051): the pupil's copy saved at `workUrl`, or `cells` shown and never saved. */
  activity?: {
    /** The pupil's own activity: sent with submissions, graded at its pinned version. */
    activityId?: number;
    workUrl?: string;
    cells?: { id: string; code: string }[];
    notice?: string;
    comments?: { cellId: string; body: string; author: string | null }[];
  };
}

/** One code cell of the page: its source (editor or original), its prompt, its outputs. */
class CodeCell {
  editor: EditorView | null = null;
  private current: string;
  /** True while the page sets the code itself (restoring saved work): not an edit to save. */
  private silent = false;
  private notice: HTMLElement | null = null;
  readonly outputs: OutputArea;
  private readonly prompt: HTMLElement | null = null;
  private readonly resetButton: HTMLButtonElement | null = null;

  constructor(
    readonly element: HTMLElement,
    readonly id: string,
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
    this.resetButton = button('↺', format(strings.reset, { n: number }), 'nb-reset', () => this.reset());
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
        if (!this.silent) this.page.edited(this);
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

  /** Shows code the page restores (saved work): not an edit, and not undoable. */
  setCode(code: string, options: { save?: boolean } = {}): void {
    const editor = this.editable ? this.upgrade() : null;
    if (!editor) {
      this.current = code;
      return;
    }
    this.silent = options.save !== true;
    try {
      editor.dispatch({
        changes: { from: 0, to: editor.state.doc.length, insert: code },
        annotations: options.save ? isolateHistory.of('full') : Transaction.addToHistory.of(false),
      });
    } finally {
      this.silent = false;
    }
  }

  /** A message above the code, with actions (conflict, course change); null removes it. */
  showNotice(text: string | null, actions: { label: string; run: () => void }[] = [], extra?: HTMLElement): void {
    this.notice?.remove();
    this.notice = null;
    if (text === null) return;
    const notice = document.createElement('div');
    notice.className = 'nb-notice';
    notice.setAttribute('role', 'status');
    const message = document.createElement('p');
    message.textContent = text;
    notice.append(message);
    for (const action of actions) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = action.label;
      b.addEventListener('click', action.run);
      notice.append(b);
    }
    if (extra) notice.append(extra);
    const bar = this.element.querySelector('.nb-cell-bar') ?? this.element.firstChild;
    if (bar) bar.after(notice);
    else this.element.prepend(notice);
    this.notice = notice;
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
  /** The learner's saved work; null for an anonymous reader (or before it is loaded). */
  work: SavedWork | null = null;
  private readonly workBar: HTMLElement;
  private readonly saveStatus: HTMLElement;

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
      this.cells.push(new CodeCell(element, info.id, ++number, info.source, new Set(info.tags), this));
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
    this.workBar = document.createElement('div');
    this.workBar.className = 'work-bar';
    this.saveStatus = document.createElement('p');
    this.saveStatus.className = 'save-status';
    this.saveStatus.setAttribute('role', 'status');
    this.workBar.append(this.saveStatus);
    const header = document.createElement('div');
    header.className = 'runtime-header';
    header.append(bar, this.workBar, keys);
    // A video page says where its code begins (`.runtime-anchor`); a notebook's bar is at the top.
    const anchor = article.querySelector('.runtime-anchor');
    const kind = article.querySelector('.item-kind');
    if (anchor) anchor.replaceWith(header);
    else if (kind) kind.after(header);
    else article.prepend(header);

    this.runtime.subscribe(() => this.showState());
    this.showState();
    this.observeCells();
    const snapshot = new URLSearchParams(location.search).get('snapshot');
    if (config.activity) this.openActivity(config.activity);
    else if (snapshot) void this.openSnapshot(snapshot);
    else void this.loadSavedWork();
  }

  /**
   * An activity's copy: the pupil's own, saved to the activity (not to their saved work of the
   * notebook), or cells given by the page (a copy handed in, the teacher's review) that run and
   * are never saved. The teacher's comments go under their cells.
   */
  private openActivity(activity: NonNullable<PageConfig['activity']>): void {
    for (const comment of activity.comments ?? []) {
      const cell = this.cells.find((c) => c.id === comment.cellId);
      if (!cell) continue;
      const note = document.createElement('aside');
      note.className = 'nb-teacher-comment';
      const who = document.createElement('p');
      who.className = 'meta';
      who.textContent = comment.author ?? '';
      const body = document.createElement('p');
      body.textContent = comment.body;
      note.append(who, body);
      cell.element.append(note);
    }
    if (activity.workUrl) {
      void this.loadSavedWork(activity.workUrl);
      return;
    }
    const codes = new Map((activity.cells ?? []).map((c) => [c.id, c.code]));
    for (const cell of this.cells) {
      const code = codes.get(cell.id);
      if (code !== undefined && code !== cell.source) cell.setCode(code);
    }
    this.saveStatus.textContent = activity.notice ?? '';
    this.saveStatus.dataset['status'] = 'read-only';
  }

  /** Brings back the learner's code (server, then edits left offline in this browser). */
  private async loadSavedWork(workUrl?: string): Promise<void> {
    const { strings } = this;
    let work: SavedWork | null = null;
    try {
      work = await SavedWork.load(
        this.config.slug,
        this.config.route,
        {
          status: (status) => this.showSaveStatus(status),
          conflict: (cellId, theirs) => this.showConflict(cellId, theirs),
        },
        workUrl,
      );
    } catch {
      work = null;
    }
    if (!work) {
      // Anonymous: code runs, nothing is kept; say how to keep it.
      const link = document.createElement('a');
      link.href = this.config.loginUrl;
      link.textContent = strings.saveLogin;
      this.saveStatus.replaceChildren(link);
      this.saveStatus.dataset['status'] = 'anonymous';
      return;
    }
    this.work = work;
    for (const cell of this.cells) {
      const saved = work.cells.get(cell.id);
      const code = work.pendingCode(cell.id) ?? saved?.code;
      if (code !== undefined && code !== cell.source) cell.setCode(code);
      if (saved && saved.original !== cell.original && saved.code !== cell.original) this.showCourseChange(cell);
    }
    // An activity's copy has no downloads, snapshots or reading progress of the MOOC's notebook.
    if (!workUrl) this.addWorkActions(work);
    this.showSaveStatus(work.status);
    work.resume();
    if (this.config.reading && !workUrl) this.watchEnd(work);
  }

  /** Called by a cell when the learner edits it. */
  edited(cell: CodeCell): void {
    this.work?.edit(cell.id, cell.source, cell.original);
  }

  private showSaveStatus(status: SaveStatus): void {
    const strings = this.strings;
    const text: Record<SaveStatus, string> = {
      saved: strings.saveSaved,
      saving: strings.saveSaving,
      offline: strings.saveOffline,
      conflict: strings.saveConflict,
      error: strings.saveError,
    };
    this.saveStatus.textContent = text[status];
    this.saveStatus.dataset['status'] = status;
  }

  private showConflict(cellId: string, theirs: SavedCell): void {
    const cell = this.cells.find((c) => c.id === cellId);
    const work = this.work;
    if (!cell || !work) return;
    const strings = this.strings;
    const other = document.createElement('pre');
    other.className = 'nb-notice-code';
    other.textContent = theirs.code;
    cell.showNotice(
      format(strings.conflict, { n: cell.number }),
      [
        {
          label: strings.keepMine,
          run: () => {
            cell.showNotice(null);
            work.keepMine(cellId);
          },
        },
        {
          label: strings.takeTheirs,
          run: () => {
            cell.showNotice(null);
            const code = work.takeTheirs(cellId);
            if (code !== null) cell.setCode(code);
          },
        },
      ],
      other,
    );
  }

  /** The course changed this cell since the learner edited it: keep their code, offer the new one. */
  private showCourseChange(cell: CodeCell): void {
    const strings = this.strings;
    const original = document.createElement('pre');
    original.className = 'nb-notice-code';
    original.textContent = cell.original;
    original.hidden = true;
    const toggle = {
      label: strings.showNewOriginal,
      run: () => {
        original.hidden = !original.hidden;
      },
    };
    cell.showNotice(
      strings.courseChanged,
      [
        toggle,
        {
          label: strings.useNewOriginal,
          run: () => {
            cell.showNotice(null);
            cell.setCode(cell.original, { save: true });
          },
        },
      ],
      original,
    );
  }

  /** Download links and "reset the whole notebook" (undoable) for a logged-in learner. */
  /**
   * A shared snapshot opened as a runnable copy: its code in the cells, nothing saved (no saved
   * work is loaded, so no edit is sent), the learner's own work untouched on the server and in
   * this browser. A snapshot that cannot be read leaves the page as it is, saying so.
   */
  private async openSnapshot(token: string): Promise<void> {
    const s = this.config.snapshot;
    const url = `/api/snapshots/${encodeURIComponent(this.config.slug)}/${encodeURIComponent(token)}`;
    const response = await fetch(url, { credentials: 'same-origin' }).catch(() => null);
    const body = response?.ok
      ? ((await response.json()) as { route: string; cells: { id: string; code: string }[] })
      : null;
    const banner = document.createElement('p');
    banner.className = 'notice snapshot-scratch';
    banner.setAttribute('role', 'status');
    if (!body || body.route !== this.config.route) {
      banner.textContent = s['missing'] ?? '';
      this.workBar.before(banner);
      void this.loadSavedWork();
      return;
    }
    const codes = new Map(body.cells.map((c) => [c.id, c.code]));
    for (const cell of this.cells) {
      const code = codes.get(cell.id);
      if (code !== undefined && code !== cell.source) cell.setCode(code);
    }
    const back = document.createElement('a');
    back.href = location.pathname;
    back.textContent = s['backToMine'] ?? '';
    banner.append(`${s['scratch'] ?? ''} `, back);
    this.workBar.before(banner);
    this.saveStatus.dataset['status'] = 'scratch';
  }

  /** "Share a snapshot": the cells as they are now (and their outputs, if chosen), then the forum. */
  private addShareAction(work: SavedWork): void {
    const s = this.config.snapshot;
    const box = document.createElement('details');
    box.className = 'snapshot-share';
    const summary = document.createElement('summary');
    summary.textContent = s['share'] ?? '';
    const outputs = document.createElement('input');
    outputs.type = 'checkbox';
    const label = document.createElement('label');
    label.append(outputs, ` ${s['withOutputs'] ?? ''}`);
    const status = document.createElement('p');
    status.setAttribute('role', 'status');
    const share = document.createElement('button');
    share.type = 'button';
    share.className = 'snapshot-share-button';
    share.textContent = s['shareNow'] ?? '';
    share.addEventListener('click', () => {
      share.disabled = true;
      const cells = this.cells.map((cell) => ({
        id: cell.id,
        code: cell.source,
        outputs: outputs.checked ? (cell.element.querySelector('.nb-outputs')?.innerHTML ?? null) : null,
      }));
      const path = `${encodeURIComponent(work.slug)}/${work.route.split('/').map(encodeURIComponent).join('/')}`;
      void fetch(`/api/snapshots/${path}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': work.csrfToken },
        body: JSON.stringify({ cells, withOutputs: outputs.checked }),
      })
        .then(async (response) => {
          if (!response.ok) throw new Error(String(response.status));
          location.assign(((await response.json()) as { post: string }).post);
        })
        .catch(() => {
          status.textContent = s['failed'] ?? '';
          share.disabled = false;
        });
    });
    box.append(summary, label, share, status);
    this.workBar.append(box);
  }

  private addWorkActions(work: SavedWork): void {
    const strings = this.strings;
    if (this.cells.length > 0) this.addShareAction(work);
    const base = `/api/work/${encodeURIComponent(work.slug)}/${work.route.split('/').map(encodeURIComponent).join('/')}/download`;
    for (const [format, label] of [
      ['ipynb', strings.downloadIpynb],
      ['myst', strings.downloadMyst],
    ] as const) {
      const link = document.createElement('a');
      link.className = `work-download work-download-${format}`;
      link.href = `${base}?format=${format}`;
      link.textContent = label;
      // What waits is saved first, so the file has every line typed.
      link.addEventListener('click', (event) => {
        event.preventDefault();
        void work.flushAll().finally(() => (location.href = link.href));
      });
      this.workBar.append(link);
    }
    const undo = button(`↶ ${strings.undoReset}`, strings.undoReset, 'work-undo-reset', () => {});
    undo.hidden = true;
    const resetAll = button(`↺ ${strings.resetAll}`, strings.resetAll, 'work-reset-all', () => {
      const before = this.cells.filter((c) => c.source !== c.original).map((c) => [c, c.source] as const);
      if (before.length === 0) return;
      for (const [cell] of before) cell.setCode(cell.original, { save: true });
      undo.hidden = false;
      undo.onclick = () => {
        for (const [cell, code] of before) cell.setCode(code, { save: true });
        undo.hidden = true;
      };
    });
    this.workBar.append(resetAll, undo);
  }

  /** Reaching the end of the notebook marks it read; a button marks it done (or not). */
  private watchEnd(work: SavedWork): void {
    const strings = this.strings;
    const box = document.createElement('div');
    box.className = 'progress-box';
    const state = document.createElement('p');
    state.setAttribute('role', 'status');
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'progress-toggle';
    const show = (): void => {
      const done = work.progress === 'done';
      state.textContent = done ? strings.markedDone : '';
      toggle.textContent = done ? strings.unmarkDone : strings.markDone;
      toggle.setAttribute('aria-pressed', String(done));
    };
    toggle.addEventListener('click', () => {
      void work.setProgress(work.progress === 'done' ? 'started' : 'done', 'button').then(show);
    });
    box.append(state, toggle);
    this.article.append(box);
    show();
    if (!('IntersectionObserver' in window)) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        void work.setProgress('done', 'end').then(show);
      }
    });
    observer.observe(box);
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
        .run(cell.source, this.events(cell, cell.source), { stopOnError: !cell.tags.has('raises-exception') })
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

  /** The code of the cells run since the last restart, in run order (what a submission re-runs). */
  private ran: { generation: number; sources: string[] } = { generation: 0, sources: [] };

  private events(cell: CodeCell, source: string): RunEvents {
    return {
      started: (count) => {
        if (this.ran.generation !== this.runtime.generation) {
          this.ran = { generation: this.runtime.generation, sources: [] };
        }
        this.ran.sources.push(source);
        cell.setPrompt('[*]');
        cell.outputs.clear();
        cell.element.dataset['count'] = String(count);
      },
      output: (message) => cell.outputs.add(message),
      input: (prompt, password) => cell.outputs.ask(prompt, password),
      packages: (names) => cell.outputs.echo(`${format(this.strings.packages, { names: names.join(', ') })}\n`),
      exercise: (message) => {
        const status = document.createElement('p');
        status.className = 'nb-grade';
        status.setAttribute('role', 'status');
        cell.outputs.element.append(status);
        const context = {
          slug: this.config.slug,
          route: this.config.route,
          activity: this.config.activity?.activityId,
          csrf: this.work?.csrfToken ?? null,
        };
        void submitExercise(context, message, [...this.ran.sources], status, this.strings);
      },
    };
  }
}
