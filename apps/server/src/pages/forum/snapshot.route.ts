import type { FastifyInstance } from 'fastify';
import { codeBlock } from '@carnet/render';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { snapshotCells, visibleSnapshot } from '../../lib/forum/snapshots.ts';
import { catalogueUrl, courseItemUrl, courseUrl, forumUrl } from '../../lib/urls.ts';
import { selectOptionalItemByRoute } from '../../models/course-items.ts';
import type { Services } from '../../services.ts';
import { html, trustedHtml } from '../../views/html.ts';
import { layout } from '../../views/layout.ts';

/**
 * A notebook snapshot, read-only (issue 13): the cells as their author had them, highlighted like
 * a notebook's, with their outputs if shared (sanitised when taken), and "open as a runnable copy"
 * — the notebook page with this code in a scratch state that saves nothing. The author's name is
 * not shown here: the post that carries the snapshot says who wrote it (or not, if anonymous).
 */
export function snapshotPageRoutes(app: FastifyInstance, { db, content, assets }: Services): void {
  app.get<{ Params: { slug: string; token: string } }>(
    '/courses/:slug/forum/snapshots/:token',
    async (request, reply) => {
      const live = await content.liveVersion(request.params.slug);
      if (!live) throw new HttpError('COURSE_NOT_FOUND');
      const row = await visibleSnapshot(db.kysely, live.course_id, request.params.token, request.user?.id ?? null);
      if (!row) throw new HttpError('NOT_FOUND');
      const item = await selectOptionalItemByRoute(db.kysely, row.version_id, row.route);
      const ctx = pageContext(request, assets);
      const { t } = ctx;
      const title = item?.title ?? row.route;
      const cells = snapshotCells(row);
      const main = html`<h1>${t('snapshot.title')}</h1>
        <p class="lead">
          ${t('snapshot.of')} <a href="${courseItemUrl(live.slug, row.route)}" lang="${live.language}">${title}</a>
        </p>
        <p>
          <a class="button" href="${courseItemUrl(live.slug, row.route)}?snapshot=${row.token}"
            >${t('snapshot.openCopy')}</a
          >
        </p>
        <p class="snapshot-note">${t('snapshot.copyNote')}</p>
        <ol class="snapshot-cells" aria-label="${t('snapshot.cells')}">
          ${cells.map(
            (cell) =>
              html`<li class="snapshot-cell">
                ${trustedHtml(codeBlock(cell.code, 'python'))}
                ${cell.outputs ? html`<div class="nb-outputs snapshot-outputs">${trustedHtml(cell.outputs)}</div>` : ''}
              </li>`,
          )}
        </ol>`;
      reply.header('Cache-Control', 'private, no-store');
      return sendPage(
        reply,
        layout(ctx, {
          title: `${t('snapshot.title')} — ${title}`,
          main,
          breadcrumb: [
            { label: t('nav.catalogue'), href: catalogueUrl() },
            { label: live.title, href: courseUrl(live.slug) },
            { label: t('course.forum'), href: forumUrl(live.slug) },
            { label: t('snapshot.title') },
          ],
          bodyClass: 'page-snapshot',
        }),
      );
    },
  );
}
