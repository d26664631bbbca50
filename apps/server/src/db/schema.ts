import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The database as Kysely sees it. Portable types only: integers, text (timestamps are ISO-8601 UTC
 * strings, JSON is text), and bytes. The same queries run on SQLite and PostgreSQL.
 */
export interface Database {
  courses: CoursesTable;
  course_versions: CourseVersionsTable;
  course_items: CourseItemsTable;
  quiz_keys: QuizKeysTable;
  blobs: BlobsTable;
  course_files: CourseFilesTable;
  course_media: CourseMediaTable;
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  email_tokens: EmailTokensTable;
  rate_limits: RateLimitsTable;
  course_roles: CourseRolesTable;
  runs: RunsTable;
  enrolments: EnrolmentsTable;
  jobs: JobsTable;
  saved_cells: SavedCellsTable;
  saved_cell_versions: SavedCellVersionsTable;
  item_progress: ItemProgressTable;
  video_views: VideoViewsTable;
  learner_activity: LearnerActivityTable;
  exercise_row_failures: ExerciseRowFailuresTable;
  run_analytics: RunAnalyticsTable;
  exercise_seals: ExerciseSealsTable;
  submissions: SubmissionsTable;
  quiz_attempts: QuizAttemptsTable;
  learner_grades: LearnerGradesTable;
  certificates: CertificatesTable;
  forum_topics: ForumTopicsTable;
  forum_threads: ForumThreadsTable;
  forum_posts: ForumPostsTable;
  forum_post_revisions: ForumPostRevisionsTable;
  forum_snapshots: ForumSnapshotsTable;
  forum_votes: ForumVotesTable;
  forum_follows: ForumFollowsTable;
  forum_reports: ForumReportsTable;
  forum_mutes: ForumMutesTable;
  forum_audit: ForumAuditTable;
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
  notification_emails: NotificationEmailsTable;
  notification_runs: NotificationRunsTable;
  server_secrets: ServerSecretsTable;
  teachers: TeachersTable;
  classes: ClassesTable;
  class_teachers: ClassTeachersTable;
  class_members: ClassMembersTable;
  class_pupil_accounts: ClassPupilAccountsTable;
  activities: ActivitiesTable;
  activity_pupils: ActivityPupilsTable;
  activity_cells: ActivityCellsTable;
  activity_comments: ActivityCommentsTable;
}

export interface CoursesTable {
  id: Generated<number>;
  slug: string;
  title: string;
  /** Null until the first successful import. */
  live_version_id: number | null;
  /** Folder or git URL it was last imported from. */
  source: string | null;
  created_at: string;
  updated_at: string;
  /** 1: learners may post on the forum anonymously to other learners (set by staff). */
  forum_anonymous: Generated<number>;
  /** 1: a teacher's own notebook (ADR 052): never listed nor enrollable; fixed at creation. */
  private: Generated<number>;
  /** The teacher who uploaded a private course; null for catalogue courses (or once they left). */
  owner_id: number | null;
}

export interface CourseVersionsTable {
  id: Generated<number>;
  course_id: number;
  /** SHA-256 of the course files and the renderer version: the version's identity. */
  hash: string;
  /** First 16 hex digits of the hash, used in file URLs. */
  tag: string;
  title: string;
  description: string | null;
  language: string;
  /** JSON: tracks, weeks, sequence titles, metadata (see lib/import/structure.ts). */
  structure: string;
  /** JSON: the import summary (counts, warnings). */
  summary: string;
  renderer: string;
  created_at: string;
}

export interface CourseItemsTable {
  version_id: number;
  route: string;
  path: string;
  type: 'notebook' | 'quiz' | 'video';
  kind: string;
  position: number;
  week: number | null;
  sequence: string | null;
  title: string;
  menu_title: string;
  /** Sanitised HTML with UI-string markers. */
  html: string;
  /** JSON: the page outline [{level, text, id}]. */
  headings: string;
  /** JSON: exercises used, code cells (id, tags). */
  meta: string;
}

/** Quiz answers and explanations: read by grading only, never by a page. */
export interface QuizKeysTable {
  version_id: number;
  route: string;
  /** JSON: the full quiz model. */
  quiz: string;
}

export interface BlobsTable {
  hash: string;
  size: number;
  data: ColumnType<Buffer, Buffer, never>;
}

export interface CourseFilesTable {
  version_id: number;
  path: string;
  blob_hash: string;
  size: number;
  content_type: string;
  /** 0 for quizzes and exercise modules: they hold answers and are never served. */
  public: number;
}

/** A version's videos (ADR 040): the bytes are DATA_DIR/media/<sha256>.<ext>, public. */
export interface CourseMediaTable {
  version_id: number;
  path: string;
  sha256: string;
  size: number;
  content_type: string;
}

export interface UsersTable {
  id: Generated<number>;
  /** As the user typed it. */
  email: string;
  /** Lower-case e-mail: unique, what look-ups use. */
  email_key: string;
  display_name: string;
  /** argon2id, PHC string format; null when the account has no password. */
  password_hash: string | null;
  is_admin: Generated<number>;
  /** UI language chosen at sign-up, for e-mails sent outside a request. */
  language: string | null;
  created_at: string;
  updated_at: string;
  password_changed_at: string | null;
  last_login_at: string | null;
  /** The name printed on certificates, when the learner chose one (else display_name). */
  certificate_name: Generated<string | null>;
}

export interface AuthSessionsTable {
  /** SHA-256 (hex) of the cookie token; the token itself is never stored. */
  id_hash: string;
  user_id: number;
  /** Synchronizer token for the session's forms. */
  csrf_secret: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute expiry. */
  expires_at: string;
  user_agent: string | null;
}

export type EmailTokenPurpose = 'signup' | 'reset';

export interface EmailTokensTable {
  /** SHA-256 (hex) of the token sent by e-mail. */
  token_hash: string;
  purpose: EmailTokenPurpose;
  email_key: string;
  user_id: number | null;
  /** JSON: what the token completes. */
  payload: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: string;
  count: number;
  expires_at: string;
}

/** `staff` manage the course; `moderator`s (learners chosen by staff) moderate its forum. */
export type CourseRole = 'staff' | 'moderator';

export interface CourseRolesTable {
  user_id: number;
  course_id: number;
  role: CourseRole;
  granted_at: string;
  granted_by: number | null;
}

export type RunMode = 'scheduled' | 'self-paced';

export interface RunsTable {
  id: Generated<number>;
  course_id: number;
  slug: string;
  title: string;
  mode: RunMode;
  starts_at: string;
  ends_at: string | null;
  enrol_opens_at: string | null;
  enrol_closes_at: string | null;
  /** JSON object: week number → ISO date, overriding the computed opening. */
  week_opens: Generated<string>;
  archived: Generated<number>;
  /** The course version its learners read. */
  version_id: number;
  /** Active enrolments, maintained with each enrolment change. */
  enrolled_count: Generated<number>;
  created_at: string;
  updated_at: string;
  /** Quiz attempts per problem (0 = unlimited); default 2. */
  quiz_attempts: Generated<number>;
  /** 'best' or 'last': which attempt's score counts. */
  quiz_counts: Generated<string>;
  /** 1: multiple-choice questions give partial credit. */
  quiz_partial_credit: Generated<number>;
  /** When answers show: finished, correct, last-attempt, due, never (lib/quizzes/policy.ts). */
  quiz_show_answer: Generated<string>;
  /** JSON: the grading policy (lib/grades/policy.ts; '{}' is the default policy). */
  grading: Generated<string>;
  /** 1: video pages count toward completion (progress bars), never toward the grade. */
  videos_count: Generated<number>;
}

export type EnrolmentStatus = 'active' | 'unenrolled';

export interface EnrolmentsTable {
  id: Generated<number>;
  user_id: number;
  run_id: number;
  course_id: number;
  status: EnrolmentStatus;
  enrolled_at: string;
  unenrolled_at: string | null;
  /** Route of the last course page the learner opened. */
  last_route: string | null;
  last_visit_at: string | null;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** The job queue (lib/jobs, ADR 023). */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON. */
  payload: string;
  status: JobStatus;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  /** JSON, when done. */
  result: string | null;
  error: string | null;
  worker: string | null;
  lease_until: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Jobs of one key (a learner) run one at a time, in turn with other keys' (ADR 035). */
  fair_key: string | null;
  /** What admission limits count together (the client's address). */
  fair_group: string | null;
  /** Claims take the lowest rank first: a key's next job ranks after its previous one. */
  fair_rank: Generated<number>;
  /** The request that queued it (migration 0023), logged by the worker that runs it. */
  request_id: string | null;
}

export type JobRow = Selectable<JobsTable>;
/** A learner's latest code for one cell of one notebook of a course (any version, any run). */
export interface SavedCellsTable {
  id: Generated<number>;
  user_id: number;
  course_id: number;
  /** The notebook's route, as in page URLs. */
  route: string;
  /** The cell's id in the notebook (nbformat id, MyST metadata id, or `cell-N`). */
  cell_id: string;
  code: string;
  /** The course's source of the cell when the learner's page saved it. */
  original: string;
  /** Accepted saves so far (1 after the first). */
  version: number;
  created_at: string;
  updated_at: string;
}

/** The code of each accepted version of a saved cell, the current one included; the last few only. */
export interface SavedCellVersionsTable {
  saved_cell_id: number;
  version: number;
  code: string;
  created_at: string;
}

/** What feeds an item's status: reading now; exercises and quizzes later. */
export type ProgressSource = 'reading' | 'exercise' | 'quiz' | 'video';

/** What a learner has seen of one video of a video page (lib/videos/watched.ts). */
export interface VideoViewsTable {
  user_id: number;
  course_id: number;
  route: string;
  /** The video's av stem (`w1-s1`, `w2-s3a`). */
  video: string;
  /** Seconds, as the learner's player reported (the longest seen). */
  duration: number;
  /** Where they stopped, for "resume". */
  position: number;
  /** JSON [[start, end], …]: the played segments, merged. */
  segments: string;
  watched: number;
  updated_at: string;
}
export type ProgressState = 'started' | 'done';

/** One source's view of a learner's progress on one item of a course. */
export interface ItemProgressTable {
  user_id: number;
  course_id: number;
  route: string;
  source: ProgressSource;
  state: ProgressState;
  updated_at: string;
}

/** A learner active in a session on a day (issue 14's analytics: lib/analytics/activity.ts). */
export interface LearnerActivityTable {
  run_id: number;
  /** `YYYY-MM-DD` in the platform's time zone. */
  day: string;
  user_id: number;
  /** The Monday of `day`'s week, `YYYY-MM-DD`. */
  week: string;
}

/** How many failing verdicts of a session failed one row (check) of an exercise. */
export interface ExerciseRowFailuresTable {
  run_id: number;
  module: string;
  exercise: string;
  /** 1: a hidden check (staff may see its call; learners never do). */
  hidden: number;
  /** The verdict row's `index` (its dataset or scenario). */
  row_index: number;
  call: string;
  failures: number;
}

/** A session's figures as the analytics job last counted them (lib/analytics/snapshot.ts). */
export interface RunAnalyticsTable {
  run_id: number;
  /** JSON. */
  figures: string;
  computed_at: string;
}

/** One graded submission of a quiz problem. */
export interface QuizAttemptsTable {
  id: Generated<number>;
  user_id: number;
  course_id: number;
  version_id: number;
  run_id: number | null;
  route: string;
  problem_id: string;
  attempt: number;
  /** JSON: question id → values posted. */
  answers: string;
  score: number;
  max: number;
  submitted_at: string;
}

export type Course = Selectable<CoursesTable>;
export type User = Selectable<UsersTable>;
export type AuthSessionRow = Selectable<AuthSessionsTable>;
export type EmailToken = Selectable<EmailTokensTable>;
export type Run = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;
export type Enrolment = Selectable<EnrolmentsTable>;
export type CourseVersion = Selectable<CourseVersionsTable>;
export type CourseItemRow = Selectable<CourseItemsTable>;
export type NewCourseItem = Insertable<CourseItemsTable>;
export type NewCourseFile = Insertable<CourseFilesTable>;
export type NewCourseMedia = Insertable<CourseMediaTable>;
export type SavedCell = Selectable<SavedCellsTable>;

/** How an exercise module reaches the browser (lib/exercises, ADR 024). */
export type SealStatus = 'sealed' | 'open' | 'failed' | 'unsandboxed';

/** An exercise module of a course version: its sealed form (no solution), or why it has none. */
export interface ExerciseSealsTable {
  id: Generated<number>;
  version_id: number;
  /** `corrections.exo_label`. */
  module: string;
  status: SealStatus;
  /** The `carnet-seal/1` JSON (python/README.md), when the module could be run. */
  seal: string | null;
  reason: string | null;
  created_at: string;
}

/** Where a submission's grading is (lib/grading, ADR 025). */
export type SubmissionStatus = 'queued' | 'running' | 'done' | 'failed';

/** A learner's code for an exercise, as submitted, and the server's verdict once graded. */
export interface SubmissionsTable {
  id: Generated<number>;
  user_id: number;
  course_id: number;
  version_id: number;
  route: string;
  module: string;
  exercise: string;
  /** JSON array of the cells' code in run order. */
  cells: string;
  cells_hash: string;
  /** JSON `{ok, passed, total}`: the browser's verdict (advice). */
  browser: string;
  status: SubmissionStatus;
  /** JSON `{ok, passed, total, rows}` once done. */
  verdict: string | null;
  /** 1 when the verdict is all-OK, 0 otherwise, null until done. */
  ok: number | null;
  reason: string | null;
  reason_code: string | null;
  job_id: number | null;
  created_at: string;
  finished_at: string | null;
}

/** A learner's grade in a session, computed from stored results under the session's policy (ADR 029). */
export interface LearnerGradesTable {
  run_id: number;
  user_id: number;
  /** 0 to 1. */
  grade: number;
  passed: number;
  computed_at: string;
}

/** A certificate of achievement, as printed; valid until revoked. */
export interface CertificatesTable {
  id: Generated<number>;
  /** The public verification code. */
  code: string;
  run_id: number;
  user_id: number;
  name: string;
  course_title: string;
  run_title: string;
  /** 0 to 1, or null when the session does not print grades. */
  grade: number | null;
  issued_at: string;
  revoked_at: string | null;
  revoked_by: number | null;
  revoke_reason: string | null;
}

export type Certificate = Selectable<CertificatesTable>;

/** A forum topic of a course (issue 13): one per week of the live version, `general`, or one staff made. */
export interface ForumTopicsTable {
  id: Generated<number>;
  course_id: number;
  /** `week-1`…, `general`, or a slug staff chose. */
  key: string;
  title: string;
  week: number | null;
  position: number;
  created_at: string;
  /** Threads not deleted (migration 0017), moved with each thread created or deleted. */
  thread_count: Generated<number>;
}

export type ForumThreadKind = 'question' | 'discussion';

/** A forum thread: a question or a discussion, maybe about one item of the course. */
export interface ForumThreadsTable {
  id: Generated<number>;
  course_id: number;
  topic_id: number;
  /** The item it is about (a notebook, quiz or video page route), or null. */
  route: string | null;
  kind: ForumThreadKind;
  title: string;
  /** Null once its author deleted their account. */
  author_id: number | null;
  created_at: string;
  last_activity_at: string;
  /** Replies and comments not deleted, kept by the statements that add or remove them. */
  reply_count: Generated<number>;
  accepted_post_id: number | null;
  deleted: Generated<number>;
  /** The opening post's votes (kept with it, so the list sorts by its own column). */
  vote_count: Generated<number>;
  /** Replies endorsed by staff and not deleted. */
  endorsed_count: Generated<number>;
  /** 1: its opening post is anonymous to other learners. */
  anonymous: Generated<number>;
  /** 1: listed first (migration 0018). */
  pinned: Generated<number>;
  /** 1: no new replies, comments or votes. */
  locked: Generated<number>;
  /** 1: hidden by a moderator: gone for learners (counts too), kept for moderators. */
  hidden: Generated<number>;
}

/** A post: the thread's opening post (depth 0), a reply (1), or a comment on the reply `parent_id` (2). */
export interface ForumPostsTable {
  id: Generated<number>;
  thread_id: number;
  depth: 0 | 1 | 2;
  parent_id: number | null;
  author_id: number | null;
  /** The markdown as written. */
  body: string;
  /** `renderPost(body)`: rendered once, at write time. */
  html: string;
  created_at: string;
  edited_at: string | null;
  deleted: Generated<number>;
  /** Its rows in forum_votes, kept by the statement that adds or removes one. */
  vote_count: Generated<number>;
  /** The staff member who endorsed it (null once they deleted their account: still endorsed). */
  endorsed_by: number | null;
  /** When staff endorsed it; null: not endorsed. */
  endorsed_at: string | null;
  /** 1: its author is shown to learners as "Anonyme" (staff still see who). */
  anonymous: Generated<number>;
  /** 1: hidden by a moderator (migration 0018): gone for learners, kept for moderators. */
  hidden: Generated<number>;
  /** sha-256 of the normalised body, for the duplicate check (null before migration 0018). */
  body_hash: string | null;
}

export type ForumReportReason = 'spam' | 'abuse' | 'off-topic' | 'other';
export type ForumReportResolution = 'hidden' | 'deleted' | 'dismissed';

/** A learner's report of a post to the course's moderators. */
export interface ForumReportsTable {
  id: Generated<number>;
  course_id: number;
  post_id: number;
  reporter_id: number | null;
  reason: ForumReportReason;
  note: Generated<string>;
  created_at: string;
  resolved_at: string | null;
  resolved_by: number | null;
  resolution: ForumReportResolution | null;
}

/** A learner who may not post in a course's forum until `until`. */
export interface ForumMutesTable {
  course_id: number;
  user_id: number;
  until: string;
  reason: Generated<string>;
  muted_by: number | null;
  created_at: string;
}

/** One moderation action, kept (who, what, on which thread, post or learner, and the details as JSON). */
export interface ForumAuditTable {
  id: Generated<number>;
  course_id: number;
  actor_id: number | null;
  action: string;
  thread_id: number | null;
  post_id: number | null;
  target_user_id: number | null;
  details: Generated<string>;
  created_at: string;
}

/** A learner's notebook as it was, shared in the forum (issue 13). */
export interface ForumSnapshotsTable {
  id: Generated<number>;
  token: string;
  course_id: number;
  route: string;
  version_id: number;
  user_id: number | null;
  /** JSON: [{ id, code, outputs }] (outputs: sanitised HTML or null). */
  cells: string;
  with_outputs: number;
  /** The post it is attached to; null while only its author sees it. */
  post_id: number | null;
  created_at: string;
}
export type ForumSnapshot = Selectable<ForumSnapshotsTable>;

/** The text an edit replaced (staff see a post's history). */
export interface ForumPostRevisionsTable {
  id: Generated<number>;
  post_id: number;
  body: string;
  editor_id: number | null;
  replaced_at: string;
  /** The thread's title before an edit of its opening post retitled it (migration 0018), else null. */
  title: string | null;
}

/** One learner's upvote of a post (an opening post or a reply). */
export interface ForumVotesTable {
  post_id: number;
  user_id: number;
  created_at: string;
}

/** Who follows a thread: 1, or 0 for an explicit unfollow that automatic follows leave alone. */
export interface ForumFollowsTable {
  thread_id: number;
  user_id: number;
  following: number;
  created_at: string;
}

export type ForumTopic = Selectable<ForumTopicsTable>;
export type ForumThread = Selectable<ForumThreadsTable>;
export type ForumPost = Selectable<ForumPostsTable>;

/** What happened, for whom (forum notifications, migration 0019, ADR 046). */
export type NotificationKind =
  'reply' | 'comment' | 'answer' | 'accepted' | 'questionAccepted' | 'endorsed' | 'announcement';

/** What a notification's e-mail became: to send now, left for a digest, sent, not to send, given up. */
export type NotificationMail = 'queued' | 'digest' | 'sent' | 'skipped' | 'failed';

/** One recipient's notification of one event (a post, an acceptance, an endorsement, an announcement). */
export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  course_id: number;
  kind: NotificationKind;
  thread_id: number;
  post_id: number;
  created_at: string;
  read_at: string | null;
  mail: NotificationMail;
  mail_tries: Generated<number>;
}

export type NotificationEmailMode = 'immediate' | 'daily' | 'weekly' | 'none';

/** A learner's e-mail choice for one course (no row: daily). */
export interface NotificationPreferencesTable {
  user_id: number;
  course_id: number;
  email: NotificationEmailMode;
  updated_at: string;
}

/** An e-mail claimed by its unique key before it is sent: never sent twice. */
export interface NotificationEmailsTable {
  key: string;
  user_id: number;
  claimed_at: string;
  sent_at: string | null;
}

/** A scheduled run (a digest period, a digest's next page) started once, by whichever worker won the key. */
export interface NotificationRunsTable {
  key: string;
  created_at: string;
}

/** Secrets every web server shares (the unsubscribe links' HMAC key), made on first use. */
export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export type Notification = Selectable<NotificationsTable>;

/** The account-level teacher role (issue 14): asked for, then approved by an administrator. */
export type TeacherStatus = 'requested' | 'approved';

export interface TeachersTable {
  user_id: number;
  status: TeacherStatus;
  /** What the requester said of themselves (school, subject). */
  school: string | null;
  requested_at: string | null;
  approved_at: string | null;
  approved_by: number | null;
}

/** A teacher's class: pupils join it with its code; activities will belong to it. */
export interface ClassesTable {
  id: Generated<number>;
  name: string;
  /** '2026-2027'. */
  school_year: string;
  level: string;
  /** Six characters of lib/classes/codes.ts's alphabet, unique. */
  join_code: string;
  /** 0: the code is refused with "closed" (it is kept so that it can say so). */
  join_open: Generated<number>;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface ClassTeachersTable {
  class_id: number;
  user_id: number;
  added_at: string;
  added_by: number | null;
}

/** How a pupil came into a class: with the code, or from the teacher's roster. */
export type ClassMemberVia = 'code' | 'roster';

export interface ClassMembersTable {
  class_id: number;
  user_id: number;
  via: ClassMemberVia;
  joined_at: string;
}

/** A pseudonymous account (no e-mail; its identifier is users.email), owned by a class (ADR 048). */
export interface ClassPupilAccountsTable {
  user_id: number;
  class_id: number;
  /** When the teacher last printed its password. */
  sheet_issued_at: string;
  created_at: string;
}

export type SchoolClass = Selectable<ClassesTable>;

/** How an activity behaves after its closing date (ADR 051). */
export type ActivityMode = 'open' | 'hand-in' | 'locked';

/** A course item assigned to a class (issue 14, ADR 051), its version pinned when assigned. */
export interface ActivitiesTable {
  id: Generated<number>;
  class_id: number;
  course_id: number;
  version_id: number;
  route: string;
  kind: 'notebook' | 'quiz';
  title: string;
  opens_at: string;
  closes_at: string;
  mode: ActivityMode;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

/** A pupil's state in an activity, from the first time they open it. */
export interface ActivityPupilsTable {
  activity_id: number;
  user_id: number;
  opened_at: string;
  last_activity_at: string;
  handed_in_at: string | null;
  mark: string | null;
  feedback: string | null;
  marked_at: string | null;
  marked_by: number | null;
}

/** A cell of a pupil's copy of an activity's notebook. */
export interface ActivityCellsTable {
  id: Generated<number>;
  activity_id: number;
  user_id: number;
  cell_id: string;
  code: string;
  original: string;
  version: number;
  created_at: string;
  updated_at: string;
}

/** A teacher's comment on a cell of a pupil's copy. */
export interface ActivityCommentsTable {
  id: Generated<number>;
  activity_id: number;
  user_id: number;
  cell_id: string;
  author_id: number | null;
  body: string;
  created_at: string;
}

export type Activity = Selectable<ActivitiesTable>;
export type ActivityPupil = Selectable<ActivityPupilsTable>;
