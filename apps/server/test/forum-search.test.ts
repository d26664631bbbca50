import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { excerpt, ftsExpression, searchTerms } from '../src/lib/forum/search.ts';
import { ORDERED_SCAN_MATCHES } from '../src/models/forum-search.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, notebook } from './fixtures.ts';

const SEARCH = '/courses/demo/forum/search';
const SIMILAR = '/courses/demo/forum/similar';
const threadUrl = (id: number, slug = 'demo') => `/courses/${slug}/forum/threads/${id}`;
const search = (q: string, extra = '') => `${SEARCH}?q=${encodeURIComponent(q)}${extra}`;

/** The thread ids a results page links to, in order. */
const found = (page: string): number[] =>
  [...page.matchAll(/<h3 class="forum-row-title">\s*<a href="\/courses\/demo\/forum\/threads\/(\d+)"/g)].map((m) =>
    Number(m[1]),
  );

/** Tags that could run script or load from elsewhere (author text is escaped, so every `<name` is ours). */
function unsafeTags(page: string): string[] {
  return (page.match(/<[a-z][^>]*>/gi) ?? []).filter(
    (tag) =>
      /^<(img|iframe|object|embed|svg|math|style|base)/i.test(tag) ||
      (/^<script/i.test(tag) && !/type="(module|application\/json)"/.test(tag)) ||
      /\son\w+\s*=|(href|src|action)\s*=\s*"?\s*(javascript|data):/i.test(tag),
  );
}

describe('forum search terms (pure)', () => {
  it('keeps letters and digits only, folded, frequent words dropped, so no FTS5 syntax survives', () => {
    expect(searchTerms('Les Élèves NEAR(x) "liste" -moins * OR')).toEqual([
      'eleves',
      'near',
      'x',
      'liste',
      'moins',
      'or',
    ]);
    // Exact words with their plural or singular, never prefixes (ADR 047).
    expect(ftsExpression(['eleves', 'x'], 'all')).toBe('("eleves" OR "eleve") AND "x"');
    expect(ftsExpression(['a', 'liste'], 'any')).toBe('"a" OR ("liste" OR "listes" OR "listex")');
    expect(searchTerms('le la les')).toEqual(['le', 'la', 'les']);
    expect(searchTerms('x'.repeat(10_000)).join('').length).toBeLessThanOrEqual(40);
  });

  it('marks the matches of an excerpt and escapes the rest', () => {
    const text = `${'mot '.repeat(100)}<b>Les élèves</b> ${'fin '.repeat(100)}`;
    const out = excerpt(text, ['eleve']).value;
    expect(out).toContain('&lt;b&gt;Les <mark>élèves</mark>&lt;/b&gt;');
    expect(out.startsWith('…')).toBe(true);
    expect(out.endsWith('…')).toBe(true);
  });
});

describe.each(DIALECTS)('forum search on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let cleanupOther: () => void;
  let clock = new Date('2026-03-10T10:00:00Z');
  let asker: Agent;
  let helper: Agent;
  const ids: Record<string, number> = {};

  async function learner(name: string) {
    const user = await createUser(t.db, `${name}@example.org`, { name });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return agent;
  }

  async function ask(agent: Agent, fields: Record<string, string>, slug = 'demo'): Promise<number> {
    const res = await agent.post(
      `/courses/${slug}/forum`,
      { kind: 'question', topic: 'general', title: 'Une question', body: 'Le texte.', ...fields },
      { tokenFrom: `/courses/${slug}/forum/new` },
    );
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    return Number(/\/forum\/threads\/(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  async function answer(agent: Agent, thread: number, body: string, parent?: number): Promise<number> {
    const res = await agent.post(
      `${threadUrl(thread)}/replies`,
      { body, ...(parent ? { parent: String(parent) } : {}) },
      { tokenFrom: threadUrl(thread) },
    );
    expect(res.statusCode).toBe(303);
    return Number(/#post-(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const other = makeCourse({ 'w1/w1-s1-c1-intro.md': notebook('Intro') });
    cleanupOther = other.cleanup;
    expect((await importCourse(t.db, { source: other.dir, slug: 'other', dataDir: t.dataDir })).errors).toEqual([]);
    app = await buildApp({
      config: loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false' }),
      db: t.db,
      logger: false,
      clock: () => clock,
    });
    asker = await learner('asker');
    helper = await learner('helper');

    // An old thread about recursion in its title, then a newer one mentioning it in a reply only.
    ids['title'] = await ask(asker, {
      title: 'La récursivité des élèves',
      body: 'Comment écrire une fonction qui s’appelle elle-même ?',
      topic: 'week-1',
    });
    clock = new Date('2026-03-11T10:00:00Z');
    ids['reply'] = await ask(asker, { title: 'Question sur les listes', body: 'Ma liste ne change pas.' });
    ids['replyPost'] = await answer(helper, ids['reply']!, 'Pensez à la récursivité ou à un dictionnaire imbriqué.');
    ids['comment'] = await answer(asker, ids['reply']!, 'Merci, et pour les tuples zygomorphes ?', ids['replyPost']);
    ids['discussion'] = await ask(helper, {
      kind: 'discussion',
      title: 'Partagez vos astuces de débogage',
      body: 'Le débogueur pas à pas.',
    });
    ids['other'] = await ask(asker, { title: 'La récursivité ailleurs', body: 'Hors du cours demo.' }, 'other');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
    cleanupOther();
  });

  it('finds a thread by its title and by a reply’s or a comment’s text, accents and case folded', async () => {
    const byTitle = await new Agent(app).get(search('ELEVE'));
    expect(byTitle.statusCode).toBe(200);
    expect(found(byTitle.body)).toEqual([ids['title']]);
    expect(byTitle.body).toContain('La récursivité des <mark>élèves</mark>');
    const byReply = await new Agent(app).get(search('dictionnaire imbrique'));
    expect(found(byReply.body)).toEqual([ids['reply']]);
    // The excerpt is the reply that matched, its words marked.
    expect(byReply.body).toContain('<mark>dictionnaire</mark> <mark>imbriqué</mark>');
    expect(found((await new Agent(app).get(search('zygomorphes'))).body)).toEqual([ids['reply']]);
    expect(found((await new Agent(app).get(search('débogueur'))).body)).toEqual([ids['discussion']]);
  });

  it('ranks a title match before a body match, though the body match is more recent', async () => {
    const res = await new Agent(app).get(search('recursivite'));
    expect(found(res.body)).toEqual([ids['title'], ids['reply']]);
  });

  it('finds the same threads when PostgreSQL reads its indexes in order (frequent words) as from a bitmap', async () => {
    const saved = { ...ORDERED_SCAN_MATCHES };
    Object.assign(ORDERED_SCAN_MATCHES, { posts: 0, titles: 0 });
    try {
      expect(found((await new Agent(app).get(search('recursivite'))).body)).toEqual([ids['title'], ids['reply']]);
      expect(found((await new Agent(app).get(search('dictionnaire imbrique'))).body)).toEqual([ids['reply']]);
      const similar = await new Agent(app).get(`${SIMILAR}?title=${encodeURIComponent('Problème de récursivité')}`);
      expect(similar.body).toContain(`href="${threadUrl(ids['title']!)}"`);
    } finally {
      Object.assign(ORDERED_SCAN_MATCHES, saved);
    }
  });

  it('never returns another course’s threads', async () => {
    const res = await new Agent(app).get(search('ailleurs'));
    expect(res.statusCode).toBe(200);
    expect(found(res.body)).toEqual([]);
    expect(res.body).not.toContain(threadUrl(ids['other']!, 'other'));
    const similar = await new Agent(app).get(`${SIMILAR}?title=${encodeURIComponent('La récursivité ailleurs')}`);
    expect(similar.body).not.toContain('/courses/other/');
  });

  it('applies the list’s filters: topic, unanswered, active this week, mine', async () => {
    expect(found((await new Agent(app).get(search('recursivite', '&topic=week-1'))).body)).toEqual([ids['title']]);
    expect(found((await new Agent(app).get(search('recursivite', '&topic=general'))).body)).toEqual([ids['reply']]);
    expect(found((await new Agent(app).get(search('astuces', '&unanswered=1'))).body)).toEqual([]);
    clock = new Date('2026-03-17T12:00:00Z');
    // Only the thread active on the 11th is within seven days of the 17th.
    expect(found((await new Agent(app).get(search('recursivite', '&recent=1'))).body)).toEqual([ids['reply']]);
    clock = new Date('2026-03-12T10:00:00Z');
    expect(found((await helper.get(search('recursivite', '&mine=1'))).body)).toEqual([ids['reply']]);
    expect(found((await new Agent(app).get(search('recursivite', '&mine=1'))).body)).toHaveLength(2);
  });

  it('filters the threads the reader follows; an unfollowed thread leaves the results; visitors get no such filter', async () => {
    clock = new Date('2026-03-12T10:00:00Z');
    // The helper replied in one of the two threads about recursion: following it automatically.
    expect(found((await helper.get(search('recursivite', '&followed=1'))).body)).toEqual([ids['reply']]);
    expect((await helper.get(SEARCH)).body).toContain('name="followed"');
    const unfollow = await helper.post(
      `${threadUrl(ids['reply']!)}/follow`,
      { follow: '0' },
      { tokenFrom: threadUrl(ids['reply']!) },
    );
    expect(unfollow.statusCode).toBe(303);
    expect(found((await helper.get(search('recursivite', '&followed=1'))).body)).toEqual([]);
    await helper.post(`${threadUrl(ids['reply']!)}/follow`, { follow: '1' }, { tokenFrom: threadUrl(ids['reply']!) });
    const visitor = await new Agent(app).get(search('recursivite', '&followed=1'));
    expect(found(visitor.body)).toHaveLength(2);
    expect(visitor.body).not.toContain('name="followed"');
  });

  it('shows the form only for an empty or one-character query', async () => {
    for (const q of ['', ' ', 'é']) {
      const res = await new Agent(app).get(search(q));
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('name="q"');
      expect(res.body).not.toContain('forum-search-results');
    }
    expect((await new Agent(app).get(SEARCH)).body).not.toContain('Tapez au moins');
  });

  it('answers any query with a page, never an error nor an injection', async () => {
    const hostile = [
      '"',
      '""',
      '*',
      'récursivité*',
      'NEAR(',
      'NEAR(récursivité élèves, 2)',
      '-',
      '-récursivité',
      ')',
      '(récursivité',
      'title:récursivité',
      '^récursivité',
      'récursivité OR 1',
      "' OR 1=1 --",
      "'; drop table forum_posts; --",
      "récursivité'); delete from forum_search; --",
      'x'.repeat(10_000),
      'récursivité '.repeat(1000),
      'élèves\u0001\u0007\u001b[31m\u007f\u200b\ufeff',
      '<script>',
      '&amp;',
    ];
    for (const q of hostile) {
      const res = await new Agent(app).get(search(q));
      expect(res.statusCode, q.slice(0, 40)).toBe(200);
      expect(unsafeTags(res.body), q.slice(0, 40)).toEqual([]);
      const similar = await new Agent(app).get(`${SIMILAR}?title=${encodeURIComponent(q)}`);
      expect(similar.statusCode, q.slice(0, 40)).toBe(200);
    }
    // Quotes and operators only delimit words: the words are still found, nothing else.
    expect(found((await new Agent(app).get(search('"récursivité" -élèves'))).body)).toEqual([ids['title']]);
    expect(found((await new Agent(app).get(search("' OR 1=1 --"))).body)).toEqual([]);
    // The index and the posts are still whole.
    expect(found((await new Agent(app).get(search('recursivite'))).body)).toHaveLength(2);
    // Bytes that are not UTF-8 are read as replacement characters.
    expect((await new Agent(app).get(`${SEARCH}?q=%ED%A0%80%FF%C3`)).statusCode).toBe(200);
    expect((await new Agent(app).get(`${SIMILAR}?title=%ED%A0%80%FF%C3`)).statusCode).toBe(200);
    // A NUL is refused before any route, as everywhere.
    expect((await new Agent(app).get(`${SEARCH}?q=a%00b`)).statusCode).toBe(400);
  });

  it('escapes titles and bodies in results, excerpts and suggestions', async () => {
    const id = await ask(asker, {
      title: '<script>alert(1)</script> xylophone <img src=x onerror=alert(2)>',
      body: 'xylophone <iframe src="javascript:alert(3)"></iframe> "><svg onload=alert(4)>',
    });
    for (const url of [search('xylophone'), `${SIMILAR}?title=xylophone%20bleu`]) {
      const res = await new Agent(app).get(url);
      expect(res.body).toContain(threadUrl(id));
      expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; <mark>xylophone</mark> &lt;img');
      expect(unsafeTags(res.body)).toEqual([]);
    }
    expect((await new Agent(app).get(search('xylophone'))).body).toContain('&lt;iframe src=&quot;javascript:');
  });

  it('forgets deleted replies and deleted threads, and follows edits', async () => {
    const id = await ask(asker, { title: 'Un fil sur les quaternions', body: 'Premier jet.' });
    const reply = await answer(helper, id, 'Les octonions aussi.');
    expect(found((await new Agent(app).get(search('octonions'))).body)).toEqual([id]);
    const del = await helper.post(`${threadUrl(id)}/posts/${reply}/delete`, {}, { tokenFrom: '/me' });
    expect(del.statusCode).toBe(303);
    expect(found((await new Agent(app).get(search('octonions'))).body)).toEqual([]);

    // An edit: the old words are gone, the new ones found.
    const opening = Number(/id="post-(\d+)"/.exec((await asker.get(threadUrl(id))).body)![1]);
    const edit = await asker.post(
      `${threadUrl(id)}/posts/${opening}/edit`,
      { body: 'Second jet sur les biquaternions.' },
      { tokenFrom: `${threadUrl(id)}/posts/${opening}/edit` },
    );
    expect(edit.statusCode).toBe(303);
    expect(found((await new Agent(app).get(search('premier jet'))).body)).toEqual([]);
    expect(found((await new Agent(app).get(search('biquaternions'))).body)).toEqual([id]);

    // Deleting the opening post deletes the thread: neither its title nor its replies are found.
    await answer(helper, id, 'Une réponse sur les sédénions.');
    expect(found((await new Agent(app).get(search('sedenions'))).body)).toEqual([id]);
    const gone = await asker.post(`${threadUrl(id)}/posts/${opening}/delete`, {}, { tokenFrom: '/me' });
    expect(gone.statusCode).toBe(303);
    for (const q of ['quaternions', 'sedenions', 'biquaternions']) {
      expect(found((await new Agent(app).get(search(q))).body), q).toEqual([]);
    }
    expect((await new Agent(app).get(`${SIMILAR}?title=quaternions`)).body).toBe('');
  });

  it('never finds a hidden thread or a hidden reply, and suggests threads by their title only', async () => {
    const id = await ask(asker, { title: 'Les octonions de Cayley', body: 'Et les sextonions ?' });
    const reply = await answer(helper, id, 'Voyez les nonagones.');
    expect(found((await new Agent(app).get(search('octonions'))).body)).toEqual([id]);
    expect(found((await new Agent(app).get(search('nonagones'))).body)).toEqual([id]);
    expect((await new Agent(app).get(`${SIMILAR}?title=octonions`)).body).toContain(`href="${threadUrl(id)}"`);
    // A word of the posts only is no similar title.
    expect((await new Agent(app).get(`${SIMILAR}?title=sextonions`)).body).toBe('');
    await t.db.kysely.updateTable('forum_posts').set({ hidden: 1 }).where('id', '=', reply).execute();
    expect(found((await new Agent(app).get(search('nonagones'))).body)).toEqual([]);
    expect(found((await new Agent(app).get(search('octonions'))).body)).toEqual([id]);
    await t.db.kysely.updateTable('forum_threads').set({ hidden: 1 }).where('id', '=', id).execute();
    expect(found((await new Agent(app).get(search('octonions'))).body)).toEqual([]);
    expect((await new Agent(app).get(`${SIMILAR}?title=octonions`)).body).toBe('');
  });

  it('pages results 30 at a time', async () => {
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    const topic = await t.db.kysely
      .selectFrom('forum_topics')
      .select('id')
      .where('course_id', '=', live.course_id)
      .where('key', '=', 'general')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 31; i++) {
      const at = new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString();
      const thread = await t.db.kysely
        .insertInto('forum_threads')
        .values({
          course_id: live.course_id,
          topic_id: topic.id,
          kind: 'discussion',
          title: `Pagination ${i}`,
          created_at: at,
          last_activity_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db.kysely
        .insertInto('forum_posts')
        .values({ thread_id: thread.id, depth: 0, body: 'Un mot : paginable.', html: '<p>x</p>', created_at: at })
        .execute();
    }
    const first = await new Agent(app).get(search('paginable'));
    expect(found(first.body)).toHaveLength(30);
    expect(first.body).toContain('rel="next"');
    const second = await new Agent(app).get(search('paginable', '&page=2'));
    expect(found(second.body)).toHaveLength(1);
    expect(new Set([...found(first.body), ...found(second.body)]).size).toBe(31);
  });

  it('suggests at most five threads with a similar title, as an uncached fragment', async () => {
    const res = await new Agent(app).get(`${SIMILAR}?title=${encodeURIComponent('Problème de récursivité')}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Des discussions semblables existent déjà');
    expect(res.body).toContain(`href="${threadUrl(ids['title']!)}"`);
    expect(res.body).toContain('target="_blank" rel="noopener"');
    expect(res.body).not.toContain('<html');
    const many = await new Agent(app).get(`${SIMILAR}?title=pagination`);
    expect(many.body.match(/<li>/g)).toHaveLength(5);
    // Too short, or nothing like it: nothing at all (the form stays as it is).
    expect((await new Agent(app).get(`${SIMILAR}?title=re`)).body).toBe('');
    expect((await new Agent(app).get(`${SIMILAR}?title=zzzzzz`)).body).toBe('');
    expect((await new Agent(app, '10.9.9.9').get(`/courses/nope/forum/similar?title=abc`)).statusCode).toBe(404);
    // The new-thread form loads the module that fetches this fragment.
    const form = await asker.get('/courses/demo/forum/new');
    expect(form.body).toMatch(/<script type="module" src="[^"]*forum-suggest[^"]*\.js"><\/script>/);
    expect(form.body).toMatch(/<form method="post" action="\/courses\/demo\/forum"[\s\S]*name="title"/);
    // English readers get English.
    const en = await new Agent(app).get(`${SIMILAR}?title=recursivite`, { 'accept-language': 'en' });
    expect(en.body).toContain('Similar discussions already exist');
  });
});
