import type { Kysely } from 'kysely';
import { renderPost } from '@carnet/render';
import type { Database, ForumThreadKind } from '../../db/schema.ts';
import type { CurrentUser } from '../../http/auth.ts';
import { HttpError } from '../../http/errors.ts';
import {
  countReplies,
  ensureTopics,
  insertPost,
  insertRevision,
  insertThread,
  selectComments,
  selectOptionalOpeningPost,
  selectOptionalPost,
  selectReplies,
  selectTopics,
  addTopicThreads,
  updateAcceptedPost,
  updatePostBody,
  updatePostDeleted,
  updateThreadDeleted,
  updateThreadForDeletedPost,
  updateThreadForNewPost,
  type PostRow,
  type ThreadRow,
  type TopicWithCount,
} from '../../models/forum.ts';
import { ensureFollow } from '../../models/forum-follows.ts';
import { selectVotedPostIds } from '../../models/forum-votes.ts';
import { attachSnapshot, selectSnapshotsOfPosts } from '../../models/forum-snapshots.ts';
import type { CourseStructure } from '../import/import-course.ts';
import type { LiveVersion } from '../content-cache.ts';
import { canManageCourse } from '../auth/roles.ts';
import { hasCourseRole } from '../../models/course-roles.ts';
import { notifyAccepted, notifyNewPost } from './notify.ts';
import { GENERAL_TOPIC, readerView, REPLIES_PER_PAGE, type ForumActor, type ReaderView } from './rules.ts';

/** The forum's workflows (issue 13): topics, threads and posts, each write one transaction. */

/** Who the reader is on this course's forum, or null for an anonymous visitor. */
export async function forumActor(
  db: Kysely<Database>,
  user: CurrentUser | null,
  courseId: number,
): Promise<ForumActor | null> {
  if (!user) return null;
  const staff = await canManageCourse(db, user, courseId);
  return { userId: user.id, staff, moderator: staff || (await hasCourseRole(db, user.id, courseId, 'moderator')) };
}

/** The topics a version implies: one per week of its structure, then `general`. */
export function versionTopics(
  structure: string,
): { key: string; title: string; week: number | null; position: number }[] {
  let weeks: CourseStructure['weeks'] = [];
  try {
    weeks = (JSON.parse(structure) as Partial<CourseStructure>).weeks ?? [];
  } catch {
    weeks = [];
  }
  return [
    ...weeks.map((w) => ({ key: `week-${w.week}`, title: w.theme ?? '', week: w.week, position: w.week })),
    { key: GENERAL_TOPIC, title: '', week: null, position: 1_000_000 },
  ];
}

/**
 * A course's topics with their thread counts; the live version's weeks and `general` are created
 * on first use (a version that adds a week adds its topic; one that drops a week keeps it).
 */
export async function courseTopics(db: Kysely<Database>, live: LiveVersion, now: Date): Promise<TopicWithCount[]> {
  const topics = await selectTopics(db, live.course_id);
  const have = new Set(topics.map((t) => t.key));
  const missing = versionTopics(live.structure).filter((t) => !have.has(t.key));
  if (missing.length === 0) return topics;
  await ensureTopics(db, live.course_id, missing, now);
  return selectTopics(db, live.course_id);
}

/**
 * A new thread and its opening post, in one transaction, its author following it; returns the
 * thread's id. `anonymous` is the caller's to allow (the course's setting).
 */
export async function createThread(
  db: Kysely<Database>,
  data: {
    courseId: number;
    topicId: number;
    route: string | null;
    kind: ForumThreadKind;
    title: string;
    body: string;
    authorId: number;
    anonymous?: boolean;
    /** A snapshot of the author's to attach to the opening post (checked by the caller: theirs, not attached). */
    snapshotId?: number | null;
  },
  now: Date,
): Promise<number> {
  const html = renderPost(data.body);
  const anonymous = data.anonymous === true;
  return db.transaction().execute(async (trx) => {
    const threadId = await insertThread(trx, { ...data, anonymous }, now);
    await addTopicThreads(trx, data.topicId, 1);
    const postId = await insertPost(
      trx,
      { threadId, depth: 0, parentId: null, authorId: data.authorId, body: data.body, html, anonymous },
      now,
    );
    // Attached once, by its author only: a snapshot posted twice (two tabs) fails the second thread.
    if (data.snapshotId && !(await attachSnapshot(trx, data.snapshotId, data.authorId, postId))) {
      throw new HttpError('NOT_FOUND');
    }
    await ensureFollow(trx, threadId, data.authorId, now);
    return threadId;
  });
}

/**
 * A reply to a thread, or with `parentId` a comment on one of its replies (not on a comment, nor
 * on a deleted reply: FORUM_NESTING); the thread's counters move in the same transaction, and
 * the author follows the thread unless they unfollowed it.
 */
export async function addPost(
  db: Kysely<Database>,
  thread: ThreadRow,
  data: { parentId: number | null; body: string; authorId: number; anonymous?: boolean },
  now: Date,
): Promise<number> {
  if (data.parentId !== null) {
    const parent = await selectOptionalPost(db, thread.id, data.parentId);
    if (!parent) throw new HttpError('POST_NOT_FOUND');
    if (parent.depth !== 1 || parent.deleted !== 0 || parent.hidden !== 0) throw new HttpError('FORUM_NESTING');
  }
  const html = renderPost(data.body);
  return db.transaction().execute(async (trx) => {
    const id = await insertPost(
      trx,
      {
        threadId: thread.id,
        depth: data.parentId === null ? 1 : 2,
        parentId: data.parentId,
        authorId: data.authorId,
        body: data.body,
        html,
        anonymous: data.anonymous === true,
      },
      now,
    );
    await updateThreadForNewPost(trx, thread.id, now);
    await ensureFollow(trx, thread.id, data.authorId, now);
    await notifyNewPost(trx, thread, { id, depth: data.parentId === null ? 1 : 2, authorId: data.authorId }, now);
    return id;
  });
}

/**
 * Replaces a post's text, keeping the one it replaced; an opening post's edit may retitle its
 * thread (`title`), the revision keeping the title it had.
 */
export async function editPost(
  db: Kysely<Database>,
  post: PostRow,
  body: string,
  editorId: number,
  now: Date,
  title?: string,
): Promise<void> {
  const html = renderPost(body);
  await db.transaction().execute(async (trx) => {
    const previousTitle =
      title === undefined || post.depth !== 0
        ? null
        : ((await trx.selectFrom('forum_threads').select('title').where('id', '=', post.thread_id).executeTakeFirst())
            ?.title ?? null);
    await insertRevision(trx, { postId: post.id, body: post.body, editorId, title: previousTitle }, now);
    if (body !== post.body) await updatePostBody(trx, post.id, { body, html }, now);
    if (title !== undefined && post.depth === 0) {
      await trx.updateTable('forum_threads').set({ title }).where('id', '=', post.thread_id).execute();
      await trx.updateTable('forum_posts').set({ edited_at: now.toISOString() }).where('id', '=', post.id).execute();
    }
  });
}

/**
 * Deletes a post (kept, shown as deleted, its comments stay); the opening post takes its thread
 * with it. Counters move once, in the same transaction, even when two deletions cross.
 */
export async function deletePost(db: Kysely<Database>, thread: ThreadRow, post: PostRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await updatePostDeleted(trx, post.id);
    if (!deleted) return;
    if (post.depth === 0) {
      if (await updateThreadDeleted(trx, thread.id)) await addTopicThreads(trx, thread.topic_id, -1);
    } else await updateThreadForDeletedPost(trx, thread.id, { id: post.id, endorsed: deleted.endorsed });
  });
}

/**
 * Marks a reply of a question as its accepted answer (or, `undo`, no longer); `by` (who accepts,
 * when) lets the notifications leave that person out.
 */
export async function acceptAnswer(
  db: Kysely<Database>,
  thread: ThreadRow,
  postId: number,
  undo: boolean,
  by: { actorId: number | null; now: Date } = { actorId: null, now: new Date() },
): Promise<void> {
  if (thread.kind !== 'question') throw new HttpError('FORUM_NOT_AN_ANSWER');
  const post = await selectOptionalPost(db, thread.id, postId);
  if (!post) throw new HttpError('POST_NOT_FOUND');
  if (post.depth !== 1 || post.deleted !== 0 || post.hidden !== 0) throw new HttpError('FORUM_NOT_AN_ANSWER');
  if (undo) {
    if (thread.accepted_post_id === post.id) await updateAcceptedPost(db, thread.id, null);
  } else {
    await updateAcceptedPost(db, thread.id, post.id);
    await notifyAccepted(db, thread, post, by.actorId, by.now);
  }
}

/** A post as one reader sees it (`readerView`). */
export type ShownPost = ReaderView<PostRow>;

/** A reply and its comments. */
export interface ReplyWithComments {
  reply: ShownPost;
  comments: ShownPost[];
}

/**
 * What a thread page shows one reader: the opening post, the accepted answer (first page), one page
 * of the others, each post's author as this reader may see it; which of them the reader voted for.
 */
export interface ThreadContent {
  opening: ShownPost | null;
  accepted: ReplyWithComments | null;
  replies: ReplyWithComments[];
  page: number;
  pages: number;
  voted: Set<number>;
  /** The snapshots attached to the posts shown: post id → token. */
  snapshots: Map<number, string>;
}

/** One page of a thread for `actor`: replies oldest first, 50 a page, the accepted answer apart from them. */
export async function threadContent(
  db: Kysely<Database>,
  thread: ThreadRow,
  page: number,
  actor: ForumActor | null,
): Promise<ThreadContent> {
  const opening = await selectOptionalOpeningPost(db, thread.id);
  const except = thread.accepted_post_id;
  // Hidden replies and comments are for moderators' eyes only.
  const withHidden = actor?.moderator === true;
  const total = await countReplies(db, thread.id, { except, withHidden });
  const pages = Math.max(1, Math.ceil(total / REPLIES_PER_PAGE));
  const current = Math.min(page, pages);
  const replies = await selectReplies(db, thread.id, {
    limit: REPLIES_PER_PAGE,
    offset: (current - 1) * REPLIES_PER_PAGE,
    except,
    withHidden,
  });
  const acceptedPost = except !== null && current === 1 ? await selectOptionalPost(db, thread.id, except) : null;
  const parents = [...replies, ...(acceptedPost ? [acceptedPost] : [])].map((r) => r.id);
  const comments = await selectComments(db, thread.id, parents, withHidden);
  const shown = (p: PostRow): ShownPost => readerView(actor, p);
  const withComments = (reply: PostRow): ReplyWithComments => ({
    reply: shown(reply),
    comments: comments.filter((c) => c.parent_id === reply.id).map(shown),
  });
  const votable = [...(opening ? [opening.id] : []), ...parents];
  return {
    opening: opening ? shown(opening) : null,
    accepted: acceptedPost ? withComments(acceptedPost) : null,
    replies: replies.map(withComments),
    page: current,
    pages,
    voted: actor ? await selectVotedPostIds(db, actor.userId, votable) : new Set(),
    snapshots: new Map(
      (await selectSnapshotsOfPosts(db, [...(opening ? [opening.id] : []), ...parents])).map((s) => [
        s.post_id!,
        s.token,
      ]),
    ),
  };
}

/** The page of a thread on which a post is shown (a comment: its reply's). */
export async function pageOfPost(db: Kysely<Database>, thread: ThreadRow, post: PostRow): Promise<number> {
  const replyId = post.depth === 2 ? post.parent_id! : post.id;
  if (post.depth === 0 || replyId === thread.accepted_post_id) return 1;
  const before = await countReplies(db, thread.id, { except: thread.accepted_post_id, beforeId: replyId });
  return Math.floor(before / REPLIES_PER_PAGE) + 1;
}
