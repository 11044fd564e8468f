import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, invalidInput, type FieldProblem } from '../errors.js';

const CONTEXT_PREFIX: Record<string, string> = { body: '', querystring: 'query.', params: 'path.', headers: 'header.' };

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
  const source = (request as unknown as Record<string, unknown>)[context];
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
    problems.push({ field, value: path.length ? valueAt(source, path) : undefined, message: issue.message });
  }
  return invalidInput(problems);
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
