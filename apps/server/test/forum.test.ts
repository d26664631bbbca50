import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { addPost, createThread } from '../src/lib/forum/forum.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalThread, selectTopics } from '../src/models/forum.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, notebook } from './fixtures.ts';

/** The demo course's pages threads are about (a notebook of week 1, a quiz, a video page). */
const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const QUIZ = 'w1/w1-s3-q1-premiers-pas';
const VIDEO = 'w1/w1-s1-av';
const FORUM = '/courses/demo/forum';
const threadUrl = (id: number, slug = 'demo') => `/courses/${slug}/forum/threads/${id}`;
const postUrl = (thread: number, post: number) => `${threadUrl(thread)}/posts/${post}`;

/** The row of the thread list whose title is `title`. */
function rowOf(list: string, title: string): string {
  const row = list.match(/<li class="forum-thread-row">[\s\S]*?<\/li>/g)?.find((r) => r.includes(`>${title}</a`));
  if (!row) throw new Error(`no row for ${title}`);
  return row;
}

/**
 * The tags of a page that could run script or load from elsewhere: author text is escaped, so
 * every `<name` in the page is a real tag. Our own scripts are modules or JSON data.
 */
function unsafeTags(page: string): string[] {
  return (page.match(/<[a-z][^>]*>/gi) ?? []).filter(
    (tag) =>
      /^<(img|iframe|object|embed|svg|math|style|base|form(?![^>]*action="\/))/i.test(tag) ||
      (/^<script/i.test(tag) && !/type="(module|application\/json)"/.test(tag)) ||
      /\son\w+\s*=|(href|src|action)\s*=\s*"?\s*(javascript|data):/i.test(tag),
  );
}

/** Ids of the posts of a page, in order of appearance. */
const postIds = (page: string): number[] => [...page.matchAll(/id="post-(\d+)"/g)].map((m) => Number(m[1]));

describe.each(DIALECTS)('course forum on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let courseId: number;
  let otherCourseId: number;
  let cleanupOther: () => void;
  const now = new Date('2026-03-10T10:00:00Z');
  let clock = now;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    const summary = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    expect(summary.errors).toEqual([]);
    const other = makeCourse({ 'w1/w1-s1-c1-intro.md': notebook('Intro') });
    cleanupOther = other.cleanup;
    expect((await importCourse(t.db, { source: other.dir, slug: 'other', dataDir: t.dataDir })).errors).toEqual([]);
    courseId = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!.course_id;
    otherCourseId = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'other'))!.course_id;
    const config = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => clock });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
    cleanupOther();
  });

  let users = 0;
  async function learner(name = `learner${++users}`) {
    const user = await createUser(t.db, `${name}@example.org`, { name });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }

  async function staff(name = `staff${++users}`) {
    const made = await learner(name);
    await ensureCourseRole(t.db.kysely, { userId: made.user.id, courseId, role: 'staff', grantedBy: null }, now);
    return made;
  }

  /** Posts the new-thread form; returns the new thread's id. */
  async function ask(agent: Agent, fields: Record<string, string>, slug = 'demo'): Promise<number> {
    const res = await agent.post(
      `/courses/${slug}/forum`,
      { kind: 'question', topic: 'general', title: 'Une question', body: 'Le texte.', ...fields },
      { tokenFrom: `/courses/${slug}/forum/new` },
    );
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const match = /\/forum\/threads\/(\d+)$/.exec(String(res.headers['location']));
    expect(match).not.toBeNull();
    return Number(match![1]);
  }

  /** Posts a reply (or a comment with `parent`); returns the response. */
  function answer(agent: Agent, thread: number, body: string, parent?: number) {
    return agent.post(
      `${threadUrl(thread)}/replies`,
      { body, ...(parent ? { parent: String(parent) } : {}) },
      { tokenFrom: threadUrl(thread) },
    );
  }

  /** The id of the post a redirect points at. */
  const postOf = (res: { headers: Record<string, unknown> }): number => {
    const match = /#post-(\d+)$/.exec(String(res.headers['location']));
    expect(match).not.toBeNull();
    return Number(match![1]);
  };

  describe('reading and posting', () => {
    it('lists one topic per week of the live version, then the general one, for anonymous readers too', async () => {
      const res = await new Agent(app).get(FORUM);
      expect(res.statusCode).toBe(200);
      const topics = await selectTopics(t.db.kysely, courseId);
      expect(topics.map((x) => x.key)).toEqual(['week-1', 'week-2', 'week-3', 'general']);
      expect(res.body).toContain('Semaine 1 : Premiers pas');
      expect(res.body).toContain('Général');
      expect(res.body).toContain('href="/courses/demo/forum?topic=week-2"');
      // A second visit creates nothing more.
      await new Agent(app).get(FORUM);
      expect(await selectTopics(t.db.kysely, courseId)).toHaveLength(4);
    });

    it('sends an anonymous reader to the login form, and refuses their posts', async () => {
      const anonymous = new Agent(app);
      const form = await anonymous.get(`${FORUM}/new?route=${encodeURIComponent(NOTEBOOK)}`);
      expect(form.statusCode).toBe(303);
      expect(form.headers['location']).toBe(
        `/login?next=${encodeURIComponent(`${FORUM}/new?route=${encodeURIComponent(NOTEBOOK)}`)}`,
      );
      // With the anonymous CSRF token of the login form: a 401 that says to log in.
      const posted = await anonymous.post(FORUM, { kind: 'question', topic: 'general', title: 'x', body: 'y' });
      expect(posted.statusCode).toBe(401);
      // Without any token: the CSRF check comes first.
      const forged = await anonymous.post(FORUM, {
        _csrf: '',
        kind: 'question',
        topic: 'general',
        title: 'x',
        body: 'y',
      });
      expect(forged.statusCode).toBe(403);
      expect(await selectTopicsCount()).toBe(0);
    });

    async function selectTopicsCount(): Promise<number> {
      return (await selectTopics(t.db.kysely, courseId)).reduce((n, x) => n + x.thread_count, 0);
    }

    it('creates a question about a page: its form says which page, its topic is that week, the thread links back', async () => {
      const { agent } = await learner('alice');
      const form = await agent.get(`${FORUM}/new?route=${encodeURIComponent(NOTEBOOK)}`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain(`name="route" value="${NOTEBOOK}"`);
      expect(form.body).toMatch(/<option value="week-1" selected/);
      expect(form.body).toContain(`href="/courses/demo/${NOTEBOOK}"`);
      const id = await ask(agent, { topic: 'week-1', route: NOTEBOOK, title: 'Pourquoi 0.1 + 0.2 ?' });
      const thread = (await selectOptionalThread(t.db.kysely, courseId, id))!;
      expect(thread).toMatchObject({ kind: 'question', route: NOTEBOOK, topic_key: 'week-1', reply_count: 0 });
      const page = await new Agent(app).get(threadUrl(id));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<h1 id="thread-title" lang="fr">Pourquoi 0.1 + 0.2 ?</h1>');
      expect(page.body).toContain(`href="/courses/demo/${NOTEBOOK}"`);
      expect(page.body).toContain('<p>Le texte.</p>');
      expect(page.body).toContain('Connectez-vous pour répondre');
      expect(page.body).not.toContain('name="_csrf"');
      const list = await new Agent(app).get(`${FORUM}?topic=week-1`);
      expect(list.body).toContain(`href="${threadUrl(id)}"`);
      expect(list.body).toContain('forum-kind-question');
      expect(list.body).toContain('alice');
      expect(list.body).toContain('0 réponse(s)');
      expect(list.body).toMatch(/<time datetime="2026-03-10T10:00:00.000Z">/);
      expect((await new Agent(app).get(`${FORUM}?topic=week-2`)).body).not.toContain(`href="${threadUrl(id)}"`);
    });

    it('shows the form again with the values and the errors (400): empty or long title, long body, unknown kind or topic', async () => {
      const { agent } = await learner();
      const token = await agent.csrf(`${FORUM}/new`);
      const cases: [Record<string, string>, string][] = [
        [{ title: '   ' }, 'Donnez un titre à votre fil.'],
        [{ title: 'é'.repeat(151) }, 'Ce titre est trop long'],
        [{ body: 'x'.repeat(20_001) }, 'Ce message est trop long'],
        [{ body: ' \n ' }, 'Écrivez votre message.'],
        [{ kind: 'poll' }, 'Choisissez le type de fil'],
        [{ topic: 'week-99' }, 'Choisissez un sujet de la liste.'],
      ];
      for (const [fields, message] of cases) {
        const res = await agent.post(FORUM, {
          _csrf: token,
          kind: 'discussion',
          topic: 'general',
          title: 'Un titre gardé',
          body: 'Un texte gardé',
          ...fields,
        });
        expect(res.statusCode, message).toBe(400);
        expect(res.body).toContain(message);
        expect(res.body).toContain('role="alert"');
        if (!fields['title']) expect(res.body).toContain('value="Un titre gardé"');
        if (!fields['body']) expect(res.body).toContain('Un texte gardé</textarea>');
      }
      // Exactly at the limits: accepted.
      await ask(agent, { title: 'é'.repeat(150), body: 'x'.repeat(20_000) });
    });

    it('stores titles, bodies and code blocks as text: nothing of an attack runs on any page', async () => {
      const { agent } = await learner();
      const title = '<script>alert("title")</script><img src=x onerror=alert(1)>';
      const body = [
        '<script>alert("body")</script>',
        '<img src=x onerror=alert(2)> [lien](javascript:alert(3))',
        '```python',
        '</code></pre><script>alert("code")</script>',
        '```',
      ].join('\n');
      const id = await ask(agent, { title, body, route: NOTEBOOK, topic: 'week-1' });
      const { agent: other } = await learner();
      await answer(other, id, '<iframe src="https://evil.example"></iframe> `</code><script>x</script>`');
      for (const url of [
        threadUrl(id),
        FORUM,
        `${FORUM}?route=${encodeURIComponent(NOTEBOOK)}`,
        `${FORUM}/panel?route=${encodeURIComponent(NOTEBOOK)}`,
      ]) {
        const page = (await agent.get(url)).body;
        expect(unsafeTags(page), url).toEqual([]);
        expect(page, url).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
      }
      const page = (await agent.get(threadUrl(id))).body;
      expect(page).toContain('&lt;script&gt;alert("body")&lt;/script&gt;');
      // The code block is highlighted: its text, tags stripped, is the attack as text.
      expect(page.replace(/<[^>]+>/g, '')).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(&quot;code&quot;)');
      expect(page).toContain('&lt;iframe');
    });

    it('refuses a post without the CSRF token, or from another site (403)', async () => {
      const { agent } = await learner();
      const id = await ask(agent, {});
      const missing = await agent.post(`${threadUrl(id)}/replies`, { _csrf: '', body: 'x' });
      expect(missing.statusCode).toBe(403);
      const wrong = await agent.post(`${threadUrl(id)}/replies`, { _csrf: 'a'.repeat(43), body: 'x' });
      expect(wrong.statusCode).toBe(403);
      const crossSite = await agent.post(
        `${threadUrl(id)}/replies`,
        { body: 'x' },
        { tokenFrom: threadUrl(id), headers: { 'sec-fetch-site': 'cross-site' } },
      );
      expect(crossSite.statusCode).toBe(403);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(0);
    });
  });

  describe('replies and comments', () => {
    it('shows replies oldest first, each with its comments; counts and last activity move with each post', async () => {
      const { agent: asker } = await learner();
      const { agent: helper } = await learner('helper');
      const id = await ask(asker, { kind: 'discussion', title: 'On en parle ?' });
      clock = new Date('2026-03-11T09:00:00Z');
      const first = postOf(await answer(helper, id, 'Première réponse'));
      const second = postOf(await answer(asker, id, 'Deuxième réponse'));
      const comment = await answer(asker, id, 'Un commentaire de la première', first);
      expect(comment.statusCode).toBe(303);
      const commentId = postOf(comment);
      clock = now;
      const thread = (await selectOptionalThread(t.db.kysely, courseId, id))!;
      expect(thread.reply_count).toBe(3);
      expect(thread.last_activity_at).toBe('2026-03-11T09:00:00.000Z');
      const page = (await asker.get(threadUrl(id))).body;
      const ids = postIds(page);
      expect(ids.slice(1)).toEqual([first, commentId, second]);
      expect(page).toMatch(
        new RegExp(`id="post-${first}"[\\s\\S]*class="forum-comments"[\\s\\S]*id="post-${commentId}"`),
      );
      expect(page).toContain('3 réponse(s)');
      // Newest activity first in the list.
      const list = (await asker.get(FORUM)).body;
      expect(list.indexOf(`href="${threadUrl(id)}"`)).toBeLessThan(list.indexOf('Une question'));
    });

    it('refuses a comment on a comment, and a parent taken from another thread', async () => {
      const { agent } = await learner();
      const id = await ask(agent, {});
      const reply = postOf(await answer(agent, id, 'Réponse'));
      const comment = postOf(await answer(agent, id, 'Commentaire', reply));
      const deeper = await answer(agent, id, 'Commentaire de commentaire', comment);
      expect(deeper.statusCode).toBe(400);
      expect(deeper.body).toContain('On commente une réponse');
      const elsewhere = await ask(agent, { title: 'Autre fil' });
      const foreign = await answer(agent, elsewhere, 'Sous une réponse d’un autre fil', reply);
      expect(foreign.statusCode).toBe(404);
      const opening = postIds((await agent.get(threadUrl(id))).body)[0]!;
      expect((await answer(agent, id, 'Sous le message d’ouverture', opening)).statusCode).toBe(400);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(2);
    });

    it('refuses an empty or oversized reply with the form again (400), keeping the text', async () => {
      const { agent } = await learner();
      const id = await ask(agent, {});
      const empty = await answer(agent, id, '   ');
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('Écrivez votre message.');
      const long = await answer(agent, id, 'y'.repeat(20_001));
      expect(long.statusCode).toBe(400);
      expect(long.body).toContain('Ce message est trop long');
      const reply = postOf(await answer(agent, id, 'ok'));
      const badComment = await answer(agent, id, '', reply);
      expect(badComment.statusCode).toBe(400);
      expect(badComment.body).toMatch(/<details class="forum-comment-form" open/);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(1);
    });

    it('answers 404 for a thread of another course reached through its id, in reading and in writing', async () => {
      const { agent } = await learner();
      const id = await ask(agent, { title: 'Dans demo' });
      expect((await agent.get(threadUrl(id, 'other'))).statusCode).toBe(404);
      const res = await agent.post(
        `${threadUrl(id, 'other')}/replies`,
        { body: 'intrus' },
        { tokenFrom: threadUrl(id) },
      );
      expect(res.statusCode).toBe(404);
      const accept = await agent.post(`${threadUrl(id, 'other')}/accept`, { post: '1' }, { tokenFrom: threadUrl(id) });
      expect(accept.statusCode).toBe(404);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(0);
      expect(await selectOptionalThread(t.db.kysely, otherCourseId, id)).toBeNull();
      expect((await agent.get('/courses/demo/forum/threads/abc')).statusCode).toBe(404);
      expect((await agent.get('/courses/nope/forum')).statusCode).toBe(404);
    });

    it('pages 120 replies by 50, oldest first, and sends a new reply to its page', async () => {
      const { user, agent } = await learner();
      const id = await ask(agent, { kind: 'discussion', title: 'Un long fil' });
      const thread = (await selectOptionalThread(t.db.kysely, courseId, id))!;
      const replies: number[] = [];
      for (let i = 1; i <= 120; i++) {
        replies.push(
          await addPost(t.db.kysely, thread, { parentId: null, body: `Réponse n° ${i}`, authorId: user.id }, now),
        );
      }
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(120);
      const page1 = (await agent.get(threadUrl(id))).body;
      expect(postIds(page1).slice(1)).toEqual(replies.slice(0, 50));
      expect(page1).toContain('Page 1 sur 3');
      expect(page1).toContain(`href="${threadUrl(id)}?page=2"`);
      const page3 = (await agent.get(`${threadUrl(id)}?page=3`)).body;
      expect(postIds(page3).slice(1)).toEqual(replies.slice(100));
      expect(page3).toContain('Page 3 sur 3');
      expect(page3).not.toContain('rel="next"');
      // Past the end: the last page.
      expect(postIds((await agent.get(`${threadUrl(id)}?page=99`)).body).slice(1)).toEqual(replies.slice(100));
      const res = await answer(agent, id, 'La 121e');
      expect(res.headers['location']).toMatch(new RegExp(`${threadUrl(id)}\\?page=3#post-\\d+$`));
    });

    it('pages the replies a reader may see: hidden ones out of learners’ pages and counts, in place for moderators', async () => {
      const { user, agent } = await learner();
      const id = await ask(agent, { kind: 'discussion', title: 'Un fil modéré' });
      const thread = (await selectOptionalThread(t.db.kysely, courseId, id))!;
      const replies: number[] = [];
      for (let i = 1; i <= 110; i++) {
        replies.push(
          await addPost(t.db.kysely, thread, { parentId: null, body: `Réponse n° ${i}`, authorId: user.id }, now),
        );
      }
      // A moderator hid ten replies of the first page, and one of two comments on a reply of the second.
      const hidden = replies.slice(0, 10);
      await t.db.kysely.updateTable('forum_posts').set({ hidden: 1 }).where('id', 'in', hidden).execute();
      const shown = replies.filter((r) => !hidden.includes(r));
      const onReply = (body: string) =>
        addPost(t.db.kysely, thread, { parentId: shown[60]!, body, authorId: user.id }, now);
      const hiddenComment = await onReply('Un commentaire caché');
      const comment = await onReply('Un commentaire visible');
      await t.db.kysely.updateTable('forum_posts').set({ hidden: 1 }).where('id', '=', hiddenComment).execute();

      const reader = new Agent(app);
      const page1 = (await reader.get(threadUrl(id))).body;
      expect(postIds(page1).slice(1)).toEqual(shown.slice(0, 50));
      expect(page1).toContain('Page 1 sur 2');
      const page2 = (await reader.get(`${threadUrl(id)}?page=2`)).body;
      expect(postIds(page2).slice(1)).toEqual([...shown.slice(50, 61), comment, ...shown.slice(61)]);
      expect(page2).toContain('Page 2 sur 2');
      expect((await reader.get(`${threadUrl(id)}?page=3`)).body).toContain('Page 2 sur 2');

      const moderator = (await staff()).agent;
      const modPage1 = (await moderator.get(threadUrl(id))).body;
      expect(postIds(modPage1).slice(1)).toEqual(replies.slice(0, 50));
      expect(modPage1).toContain('Page 1 sur 3');
      const modPage2 = (await moderator.get(`${threadUrl(id)}?page=2`)).body;
      const at = replies.indexOf(shown[60]!);
      expect(postIds(modPage2).slice(1)).toEqual([
        ...replies.slice(50, at + 1),
        hiddenComment,
        comment,
        ...replies.slice(at + 1, 100),
      ]);
      expect(postIds((await moderator.get(`${threadUrl(id)}?page=3`)).body).slice(1)).toEqual(replies.slice(100));
    });

    it('pages the thread list by 30, newest activity first', async () => {
      const { user } = await learner();
      const topic = (await selectTopics(t.db.kysely, courseId)).find((x) => x.key === 'week-3')!;
      for (let i = 1; i <= 31; i++) {
        await createThread(
          t.db.kysely,
          {
            courseId,
            topicId: topic.id,
            route: null,
            kind: 'discussion',
            title: `Fil ${i}`,
            body: 'x',
            authorId: user.id,
          },
          new Date(Date.UTC(2026, 2, 1, 0, i)),
        );
      }
      const page1 = (await new Agent(app).get(`${FORUM}?topic=week-3`)).body;
      expect(page1.match(/class="forum-thread-row"/g)).toHaveLength(30);
      expect(page1.indexOf('>Fil 31<')).toBeLessThan(page1.indexOf('>Fil 30<'));
      expect(page1).toContain('href="/courses/demo/forum?topic=week-3&amp;page=2"');
      const page2 = (await new Agent(app).get(`${FORUM}?topic=week-3&page=2`)).body;
      expect(page2.match(/class="forum-thread-row"/g)).toHaveLength(1);
      expect(page2).toContain('>Fil 1<');
      expect(page1).toMatch(/Semaine 3[^<]*<\/a\s*>\s*<span class="forum-count">31 fil\(s\)/);
    });
  });

  describe('permissions', () => {
    it('lets only the author edit a post; the edit keeps the previous text and shows "modifié"', async () => {
      const { agent: author } = await learner();
      const { agent: intruder } = await learner();
      const id = await ask(author, { body: 'Texte premier' });
      const opening = postIds((await author.get(threadUrl(id))).body)[0]!;
      expect((await intruder.get(`${postUrl(id, opening)}/edit`)).statusCode).toBe(403);
      const forged = await intruder.post(`${postUrl(id, opening)}/edit`, { body: 'Réécrit' }, { tokenFrom: '/me' });
      expect(forged.statusCode).toBe(403);
      expect((await author.get(threadUrl(id))).body).not.toContain('Réécrit');
      const form = await author.get(`${postUrl(id, opening)}/edit`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('Texte premier</textarea>');
      const tooLong = await author.post(
        `${postUrl(id, opening)}/edit`,
        { body: 'z'.repeat(20_001) },
        { tokenFrom: '/me' },
      );
      expect(tooLong.statusCode).toBe(400);
      const edited = await author.post(`${postUrl(id, opening)}/edit`, { body: 'Texte corrigé' }, { tokenFrom: '/me' });
      expect(edited.statusCode).toBe(303);
      const page = (await author.get(threadUrl(id))).body;
      expect(page).toContain('Texte corrigé');
      expect(page).not.toContain('Texte premier');
      expect(page).toContain('class="forum-edited">modifié');
      // A post edits within its own thread only.
      const elsewhere = await ask(author, {});
      expect((await author.get(`${postUrl(elsewhere, opening)}/edit`)).statusCode).toBe(404);
    });

    it('shows a post’s history to staff only: 404 for its author, another learner, an anonymous reader', async () => {
      const { agent: author } = await learner();
      const { agent: moderator } = await staff();
      const id = await ask(author, { body: 'Version 1' });
      const opening = postIds((await author.get(threadUrl(id))).body)[0]!;
      await author.post(`${postUrl(id, opening)}/edit`, { body: 'Version 2' }, { tokenFrom: '/me' });
      const history = `${postUrl(id, opening)}/history`;
      for (const agent of [author, (await learner()).agent, new Agent(app)]) {
        const res = await agent.get(history);
        expect(res.statusCode).toBe(404);
        expect(res.body).not.toContain('Version 1');
      }
      const res = await moderator.get(history);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Version 1');
      expect(res.body).toContain('Version 2');
      expect((await moderator.get(threadUrl(id))).body).toContain(`href="${history}"`);
      expect((await author.get(threadUrl(id))).body).not.toContain(`href="${history}"`);
    });

    it('lets a learner delete their own posts only; staff delete any', async () => {
      const { agent: author } = await learner();
      const { agent: intruder } = await learner();
      const { agent: moderator } = await staff();
      const id = await ask(author, { kind: 'discussion' });
      const reply = postOf(await answer(author, id, 'Ma réponse à garder'));
      const refused = await intruder.post(`${postUrl(id, reply)}/delete`, {}, { tokenFrom: '/me' });
      expect(refused.statusCode).toBe(403);
      expect((await intruder.get(threadUrl(id))).body).not.toContain(`${postUrl(id, reply)}/delete`);
      expect((await author.get(threadUrl(id))).body).toContain(`${postUrl(id, reply)}/delete`);
      expect((await author.get(threadUrl(id))).body).toContain('Ma réponse à garder');
      const other = postOf(await answer(intruder, id, 'Hors sujet'));
      expect((await moderator.post(`${postUrl(id, other)}/delete`, {}, { tokenFrom: '/me' })).statusCode).toBe(303);
      expect((await author.get(threadUrl(id))).body).not.toContain('Hors sujet');
    });

    it('lets the asker or staff accept an answer, nobody else; the accepted answer comes first', async () => {
      const { agent: asker } = await learner();
      const { agent: helper } = await learner();
      const { agent: moderator } = await staff();
      const id = await ask(asker, { title: 'Question à résoudre' });
      const early = postOf(await answer(helper, id, 'Une réponse vague'));
      const good = postOf(await answer(helper, id, 'La bonne réponse'));
      const refused = await helper.post(`${threadUrl(id)}/accept`, { post: String(good) }, { tokenFrom: '/me' });
      expect(refused.statusCode).toBe(403);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.accepted_post_id).toBeNull();
      expect((await helper.get(threadUrl(id))).body).not.toContain('Accepter cette réponse');
      expect((await asker.get(threadUrl(id))).body).toContain('Accepter cette réponse');
      expect((await asker.get(`${FORUM}?unanswered=1`)).body).toContain('Question à résoudre');
      const accepted = await asker.post(`${threadUrl(id)}/accept`, { post: String(good) }, { tokenFrom: '/me' });
      expect(accepted.statusCode).toBe(303);
      const page = (await asker.get(threadUrl(id))).body;
      expect(postIds(page).slice(1)).toEqual([good, early]);
      expect(page).toContain('Réponse acceptée');
      expect(page).toContain('Ne plus accepter cette réponse');
      expect((await asker.get(`${FORUM}?unanswered=1`)).body).not.toContain('Question à résoudre');
      expect(rowOf((await asker.get(FORUM)).body, 'Question à résoudre')).toContain('forum-answered');
      // Staff may accept another; the opening post and a comment are not answers.
      expect(
        (await moderator.post(`${threadUrl(id)}/accept`, { post: String(early) }, { tokenFrom: '/me' })).statusCode,
      ).toBe(303);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.accepted_post_id).toBe(early);
      const opening = postIds(page)[0]!;
      expect(
        (await asker.post(`${threadUrl(id)}/accept`, { post: String(opening) }, { tokenFrom: '/me' })).statusCode,
      ).toBe(400);
      const discussion = await ask(asker, { kind: 'discussion' });
      const r = postOf(await answer(helper, discussion, 'Réponse'));
      expect(
        (await asker.post(`${threadUrl(discussion)}/accept`, { post: String(r) }, { tokenFrom: '/me' })).statusCode,
      ).toBe(400);
      // A post of another thread cannot be accepted here.
      expect(
        (await moderator.post(`${threadUrl(discussion)}/accept`, { post: String(good) }, { tokenFrom: '/me' }))
          .statusCode,
      ).toBe(400);
      const q2 = await ask(asker, {});
      expect(
        (await asker.post(`${threadUrl(q2)}/accept`, { post: String(good) }, { tokenFrom: '/me' })).statusCode,
      ).toBe(404);
    });
  });

  describe('deleting', () => {
    it('shows a deleted post as "Message supprimé" in place, its text gone, its comments kept; counts follow', async () => {
      const { agent: asker } = await learner();
      const { agent: helper } = await learner();
      const id = await ask(asker, { title: 'Compter après suppression' });
      const reply = postOf(await answer(helper, id, 'Un texte à effacer'));
      const comment = postOf(await answer(asker, id, 'Un commentaire qui reste', reply));
      await asker.post(`${threadUrl(id)}/accept`, { post: String(reply) }, { tokenFrom: '/me' });
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(2);
      expect((await helper.post(`${postUrl(id, reply)}/delete`, {}, { tokenFrom: '/me' })).statusCode).toBe(303);
      const thread = (await selectOptionalThread(t.db.kysely, courseId, id))!;
      expect(thread.reply_count).toBe(1);
      expect(thread.accepted_post_id).toBeNull();
      const page = (await new Agent(app).get(threadUrl(id))).body;
      expect(page).not.toContain('Un texte à effacer');
      expect(page).toContain('Message supprimé');
      expect(page).toContain('Un commentaire qui reste');
      expect(postIds(page)).toContain(comment);
      const row = rowOf((await new Agent(app).get(FORUM)).body, 'Compter après suppression');
      expect(row).toContain('1 réponse(s)');
      expect(row).not.toContain('forum-answered');
      // Deleting again changes nothing; a deleted post is no longer editable, nor commentable.
      await helper.post(`${postUrl(id, reply)}/delete`, {}, { tokenFrom: '/me' });
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(1);
      expect((await helper.get(`${postUrl(id, reply)}/edit`)).statusCode).toBe(403);
      expect((await answer(asker, id, 'Sous un message supprimé', reply)).statusCode).toBe(400);
      // The revision history and the JSON export keep what was written; the page never shows it.
      expect((await helper.get(`${FORUM}/panel?route=x`)).body).not.toContain('Un texte à effacer');
    });

    it('deletes the thread for learners with its opening post; staff still open it; topic counts drop', async () => {
      const { agent: author } = await learner();
      const { agent: moderator } = await staff();
      const before = (await selectTopics(t.db.kysely, courseId)).find((x) => x.key === 'week-2')!.thread_count;
      const id = await ask(author, { topic: 'week-2', title: 'Fil à supprimer' });
      expect((await selectTopics(t.db.kysely, courseId)).find((x) => x.key === 'week-2')!.thread_count).toBe(
        before + 1,
      );
      const opening = postIds((await author.get(threadUrl(id))).body)[0]!;
      const res = await author.post(`${postUrl(id, opening)}/delete`, {}, { tokenFrom: '/me' });
      expect(res.statusCode).toBe(303);
      expect(res.headers['location']).toBe(FORUM);
      expect((await author.get(threadUrl(id))).statusCode).toBe(404);
      expect((await new Agent(app).get(threadUrl(id))).statusCode).toBe(404);
      expect((await author.get(FORUM)).body).not.toContain('Fil à supprimer');
      expect((await selectTopics(t.db.kysely, courseId)).find((x) => x.key === 'week-2')!.thread_count).toBe(before);
      const seen = await moderator.get(threadUrl(id));
      expect(seen.statusCode).toBe(200);
      expect(seen.body).toContain('Fil supprimé');
      expect((await answer(moderator, id, 'Trop tard')).statusCode).toBe(404);
    });
  });

  describe('item pages', () => {
    it('carry a static Discussions section with its links and the panel module', async () => {
      for (const route of [NOTEBOOK, QUIZ, VIDEO]) {
        const res = await new Agent(app).get(`/courses/demo/${route}`);
        expect(res.statusCode, route).toBe(200);
        const encoded = encodeURIComponent(route);
        expect(res.body).toContain(`data-forum-panel="/courses/demo/forum/panel?route=${encoded}"`);
        expect(res.body).toContain(`href="/courses/demo/forum?route=${encoded}"`);
        expect(res.body).toContain(`href="/courses/demo/forum/new?route=${encoded}"`);
        expect(res.body).toContain('Voir les discussions sur cette page');
        expect(res.body).toMatch(/<script type="module" src="\/assets\/forum-panel-[^"]+\.js"><\/script>/);
      }
    });

    it('serves the panel fragment: the latest five threads of that page only, with counts, never cached', async () => {
      const { agent } = await learner();
      const quizThreads: number[] = [];
      for (let i = 1; i <= 6; i++)
        quizThreads.push(await ask(agent, { route: QUIZ, topic: 'week-1', title: `Sur le quiz ${i}` }));
      const elsewhere = await ask(agent, { route: VIDEO, topic: 'week-1', title: 'Sur la vidéo' });
      clock = new Date(now.getTime() + 60_000);
      await answer(agent, quizThreads[0]!, 'Une réponse');
      clock = now;
      const res = await new Agent(app).get(`${FORUM}/panel?route=${encodeURIComponent(QUIZ)}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).not.toContain('<html');
      expect(res.body).toContain('6 discussion(s) sur cette page');
      expect(res.body.match(/<li>/g)).toHaveLength(5);
      // The one answered just now has the newest activity: first, with its count.
      expect(res.body).toMatch(new RegExp(`href="${threadUrl(quizThreads[0]!)}"[^]*?1 réponse\\(s\\)`));
      expect(res.body.indexOf(threadUrl(quizThreads[0]!))).toBeLessThan(res.body.indexOf('Sur le quiz 6'));
      expect(res.body).not.toContain('Sur le quiz 2<');
      expect(res.body).not.toContain(`href="${threadUrl(elsewhere)}"`);
      const none = await new Agent(app).get(`${FORUM}/panel?route=${encodeURIComponent('w3/w3-s1-c1-regexp')}`);
      expect(none.body).toContain('Aucune discussion sur cette page');
      expect((await new Agent(app).get(`${FORUM}/panel`)).statusCode).toBe(400);
      // The forum filtered by that page lists the six, and links back to the page.
      const list = (await new Agent(app).get(`${FORUM}?route=${encodeURIComponent(QUIZ)}`)).body;
      expect(list.match(/class="forum-thread-row"/g)).toHaveLength(6);
      expect(list).toContain(`href="/courses/demo/${QUIZ}"`);
    });
  });

  describe('accounts', () => {
    it('exports a learner’s posts, and keeps them authorless once the account is deleted', async () => {
      const { user, agent } = await learner('partant');
      const id = await ask(agent, { title: 'Fil d’un partant', body: 'Mon message' });
      await answer(agent, id, 'Ma réponse');
      const exported = JSON.parse((await agent.get('/account/export')).body) as {
        forum_posts: { thread_title: string; body: string; created_at: string; depth: number }[];
      };
      expect(exported.forum_posts.map((p) => [p.thread_title, p.body, p.depth])).toEqual([
        ['Fil d’un partant', 'Mon message', 0],
        ['Fil d’un partant', 'Ma réponse', 1],
      ]);
      expect(exported.forum_posts[0]!.created_at).toBe(now.toISOString());
      const res = await agent.post('/account/delete', { confirm_password: user.password }, { tokenFrom: '/account' });
      expect(res.statusCode).toBe(200);
      const page = (await new Agent(app).get(threadUrl(id))).body;
      expect(page).toContain('Mon message');
      expect(page).toContain('Ma réponse');
      expect(page).toContain('Utilisateur supprimé');
      expect(page).not.toContain('class="forum-author">partant');
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.author_id).toBeNull();
    });
  });

  it('speaks English to an English reader', async () => {
    const res = await new Agent(app).get(FORUM, { 'accept-language': 'en' });
    expect(res.body).toContain('All threads');
    expect(res.body).toContain('Week 1');
    expect(res.body).toContain('General');
  });
});
