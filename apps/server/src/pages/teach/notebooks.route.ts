import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Diagnostic } from '@carnet/course-format';
import { csrfToken, requireUser, type CurrentUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import type { ImportSummary } from '../../lib/import/summary.ts';
import { registerMultipart, uploadedFile } from '../../lib/teacher-notebooks/multipart.ts';
import {
  MODULES_ZIP_MAX_BYTES,
  NOTEBOOK_MAX_BYTES,
  uploadTeacherNotebook,
  type FieldProblem,
} from '../../lib/teacher-notebooks/upload.ts';
import { teachNotebookUrl } from '../../lib/urls.ts';
import { selectOptionalVersionById } from '../../models/courses.ts';
import { selectOptionalTeacherNotebook, selectTeacherNotebooks } from '../../models/teacher-notebooks.ts';
import { selectOptionalTeacherStatus } from '../../models/teachers.ts';
import type { Services } from '../../services.ts';
import { notebooksView } from './notebooks.view.ts';

type NotebookParams = { Params: { id: string } };
const ID = /^[1-9]\d{0,11}$/;
/** Both files and the form's fields, with room for the multipart framing. */
const UPLOAD_BODY_LIMIT = NOTEBOOK_MAX_BYTES + MODULES_ZIP_MAX_BYTES + 64 * 1024;

/**
 * A teacher's own notebooks (issue 14, ADR 052): /teach/notebooks lists them and takes an upload
 * (multipart: the notebook, an optional zip of `modules/…`), /teach/notebooks/<id> shows one (its
 * preview link, its last upload's warnings) and takes a new version. Approved teachers only: to
 * anyone else these pages, like someone else's notebook, are a 404.
 */
export function teacherNotebookRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, config } = services;

  async function teacher(request: FastifyRequest): Promise<CurrentUser> {
    const user = requireUser(request);
    if ((await selectOptionalTeacherStatus(db.kysely, user.id)) !== 'approved') throw new HttpError('NOT_FOUND');
    return user;
  }

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    user: CurrentUser,
    notebookId: number | null,
    state: { problem?: FieldProblem | null; errors?: Diagnostic[] } = {},
    status = 200,
  ): Promise<FastifyReply> {
    const notebook = notebookId === null ? null : await selectOptionalTeacherNotebook(db.kysely, user.id, notebookId);
    if (notebookId !== null && !notebook) throw new HttpError('NOT_FOUND');
    const notebooks = notebook ? [] : await selectTeacherNotebooks(db.kysely, user.id);
    const version = notebook ? await selectOptionalVersionById(db.kysely, notebook.versionId) : null;
    const warnings = version ? (JSON.parse(version.summary) as ImportSummary).warnings : [];
    const notices: Record<string, string> = {
      uploaded: request.t('notebooks.notice.uploaded'),
      unchanged: request.t('notebooks.notice.unchanged'),
    };
    const page = notebooksView(pageContext(request, assets), {
      csrf: csrfToken(request, reply),
      notebooks,
      notebook,
      warnings,
      problem: state.problem ?? null,
      errors: state.errors ?? [],
      notice: notices[(request.query as Record<string, string | undefined>)['notice'] ?? ''],
    });
    return sendPage(reply, page, status);
  }

  async function upload(
    request: FastifyRequest,
    reply: FastifyReply,
    user: CurrentUser,
    notebookId: number | null,
  ): Promise<FastifyReply> {
    const outcome = await uploadTeacherNotebook(
      {
        db,
        dataDir: config.dataDir,
        sandbox: services.grading.sandbox,
        sandboxProblem: services.grading.problem,
      },
      user.id,
      { notebook: uploadedFile(request, 'notebook'), modules: uploadedFile(request, 'modules') },
      notebookId ?? undefined,
    );
    if (!outcome) throw new HttpError('NOT_FOUND');
    if (outcome.status === 'refused') return show(request, reply, user, notebookId, { problem: outcome.problem }, 400);
    if (outcome.status === 'failed') return show(request, reply, user, notebookId, { errors: outcome.errors }, 422);
    const notice = outcome.status === 'imported' ? 'uploaded' : 'unchanged';
    return reply.redirect(`${teachNotebookUrl(outcome.notebookId)}?notice=${notice}`, 303);
  }

  const idOf = (request: FastifyRequest<NotebookParams>): number => {
    if (!ID.test(request.params.id)) throw new HttpError('NOT_FOUND');
    return Number(request.params.id);
  };

  app.get('/teach/notebooks', async (request, reply) => show(request, reply, await teacher(request), null));
  app.get<NotebookParams>('/teach/notebooks/:id', async (request, reply) =>
    show(request, reply, await teacher(request), idOf(request)),
  );

  // Multipart bodies are parsed for these two routes only (an encapsulated context).
  void app.register(async (scope) => {
    registerMultipart(scope, UPLOAD_BODY_LIMIT);
    scope.post('/teach/notebooks', { bodyLimit: UPLOAD_BODY_LIMIT }, async (request, reply) =>
      upload(request, reply, await teacher(request), null),
    );
    scope.post<NotebookParams>('/teach/notebooks/:id', { bodyLimit: UPLOAD_BODY_LIMIT }, async (request, reply) => {
      const id = idOf(request);
      return upload(request, reply, await teacher(request), id);
    });
  });
}
