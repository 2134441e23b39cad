/**
 * Scope cases that workflows add from their own files (test/helpers/scope-cases-<part>.ts, imported by
 * test/api/scopes.test.ts), so parallel work never edits one shared table. Key: `METHOD /api/v1/path/{param}` exactly
 * as the OpenAPI document prints it; value: one request that a read-only token must be refused (403, nothing written).
 */
export interface ScopeCase {
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export const SCOPE_CASES: Record<string, ScopeCase> = {};

/** Operations that are not state changes a scope guards (queries sent as POST, for instance). */
export const SCOPE_NOT_GUARDED = new Set<string>();
