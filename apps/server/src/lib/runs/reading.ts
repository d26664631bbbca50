import type { FastifyRequest } from 'fastify';
import { selectOptionalActiveEnrolment, type ActiveEnrolment } from '../../models/enrolments.ts';
import type { Services } from '../../services.ts';
import type { LiveVersion } from '../content-cache.ts';

/**
 * Which version of a course this reader sees: the version their session (run) is pinned to when
 * they are enrolled, else the live one. Anonymous readers cost no query.
 */
export async function readerVersion(
  request: FastifyRequest,
  { db, content }: Pick<Services, 'db' | 'content'>,
  live: LiveVersion,
): Promise<{ version: LiveVersion; enrolment: ActiveEnrolment | null }> {
  if (!request.user) return { version: live, enrolment: null };
  const enrolment = await selectOptionalActiveEnrolment(db.kysely, request.user.id, live.course_id);
  if (!enrolment || enrolment.run.version_id === live.id) return { version: live, enrolment };
  const pinned = await content.version(enrolment.run.version_id);
  return { version: pinned ? { ...pinned, slug: live.slug } : live, enrolment };
}
