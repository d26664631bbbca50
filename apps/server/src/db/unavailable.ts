/**
 * Whether an error says the database cannot be reached right now — a PostgreSQL restart, failover
 * or a refused connection — rather than that a query is wrong. The request is then answered 503
 * with Retry-After (a proxy or a client may retry it: the transaction did not commit), not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE 08 (connection exception) and 57P01–57P03 (admin, crash shutdown; cannot connect now).
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  }
  return (
    typeof message === 'string' &&
    /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect)$/.test(
      message,
    )
  );
}
