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
  | 'not_textable'
  | 'simulator_disabled'
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
  not_textable: 409,
  simulator_disabled: 409,
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
  const text = safeJson(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)` : text;
}

// JSON.stringify recurses, so a value nested thousands deep overflows the stack; such a value is described, not shown.
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? '[…] (too deeply nested to show)' : '{…} (too deeply nested to show)';
  }
}

const MAX_FIELD_NAME = 100;

/** A 422 listing every bad field at once. */
export function invalidInput(problems: FieldProblem[]): AppError {
  const shown = problems.map((p) => ({ ...p, field: shortField(p.field) }));
  const message = shown
    .map((p) => (p.value === undefined ? `${p.field}: ${p.message}` : `${p.field}: ${showValue(p.value)} ${p.message}`))
    .join('; ');
  return new AppError('invalid_input', message, {
    fields: shown.map((p) => ({ field: p.field, value: p.value === undefined ? undefined : truncate(p.value), message: p.message })),
  });
}

// Field names can come from the client (unknown keys, custom field names), so they are shortened like values.
function shortField(field: string): string {
  return field.length > MAX_FIELD_NAME ? `${field.slice(0, MAX_FIELD_NAME)}… (${field.length.toLocaleString('en-US')} characters)` : field;
}

/** Echoes a value in `details` as given when it is small, else as a shortened JSON text. */
function truncate(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  if (typeof value !== 'object' || value === null) return value;
  const text = safeJson(value);
  return text.length > 200 || text.includes('too deeply nested') ? showValue(value, 200) : value;
}

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
