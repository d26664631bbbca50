import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { courseUrl } from '../../lib/urls.ts';
import { selectNeighbours, selectOptionalItemByRoute } from '../../models/course-items.ts';
import type { Services } from '../../services.ts';
import { itemView } from './item.view.ts';

export function itemRoutes(app: FastifyInstance, { db, assets, content }: Services): void {
  app.get<{ Params: { slug: string; '*': string } }>(
    '/courses/:slug/*',
    { config: { crossOriginIsolated: true } },
    async (request, reply) => {
      const version = await content.liveVersion(request.params.slug);
      if (!version) throw new HttpError('COURSE_NOT_FOUND');
      const route = request.params['*'].replace(/\/+$/, '').replace(/\.(md|ipynb|quiz)$/, '');
      if (route === '') return reply.redirect(courseUrl(version.slug), 301);
      const page = await content.page(`item\0${version.id}\0${route}\0${request.lang}`, async () => {
        const item = await selectOptionalItemByRoute(db.kysely, version.id, route);
        if (!item) throw new HttpError('ITEM_NOT_FOUND', undefined, version.slug);
        const { previous, next } = await selectNeighbours(db.kysely, version.id, item.position);
        return itemView(pageContext(request, assets), {
          slug: version.slug,
          courseTitle: version.title,
          language: version.language,
          item,
          previous,
          next,
        });
      });
      return reply.type('text/html; charset=utf-8').send(page);
    },
  );
}
