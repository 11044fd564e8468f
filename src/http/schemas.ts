import { z } from 'zod';

/** Shared response/param shapes for route schemas. */
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});

export const idParams = z.strictObject({
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('numeric id'),
});

export const roleSchema = z.enum(['admin', 'editor', 'viewer']);
