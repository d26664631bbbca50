/**
 * A learner's code, kept: every edit goes to the browser's IndexedDB at once and to the server
 * (debounced, and on page hide with `keepalive`), each save carrying the version it edits so that
 * two tabs never overwrite each other silently. Work typed offline waits in IndexedDB and is sent
 * when the connection returns. The server API is described in docs/decisions (saved work).
 */

/** What the learner sees of saving. */
export type SaveStatus = 'saved' | 'saving' | 'offline' | 'conflict' | 'error';

/** A cell as the server keeps it. */
export interface SavedCell {
  cellId: string;
  code: string;
  original: string;
  version: number;
  updatedAt: string;
}

export type Progress = 'not-started' | 'started' | 'done';

/** An edit not yet acknowledged by the server (also kept in IndexedDB). */
interface Pending {
  key: string;
  cellId: string;
  code: string;
  original: string;
  baseVersion: number;
  editedAt: number;
}

export interface SavedWorkEvents {
  status(status: SaveStatus): void;
  /** Another tab (or device) saved this cell meanwhile: the learner chooses. */
  conflict(cellId: string, theirs: SavedCell): void;
}

const DEBOUNCE_MS = 800;

/** The server answered, with an error status (as opposed to a network failure). */
class ServerError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];

function apiPath(slug: string, route: string): string {
  return `${encodeURIComponent(slug)}/${route.split('/').map(encodeURIComponent).join('/')}`;
}

/** IndexedDB, reduced to what this needs: a store of pending edits by key. */
class PendingStore {
  private db: Promise<IDBDatabase | null>;

  constructor() {
    this.db = new Promise((resolve) => {
      if (!('indexedDB' in globalThis)) return resolve(null);
      const request = indexedDB.open('carnet', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('pending', { keyPath: 'key' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
    });
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore | null> {
    const db = await this.db;
    return db ? db.transaction('pending', mode).objectStore('pending') : null;
  }

  async put(value: Pending): Promise<void> {
    const store = await this.store('readwrite');
    if (store) await done(store.put(value));
  }

  async delete(key: string): Promise<void> {
    const store = await this.store('readwrite');
    if (store) await done(store.delete(key));
  }

  /** Pending edits whose key starts with `prefix`. */
  async list(prefix: string): Promise<Pending[]> {
    const store = await this.store('readonly');
    if (!store) return [];
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    return (await done(store.getAll(range))) as Pending[];
  }
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB'));
  });
}

/** The saved work of one learner on one notebook. */
export class SavedWork {
  /** The server's state of each saved cell. */
  readonly cells = new Map<string, SavedCell>();
  progress: Progress = 'not-started';
  status: SaveStatus = 'saved';
  private readonly pending = new Map<string, Pending>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly conflicts = new Set<string>();
  private readonly inFlight = new Set<string>();
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly store = new PendingStore();

  private constructor(
    readonly slug: string,
    readonly route: string,
    readonly userId: number,
    private csrf: string,
    private readonly events: SavedWorkEvents,
    /** Where the cells are read and saved: the notebook's saved work, or an activity's copy. */
    private readonly workUrl: string,
  ) {
    addEventListener('online', () => void this.flushAll());
    // Leaving or hiding the page sends what waits, with keepalive (it survives the page).
    addEventListener('pagehide', () => void this.flushAll({ keepalive: true }));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') void this.flushAll({ keepalive: true });
    });
  }

  /**
   * The learner's saved work for a notebook, or null for an anonymous reader (who can run code,
   * not save it). Edits left in this browser by an earlier visit (offline) come back as pending.
   */
  /** The session's CSRF token, for the page's other JSON writes (submissions). */
  get csrfToken(): string {
    return this.csrf;
  }

  /** `workUrl`: an activity's copy (ADR 051) instead of the learner's saved work of the notebook. */
  static async load(
    slug: string,
    route: string,
    events: SavedWorkEvents,
    workUrl = `/api/work/${apiPath(slug, route)}`,
  ): Promise<SavedWork | null> {
    const session = (await (await fetch('/api/session', { credentials: 'same-origin' })).json()) as {
      user: { id: number } | null;
      csrf: string | null;
    };
    if (!session.user || !session.csrf) return null;
    const response = await fetch(workUrl, { credentials: 'same-origin' });
    if (!response.ok) return null;
    const body = (await response.json()) as { cells: SavedCell[]; progress: Progress; csrf: string };
    const work = new SavedWork(slug, route, session.user.id, body.csrf ?? session.csrf, events, workUrl);
    for (const cell of body.cells) work.cells.set(cell.cellId, cell);
    work.progress = body.progress;
    for (const entry of await work.store.list(work.keyPrefix)) work.pending.set(entry.cellId, entry);
    return work;
  }

  private get keyPrefix(): string {
    // The notebook's own work keeps its old keys (edits left offline before activities existed).
    return this.workUrl === `/api/work/${apiPath(this.slug, this.route)}`
      ? `${this.userId}\u0000${this.slug}\u0000${this.route}\u0000`
      : `${this.userId}\u0000${this.workUrl}\u0000`;
  }

  /** An edit left in this browser and not yet on the server, if any. */
  pendingCode(cellId: string): string | null {
    return this.pending.get(cellId)?.code ?? null;
  }

  /** Sends the edits restored from IndexedDB (after the page has shown them). */
  resume(): void {
    if (this.pending.size > 0) void this.flushAll();
  }

  /** Records an edit of a cell: kept locally at once, saved on the server shortly. */
  edit(cellId: string, code: string, original: string): void {
    const server = this.cells.get(cellId);
    const previous = this.pending.get(cellId);
    const entry: Pending = {
      key: this.keyPrefix + cellId,
      cellId,
      code,
      original,
      // The version this edit builds on: what the server had when the learner started typing.
      baseVersion: previous?.baseVersion ?? server?.version ?? 0,
      editedAt: Date.now(),
    };
    this.pending.set(cellId, entry);
    void this.store.put(entry).catch(() => {});
    if (this.conflicts.has(cellId)) return; // saved once the learner has chosen
    this.setStatus(navigator.onLine ? 'saving' : 'offline');
    clearTimeout(this.timers.get(cellId));
    this.timers.set(
      cellId,
      setTimeout(() => void this.send(cellId), DEBOUNCE_MS),
    );
  }

  /** Sends every waiting edit now (page hide, reconnection, before a download). */
  async flushAll(options: { keepalive?: boolean } = {}): Promise<void> {
    await Promise.all([...this.pending.keys()].map((id) => this.send(id, options)));
  }

  /** The learner keeps their version over the other tab's: saved on top of it. */
  keepMine(cellId: string): void {
    const theirs = this.cells.get(cellId);
    const mine = this.pending.get(cellId);
    this.conflicts.delete(cellId);
    if (!mine || !theirs) return;
    mine.baseVersion = theirs.version;
    void this.store.put(mine).catch(() => {});
    void this.send(cellId);
  }

  /** The learner takes the other version: their own edit is dropped. */
  takeTheirs(cellId: string): string | null {
    this.conflicts.delete(cellId);
    this.pending.delete(cellId);
    void this.store.delete(this.keyPrefix + cellId).catch(() => {});
    this.updateStatus();
    return this.cells.get(cellId)?.code ?? null;
  }

  /** Marks the notebook read (end reached) or done (button), or unmarks it. */
  async setProgress(state: 'done' | 'started', reason: 'end' | 'button'): Promise<void> {
    if (reason === 'end' && this.progress === 'done') return;
    const response = await fetch(`/api/progress/${apiPath(this.slug, this.route)}`, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrf },
      body: JSON.stringify({ state, reason }),
    });
    if (response.ok) this.progress = ((await response.json()) as { progress: Progress }).progress;
  }

  private async send(cellId: string, options: { keepalive?: boolean } = {}): Promise<void> {
    clearTimeout(this.timers.get(cellId));
    const entry = this.pending.get(cellId);
    if (!entry || this.conflicts.has(cellId) || this.inFlight.has(cellId)) return;
    this.inFlight.add(cellId);
    this.setStatus('saving');
    try {
      const response = await fetch(`${this.workUrl}/cells/${encodeURIComponent(cellId)}`, {
        method: 'PUT',
        credentials: 'same-origin',
        keepalive: options.keepalive === true,
        headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrf },
        body: JSON.stringify({ code: entry.code, original: entry.original, baseVersion: entry.baseVersion }),
      });
      if (response.ok) {
        const saved = (await response.json()) as { version: number; updatedAt: string };
        this.cells.set(cellId, { cellId, code: entry.code, original: entry.original, ...saved });
        // Typed again while this was in flight? Then the newer text builds on this version.
        const latest = this.pending.get(cellId);
        if (latest === entry) {
          this.pending.delete(cellId);
          await this.store.delete(entry.key).catch(() => {});
        } else if (latest) {
          latest.baseVersion = saved.version;
          void this.store.put(latest).catch(() => {});
          this.timers.set(
            cellId,
            setTimeout(() => void this.send(cellId), DEBOUNCE_MS),
          );
        }
        this.retry = 0;
      } else if (response.status === 409) {
        const body = (await response.json()) as { current: Omit<SavedCell, 'cellId'> };
        const theirs = { cellId, ...body.current };
        this.cells.set(cellId, theirs);
        if (theirs.code === entry.code) {
          // Both tabs typed the same thing: nothing to choose.
          this.pending.delete(cellId);
          await this.store.delete(entry.key).catch(() => {});
        } else {
          this.conflicts.add(cellId);
          this.events.conflict(cellId, theirs);
        }
      } else {
        throw new ServerError(response.status);
      }
    } catch (error) {
      // The network failed (offline) or the server refused: the edit stays pending (and in
      // IndexedDB) and is tried again later, or as soon as the connection returns.
      this.scheduleRetry();
      this.inFlight.delete(cellId);
      this.setStatus(error instanceof ServerError ? 'error' : 'offline');
      return;
    }
    this.inFlight.delete(cellId);
    this.updateStatus();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    const delay = RETRY_MS[Math.min(this.retry, RETRY_MS.length - 1)]!;
    this.retry++;
    this.retryTimer = setTimeout(() => void this.flushAll(), delay);
  }

  private updateStatus(): void {
    if (this.conflicts.size > 0) this.setStatus('conflict');
    else if (this.pending.size > 0 || this.inFlight.size > 0) this.setStatus(navigator.onLine ? 'saving' : 'offline');
    else this.setStatus('saved');
  }

  private setStatus(status: SaveStatus): void {
    if (this.conflicts.size > 0) status = 'conflict';
    if (status === this.status) return;
    this.status = status;
    this.events.status(status);
  }
}
