import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Run } from '../src/db/schema.ts';
import { PAGE_CSP } from '../src/http/security.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectItemSummaries } from '../src/models/course-items.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalRunBySlug } from '../src/models/runs.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, notebook } from './fixtures.ts';

/** The demo course's video pages (issue 12): one video, and two (a course file, a YouTube embed). */
const ONE = 'w1/w1-s1-av';
const TWO = 'w2/w2-s3-av';
const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const videosUrl = (route: string, slug = 'demo') => `/api/videos/${slug}/${route}`;

/** A small course whose only video is on a CDN (`url:`), with a notebook in its sequence. */
const CDN_COURSE = {
  'carnet.yml': [
    'title: Cours CDN',
    'videos:',
    '  w1-s1:',
    '    url: https://cdn.example.org/w1-s1.mp4',
    '    renditions:',
    '      - url: https://cdn.example.org/w1-s1-360.webm',
    '        label: 360p',
    '    poster: https://images.example.net/w1-s1.jpg',
    '    title: Premier pas',
    '',
  ].join('\n'),
  'w1/w1-s1-c1-intro.md': notebook('Intro'),
  'w1/w1-s1-av.fr.srt': '1\n00:00:00,000 --> 00:00:02,000\nBonjour depuis le CDN\n',
};

describe.each(DIALECTS)('video pages on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let admin: Agent;
  let run: Run;
  let notebooks: string[] = [];
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    t = await createTestDb(dialect);
    const summary = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    expect(summary.errors).toEqual([]);
    const config = loadConfig({}, { dataDir: t.dataDir, savesPerSecond: '100000' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => now });
    const a = await createUser(t.db, 'admin@example.org', { admin: true, name: 'Admin' });
    admin = new Agent(app);
    await admin.login(a.email, a.password);
    const created = await admin.post(
      '/manage/courses/demo/runs/new',
      { title: 'Session vidéo', mode: 'self-paced', startsAt: '2026-01-01T00:00' },
      { tokenFrom: '/manage/courses/demo' },
    );
    expect(created.statusCode, created.body.slice(0, 300)).toBe(303);
    const slug = String(created.headers['location']).split('/').pop()!.split('?')[0]!;
    run = (await selectOptionalRunBySlug(t.db.kysely, 'demo', slug))!;
    expect(run.videos_count).toBe(0);
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const items = await selectItemSummaries(t.db.kysely, live.id);
    notebooks = items.filter((i) => i.type === 'notebook').map((i) => i.route);
    expect(items.filter((i) => i.type === 'video').map((i) => i.route)).toEqual([ONE, TWO]);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  async function learner(email: string, options: { enrol?: boolean } = {}) {
    const user = await createUser(t.db, email, { name: email.split('@')[0] });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    if (options.enrol) {
      expect((await agent.post(`/runs/${run.id}/enrol`, {}, { tokenFrom: '/me' })).statusCode).toBe(303);
    }
    return { user, agent };
  }

  const report = (agent: Agent, body: object, route = ONE, slug = 'demo') =>
    agent.json('PUT', videosUrl(route, slug), body, { csrf: true });

  /** The status text shown after the link to `route` in a list of items. */
  function statusOf(page: string, route: string): string | undefined {
    const li = page.match(/<li>[\s\S]*?<\/li>/g)?.find((l) => l.includes(`href="/courses/demo/${route}"`));
    if (!li) throw new Error(`no entry for ${route}`);
    return /class="item-status item-status-[a-z-]+"\s*>\s*<span aria-hidden="true">[^<]*<\/span>\s*([^<]+?)\s*<\/span/.exec(
      li,
    )?.[1];
  }

  /** A CSP as a map of directive → sources. */
  function directives(csp: unknown): Map<string, string> {
    return new Map(
      String(csp)
        .split(';')
        .map((d) => d.trim())
        .filter((d) => d !== '')
        .map((d) => [d.split(' ')[0]!, d.slice(d.indexOf(' ') + 1)]),
    );
  }

  describe('pages', () => {
    it('serves a course-file video page isolated as a notebook is, with no frame or media host widened', async () => {
      for (const agent of [new Agent(app), (await learner('isolated@example.org')).agent]) {
        const res = await agent.get(`/courses/demo/${ONE}`);
        expect(res.statusCode).toBe(200);
        expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
        expect(directives(res.headers['content-security-policy']).has('frame-src')).toBe(false);
        expect(directives(res.headers['content-security-policy']).has('media-src')).toBe(false);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['permissions-policy']).toContain('camera=()');
      }
    });

    it('serves a page with a YouTube embed not isolated, framing the declared player only', async () => {
      for (const agent of [new Agent(app), (await learner('embed@example.org')).agent]) {
        const res = await agent.get(`/courses/demo/${TWO}`);
        expect(res.statusCode).toBe(200);
        expect(res.headers['cross-origin-embedder-policy']).toBe('unsafe-none');
        expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
        expect(res.headers['content-security-policy']).toBe(`${PAGE_CSP}; frame-src https://www.youtube-nocookie.com`);
        const csp = directives(res.headers['content-security-policy']);
        expect(csp.get('frame-src')).toBe('https://www.youtube-nocookie.com');
        expect(csp.get('frame-ancestors')).toBe("'none'");
        expect(csp.get('default-src')).toBe("'self'");
        expect(csp.has('media-src')).toBe(false);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['permissions-policy']).toContain('camera=()');
        expect(res.body).toContain('<iframe src="https://www.youtube-nocookie.com/embed/rfscVS0vtbw"');
      }
    });

    it('keeps the notebook pages and the course page as they were (require-corp, the plain CSP)', async () => {
      // A video page's widened policy is its own: it must not leak to the next page served.
      await new Agent(app).get(`/courses/demo/${TWO}`);
      const page = await new Agent(app).get(`/courses/demo/${NOTEBOOK}`);
      expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
      const course = await new Agent(app).get('/courses/demo');
      expect(course.headers['content-security-policy']).toBe(PAGE_CSP);
    });

    it('has the player, French captions served as WebVTT, the transcript and the script', async () => {
      const res = await new Agent(app).get(`/courses/demo/${ONE}`);
      const page = res.body;
      expect(page).toContain('<video controls');
      expect(page).toMatch(/<source src="\/files\/demo\/[0-9a-f]{16}\/media\/w1-s1\.webm" type="video\/webm">/);
      const track = /<track kind="captions" srclang="fr" label="Français" src="([^"]+)" default>/.exec(page);
      expect(track).not.toBeNull();
      expect(track![1]).toMatch(/^\/files\/demo\/[0-9a-f]{16}\/w1\/w1-s1-av\.fr\.vtt$/);
      const vtt = await new Agent(app).get(track![1]!);
      expect(vtt.statusCode).toBe(200);
      expect(vtt.headers['content-type']).toMatch(/^text\/vtt/);
      expect(vtt.body.replace(/^\uFEFF/, '')).toMatch(/^WEBVTT\r?\n/);
      expect(vtt.body).toContain('00:00:00.500 --> 00:00:04.200');
      expect(vtt.body).toContain('Bonjour, et bienvenue dans ce cours');
      // The transcript: one line per cue, with its time for the client's seek buttons.
      expect(page).toMatch(
        /<li data-start="0\.500" data-end="4\.200"><span class="cue-time">0:00<\/span> <span class="cue-text">Bonjour, et bienvenue dans ce cours<br>pour découvrir Python pas à pas !<\/span><\/li>/,
      );
      expect(page).toContain('la multiplication passe avant l&#39;addition.');
      // The spoken script (w1-s1-av.txt).
      expect(page).toContain('<details class="video-script">');
      expect(page).toContain('N&#39;ayez pas peur des erreurs');
      // A single video is not numbered.
      expect(page).not.toContain('Vidéo 1 sur');
      // The SubRip file stays served as it was.
      const srt = await new Agent(app).get(track![1]!.replace(/\.vtt$/, '.srt'));
      expect(srt.statusCode).toBe(200);
    });

    it('numbers the videos of a two-video sequence, in French and in English', async () => {
      const fr = (await new Agent(app).get(`/courses/demo/${TWO}`)).body;
      expect(fr).toContain('Vidéo 1 sur 2 — Les compréhensions de liste');
      expect(fr).toContain('Vidéo 2 sur 2 — Pour aller plus loin, un cours complet en vidéo');
      expect(fr).toContain('Cette séquence a <strong>2 vidéos</strong>');
      const en = (await new Agent(app).get(`/courses/demo/${TWO}`, { 'accept-language': 'en' })).body;
      expect(en).toContain('Video 1 of 2 — Les compréhensions de liste');
      expect(en).toContain('Video 2 of 2 — Pour aller plus loin');
      expect(en).not.toContain('Vidéo 1 sur 2');
      // The first video's captions are there as well; the embed has none of ours.
      expect(fr.match(/<track kind="captions"/g)).toHaveLength(1);
      expect(fr).toMatch(/src="\/files\/demo\/[0-9a-f]{16}\/w2\/w2-s3a-av\.fr\.vtt"/);
    });

    it('shows the av slideshow notebook in the video page, not as a page of its own', async () => {
      const page = (await new Agent(app).get(`/courses/demo/${ONE}`)).body;
      const config = /<script type="application\/json" id="carnet-notebook">(.*?)<\/script>/s.exec(page);
      expect(config).not.toBeNull();
      const parsed = JSON.parse(config![1]!) as { cells: { id: string }[]; route: string; reading: boolean };
      expect(parsed.route).toBe(ONE);
      expect(parsed.reading).toBe(false);
      expect(parsed.cells.map((c) => c.id)).toEqual(['w1-s1-slide-3', 'w1-s1-exo1']);
      expect(page).toContain('data-cell-id="w1-s1-slide-3"');
      expect(page).toContain('<section class="slides"');
      // The notebook's own route is the video page's; its file name is not another page.
      expect((await new Agent(app).get(`/courses/demo/${ONE}.ipynb`)).body).toContain(
        '<article class="item item-video"',
      );
      // One entry in the course contents (the other link is "start the course").
      const course = (await new Agent(app).get('/courses/demo')).body;
      const entries = course.match(/<li>[\s\S]*?<\/li>/g)!.filter((l) => l.includes(`/courses/demo/${ONE}"`));
      expect(entries).toHaveLength(1);
      expect(course).toContain(`<a class="button" href="/courses/demo/${ONE}"`);
    });

    it('serves a CDN video page credentialless, with media-src widened to that CDN only', async () => {
      const course = makeCourse(CDN_COURSE);
      try {
        const summary = await importCourse(t.db, { source: course.dir, slug: 'cdn', dataDir: t.dataDir });
        expect(summary.errors).toEqual([]);
        expect(summary.status).toBe('imported');
      } finally {
        course.cleanup();
      }
      const res = await new Agent(app).get(`/courses/cdn/${ONE}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cross-origin-embedder-policy']).toBe('credentialless');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['content-security-policy']).toBe(`${PAGE_CSP}; media-src 'self' https://cdn.example.org`);
      expect(directives(res.headers['content-security-policy']).has('frame-src')).toBe(false);
      expect(res.body).toContain('<source src="https://cdn.example.org/w1-s1.mp4" type="video/mp4">');
      expect(res.body).toContain(
        '<source src="https://cdn.example.org/w1-s1-360.webm" type="video/webm" data-label="360p">',
      );
      expect(res.body).toContain('Bonjour depuis le CDN');
    });

    it.each([
      [
        'a course file that does not exist',
        'videos:\n  w1-s1:\n    file: media/absente.webm\n',
        4,
        /media\/absente\.webm, which is not in the course folder/,
      ],
      ['an ftp URL', 'videos:\n  w1-s1:\n    url: ftp://cdn.example.org/w1-s1.mp4\n', 4, /is not an http\(s\) URL/],
      ['a javascript: URL', 'videos:\n  w1-s1:\n    url: "javascript:alert(1)//x.mp4"\n', 4, /not an http\(s\) URL/],
      ['a YouTube id of the wrong shape', 'videos:\n  w1-s1:\n    youtube: "abc<script>"\n', 4, /not a YouTube video/],
      [
        'a YouTube URL of another site',
        'videos:\n  w1-s1:\n    youtube: https://evil.example.org/watch?v=rfscVS0vtbw\n',
        4,
        /not a YouTube video/,
      ],
      [
        'a PeerTube page that is no video',
        'videos:\n  w1-s1:\n    peertube: https://tube.example.org/about\n',
        4,
        /not a PeerTube video/,
      ],
      ['a path out of the course', 'videos:\n  w1-s1:\n    file: ../secret.webm\n', 4, /inside the course folder/],
      ['two sources', 'videos:\n  w1-s1:\n    file: media/a.webm\n    youtube: rfscVS0vtbw\n', 4, /several sources/],
    ])('refuses to import %s, naming the carnet.yml line', async (_what, yml, line, message) => {
      const course = makeCourse({
        'carnet.yml': `title: Vidéo cassée\n${yml}`,
        'w1/w1-s1-c1-intro.md': notebook('Intro'),
        'media/a.webm': 'x',
      });
      try {
        const summary = await importCourse(t.db, { source: course.dir, slug: 'broken-video', dataDir: t.dataDir });
        expect(summary.status).toBe('failed');
        expect(summary.errors).toEqual([expect.objectContaining({ file: 'carnet.yml', line, code: 'carnet.videos' })]);
        expect(summary.errors[0]!.message).toMatch(message);
      } finally {
        course.cleanup();
      }
      expect((await new Agent(app).get('/courses/broken-video')).statusCode).toBe(404);
    });

    it('refuses to import subtitles with a bad timestamp or cues out of order, naming the file and line', async () => {
      const course = makeCourse({
        'carnet.yml': 'title: Sous-titres cassés\nvideos:\n  w1-s1:\n    youtube: rfscVS0vtbw\n',
        'w1/w1-s1-c1-intro.md': notebook('Intro'),
        'w1/w1-s1-av.fr.srt':
          '1\n00:00:01,000 --> 00:00:02,000\nUn\n\n2\n00:00:03,000 --> 00:00:02,500\nÀ l’envers\n\n3\n00:00:04,000 --> 00:00:75,000\nTrop de secondes\n',
      });
      try {
        const summary = await importCourse(t.db, { source: course.dir, slug: 'bad-srt', dataDir: t.dataDir });
        expect(summary.status).toBe('failed');
        expect(summary.errors.map((e) => [e.file, e.line, e.code])).toEqual([
          ['w1/w1-s1-av.fr.srt', 6, 'srt.order'],
          ['w1/w1-s1-av.fr.srt', 10, 'srt.timing'],
        ]);
      } finally {
        course.cleanup();
      }
      expect((await new Agent(app).get('/courses/bad-srt')).statusCode).toBe(404);
    });
  });

  describe('the video page runs and saves its code like a notebook', () => {
    it('saves a slide cell and a video-code cell through /api/work, and reads them back', async () => {
      const { agent } = await learner('coder@example.org');
      const work = `/api/work/demo/${ONE}`;
      const first = await agent.get(work);
      expect(first.statusCode).toBe(200);
      expect(first.json().cells).toEqual([]);
      const page = (await new Agent(app).get(`/courses/demo/${ONE}`)).body;
      const cells = (
        JSON.parse(/id="carnet-notebook">(.*?)<\/script>/s.exec(page)![1]!) as {
          cells: { id: string; source: string }[];
        }
      ).cells;
      for (const [i, cell] of cells.entries()) {
        const saved = await agent.json(
          'PUT',
          `${work}/cells/${encodeURIComponent(cell.id)}`,
          { code: `print(${i})`, original: cell.source, baseVersion: 0 },
          { csrf: true },
        );
        expect(saved.statusCode, saved.body).toBe(200);
        expect(saved.json()).toEqual({ version: 1, updatedAt: now.toISOString() });
      }
      const back = (await agent.get(work)).json();
      expect(new Map(back.cells.map((c: { cellId: string; code: string }) => [c.cellId, c.code]))).toEqual(
        new Map([
          ['w1-s1-slide-3', 'print(0)'],
          ['w1-s1-exo1', 'print(1)'],
        ]),
      );
      // A cell id of the slideshow notebook without its video prefix is no cell of this page.
      const bare = await agent.json(
        'PUT',
        `${work}/cells/slide-3`,
        { code: 'x', original: '', baseVersion: 0 },
        { csrf: true },
      );
      expect(bare.statusCode).toBe(404);
      // A video page has no notebook to download.
      expect((await agent.get(`${work}/download?format=ipynb`)).statusCode).toBe(404);
    });
  });

  describe('the watched API', () => {
    it('refuses anonymous readers (401) and writes without the CSRF token (403)', async () => {
      const visitor = new Agent(app);
      const read = await visitor.get(videosUrl(ONE));
      expect(read.statusCode).toBe(401);
      expect(read.json().error).toBe('LOGIN_REQUIRED');
      const token = await visitor.csrf('/login');
      const write = await visitor.json('PUT', videosUrl(ONE), { video: 'w1-s1', duration: 24 }, { csrf: token });
      expect(write.statusCode).toBe(401);
      const { agent } = await learner('nocsrf@example.org');
      const none = await agent.json('PUT', videosUrl(ONE), { video: 'w1-s1', duration: 24, segments: [[0, 24]] });
      expect(none.statusCode).toBe(403);
      const wrong = await agent.json(
        'PUT',
        videosUrl(ONE),
        { video: 'w1-s1', duration: 24, segments: [[0, 24]] },
        { csrf: 'not-the-token' },
      );
      expect(wrong.statusCode).toBe(403);
      const crossSite = await agent.json(
        'PUT',
        videosUrl(ONE),
        { video: 'w1-s1', duration: 24, segments: [[0, 24]] },
        { csrf: true, headers: { 'sec-fetch-site': 'cross-site' } },
      );
      expect(crossSite.statusCode).toBe(403);
      expect((await agent.get(videosUrl(ONE))).json()).toEqual({ videos: {}, progress: 'not-started' });
    });

    it('answers an empty view before any report, never cached', async () => {
      const { agent } = await learner('empty@example.org');
      const res = await agent.get(videosUrl(ONE));
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({ videos: {}, progress: 'not-started' });
    });

    it('records where the learner stopped and what they played, merged across visits', async () => {
      const { agent } = await learner('viewer@example.org');
      const first = await report(agent, { video: 'w1-s1', duration: 24, position: 6, segments: [[0, 6]] });
      expect(first.statusCode).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.json()).toEqual({
        videos: { 'w1-s1': { position: 6, duration: 24, share: 0.25, watched: false } },
        progress: 'started',
      });
      // Another visit: the player's ranges start again from what this visit played.
      const second = await report(agent, { video: 'w1-s1', duration: 24, position: 12, segments: [[5.9, 12]] });
      expect(second.json().videos['w1-s1']).toEqual({ position: 12, duration: 24, share: 0.5, watched: false });
      expect((await agent.get(videosUrl(ONE))).json().videos['w1-s1']).toEqual({
        position: 12,
        duration: 24,
        share: 0.5,
        watched: false,
      });
      // A report of the position alone keeps the segments.
      const pause = await report(agent, { video: 'w1-s1', position: 3 });
      expect(pause.json().videos['w1-s1']).toEqual({ position: 3, duration: 24, share: 0.5, watched: false });
    });

    it('refuses an unknown video, and "watched: true" for a video our player measures (400)', async () => {
      const { agent } = await learner('unknown@example.org');
      for (const [route, video] of [
        [ONE, 'w9-s9'],
        [ONE, 'w2-s3a'],
        [TWO, 'w1-s1'],
        [TWO, 'w2-s3'],
      ] as const) {
        const res = await report(agent, { video, duration: 10, segments: [[0, 10]] }, route);
        expect(res.statusCode, `${route} ${video}`).toBe(400);
        expect(res.json().error).toBe('BAD_REQUEST');
      }
      for (const [route, video] of [
        [ONE, 'w1-s1'],
        [TWO, 'w2-s3a'],
      ] as const) {
        const res = await report(agent, { video, watched: true }, route);
        expect(res.statusCode).toBe(400);
      }
      expect((await agent.get(videosUrl(ONE))).json().videos).toEqual({});
      expect((await agent.get(videosUrl(TWO))).json().videos).toEqual({});
    });

    it('counts played segments, not the seek bar: jumping to the end watches nothing', async () => {
      const { agent } = await learner('seeker@example.org');
      const res = await report(agent, {
        video: 'w1-s1',
        duration: 24,
        position: 24,
        segments: [
          [0, 1],
          [23, 24],
        ],
      });
      expect(res.statusCode).toBe(200);
      const view = res.json().videos['w1-s1'];
      expect(view.watched).toBe(false);
      expect(view.share).toBeCloseTo(2 / 24, 5);
      expect(res.json().progress).toBe('started');
      // The same range reported again and again adds nothing.
      for (let i = 0; i < 5; i++) await report(agent, { video: 'w1-s1', duration: 24, segments: [[0, 1]] });
      const again = (await agent.get(videosUrl(ONE))).json().videos['w1-s1'];
      expect(again.share).toBeCloseTo(2 / 24, 5);
      expect(again.watched).toBe(false);
    });

    it('clips segments to the duration, and keeps the longest duration seen', async () => {
      const { agent } = await learner('clipper@example.org');
      // Beyond the end: clipped, the share never passes 1; a reversed range counts for nothing.
      const past = await report(agent, {
        video: 'w1-s1',
        duration: 24,
        segments: [
          [0, 6],
          [30, 80_000],
          [12, 10],
        ],
      });
      expect(past.json().videos['w1-s1']).toMatchObject({ duration: 24, share: 0.25, watched: false });
      // A shorter duration reported later (a truncated load, or a forger) does not shrink the video.
      const shorter = await report(agent, { video: 'w1-s1', duration: 6, segments: [[0, 6]] });
      expect(shorter.json().videos['w1-s1']).toMatchObject({ duration: 24, share: 0.25, watched: false });
      // 90 % of the longest duration is needed: 21.5 s of 24 is not enough, 21.6 s is.
      const almost = await report(agent, { video: 'w1-s1', duration: 24, segments: [[6, 21.5]] });
      expect(almost.json().videos['w1-s1'].watched).toBe(false);
      const enough = await report(agent, { video: 'w1-s1', duration: 24, segments: [[21.5, 21.6]] });
      expect(enough.json().videos['w1-s1']).toMatchObject({ watched: true });
      expect(enough.json().progress).toBe('done');
      // One range past a huge duration is clipped to it: share 1 at most.
      const other = await learner('clipper2@example.org');
      const huge = await report(other.agent, { video: 'w1-s1', duration: 24, segments: [[0, 86_400]] });
      expect(huge.json().videos['w1-s1']).toMatchObject({ duration: 24, share: 1, watched: true });
    });

    it('adds up small reports across visits to 90 %, and a watched video stays watched', async () => {
      const { agent } = await learner('patient@example.org');
      // Twenty visits of one second each, every other second: never contiguous, 20 s of 24 in all.
      for (let i = 0; i < 20; i++) {
        const res = await report(agent, { video: 'w1-s1', duration: 24, position: i + 1, segments: [[i, i + 1]] });
        expect(res.statusCode).toBe(200);
        expect(res.json().videos['w1-s1'].watched).toBe(i + 1 >= 21.6);
      }
      expect((await agent.get(videosUrl(ONE))).json().videos['w1-s1'].watched).toBe(false);
      const last = await report(agent, { video: 'w1-s1', duration: 24, segments: [[20, 22]] });
      expect(last.json().videos['w1-s1']).toMatchObject({ watched: true });
      expect(last.json().progress).toBe('done');
      // Watching it again from the start, or a longer duration reported, never unwatches it.
      const rewatch = await report(agent, { video: 'w1-s1', duration: 48, position: 1, segments: [[0, 1]] });
      expect(rewatch.json().videos['w1-s1']).toMatchObject({ watched: true, position: 1 });
      expect(rewatch.json().progress).toBe('done');
      expect((await agent.get(videosUrl(ONE))).json()).toMatchObject({
        videos: { 'w1-s1': { watched: true } },
        progress: 'done',
      });
    });

    it('loses no played range and no "watched" when reports of two tabs cross', async () => {
      const { agent } = await learner('two-tabs@example.org');
      const csrf = (await agent.session()).csrf!;
      // Eight reports at once, each of its own 3 s of a 24 s video: together, all of it.
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          agent.json('PUT', videosUrl(ONE), { video: 'w1-s1', duration: 24, segments: [[i * 3, i * 3 + 3]] }, { csrf }),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
      const view = (await agent.get(videosUrl(ONE))).json();
      expect(view.videos['w1-s1']).toMatchObject({ share: 1, watched: true });
      expect(view.progress).toBe('done');
      // The two videos of a page watched at once: each report sees the other, the page is done.
      const [a, b] = await Promise.all([
        agent.json('PUT', videosUrl(TWO), { video: 'w2-s3a', duration: 12, segments: [[0, 12]] }, { csrf }),
        agent.json('PUT', videosUrl(TWO), { video: 'w2-s3b', watched: true }, { csrf }),
      ]);
      expect([a!.statusCode, b!.statusCode]).toEqual([200, 200]);
      expect((await agent.get(videosUrl(TWO))).json()).toMatchObject({
        videos: { 'w2-s3a': { watched: true }, 'w2-s3b': { watched: true } },
        progress: 'done',
      });
    });

    it("keeps a learner's views their own", async () => {
      const a = await learner('alice-video@example.org');
      const b = await learner('bob-video@example.org');
      await report(a.agent, { video: 'w1-s1', duration: 24, position: 20, segments: [[0, 24]] });
      await report(a.agent, { video: 'w2-s3b', watched: true }, TWO);
      expect((await b.agent.get(videosUrl(ONE))).json()).toEqual({ videos: {}, progress: 'not-started' });
      expect((await b.agent.get(videosUrl(TWO))).json()).toEqual({ videos: {}, progress: 'not-started' });
      // B's report starts from nothing, and leaves A's as it was.
      const mine = await report(b.agent, { video: 'w1-s1', duration: 24, position: 2, segments: [[0, 2]] });
      expect(mine.json().videos['w1-s1']).toMatchObject({ position: 2, watched: false });
      expect(mine.json().progress).toBe('started');
      expect((await a.agent.get(videosUrl(ONE))).json()).toMatchObject({
        videos: { 'w1-s1': { position: 20, watched: true } },
        progress: 'done',
      });
    });

    it('gives a learner their views in their data export, and deletes them with the account', async () => {
      const { user, agent } = await learner('leaving-video@example.org');
      await report(agent, { video: 'w1-s1', duration: 24, position: 7.5, segments: [[0, 7.5]] });
      await report(agent, { video: 'w2-s3b', watched: true }, TWO);
      const data = (await agent.get('/account/export')).json();
      expect(data.video_views).toEqual([
        expect.objectContaining({
          course: 'demo',
          route: ONE,
          video: 'w1-s1',
          position: 7.5,
          duration: 24,
          watched: 0,
        }),
        expect.objectContaining({ course: 'demo', route: TWO, video: 'w2-s3b', watched: 1 }),
      ]);
      expect(JSON.parse(data.video_views[0].segments)).toEqual([[0, 7.5]]);
      const rows = () => t.db.kysely.selectFrom('video_views').select('video').where('user_id', '=', user.id).execute();
      expect(await rows()).toHaveLength(2);
      const gone = await agent.post('/account/delete', { confirm_password: user.password }, { tokenFrom: '/account' });
      expect(gone.statusCode).toBe(200);
      expect(gone.body).toContain('Compte supprimé');
      expect(await rows()).toEqual([]);
    });

    it('refuses malformed reports (400) and stores nothing of them', async () => {
      const { agent } = await learner('malformed@example.org');
      const many = Array.from({ length: 501 }, (_, i): [number, number] => [i, i + 0.5]);
      const bodies: unknown[] = [
        {},
        { video: 'w1-s1', segments: many },
        { video: 'w1-s1', duration: -1 },
        { video: 'w1-s1', duration: 1e300 },
        { video: 'w1-s1', duration: 86_401 },
        { video: 'w1-s1', duration: 'NaN' },
        { video: 'w1-s1', duration: null },
        { video: 'w1-s1', position: -0.5 },
        { video: 'w1-s1', position: 1e9 },
        { video: 'w1-s1', duration: 24, segments: [[0, 'NaN']] },
        { video: 'w1-s1', duration: 24, segments: [[0, null]] },
        { video: 'w1-s1', duration: 24, segments: [[-1, 3]] },
        { video: 'w1-s1', duration: 24, segments: [[0, 1e308]] },
        { video: 'w1-s1', duration: 24, segments: [[0, 1, 2]] },
        { video: 'w1-s1', duration: 24, segments: [[0]] },
        { video: 'w1-s1', duration: 24, segments: [0, 24] },
        { video: 'w1-s1', duration: 24, segments: { 0: [0, 24] } },
        { video: 'w1-s1', watched: false },
        { video: 'w1-s1', watched: 'yes' },
        { video: ['w1-s1'], duration: 24 },
        { video: 'x'.repeat(17), duration: 24 },
        [{ video: 'w1-s1', duration: 24 }],
      ];
      for (const body of bodies) {
        const res = await report(agent, body as object);
        expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      }
      // The largest report allowed is 500 segments.
      const most = await report(agent, { video: 'w1-s1', duration: 24, segments: many.slice(0, 500) });
      expect(most.statusCode).toBe(200);
      // NaN and infinities are not JSON: as raw text they are refused too.
      for (const raw of [
        '{"video":"w1-s1","duration":NaN}',
        '{"video":"w1-s1","duration":Infinity}',
        '{"video":"w1-s1","duration":24,"segments":[[0,1e999]]}',
      ]) {
        const res = await app.inject({
          method: 'PUT',
          url: videosUrl(ONE),
          remoteAddress: agent.ip,
          headers: {
            cookie: [...agent.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '),
            'content-type': 'application/json',
            'sec-fetch-site': 'same-origin',
            'x-csrf-token': (await agent.session()).csrf!,
          },
          payload: raw,
        });
        expect(res.statusCode, raw).toBe(400);
      }
    });

    it('keeps the stored played ranges bounded: a report that would leave more than 1000 apart is refused', async () => {
      const { agent } = await learner('fragments@example.org');
      // 500 ranges of 0.3 s, 0.6 s apart (never merged), per report: the row would grow without end.
      const scattered = (from: number) =>
        Array.from({ length: 500 }, (_, i): [number, number] => [(from + i) * 0.6, (from + i) * 0.6 + 0.3]);
      expect((await report(agent, { video: 'w1-s1', duration: 3600, segments: scattered(0) })).statusCode).toBe(200);
      expect((await report(agent, { video: 'w1-s1', duration: 3600, segments: scattered(500) })).statusCode).toBe(200);
      const third = await report(agent, { video: 'w1-s1', duration: 3600, segments: scattered(1000) });
      expect(third.statusCode).toBe(400);
      expect(third.json().error).toBe('BAD_REQUEST');
      const kept = (await agent.get(videosUrl(ONE))).json().videos['w1-s1'];
      expect(kept.share).toBeCloseTo((1000 * 0.3) / 3600, 3);
      // Playing through them merges them: the learner is never stuck.
      const through = await report(agent, { video: 'w1-s1', duration: 3600, segments: [[0, 3600]] });
      expect(through.statusCode).toBe(200);
      expect(through.json().videos['w1-s1']).toMatchObject({ share: 1, watched: true });
    });

    it('answers 404 for a notebook or quiz route, another course, an unknown page', async () => {
      const { agent } = await learner('lost@example.org');
      const body = { video: 'w1-s1', duration: 24, segments: [[0, 24]] };
      for (const url of [
        videosUrl(NOTEBOOK),
        videosUrl('w1/w1-s3-q1-premiers-pas'),
        videosUrl('w1/nope-av'),
        videosUrl(ONE, 'nope'),
        // The other course's video page has another route; the demo's routes are not its own.
        videosUrl(TWO, 'cdn'),
        videosUrl(''),
        '/api/videos/demo',
        videosUrl('../../etc/passwd'),
      ]) {
        expect((await agent.get(url)).statusCode, url).toBe(404);
        expect((await agent.json('PUT', url, body, { csrf: true })).statusCode, url).toBe(404);
      }
    });

    it('takes "watched" by hand for a platform embed only', async () => {
      const { agent } = await learner('embedder@example.org');
      const res = await report(agent, { video: 'w2-s3b', watched: true }, TWO);
      expect(res.statusCode).toBe(200);
      expect(res.json().videos['w2-s3b']).toMatchObject({ watched: true });
      // The other video of the page is not watched: the page is started, not done.
      expect(res.json().progress).toBe('started');
    });
  });

  describe('progress', () => {
    it('marks a two-video page done only when both are watched, on the course and progress pages', async () => {
      const { agent } = await learner('both@example.org', { enrol: true });
      const course = async () => (await agent.get('/courses/demo')).body;
      const progressPage = async () => (await agent.get('/courses/demo/progress')).body;
      expect(statusOf(await course(), TWO)).toBe('Non commencé');
      expect(await progressPage()).toContain('Vidéos vues : 0 sur 2');
      expect(statusOf(await progressPage(), TWO)).toBe('Non commencé');

      const embed = await report(agent, { video: 'w2-s3b', watched: true }, TWO);
      expect(embed.json().progress).toBe('started');
      expect(statusOf(await course(), TWO)).toBe('Commencé');
      expect(statusOf(await progressPage(), TWO)).toBe('Commencé');

      const half = await report(agent, { video: 'w2-s3a', duration: 12, segments: [[0, 6]] }, TWO);
      expect(half.json().progress).toBe('started');
      const rest = await report(agent, { video: 'w2-s3a', duration: 12, segments: [[6, 12]] }, TWO);
      expect(rest.json()).toMatchObject({
        videos: { 'w2-s3a': { watched: true }, 'w2-s3b': { watched: true } },
        progress: 'done',
      });
      expect(statusOf(await course(), TWO)).toBe('Terminé');
      const page = await progressPage();
      expect(statusOf(page, TWO)).toBe('Terminé');
      expect(statusOf(page, ONE)).toBe('Non commencé');
      expect(page).toContain('Vidéos vues : 1 sur 2');
      expect((await agent.get('/courses/demo/progress', { 'accept-language': 'en' })).body).toContain(
        'Videos watched: 1 of 2',
      );
    });

    it('does not let the reading button mark a video page done without watching it', async () => {
      const { agent } = await learner('shortcut@example.org', { enrol: true });
      const res = await agent.json(
        'PUT',
        `/api/progress/demo/${ONE}`,
        { state: 'done', reason: 'button' },
        { csrf: true },
      );
      expect(res.statusCode).toBe(404);
      expect((await agent.get(videosUrl(ONE))).json().progress).toBe('not-started');
      expect(statusOf((await agent.get('/courses/demo')).body, ONE)).toBe('Non commencé');
      expect((await agent.get('/courses/demo/progress')).body).toContain('Vidéos vues : 0 sur 2');
    });

    it('counts video pages in the progress bars only once staff say so', async () => {
      const { agent } = await learner('counted@example.org', { enrol: true });
      await report(agent, { video: 'w1-s1', duration: 24, segments: [[0, 24]] });
      const total = notebooks.length;
      const before = (await agent.get('/courses/demo')).body;
      expect(statusOf(before, ONE)).toBe('Terminé');
      expect(before).toContain(`0 / ${total} notebooks terminés`);
      expect((await agent.get('/me')).body).toContain(`0 / ${total} notebooks terminés`);

      // Staff tick "videos count" on the session's form.
      const form = (await admin.get(`/manage/courses/demo/runs/${run.slug}`)).body;
      expect(form).toContain('name="videosCount"');
      const edit = await admin.post(
        `/manage/courses/demo/runs/${run.slug}`,
        { title: run.title, mode: 'self-paced', startsAt: '2026-01-01T00:00', videosCount: '1' },
        { tokenFrom: '/me' },
      );
      expect(edit.statusCode, edit.body.slice(0, 300)).toBe(303);
      expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.videos_count).toBe(1);
      expect((await admin.get(`/manage/courses/demo/runs/${run.slug}`)).body).toMatch(
        /name="videosCount"\s+value="1"\s+checked/,
      );

      const after = (await agent.get('/courses/demo')).body;
      expect(after).toContain(`1 / ${total + 2} notebooks et vidéos terminés`);
      expect(after).toMatch(
        new RegExp(`<progress max="${total + 2}" value="1" aria-label="Progression dans le cours">`),
      );
      expect((await agent.get('/me')).body).toContain(`1 / ${total + 2} notebooks et vidéos terminés`);
      // Someone not in the session: videos do not count for them.
      const outsider = await learner('outsider-video@example.org');
      await report(outsider.agent, { video: 'w1-s1', duration: 24, segments: [[0, 24]] });
      expect((await outsider.agent.get('/courses/demo')).body).toContain(`0 / ${total} notebooks terminés`);

      // Unticked: back to notebooks only.
      await admin.post(
        `/manage/courses/demo/runs/${run.slug}`,
        { title: run.title, mode: 'self-paced', startsAt: '2026-01-01T00:00' },
        { tokenFrom: '/me' },
      );
      expect((await selectOptionalRunBySlug(t.db.kysely, 'demo', run.slug))!.videos_count).toBe(0);
      expect((await agent.get('/courses/demo')).body).toContain(`0 / ${total} notebooks terminés`);
    });
  });
});
