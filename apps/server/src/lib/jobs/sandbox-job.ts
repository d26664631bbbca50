import { z } from 'zod';
import type { Sandbox, SandboxJob, SandboxResult } from '../sandbox/sandbox.ts';
import type { JobQueue } from './queue.ts';

/** The kind of the example job: one program in the sandbox (grading jobs build on the same handler shape). */
export const SANDBOX_RUN = 'sandbox.run';

const limits = z
  .object({
    wallMs: z.number().int().positive().max(600_000),
    cpuSeconds: z.number().int().positive().max(600),
    memoryBytes: z.number().int().positive(),
    processes: z.number().int().positive().max(4096),
    fileBytes: z.number().int().positive(),
    openFiles: z.number().int().positive().max(4096),
    diskBytes: z.number().int().positive(),
    outputBytes: z.number().int().positive(),
  })
  .partial();

/** A `sandbox.run` payload: JSON, so the course's files are given as a folder or as text files. */
export const sandboxRunPayload = z.object({
  files: z.union([z.object({ dir: z.string() }), z.object({ text: z.record(z.string(), z.string()) })]).optional(),
  links: z.record(z.string(), z.string()).optional(),
  pythonPath: z.array(z.string()).optional(),
  program: z.union([z.object({ code: z.string(), filename: z.string().optional() }), z.object({ path: z.string() })]),
  argv: z.array(z.string()).optional(),
  stdin: z.string().optional(),
  limits: limits.optional(),
});

export type SandboxRunPayload = z.infer<typeof sandboxRunPayload>;

/** Thrown when grading is refused: the message says what to install. */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}

/**
 * Registers the `sandbox.run` handler: runs the payload's program and stores the sandbox's
 * result. Without a sandbox, every such job fails with `problem` (what to install).
 */
export function registerSandboxRun(queue: JobQueue, sandbox: Sandbox | undefined, problem?: string): void {
  queue.registerHandler<SandboxRunPayload, SandboxResult>(
    SANDBOX_RUN,
    async (payload, { signal }) => {
      if (!sandbox)
        throw new SandboxUnavailableError(problem ?? 'No sandbox: grading is not available on this server.');
      return sandbox.run(toSandboxJob(payload), { signal });
    },
    sandboxRunPayload,
  );
}

function toSandboxJob(payload: SandboxRunPayload): SandboxJob {
  const { files, ...rest } = payload;
  const job: SandboxJob = { ...rest } as SandboxJob;
  if (files && 'dir' in files) job.files = { dir: files.dir };
  else if (files) job.files = { map: new Map(Object.entries(files.text)) };
  return job;
}
