import type { FastifyInstance } from 'fastify';

/**
 * `GET /api/session`: who is logged in on this browser and the CSRF token of their writes, for
 * client modules of pages that are cached for everyone (they cannot carry either).
 */
export function sessionRoutes(app: FastifyInstance): void {
  app.get('/api/session', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const user = request.user;
    return {
      user: user ? { id: user.id, name: user.name } : null,
      csrf: request.authSession?.csrfSecret ?? null,
    };
  });
}
