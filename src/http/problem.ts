import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/errors.ts';

export const PROBLEM_BASE = 'https://clearinghouse.dev/problems/';

export type ProblemCode = ErrorCode | 'unsupported-media-type' | 'csrf' | 'internal' | 'method-not-allowed';

const STATUS: Record<ProblemCode, number> = {
  'invalid-input': 400,
  'invalid-version': 400,
  'invalid-purl': 400,
  'invalid-sbom': 400,
  'invalid-advisory': 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  'password-change-required': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'stale-write': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'precondition-required': 428,
  'rate-limited': 429,
  internal: 500,
};

const TITLES: Record<ProblemCode, string> = {
  'invalid-input': 'Invalid input',
  'invalid-version': 'Invalid version',
  'invalid-purl': 'Invalid package URL',
  'invalid-sbom': 'Invalid SBOM',
  'invalid-advisory': 'Invalid advisory',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  csrf: 'Missing or wrong CSRF token',
  'password-change-required': 'Password change required',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict',
  'stale-write': 'Stale write',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'precondition-required': 'Precondition required',
  'rate-limited': 'Too many requests',
  internal: 'Internal server error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  [extra: string]: unknown;
}

export function problem(code: ProblemCode, detail: string, instance: string, extra: Record<string, unknown> = {}, status = STATUS[code]): Problem {
  return { type: PROBLEM_BASE + code, title: TITLES[code], status, detail, instance, ...extra };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="clearinghouse"');
  if (p.status === 429 && typeof p.retryAfter === 'number') reply.header('Retry-After', String(p.retryAfter));
  return reply.code(p.status).type('application/problem+json').send(p);
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
  keyword?: string;
}

/** Turns ajv's errors into `{ path, message }` entries that name the field, including unknown ones. */
function validationErrors(items: ValidationItem[], context: string | undefined): { path: string; message: string }[] {
  return items.map((e) => {
    const base = `${context ?? 'body'}${e.instancePath ?? ''}`;
    if (e.keyword === 'additionalProperties' && e.params?.additionalProperty) {
      return { path: `${base}/${String(e.params.additionalProperty)}`, message: 'unknown field' };
    }
    if (e.keyword === 'required' && e.params?.missingProperty) {
      return { path: `${base}/${String(e.params.missingProperty)}`, message: 'is required' };
    }
    if (e.keyword === 'enum' && Array.isArray(e.params?.allowedValues)) {
      return { path: base, message: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}` };
    }
    return { path: base, message: e.message ?? 'is invalid' };
  });
}

/**
 * Database faults a client's input can cause, recognised by both drivers' codes: a unique constraint (two
 * concurrent creates that both passed the service's check; the loser is a conflict, not a crash) and text that
 * PostgreSQL cannot store (NUL; the HTTP boundary refuses it earlier, this is the backstop).
 */
function databaseProblem(err: unknown, instance: string): Problem | null {
  const code = (err as { code?: unknown })?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') {
    // The constraint's name or values are not quoted: they could describe another tenant's row.
    return problem('conflict', 'a record with the same unique value already exists (it may just have been created by another request)', instance);
  }
  if (code === '22021' || code === '22P05') return problem('invalid-input', 'the request contains text the database cannot store (a NUL character?)', instance);
  return null;
}

/** The one boundary where errors become HTTP: domain errors by code, framework errors by their Fastify code. */
export function toProblem(err: FastifyError | Error, request: FastifyRequest): { problem: Problem; unexpected: boolean } {
  const instance = request.url.split('?')[0] ?? request.url;
  if (err instanceof DomainError) {
    let status: number | undefined;
    if (err.code === 'stale-write' && request.headers['if-match'] !== undefined) status = 412;
    return { problem: problem(err.code, err.message, instance, err.details, status), unexpected: false };
  }
  const db = databaseProblem(err, instance);
  if (db) return { problem: db, unexpected: false };
  const fe = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
  if (fe.validation) {
    const errors = validationErrors(fe.validation, fe.validationContext);
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return { problem: problem('invalid-input', detail, instance, { errors }), unexpected: false };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { problem: problem('unsupported-media-type', `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted here; send application/json`, instance), unexpected: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { problem: problem('payload-too-large', 'the request body is larger than this endpoint accepts', instance), unexpected: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { problem: problem('invalid-input', 'the JSON body is empty', instance), unexpected: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { problem: problem('invalid-input', 'Content-Length does not match the body', instance), unexpected: false };
  }
  if (fe.statusCode === 429) {
    const retry = Number((fe as unknown as { retryAfter?: number }).retryAfter ?? 60);
    return { problem: problem('rate-limited', fe.message, instance, { retryAfter: retry }), unexpected: false };
  }
  if (fe.statusCode === 400 && (err instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(fe.message))) {
    return { problem: problem('invalid-input', `malformed JSON body: ${fe.message}`, instance), unexpected: false };
  }
  if (fe.statusCode === 413) return { problem: problem('payload-too-large', fe.message, instance), unexpected: false };
  if (fe.statusCode === 415) return { problem: problem('unsupported-media-type', fe.message, instance), unexpected: false };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { problem: problem('invalid-input', fe.message, instance, {}, fe.statusCode), unexpected: false };
  }
  return { problem: problem('internal', 'something went wrong on our side; the request id is in the logs', instance, { requestId: request.id }), unexpected: true };
}
