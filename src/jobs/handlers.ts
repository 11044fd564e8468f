import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { PermanentJobError, type JobHandler } from './worker.js';

/** Job kind → handler; kinds are namespaced by feature, e.g. `exports.csv`. */
export type JobHandlers = Record<string, JobHandler>;

/** Merges the handler sets features contribute, refusing a kind claimed twice. */
export function jobHandlers(...sets: JobHandlers[]): JobHandlers {
  const merged: JobHandlers = {};
  for (const set of sets) {
    for (const [kind, handler] of Object.entries(set)) {
      if (Object.hasOwn(merged, kind)) throw new Error(`job kind "${kind}" has two handlers`);
      merged[kind] = handler;
    }
  }
  return merged;
}

const echoPayload = z.object({
  message: z.string(),
  steps: z.number().int().min(0).max(10_000).optional(),
  stepMs: z.number().int().min(0).max(60_000).optional(),
});

export type EchoPayload = z.infer<typeof echoPayload>;

/** `system.echo`: walks `steps` steps of `stepMs`, reporting each, and returns `{ message }`; proves the queue end to end. */
export const echoJob: JobHandler = async (ctx) => {
  const parsed = echoPayload.safeParse(ctx.payload);
  if (!parsed.success) throw new PermanentJobError(`invalid system.echo payload: ${z.prettifyError(parsed.error)}`);
  const { message, steps = 0, stepMs = 0 } = parsed.data;
  // Resumes from the last reported step, as a real handler would after a crash.
  for (let step = Math.min(ctx.progress, steps) + 1; step <= steps; step++) {
    if (stepMs > 0) await delay(stepMs, undefined, { signal: ctx.signal });
    ctx.signal.throwIfAborted();
    await ctx.reportProgress(step, steps);
  }
  return { message };
};

/** The handlers every worker runs regardless of features. */
export const builtinJobHandlers: JobHandlers = { 'system.echo': echoJob };
