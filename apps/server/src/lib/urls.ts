/** Carnet's public URL scheme, in one place: pages, navigation and rendered links all use these. */

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

export const catalogueUrl = (): string => '/';

export const courseUrl = (slug: string): string => `/courses/${encodeURIComponent(slug)}`;

/** A notebook or quiz page: `route` is its course path without extension. */
export const courseItemUrl = (slug: string, route: string): string => `${courseUrl(slug)}/${encodePath(route)}`;

/** A learner's progress and grade in the course (their session's). */
export const courseProgressUrl = (slug: string): string => `${courseUrl(slug)}/progress`;

/** A stored course file of one version: immutable, so cached for a year. */
export const courseFileUrl = (slug: string, tag: string, path: string): string =>
  `/files/${encodeURIComponent(slug)}/${tag}/${encodePath(path)}`;

/** The in-browser runtime's view of a version: its public files, and its `modules/` archive. */
export const runtimeFilesUrl = (slug: string, tag: string): string =>
  `/runtime/${encodeURIComponent(slug)}/${tag}/files.json`;
export const runtimeModulesUrl = (slug: string, tag: string): string =>
  `/runtime/${encodeURIComponent(slug)}/${tag}/modules.zip`;
export const runtimeExercisesUrl = (slug: string, tag: string): string =>
  `/runtime/${encodeURIComponent(slug)}/${tag}/exercises.zip`;
/**
 * Characters a `next` path may hold as they are: RFC 3986's unreserved and reserved ones, and `%`
 * starting an escape. Letters, marks and digits of other scripts are accepted and percent-encoded.
 * Everything else — controls (NUL, VT…), spaces of any kind (U+3000…), line and paragraph
 * separators (U+2028/2029), format characters, backslashes, quotes and angle brackets — is refused.
 */
const PATH_CHARACTER = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2}|[\p{L}\p{M}\p{N}])$/u;
const ORIGIN = 'http://carnet.invalid';

/**
 * `next` as a path on this site, made only of safe characters (non-ASCII letters percent-encoded,
 * so the result is always a valid Location header); '/' for anything else: another site (`//x`,
 * `/\x`, `https://x`), a control or invisible character, a malformed escape, a non-string.
 */
export function safeLocalPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || !next.startsWith('/') || /^\/[/\\]/.test(next)) return '/';
  let path = '';
  for (const match of next.matchAll(/%[0-9A-Fa-f]{2}|./gsu)) {
    const character = match[0];
    if (!PATH_CHARACTER.test(character)) return '/';
    path += /^[\x21-\x7e]/.test(character) ? character : encodeURIComponent(character);
  }
  // What a browser resolves it to must stay here (`/.//x` is still a path of ours, and so on).
  const resolved = new URL(path, ORIGIN);
  return resolved.origin === ORIGIN ? path : '/';
}

/** The login form; `next` is where to go after logging in (a path on this site). */
export const loginUrl = (next?: string): string =>
  next && next !== '/' && next !== '/login' ? `/login?next=${encodeURIComponent(next)}` : '/login';
export const logoutUrl = (): string => '/logout';
export const signupUrl = (): string => '/signup';
export const signupConfirmUrl = (token: string): string => `/signup/confirm/${token}`;
export const forgotPasswordUrl = (): string => '/password/forgot';
export const resetPasswordUrl = (token: string): string => `/password/reset/${token}`;
export const accountUrl = (): string => '/account';
export const accountExportUrl = (): string => '/account/export';
export const dashboardUrl = (): string => '/me';
/** A learner's notifications (`?page=`), their read marks, their e-mail preferences; the header's unread count (ADR 046). */
export const notificationsUrl = (): string => '/me/notifications';
export const notificationReadUrl = (id: number): string => `/me/notifications/${id}/read`;
export const notificationsReadAllUrl = (): string => '/me/notifications/read';
export const notificationPreferencesUrl = (): string => '/me/notifications/preferences';
export const unreadCountUrl = (): string => '/api/notifications/unread';
/** Where a notification points: redirects to the post on its page of its thread (public, like the thread). */
export const postLinkUrl = (postId: number): string => `/notifications/posts/${postId}`;
/** The one-click unsubscribe link of a notification e-mail: works without a session (RFC 8058). */
export const unsubscribeUrl = (token: string): string => `/notifications/unsubscribe/${token}`;
/** Staff announcements to a course or one of its sessions (ADR 046). */
export const manageAnnouncementsUrl = (slug: string): string =>
  `/manage/courses/${encodeURIComponent(slug)}/announcements`;

/** Enrolment actions on a run (POST). */
export const enrolUrl = (runId: number): string => `/runs/${runId}/enrol`;
export const unenrolUrl = (runId: number): string => `/runs/${runId}/unenrol`;

/** Staff pages. */
export const manageUrl = (): string => '/manage';
export const manageCourseUrl = (slug: string): string => `/manage/courses/${encodeURIComponent(slug)}`;
export const newRunUrl = (slug: string): string => `${manageCourseUrl(slug)}/runs/new`;
export const runUrl = (slug: string, runSlug: string): string =>
  `${manageCourseUrl(slug)}/runs/${encodeURIComponent(runSlug)}`;
/** Staff figures: a course's quizzes, and one quiz's answer distribution (`?run=&attempts=first|all&format=csv`). */
export const manageQuizzesUrl = (slug: string): string => `${manageCourseUrl(slug)}/quizzes`;
/** A course's forum settings (staff): anonymity. */
export const manageForumUrl = (slug: string): string => `${manageCourseUrl(slug)}/forum`;
export const manageQuizUrl = (slug: string, route: string): string => `${manageQuizzesUrl(slug)}/${encodePath(route)}`;

/** Certificates (ADR 031): the public verification page, the PDF, the staff's list. */
export const certificateLookupUrl = (): string => '/certificates';
export const certificateUrl = (code: string): string => `/certificates/${encodeURIComponent(code)}`;
export const certificatePdfUrl = (code: string): string => `${certificateUrl(code)}.pdf`;
export const certificateNameUrl = (): string => '/account/certificate-name';
export const manageCertificatesUrl = (slug: string, runSlug: string): string => `${runUrl(slug, runSlug)}/certificates`;
/** A session's grading and quiz policies (staff), and its grade report. */
export const runGradingUrl = (slug: string, runSlug: string): string => `${runUrl(slug, runSlug)}/grading`;
export const runGradesCsvUrl = (slug: string, runSlug: string): string => `${runUrl(slug, runSlug)}/grades.csv`;
/** A session's figures for its staff (issue 14): the page; each table's CSV is `…/analytics/<table>.csv`. */
export const runAnalyticsUrl = (slug: string, runSlug: string): string => `${runUrl(slug, runSlug)}/analytics`;

/** The course forum (issue 13): the list (`?topic=&route=&unanswered=1&page=`), a thread, its posts' actions. */
export const forumUrl = (slug: string): string => `${courseUrl(slug)}/forum`;
/** The forum's moderation queue; `/log` is its audit log (issue 13). */
export const forumModerationUrl = (slug: string): string => `${forumUrl(slug)}/moderation`;
export const forumNewThreadUrl = (slug: string): string => `${forumUrl(slug)}/new`;
/** The fragment item pages fetch: the latest threads about one item. */
export const forumPanelUrl = (slug: string, route: string): string =>
  `${forumUrl(slug)}/panel?route=${encodeURIComponent(route)}`;
/** The forum's search page (`?q=&topic=&unanswered=1&recent=1&mine=1&page=`), and the similar-title fragment (`/similar?title=`). */
export const forumSearchUrl = (slug: string): string => `${forumUrl(slug)}/search`;
export const forumThreadUrl = (slug: string, threadId: number): string => `${forumUrl(slug)}/threads/${threadId}`;
/** A notebook snapshot's read-only page (issue 13). */
export const forumSnapshotUrl = (slug: string, token: string): string => `${forumUrl(slug)}/snapshots/${token}`;
export const forumRepliesUrl = (slug: string, threadId: number): string => `${forumThreadUrl(slug, threadId)}/replies`;
export const forumAcceptUrl = (slug: string, threadId: number): string => `${forumThreadUrl(slug, threadId)}/accept`;
export const forumPostUrl = (slug: string, threadId: number, postId: number): string =>
  `${forumThreadUrl(slug, threadId)}/posts/${postId}`;
/** A thread's follow form; a post's vote and endorsement forms (ADR 043). */
export const forumFollowUrl = (slug: string, threadId: number): string => `${forumThreadUrl(slug, threadId)}/follow`;
export const forumVoteUrl = (slug: string, threadId: number, postId: number): string =>
  `${forumPostUrl(slug, threadId, postId)}/vote`;
export const forumEndorseUrl = (slug: string, threadId: number, postId: number): string =>
  `${forumPostUrl(slug, threadId, postId)}/endorse`;

/** Teachers and classes (issue 14): the teacher space, a class's page and its actions, joining, the administrator's list. */
export const teachUrl = (): string => '/teach';
export const teachClassUrl = (classId: number): string => `/teach/classes/${classId}`;
/** A teacher's own notebooks (ADR 052): the list and upload form, one notebook's page. */
export const teachNotebooksUrl = (): string => '/teach/notebooks';
export const teachNotebookUrl = (notebookId: number): string => `/teach/notebooks/${notebookId}`;
export const joinUrl = (code?: string): string => (code ? `/join/${encodeURIComponent(code)}` : '/join');
export const adminTeachersUrl = (): string => '/admin/teachers';
/** Activities (issue 14, ADR 051): a pupil's copy, and the teacher's pages of an activity. */
export const activityUrl = (id: number): string => `/activities/${id}`;
export const teachActivityUrl = (id: number): string => `/teach/activities/${id}`;
export const teachActivityPupilUrl = (id: number, userId: number): string => `/teach/activities/${id}/pupils/${userId}`;
