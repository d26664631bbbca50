import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.ts';

/** Liveness and readiness for load balancers: 200 when the database answers, 503 otherwise. */
export function healthRoutes(app: FastifyInstance, { db }: Services): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(db.kysely);
      return reply.header('Cache-Control', 'no-store').send({ status: 'ok', database: db.dialect });
    } catch {
      return reply.code(503).header('Cache-Control', 'no-store').send({ status: 'unavailable', database: db.dialect });
    }
  });
}
