import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { addPost } from '../src/lib/forum/forum.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug, updateForumAnonymous } from '../src/models/courses.ts';
import { selectOptionalThread } from '../src/models/forum.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

/**
 * In-app forum notifications (issue 13, ADR 046), through HTTP on both databases: who is told of
 * what, the list and its links, read marks (one's own only), the header's count, anonymity and
 * hidden posts.
 */

const FORUM = '/courses/demo/forum';
const threadUrl = (id: number) => `${FORUM}/threads/${id}`;
const LIST = '/me/notifications';

describe.each(DIALECTS)('forum notifications on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let courseId: number;
  const now = new Date('2026-03-10T10:00:00Z');
  let clock = now;

  beforeAll(async () => {
    t = await createTestDb(dialect);
    const summary = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    expect(summary.errors).toEqual([]);
    courseId = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!.course_id;
    const config = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false' });
    app = await buildApp({ config, db: t.db, logger: false, clock: () => clock });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
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

  async function ask(agent: Agent, fields: Record<string, string> = {}): Promise<number> {
    const res = await agent.post(
      FORUM,
      { kind: 'question', topic: 'general', title: 'Une question', body: 'Le texte.', ...fields },
      { tokenFrom: `${FORUM}/new` },
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return Number(/\/threads\/(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  async function answer(agent: Agent, thread: number, body: string, extra: Record<string, string> = {}) {
    const res = await agent.post(`${threadUrl(thread)}/replies`, { body, ...extra }, { tokenFrom: threadUrl(thread) });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return Number(/#post-(\d+)$/.exec(String(res.headers['location']))![1]);
  }

  /** A user's notification rows, oldest first. */
  const rowsOf = (userId: number) =>
    t.db.kysely
      .selectFrom('notifications')
      .select(['id', 'kind', 'post_id', 'read_at', 'mail'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();

  /** The items of a notification list page. */
  const itemsOf = (page: string): string[] => page.match(/<li class="notification[\s\S]*?<\/li>/g) ?? [];

  const unread = async (agent: Agent): Promise<number> =>
    ((await agent.get('/api/notifications/unread')).json() as { unread: number }).unread;

  it('tells followers of a reply or comment, never its author; the asker reads "answered your question"', async () => {
    const { user: a, agent: asker } = await learner();
    const { user: b, agent: replier } = await learner();
    const { user: c, agent: commenter } = await learner();
    const { user: d } = await learner();
    const id = await ask(asker, { title: 'Boucle for' });
    const reply = await answer(replier, id, 'Essayez range().');
    const comment = await answer(commenter, id, 'Merci !', { parent: String(reply) });
    expect((await rowsOf(a.id)).map((r) => [r.kind, r.post_id])).toEqual([
      ['answer', reply],
      ['comment', comment],
    ]);
    // The replier follows since they replied: told of the comment, not of their own reply.
    expect((await rowsOf(b.id)).map((r) => [r.kind, r.post_id])).toEqual([['comment', comment]]);
    expect(await rowsOf(c.id)).toEqual([]);
    expect(await rowsOf(d.id)).toEqual([]);
    const list = (await asker.get(LIST)).body;
    const items = itemsOf(list);
    expect(items).toHaveLength(2);
    // Newest first, linking to the post.
    expect(items[0]).toContain('a commenté dans « Boucle for »');
    expect(items[0]).toContain(`href="/notifications/posts/${comment}"`);
    expect(items[1]).toContain(`${b.email.split('@')[0]} a répondu à votre question « Boucle for »`);
    expect(list).toContain('Non lues : 2');
  });

  it('stays silent for a follower who unfollowed, and for a discussion says "replied in"', async () => {
    const { user: a, agent: author } = await learner();
    const { user: b, agent: quiet } = await learner();
    const { agent: third } = await learner();
    const id = await ask(author, { kind: 'discussion', title: 'Discutons' });
    await answer(quiet, id, 'Premier');
    const off = await quiet.post(`${threadUrl(id)}/follow`, { follow: '0' }, { tokenFrom: threadUrl(id) });
    expect(off.statusCode).toBe(303);
    const reply = await answer(third, id, 'Deuxième');
    expect((await rowsOf(b.id)).map((r) => r.post_id)).not.toContain(reply);
    const mine = await rowsOf(a.id);
    expect(mine.map((r) => r.kind)).toEqual(['reply', 'reply']);
    expect(itemsOf((await author.get(LIST)).body)[0]).toContain('a répondu dans « Discutons »');
  });

  it('links each notification to its post on the right page of the thread', async () => {
    const { agent: asker } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(asker, { title: 'Fil long' });
    // Past the first 50 replies (written through the workflow: the posting limits are not tested here).
    const thread = (await selectOptionalThread(t.db.kysely, courseId, id))!;
    const { id: replierId } = await userOf(replier);
    let last = 0;
    for (let i = 0; i < 51; i++) {
      last = await addPost(t.db.kysely, thread, { parentId: null, body: `Réponse ${i}`, authorId: replierId }, clock);
    }
    const res = await asker.get(`/notifications/posts/${last}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers['location']).toBe(`${threadUrl(id)}?page=2#post-${last}`);
    // The list pages too: 51 notifications, 30 a page.
    const first = (await asker.get(LIST)).body;
    expect(itemsOf(first)).toHaveLength(30);
    expect(first).toContain('href="/me/notifications?page=2"');
    const second = (await asker.get(`${LIST}?page=2`)).body;
    expect(itemsOf(second)).toHaveLength(21);
    expect(second).toContain(`/notifications/posts/${(await rowsOf((await userOf(asker)).id))[0]!.post_id}"`);
  });

  async function userOf(agent: Agent) {
    return (await agent.session()).user!;
  }

  it('marks one or all read, with the CSRF token only; the header count follows', async () => {
    const { agent: asker } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(asker);
    await answer(replier, id, 'Un');
    await answer(replier, id, 'Deux');
    await answer(replier, id, 'Trois');
    expect(await unread(asker)).toBe(3);
    const me = await userOf(asker);
    const [first, second] = await rowsOf(me.id);
    const forged = await asker.post(`${LIST}/${first!.id}/read`, { _csrf: 'x'.repeat(43) });
    expect(forged.statusCode).toBe(403);
    const crossSite = await asker.post(
      `${LIST}/${first!.id}/read`,
      {},
      { tokenFrom: LIST, headers: { 'sec-fetch-site': 'cross-site' } },
    );
    expect(crossSite.statusCode).toBe(403);
    expect(await unread(asker)).toBe(3);
    const one = await asker.post(`${LIST}/${first!.id}/read`, {}, { tokenFrom: LIST });
    expect(one.statusCode).toBe(303);
    expect(one.headers['location']).toBe('/me/notifications?notice=read');
    expect(await unread(asker)).toBe(2);
    expect((await rowsOf(me.id)).find((r) => r.id === second!.id)!.read_at).toBeNull();
    expect((await asker.post(`${LIST}/read`, { _csrf: '' })).statusCode).toBe(403);
    expect(await unread(asker)).toBe(2);
    expect((await asker.post(`${LIST}/read`, {}, { tokenFrom: LIST })).statusCode).toBe(303);
    expect(await unread(asker)).toBe(0);
    const page = (await asker.get(LIST)).body;
    expect(page).toContain('Aucune notification non lue');
    expect(page).not.toContain('Marquer comme lu');
  });

  it('IDOR: a learner neither sees nor marks another learner’s notifications', async () => {
    const { user: victim, agent: victimAgent } = await learner();
    const { agent: attacker } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(victimAgent, { title: 'Ma question privée de notifications' });
    await answer(replier, id, 'Une réponse');
    const [theirs] = await rowsOf(victim.id);
    expect(theirs).toBeDefined();
    const res = await attacker.post(`${LIST}/${theirs!.id}/read`, {}, { tokenFrom: LIST });
    expect(res.statusCode).toBe(404);
    // A made-up id answers the same.
    expect((await attacker.post(`${LIST}/999999/read`, {}, { tokenFrom: LIST })).statusCode).toBe(404);
    expect((await rowsOf(victim.id))[0]!.read_at).toBeNull();
    // Marking all of one's own leaves the victim's alone.
    await attacker.post(`${LIST}/read`, {}, { tokenFrom: LIST });
    expect((await rowsOf(victim.id))[0]!.read_at).toBeNull();
    expect((await attacker.get(LIST)).body).not.toContain('Ma question privée de notifications');
    expect(await unread(victimAgent)).toBe(1);
    // Visitors get nothing.
    const visitor = new Agent(app);
    expect((await visitor.get(LIST)).statusCode).toBe(303);
    expect((await visitor.get('/api/notifications/unread')).statusCode).toBe(401);
  });

  it('keeps the count out of cached pages: the header links to the list and a module fetches the count', async () => {
    const { agent: asker } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(asker);
    await answer(replier, id, 'Pour le compteur');
    const item = '/courses/demo/w1/w1-s1-c1-nombres';
    const mine = await asker.get(item);
    const other = await replier.get(item);
    const link = (page: string) => /<a\s+href="\/me\/notifications"[\s\S]*?<\/a>/.exec(page)?.[0];
    expect(link(mine.body)).toBeDefined();
    // Same markup for both readers: no count inside the page.
    expect(link(mine.body)).toBe(link(other.body));
    expect(link(mine.body)).toContain('<span class="notifications-count" hidden></span');
    expect(link(mine.body)).toContain('data-unread-url="/api/notifications/unread"');
    expect((await new Agent(app).get(item)).body).not.toContain('/me/notifications');
    const api = await asker.get('/api/notifications/unread');
    expect(api.headers['cache-control']).toBe('private, no-store');
    expect(api.json()).toEqual({ unread: 1, cap: 100 });
  });

  it('never names an anonymous author in a notification, to learners and staff alike', async () => {
    await updateForumAnonymous(t.db.kysely, courseId, true, now);
    try {
      const { agent: asker } = await learner();
      const { user: secret, agent: hidden } = await learner('cachecache');
      const { agent: teacher } = await staff();
      const id = await ask(asker, { title: 'Question à cacher' });
      await teacher.post(`${threadUrl(id)}/follow`, { follow: '1' }, { tokenFrom: threadUrl(id) });
      await answer(hidden, id, 'Réponse anonyme', { anonymous: '1' });
      for (const reader of [asker, teacher]) {
        const page = (await reader.get(LIST)).body;
        expect(itemsOf(page)[0]).toContain('Anonyme a');
        expect(page).not.toContain('cachecache');
        expect(page).not.toContain(secret.email);
      }
    } finally {
      await updateForumAnonymous(t.db.kysely, courseId, false, now);
    }
  });

  it('leaves notifications of hidden or deleted posts and threads out of the list and the count', async () => {
    const { user: a, agent: asker } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(asker, { title: 'Fil avec un message caché' });
    const shown = await answer(replier, id, 'Visible');
    const hiddenPost = await answer(replier, id, 'Bientôt caché');
    const deleted = await answer(replier, id, 'Bientôt supprimé');
    await t.db.kysely.updateTable('forum_posts').set({ hidden: 1 }).where('id', '=', hiddenPost).execute();
    expect((await replier.post(`${threadUrl(id)}/posts/${deleted}/delete`, {}, { tokenFrom: LIST })).statusCode).toBe(
      303,
    );
    const page = (await asker.get(LIST)).body;
    expect(itemsOf(page)).toHaveLength(1);
    expect(page).toContain(`/notifications/posts/${shown}"`);
    expect(await unread(asker)).toBe(1);
    expect((await asker.get(`/notifications/posts/${hiddenPost}`)).statusCode).toBe(404);
    expect((await asker.get(`/notifications/posts/${deleted}`)).statusCode).toBe(404);
    // A hidden thread takes all of its notifications away.
    await t.db.kysely.updateTable('forum_threads').set({ hidden: 1 }).where('id', '=', id).execute();
    expect(itemsOf((await asker.get(LIST)).body)).toHaveLength(0);
    expect(await unread(asker)).toBe(0);
    expect((await rowsOf(a.id)).length).toBe(3);
  });

  it('tells of an accepted answer (replier; asker when staff accepted) and an endorsement, once each', async () => {
    const { user: a, agent: asker } = await learner();
    const { user: b, agent: replier } = await learner();
    const { user: s, agent: teacher } = await staff();
    const id = await ask(asker, { title: 'À accepter' });
    const reply = await answer(replier, id, 'La bonne réponse');
    const accept = (agent: Agent, undo = false) =>
      agent.post(
        `${threadUrl(id)}/accept`,
        { post: String(reply), ...(undo ? { undo: '1' } : {}) },
        { tokenFrom: threadUrl(id) },
      );
    expect((await accept(asker)).statusCode).toBe(303);
    expect((await rowsOf(b.id)).map((r) => r.kind)).toEqual(['accepted']);
    // The asker accepted it themselves: nothing for them.
    expect((await rowsOf(a.id)).map((r) => r.kind)).toEqual(['answer']);
    await accept(asker, true);
    await accept(teacher);
    expect((await rowsOf(b.id)).map((r) => r.kind)).toEqual(['accepted']);
    expect((await rowsOf(a.id)).map((r) => r.kind)).toEqual(['answer', 'questionAccepted']);
    expect(await rowsOf(s.id)).toEqual([]);
    const endorse = await teacher.post(`${threadUrl(id)}/posts/${reply}/endorse`, {}, { tokenFrom: threadUrl(id) });
    expect(endorse.statusCode).toBe(303);
    await teacher.post(`${threadUrl(id)}/posts/${reply}/endorse`, { undo: '1' }, { tokenFrom: threadUrl(id) });
    await teacher.post(`${threadUrl(id)}/posts/${reply}/endorse`, {}, { tokenFrom: threadUrl(id) });
    expect((await rowsOf(b.id)).map((r) => r.kind)).toEqual(['accepted', 'endorsed']);
    const list = (await replier.get(LIST)).body;
    expect(list).toContain('L’équipe a approuvé votre réponse dans « À accepter »');
    expect(list).toContain('Votre réponse dans « À accepter » a été acceptée');
    expect((await asker.get(LIST)).body).toContain('Une réponse à votre question « À accepter » a été acceptée');
  });

  it('shows the list in English for an English reader, with the e-mail choices of their courses', async () => {
    const { user, agent } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(agent, { title: 'In English' });
    await answer(replier, id, 'Hello');
    const page = (await agent.get(LIST, { 'accept-language': 'en' })).body;
    expect(page).toContain('answered your question “In English”');
    expect(page).toContain('<label for="email-course-');
    expect(page).toMatch(/<option value="daily" selected>\s*A daily digest/);
    expect(user.id).toBeGreaterThan(0);
  });

  it('saves e-mail choices per course with the CSRF token only', async () => {
    const { user, agent } = await learner();
    const { agent: replier } = await learner();
    const id = await ask(agent);
    await answer(replier, id, 'Pour avoir un cours dans la liste');
    const field = `course-${courseId}`;
    expect((await agent.post(`${LIST}/preferences`, { _csrf: '', [field]: 'none' })).statusCode).toBe(403);
    const mode = async () =>
      (
        await t.db.kysely
          .selectFrom('notification_preferences')
          .select('email')
          .where('user_id', '=', user.id)
          .executeTakeFirst()
      )?.email;
    expect(await mode()).toBeUndefined();
    const saved = await agent.post(`${LIST}/preferences`, { [field]: 'weekly' }, { tokenFrom: LIST });
    expect(saved.statusCode).toBe(303);
    expect(await mode()).toBe('weekly');
    expect((await agent.get(LIST)).body).toMatch(/<option value="weekly" selected>/);
    // Nonsense leaves the choice as it was.
    await agent.post(`${LIST}/preferences`, { [field]: 'hourly' }, { tokenFrom: LIST });
    expect(await mode()).toBe('weekly');
    clock = now;
  });
});
