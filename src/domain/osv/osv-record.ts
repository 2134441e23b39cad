/**
 * The OSV record model (https://ossf.github.io/osv-schema/): what the domain reasons about. It lives in the domain so
 * that matching depends on no parser; src/formats/osv.ts builds these values from JSON.
 */
export type OsvRangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: OsvRangeType;
  repo?: string;
  events: OsvEvent[];
  database_specific?: Record<string, unknown>;
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvPackage {
  ecosystem: string;
  name: string;
  purl?: string;
}

export interface OsvAffected {
  /** Absent only for GIT-only entries that name a repository instead of a package. */
  package?: OsvPackage;
  severity?: OsvSeverity[];
  ranges: OsvRange[];
  versions: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvReference {
  type: string;
  url: string;
}

export interface OsvRecord {
  schema_version?: string;
  id: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  upstream: string[];
  related: string[];
  summary?: string;
  details?: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: OsvReference[];
  credits?: unknown[];
  database_specific?: Record<string, unknown>;
}
