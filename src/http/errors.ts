import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, invalidInput, type FieldProblem } from '../errors.js';

// Fastify names the part of the request that failed validation ("querystring"); the request property is "query".
const CONTEXT_PREFIX: Record<string, string> = { body: '', querystring: '', params: 'path.', headers: 'header.' };
const CONTEXT_PROPERTY: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

function valueAt(root: unknown, path: string[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Turns schema validation failures into one 422 naming every field, its value and what is accepted. */
function fromValidation(error: FastifyError, request: FastifyRequest): AppError {
  const context = (error as { validationContext?: string }).validationContext ?? 'body';
  const source = (request as unknown as Record<string, unknown>)[CONTEXT_PROPERTY[context] ?? context];
  const problems: FieldProblem[] = [];
  for (const issue of (error as unknown as { validation: Array<{ instancePath: string; keyword: string; message: string; params: Record<string, unknown> }> }).validation) {
    const path = issue.instancePath.split('/').filter(Boolean);
    const prefix = CONTEXT_PREFIX[context] ?? `${context}.`;
    if (issue.keyword === 'unrecognized_keys') {
      for (const key of (issue.params.keys as string[] | undefined) ?? []) {
        problems.push({ field: prefix + [...path, key].join('.'), message: 'is not a known field' });
      }
      continue;
    }
    const field = prefix + (path.join('.') || '(body)');
    let message = describeIssue(issue);
    if (context === 'body' && path.length === 0) {
      // The usual cause: no body, or a body sent as text/plain, which Fastify hands over as a string.
      if (source === undefined || source === null) message = 'is missing or null (accepted: a JSON object sent with Content-Type: application/json)';
      else if (typeof source === 'string') message = `is ${request.headers['content-type'] ?? 'text'}, not JSON (accepted: a JSON object sent with Content-Type: application/json)`;
    }
    problems.push({ field, value: path.length ? valueAt(source, path) : undefined, message });
  }
  return invalidInput(problems);
}

interface ZodIssueLike {
  code?: string;
  expected?: string;
  message?: string;
}

/** Zod's wording made to say what is accepted (a union's bare "Invalid input" says nothing). */
function describeIssue(issue: { keyword: string; message: string; params: Record<string, unknown> }): string {
  if (issue.keyword === 'invalid_union' && Array.isArray(issue.params.errors)) {
    const expected = [...new Set((issue.params.errors as ZodIssueLike[][]).flat().filter((e) => e.code === 'invalid_type' && e.expected).map((e) => e.expected!))];
    if (expected.length) return `has the wrong type (accepted: ${expected.join(', ')})`;
  }
  if (issue.keyword === 'invalid_key' && Array.isArray(issue.params.issues)) {
    return `is not an accepted name (${(issue.params.issues as ZodIssueLike[]).map((i) => i.message).join('; ')})`;
  }
  const wrongType = /expected (\w+), received (\w+)/.exec(issue.message);
  if (issue.keyword === 'invalid_type' && wrongType) {
    const name = (type: string) => (type === 'record' ? 'object' : type);
    const received = name(wrongType[2]!);
    const is = received === 'null' ? 'is null' : received === 'NaN' ? 'is not a number' : `is ${/^[aeiou]/.test(received) ? 'an' : 'a'} ${received}`;
    return `${is} (accepted: ${name(wrongType[1]!)})`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

/** Maps any thrown error to `{ error: { code, message, details } }`; 5xx are logged with the request id and never leak a stack. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  let appError: AppError;
  if (error instanceof AppError) appError = error;
  else if (hasZodFastifySchemaValidationErrors(error)) appError = fromValidation(error, request);
  else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && error.statusCode === 400)) {
    appError = new AppError('invalid_json', `The request body is not valid JSON: ${error.message}`);
  } else if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    appError = new AppError('invalid_json', 'The request body is empty; send a JSON object');
  } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    appError = new AppError('payload_too_large', `The request body is larger than the ${request.routeOptions.bodyLimit ?? 0} bytes accepted`);
  } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    appError = new AppError('unsupported_media_type', `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted (accepted: application/json)`);
  } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    appError = new AppError('invalid_input', error.message);
  } else {
    request.log.error({ err: error, reqId: request.id }, 'request failed');
    appError = new AppError('internal', `Something went wrong on our side (request ${request.id})`);
  }
  if (appError.status >= 500 && error instanceof AppError) request.log.error({ err: error, reqId: request.id }, 'request failed');
  return reply.status(appError.status).send({ error: { code: appError.code, message: appError.message, details: appError.details } });
}
