import type { MessageKey } from '../i18n/index.ts';

/**
 * Every error a visitor can meet, with its HTTP status and the catalogue message that explains it.
 * Handlers throw `HttpError(code)`; one error handler turns it into a page (or JSON for the API).
 */
export const ERRORS = {
  NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.notFound.body' },
  COURSE_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.courseNotFound.body' },
  ITEM_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.itemNotFound.body' },
  FILE_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.notFound.body' },
  BAD_REQUEST: { status: 400, title: 'error.badRequest.title', body: 'error.badRequest.body' },
  RUN_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.runNotFound.body' },
  LOGIN_REQUIRED: { status: 401, title: 'error.loginRequired.title', body: 'error.loginRequired.body' },
  CSRF_FAILED: { status: 403, title: 'error.csrf.title', body: 'error.csrf.body' },
  TOKEN_INVALID: { status: 400, title: 'error.token.title', body: 'error.token.body' },
  ENROLMENT_CLOSED: { status: 409, title: 'error.enrolmentClosed.title', body: 'error.enrolmentClosed.body' },
  TOO_MANY_REQUESTS: { status: 429, title: 'error.tooMany.title', body: 'error.tooMany.body' },
  CELL_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.cellNotFound.body' },
  CONFLICT: { status: 409, title: 'error.conflict.title', body: 'error.conflict.body' },
  ACTIVITY_READ_ONLY: { status: 409, title: 'error.activityReadOnly.title', body: 'activity.readOnly' },
  /** A request body over a limit; the detail is that limit in KiB. */
  PAYLOAD_TOO_LARGE: { status: 413, title: 'error.tooLarge.title', body: 'error.tooLarge.body' },
  CELL_TOO_LARGE: { status: 413, title: 'error.tooLarge.title', body: 'error.cellTooLarge.body' },
  SUBMISSION_TOO_LARGE: { status: 413, title: 'error.tooLarge.title', body: 'error.submissionTooLarge.body' },
  TOO_MANY_SAVES: { status: 429, title: 'error.tooManySaves.title', body: 'error.tooManySaves.body' },
  EXERCISE_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.exerciseNotFound.body' },
  EXERCISE_NOT_IN_NOTEBOOK: { status: 422, title: 'error.badRequest.title', body: 'error.exerciseNotInNotebook.body' },
  EXERCISE_UNVERIFIABLE: { status: 409, title: 'error.unverifiable.title', body: 'error.unverifiable.body' },
  SUBMISSION_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.submissionNotFound.body' },
  SOLUTION_NOT_AVAILABLE: { status: 404, title: 'error.notFound.title', body: 'error.solutionNotAvailable.body' },
  TOO_MANY_SUBMISSIONS: { status: 429, title: 'error.tooManySubmissions.title', body: 'error.tooManySubmissions.body' },
  /** Submissions waiting from one client address past CARNET_GRADING_PENDING_PER_ADDRESS; the detail is Retry-After. */
  TOO_MANY_PENDING: { status: 429, title: 'error.tooManySubmissions.title', body: 'error.tooManyPending.body' },
  /** Submissions waiting in all past CARNET_GRADING_QUEUE_MAX; the detail is Retry-After. */
  GRADING_BUSY: { status: 503, title: 'error.gradingBusy.title', body: 'error.gradingBusy.body' },
  /** A forum thread that does not exist in this course (or is deleted, for learners). */
  THREAD_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.threadNotFound.body' },
  /** A post that is not in this thread, or a post history asked for by someone who is not staff. */
  POST_NOT_FOUND: { status: 404, title: 'error.notFound.title', body: 'error.postNotFound.body' },
  /** A forum action the reader's role does not allow (another's post, another's question). */
  FORUM_FORBIDDEN: { status: 403, title: 'error.forbidden.title', body: 'error.forumForbidden.body' },
  /** A comment on a comment, or a reply to a deleted post: posts nest two levels. */
  FORUM_NESTING: { status: 400, title: 'error.badRequest.title', body: 'error.forumNesting.body' },
  FORUM_LOCKED: { status: 403, title: 'error.forbidden.title', body: 'error.forumLocked.body' },
  FORUM_NOT_SPLITTABLE: { status: 400, title: 'error.badRequest.title', body: 'error.forumNotSplittable.body' },
  /** Accepting an answer in a discussion, or a post that is not a reply of the question. */
  FORUM_NOT_AN_ANSWER: { status: 400, title: 'error.badRequest.title', body: 'error.forumNotAnAnswer.body' },
  /** A vote for one's own post. */
  FORUM_OWN_POST: { status: 403, title: 'error.forbidden.title', body: 'error.forumOwnPost.body' },
  /** A vote for a comment or a deleted post: one votes for an opening post or a reply. */
  FORUM_NOT_VOTABLE: { status: 400, title: 'error.badRequest.title', body: 'error.forumNotVotable.body' },
  /** Staff endorsing the opening post, a comment or a deleted reply: one endorses a reply. */
  FORUM_NOT_ENDORSABLE: { status: 400, title: 'error.badRequest.title', body: 'error.forumNotEndorsable.body' },
  INTERNAL: { status: 500, title: 'error.server.title', body: 'error.server.body' },
  /** The database cannot be reached (restart, failover): retry shortly; the detail is Retry-After. */
  DATABASE_UNAVAILABLE: { status: 503, title: 'error.server.title', body: 'error.server.body' },
  MAIL_UNAVAILABLE: { status: 503, title: 'error.server.title', body: 'error.mailUnavailable.body' },
} as const satisfies Record<string, { status: number; title: MessageKey; body: MessageKey }>;

export type ErrorCode = keyof typeof ERRORS;

export class HttpError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    /** Safe, user-facing detail (e.g. which parameter is wrong); never an internal message. */
    readonly detail?: string,
    /** For 404s inside a course: where to send the reader back to. */
    readonly courseSlug?: string,
  ) {
    super(`${code}${detail ? `: ${detail}` : ''}`);
    this.name = 'HttpError';
    this.statusCode = ERRORS[code].status;
  }
}
