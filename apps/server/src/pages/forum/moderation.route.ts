import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { LiveVersion } from '../../lib/content-cache.ts';
import { courseTopics } from '../../lib/forum/forum.ts';
import { slugFromTitle } from '../../lib/runs/runs.ts';
import { ensureTopics } from '../../models/forum.ts';
import {
  dismissReports,
  isReportReason,
  moveThread,
  muteAuthor,
  REPORT_NOTE_MAX,
  reportPost,
  requireModerator,
  setPostHidden,
  setThreadFlag,
  splitReply,
  unmute,
} from '../../lib/forum/moderation.ts';
import { cleanTitle, titleProblem } from '../../lib/forum/rules.ts';
import { FORUM_LIMITS } from '../../lib/forum/spam.ts';
import { forumModerationUrl, forumThreadUrl } from '../../lib/urls.ts';
import { deleteCourseRole, ensureCourseRole, hasCourseRole, selectCourseStaff } from '../../models/course-roles.ts';
import {
  insertAudit,
  selectAudit,
  selectEnrolledUserByEmail,
  selectHidden,
  selectMutes,
  selectQueue,
} from '../../models/forum-moderation.ts';
import { selectOptionalUserById } from '../../models/users.ts';
import type { PostRow, ThreadRow } from '../../models/forum.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import type { ForumContext } from './forum.view.ts';
import { auditView, moveView, muteView, queueView, reportView, splitView } from './moderation.view.ts';

type SlugParams = { Params: { slug: string } };
type ThreadParams = { Params: { slug: string; id: string } };
type PostParams = { Params: { slug: string; id: string; post: string } };

/** What the forum's routes share with these: the course and reader, the thread and post of the URL. */
export interface ForumLookups {
  forumOf(request: FastifyRequest<SlugParams>): Promise<{ live: LiveVersion; forum: ForumContext }>;
  threadOf(
    request: FastifyRequest<ThreadParams>,
    live: LiveVersion,
    forum: ForumContext,
    options: { writing: boolean },
  ): Promise<ThreadRow>;
  postOf(request: FastifyRequest<PostParams>, thread: ThreadRow, forum: ForumContext): Promise<PostRow>;
}

const QUEUE_SIZE = 50;
/** Staff topics come after the weeks and `general` (position 1,000,000), in the order made. */
const STAFF_TOPIC_POSITION = 1_000_001;
/** A staff topic's key: never `week-N` nor `general`, which the weeks and the course own. */
const topicKey = (title: string): string => `t-${slugFromTitle(title).slice(0, 40)}`;
const AUDIT_PAGE = 100;

const idOf = (raw: string): number | null => (/^[1-9]\d{0,11}$/.test(raw) ? Number(raw) : null);

/**
 * The forum's moderation (issue 13, ADR 045): reports by any signed-in reader; hiding, locking,
 * pinning, moving, splitting and muting by the course's moderators (staff, and learners staff
 * chose); the queue; moderators, mutes and the audit log for staff. Every action is a POST with
 * the session's CSRF token (checked for every form by the app), and writes the audit log.
 */
export function moderationRoutes(app: FastifyInstance, services: Services, lookups: ForumLookups): void {
  const { db, clock, assets, limiter } = services;
  const { forumOf, threadOf, postOf } = lookups;

  async function target(request: FastifyRequest<PostParams>, options: { moderator: boolean }) {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    if (options.moderator) requireModerator(forum.actor);
    const thread = await threadOf(request, live, forum, { writing: true });
    const post = await postOf(request, thread, forum);
    return { live, forum, actor: forum.actor!, thread, post };
  }

  const back = (slug: string, thread: ThreadRow, postId?: number): string =>
    `${forumThreadUrl(slug, thread.id)}${postId !== undefined ? `#post-${postId}` : ''}`;

  // Report: a reason and a note; once per post and reader; at most 20 an hour.
  async function showReport(
    request: FastifyRequest<PostParams>,
    reply: FastifyReply,
    form: FormState,
    done: boolean,
    status = 200,
  ) {
    const { forum, thread, post } = await target(request, { moderator: false });
    return sendPage(reply, reportView(pageContext(request, assets), { forum, thread, post, form, done }), status);
  }
  app.get<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/report', (request, reply) =>
    showReport(request, reply, { values: {}, errors: {} }, false),
  );
  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/report', async (request, reply) => {
    const { actor, thread, post } = await target(request, { moderator: false });
    const reason = formValue(request, 'reason');
    const note = formValue(request, 'note').trim().slice(0, REPORT_NOTE_MAX);
    if (!isReportReason(reason)) {
      return showReport(
        request,
        reply,
        { values: { note }, errors: { reason: 'mod.report.reasonRequired' } },
        false,
        400,
      );
    }
    const allowed = await limiter.consume(`forum-report:${actor.userId}`, FORUM_LIMITS.reportsPerAccount, clock());
    if (!allowed.allowed) {
      reply.header('Retry-After', String(allowed.retryAfterSeconds));
      const form: FormState = { values: { reason, note }, errors: {}, formError: { key: 'mod.report.tooMany' } };
      return showReport(request, reply, form, false, 429);
    }
    await reportPost(db.kysely, actor, thread, post, { reason, note }, clock());
    return showReport(request, reply, { values: {}, errors: {} }, true);
  });

  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/hide', async (request, reply) => {
    const { live, actor, thread, post } = await target(request, { moderator: true });
    const undo = formValue(request, 'undo') === '1';
    await setPostHidden(db.kysely, actor, thread, post, !undo, clock());
    const from = formValue(request, 'from');
    return reply.redirect(from === 'queue' ? forumModerationUrl(live.slug) : back(live.slug, thread, post.id), 303);
  });

  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/dismiss', async (request, reply) => {
    const { live, actor, thread, post } = await target(request, { moderator: true });
    await dismissReports(db.kysely, actor, thread, post, 'dismissed', clock());
    return reply.redirect(`${forumModerationUrl(live.slug)}?notice=dismissed`, 303);
  });

  // Split a reply into its own thread.
  app.get<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/split', async (request, reply) => {
    const { forum, thread, post } = await target(request, { moderator: true });
    if (post.depth !== 1) throw new HttpError('FORUM_NOT_SPLITTABLE');
    const form: FormState = { values: { title: thread.title }, errors: {} };
    return sendPage(reply, splitView(pageContext(request, assets), { forum, thread, post, form }));
  });
  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/split', async (request, reply) => {
    const { live, forum, actor, thread, post } = await target(request, { moderator: true });
    const title = cleanTitle(formValue(request, 'title'));
    const problem = titleProblem(title);
    if (problem) {
      const form: FormState = { values: { title }, errors: { title: problem } };
      return sendPage(reply, splitView(pageContext(request, assets), { forum, thread, post, form }), 400);
    }
    const id = await splitReply(db.kysely, actor, thread, post, title, clock());
    return reply.redirect(forumThreadUrl(live.slug, id), 303);
  });

  /** Whether a user may not be muted in this course: an administrator, staff or a moderator. */
  async function unmutable(userId: number, courseId: number): Promise<boolean> {
    const user = await selectOptionalUserById(db.kysely, userId);
    if (!user || user.is_admin) return true;
    return (
      (await hasCourseRole(db.kysely, userId, courseId, 'staff')) ||
      (await hasCourseRole(db.kysely, userId, courseId, 'moderator'))
    );
  }

  // Mute a post's author in the course, for some days.
  app.get<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/mute', async (request, reply) => {
    const { forum, thread, post } = await target(request, { moderator: true });
    if (post.author_id === null) throw new HttpError('POST_NOT_FOUND');
    const form: FormState = { values: {}, errors: {} };
    return sendPage(reply, muteView(pageContext(request, assets), { forum, thread, post, form }));
  });
  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/mute', async (request, reply) => {
    const { live, forum, actor, thread, post } = await target(request, { moderator: true });
    if (post.author_id === null) throw new HttpError('POST_NOT_FOUND');
    const daysRaw = formValue(request, 'days').trim();
    const reason = formValue(request, 'reason').trim().slice(0, REPORT_NOTE_MAX);
    const days = /^\d{1,3}$/.test(daysRaw) ? Number(daysRaw) : NaN;
    const max = actor.staff ? 365 : 7;
    if (!(days >= 1 && days <= max)) {
      const form: FormState = { values: { days: daysRaw, reason }, errors: { days: 'mod.mute.daysInvalid' } };
      return sendPage(reply, muteView(pageContext(request, assets), { forum, thread, post, form }), 400);
    }
    await muteAuthor(
      db.kysely,
      actor,
      { courseId: live.course_id, userId: post.author_id, days, reason, threadId: thread.id, postId: post.id },
      await unmutable(post.author_id, live.course_id),
      clock(),
    );
    return reply.redirect(`${forumModerationUrl(live.slug)}?notice=muted`, 303);
  });

  // Lock and pin: `undo=1` reverses.
  for (const flag of ['locked', 'pinned'] as const) {
    app.post<ThreadParams>(
      `/courses/:slug/forum/threads/:id/${flag === 'locked' ? 'lock' : 'pin'}`,
      async (request, reply) => {
        requireUser(request);
        const { live, forum } = await forumOf(request);
        const actor = requireModerator(forum.actor);
        const thread = await threadOf(request, live, forum, { writing: true });
        await setThreadFlag(db.kysely, actor, thread, flag, formValue(request, 'undo') !== '1', clock());
        return reply.redirect(forumThreadUrl(live.slug, thread.id), 303);
      },
    );
  }

  // Move to another topic.
  app.get<ThreadParams>('/courses/:slug/forum/threads/:id/move', async (request, reply) => {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    requireModerator(forum.actor);
    const thread = await threadOf(request, live, forum, { writing: true });
    const topics = await courseTopics(db.kysely, live, clock());
    return sendPage(reply, moveView(pageContext(request, assets), { forum, thread, topics }));
  });
  app.post<ThreadParams>('/courses/:slug/forum/threads/:id/move', async (request, reply) => {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    const actor = requireModerator(forum.actor);
    const thread = await threadOf(request, live, forum, { writing: true });
    const topics = await courseTopics(db.kysely, live, clock());
    const topic = topics.find((t) => t.key === formValue(request, 'topic'));
    if (!topic) throw new HttpError('BAD_REQUEST', 'topic');
    await moveThread(db.kysely, actor, thread, topic, clock());
    return reply.redirect(forumThreadUrl(live.slug, thread.id), 303);
  });

  // The queue; for staff, the moderators, the mutes and the link to the log.
  async function showQueue(
    request: FastifyRequest<SlugParams>,
    reply: FastifyReply,
    form: FormState,
    status = 200,
    topicForm: FormState = { values: {}, errors: {} },
  ) {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    const actor = requireModerator(forum.actor);
    const noticeKey = (request.query as Record<string, unknown>)['notice'];
    const notices: Record<string, Parameters<typeof request.t>[0]> = {
      dismissed: 'mod.notice.dismissed',
      muted: 'mod.notice.muted',
      granted: 'mod.notice.granted',
      revoked: 'mod.notice.revoked',
      lifted: 'mod.notice.lifted',
      topic: 'mod.notice.topic',
    };
    const key = typeof noticeKey === 'string' ? notices[noticeKey] : undefined;
    return sendPage(
      reply,
      queueView(pageContext(request, assets), {
        forum,
        queue: await selectQueue(db.kysely, live.course_id, QUEUE_SIZE),
        hidden: await selectHidden(db.kysely, live.course_id, QUEUE_SIZE),
        staff: actor.staff
          ? {
              moderators: await selectCourseStaff(db.kysely, live.course_id, 'moderator'),
              mutes: await selectMutes(db.kysely, live.course_id, clock()),
              topics: (await courseTopics(db.kysely, live, clock())).filter((x) => x.week === null),
              form,
              topicForm,
            }
          : null,
        notice: key ? request.t(key) : null,
      }),
      status,
    );
  }
  app.get<SlugParams>('/courses/:slug/forum/moderation', (request, reply) =>
    showQueue(request, reply, { values: {}, errors: {} }),
  );

  /** Staff only, else the page a learner would get. */
  async function staffOf(request: FastifyRequest<SlugParams>) {
    const user = requireUser(request);
    const { live, forum } = await forumOf(request);
    if (!forum.actor?.staff) throw new HttpError('FORUM_FORBIDDEN');
    return { user, live, forum, actor: forum.actor };
  }

  // A learner of the course becomes a moderator (by the address they enrolled with: staff learn
  // nothing of accounts outside their course).
  app.post<SlugParams>('/courses/:slug/forum/moderation/moderators', async (request, reply) => {
    const { user, live } = await staffOf(request);
    const email = formValue(request, 'email').trim();
    const target = email ? await selectEnrolledUserByEmail(db.kysely, live.course_id, email) : null;
    if (!target) {
      const form: FormState = {
        values: { email },
        errors: { email: email ? 'mod.moderators.unknown' : 'form.email.required' },
      };
      return showQueue(request, reply, form, 400);
    }
    await db.kysely.transaction().execute(async (trx) => {
      await ensureCourseRole(
        trx,
        { userId: target.id, courseId: live.course_id, role: 'moderator', grantedBy: user.id },
        clock(),
      );
      await insertAudit(
        trx,
        { courseId: live.course_id, actorId: user.id, action: 'moderatorAdd', targetUserId: target.id },
        clock(),
      );
    });
    return reply.redirect(`${forumModerationUrl(live.slug)}?notice=granted`, 303);
  });
  app.post<SlugParams>('/courses/:slug/forum/moderation/moderators/remove', async (request, reply) => {
    const { user, live } = await staffOf(request);
    const userId = idOf(formValue(request, 'user'));
    if (userId === null) throw new HttpError('BAD_REQUEST', 'user');
    await db.kysely.transaction().execute(async (trx) => {
      if (await deleteCourseRole(trx, userId, live.course_id, 'moderator')) {
        await insertAudit(
          trx,
          { courseId: live.course_id, actorId: user.id, action: 'moderatorRemove', targetUserId: userId },
          clock(),
        );
      }
    });
    return reply.redirect(`${forumModerationUrl(live.slug)}?notice=revoked`, 303);
  });

  // A general topic of staff's choosing ("Projets", "Installation"…), listed after the weeks.
  app.post<SlugParams>('/courses/:slug/forum/moderation/topics', async (request, reply) => {
    const { user, live } = await staffOf(request);
    const title = cleanTitle(formValue(request, 'title'));
    const problem = titleProblem(title);
    const topics = await courseTopics(db.kysely, live, clock());
    const key = topicKey(title);
    const taken = topics.some((x) => x.key === key || x.title.toLowerCase() === title.toLowerCase());
    if (problem || taken) {
      const form: FormState = { values: { title }, errors: { title: problem ?? 'mod.topics.taken' } };
      return showQueue(request, reply, { values: {}, errors: {} }, 400, form);
    }
    await db.kysely.transaction().execute(async (trx) => {
      await ensureTopics(
        trx,
        live.course_id,
        [{ key, title, week: null, position: STAFF_TOPIC_POSITION + topics.length }],
        clock(),
      );
      await insertAudit(
        trx,
        { courseId: live.course_id, actorId: user.id, action: 'topicAdd', details: { topic: key, title } },
        clock(),
      );
    });
    return reply.redirect(`${forumModerationUrl(live.slug)}?notice=topic`, 303);
  });

  app.post<SlugParams>('/courses/:slug/forum/moderation/mutes/lift', async (request, reply) => {
    const { live, actor } = await staffOf(request);
    const userId = idOf(formValue(request, 'user'));
    if (userId === null) throw new HttpError('BAD_REQUEST', 'user');
    await unmute(db.kysely, actor, live.course_id, userId, clock());
    return reply.redirect(`${forumModerationUrl(live.slug)}?notice=lifted`, 303);
  });

  app.get<SlugParams>('/courses/:slug/forum/moderation/log', async (request, reply) => {
    const { live, forum } = await staffOf(request);
    const beforeRaw = (request.query as Record<string, unknown>)['before'];
    const before = typeof beforeRaw === 'string' ? (idOf(beforeRaw) ?? undefined) : undefined;
    const rows = await selectAudit(db.kysely, live.course_id, AUDIT_PAGE + 1, before);
    const page = rows.slice(0, AUDIT_PAGE);
    return sendPage(
      reply,
      auditView(pageContext(request, assets), {
        forum,
        rows: page,
        next: rows.length > AUDIT_PAGE ? page[page.length - 1]!.id : null,
      }),
    );
  });
}
