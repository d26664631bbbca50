import type { Migration } from 'kysely';
import * as m0001 from './0001-courses.ts';
import * as m0002 from './0002-accounts-and-runs.ts';
import * as m0003 from './0003-jobs.ts';
import * as m0004 from './0004-saved-work-and-progress.ts';
import * as m0005 from './0005-exercise-seals.ts';
import * as m0006 from './0006-submissions.ts';
import * as m0007 from './0007-quiz-attempts.ts';
import * as m0008 from './0008-grades-and-certificates.ts';
import * as m0009 from './0009-quiz-attempts-by-route.ts';
import * as m0010 from './0010-fair-jobs.ts';
import * as m0011 from './0011-course-media.ts';
import * as m0012 from './0012-video-views.ts';
import * as m0013 from './0013-forum.ts';
import * as m0014 from './0014-forum-social.ts';
import * as m0015 from './0015-forum-search.ts';
import * as m0016 from './0016-forum-snapshots.ts';
import * as m0017 from './0017-forum-topic-counts.ts';
import * as m0018 from './0018-forum-moderation.ts';
import * as m0019 from './0019-forum-notifications.ts';
import * as m0020 from './0020-forum-indexes.ts';
import * as m0021 from './0021-classes.ts';
import * as m0022 from './0022-analytics.ts';
import * as m0023 from './0023-job-request-ids.ts';
import * as m0024 from './0024-analytics-snapshots.ts';
import * as m0026 from './0026-private-courses.ts';
import * as m0025 from './0025-activities.ts';

/** Every migration, in order. Names sort as they apply; never rename or edit a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001-courses': m0001,
  '0002-accounts-and-runs': m0002,
  '0003-jobs': m0003,
  '0004-saved-work-and-progress': m0004,
  '0005-exercise-seals': m0005,
  '0006-submissions': m0006,
  '0007-quiz-attempts': m0007,
  '0008-grades-and-certificates': m0008,
  '0009-quiz-attempts-by-route': m0009,
  '0010-fair-jobs': m0010,
  '0011-course-media': m0011,
  '0012-video-views': m0012,
  '0013-forum': m0013,
  '0014-forum-social': m0014,
  '0015-forum-search': m0015,
  '0016-forum-snapshots': m0016,
  '0017-forum-topic-counts': m0017,
  '0018-forum-moderation': m0018,
  '0019-forum-notifications': m0019,
  '0020-forum-indexes': m0020,
  '0021-classes': m0021,
  '0022-analytics': m0022,
  '0023-job-request-ids': m0023,
  '0024-analytics-snapshots': m0024,
  '0026-private-courses': m0026,
  '0025-activities': m0025,
};
