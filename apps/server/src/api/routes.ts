import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { activityWorkRoutes } from './activities.route.ts';
import { ItemResolver } from './items.ts';
import { createWriteLimiter, type WriteLimiter } from './limits.ts';
import { progressRoutes } from './progress.route.ts';
import { sessionRoutes } from './session.route.ts';
import { submissionRoutes } from './submissions.route.ts';
import { snapshotRoutes } from './snapshots.route.ts';
import { videoRoutes } from './videos.route.ts';
import { workRoutes } from './work.route.ts';

/** What the API's route modules share: the write limit and the item facts cache. */
export interface ApiParts {
  limiter: WriteLimiter;
  items: ItemResolver;
}

/** The JSON API of client modules: session, saved work, progress, submissions (README, "Saved work and progress"). */
export function apiRoutes(app: FastifyInstance, services: Services): void {
  const parts: ApiParts = {
    limiter: createWriteLimiter(services.config.savesPerSecond),
    items: new ItemResolver(services),
  };
  sessionRoutes(app);
  workRoutes(app, services, parts);
  progressRoutes(app, services, parts);
  submissionRoutes(app, services, parts);
  videoRoutes(app, services, parts);
  snapshotRoutes(app, services, parts);
  activityWorkRoutes(app, services, parts);
}
