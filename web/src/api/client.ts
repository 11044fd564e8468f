/** One field-level problem from a 422 answer: which field, the value sent, and what is accepted. */
export interface FieldProblem {
  field: string;
  value?: unknown;
  message: string;
}

/** An error answer from the API: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fieldProblems: FieldProblem[] = [],
    /** The answer's `details`, e.g. `{ reason }` of a refused send. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// The session cookie is httpOnly; writes must echo this token so another site cannot forge them.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Calls the JSON API with the session cookie; throws ApiError for any non-2xx answer. A FormData
 * body goes as multipart (the browser writes its content type and boundary); anything else as JSON.
 */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, payload);
  return payload as T;
}

function toApiError(status: number, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: string; message?: string; details?: { fields?: FieldProblem[] } & Record<string, unknown> } } | null)?.error;
  return new ApiError(status, error?.code ?? 'http_error', error?.message ?? `The server answered ${status}`, error?.details?.fields ?? [], error?.details ?? {});
}

/** Builds a query string, repeating keys whose value is a list and leaving out empty values. */
export function queryString(params: Record<string, string | number | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
