import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, sharedPageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { readerVersion } from '../../lib/runs/reading.ts';
import { courseProgressUrl, courseUrl } from '../../lib/urls.ts';
import { selectNeighbours, selectOptionalItemByRoute } from '../../models/course-items.ts';
import { updateLastRoute } from '../../models/enrolments.ts';
import type { Services } from '../../services.ts';
import { accountArea } from '../../views/layout.ts';
import type { SlotContent, SlotName } from '../../views/slots.ts';
import { loadQuiz } from '../../lib/quizzes/quizzes.ts';
import { noticePolicy, quizNotice, quizSlots, type ProblemFlash } from './quiz.view.ts';
import { quizReader, quizRoutes } from './quiz.route.ts';
import { itemView } from './item.view.ts';
import { notebookRuntimeConfig } from './runtime-config.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { selectPublicFileList } from '../../models/course-files.ts';
import { versionSeals } from '../../lib/exercises/seals.ts';
import { moduleNames } from '../../lib/exercises/modules.ts';
import { videoPageHeaders, type VideoFacts } from '../../lib/videos/facts.ts';

export function itemRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { slug: string; '*': string } }>(
    '/courses/:slug/*',
    { config: { crossOriginIsolated: true } },
    async (request, reply) => serveItem(request, reply, services, null),
  );
  quizRoutes(app, services);
}

/**
 * Serves a notebook, quiz or video page: the cached, slotted page, filled for a logged-in reader.
 * `flash` is a quiz submission refused just now (its answers stay in the controls), with `status`.
 */
export async function serveItem(
  request: FastifyRequest<{ Params: { slug: string; '*': string } }>,
  reply: FastifyReply,
  services: Services,
  flash: ProblemFlash | null,
  status = 200,
): Promise<FastifyReply> {
  const { db, assets, content, clock, config, pyodide } = services;
  const live = await content.liveVersion(request.params.slug);
  if (!live) throw new HttpError('COURSE_NOT_FOUND');
  const route = itemRoute(request.params['*']);
  if (route === '') return reply.redirect(courseUrl(live.slug), 301);
  const { version, enrolment } = await readerVersion(request, services, live);
  const page = await content.page(`item\0${version.id}\0${route}\0${request.lang}`, async () => {
    const item = await selectOptionalItemByRoute(db.kysely, version.id, route);
    if (!item) throw new HttpError('ITEM_NOT_FOUND', undefined, version.slug);
    const { previous, next } = await selectNeighbours(db.kysely, version.id, item.position);
    const ctx = sharedPageContext(request, assets);
    let runtime: { runtime: object; page: object } | null = null;
    const meta = JSON.parse(item.meta) as {
      codeCells?: { id: string; tags: string[]; source: string }[];
      videos?: VideoFacts[];
    };
    // A video page runs the code of its slides and of its videos like a notebook's.
    if (item.type === 'notebook' || (meta.codeCells?.length ?? 0) > 0) {
      const structure = JSON.parse(version.structure) as Partial<CourseStructure>;
      const files = await selectPublicFileList(db.kysely, version.id);
      runtime = notebookRuntimeConfig(ctx.t, {
        slug: version.slug,
        tag: version.tag,
        path: item.path,
        route: item.route,
        codeCells: meta.codeCells ?? [],
        packages: structure.meta?.packages ?? [],
        moduleNames: moduleNames(files.map((f) => f.path)),
        hasExercises: (await versionSeals(db.kysely, version.id)).docs.length > 0,
        pyodideUrl: pyodide.url,
        packagesUrl: config.pyodidePackagesUrl ?? null,
        workerUrl: assets.url('runtime-worker.js'),
        reading: item.type === 'notebook',
      });
    }
    const view = itemView(ctx, {
      slug: version.slug,
      courseTitle: version.title,
      language: version.language,
      item,
      previous,
      next,
      runtime,
    });
    return item.type === 'video' ? { html: view, headers: videoPageHeaders(meta.videos ?? []) } : view;
  });
  for (const [name, value] of Object.entries(page.headers)) reply.header(name, value);
  if (!request.user) return sendPage(reply, page.anonymous, status);
  // "Resume where I left": one write when the learner moves to another page, none on reloads.
  if (enrolment && enrolment.enrolment.last_route !== route) {
    await updateLastRoute(db.kysely, enrolment.enrolment.id, route, clock());
  }
  const ctx = pageContext(request, assets);
  const slots: Partial<Record<SlotName, SlotContent>> = { account: accountArea(ctx, ctx.viewer!) };
  const loaded = await loadQuiz(db.kysely, version.id, route, version.language);
  if (loaded) {
    const reader = await quizReader(services, request, { version, enrolment, route, loaded, flash });
    Object.assign(slots, quizSlots(ctx, reader), {
      'quiz-notice': quizNotice(
        ctx,
        noticePolicy(reader),
        reader.due,
        enrolment ? courseProgressUrl(version.slug) : null,
      ),
    });
  }
  return sendPage(reply, page.fill(slots), status);
}

/** A page route's item route: the path after the course, without a trailing slash or extension. */
export function itemRoute(path: string): string {
  return path.replace(/\/+$/, '').replace(/\.(md|ipynb|quiz)$/, '');
}
