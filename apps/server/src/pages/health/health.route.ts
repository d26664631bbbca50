import { timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pendingMigrations } from '../../db/migrate.ts';
import type { Metrics } from '../../lib/observability/metrics.ts';
import type { Services } from '../../services.ts';

/** What the operational endpoints need beyond the services. */
export interface OpsState {
  metrics: Metrics;
  /** True once the process is stopping: readiness fails so that load balancers stop sending traffic. */
  draining(): boolean;
}

/**
 * Operational endpoints (issue 16). `/healthz`: the process is alive and its database answers
 * (restart it if not). `/readyz`: it should get traffic — the database answers, every migration
 * this code knows is applied, and the process is not stopping (take it out of the pool if not).
 * `/metrics`: Prometheus text, only with `Authorization: Bearer <CARNET_METRICS_TOKEN>`; without a
 * configured token it does not exist (404).
 */
export function healthRoutes(app: FastifyInstance, { db, config }: Services, ops: OpsState): void {
  const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store');

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(db.kysely);
      return noStore(reply).send({ status: 'ok', database: db.dialect });
    } catch {
      return noStore(reply).code(503).send({ status: 'unavailable', database: db.dialect });
    }
  });

  // Migrations applied once are applied for good: checked until they are, then remembered.
  let migrated = false;
  app.get('/readyz', async (_request, reply) => {
    if (ops.draining()) return noStore(reply).code(503).send({ status: 'stopping' });
    try {
      await sql`select 1`.execute(db.kysely);
      if (!migrated) {
        const pending = await pendingMigrations(db);
        if (pending.length > 0) return noStore(reply).code(503).send({ status: 'migrations pending', pending });
        migrated = true;
      }
      return noStore(reply).send({ status: 'ready' });
    } catch {
      return noStore(reply).code(503).send({ status: 'database unavailable' });
    }
  });

  const token = config.metricsToken ? Buffer.from(config.metricsToken) : null;
  const authorised = (request: FastifyRequest): boolean => {
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    return token !== null && given.length === token.length && timingSafeEqual(given, token);
  };
  app.get('/metrics', async (request, reply) => {
    if (!token) return reply.callNotFound();
    if (!authorised(request)) {
      return noStore(reply).code(401).header('WWW-Authenticate', 'Bearer realm="metrics"').send('unauthorised\n');
    }
    const { contentType, body } = await ops.metrics.scrape();
    return noStore(reply).type(contentType).send(body);
  });
}
