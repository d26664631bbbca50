import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { courseTopics } from '../../lib/forum/forum.ts';
import { pageNumber, THREADS_PER_PAGE } from '../../lib/forum/rules.ts';
import { isSearchable, searchTerms, SIMILAR_MAX, SIMILAR_MIN } from '../../lib/forum/search.ts';
import { selectSearchHits } from '../../models/forum-search.ts';
import type { Services } from '../../services.ts';
import { searchView, similarFragment, type SearchParams } from './search.view.ts';

type SlugParams = { Params: { slug: string } };

const WEEK_MS = 7 * 24 * 3600 * 1000;

const query = (request: FastifyRequest, name: string): string => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/**
 * Forum search (issue 13, ADR 044): the search page, public like the forum, and the fragment of
 * threads with a similar title that the new-thread form fetches as the learner types.
 */
export function forumSearchRoutes(app: FastifyInstance, services: Services): void {
  const { db, content, clock, config, assets } = services;

  async function liveOf(request: FastifyRequest<SlugParams>) {
    const live = await content.liveVersion(request.params.slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    return live;
  }

  app.get<SlugParams>('/courses/:slug/forum/search', async (request, reply) => {
    const live = await liveOf(request);
    const topics = await courseTopics(db.kysely, live, clock());
    const topic = topics.find((x) => x.key === query(request, 'topic'));
    const params: SearchParams = {
      q: query(request, 'q'),
      topic: topic?.key,
      unanswered: query(request, 'unanswered') === '1',
      recent: query(request, 'recent') === '1',
      mine: request.user !== null && query(request, 'mine') === '1',
      followed: request.user !== null && query(request, 'followed') === '1',
    };
    const page = pageNumber(query(request, 'page'));
    const terms = searchTerms(params.q);
    let hits = null;
    if (isSearchable(params.q)) {
      hits = await selectSearchHits(
        db.kysely,
        { terms, mode: 'all' },
        {
          courseId: live.course_id,
          topicId: topic?.id,
          unanswered: params.unanswered,
          activeSince: params.recent ? new Date(clock().getTime() - WEEK_MS).toISOString() : undefined,
          participantId: params.mine ? request.user?.id : undefined,
          followerId: params.followed ? request.user?.id : undefined,
        },
        { limit: THREADS_PER_PAGE + 1, offset: (page - 1) * THREADS_PER_PAGE },
      );
    }
    return sendPage(
      reply,
      searchView(pageContext(request, assets), {
        slug: live.slug,
        courseTitle: live.title,
        language: live.language,
        zone: config.timezone,
        loggedIn: request.user !== null,
        topics,
        params: { ...params, page },
        hits: hits?.slice(0, THREADS_PER_PAGE) ?? null,
        terms,
        page,
        hasMore: (hits?.length ?? 0) > THREADS_PER_PAGE,
      }),
    );
  });

  // Never cached: the answer changes with every new thread, and it is per title typed.
  app.get<SlugParams>('/courses/:slug/forum/similar', async (request, reply) => {
    const live = await liveOf(request);
    const title = query(request, 'title');
    const terms = [...title.trim()].length >= SIMILAR_MIN ? searchTerms(title) : [];
    const hits = await selectSearchHits(
      db.kysely,
      { terms, mode: 'any' },
      { courseId: live.course_id },
      { limit: SIMILAR_MAX, offset: 0 },
    );
    return reply
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(similarFragment(request.t, { slug: live.slug, language: live.language, hits, terms }));
  });
}
