import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request (or job) a piece of work belongs to, without passing it through every call: set by
 * the web server for each request, read by the job queue when it stores a job, and set again by
 * the worker that runs it, so that a submission's request and its grading job log the same id on
 * any machine (issue 16).
 */
const store = new AsyncLocalStorage<{ requestId: string }>();

/** The id of the request being served (or whose job is running), if any. */
export const currentRequestId = (): string | undefined => store.getStore()?.requestId;

/** Runs `work` as part of request `requestId`. */
export const withRequestId = <T>(requestId: string, work: () => T): T => store.run({ requestId }, work);

/** An id a client or proxy sent in `X-Request-Id`, if it is safe to log and to hand on; else undefined. */
export function acceptedRequestId(raw: unknown): string | undefined {
  return typeof raw === 'string' && /^[A-Za-z0-9._:-]{8,64}$/.test(raw) ? raw : undefined;
}
