/**
 * Video pages (issue 12): the player's tools (speed, captions, keys), the interactive transcript
 * (click a line to seek, the current line marked, search), the slides as a deck (arrows, full
 * screen), resume where the learner stopped, and "watched" — 90 % of the video played, measured
 * from the player's played ranges and merged by the server across visits (api/videos.route.ts).
 * Without this module the page still works: native controls, captions, the whole transcript and
 * every slide, one below the other.
 */

interface VideoConfig {
  strings: Record<string, string>;
  slug: string;
  route: string;
}

interface ServerView {
  position: number;
  duration: number;
  share: number;
  watched: boolean;
}

interface ViewsAnswer {
  videos: Record<string, ServerView>;
}

const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];

function readConfig(): VideoConfig | null {
  const script = document.getElementById('carnet-video');
  return script ? (JSON.parse(script.textContent ?? 'null') as VideoConfig) : null;
}

function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Text for searching: lower case, without accents (« eleve » finds « élève »). */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Keys typed into a field or an editor are the field's, never the player's or the deck's. */
function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || !!target.closest('input, textarea, select, .cm-editor, iframe'))
  );
}

/** The learner's session (for saving what they watched), or null for an anonymous reader. */
class Api {
  private constructor(
    private readonly url: string,
    private readonly csrf: string,
  ) {}

  static async open(config: VideoConfig): Promise<Api | null> {
    try {
      const session = (await (await fetch('/api/session', { credentials: 'same-origin' })).json()) as {
        user: unknown;
        csrf: string | null;
      };
      if (!session.user || !session.csrf) return null;
      const path = `${encodeURIComponent(config.slug)}/${config.route.split('/').map(encodeURIComponent).join('/')}`;
      return new Api(`/api/videos/${path}`, session.csrf);
    } catch {
      return null;
    }
  }

  async views(): Promise<ViewsAnswer | null> {
    const response = await fetch(this.url, { credentials: 'same-origin' }).catch(() => null);
    return response?.ok ? ((await response.json()) as ViewsAnswer) : null;
  }

  async report(body: object, keepalive = false): Promise<ViewsAnswer | null> {
    const response = await fetch(this.url, {
      method: 'PUT',
      credentials: 'same-origin',
      keepalive,
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrf },
      body: JSON.stringify(body),
    }).catch(() => null);
    return response?.ok ? ((await response.json()) as ViewsAnswer) : null;
  }
}

/** One `<video>` of the page with its tools and transcript. */
class Player {
  private readonly status: HTMLElement;
  private readonly notice: HTMLElement;
  private lines: { item: HTMLLIElement; button: HTMLButtonElement; start: number; end: number }[] = [];
  private current: HTMLLIElement | null = null;
  private follow: HTMLInputElement | null = null;
  private reported = 0;
  private watched = false;

  constructor(
    readonly key: string,
    private readonly section: HTMLElement,
    readonly video: HTMLVideoElement,
    private readonly s: Record<string, string>,
    private readonly storageKey: string,
  ) {
    const tools = element('div', { className: 'video-tools' });
    const speed = element('select', { className: 'video-speed' });
    for (const rate of SPEEDS) {
      speed.append(element('option', { value: String(rate), selected: rate === 1 }, `${rate}×`));
    }
    speed.addEventListener('change', () => (video.playbackRate = Number(speed.value)));
    video.addEventListener('ratechange', () => {
      const near = SPEEDS.find((r) => Math.abs(r - video.playbackRate) < 0.01);
      if (near !== undefined) speed.value = String(near);
    });
    tools.append(element('label', { className: 'video-speed-label' }, `${s['speed']} `, speed));
    const renditions = [...video.querySelectorAll('source')].filter((r) => r.dataset['label']);
    if (renditions.length > 1) tools.append(this.qualities(renditions));
    const tracks = [...video.textTracks].filter((t) => t.kind === 'captions' || t.kind === 'subtitles');
    if (tracks.length > 0) {
      const toggle = element('button', { type: 'button', className: 'video-captions' });
      const show = (): void => {
        const on = tracks.some((t) => t.mode === 'showing');
        toggle.textContent = on ? s['captionsOff']! : s['captionsOn']!;
        toggle.setAttribute('aria-pressed', String(on));
      };
      toggle.addEventListener('click', () => {
        const on = tracks.some((t) => t.mode === 'showing');
        const preferred = tracks.find((t) => t.language === document.documentElement.lang) ?? tracks[0]!;
        for (const t of tracks) t.mode = !on && t === preferred ? 'showing' : 'hidden';
        show();
      });
      video.textTracks.addEventListener('change', show);
      show();
      tools.append(toggle);
    }
    this.status = element('p', { className: 'video-seen' });
    this.status.setAttribute('role', 'status');
    this.status.textContent = s['notSeen']!;
    this.notice = element('p', { className: 'video-notice' });
    this.notice.setAttribute('aria-live', 'polite');
    tools.append(this.status);
    const keys = element('p', { className: 'video-keys' }, s['keys']!);
    section.querySelector('.video-player')!.after(tools, this.notice, keys);

    section.querySelector('.video-player')!.addEventListener('keydown', (event) => this.key_(event as KeyboardEvent));
    this.transcript();
    video.addEventListener('timeupdate', () => {
      this.highlight();
      if (!video.paused && Date.now() - this.reported > 15_000) this.onReport?.(false);
      localStorage.setItem(this.storageKey, String(video.currentTime));
    });
    video.addEventListener('pause', () => this.onReport?.(false));
    video.addEventListener('ended', () => this.onReport?.(false));
  }

  /** A menu of the declared renditions (720p, 360p…): the chosen one plays on from the same time. */
  private qualities(renditions: HTMLSourceElement[]): HTMLLabelElement {
    const select = element('select', { className: 'video-quality' });
    for (const r of renditions) select.append(element('option', { value: r.src }, r.dataset['label']!));
    select.addEventListener('change', () => {
      const { currentTime, paused } = this.video;
      this.video.src = select.value;
      this.video.addEventListener(
        'loadedmetadata',
        () => {
          this.video.currentTime = currentTime;
          if (!paused) void this.video.play().catch(() => {});
        },
        { once: true },
      );
    });
    return element('label', {}, `${this.s['quality']} `, select);
  }

  /** Called when what was seen should be sent (set by the page once the session is known). */
  onReport: ((keepalive: boolean) => void) | null = null;

  /** The played ranges since the page opened, in seconds. */
  segments(): [number, number][] {
    const played = this.video.played;
    const list: [number, number][] = [];
    for (let i = 0; i < played.length; i++) list.push([played.start(i), played.end(i)]);
    return list;
  }

  report(): object {
    this.reported = Date.now();
    const duration = Number.isFinite(this.video.duration) ? this.video.duration : undefined;
    return { video: this.key, duration, position: this.video.currentTime, segments: this.segments() };
  }

  show(view: ServerView | undefined): void {
    if (!view) return;
    this.watched = this.watched || view.watched;
    this.status.textContent = this.watched
      ? `✓ ${this.s['watched']}`
      : view.share > 0
        ? format(this.s['seen']!, { n: Math.floor(view.share * 100) })
        : this.s['notSeen']!;
    this.section.classList.toggle('video-done', this.watched);
  }

  /** Goes back to where the learner stopped (the server's record, else this browser's). */
  resume(view: ServerView | undefined): void {
    const local = Number(localStorage.getItem(this.storageKey) ?? 'NaN');
    const position = view?.position ?? (Number.isFinite(local) ? local : 0);
    const apply = (): void => {
      const duration = this.video.duration;
      if (position > 5 && (!Number.isFinite(duration) || position < duration - 5) && this.video.currentTime < 1) {
        this.video.currentTime = position;
        this.notice.textContent = format(this.s['resumed']!, { time: clock(position) });
      }
    };
    if (this.video.readyState >= 1) apply();
    else this.video.addEventListener('loadedmetadata', apply, { once: true });
  }

  private key_(event: KeyboardEvent): void {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const video = this.video;
    const step = (delta: number): void => {
      video.currentTime = Math.max(0, Math.min(video.duration || Infinity, video.currentTime + delta));
    };
    const rate = (direction: number): void => {
      const i = SPEEDS.findIndex((r) => Math.abs(r - video.playbackRate) < 0.01);
      video.playbackRate = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i === -1 ? 1 : i) + direction))]!;
    };
    const actions: Record<string, () => void> = {
      ' ': () => void (video.paused ? video.play() : video.pause()),
      k: () => void (video.paused ? video.play() : video.pause()),
      ArrowLeft: () => step(-5),
      ArrowRight: () => step(5),
      j: () => step(-10),
      l: () => step(10),
      c: () => this.section.querySelector<HTMLButtonElement>('.video-captions')?.click(),
      '<': () => rate(-1),
      '>': () => rate(1),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  }

  /** Each cue's line becomes a button that seeks; a search field filters the lines. */
  private transcript(): void {
    const list = this.section.querySelector<HTMLOListElement>('.transcript-lines');
    if (!list) return;
    for (const item of list.querySelectorAll<HTMLLIElement>('li[data-start]')) {
      const start = Number(item.dataset['start']);
      const end = Number(item.dataset['end']);
      const button = element('button', { type: 'button', className: 'cue' });
      button.append(...item.childNodes);
      item.append(button);
      button.addEventListener('click', () => {
        this.video.currentTime = start + 0.01;
        void this.video.play().catch(() => {});
      });
      this.lines.push({ item, button, start, end });
    }
    const search = element('input', { type: 'search', className: 'transcript-search' });
    const searchId = `${this.section.id}-search`;
    search.id = searchId;
    const label = element('label', { htmlFor: searchId }, this.s['search']!);
    const count = element('p', { className: 'transcript-count' });
    count.setAttribute('role', 'status');
    search.addEventListener('input', () => {
      const query = fold(search.value.trim());
      let shown = 0;
      for (const line of this.lines) {
        const match = query === '' || fold(line.button.textContent ?? '').includes(query);
        line.item.hidden = !match;
        if (match) shown++;
      }
      count.textContent =
        query === '' ? '' : shown === 0 ? this.s['noMatch']! : format(this.s['matches']!, { n: shown });
    });
    this.follow = element('input', { type: 'checkbox', checked: true, className: 'transcript-follow' });
    const follow = element('label', { className: 'transcript-follow-label' }, this.follow, ` ${this.s['follow']}`);
    list.classList.add('transcript-scroll');
    list.before(element('div', { className: 'transcript-tools' }, label, search, follow, count));
  }

  private highlight(): void {
    const t = this.video.currentTime;
    const line = this.lines.find((l) => t >= l.start && t < l.end) ?? null;
    if (line?.item === this.current) return;
    this.current?.classList.remove('current');
    this.current?.querySelector('button')?.removeAttribute('aria-current');
    this.current = line?.item ?? null;
    if (!line) return;
    line.item.classList.add('current');
    line.button.setAttribute('aria-current', 'true');
    // Scroll the transcript's own box, never the page.
    const list = line.item.parentElement!;
    if (this.follow?.checked && !line.item.hidden) {
      const top = line.item.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - line.item.offsetHeight) {
        list.scrollTop = Math.max(0, top - list.clientHeight / 3);
      }
    }
  }
}

/** The `av` notebook as a deck: one slide at a time, arrows and Home/End, full screen. */
function deck(container: HTMLElement, s: Record<string, string>): void {
  const slides = [...container.querySelectorAll<HTMLElement>(':scope > section.slide')];
  if (slides.length < 2) return;
  const wrapper = container.closest<HTMLElement>('section.slides') ?? container;
  let index = 0;
  const counter = element('p', { className: 'slide-counter' });
  counter.setAttribute('aria-live', 'polite');
  const previous = element('button', { type: 'button', className: 'slide-previous' }, `← ${s['previous']}`);
  const next = element('button', { type: 'button', className: 'slide-next' }, `${s['next']} →`);
  const full = element('button', { type: 'button', className: 'slide-fullscreen' }, `⛶ ${s['fullscreen']}`);
  const go = (to: number): void => {
    index = Math.max(0, Math.min(slides.length - 1, to));
    slides.forEach((slide, i) => {
      slide.hidden = i !== index;
      slide.setAttribute('aria-label', format(s['slideOf']!, { n: i + 1, total: slides.length }));
    });
    counter.textContent = format(s['slideOf']!, { n: index + 1, total: slides.length });
    previous.disabled = index === 0;
    next.disabled = index === slides.length - 1;
  };
  previous.addEventListener('click', () => go(index - 1));
  next.addEventListener('click', () => go(index + 1));
  full.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void wrapper.requestFullscreen?.().catch(() => {});
  });
  container.tabIndex = 0;
  container.setAttribute('role', 'group');
  container.setAttribute('aria-roledescription', 'carousel');
  container.setAttribute('aria-label', s['slidesKeys']!);
  for (const slide of slides) {
    slide.setAttribute('role', 'group');
    slide.setAttribute('aria-roledescription', 'slide');
  }
  wrapper.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const moves: Record<string, number> = {
      ArrowLeft: index - 1,
      ArrowRight: index + 1,
      PageUp: index - 1,
      PageDown: index + 1,
      Home: 0,
      End: slides.length - 1,
    };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    go(to);
  });
  const bar = element('div', { className: 'slide-bar' }, previous, counter, next, full);
  container.before(bar);
  go(0);
}

async function main(): Promise<void> {
  const config = readConfig();
  if (!config) return;
  const s = config.strings;
  const players: Player[] = [];
  for (const section of document.querySelectorAll<HTMLElement>('section.video[data-video]')) {
    const key = section.dataset['video']!;
    const video = section.querySelector<HTMLVideoElement>('video');
    if (video) players.push(new Player(key, section, video, s, `carnet-video:${config.slug}:${config.route}:${key}`));
  }
  for (const container of document.querySelectorAll<HTMLElement>('.slide-deck')) deck(container, s);
  const api = await Api.open(config);
  const answer = api ? await api.views() : null;
  for (const player of players) {
    player.resume(answer?.videos[player.key]);
    player.show(answer?.videos[player.key]);
    if (!api) continue;
    player.onReport = (keepalive) => {
      if (player.segments().length === 0) return;
      void api.report(player.report(), keepalive).then((a) => player.show(a?.videos[player.key]));
    };
  }
  if (!api) return;
  addEventListener('pagehide', () => {
    for (const player of players) player.onReport?.(true);
  });
  // A platform's player: the page cannot see what is played; the learner says so.
  for (const section of document.querySelectorAll<HTMLElement>('section.video[data-video]')) {
    if (!section.querySelector('.video-embed')) continue;
    const key = section.dataset['video']!;
    const button = element('button', { type: 'button', className: 'video-mark' });
    const show = (watched: boolean): void => {
      button.textContent = watched ? `✓ ${s['watched']}` : s['markWatched']!;
      button.setAttribute('aria-pressed', String(watched));
      button.disabled = watched;
      section.classList.toggle('video-done', watched);
    };
    show(answer?.videos[key]?.watched ?? false);
    button.addEventListener('click', () => {
      void api.report({ video: key, watched: true }).then((a) => show(a?.videos[key]?.watched ?? false));
    });
    section.querySelector('.video-embed')!.after(element('div', { className: 'video-tools' }, button));
  }
}

void main();
