import { z } from 'zod';

/** Shared response/param shapes for route schemas. */
export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
});

// Digits only: Number() would also read "0x10", "1e1" or " 5" as ids and load a row nobody named.
export const idParams = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number (accepted: digits, e.g. 42)')
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'is too large to be an id'))
    .describe('numeric id'),
});

export const roleSchema = z.enum(['admin', 'editor', 'viewer']);
