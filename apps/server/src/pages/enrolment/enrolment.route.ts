import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { HttpError } from '../../http/errors.ts';
import { nextPath } from '../../http/forms.ts';
import { enrol, unenrol } from '../../lib/runs/enrolment.ts';
import { dashboardUrl } from '../../lib/urls.ts';
import { selectOptionalRunById } from '../../models/runs.ts';
import type { Services } from '../../services.ts';

/** Enrolment and unenrolment: POST forms, for the logged-in learner only (never on someone else's behalf). */
export function enrolmentRoutes(app: FastifyInstance, { db, clock }: Services): void {
  const runId = (raw: string): number => {
    const id = Number(raw);
    if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError('RUN_NOT_FOUND');
    return id;
  };

  app.post<{ Params: { id: string } }>('/runs/:id/enrol', async (request, reply) => {
    const user = requireUser(request);
    const run = await selectOptionalRunById(db.kysely, runId(request.params.id));
    if (!run || run.archived) throw new HttpError('RUN_NOT_FOUND');
    const result = await enrol(db.kysely, user.id, run, clock());
    if (result === 'closed') throw new HttpError('ENROLMENT_CLOSED', undefined, run.course_slug);
    return reply.redirect(nextPath(request, `${dashboardUrl()}?notice=enrolled`), 303);
  });

  app.post<{ Params: { id: string } }>('/runs/:id/unenrol', async (request, reply) => {
    const user = requireUser(request);
    const left = await unenrol(db.kysely, user.id, runId(request.params.id), clock());
    if (!left) throw new HttpError('RUN_NOT_FOUND');
    return reply.redirect(nextPath(request, `${dashboardUrl()}?notice=unenrolled`), 303);
  });
}
