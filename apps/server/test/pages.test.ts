import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

describe.each(DIALECTS)('pages on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let tag: string;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    const summary = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    tag = summary.tag;
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('lists the demo course in the catalogue, in French by default', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<html lang="fr">');
    expect(res.body).toContain('Catalogue des cours');
    expect(res.body).toContain('href="/courses/demo"');
    expect(res.body).toMatch(/<main id="main"/);
  });

  it('speaks English when the browser prefers it, and the choice made in the switch wins', async () => {
    const english = await get('/', { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Course catalogue');
    expect(english.headers['vary']).toContain('Accept-Language');
    const switched = await get('/lang/fr?next=%2Fcourses%2Fdemo', { 'accept-language': 'en' });
    expect(switched.statusCode).toBe(303);
    expect(switched.headers['location']).toBe('/courses/demo');
    const cookie = String(switched.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toBe('carnet_lang=fr');
    const french = await get('/', { 'accept-language': 'en', cookie });
    expect(french.body).toContain('<html lang="fr">');
  });

  it('never redirects outside the site from the language switch', async () => {
    for (const next of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await get(`/lang/en?next=${encodeURIComponent(next)}`);
      expect(res.headers['location']).toBe('/');
    }
  });

  it('shows the course contents by week and sequence, with the kind of each item', async () => {
    const res = await get('/courses/demo');
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('Semaine 1');
    expect(body).toMatch(/class="kind kind-complement">Complément</);
    expect(body).toMatch(/class="kind kind-exercise">Exercice</);
    expect(body).toMatch(/class="kind kind-quiz">Quiz</);
    // Sequence titles come from CONTENTS.md.
    expect(body).toContain('Les chaînes de caractères');
    // The second track of nbhosting.yaml (exercises only) is there too.
    expect(body).toMatch(/<details class="track">/);
    expect(body).toContain('href="/courses/demo/w1/w1-s2-c1-chaines"');
  });

  it('renders a notebook page with math, admonitions and side-by-side cells, cross-origin isolated', async () => {
    const res = await get('/courses/demo/w1/w1-s1-c1-nombres');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const body = res.body;
    expect(body).toContain('class="katex"');
    expect(body).toContain('class="admonition');
    expect(body).toMatch(/<div class="nb-row"><div class="nb-cell [^"]*nb-w-1-2/);
    expect(body).toMatch(/rel="next" href="\/courses\/demo\/w1\/w1-s2-c1-chaines"/);
    // The outline of the page, from its headings, links to their ids.
    const toc = /<aside class="toc"[\s\S]*?<\/aside>/.exec(body)![0];
    const targets = [...toc.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThanOrEqual(3);
    for (const id of targets) expect(body).toContain(`id="${id}"`);
    expect(body).toContain('class="licence"');
    // UI strings in stored fragments are filled in for the reader.
    expect(body).not.toMatch(/[\uE000-\uE003]/);
    expect(body).toContain('Erreur attendue');
  });

  it('accepts a notebook address with its file extension, and sends /courses/demo/ to the contents', async () => {
    expect((await get('/courses/demo/w1/w1-s1-c1-nombres.md')).statusCode).toBe(200);
    const slash = await get('/courses/demo/');
    expect(slash.statusCode).toBe(301);
    expect(slash.headers['location']).toBe('/courses/demo');
  });

  it('serves the stored notebook outputs of an .ipynb', async () => {
    const res = await get('/courses/demo/w2/w2-s2-c1-dictionnaires');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('nb-stream');
    expect(res.body).toMatch(/<img alt="" src="data:image\/png;base64,/);
    expect(res.body).toContain('class="nb-output nb-error"');
    expect(res.body).not.toContain('\u001b[');
  });

  it('shows quiz questions but never their answers or explanations', async () => {
    const res = await get('/courses/demo/w1/w1-s3-q1-premiers-pas');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<fieldset class="quiz-question quiz-single"/);
    expect(res.body).toMatch(/<input type="radio" name="p\d+q\d+" id="p\d+q\d+-0" value="0"><label for="p\d+q\d+-0">/);
    const stored = await t.db.kysely.selectFrom('quiz_keys').select(['route', 'quiz']).execute();
    expect(stored.length).toBe(3);
    let checked = 0;
    for (const { route, quiz } of stored) {
      const page = (await get(`/courses/demo/${route}`)).body;
      for (const secret of secretsOf(JSON.parse(quiz))) {
        expect(page).not.toContain(secret);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('answers a missing course, page or file with a helpful 404 in the reader language', async () => {
    const course = await get('/courses/nope');
    expect(course.statusCode).toBe(404);
    expect(course.body).toContain('Il n&#39;y a pas de cours à cette adresse');
    const item = await get('/courses/demo/w9/rien', { 'accept-language': 'en' });
    expect(item.statusCode).toBe(404);
    expect(item.body).toContain('This course has no page at this address');
    expect(item.body).toContain('href="/courses/demo"');
    expect((await get('/nowhere')).statusCode).toBe(404);
  });

  it('serves course files with their type, a strong ETag and immutable caching', async () => {
    const url = `/files/demo/${tag}/data/poeme.txt`;
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toBe(readFileSync(join(DEMO_COURSE, 'data/poeme.txt'), 'utf8'));
    const again = await get(url, { 'if-none-match': String(res.headers['etag']) });
    expect(again.statusCode).toBe(304);
    const svg = await get(`/files/demo/${tag}/media/etiquettes.svg`);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    // Even an SVG or HTML file of a course cannot run script in our origin.
    expect(svg.headers['content-security-policy']).toContain('sandbox');
  });

  it('never serves quizzes or exercise modules, which hold the answers', async () => {
    for (const path of ['w1/w1-s3-q1-premiers-pas.quiz', 'modules/corrections/exo_duree.py']) {
      expect((await get(`/files/demo/${tag}/${path}`)).statusCode).toBe(404);
    }
    expect((await get(`/files/demo/${tag}/modules/outils.py`)).statusCode).toBe(200);
  });

  it('does not let a path climb out of a course version', async () => {
    for (const path of [
      '../../../etc/passwd',
      '..%2F..%2Fetc%2Fpasswd',
      'data/../../carnet.db',
      '%2e%2e/%2e%2e/carnet.db',
    ]) {
      const res = await get(`/files/demo/${tag}/${path}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('root:');
    }
  });

  it('hides internal errors behind a generic page with a reference', async () => {
    const broken = await createTestDb(dialect);
    const brokenApp = await buildApp({
      config: loadConfig({}, { dataDir: broken.dataDir }),
      db: broken.db,
      logger: false,
    });
    try {
      // The table every page reads, gone under another name (nothing else to drop first, whatever
      // references it: a new table never breaks this test).
      await broken.db.kysely.schema.alterTable('course_versions').renameTo('versions_gone').execute();
      const res = await brokenApp.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'en' } });
      expect(res.statusCode).toBe(500);
      expect(res.body).toContain('Something went wrong');
      expect(res.body).toMatch(/report it with this code: [0-9a-f]{8}[0-9a-z]{4,}\./);
      expect(res.body).not.toMatch(/course_versions|versions_gone|SQLITE|relation|stack|at \//i);
    } finally {
      await brokenApp.close();
      await broken.cleanup();
    }
  });

  it('reports its health', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: dialect });
  });

  it('serves the client assets with immutable caching', async () => {
    const page = await get('/');
    const css = /href="(\/assets\/main-[A-Z0-9]+\.css)"/.exec(page.body)![1]!;
    const res = await get(css);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.body).toContain('.katex');
  });
});

/** Every secret string of a stored quiz: explanations, feedback, correct options, answers. */
function secretsOf(quiz: { problems: { blocks: { type: string; question?: Record<string, unknown> }[] }[] }): string[] {
  const secrets: string[] = [];
  for (const problem of quiz.problems) {
    for (const block of problem.blocks) {
      const q = block.question;
      if (!q) continue;
      if (typeof q['explanation'] === 'string') secrets.push(q['explanation']);
      for (const option of (q['options'] as { feedback?: string | null }[] | undefined) ?? []) {
        if (option.feedback) secrets.push(option.feedback);
      }
      if (q['kind'] === 'text') secrets.push(...(q['answers'] as string[]));
    }
  }
  // Short strings could appear by chance in the page (a one-word answer): test the distinctive ones.
  return secrets.map((s) => s.replace(/<[^>]+>/g, '').trim()).filter((s) => s.length >= 12);
}

describe.each(DIALECTS)('the unsafe grading banner on %s', (dialect) => {
  let t: TestDb;
  let unsafe: FastifyInstance;
  let safe: FastifyInstance;
  const PAGES = [
    '/',
    '/courses/demo',
    '/courses/demo/w1/w1-s1-c1-nombres',
    '/courses/demo/w1/w1-s3-q1-premiers-pas',
    '/login',
    '/courses/demo/no-such-page',
  ];
  beforeAll(async () => {
    t = await createTestDb(dialect);
    await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    const config = loadConfig({}, { dataDir: t.dataDir });
    unsafe = await buildApp({
      config,
      db: t.db,
      logger: false,
      grading: { sandbox: undefined, unsafe: true, problem: 'UNSAFE GRADING (test)' },
    });
    safe = await buildApp({
      config,
      db: t.db,
      logger: false,
      grading: { sandbox: undefined, unsafe: false, problem: 'bubblewrap was not found (test)' },
    });
  });
  afterAll(async () => {
    await unsafe.close();
    await safe.close();
    await t.cleanup();
  });

  const banner =
    /<div class="unsafe-grading" role="alert">\s*<p><strong>Attention : serveur de développement.<\/strong>/;

  it('is on every kind of page, cached ones included, in the reader’s language, first in the body', async () => {
    for (const url of PAGES) {
      // Twice: the second answer of a course page comes from the page cache.
      for (let i = 0; i < 2; i++) {
        const res = await unsafe.inject({ method: 'GET', url });
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.body, url).toMatch(banner);
        expect(res.body).toContain('sans bac à sable');
        expect(res.body.indexOf('unsafe-grading')).toBeLessThan(res.body.indexOf('<header'));
      }
    }
    const english = await unsafe.inject({ method: 'GET', url: '/courses/demo', headers: { 'accept-language': 'en' } });
    expect(english.body).toContain('Warning: development server.');
    expect(english.body).toContain('Exercises run without a sandbox');
  });

  it('is never there when grading is sandboxed or refused', async () => {
    for (const url of PAGES) {
      for (let i = 0; i < 2; i++) {
        const res = await safe.inject({ method: 'GET', url });
        expect(res.body, url).not.toContain('unsafe-grading');
      }
    }
  });
});
