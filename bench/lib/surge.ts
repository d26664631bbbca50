// A first day of a MOOC session, played by virtual learners against real web servers (issue 16):
// sign up through the forms and the e-mailed link, log in, enrol, open the course and notebooks
// with their runtime files, save cells, submit exercises for real grading, answer a quiz, read and
// post in the forum. Used by bench/surge.bench.ts and apps/server/test/surge.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The demo course's exercise a learner submits: its notebook, module and cells (from the grading tests). */
export const EXERCISE = {
  route: 'w1/w1-s3-x1-duree',
  module: 'corrections.exo_duree',
  exercise: 'exo_duree',
  import: 'from corrections.exo_duree import exo_duree',
  right: [
    'def duree(secondes):',
    '    h, reste = divmod(secondes, 3600)',
    '    m, s = divmod(reste, 60)',
    '    return f"{h:02}:{m:02}:{s:02}"',
  ].join('\n'),
  wrong: 'def duree(secondes):\n    return f"{secondes // 3600}:{secondes % 3600 // 60}:{secondes % 60}"',
  correction: 'exo_duree.correction(duree)',
} as const;
/** A reading notebook whose cells a learner also edits, and the week's quiz. */
export const READING_ROUTE = 'w1/w1-s1-c1-nombres';
export const QUIZ_ROUTE = 'w1/w1-s3-q1-premiers-pas';

export interface CodeCell {
  id: string;
  source: string;
}

/** What the population needs to know of the session set up before it. */
export interface SurgeTarget {
  /** Base URLs of the web servers; learners are spread over them and move on when one fails. */
  servers: string[];
  slug: string;
  runId: number;
  /** The code cells of the exercise's notebook and of the reading notebook. */
  cells: Record<string, CodeCell[]>;
  /** The shared data directory (the outbox is read there). */
  dataDir: string;
}

export interface SurgeOptions {
  learners: number;
  /** Learners arrive evenly over this many seconds. */
  seconds: number;
  /** Pause between a learner's actions, drawn in [0, thinkMs). */
  thinkMs: number;
  /** Distinguishes the e-mail addresses and forum texts of several runs on one data directory. */
  label: string;
  /** Things to do during the run (faults), at a fraction of the arrival period. */
  events?: { at: number; name: string; run: () => Promise<void> }[];
}

/** One action's figures: latencies of the whole action, retries included. */
export interface ActionFigures {
  count: number;
  errors: number;
  retries: number;
  rps: number;
  p50: number;
  p99: number;
}

/** What the server acknowledged, to be found in the database afterwards. */
export interface Acknowledged {
  saves: { email: string; route: string; cellId: string; version: number; code: string }[];
  submissions: { id: number; email: string; expectOk: boolean; verdictOk: boolean | null }[];
  quizAttempts: { email: string }[];
  posts: { email: string; threadId: number }[];
  learners: string[];
}

export interface SurgeResult {
  label: string;
  wallSeconds: number;
  requests: number;
  rps: number;
  errors: number;
  retries: number;
  learnersDone: number;
  actions: Record<string, ActionFigures>;
  acknowledged: Acknowledged;
  errorSamples: string[];
  events: { name: string; atSeconds: number; tookMs: number; error?: string }[];
  /** Submit to verdict, as the learner waits for it (ms). */
  verdict: { p50: number; p99: number };
}

/** A request that failed for good (after retries), with what the server said. */
class ActionError extends Error {}

const RETRIES = 12;
const REQUEST_TIMEOUT_MS = 30_000;

/** Percentile of sorted values (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The confirmation links of the outbox, read once per file by the bench process, by recipient. */
class Mailbox {
  private readonly seen = new Set<string>();
  private readonly links = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly dir: string) {}

  private scan(): void {
    let files: string[] = [];
    try {
      files = readdirSync(this.dir);
    } catch {
      return; // not created yet
    }
    for (const file of files) {
      if (!file.endsWith('.eml') || this.seen.has(file)) continue;
      let raw: string;
      try {
        raw = readFileSync(join(this.dir, file), 'utf8').replace(/=\r?\n/g, '');
      } catch {
        continue;
      }
      const to = /^to: (.+)$/im.exec(raw)?.[1]?.trim().toLowerCase();
      const link = /https?:\/\/\S+?(\/signup\/confirm\/[A-Za-z0-9_-]{43})/.exec(raw)?.[1];
      if (!to || !link) continue; // half written: read again next time
      this.seen.add(file);
      this.links.set(to, link);
    }
  }

  async linkFor(email: string, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const link = this.links.get(email.toLowerCase());
      if (link) return link;
      if (Date.now() > end) throw new ActionError(`no confirmation e-mail for ${email}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  start(): void {
    this.timer = setInterval(() => this.scan(), 100);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

interface Response {
  status: number;
  body: string;
  location: string | null;
}

/** A browser of one learner: its cookies, its address, the server it talks to. */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(
    private readonly surge: Population,
    private readonly address: string,
    private server: number,
  ) {}

  forget(): void {
    this.cookies.clear();
  }

  /**
   * One request as the learner's browser sends it, through whichever server answers: connection
   * errors, timeouts, 502 and 503 are retried with backoff on the next server (as a proxy would
   * send it elsewhere). `accept` says which statuses are a success, `acceptOnRetry` which also are
   * once an earlier attempt may have landed (the write is then already done).
   */
  async request(
    action: string,
    method: string,
    path: string,
    options: {
      form?: Record<string, string>;
      json?: unknown;
      headers?: Record<string, string>;
      accept: number[];
      acceptOnRetry?: (res: Response) => boolean;
    },
  ): Promise<Response> {
    const started = performance.now();
    let lastProblem = '';
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      if (attempt > 0) {
        this.surge.retry(action);
        this.server = (this.server + 1) % this.surge.servers.length;
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random())));
      }
      const headers: Record<string, string> = {
        'x-forwarded-for': this.address,
        'accept-encoding': 'br, gzip',
        ...options.headers,
      };
      if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined;
      if (options.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
      } else if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      }
      let res: Response;
      try {
        const answer = await fetch(`${this.surge.servers[this.server]}${path}`, {
          method,
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        for (const line of answer.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const eq = pair.indexOf('=');
          const name = pair.slice(0, eq).trim();
          if (/max-age=0/i.test(line)) this.cookies.delete(name);
          else this.cookies.set(name, pair.slice(eq + 1).trim());
        }
        res = { status: answer.status, body: await answer.text(), location: answer.headers.get('location') };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        lastProblem = `${(error as Error).name}${cause ? ` ${cause}` : ''}: ${(error as Error).message}`;
        continue;
      }
      if (res.status === 502 || res.status === 503) {
        lastProblem = `${res.status} ${res.body.slice(0, 200)}`;
        continue;
      }
      if (options.accept.includes(res.status) || (attempt > 0 && options.acceptOnRetry?.(res))) {
        this.surge.done(action, performance.now() - started);
        return res;
      }
      this.surge.failed(action, `${method} ${path} → ${res.status}: ${res.body.replace(/\s+/g, ' ').slice(0, 300)}`);
      throw new ActionError(`${action} failed`);
    }
    this.surge.failed(action, `${method} ${path}: gave up after ${RETRIES} retries (${lastProblem})`);
    throw new ActionError(`${action} failed`);
  }
}

const csrfOf = (html: string): string => {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new ActionError('no CSRF token in the form');
  return token;
};

/** The population: figures, what was acknowledged, the shared forum threads. */
class Population {
  readonly servers: string[];
  private readonly latencies = new Map<string, number[]>();
  private readonly errorCounts = new Map<string, number>();
  private readonly retryCounts = new Map<string, number>();
  readonly errorSamples: string[] = [];
  readonly acknowledged: Acknowledged = { saves: [], submissions: [], quizAttempts: [], posts: [], learners: [] };
  readonly threads: number[] = [];
  readonly verdictTimes: number[] = [];
  readonly mailbox: Mailbox;
  learnersDone = 0;

  constructor(
    readonly target: SurgeTarget,
    readonly options: SurgeOptions,
  ) {
    this.servers = target.servers;
    this.mailbox = new Mailbox(join(target.dataDir, 'outbox'));
  }

  done(action: string, ms: number): void {
    let list = this.latencies.get(action);
    if (!list) this.latencies.set(action, (list = []));
    list.push(ms);
  }
  failed(action: string, message: string): void {
    this.errorCounts.set(action, (this.errorCounts.get(action) ?? 0) + 1);
    if (this.errorSamples.length < 20) this.errorSamples.push(`${action}: ${message}`);
  }
  retry(action: string): void {
    this.retryCounts.set(action, (this.retryCounts.get(action) ?? 0) + 1);
  }

  figures(wallSeconds: number): Record<string, ActionFigures> {
    const names = new Set([...this.latencies.keys(), ...this.errorCounts.keys()]);
    const out: Record<string, ActionFigures> = {};
    for (const name of [...names].sort()) {
      const sorted = [...(this.latencies.get(name) ?? [])].sort((a, b) => a - b);
      out[name] = {
        count: sorted.length,
        errors: this.errorCounts.get(name) ?? 0,
        retries: this.retryCounts.get(name) ?? 0,
        rps: sorted.length / wallSeconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
      };
    }
    return out;
  }

  private async think(): Promise<void> {
    if (this.options.thinkMs > 0) await new Promise((r) => setTimeout(r, Math.random() * this.options.thinkMs));
  }

  /** One learner's first day, from the sign-up form to a forum post. */
  async learner(index: number): Promise<void> {
    const { slug, runId, cells } = this.target;
    const email = `surge-${this.options.label}-${index}@example.org`;
    const password = `Premier jour ${index} !`;
    // 10.0.0.0/8, one address per learner (as a proxy in front would say with X-Forwarded-For).
    const address = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${(index & 255) + 0}`;
    const browser = new Browser(this, address, index % this.servers.length);

    // Sign up, then follow the e-mailed link.
    const signupForm = await browser.request('page:signup', 'GET', '/signup', { accept: [200] });
    await browser.request('post:signup', 'POST', '/signup', {
      form: { _csrf: csrfOf(signupForm.body), name: `Apprenant ${index}`, email, password },
      accept: [200],
    });
    // A sign-up acknowledged whose e-mail never comes is a loss too (counted, not just waited for).
    const link = await this.mailbox.linkFor(email).catch((error: Error) => {
      this.failed('mail:confirmation', error.message);
      throw error;
    });
    const confirmPage = await browser.request('page:confirm', 'GET', link, {
      accept: [200],
      // The token was used by an attempt that got no answer: the account exists.
      acceptOnRetry: (res) => res.status === 400 || res.status === 404 || res.status === 410,
    });
    let confirmed = false;
    if (confirmPage.status === 200) {
      await browser.request('post:confirm', 'POST', link, {
        form: { _csrf: csrfOf(confirmPage.body) },
        accept: [303],
        acceptOnRetry: (res) => res.status >= 400 && res.status < 500,
      });
      confirmed = true;
    }
    void confirmed;
    this.acknowledged.learners.push(email);
    await this.think();

    // Log in, as on a second device: a fresh browser.
    browser.forget();
    const loginForm = await browser.request('page:login', 'GET', '/login', { accept: [200] });
    await browser.request('post:login', 'POST', '/login', {
      form: { _csrf: csrfOf(loginForm.body), email, password },
      accept: [303],
    });
    const session = await browser.request('api:session', 'GET', '/api/session', { accept: [200] });
    const csrf = (JSON.parse(session.body) as { csrf: string }).csrf;
    const jsonHeaders = { 'x-csrf-token': csrf };

    // Enrol from the course page, then open the course.
    await browser.request('page:course', 'GET', `/courses/${slug}`, { accept: [200] });
    await browser.request('post:enrol', 'POST', `/runs/${runId}/enrol`, { form: { _csrf: csrf }, accept: [303] });
    await this.think();

    // Open the exercise's notebook as a browser does: the page, then the runtime's files.
    const notebook = await browser.request('page:notebook', 'GET', `/courses/${slug}/${EXERCISE.route}`, {
      accept: [200],
    });
    const page = notebook.body.replace(/\\\//g, '/');
    const files = /\/runtime\/[^"/]+\/[^"/]+\/files\.json/.exec(page)?.[0];
    const modules = /\/runtime\/[^"/]+\/[^"/]+\/modules\.zip/.exec(page)?.[0];
    const pyodide = /\/pyodide\/[^"/]+\//.exec(page)?.[0];
    if (!files || !modules || !pyodide) {
      this.failed('page:notebook', 'no runtime configuration in the notebook page');
      throw new ActionError('no runtime configuration');
    }
    await browser.request('runtime:files.json', 'GET', files, { accept: [200] });
    await browser.request('runtime:modules.zip', 'GET', modules, { accept: [200] });
    await browser.request('pyodide:asset', 'GET', `${pyodide}pyodide.mjs`, { accept: [200] });
    await browser.request('api:work', 'GET', `/api/work/${slug}/${EXERCISE.route}`, { accept: [200] });
    await this.think();

    // Type in the exercise's first code cell: three saves as the editor debounces them.
    const cell = cells[EXERCISE.route]![0]!;
    let version = 0;
    const save = async (route: string, target: CodeCell, code: string): Promise<void> => {
      const res = await browser.request(
        'put:save',
        'PUT',
        `/api/work/${slug}/${route}/cells/${encodeURIComponent(target.id)}`,
        {
          json: { code, original: target.source, baseVersion: version },
          headers: jsonHeaders,
          accept: [200],
          // A conflict after a lost answer: the earlier attempt stored this very code.
          acceptOnRetry: (r) =>
            r.status === 409 && (JSON.parse(r.body) as { current: { code: string } }).current.code === code,
        },
      );
      const parsed = JSON.parse(res.body) as { version?: number; current?: { version: number } };
      version = parsed.version ?? parsed.current!.version;
      this.acknowledged.saves.push({ email, route, cellId: target.id, version, code });
    };
    for (let n = 1; n <= 3; n++) {
      await save(EXERCISE.route, cell, `${EXERCISE.wrong}\n# essai ${n} de ${email}`);
      await this.think();
    }

    // Submit a wrong answer, then the right one; wait for each verdict as the page does.
    for (const [code, expectOk] of [
      [EXERCISE.wrong, false],
      [EXERCISE.right, true],
    ] as const) {
      const submitted = performance.now();
      const res = await browser.request('post:submission', 'POST', '/api/submissions', {
        json: {
          slug,
          route: EXERCISE.route,
          module: EXERCISE.module,
          exercise: EXERCISE.exercise,
          cells: [EXERCISE.import, code, EXERCISE.correction],
          browser: { ok: expectOk, passed: expectOk ? 6 : 5, total: 6 },
        },
        headers: jsonHeaders,
        accept: [200, 202],
      });
      const { id } = JSON.parse(res.body) as { id: number };
      const record = { id, email, expectOk, verdictOk: null as boolean | null };
      this.acknowledged.submissions.push(record);
      for (let polls = 0; ; polls++) {
        await new Promise((r) => setTimeout(r, 200));
        const state = await browser.request('get:submission', 'GET', `/api/submissions/${id}`, { accept: [200] });
        const json = JSON.parse(state.body) as { status: string; verdict?: { ok: boolean } };
        if (json.status === 'done' || json.status === 'failed') {
          record.verdictOk = json.verdict?.ok ?? null;
          this.verdictTimes.push(performance.now() - submitted);
          break;
        }
        if (polls > 900) {
          this.failed('get:submission', `submission ${id} still ${json.status} after 3 minutes`);
          throw new ActionError('not graded');
        }
      }
      await this.think();
    }

    // A reading notebook: its page and one edited cell.
    await browser.request('page:notebook', 'GET', `/courses/${slug}/${READING_ROUTE}`, { accept: [200] });
    const reading = cells[READING_ROUTE]![0]!;
    version = 0;
    await save(READING_ROUTE, reading, `${reading.source}\nprint("vu par ${email}")`);
    await this.think();

    // The week's quiz: its page, one problem answered.
    await browser.request('page:quiz', 'GET', `/courses/${slug}/${QUIZ_ROUTE}`, { accept: [200] });
    await browser.request('post:quiz', 'POST', `/courses/${slug}/${QUIZ_ROUTE}`, {
      form: { _csrf: csrf, problem: 'p2', p2q1: '1' },
      accept: [303],
      acceptOnRetry: (r) => r.status === 409,
    });
    this.acknowledged.quizAttempts.push({ email });
    await this.think();

    // The forum: the list, a thread, then a question (one learner in five) or a reply.
    await browser.request('page:forum', 'GET', `/courses/${slug}/forum`, { accept: [200] });
    const thread = this.threads.length > 0 ? this.threads[Math.floor(Math.random() * this.threads.length)] : undefined;
    const text = `Bonjour, je suis ${email} et je commence la semaine 1 (${this.options.label}).`;
    const duplicate = (r: Response) => r.status === 400 || r.status === 429;
    if (thread === undefined || index % 5 === 0) {
      const res = await browser.request('post:forum', 'POST', `/courses/${slug}/forum`, {
        form: { _csrf: csrf, kind: 'question', topic: 'general', title: `Question de ${email}`, body: text },
        accept: [303],
        acceptOnRetry: duplicate,
      });
      const id = Number(/\/threads\/(\d+)$/.exec(res.location ?? '')?.[1]);
      if (Number.isInteger(id) && id > 0) {
        this.threads.push(id);
        this.acknowledged.posts.push({ email, threadId: id });
      }
    } else {
      await browser.request('page:thread', 'GET', `/courses/${slug}/forum/threads/${thread}`, { accept: [200] });
      const res = await browser.request('post:forum', 'POST', `/courses/${slug}/forum/threads/${thread}/replies`, {
        form: { _csrf: csrf, body: text },
        accept: [303],
        acceptOnRetry: duplicate,
      });
      if (res.status === 303) this.acknowledged.posts.push({ email, threadId: thread });
    }
    this.learnersDone++;
  }
}

/**
 * Plays the population: learner i arrives at i × seconds ÷ learners, each runs its first day once.
 * Resolves when every learner is done (or failed) and every scheduled event has run.
 */
export async function runSurge(target: SurgeTarget, options: SurgeOptions): Promise<SurgeResult> {
  const population = new Population(target, options);
  population.mailbox.start();
  const started = performance.now();
  const events: SurgeResult['events'] = [];
  const scheduled = (options.events ?? []).map(async (event) => {
    await new Promise((r) => setTimeout(r, event.at * options.seconds * 1000));
    const at = performance.now();
    try {
      await event.run();
      events.push({ name: event.name, atSeconds: (at - started) / 1000, tookMs: performance.now() - at });
    } catch (error) {
      events.push({ name: event.name, atSeconds: (at - started) / 1000, tookMs: 0, error: String(error) });
    }
  });
  const spacing = (options.seconds * 1000) / options.learners;
  const learners = Array.from({ length: options.learners }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * spacing));
    try {
      await population.learner(i);
    } catch (error) {
      // Every learner that did not get through counts as an error, whatever stopped it.
      population.failed(
        'learner',
        error instanceof ActionError ? error.message : String((error as Error).stack ?? error),
      );
    }
  });
  await Promise.all([...learners, ...scheduled]);
  population.mailbox.stop();
  const wallSeconds = (performance.now() - started) / 1000;
  const actions = population.figures(wallSeconds);
  const totals = Object.values(actions).reduce(
    (t, a) => ({ requests: t.requests + a.count, errors: t.errors + a.errors, retries: t.retries + a.retries }),
    { requests: 0, errors: 0, retries: 0 },
  );
  const verdicts = [...population.verdictTimes].sort((a, b) => a - b);
  return {
    label: options.label,
    wallSeconds,
    ...totals,
    rps: totals.requests / wallSeconds,
    learnersDone: population.learnersDone,
    actions,
    acknowledged: population.acknowledged,
    errorSamples: population.errorSamples,
    events,
    verdict: { p50: percentile(verdicts, 50), p99: percentile(verdicts, 99) },
  };
}

/** What the database holds of what was acknowledged: every miss is a lost write. */
export interface Verification {
  learnersMissing: number;
  savesChecked: number;
  savesLost: string[];
  submissionsChecked: number;
  submissionsNotGraded: string[];
  /** A verdict other than the code deserves (a job run twice to another verdict would show here). */
  wrongVerdicts: string[];
  /** grade.exercise jobs per submission other than one, and jobs not done. */
  jobProblems: string[];
  /** Jobs that ran more than once (a lease expired: a worker was killed), all with one outcome. */
  jobsRetried: number;
  quizAttemptsMissing: number;
  postsMissing: number;
}

/** Checks the database against what the learners were told was stored. */
export async function verifySurge(databaseUrl: string, ack: Acknowledged): Promise<Verification> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const users = new Map<string, number>(
      (
        await client.query<{ id: number; email: string }>('select id, email from users where email = any($1)', [
          ack.learners,
        ])
      ).rows.map((r) => [r.email.toLowerCase(), r.id]),
    );
    const saved = new Map<string, { version: number; code: string }>();
    for (const row of (
      await client.query<{ user_id: number; route: string; cell_id: string; version: number; code: string }>(
        'select user_id, route, cell_id, version, code from saved_cells where user_id = any($1)',
        [[...users.values()]],
      )
    ).rows)
      saved.set(`${row.user_id}\0${row.route}\0${row.cell_id}`, { version: row.version, code: row.code });
    const savesLost: string[] = [];
    for (const s of ack.saves) {
      const row = saved.get(`${users.get(s.email)}\0${s.route}\0${s.cellId}`);
      if (!row || row.version < s.version || (row.version === s.version && row.code !== s.code))
        savesLost.push(`${s.email} ${s.route} ${s.cellId} v${s.version}`);
    }
    const ids = ack.submissions.map((s) => s.id);
    const submissions = new Map(
      (
        await client.query<{ id: number; status: string; verdict: string | null }>(
          'select id, status, verdict from submissions where id = any($1)',
          [ids],
        )
      ).rows.map((r) => [r.id, r]),
    );
    const submissionsNotGraded: string[] = [];
    const wrongVerdicts: string[] = [];
    for (const s of ack.submissions) {
      const row = submissions.get(s.id);
      if (!row || row.status !== 'done' || !row.verdict) {
        submissionsNotGraded.push(`#${s.id} ${row?.status ?? 'missing'}`);
        continue;
      }
      const ok = (JSON.parse(row.verdict) as { ok: boolean }).ok;
      if (ok !== s.expectOk || (s.verdictOk !== null && s.verdictOk !== ok))
        wrongVerdicts.push(`#${s.id}: stored ${ok}, expected ${s.expectOk}, shown ${s.verdictOk}`);
    }
    const jobs = (
      await client.query<{ payload: string; status: string; attempts: number }>(
        "select payload, status, attempts from jobs where kind = 'grade.exercise'",
      )
    ).rows;
    const perSubmission = new Map<number, { status: string; attempts: number }[]>();
    for (const job of jobs) {
      const id = (JSON.parse(job.payload) as { submissionId?: number }).submissionId;
      if (id === undefined) continue;
      perSubmission.set(id, [...(perSubmission.get(id) ?? []), job]);
    }
    const jobProblems: string[] = [];
    let jobsRetried = 0;
    for (const id of ids) {
      const list = perSubmission.get(id) ?? [];
      if (list.length !== 1) jobProblems.push(`submission #${id}: ${list.length} grading jobs`);
      for (const job of list) {
        if (job.status !== 'done') jobProblems.push(`submission #${id}: job ${job.status}`);
        if (job.attempts > 1) jobsRetried++;
      }
    }
    const attempts = Number(
      (
        await client.query<{ n: string }>(
          'select count(distinct user_id) as n from quiz_attempts where user_id = any($1)',
          [[...users.values()]],
        )
      ).rows[0]!.n,
    );
    const posts = Number(
      (
        await client.query<{ n: string }>('select count(*) as n from forum_posts where author_id = any($1)', [
          [...users.values()],
        ])
      ).rows[0]!.n,
    );
    return {
      learnersMissing: ack.learners.filter((e) => !users.has(e.toLowerCase())).length,
      savesChecked: ack.saves.length,
      savesLost,
      submissionsChecked: ack.submissions.length,
      submissionsNotGraded,
      wrongVerdicts,
      jobProblems,
      jobsRetried,
      quizAttemptsMissing: Math.max(0, new Set(ack.quizAttempts.map((q) => q.email)).size - attempts),
      postsMissing: Math.max(0, ack.posts.length - posts),
    };
  } finally {
    await client.end();
  }
}

/** Whether nothing acknowledged is missing or wrong. */
export function intact(v: Verification): boolean {
  return (
    v.learnersMissing === 0 &&
    v.savesLost.length === 0 &&
    v.submissionsNotGraded.length === 0 &&
    v.wrongVerdicts.length === 0 &&
    v.jobProblems.length === 0 &&
    v.quizAttemptsMissing === 0 &&
    v.postsMissing === 0
  );
}
