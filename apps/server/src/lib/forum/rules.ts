import type { ForumThreadKind } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';

/** The forum's rules (issue 13): what a post may be, and who may do what. Pure. */

export const TITLE_MAX = 150;
export const BODY_MAX = 20_000;
export const THREADS_PER_PAGE = 30;
export const REPLIES_PER_PAGE = 50;
export const PANEL_THREADS = 5;
/** Pinned threads shown at the head of a list's first page, at most. */
export const PINNED_MAX = 10;
/** The topic every course has, besides its weeks. */
export const GENERAL_TOPIC = 'general';

export const THREAD_KINDS: readonly ForumThreadKind[] = ['question', 'discussion'];

export const isThreadKind = (value: string): value is ForumThreadKind =>
  (THREAD_KINDS as readonly string[]).includes(value);

/** Length as a reader counts it: characters, not UTF-16 units. */
const length = (text: string): number => [...text].length;

/** A title as stored: trimmed, any run of white space (newlines too) one space. */
export const cleanTitle = (raw: string): string => raw.replace(/\s+/gu, ' ').trim();

/** A body as stored: trimmed, line endings made LF. */
export const cleanBody = (raw: string): string => raw.replace(/\r\n?/g, '\n').trim();

/** What is wrong with a cleaned title, or null. */
export function titleProblem(title: string): MessageKey | null {
  if (title === '') return 'forum.error.titleRequired';
  return length(title) > TITLE_MAX ? 'forum.error.titleTooLong' : null;
}

/** What is wrong with a cleaned body, or null. */
export function bodyProblem(body: string): MessageKey | null {
  if (body === '') return 'forum.error.bodyRequired';
  return length(body) > BODY_MAX ? 'forum.error.bodyTooLong' : null;
}

/** Who acts on the forum of one course. */
export interface ForumActor {
  userId: number;
  /** Staff of the course, or an administrator. */
  staff: boolean;
  /** Staff, or a learner staff made a moderator of this course's forum: sees hidden posts, moderates. */
  moderator: boolean;
}

/** A post as the rules see it. */
export interface PostFacts {
  author_id: number | null;
  deleted: number;
}

/** Only the author edits a post, while it is not deleted (staff delete, they do not rewrite). */
export const canEditPost = (actor: ForumActor | null, post: PostFacts): boolean =>
  actor !== null && post.deleted === 0 && post.author_id !== null && post.author_id === actor.userId;

/** The author and the course's moderators (staff among them) delete a post not yet deleted. */
export const canDeletePost = (actor: ForumActor | null, post: PostFacts): boolean =>
  actor !== null &&
  post.deleted === 0 &&
  (actor.moderator || (post.author_id !== null && post.author_id === actor.userId));

/** The asker, staff and administrators choose a question's accepted answer. */
export const canAcceptAnswer = (
  actor: ForumActor | null,
  thread: { kind: ForumThreadKind; author_id: number | null },
): boolean =>
  actor !== null &&
  thread.kind === 'question' &&
  (actor.staff || (thread.author_id !== null && thread.author_id === actor.userId));

/** A page number from a query parameter: a positive integer, else 1. */
export function pageNumber(raw: unknown): number {
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return n >= 1 ? n : 1;
}

/** A post as the voting rule sees it. */
export interface VotableFacts extends PostFacts {
  depth: number;
  hidden: number;
}

/** Any account but the author's upvotes an opening post or a reply (not a comment) neither deleted nor hidden. */
export const canVote = (actor: ForumActor | null, post: VotableFacts): boolean =>
  actor !== null && post.depth < 2 && post.deleted === 0 && post.hidden === 0 && post.author_id !== actor.userId;

/** Course staff and administrators endorse a reply (not the opening post, nor a comment) neither deleted nor hidden. */
export const canEndorse = (
  actor: ForumActor | null,
  post: { depth: number; deleted: number; hidden: number },
): boolean => actor !== null && actor.staff && post.depth === 1 && post.deleted === 0 && post.hidden === 0;

/** The list's order from `?sort=`: `votes`, else newest activity first. */
export const threadSort = (raw: string): 'activity' | 'votes' => (raw === 'votes' ? 'votes' : 'activity');

/**
 * How a post's or thread's author is shown to one reader: by name (null: a deleted account), or,
 * for an anonymous post, "Anonyme" to other learners and visitors, "Vous (anonyme)" to its author,
 * the real name marked "anonymous to learners" to staff.
 */
export type ShownAuthor =
  | { kind: 'named'; name: string | null }
  | { kind: 'anonymous' }
  | { kind: 'anonymousSelf' }
  | { kind: 'anonymousToLearners'; name: string | null };

/** What `readerView` needs of a post or a thread. */
export interface AuthoredFacts {
  author_id: number | null;
  author_name: string | null;
  anonymous: number;
}

/** How this reader sees the author of `row`. */
export function shownAuthor(actor: ForumActor | null, row: AuthoredFacts): ShownAuthor {
  if (row.anonymous !== 1) return { kind: 'named', name: row.author_name };
  if (actor?.staff) return { kind: 'anonymousToLearners', name: row.author_name };
  if (actor !== null && row.author_id !== null && row.author_id === actor.userId) return { kind: 'anonymousSelf' };
  return { kind: 'anonymous' };
}

/** A row as one reader may see it: `shown` says how to name its author. */
export type ReaderView<T extends AuthoredFacts> = T & { shown: ShownAuthor };

/**
 * A row for one reader's page: when its author is anonymous to them, the author's id and name are
 * gone from the row itself, so no view can print them (the rules still answer right: a row
 * without an author is nobody's own). Every page of the forum passes its rows through this.
 */
export function readerView<T extends AuthoredFacts>(actor: ForumActor | null, row: T): ReaderView<T> {
  const shown = shownAuthor(actor, row);
  return shown.kind === 'anonymous' ? { ...row, author_id: null, author_name: null, shown } : { ...row, shown };
}
