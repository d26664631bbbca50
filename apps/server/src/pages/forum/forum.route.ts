import { renderPost } from '@carnet/render';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { LiveVersion } from '../../lib/content-cache.ts';
import {
  acceptAnswer,
  addPost,
  courseTopics,
  createThread,
  deletePost,
  editPost,
  forumActor,
  pageOfPost,
  threadContent,
} from '../../lib/forum/forum.ts';
import { recordModeratorDeletion } from '../../lib/forum/moderation.ts';
import { endorsePost, votePost } from '../../lib/forum/social.ts';
import { postingRefusal, type PostingRefusal } from '../../lib/forum/spam.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import {
  bodyProblem,
  canAcceptAnswer,
  canDeletePost,
  canEditPost,
  cleanBody,
  cleanTitle,
  GENERAL_TOPIC,
  isThreadKind,
  pageNumber,
  PANEL_THREADS,
  PINNED_MAX,
  readerView,
  threadSort,
  THREADS_PER_PAGE,
  titleProblem,
} from '../../lib/forum/rules.ts';
import { forumSnapshotUrl, forumThreadUrl, forumUrl } from '../../lib/urls.ts';
import { visibleSnapshot } from '../../lib/forum/snapshots.ts';
import { selectItemTitles } from '../../models/course-items.ts';
import { selectForumAnonymousAllowed } from '../../models/courses.ts';
import { selectIsFollowing, upsertFollow } from '../../models/forum-follows.ts';
import {
  selectOptionalPost,
  selectOptionalThread,
  selectPanelThreads,
  selectRevisions,
  selectThreadSummaries,
  type PostRow,
  type ThreadRow,
} from '../../models/forum.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { moderationRoutes } from './moderation.route.ts';
import {
  editPostView,
  forumListView,
  historyView,
  newThreadView,
  panelFragment,
  threadView,
  type ForumContext,
} from './forum.view.ts';

type SlugParams = { Params: { slug: string } };
type ThreadParams = { Params: { slug: string; id: string } };
type PostParams = { Params: { slug: string; id: string; post: string } };

const query = (request: FastifyRequest, name: string): string => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** The anonymity box of a post form: ticked (`1`), or not (empty). Anything else counts as ticked, so refused where not allowed. */
const wantsAnonymity = (request: FastifyRequest): boolean => formValue(request, 'anonymous') !== '';

/** A positive id from a URL or a form, or null. */
const idOf = (raw: string): number | null => (/^[1-9]\d{0,11}$/.test(raw) ? Number(raw) : null);

/**
 * The course forum (issue 13, first part): the list, threads, posting, editing, deleting,
 * accepted answers, the panel fragment item pages fetch. Reading is public; writing needs an
 * account; every write checks that the thread and post belong to the course in the URL.
 */
export function forumRoutes(app: FastifyInstance, services: Services): void {
  const { db, content, clock, config, assets, limiter } = services;

  async function forumOf(request: FastifyRequest<SlugParams>): Promise<{ live: LiveVersion; forum: ForumContext }> {
    const live = await content.liveVersion(request.params.slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    const actor = await forumActor(db.kysely, request.user, live.course_id);
    return {
      live,
      forum: {
        slug: live.slug,
        courseTitle: live.title,
        language: live.language,
        zone: config.timezone,
        actor,
        csrf: request.authSession?.csrfSecret ?? null,
        anonymousAllowed: await selectForumAnonymousAllowed(db.kysely, live.course_id),
      },
    };
  }

  /**
   * The thread of the URL in this course; a deleted one only for staff (and never to write in), a
   * hidden one only for moderators.
   */
  async function threadOf(
    request: FastifyRequest<ThreadParams>,
    live: LiveVersion,
    forum: ForumContext,
    options: { writing: boolean },
  ): Promise<ThreadRow> {
    const id = idOf(request.params.id);
    const thread = id === null ? null : await selectOptionalThread(db.kysely, live.course_id, id);
    if (!thread) throw new HttpError('THREAD_NOT_FOUND', undefined, live.slug);
    if (thread.deleted && (options.writing || !forum.actor?.staff)) {
      throw new HttpError('THREAD_NOT_FOUND', undefined, live.slug);
    }
    if (thread.hidden && !forum.actor?.moderator) throw new HttpError('THREAD_NOT_FOUND', undefined, live.slug);
    return thread;
  }

  /** The post of the URL in this thread; a hidden one only for moderators. */
  async function postOf(request: FastifyRequest<PostParams>, thread: ThreadRow, forum: ForumContext): Promise<PostRow> {
    const id = idOf(request.params.post);
    const post = id === null ? null : await selectOptionalPost(db.kysely, thread.id, id);
    if (!post || (post.hidden && !forum.actor?.moderator)) throw new HttpError('POST_NOT_FOUND');
    return post;
  }

  /** Why this reader may not publish `body` now (anti-spam, mute), or null; `editOf` for an edit. */
  function refusalOf(request: FastifyRequest, live: LiveVersion, forum: ForumContext, body: string, editOf?: number) {
    return postingRefusal(
      db.kysely,
      limiter,
      {
        actor: forum.actor!,
        courseId: live.course_id,
        address: request.ip,
        antiSpam: config.forumAntiSpam,
        body,
        html: renderPost(body),
        ...(editOf === undefined ? {} : { editOf }),
      },
      clock(),
    );
  }

  /** A refused post as the form's error, in the reader's language and zone; 429 says when to retry. */
  function refusalForm(request: FastifyRequest, reply: FastifyReply, refusal: PostingRefusal, form: FormState) {
    const params = { ...refusal.params };
    if (typeof params['until'] === 'string')
      params['until'] = formatDate(params['until'], request.lang, config.timezone, true);
    if (refusal.retryAfterSeconds) reply.header('Retry-After', String(refusal.retryAfterSeconds));
    form.formError = { key: refusal.key, params };
  }

  async function aboutOf(live: LiveVersion, route: string | null) {
    if (!route) return null;
    const item = (await selectItemTitles(db.kysely, live.id, [route])).get(route);
    return item ? { route, title: item.title, week: item.week } : null;
  }

  // The list: topics with counts, 30 threads a page, filtered by topic, item, "unanswered" and,
  // for a logged-in reader, the threads they follow or posted in; by activity or votes.
  app.get<SlugParams>('/courses/:slug/forum', async (request, reply) => {
    const { live, forum } = await forumOf(request);
    const topics = await courseTopics(db.kysely, live, clock());
    const topic = topics.find((t) => t.key === query(request, 'topic'));
    const route = query(request, 'route') || undefined;
    const unanswered = query(request, 'unanswered') === '1';
    const me = forum.actor?.userId;
    const followed = me !== undefined && query(request, 'followed') === '1';
    const mine = me !== undefined && query(request, 'mine') === '1';
    const sort = threadSort(query(request, 'sort'));
    const page = pageNumber(query(request, 'page'));
    const filter = {
      courseId: live.course_id,
      topicId: topic?.id,
      route,
      unanswered,
      followedBy: followed ? me : undefined,
      postedInBy: mine ? me : undefined,
      sort,
    };
    // Pinned threads (a few, by their own index) head the first page; the pages list the others.
    const pinned =
      page === 1
        ? await selectThreadSummaries(db.kysely, { ...filter, pinned: true }, { limit: PINNED_MAX, offset: 0 })
        : [];
    const rows = await selectThreadSummaries(
      db.kysely,
      { ...filter, pinned: false },
      { limit: THREADS_PER_PAGE + 1, offset: (page - 1) * THREADS_PER_PAGE },
    );
    const threads = [...pinned, ...rows.slice(0, THREADS_PER_PAGE)].map((row) => readerView(forum.actor, row));
    const routes = threads.flatMap((t) => (t.route ? [t.route] : []));
    const items = await selectItemTitles(db.kysely, live.id, route ? [...routes, route] : routes);
    return sendPage(
      reply,
      forumListView(pageContext(request, assets), {
        forum,
        topics,
        threads,
        items,
        filter: { topic: topic?.key, route, unanswered, followed, mine, sort },
        page,
        hasMore: rows.length > THREADS_PER_PAGE,
      }),
    );
  });

  // The panel of an item page: its latest threads, fetched by a small module (never cached).
  // One statement for an anonymous reader (the threads and their number): every notebook page fetches it.
  app.get<SlugParams>('/courses/:slug/forum/panel', async (request, reply) => {
    const live = await content.liveVersion(request.params.slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    const route = query(request, 'route');
    if (!route) throw new HttpError('BAD_REQUEST', 'route');
    const actor = await forumActor(db.kysely, request.user, live.course_id);
    const panel = await selectPanelThreads(db.kysely, live.course_id, route, PANEL_THREADS);
    const threads = panel.threads.map((row) => readerView(actor, row));
    const total = panel.total;
    return reply
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(panelFragment(request.t, { slug: live.slug, language: live.language, threads, total }));
  });

  /** A snapshot of `userId`'s, not attached yet, of the page `route` (the thread's), or null. */
  async function ownSnapshot(live: LiveVersion, userId: number | null, token: string, route: string | null) {
    if (!token || userId === null || route === null) return null;
    const row = await visibleSnapshot(db.kysely, live.course_id, token, userId);
    return row && row.user_id === userId && row.post_id === null && row.route === route ? row : null;
  }

  async function showNewThread(
    request: FastifyRequest<SlugParams>,
    reply: FastifyReply,
    form: FormState,
    routeRaw: string,
    status = 200,
  ) {
    const { live, forum } = await forumOf(request);
    const topics = await courseTopics(db.kysely, live, clock());
    const about = await aboutOf(live, routeRaw || null);
    if (!form.values['topic']) {
      const week = about?.week !== null && about?.week !== undefined ? `week-${about.week}` : null;
      form.values['topic'] = topics.some((t) => t.key === week) ? week! : GENERAL_TOPIC;
    }
    const own = await ownSnapshot(live, request.user?.id ?? null, form.values['snapshot'] ?? '', about?.route ?? null);
    const snapshot = own ? { token: own.token, url: forumSnapshotUrl(live.slug, own.token) } : null;
    if (!own) delete form.values['snapshot'];
    return sendPage(
      reply,
      newThreadView(pageContext(request, assets), { forum, topics, about, form, snapshot }),
      status,
    );
  }

  app.get<SlugParams>('/courses/:slug/forum/new', async (request, reply) => {
    requireUser(request);
    const values: Record<string, string> = {};
    const kind = query(request, 'kind');
    if (isThreadKind(kind)) values['kind'] = kind;
    if (query(request, 'topic')) values['topic'] = query(request, 'topic');
    if (query(request, 'snapshot')) values['snapshot'] = query(request, 'snapshot');
    return showNewThread(request, reply, { values, errors: {} }, query(request, 'route'));
  });

  app.post<SlugParams>('/courses/:slug/forum', async (request, reply) => {
    const user = requireUser(request);
    const { live, forum } = await forumOf(request);
    const kind = formValue(request, 'kind');
    const topicKey = formValue(request, 'topic');
    const title = cleanTitle(formValue(request, 'title'));
    const body = cleanBody(formValue(request, 'body'));
    const route = formValue(request, 'route');
    const anonymous = wantsAnonymity(request);
    const snapshotToken = formValue(request, 'snapshot');
    const form: FormState = {
      values: { kind, topic: topicKey, title, body, anonymous: anonymous ? '1' : '', snapshot: snapshotToken },
      errors: {},
    };
    const topics = await courseTopics(db.kysely, live, clock());
    const topic = topics.find((t) => t.key === topicKey);
    const about = await aboutOf(live, route || null);
    if (!isThreadKind(kind)) form.errors['kind'] = 'forum.error.kind';
    if (!topic) form.errors['topic'] = 'forum.error.topic';
    const titleError = titleProblem(title);
    if (titleError) form.errors['title'] = titleError;
    const bodyError = bodyProblem(body);
    if (bodyError) form.errors['body'] = bodyError;
    if (route && !about) form.formError = { key: 'forum.error.route' };
    // Never published under a name its author asked to hide: refused, the text kept.
    if (anonymous && !forum.anonymousAllowed) form.formError = { key: 'forum.error.anonymous' };
    // A snapshot goes with a thread about its notebook, by its author, once.
    const snapshot = snapshotToken ? await ownSnapshot(live, user.id, snapshotToken, about?.route ?? null) : null;
    if (snapshotToken && !snapshot) form.formError = { key: 'forum.error.snapshot' };
    if (Object.keys(form.errors).length > 0 || form.formError || !topic || !isThreadKind(kind)) {
      return showNewThread(request, reply, form, about ? route : '', 400);
    }
    const refusal = await refusalOf(request, live, forum, body);
    if (refusal) {
      refusalForm(request, reply, refusal, form);
      return showNewThread(request, reply, form, about ? route : '', refusal.status);
    }
    const id = await createThread(
      db.kysely,
      {
        courseId: live.course_id,
        topicId: topic.id,
        route: about?.route ?? null,
        kind,
        title,
        body,
        authorId: user.id,
        anonymous,
        snapshotId: snapshot?.id ?? null,
      },
      clock(),
    );
    return reply.redirect(forumThreadUrl(live.slug, id), 303);
  });

  async function showThread(
    request: FastifyRequest<ThreadParams>,
    reply: FastifyReply,
    form: FormState,
    page: number,
    status = 200,
  ) {
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: false });
    const about = await aboutOf(live, thread.route);
    return sendPage(
      reply,
      threadView(pageContext(request, assets), {
        forum,
        thread: readerView(forum.actor, thread),
        following: forum.actor ? await selectIsFollowing(db.kysely, thread.id, forum.actor.userId) : false,
        topic: { key: thread.topic_key, title: thread.topic_title, week: thread.topic_week },
        about,
        content: await threadContent(db.kysely, thread, page, forum.actor),
        replyForm: form,
      }),
      status,
    );
  }

  app.get<ThreadParams>('/courses/:slug/forum/threads/:id', (request, reply) =>
    showThread(request, reply, { values: {}, errors: {} }, pageNumber(query(request, 'page'))),
  );

  /** Where a post is seen: its thread's page, at its anchor. */
  async function postLocation(slug: string, thread: ThreadRow, postId: number): Promise<string> {
    const fresh = (await selectOptionalThread(db.kysely, thread.course_id, thread.id)) ?? thread;
    const post = await selectOptionalPost(db.kysely, thread.id, postId);
    const page = post ? await pageOfPost(db.kysely, fresh, post) : 1;
    return `${forumThreadUrl(slug, thread.id)}${page > 1 ? `?page=${page}` : ''}#post-${postId}`;
  }

  // A reply, or with `parent` a comment on a reply.
  app.post<ThreadParams>('/courses/:slug/forum/threads/:id/replies', async (request, reply) => {
    const user = requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    const parentRaw = formValue(request, 'parent');
    const parentId = parentRaw === '' ? null : idOf(parentRaw);
    if (parentRaw !== '' && parentId === null) throw new HttpError('POST_NOT_FOUND');
    const body = cleanBody(formValue(request, 'body'));
    const anonymous = wantsAnonymity(request);
    const problem = bodyProblem(body);
    const refusedAnonymity = anonymous && !forum.anonymousAllowed;
    const locked = thread.locked === 1 && !forum.actor?.moderator;
    const refusal = problem || refusedAnonymity || locked ? null : await refusalOf(request, live, forum, body);
    if (problem || refusedAnonymity || locked || refusal) {
      const form: FormState = {
        values: { body, parent: parentRaw, anonymous: anonymous ? '1' : '' },
        errors: problem ? { body: problem } : {},
        ...(refusedAnonymity ? { formError: { key: 'forum.error.anonymous' as const } } : {}),
        ...(locked ? { formError: { key: 'forum.error.locked' as const } } : {}),
      };
      if (refusal) refusalForm(request, reply, refusal, form);
      const parent = parentId === null ? null : await selectOptionalPost(db.kysely, thread.id, parentId);
      if (parentId !== null && !parent) throw new HttpError('POST_NOT_FOUND');
      const page = parent ? await pageOfPost(db.kysely, thread, parent) : 1;
      return showThread(request, reply, form, page, refusal?.status ?? (locked ? 403 : 400));
    }
    const id = await addPost(db.kysely, thread, { parentId, body, authorId: user.id, anonymous }, clock());
    return reply.redirect(await postLocation(live.slug, thread, id), 303);
  });

  async function editable(request: FastifyRequest<PostParams>) {
    const user = requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    const post = await postOf(request, thread, forum);
    if (!canEditPost(forum.actor, post)) throw new HttpError('FORUM_FORBIDDEN', undefined, live.slug);
    if (thread.locked && !forum.actor?.moderator) throw new HttpError('FORUM_LOCKED', undefined, live.slug);
    return { user, live, forum, thread, post };
  }

  app.get<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/edit', async (request, reply) => {
    const { forum, thread, post } = await editable(request);
    const form: FormState = {
      values: { body: post.body, ...(post.depth === 0 ? { title: thread.title } : {}) },
      errors: {},
    };
    return sendPage(reply, editPostView(pageContext(request, assets), { forum, thread, post, form }));
  });

  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/edit', async (request, reply) => {
    const { user, live, forum, thread, post } = await editable(request);
    const body = cleanBody(formValue(request, 'body'));
    // The opening post's form carries the thread's title too (a form without the field keeps it).
    const sentTitle = typeof (request.body as Record<string, unknown> | null)?.['title'] === 'string';
    const title = post.depth === 0 && sentTitle ? cleanTitle(formValue(request, 'title')) : null;
    const problem = bodyProblem(body);
    const titleError = title === null ? null : titleProblem(title);
    if (problem || titleError) {
      const form: FormState = {
        values: { body, ...(title !== null ? { title } : {}) },
        errors: { ...(problem ? { body: problem } : {}), ...(titleError ? { title: titleError } : {}) },
      };
      return sendPage(reply, editPostView(pageContext(request, assets), { forum, thread, post, form }), 400);
    }
    // An edit is checked as a post is (mute, links, duplicates), without counting against the rate.
    const refusal = body === post.body ? null : await refusalOf(request, live, forum, body, post.id);
    if (refusal) {
      const form: FormState = { values: { body, ...(title !== null ? { title } : {}) }, errors: {} };
      refusalForm(request, reply, refusal, form);
      return sendPage(reply, editPostView(pageContext(request, assets), { forum, thread, post, form }), refusal.status);
    }
    if (body !== post.body || (title !== null && title !== thread.title)) {
      await editPost(
        db.kysely,
        post,
        body,
        user.id,
        clock(),
        title !== null && title !== thread.title ? title : undefined,
      );
    }
    return reply.redirect(await postLocation(live.slug, thread, post.id), 303);
  });

  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/delete', async (request, reply) => {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    const post = await postOf(request, thread, forum);
    // Deleting twice (a double submit) is no error for whoever could delete it once.
    if (!canDeletePost(forum.actor, { ...post, deleted: 0 }))
      throw new HttpError('FORUM_FORBIDDEN', undefined, live.slug);
    if (!post.deleted) {
      await deletePost(db.kysely, thread, post);
      // A moderator deleting someone else's post: the log keeps it, its reports close.
      if (post.author_id !== forum.actor!.userId)
        await recordModeratorDeletion(db.kysely, forum.actor!, thread, post, clock());
    }
    if (post.depth === 0) return reply.redirect(forumUrl(live.slug), 303);
    return reply.redirect(await postLocation(live.slug, thread, post.id), 303);
  });

  app.post<ThreadParams>('/courses/:slug/forum/threads/:id/accept', async (request, reply) => {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    if (!canAcceptAnswer(forum.actor, thread)) {
      throw new HttpError(thread.kind === 'question' ? 'FORUM_FORBIDDEN' : 'FORUM_NOT_AN_ANSWER', undefined, live.slug);
    }
    const postId = idOf(formValue(request, 'post'));
    if (postId === null) throw new HttpError('POST_NOT_FOUND');
    await acceptAnswer(db.kysely, thread, postId, formValue(request, 'undo') === '1', {
      actorId: forum.actor?.userId ?? null,
      now: clock(),
    });
    return reply.redirect(await postLocation(live.slug, thread, postId), 303);
  });

  // A vote for an opening post or a reply (not one's own), or with `undo` its withdrawal.
  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/vote', async (request, reply) => {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    const post = await postOf(request, thread, forum);
    if (thread.locked) throw new HttpError('FORUM_LOCKED', undefined, live.slug);
    await votePost(db.kysely, forum.actor!, post, formValue(request, 'undo') === '1', clock());
    return reply.redirect(await postLocation(live.slug, thread, post.id), 303);
  });

  // Staff endorse a reply ("Approuvé par l'équipe"), or with `undo` withdraw it.
  app.post<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/endorse', async (request, reply) => {
    requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    const post = await postOf(request, thread, forum);
    if (!forum.actor?.staff) throw new HttpError('FORUM_FORBIDDEN', undefined, live.slug);
    await endorsePost(db.kysely, forum.actor, post, formValue(request, 'undo') === '1', clock());
    return reply.redirect(await postLocation(live.slug, thread, post.id), 303);
  });

  // Follow a thread (`follow=1`) or stop (`follow=0`): an explicit choice, kept over automatic follows.
  app.post<ThreadParams>('/courses/:slug/forum/threads/:id/follow', async (request, reply) => {
    const user = requireUser(request);
    const { live, forum } = await forumOf(request);
    const thread = await threadOf(request, live, forum, { writing: true });
    const follow = formValue(request, 'follow');
    if (follow !== '0' && follow !== '1') throw new HttpError('BAD_REQUEST', 'follow');
    await upsertFollow(db.kysely, thread.id, user.id, follow === '1', clock());
    return reply.redirect(forumThreadUrl(live.slug, thread.id), 303);
  });

  // A post's edit history: staff of the course only; anyone else gets the 404 of a missing page.
  app.get<PostParams>('/courses/:slug/forum/threads/:id/posts/:post/history', async (request, reply) => {
    const { live, forum } = await forumOf(request);
    if (!forum.actor?.staff) throw new HttpError('POST_NOT_FOUND');
    const thread = await threadOf(request, live, forum, { writing: false });
    const post = await postOf(request, thread, forum);
    const revisions = await selectRevisions(db.kysely, post.id);
    return sendPage(reply, historyView(pageContext(request, assets), { forum, thread, post, revisions }));
  });

  moderationRoutes(app, services, { forumOf, threadOf, postOf });
}
