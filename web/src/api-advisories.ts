// Typed client for the advisory routes (issue 8 contract). Requests go through api-session-client.ts: writes take the
// CSRF token of the session the page holds (useSession), and every failure is the same ApiError the rest of the UI shows.
import { type Page, type Tlp } from './api.ts';
import { enc, ifMatch, query, sessionClient } from './api-session-client.ts';

export type AdvisoryState = 'draft' | 'published' | 'withdrawn';
export type Rating = 'none' | 'low' | 'medium' | 'high' | 'critical';
export const RATINGS: Rating[] = ['critical', 'high', 'medium', 'low', 'none'];
export const ADVISORY_STATES: AdvisoryState[] = ['draft', 'published', 'withdrawn'];

/** An OSV record as JSON (https://ossf.github.io/osv-schema/); only what the pages read is typed. */
export interface OsvRecordJson {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: { type: string; score: string }[];
  affected?: OsvAffected[];
  references?: { type: string; url: string }[];
  credits?: { name: string; contact?: string[]; type?: string }[];
  database_specific?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  severity?: { type: string; score: string }[];
  ranges?: { type: string; repo?: string; events: Record<string, string>[]; database_specific?: unknown }[];
  versions?: string[];
  ecosystem_specific?: unknown;
  database_specific?: unknown;
  [extra: string]: unknown;
}

export interface ScoredSeverity {
  type: string;
  vector: string;
  version: '3.0' | '3.1' | '4.0';
  score: number;
  rating: Rating;
}

/** Copied from the contract (src/services/advisory.service.ts): the UI must not bundle server code. */
export interface AdvisoryView {
  id: string;
  state: AdvisoryState;
  source: 'authored' | 'imported';
  organisationId: string;
  organisationName: string;
  label: { tlp: Tlp; embargoUntil: string | null; sharedWith: string[]; restricted: string | null };
  version: number;
  revision: number;
  record: OsvRecordJson;
  severity: ScoredSeverity[];
  rating: Rating | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  withdrawnAt: string | null;
}

export interface AdvisoryLabelInput {
  tlp: Tlp;
  embargoUntil?: string | null;
  sharedWith?: string[];
  restricted?: string | null;
}

export interface RevisionSummary {
  revision: number;
  modified: string;
  createdAt: string;
  summary: string | null;
}

export interface FieldChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface AdvisoryQuery {
  q?: string;
  ecosystem?: string;
  state?: AdvisoryState | '';
  severity?: Rating | '';
  limit?: number;
  cursor?: string | null;
}


/** The advisory calls; `csrfToken` is the signed-in session's (null for anonymous readers, who only read). */
export function advisoryApi(csrfToken: string | null) {
  const { json: request } = sessionClient(csrfToken);

  return {
    list(q: AdvisoryQuery = {}): Promise<Page<AdvisoryView>> {
      return request('GET', `/advisories${query({ q: q.q?.trim(), ecosystem: q.ecosystem?.trim(), state: q.state, severity: q.severity, limit: q.limit, cursor: q.cursor })}`);
    },
    get(advisoryId: string): Promise<AdvisoryView> {
      return request('GET', `/advisories/${enc(advisoryId)}`);
    },
    create(body: { record: unknown; label?: AdvisoryLabelInput; organisationId?: string }): Promise<AdvisoryView> {
      return request('POST', '/advisories', body);
    },
    update(advisoryId: string, version: number, body: { record: unknown; label?: AdvisoryLabelInput }): Promise<AdvisoryView> {
      return request('PUT', `/advisories/${enc(advisoryId)}`, body, ifMatch(version));
    },
    publish(advisoryId: string, version: number): Promise<AdvisoryView> {
      return request('POST', `/advisories/${enc(advisoryId)}/publish`, undefined, ifMatch(version));
    },
    withdraw(advisoryId: string, version: number, reason?: string): Promise<AdvisoryView> {
      return request('POST', `/advisories/${enc(advisoryId)}/withdraw`, reason ? { reason } : {}, ifMatch(version));
    },
    revisions(advisoryId: string): Promise<{ items: RevisionSummary[] }> {
      return request('GET', `/advisories/${enc(advisoryId)}/revisions`);
    },
    revision(advisoryId: string, n: number): Promise<{ revision: number; record: OsvRecordJson; modified: string; createdAt: string }> {
      return request('GET', `/advisories/${enc(advisoryId)}/revisions/${n}`);
    },
    diff(advisoryId: string, from: number, to: number): Promise<{ from: number; to: number; changes: FieldChange[] }> {
      return request('GET', `/advisories/${enc(advisoryId)}/diff${query({ from, to })}`);
    },
  };
}

export type AdvisoryApi = ReturnType<typeof advisoryApi>;
