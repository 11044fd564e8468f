/** Every error the application raises on purpose; the code decides the HTTP status. */
export type ErrorCode =
  | 'invalid_input'
  | 'invalid_json'
  | 'invalid_config'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 422,
  invalid_json: 400,
  invalid_config: 500,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
};

/** One field-level problem: which field, the value given, and what is accepted. */
export interface FieldProblem {
  field: string;
  value?: unknown;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }
}

/** Shortens a value for an error message so a 1 MB string does not come back in full. */
export function showValue(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** A 422 listing every bad field at once. */
export function invalidInput(problems: FieldProblem[]): AppError {
  const message = problems
    .map((p) => (p.value === undefined ? `${p.field}: ${p.message}` : `${p.field}: ${showValue(p.value)} ${p.message}`))
    .join('; ');
  return new AppError('invalid_input', message, {
    fields: problems.map((p) => ({ field: p.field, value: p.value === undefined ? undefined : truncate(p.value), message: p.message })),
  });
}

function truncate(value: unknown): unknown {
  return typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
