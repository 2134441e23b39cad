/**
 * Domain errors. Services and domain code throw these; the HTTP boundary (src/http/problem.ts) maps each `code`
 * to an RFC 9457 problem type and status, and the CLI maps them to exit codes. Keep `code` values stable: they are
 * part of the public API (`https://clearinghouse.dev/problems/<code>`).
 */
export type ErrorCode =
  | 'invalid-input'
  | 'invalid-version'
  | 'invalid-purl'
  | 'invalid-sbom'
  | 'invalid-advisory'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'stale-write'
  | 'precondition-required'
  | 'password-change-required'
  | 'rate-limited'
  | 'payload-too-large';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the problem document (e.g. the field or line at fault). Never put secrets here. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('invalid-input', message, details);
  }
}

/** A version string that the named ecosystem's rules cannot parse. */
export class InvalidVersionError extends DomainError {
  constructor(
    readonly ecosystem: string,
    readonly version: string,
    reason: string,
  ) {
    super('invalid-version', `invalid ${ecosystem} version ${JSON.stringify(version)}: ${reason}`, { ecosystem, version });
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not-found', `${what} not found`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'you are not allowed to do this') {
    super('forbidden', message);
  }
}

export class UnauthenticatedError extends DomainError {
  // One message for every cause, so a caller cannot tell a wrong token from an expired or revoked one.
  constructor() {
    super('unauthenticated', 'authentication required: the credentials are missing, invalid or expired');
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', message, details);
  }
}

export class StaleWriteError extends DomainError {
  constructor(readonly currentVersion: number) {
    super('stale-write', 'the record changed since you read it; fetch it again and retry', { currentVersion });
  }
}

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'too many attempts; wait before trying again') {
    super('rate-limited', message, { retryAfter: retryAfterSeconds });
  }
}

export class PreconditionRequiredError extends DomainError {
  constructor() {
    super('precondition-required', 'this update needs the version you read: send If-Match: "<version>" or "version" in the body');
  }
}

export class PasswordChangeRequiredError extends DomainError {
  constructor() {
    super('password-change-required', 'set your own password first (POST /api/v1/me/password)');
  }
}
