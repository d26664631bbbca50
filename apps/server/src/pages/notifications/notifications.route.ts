import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { pageOfPost } from '../../lib/forum/forum.ts';
import { pageNumber } from '../../lib/forum/rules.ts';
import { verifyUnsubscribeToken } from '../../lib/notifications/unsubscribe.ts';
import { isEmailMode } from '../../lib/notifications/texts.ts';
import { forumThreadUrl, notificationsUrl } from '../../lib/urls.ts';
import { selectOptionalCourseById } from '../../models/courses.ts';
import { selectOptionalPost, selectOptionalThread } from '../../models/forum.ts';
import {
  countUnreadNotifications,
  selectNotificationCourses,
  selectNotificationPage,
  selectOptionalPostPlace,
  updateAllNotificationsRead,
  updateNotificationRead,
  upsertEmailMode,
} from '../../models/notifications.ts';
import type { Services } from '../../services.ts';
import { notificationsView, unsubscribeView } from './notifications.view.ts';

/** Notifications a page lists. */
export const NOTIFICATIONS_PER_PAGE = 30;
/** The header counts unread notifications up to this ("99+" past it). */
export const UNREAD_CAP = 100;

const NOTICES: Record<string, MessageKey> = {
  read: 'notifications.notice.read',
  saved: 'notifications.notice.saved',
};

type IdParams = { Params: { id: string } };
type TokenParams = { Params: { token: string } };

/** A positive id from a URL, or null. */
const idOf = (raw: string): number | null => (/^[1-9]\d{0,11}$/.test(raw) ? Number(raw) : null);

const query = (request: FastifyRequest, name: string): string => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/**
 * A learner's notifications (issue 13, ADR 046): the list, read marks, e-mail preferences per
 * course, the header's unread count, the post a notification links to, and the one-click
 * unsubscribe link of e-mails. Every statement on notifications is scoped to the session's user:
 * another learner's id is a 404, like an id that does not exist.
 */
export function notificationRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config } = services;

  app.get('/me/notifications', async (request, reply) => {
    const user = requireUser(request);
    const page = pageNumber(query(request, 'page'));
    const rows = await selectNotificationPage(db.kysely, user.id, {
      limit: NOTIFICATIONS_PER_PAGE + 1,
      offset: (page - 1) * NOTIFICATIONS_PER_PAGE,
    });
    const key = NOTICES[query(request, 'notice')];
    return sendPage(
      reply.header('Cache-Control', 'private, no-store'),
      notificationsView(pageContext(request, assets), {
        notifications: rows.slice(0, NOTIFICATIONS_PER_PAGE),
        page,
        hasMore: rows.length > NOTIFICATIONS_PER_PAGE,
        unread: await countUnreadNotifications(db.kysely, user.id, UNREAD_CAP),
        courses: await selectNotificationCourses(db.kysely, user.id),
        csrf: request.authSession!.csrfSecret,
        zone: config.timezone,
        notice: key ? request.t(key) : undefined,
      }),
    );
  });

  const backToList = (request: FastifyRequest, notice: string): string => {
    const page = pageNumber(formValue(request, 'page'));
    return `${notificationsUrl()}?notice=${notice}${page > 1 ? `&page=${page}` : ''}`;
  };

  app.post<IdParams>('/me/notifications/:id/read', async (request, reply) => {
    const user = requireUser(request);
    const id = idOf(request.params.id);
    if (id === null || !(await updateNotificationRead(db.kysely, user.id, id, clock()))) {
      throw new HttpError('NOT_FOUND');
    }
    return reply.redirect(backToList(request, 'read'), 303);
  });

  app.post('/me/notifications/read', async (request, reply) => {
    const user = requireUser(request);
    await updateAllNotificationsRead(db.kysely, user.id, clock());
    return reply.redirect(backToList(request, 'read'), 303);
  });

  // One <select> per course the learner may set (`course-<id>`); other fields are ignored.
  app.post('/me/notifications/preferences', async (request, reply) => {
    const user = requireUser(request);
    for (const course of await selectNotificationCourses(db.kysely, user.id)) {
      const mode = formValue(request, `course-${course.id}`);
      if (isEmailMode(mode) && mode !== course.email)
        await upsertEmailMode(db.kysely, user.id, course.id, mode, clock());
    }
    return reply.redirect(`${notificationsUrl()}?notice=saved#email-preferences`, 303);
  });

  // The header's count, filled by a small module on every page (pages themselves are cached).
  app.get('/api/notifications/unread', async (request, reply) => {
    const user = requireUser(request);
    return reply
      .header('Cache-Control', 'private, no-store')
      .send({ unread: await countUnreadNotifications(db.kysely, user.id, UNREAD_CAP), cap: UNREAD_CAP });
  });

  // Where a notification (or an e-mail) points: the post on its page of its thread. Public, like
  // the thread; a hidden or deleted post or thread is a 404.
  app.get<IdParams>('/notifications/posts/:id', async (request, reply) => {
    const id = idOf(request.params.id);
    const found = id === null ? null : await selectOptionalPostPlace(db.kysely, id);
    const thread = found ? await selectOptionalThread(db.kysely, found.course_id, found.thread_id) : null;
    const post = thread && id !== null ? await selectOptionalPost(db.kysely, thread.id, id) : null;
    const course = thread ? await selectOptionalCourseById(db.kysely, thread.course_id) : null;
    if (!thread || !post || !course || thread.deleted || thread.hidden || post.deleted || post.hidden) {
      throw new HttpError('NOT_FOUND');
    }
    const page = await pageOfPost(db.kysely, thread, post);
    return reply.redirect(
      `${forumThreadUrl(course.slug, thread.id)}${page > 1 ? `?page=${page}` : ''}#post-${post.id}`,
      303,
    );
  });

  // One-click unsubscribe (RFC 8058): GET shows a confirmation form, POST (the form, or a mail
  // provider's `List-Unsubscribe=One-Click`) turns the course's e-mails off. The token in the URL
  // is the authentication: no session, no CSRF token.
  void app.register(async (scope) => {
    // Mail providers may post multipart/form-data; its content does not matter (the URL says all).
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_r, _body, done) =>
      done(null, {}),
    );

    async function unsubscription(request: FastifyRequest<TokenParams>) {
      const target = await verifyUnsubscribeToken(db.kysely, request.params.token, clock());
      const course = target ? await selectOptionalCourseById(db.kysely, target.courseId) : null;
      if (!target || !course) throw new HttpError('NOT_FOUND');
      return { target, course };
    }

    scope.get<TokenParams>('/notifications/unsubscribe/:token', async (request, reply) => {
      const { course } = await unsubscription(request);
      return sendPage(
        reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer'),
        unsubscribeView(pageContext(request, assets), { courseTitle: course.title, done: false, action: request.url }),
      );
    });

    scope.post<TokenParams>(
      '/notifications/unsubscribe/:token',
      { config: { tokenAuthenticated: true } },
      async (request, reply) => {
        const { target, course } = await unsubscription(request);
        await upsertEmailMode(db.kysely, target.userId, target.courseId, 'none', clock());
        return sendPage(
          reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer'),
          unsubscribeView(pageContext(request, assets), { courseTitle: course.title, done: true, action: request.url }),
        );
      },
    );
  });
}
