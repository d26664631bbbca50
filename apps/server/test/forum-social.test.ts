import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalPost, selectOptionalThread } from '../src/models/forum.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, makeCourse, notebook } from './fixtures.ts';

/** Votes, follows, staff endorsement and anonymity on the course forum (issue 13, ADR 043). */

const NOTEBOOK = 'w1/w1-s1-c1-nombres';
const FORUM = '/courses/demo/forum';
const threadUrl = (id: number, slug = 'demo') => `/courses/${slug}/forum/threads/${id}`;
const postUrl = (thread: number, post: number, slug = 'demo') => `${threadUrl(thread, slug)}/posts/${post}`;

/** Ids of the posts of a page, in order of appearance. */
const postIds = (page: string): number[] => [...page.matchAll(/id="post-(\d+)"/g)].map((m) => Number(m[1]));

/** The row of the thread list that links to this thread. */
function rowOf(list: string, thread: number): string {
  const row = list
    .match(/<li class="forum-thread-row">[\s\S]*?<\/li>/g)
    ?.find((r) => r.includes(`href="${threadUrl(thread)}"`));
  if (!row) throw new Error(`no row for thread ${thread}`);
  return row;
}

/** The post's `<article>` on a thread page. */
function articleOf(page: string, post: number): string {
  const match = new RegExp(`<article[^>]*id="post-${post}"[\\s\\S]*?</article>`).exec(page);
  if (!match) throw new Error(`no post ${post}`);
  return match[0];
}

describe.each(DIALECTS)('forum votes, follows, endorsement and anonymity on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let courseId: number;
  let cleanupOther: () => void;
  const now = new Date('2026-03-10T10:00:00Z');
  let clock = now;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const other = makeCourse({ 'w1/w1-s1-c1-intro.md': notebook('Intro') });
    cleanupOther = other.cleanup;
    expect((await importCourse(t.db, { source: other.dir, slug: 'other', dataDir: t.dataDir })).errors).toEqual([]);
    courseId = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!.course_id;
    const config = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => clock });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
    cleanupOther();
  });

  let users = 0;
  async function learner(name = `learner${++users}`, options: { admin?: boolean } = {}) {
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}${users}@example.org`;
    const user = await createUser(t.db, email, { name, admin: options.admin });
    const agent = new Agent(app);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }

  async function staff(name = `staff${++users}`) {
    const made = await learner(name);
    await ensureCourseRole(t.db.kysely, { userId: made.user.id, courseId, role: 'staff', grantedBy: null }, now);
    return made;
  }

  async function ask(agent: Agent, fields: Record<string, string> = {}, slug = 'demo'): Promise<number> {
    const res = await agent.post(
      `/courses/${slug}/forum`,
      { kind: 'question', topic: 'general', title: 'Une question', body: 'Le texte.', ...fields },
      { tokenFrom: `/courses/${slug}/forum/new` },
    );
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    return Number(/\/forum\/threads\/(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  async function answer(agent: Agent, thread: number, body: string, extra: Record<string, string> = {}) {
    const res = await agent.post(`${threadUrl(thread)}/replies`, { body, ...extra }, { tokenFrom: threadUrl(thread) });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    return Number(/#post-(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  const openingOf = async (agent: Agent, thread: number) => postIds((await agent.get(threadUrl(thread))).body)[0]!;
  const vote = (agent: Agent, thread: number, post: number, undo = false, slug = 'demo') =>
    agent.post(`${postUrl(thread, post, slug)}/vote`, undo ? { undo: '1' } : {}, { tokenFrom: '/me' });
  const endorse = (agent: Agent, thread: number, post: number, undo = false) =>
    agent.post(`${postUrl(thread, post)}/endorse`, undo ? { undo: '1' } : {}, { tokenFrom: '/me' });
  const follow = (agent: Agent, thread: number, value: string) =>
    agent.post(`${threadUrl(thread)}/follow`, { follow: value }, { tokenFrom: '/me' });
  const votesOf = async (thread: number, post: number) =>
    (await selectOptionalPost(t.db.kysely, thread, post))!.vote_count;
  const followRow = (thread: number, user: number) =>
    t.db.kysely
      .selectFrom('forum_follows')
      .select('following')
      .where('thread_id', '=', thread)
      .where('user_id', '=', user)
      .executeTakeFirst();
  const setAnonymity = async (agent: Agent, allowed: boolean) => {
    const res = await agent.post('/manage/courses/demo/forum', allowed ? { anonymous: '1' } : {}, {
      tokenFrom: '/manage/courses/demo',
    });
    expect(res.statusCode).toBe(303);
  };

  describe('votes', () => {
    it('counts one vote per learner, on the thread page and the list; a double submit counts once; undo withdraws it', async () => {
      const { agent: asker } = await learner();
      const { agent: b } = await learner();
      const { agent: c } = await learner();
      const id = await ask(asker, { title: 'Votez pour moi' });
      const opening = await openingOf(asker, id);
      const page = (await b.get(threadUrl(id))).body;
      expect(articleOf(page, opening)).toContain(`action="${postUrl(id, opening)}/vote"`);
      expect(articleOf(page, opening)).toContain('Voter pour ce message');
      expect((await vote(b, id, opening)).statusCode).toBe(303);
      expect((await vote(b, id, opening)).statusCode).toBe(303);
      expect(await votesOf(id, opening)).toBe(1);
      await vote(c, id, opening);
      expect(await votesOf(id, opening)).toBe(2);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.vote_count).toBe(2);
      expect(rowOf((await new Agent(app).get(FORUM)).body, id)).toContain('2 vote(s)');
      const seen = articleOf((await b.get(threadUrl(id))).body, opening);
      expect(seen).toContain('2 vote(s)');
      expect(seen).toContain('Retirer mon vote');
      expect(seen).toContain('name="undo" value="1"');
      await vote(b, id, opening, true);
      await vote(b, id, opening, true);
      expect(await votesOf(id, opening)).toBe(1);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.vote_count).toBe(1);
      expect(articleOf((await b.get(threadUrl(id))).body, opening)).toContain('Voter pour ce message');
      // A reply takes votes too; its count is its own.
      const reply = await answer(b, id, 'Une réponse');
      await vote(asker, id, reply);
      expect(await votesOf(id, reply)).toBe(1);
      expect(await votesOf(id, opening)).toBe(1);
      // A visitor sees the counts, no button.
      const visitor = (await new Agent(app).get(threadUrl(id))).body;
      expect(articleOf(visitor, reply)).toContain('1 vote(s)');
      expect(visitor).not.toContain('/vote"');
    });

    it('refuses a vote for one’s own post (403), a comment or a deleted post (400), from a visitor (401)', async () => {
      const { agent: asker } = await learner();
      const { agent: other } = await learner();
      const id = await ask(asker);
      const opening = await openingOf(asker, id);
      expect(articleOf((await asker.get(threadUrl(id))).body, opening)).not.toContain('/vote"');
      const own = await vote(asker, id, opening);
      expect(own.statusCode).toBe(403);
      expect(own.body).toContain('On ne vote pas pour son propre message.');
      const reply = await answer(other, id, 'Réponse');
      const comment = await answer(asker, id, 'Commentaire', { parent: String(reply) });
      expect(articleOf((await other.get(threadUrl(id))).body, comment)).not.toContain('/vote"');
      expect((await vote(other, id, comment)).statusCode).toBe(400);
      await other.post(`${postUrl(id, reply)}/delete`, {}, { tokenFrom: '/me' });
      expect((await vote(asker, id, reply)).statusCode).toBe(400);
      const visitor = await new Agent(app).post(`${postUrl(id, opening)}/vote`, {});
      expect(visitor.statusCode).toBe(401);
      expect(await votesOf(id, opening)).toBe(0);
      expect(await votesOf(id, reply)).toBe(0);
      expect(await votesOf(id, comment)).toBe(0);
    });

    it('answers 404 for a post reached through another course or another thread; refuses a vote without its CSRF token', async () => {
      const { agent: asker } = await learner();
      const { agent: voter } = await learner();
      const id = await ask(asker);
      const opening = await openingOf(asker, id);
      const elsewhere = await ask(asker, { title: 'Dans le cours other' }, 'other');
      expect((await vote(voter, id, opening, false, 'other')).statusCode).toBe(404);
      expect((await vote(voter, elsewhere, opening, false, 'other')).statusCode).toBe(404);
      const sibling = await ask(asker, { title: 'Un fil voisin' });
      expect((await vote(voter, sibling, opening)).statusCode).toBe(404);
      expect((await voter.post(`${postUrl(id, opening)}/vote`, { _csrf: '' })).statusCode).toBe(403);
      const crossSite = await voter.post(
        `${postUrl(id, opening)}/vote`,
        {},
        { tokenFrom: '/me', headers: { 'sec-fetch-site': 'cross-site' } },
      );
      expect(crossSite.statusCode).toBe(403);
      expect(await votesOf(id, opening)).toBe(0);
    });

    it('sorts the list by votes with ?sort=votes, by newest activity otherwise', async () => {
      const { agent: asker } = await learner();
      const { agent: v1 } = await learner();
      const { agent: v2 } = await learner();
      const topic = 'week-3';
      clock = new Date('2026-03-12T10:00:00Z');
      const popular = await ask(asker, { topic, title: 'Populaire' });
      clock = new Date('2026-03-12T11:00:00Z');
      const recent = await ask(asker, { topic, title: 'Récent' });
      clock = now;
      const opening = await openingOf(asker, popular);
      await vote(v1, popular, opening);
      await vote(v2, popular, opening);
      const byActivity = (await new Agent(app).get(`${FORUM}?topic=${topic}`)).body;
      expect(byActivity.indexOf(threadUrl(recent))).toBeLessThan(byActivity.indexOf(threadUrl(popular)));
      const byVotes = (await new Agent(app).get(`${FORUM}?topic=${topic}&sort=votes`)).body;
      expect(byVotes.indexOf(threadUrl(popular))).toBeLessThan(byVotes.indexOf(threadUrl(recent)));
      expect(byVotes).toMatch(/<option value="votes" selected/);
    });
  });

  describe('follows', () => {
    it('makes the author, repliers and commenters follow; an unfollow stays off when they post again', async () => {
      const { user: a, agent: asker } = await learner();
      const { user: b, agent: replier } = await learner();
      const { user: c, agent: commenter } = await learner();
      const { user: d, agent: reader } = await learner();
      const id = await ask(asker, { title: 'Fil suivi' });
      const reply = await answer(replier, id, 'Réponse');
      await answer(commenter, id, 'Commentaire', { parent: String(reply) });
      expect(await followRow(id, a.id)).toEqual({ following: 1 });
      expect(await followRow(id, b.id)).toEqual({ following: 1 });
      expect(await followRow(id, c.id)).toEqual({ following: 1 });
      expect(await followRow(id, d.id)).toBeUndefined();
      expect((await replier.get(threadUrl(id))).body).toContain('Ne plus suivre ce fil');
      expect((await reader.get(threadUrl(id))).body).toContain('Suivre ce fil');
      expect((await new Agent(app).get(threadUrl(id))).body).not.toContain('/follow"');

      expect((await replier.get(`${FORUM}?followed=1`)).body).toContain(`href="${threadUrl(id)}"`);
      expect((await follow(replier, id, '0')).statusCode).toBe(303);
      expect(await followRow(id, b.id)).toEqual({ following: 0 });
      await answer(replier, id, 'Encore moi');
      expect(await followRow(id, b.id)).toEqual({ following: 0 });
      const page = (await replier.get(threadUrl(id))).body;
      expect(page).toContain('Vous ne suivez pas ce fil.');
      expect((await replier.get(`${FORUM}?followed=1`)).body).not.toContain(`href="${threadUrl(id)}"`);
      // A reader who never posted follows by hand; following again changes nothing.
      await follow(reader, id, '1');
      await follow(reader, id, '1');
      expect(await followRow(id, d.id)).toEqual({ following: 1 });
      expect((await reader.get(`${FORUM}?followed=1`)).body).toContain(`href="${threadUrl(id)}"`);
      expect((await follow(reader, id, 'yes')).statusCode).toBe(400);
      expect(
        (await reader.post(`${threadUrl(id, 'other')}/follow`, { follow: '1' }, { tokenFrom: '/me' })).statusCode,
      ).toBe(404);
      expect((await reader.post(`${threadUrl(id)}/follow`, { _csrf: '', follow: '0' })).statusCode).toBe(403);
      expect(await followRow(id, d.id)).toEqual({ following: 1 });
    });

    it('lists "mine": threads I started or posted in, only mine; a visitor gets neither filter', async () => {
      const { agent: asker } = await learner();
      const { agent: replier } = await learner();
      const { agent: stranger } = await learner();
      const started = await ask(asker, { title: 'Lancé par moi' });
      const answered = await ask(replier, { title: 'Où j’ai répondu' });
      const untouched = await ask(replier, { title: 'Sans moi' });
      await answer(asker, answered, 'Ma réponse');
      const mine = (await asker.get(`${FORUM}?mine=1`)).body;
      expect(mine).toContain(`href="${threadUrl(started)}"`);
      expect(mine).toContain(`href="${threadUrl(answered)}"`);
      expect(mine).not.toContain(`href="${threadUrl(untouched)}"`);
      expect(mine).toMatch(/id="f-mine"[^>]*checked/);
      const strangers = (await stranger.get(`${FORUM}?mine=1`)).body;
      expect(strangers).not.toContain(`href="${threadUrl(started)}"`);
      expect(strangers).toContain('Aucun fil ici');
      const visitor = (await new Agent(app).get(`${FORUM}?mine=1&followed=1`)).body;
      expect(visitor).not.toContain('name="mine"');
      expect(visitor).not.toContain('name="followed"');
    });
  });

  describe('endorsement', () => {
    it('lets staff and administrators endorse a reply, shown with who; refuses learners; the list counts it', async () => {
      const { agent: asker } = await learner();
      const { agent: helper } = await learner();
      const { agent: moderator } = await staff('Prof Tournesol');
      const { agent: admin } = await learner('Admin Haddock', { admin: true });
      const id = await ask(asker, { title: 'À approuver' });
      const reply = await answer(helper, id, 'Une bonne réponse');
      const comment = await answer(asker, id, 'Merci', { parent: String(reply) });
      const opening = await openingOf(asker, id);
      expect((await asker.get(threadUrl(id))).body).not.toContain('/endorse"');
      const refused = await endorse(asker, id, reply);
      expect(refused.statusCode).toBe(403);
      expect((await endorse(helper, id, reply)).statusCode).toBe(403);
      expect((await selectOptionalPost(t.db.kysely, id, reply))!.endorsed_at).toBeNull();

      expect(articleOf((await moderator.get(threadUrl(id))).body, reply)).toContain('Approuver cette réponse');
      expect((await endorse(moderator, id, reply)).statusCode).toBe(303);
      expect((await endorse(moderator, id, reply)).statusCode).toBe(303);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.endorsed_count).toBe(1);
      const seen = articleOf((await new Agent(app).get(threadUrl(id))).body, reply);
      expect(seen).toContain('Approuvé par l’équipe (Prof Tournesol)');
      expect(rowOf((await new Agent(app).get(FORUM)).body, id)).toContain('Réponse approuvée par l’équipe');
      expect((await endorse(moderator, id, opening)).statusCode).toBe(400);
      expect((await endorse(moderator, id, comment)).statusCode).toBe(400);

      // Withdrawn, then endorsed by an administrator, then deleted: the list forgets it.
      await endorse(moderator, id, reply, true);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.endorsed_count).toBe(0);
      expect(articleOf((await new Agent(app).get(threadUrl(id))).body, reply)).not.toContain('Approuvé');
      expect((await endorse(admin, id, reply)).statusCode).toBe(303);
      expect(articleOf((await new Agent(app).get(threadUrl(id))).body, reply)).toContain('(Admin Haddock)');
      await helper.post(`${postUrl(id, reply)}/delete`, {}, { tokenFrom: '/me' });
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.endorsed_count).toBe(0);
      expect(rowOf((await new Agent(app).get(FORUM)).body, id)).not.toContain('Réponse approuvée');
      expect((await endorse(moderator, id, reply, true)).statusCode).toBe(400);
    });
  });

  describe('anonymity', () => {
    it('refuses an anonymous post while the course does not allow it, keeping the text; the box is not offered', async () => {
      const { agent } = await learner();
      expect((await agent.get(`${FORUM}/new`)).body).not.toContain('name="anonymous"');
      const res = await agent.post(
        FORUM,
        { kind: 'question', topic: 'general', title: 'Anonyme refusé', body: 'Mon texte gardé', anonymous: '1' },
        { tokenFrom: `${FORUM}/new` },
      );
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Ce cours ne permet pas les messages anonymes');
      expect(res.body).toContain('Mon texte gardé</textarea>');
      expect((await agent.get(FORUM)).body).not.toContain('Anonyme refusé');
      const id = await ask(agent, { title: 'Fil nommé' });
      expect((await agent.get(threadUrl(id))).body).not.toContain('name="anonymous"');
      const reply = await agent.post(
        `${threadUrl(id)}/replies`,
        { body: 'Réponse anonyme refusée', anonymous: '1' },
        { tokenFrom: threadUrl(id) },
      );
      expect(reply.statusCode).toBe(400);
      expect(reply.body).toContain('Ce cours ne permet pas les messages anonymes');
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.reply_count).toBe(0);
    });

    it('lets only staff set the course’s anonymity on its staff page', async () => {
      const { agent: moderator } = await staff();
      const { agent: plain } = await learner();
      const page = (await moderator.get('/manage/courses/demo')).body;
      expect(page).toContain('action="/manage/courses/demo/forum"');
      expect(page).toMatch(/name="anonymous"\s+value="1"\s*\/>/);
      const refused = await plain.post('/manage/courses/demo/forum', { anonymous: '1' }, { tokenFrom: '/me' });
      expect(refused.statusCode).toBe(404);
      expect((await plain.get(`${FORUM}/new`)).body).not.toContain('name="anonymous"');
      await setAnonymity(moderator, true);
      expect((await moderator.get('/manage/courses/demo')).body).toMatch(/name="anonymous"\s+value="1"\s+checked/);
      expect((await plain.get(`${FORUM}/new`)).body).toContain('Anonyme pour les autres apprenants');
      await setAnonymity(moderator, false);
      expect((await plain.get(`${FORUM}/new`)).body).not.toContain('name="anonymous"');
    });

    it('gives nothing of an anonymous author away to learners and visitors; the author and staff see theirs', async () => {
      const { agent: moderator } = await staff('Prof Lune');
      await setAnonymity(moderator, true);
      const { user: secret, agent: author } = await learner('Zéphyrine Secrète');
      const { user: twinUser, agent: twin } = await learner('Bartholomé Jumeau');
      const { agent: reader } = await learner('Lecteur Curieux');
      const named = await ask(reader, { title: 'Un fil nommé', kind: 'discussion' });

      // Two anonymous authors post the same things at the same time: learners must see the same page.
      const posted = async (agent: Agent) => {
        const id = await ask(agent, {
          title: 'Question anonyme',
          body: 'Je n’ose pas demander.',
          route: NOTEBOOK,
          topic: 'week-1',
          anonymous: '1',
        });
        const reply = await answer(agent, named, 'Réponse anonyme', { anonymous: '1' });
        await answer(agent, named, 'Commentaire anonyme', { parent: String(reply), anonymous: '1' });
        return id;
      };
      const mine = await posted(author);
      const theirs = await posted(twin);
      expect((await selectOptionalThread(t.db.kysely, courseId, mine))!.anonymous).toBe(1);

      const secrets = [
        secret.email,
        twinUser.email,
        'Zéphyrine',
        'Secrète',
        'Bartholomé',
        'Jumeau',
        'zephyrine',
        'bartholome',
      ];
      const urls = [
        threadUrl(mine),
        threadUrl(theirs),
        threadUrl(named),
        FORUM,
        `${FORUM}?sort=votes`,
        `${FORUM}?topic=week-1`,
        `${FORUM}?route=${encodeURIComponent(NOTEBOOK)}`,
        `${FORUM}?followed=1`,
        `${FORUM}?mine=1`,
        `${FORUM}/panel?route=${encodeURIComponent(NOTEBOOK)}`,
        `/courses/demo/${NOTEBOOK}`,
      ];
      for (const [who, agent] of [
        ['learner', reader],
        ['visitor', new Agent(app)],
      ] as const) {
        for (const url of urls) {
          const res = await agent.get(url);
          expect(res.statusCode, url).toBe(200);
          for (const s of secrets) expect(res.body.toLowerCase(), `${who} ${url}: ${s}`).not.toContain(s.toLowerCase());
          expect(res.body, url).not.toContain('Utilisateur supprimé');
        }
        // The two anonymous threads read the same, ids apart.
        const normalise = (page: string, thread: number) =>
          page
            .replaceAll(encodeURIComponent(threadUrl(thread)), 'THREAD')
            .replaceAll(threadUrl(thread), 'THREAD')
            .replace(/post-\d+/g, 'post-N')
            .replace(/posts\/\d+/g, 'posts/N')
            .replace(/name="parent" value="\d+"/g, 'parent')
            .replace(/f-comment-\d+/g, 'f-comment-N');
        const first = normalise((await agent.get(threadUrl(mine))).body, mine);
        const second = normalise((await agent.get(threadUrl(theirs))).body, theirs);
        expect(first, who).toBe(second);
        expect(first).toContain('<span class="forum-author forum-anonymous">Anonyme</span>');
        const list = (await agent.get(`${FORUM}?topic=week-1`)).body;
        expect(normalise(rowOf(list, mine), mine)).toBe(normalise(rowOf(list, theirs), theirs));
        // Both anonymous replies of the named thread carry the same author markup.
        const page = (await agent.get(threadUrl(named))).body;
        const labels = page.match(/<span class="forum-author[^"]*">[^<]*/g) ?? [];
        expect(labels.filter((l) => l.includes('Anonyme'))).toHaveLength(4);
        expect(new Set(labels.filter((l) => l.includes('Anonyme')))).toEqual(
          new Set(['<span class="forum-author forum-anonymous">Anonyme']),
        );
      }

      // The author sees "Vous (anonyme)" and may edit; nobody else is told it is theirs.
      const own = (await author.get(threadUrl(mine))).body;
      expect(own).toContain('Vous (anonyme)');
      expect(own).toContain(`/edit"`);
      expect((await reader.get(threadUrl(mine))).body).not.toContain('Vous (anonyme)');
      expect((await author.get(`${FORUM}?mine=1`)).body).toContain(`href="${threadUrl(mine)}"`);
      expect((await reader.get(`${FORUM}?mine=1`)).body).not.toContain(`href="${threadUrl(mine)}"`);
      // Staff see who, marked.
      const staffView = (await moderator.get(threadUrl(mine))).body;
      expect(staffView).toContain('Zéphyrine Secrète');
      expect(staffView).toContain('(anonyme pour les apprenants)');
      expect((await moderator.get(FORUM)).body).toContain('Zéphyrine Secrète');
      // Others vote for it (it is not theirs); its author cannot.
      const opening = postIds(own)[0]!;
      expect((await vote(author, mine, opening)).statusCode).toBe(403);
      expect((await vote(reader, mine, opening)).statusCode).toBe(303);
      expect((await vote(twin, mine, opening)).statusCode).toBe(303);

      // Their export keeps their anonymous posts, marked.
      const exported = JSON.parse((await author.get('/account/export')).body) as {
        forum_posts: { body: string; anonymous: number }[];
      };
      expect(exported.forum_posts.map((p) => [p.body, p.anonymous])).toEqual([
        ['Je n’ose pas demander.', 1],
        ['Réponse anonyme', 1],
        ['Commentaire anonyme', 1],
      ]);
      // Once the account is deleted, learners still read "Anonyme", not "deleted user".
      await author.post('/account/delete', { confirm_password: secret.password }, { tokenFrom: '/account' });
      const after = (await reader.get(threadUrl(mine))).body;
      expect(after).toContain('<span class="forum-author forum-anonymous">Anonyme</span>');
      expect(after).not.toContain('Utilisateur supprimé');
      await setAnonymity(moderator, false);
    });
  });

  describe('accounts', () => {
    it('exports a learner’s votes and follows; deleting the account takes their votes out of the counts', async () => {
      const { agent: asker } = await learner();
      const { user, agent: voter } = await learner('Votant');
      const id = await ask(asker, { title: 'Fil voté' });
      const opening = await openingOf(asker, id);
      const reply = await answer(asker, id, 'Réponse votée');
      await vote(voter, id, opening);
      await vote(voter, id, reply);
      await follow(voter, id, '1');
      const exported = JSON.parse((await voter.get('/account/export')).body) as {
        forum_votes: { course: string; thread_id: number; post_id: number }[];
        forum_follows: { course: string; thread_id: number; following: number; thread_title: string }[];
      };
      expect(exported.forum_votes.map((v) => [v.course, v.thread_id, v.post_id])).toEqual([
        ['demo', id, opening],
        ['demo', id, reply],
      ]);
      expect(exported.forum_follows).toEqual([
        expect.objectContaining({ course: 'demo', thread_id: id, following: 1, thread_title: 'Fil voté' }),
      ]);
      expect(
        (await voter.post('/account/delete', { confirm_password: user.password }, { tokenFrom: '/account' }))
          .statusCode,
      ).toBe(200);
      expect(await votesOf(id, opening)).toBe(0);
      expect(await votesOf(id, reply)).toBe(0);
      expect((await selectOptionalThread(t.db.kysely, courseId, id))!.vote_count).toBe(0);
    });
  });

  it('speaks English to an English reader', async () => {
    const { agent } = await learner();
    const { agent: other } = await learner();
    const id = await ask(other);
    const page = (await agent.get(threadUrl(id), { 'accept-language': 'en' })).body;
    expect(page).toContain('Upvote this message');
    expect(page).toContain('Follow this thread');
    expect((await agent.get(FORUM, { 'accept-language': 'en' })).body).toContain('Threads I follow');
  });
});
