import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Db } from '../src/db/database.ts';
import { createThread } from '../src/lib/forum/forum.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { enrol } from '../src/lib/runs/enrolment.ts';
import { ensureCourseRole } from '../src/models/course-roles.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { selectOptionalThread, selectTopics } from '../src/models/forum.ts';
import { Agent, createUser } from './agent.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE, insertTestRun } from './fixtures.ts';

const FORUM = '/courses/demo/forum';
const MODERATION = `${FORUM}/moderation`;
const threadUrl = (id: number) => `${FORUM}/threads/${id}`;
const postUrl = (thread: number, post: number) => `${threadUrl(thread)}/posts/${post}`;
const postIds = (page: string): number[] => [...page.matchAll(/id="post-(\d+)"/g)].map((m) => Number(m[1]));

/** Moderation and anti-spam (issue 13), through the HTTP API, on both databases. */
describe.each(DIALECTS)('forum moderation on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  /** Two web servers with the anti-spam rules on, each with its own connection to the same database. */
  let guarded: FastifyInstance;
  let guarded2: FastifyInstance;
  let secondDb: Db;
  let courseId: number;
  let versionId: number;
  let clock = new Date();

  beforeAll(async () => {
    t = await createTestDb(dialect);
    expect((await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).errors).toEqual([]);
    const live = (await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!;
    courseId = live.course_id;
    versionId = live.id;
    const quiet = loadConfig({}, { dataDir: t.dataDir, forumAntiSpam: 'false' });
    app = await buildApp({ config: quiet, db: t.db, logger: false, clock: () => clock });
    const strict = loadConfig({}, { dataDir: t.dataDir });
    guarded = await buildApp({ config: strict, db: t.db, logger: false, clock: () => clock });
    secondDb = openDatabase({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, poolSize: 2 });
    guarded2 = await buildApp({ config: strict, db: secondDb, logger: false, clock: () => clock });
  });
  afterAll(async () => {
    await app.close();
    await guarded.close();
    await guarded2.close();
    await secondDb.close();
    await t.cleanup();
  });

  let users = 0;
  async function learner(on: FastifyInstance = app, ip?: string) {
    const name = `learner${++users}`;
    const user = await createUser(t.db, `${name}@example.org`, { name });
    // Created now by the test's clock (accounts' age decides trust).
    await t.db.kysely.updateTable('users').set({ created_at: clock.toISOString() }).where('id', '=', user.id).execute();
    const agent = new Agent(on, ip);
    expect((await agent.login(user.email, user.password)).statusCode).toBe(303);
    return { user, agent };
  }
  async function withRole(role: 'staff' | 'moderator') {
    const made = await learner();
    await ensureCourseRole(t.db.kysely, { userId: made.user.id, courseId, role, grantedBy: null }, clock);
    return made;
  }

  async function ask(agent: Agent, fields: Record<string, string> = {}): Promise<number> {
    const res = await agent.post(
      FORUM,
      { kind: 'question', topic: 'general', title: 'Une question', body: `Texte ${Math.random()}`, ...fields },
      { tokenFrom: `${FORUM}/new` },
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return Number(/\/threads\/(\d+)$/.exec(String(res.headers['location']))![1]);
  }
  function answer(agent: Agent, thread: number, body: string, parent?: number) {
    return agent.post(
      `${threadUrl(thread)}/replies`,
      { body, ...(parent ? { parent: String(parent) } : {}) },
      { tokenFrom: threadUrl(thread) },
    );
  }
  const postOf = (res: { headers: Record<string, unknown> }): number =>
    Number(/#post-(\d+)$/.exec(String(res.headers['location']))![1]);
  const act = (agent: Agent, url: string, fields: Record<string, string> = {}, from?: string) =>
    agent.post(url, fields, { tokenFrom: from ?? url.replace(/\/posts\/\d+\/\w+$|\/(lock|pin|move)$/, '') });

  describe('reports and the queue', () => {
    it('files a report once per reader, never on one’s own post, with a reason; only moderators see the queue', async () => {
      const asker = await learner();
      const reporter = await learner();
      const mod = await withRole('moderator');
      const thread = await ask(asker.agent, { title: 'Un fil signalé' });
      const reply = postOf(await answer(asker.agent, thread, 'Achetez des montres pas chères !'));

      const form = await reporter.agent.get(`${postUrl(thread, reply)}/report`);
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('name="reason"');
      const noReason = await reporter.agent.post(
        `${postUrl(thread, reply)}/report`,
        {},
        { tokenFrom: `${postUrl(thread, reply)}/report` },
      );
      expect(noReason.statusCode).toBe(400);
      const own = await asker.agent.post(
        `${postUrl(thread, reply)}/report`,
        { reason: 'spam' },
        { tokenFrom: threadUrl(thread) },
      );
      expect(own.statusCode).toBe(403);
      // Without the form's token: refused.
      const forged = await reporter.agent.post(`${postUrl(thread, reply)}/report`, { reason: 'spam', _csrf: 'x' });
      expect(forged.statusCode).toBe(403);
      for (let i = 0; i < 2; i++) {
        const ok = await reporter.agent.post(
          `${postUrl(thread, reply)}/report`,
          { reason: 'spam', note: 'Publicité <b>évidente</b>' },
          { tokenFrom: `${postUrl(thread, reply)}/report` },
        );
        expect(ok.statusCode).toBe(200);
      }
      const rows = await t.db.kysely.selectFrom('forum_reports').selectAll().where('post_id', '=', reply).execute();
      expect(rows).toHaveLength(1);

      expect((await reporter.agent.get(MODERATION)).statusCode).toBe(403);
      expect((await new Agent(app).get(MODERATION)).statusCode).toBe(303);
      const queue = await mod.agent.get(MODERATION);
      expect(queue.statusCode).toBe(200);
      expect(queue.body).toContain('Achetez des montres');
      expect(queue.body).toContain('Publicité &lt;b&gt;évidente&lt;/b&gt;');
      expect(queue.body).not.toContain('<b>évidente');

      // Dismissed: gone from the queue, kept in the log.
      const dismissed = await act(mod.agent, `${postUrl(thread, reply)}/dismiss`, {}, MODERATION);
      expect(dismissed.statusCode).toBe(303);
      expect((await mod.agent.get(MODERATION)).body).not.toContain('Achetez des montres');
      const audit = await t.db.kysely.selectFrom('forum_audit').selectAll().where('post_id', '=', reply).execute();
      expect(audit.map((a) => a.action)).toEqual(['dismiss']);
    });

    it('shows a learner moderator an anonymous author as anonymous, in the queue too', async () => {
      await t.db.kysely.updateTable('courses').set({ forum_anonymous: 1 }).where('id', '=', courseId).execute();
      const secret = await learner();
      const reporter = await learner();
      const mod = await withRole('moderator');
      const staff = await withRole('staff');
      const thread = await ask(secret.agent, { title: 'Fil anonyme', anonymous: '1' });
      const opening = (
        await t.db.kysely
          .selectFrom('forum_posts')
          .select('id')
          .where('thread_id', '=', thread)
          .executeTakeFirstOrThrow()
      ).id;
      await reporter.agent.post(
        `${postUrl(thread, opening)}/report`,
        { reason: 'abuse' },
        { tokenFrom: threadUrl(thread) },
      );
      const seenByMod = await mod.agent.get(MODERATION);
      expect(seenByMod.body).toContain('Fil anonyme');
      expect(seenByMod.body).not.toContain(secret.user.email.split('@')[0]);
      const seenByStaff = await staff.agent.get(MODERATION);
      expect(seenByStaff.body).toContain(secret.user.email.split('@')[0]);
      await t.db.kysely.updateTable('courses').set({ forum_anonymous: 0 }).where('id', '=', courseId).execute();
    });
  });

  describe('hiding', () => {
    it('takes a hidden reply (and its comments) away from learners, counts included; moderators see it marked; showing it again restores all', async () => {
      const asker = await learner();
      const other = await learner();
      const mod = await withRole('moderator');
      const thread = await ask(asker.agent, { title: 'Un fil à masquer' });
      const bad = postOf(await answer(other.agent, thread, 'Un message injurieux'));
      const comment = postOf(await answer(asker.agent, thread, 'Un commentaire dessous', bad));
      postOf(await answer(asker.agent, thread, 'Une réponse correcte'));
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.reply_count).toBe(3);

      // A learner may not hide.
      expect((await act(other.agent, `${postUrl(thread, bad)}/hide`, {}, threadUrl(thread))).statusCode).toBe(403);
      expect((await act(mod.agent, `${postUrl(thread, bad)}/hide`, {}, threadUrl(thread))).statusCode).toBe(303);

      const row = (await selectOptionalThread(t.db.kysely, courseId, thread))!;
      expect(row.reply_count).toBe(1);
      for (const reader of [asker.agent, other.agent, new Agent(app)]) {
        const page = await reader.get(threadUrl(thread));
        expect(page.statusCode).toBe(200);
        expect(page.body).not.toContain('Un message injurieux');
        expect(page.body).not.toContain('Un commentaire dessous');
        expect(postIds(page.body)).not.toContain(bad);
      }
      const modPage = await mod.agent.get(threadUrl(thread));
      expect(modPage.body).toContain('Un message injurieux');
      expect(modPage.body).toContain('forum-post-hidden');

      // Nothing can be done to it by learners: it is not there.
      expect((await other.agent.get(`${postUrl(thread, bad)}/edit`)).statusCode).toBe(404);
      expect((await act(asker.agent, `${postUrl(thread, bad)}/vote`, {}, threadUrl(thread))).statusCode).toBe(404);
      expect((await answer(asker.agent, thread, 'Encore un commentaire', bad)).statusCode).toBe(400);
      expect((await asker.agent.get(`${postUrl(thread, bad)}/report`)).statusCode).toBe(404);

      expect((await act(mod.agent, `${postUrl(thread, bad)}/hide`, { undo: '1' }, threadUrl(thread))).statusCode).toBe(
        303,
      );
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.reply_count).toBe(3);
      expect((await asker.agent.get(threadUrl(thread))).body).toContain('Un commentaire dessous');
      expect(comment).toBeGreaterThan(bad);
      const audit = await t.db.kysely
        .selectFrom('forum_audit')
        .select('action')
        .where('post_id', '=', bad)
        .orderBy('id')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(['hide', 'unhide']);
    });

    it('hides a whole thread with its opening post: gone from the list, the topic count and its URL for learners', async () => {
      const asker = await learner();
      const mod = await withRole('moderator');
      const thread = await ask(asker.agent, { title: 'Fil entièrement masqué', topic: 'week-1' });
      const opening = (
        await t.db.kysely
          .selectFrom('forum_posts')
          .select('id')
          .where('thread_id', '=', thread)
          .executeTakeFirstOrThrow()
      ).id;
      const count = async () =>
        (await selectTopics(t.db.kysely, courseId)).find((x) => x.key === 'week-1')!.thread_count;
      const before = await count();
      await act(mod.agent, `${postUrl(thread, opening)}/hide`, {}, threadUrl(thread));
      expect(await count()).toBe(before - 1);
      expect((await asker.agent.get(threadUrl(thread))).statusCode).toBe(404);
      expect((await asker.agent.get(FORUM)).body).not.toContain('Fil entièrement masqué');
      expect((await mod.agent.get(threadUrl(thread))).statusCode).toBe(200);
      expect((await mod.agent.get(MODERATION)).body).toContain('Fil entièrement masqué');
      expect((await answer(asker.agent, thread, 'Je réponds quand même')).statusCode).toBe(404);
      await act(mod.agent, `${postUrl(thread, opening)}/hide`, { undo: '1' }, threadUrl(thread));
      expect(await count()).toBe(before);
      expect((await asker.agent.get(threadUrl(thread))).statusCode).toBe(200);
    });

    it('un-accepts an accepted answer that gets hidden', async () => {
      const asker = await learner();
      const helper = await learner();
      const mod = await withRole('moderator');
      const thread = await ask(asker.agent);
      const reply = postOf(await answer(helper.agent, thread, 'La réponse'));
      await asker.agent.post(`${threadUrl(thread)}/accept`, { post: String(reply) }, { tokenFrom: threadUrl(thread) });
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.accepted_post_id).toBe(reply);
      await act(mod.agent, `${postUrl(thread, reply)}/hide`, {}, threadUrl(thread));
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.accepted_post_id).toBeNull();
    });
  });

  describe('locks, pins, moves and splits', () => {
    it('locks a thread: learners can neither reply, comment, vote nor edit, and keep their text; moderators still reply', async () => {
      const asker = await learner();
      const other = await learner();
      const mod = await withRole('moderator');
      const thread = await ask(asker.agent);
      const reply = postOf(await answer(other.agent, thread, 'Avant le verrou'));
      expect((await act(asker.agent, `${threadUrl(thread)}/lock`, {}, threadUrl(thread))).statusCode).toBe(403);
      expect((await act(mod.agent, `${threadUrl(thread)}/lock`, {}, threadUrl(thread))).statusCode).toBe(303);
      const refused = await answer(other.agent, thread, 'Après le verrou, mon texte');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('Après le verrou, mon texte');
      expect((await answer(asker.agent, thread, 'Un commentaire', reply)).statusCode).toBe(403);
      expect((await act(asker.agent, `${postUrl(thread, reply)}/vote`, {}, threadUrl(thread))).statusCode).toBe(403);
      expect((await other.agent.get(`${postUrl(thread, reply)}/edit`)).statusCode).toBe(403);
      expect((await asker.agent.get(threadUrl(thread))).body).toContain('forum-locked-notice');
      expect((await answer(mod.agent, thread, 'Le mot de la modération')).statusCode).toBe(303);
      await act(mod.agent, `${threadUrl(thread)}/lock`, { undo: '1' }, threadUrl(thread));
      expect((await answer(other.agent, thread, 'Après le déverrouillage')).statusCode).toBe(303);
    });

    it('pins a thread to the top of the list; moves a thread to another topic with its counts', async () => {
      const asker = await learner();
      const mod = await withRole('moderator');
      const pinned = await ask(asker.agent, { title: 'Le fil épinglé' });
      await ask(asker.agent, { title: 'Un fil plus récent' });
      await act(mod.agent, `${threadUrl(pinned)}/pin`, {}, threadUrl(pinned));
      const list = (await asker.agent.get(FORUM)).body;
      expect(list.indexOf('Le fil épinglé')).toBeGreaterThan(-1);
      expect(list.indexOf('Le fil épinglé')).toBeLessThan(list.indexOf('Un fil plus récent'));

      const counts = async () =>
        new Map((await selectTopics(t.db.kysely, courseId)).map((x) => [x.key, x.thread_count]));
      const before = await counts();
      const form = await mod.agent.get(`${threadUrl(pinned)}/move`);
      expect(form.statusCode).toBe(200);
      expect((await asker.agent.get(`${threadUrl(pinned)}/move`)).statusCode).toBe(403);
      const moved = await mod.agent.post(
        `${threadUrl(pinned)}/move`,
        { topic: 'week-2' },
        { tokenFrom: `${threadUrl(pinned)}/move` },
      );
      expect(moved.statusCode).toBe(303);
      const after = await counts();
      expect(after.get('general')).toBe(before.get('general')! - 1);
      expect(after.get('week-2')).toBe(before.get('week-2')! + 1);
      expect((await selectOptionalThread(t.db.kysely, courseId, pinned))!.topic_key).toBe('week-2');
      await act(mod.agent, `${threadUrl(pinned)}/pin`, { undo: '1' }, threadUrl(pinned));
    });

    it('splits a reply into its own thread: the reply opens it, its comments become its replies, both counts right', async () => {
      const asker = await learner();
      const other = await learner();
      const mod = await withRole('moderator');
      const thread = await ask(asker.agent, { title: 'Fil d’origine' });
      await answer(asker.agent, thread, 'Réponse qui reste');
      const offTopic = postOf(await answer(other.agent, thread, 'Une autre question, en fait'));
      await answer(asker.agent, thread, 'Commentaire un', offTopic);
      await answer(asker.agent, thread, 'Commentaire deux', offTopic);
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.reply_count).toBe(4);

      expect((await other.agent.get(`${postUrl(thread, offTopic)}/split`)).statusCode).toBe(403);
      const res = await mod.agent.post(
        `${postUrl(thread, offTopic)}/split`,
        { title: 'La question à part' },
        { tokenFrom: `${postUrl(thread, offTopic)}/split` },
      );
      expect(res.statusCode).toBe(303);
      const newId = Number(/\/threads\/(\d+)$/.exec(String(res.headers['location']))![1]);
      const fresh = (await selectOptionalThread(t.db.kysely, courseId, newId))!;
      expect(fresh.title).toBe('La question à part');
      expect(fresh.author_id).toBe(other.user.id);
      expect(fresh.reply_count).toBe(2);
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.reply_count).toBe(1);
      const page = (await asker.agent.get(threadUrl(newId))).body;
      expect(page).toContain('Une autre question, en fait');
      expect(page).toContain('Commentaire deux');
      expect(postIds(page)[0]).toBe(offTopic);
      expect((await asker.agent.get(threadUrl(thread))).body).not.toContain('Commentaire un');
      // The opening post cannot be split.
      const opening = (
        await t.db.kysely
          .selectFrom('forum_posts')
          .select('id')
          .where('thread_id', '=', thread)
          .where('depth', '=', 0)
          .executeTakeFirstOrThrow()
      ).id;
      expect((await mod.agent.get(`${postUrl(thread, opening)}/split`)).statusCode).toBe(400);
    });
  });

  describe('mutes and roles', () => {
    it('mutes a post’s author: their posts are refused with their text kept until the end; learner moderators a week at most; staff cannot be muted', async () => {
      const noisy = await learner();
      const mod = await withRole('moderator');
      const staff = await withRole('staff');
      const thread = await ask(noisy.agent);
      const post = postOf(await answer(noisy.agent, thread, 'Un message bruyant'));
      const tooLong = await mod.agent.post(
        `${postUrl(thread, post)}/mute`,
        { days: '30' },
        { tokenFrom: `${postUrl(thread, post)}/mute` },
      );
      expect(tooLong.statusCode).toBe(400);
      const muted = await mod.agent.post(
        `${postUrl(thread, post)}/mute`,
        { days: '3', reason: 'insultes' },
        { tokenFrom: `${postUrl(thread, post)}/mute` },
      );
      expect(muted.statusCode).toBe(303);
      const refused = await answer(noisy.agent, thread, 'Je parle encore');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('Je parle encore');
      const newThread = await noisy.agent.post(
        FORUM,
        { kind: 'question', topic: 'general', title: 'Muet', body: 'Nouveau fil' },
        { tokenFrom: `${FORUM}/new` },
      );
      expect(newThread.statusCode).toBe(403);

      // Staff may not be muted, even by staff; a moderator may not mute a moderator.
      const staffThread = await ask(staff.agent);
      const staffPost = (
        await t.db.kysely
          .selectFrom('forum_posts')
          .select('id')
          .where('thread_id', '=', staffThread)
          .executeTakeFirstOrThrow()
      ).id;
      expect(
        (
          await mod.agent.post(
            `${postUrl(staffThread, staffPost)}/mute`,
            { days: '1' },
            { tokenFrom: threadUrl(staffThread) },
          )
        ).statusCode,
      ).toBe(403);

      // Four days later: the mute is over.
      clock = new Date(clock.getTime() + 4 * 86_400_000);
      expect((await answer(noisy.agent, thread, 'De retour, poliment')).statusCode).toBe(303);
      const log = await staff.agent.get(`${MODERATION}/log`);
      expect(log.statusCode).toBe(200);
      expect(log.body).toContain('insultes');
      expect((await mod.agent.get(`${MODERATION}/log`)).statusCode).toBe(403);
    });

    it('lets staff name moderators among the course’s learners only; a moderator gets no staff page', async () => {
      const staff = await withRole('staff');
      const enrolled = await learner();
      const stranger = await learner();
      const run = await insertTestRun(t.db.kysely, clock, {
        course_id: courseId,
        version_id: versionId,
        slug: `run-${users}`,
        starts_at: new Date(clock.getTime() - 86_400_000).toISOString(),
        ends_at: new Date(clock.getTime() + 90 * 86_400_000).toISOString(),
      });
      expect(await enrol(t.db.kysely, enrolled.user.id, run, clock)).toBe('enrolled');
      const refused = await staff.agent.post(
        `${MODERATION}/moderators`,
        { email: stranger.user.email },
        { tokenFrom: MODERATION },
      );
      expect(refused.statusCode).toBe(400);
      expect(
        (await enrolled.agent.post(`${MODERATION}/moderators`, { email: enrolled.user.email }, { tokenFrom: FORUM }))
          .statusCode,
      ).toBe(403);
      const granted = await staff.agent.post(
        `${MODERATION}/moderators`,
        { email: enrolled.user.email.toUpperCase() },
        { tokenFrom: MODERATION },
      );
      expect(granted.statusCode).toBe(303);
      expect((await enrolled.agent.get(MODERATION)).statusCode).toBe(200);
      expect((await enrolled.agent.get('/manage/courses/demo')).statusCode).toBe(404);
      expect((await enrolled.agent.get('/manage')).body).not.toContain('/manage/courses/demo');
      await staff.agent.post(
        `${MODERATION}/moderators/remove`,
        { user: String(enrolled.user.id) },
        { tokenFrom: MODERATION },
      );
      expect((await enrolled.agent.get(MODERATION)).statusCode).toBe(403);
    });
  });

  describe('topics and titles', () => {
    it('lets staff add general topics (not learners, not twice); threads go in them', async () => {
      const staff = await withRole('staff');
      const mod = await withRole('moderator');
      const asker = await learner();
      const add = (agent: Agent, title: string) =>
        agent.post(`${MODERATION}/topics`, { title }, { tokenFrom: agent === asker.agent ? FORUM : MODERATION });
      expect((await add(asker.agent, 'Sujet pirate')).statusCode).toBe(403);
      expect((await add(mod.agent, 'Sujet de modérateur')).statusCode).toBe(403);
      expect((await add(staff.agent, 'Installation de Python')).statusCode).toBe(303);
      expect((await add(staff.agent, 'installation de python')).statusCode).toBe(400);
      const topics = await selectTopics(t.db.kysely, courseId);
      const made = topics.find((x) => x.title === 'Installation de Python')!;
      expect(made.key).toBe('t-installation-de-python');
      expect(topics.at(-1)!.key).toBe(made.key);
      const thread = await ask(asker.agent, { topic: made.key, title: 'Python ne s’installe pas' });
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.topic_key).toBe(made.key);
      expect((await asker.agent.get(FORUM)).body).toContain('Installation de Python');
      const log = await t.db.kysely
        .selectFrom('forum_audit')
        .select('action')
        .where('action', '=', 'topicAdd')
        .execute();
      expect(log).toHaveLength(1);
    });

    it('retitles a thread from its opening post’s edit form, the old title in the history staff see', async () => {
      const asker = await learner();
      const staff = await withRole('staff');
      const thread = await ask(asker.agent, { title: 'Titre avec une fote', body: 'Le corps du message' });
      const opening = (
        await t.db.kysely
          .selectFrom('forum_posts')
          .select('id')
          .where('thread_id', '=', thread)
          .executeTakeFirstOrThrow()
      ).id;
      const edit = `${postUrl(thread, opening)}/edit`;
      expect((await asker.agent.get(edit)).body).toContain('Titre avec une fote');
      expect(
        (await asker.agent.post(edit, { title: '  ', body: 'Le corps du message' }, { tokenFrom: edit })).statusCode,
      ).toBe(400);
      expect(
        (await asker.agent.post(edit, { title: 'Titre sans faute', body: 'Le corps du message' }, { tokenFrom: edit }))
          .statusCode,
      ).toBe(303);
      expect((await selectOptionalThread(t.db.kysely, courseId, thread))!.title).toBe('Titre sans faute');
      const history = await staff.agent.get(`${postUrl(thread, opening)}/history`);
      expect(history.statusCode).toBe(200);
      expect(history.body).toContain('Titre avec une fote');
    });
  });

  describe('anti-spam limits', () => {
    /** An account two days old with three posts: trusted. */
    async function trusted(on: FastifyInstance, ip?: string) {
      const made = await learner(on, ip);
      const old = new Date(clock.getTime() - 2 * 86_400_000).toISOString();
      await t.db.kysely.updateTable('users').set({ created_at: old }).where('id', '=', made.user.id).execute();
      const topic = (await selectTopics(t.db.kysely, courseId)).find((x) => x.key === 'general')!;
      for (let i = 0; i < 3; i++) {
        await createThread(
          t.db.kysely,
          {
            courseId,
            topicId: topic.id,
            route: null,
            kind: 'discussion',
            title: `Ancien ${i}`,
            body: `Ancien message ${i} ${made.user.id}`,
            authorId: made.user.id,
          },
          new Date(clock.getTime() - 86_400_000),
        );
      }
      return made;
    }

    it('limits a new account to 3 posts in 10 minutes across two web servers, with Retry-After and the text kept', async () => {
      const fresh = await learner(guarded);
      const other = new Agent(guarded2);
      expect((await other.login(fresh.user.email, fresh.user.password)).statusCode).toBe(303);
      const thread = await ask(fresh.agent);
      expect((await answer(other, thread, 'Deuxième message')).statusCode).toBe(303);
      expect((await answer(fresh.agent, thread, 'Troisième message')).statusCode).toBe(303);
      const refused = await answer(other, thread, 'Quatrième message, gardé');
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toContain('Quatrième message, gardé');
      clock = new Date(clock.getTime() + 11 * 60_000);
      expect((await answer(fresh.agent, thread, 'Quatrième message, gardé')).statusCode).toBe(303);
    });

    it('refuses more than one link from a new account, not from a trusted one', async () => {
      const fresh = await learner(guarded);
      const thread = await ask(fresh.agent);
      const links = 'Voir https://spam.example/a et [ici](https://spam.example/b)';
      const refused = await answer(fresh.agent, thread, links);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('spam.example/a');
      const old = await trusted(guarded);
      expect((await answer(old.agent, thread, links)).statusCode).toBe(303);
    });

    it('refuses the same text twice from one account, and a long text another new account just posted', async () => {
      const a = await learner(guarded);
      const b = await learner(guarded);
      const thread = await ask(a.agent);
      expect((await answer(a.agent, thread, 'Merci !')).statusCode).toBe(303);
      expect((await answer(a.agent, thread, '  merci   ! ')).statusCode).toBe(400);
      expect((await answer(b.agent, thread, 'Merci !')).statusCode).toBe(303);
      const long = 'Gagnez des bitcoins gratuitement en cliquant sur mon profil, offre limitée aujourd’hui';
      const c = await learner(guarded);
      const d = await learner(guarded2);
      const thread2 = await ask(c.agent);
      expect((await answer(c.agent, thread2, long)).statusCode).toBe(303);
      expect((await answer(d.agent, thread2, long)).statusCode).toBe(400);
    });

    it('limits a trusted account to 10 posts in 10 minutes, and one address to 60', async () => {
      const old = await trusted(guarded);
      const thread = await ask(old.agent);
      for (let i = 1; i < 10; i++)
        expect((await answer(old.agent, thread, `Réponse rapide ${i}`)).statusCode).toBe(303);
      expect((await answer(old.agent, thread, 'Une de trop')).statusCode).toBe(429);

      clock = new Date(clock.getTime() + 11 * 60_000);
      const ip = '10.9.9.9';
      const crowd = await Promise.all(Array.from({ length: 7 }, () => trusted(guarded, ip)));
      let accepted = 0;
      let refused = 0;
      for (let round = 0; round < 10; round++) {
        for (const [i, member] of crowd.entries()) {
          const res = await answer(member.agent, thread, `Classe ${round} ${i}`);
          if (res.statusCode === 303) accepted++;
          else if (res.statusCode === 429) refused++;
        }
      }
      expect(accepted).toBe(60);
      expect(refused).toBe(10);
    });
  });
});
