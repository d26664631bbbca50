import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface VideoView {
  video: string;
  duration: number;
  position: number;
  segments: string;
  watched: number;
}

/** A learner's views of the videos of one video page. */
export async function selectVideoViews(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  route: string,
): Promise<VideoView[]> {
  return db
    .selectFrom('video_views')
    .select(['video', 'duration', 'position', 'segments', 'watched'])
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .where('route', '=', route)
    .execute();
}

/** Writes one video's view (the caller merged the segments with the stored ones). */
export async function upsertVideoView(
  db: Kysely<Database>,
  key: { userId: number; courseId: number; route: string; video: string },
  view: Omit<VideoView, 'video'>,
  at: string,
): Promise<void> {
  await db
    .insertInto('video_views')
    .values({
      user_id: key.userId,
      course_id: key.courseId,
      route: key.route,
      video: key.video,
      ...view,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_id', 'route', 'video']).doUpdateSet({ ...view, updated_at: at }))
    .execute();
}

/** Every video view of a user, with its course (for their data export). */
export async function selectUserVideoViews(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('video_views')
    .innerJoin('courses', 'courses.id', 'video_views.course_id')
    .select([
      'courses.slug as course',
      'video_views.route',
      'video_views.video',
      'video_views.duration',
      'video_views.position',
      'video_views.segments',
      'video_views.watched',
      'video_views.updated_at',
    ])
    .where('video_views.user_id', '=', userId)
    .orderBy('courses.slug')
    .orderBy('video_views.route')
    .orderBy('video_views.video')
    .execute();
}
