// Typed client for the case routes (issue 9; docs/cases.md). Requests go through api-session-client.ts: writes carry
// the session's CSRF token, every failure is the ApiError the rest of the UI shows.
import { type Page, type Tlp } from './api.ts';
import { enc, ifMatch, query, sessionClient } from './api-session-client.ts';

// Record shapes are the server's own types (type-only imports: nothing of the server is bundled).
export type {
  CaseFindingView,
  CaseSummaryView,
  CaseView,
  ExtensionRequestView,
  ParticipantView,
  ProductView,
  PublicDateChangeView,
  StatusTableView,
  SuggestionView,
  VendorStatusView,
} from '../../src/services/case.service.ts';
export type { FixedVersion, VendorStatus } from '../../src/domain/cases/vendor-status.ts';
export type { ParticipantRole } from '../../src/domain/policy/case.policy.ts';
export type { AdvisoryView } from './api-advisories.ts';
import type { CaseSummaryView, CaseView, ExtensionRequestView, ProductView, StatusTableView, SuggestionView, VendorStatusView } from '../../src/services/case.service.ts';
import type { FixedVersion, VendorStatus } from '../../src/domain/cases/vendor-status.ts';
import type { ParticipantRole } from '../../src/domain/policy/case.policy.ts';
import type { AdvisoryView } from './api-advisories.ts';

/** Mirrors the server's lists (src/domain/cases/vendor-status.ts, src/domain/policy/case.policy.ts); the server checks again. */
export const VENDOR_STATUSES: VendorStatus[] = ['unknown', 'under-investigation', 'affected', 'not-affected', 'fixed'];
export const PARTICIPANT_ROLES: ParticipantRole[] = ['vendor', 'reporter', 'coordinator', 'observer'];

export interface CaseQuery {
  state?: 'open' | 'closed' | '';
  q?: string;
  participant?: string;
  finding?: string;
  limit?: number;
  cursor?: string | null;
}

export interface OpenCaseBody {
  organisationId?: string;
  title: string;
  summary?: string;
  findingIds: string[];
  label?: { tlp?: Tlp };
  publicDate?: string;
  activelyExploited?: boolean;
  participants?: { organisationId: string; role: ParticipantRole }[];
}

export interface StatusBody {
  status: VendorStatus;
  statement?: string;
  fixedVersions?: FixedVersion[];
  mitigations?: string;
  version?: number;
}


/** The case calls; `csrfToken` is the signed-in session's. */
export function caseApi(csrfToken: string | null) {
  const { json: request } = sessionClient(csrfToken);

  return {
    list(q: CaseQuery = {}): Promise<Page<CaseSummaryView>> {
      return request('GET', `/cases${query({ state: q.state, q: q.q?.trim(), participant: q.participant, finding: q.finding, limit: q.limit, cursor: q.cursor })}`);
    },
    get(caseId: string): Promise<CaseView> {
      return request('GET', `/cases/${enc(caseId)}`);
    },
    open(body: OpenCaseBody): Promise<CaseView> {
      return request('POST', '/cases', body);
    },
    update(caseId: string, version: number, body: { title?: string; summary?: string; label?: { tlp?: Tlp }; addFindingIds?: string[] }): Promise<CaseView> {
      return request('PATCH', `/cases/${enc(caseId)}`, body, ifMatch(version));
    },
    addParticipant(caseId: string, organisationId: string, role: ParticipantRole): Promise<CaseView> {
      return request('POST', `/cases/${enc(caseId)}/participants`, { organisationId, role });
    },
    removeParticipant(caseId: string, organisationId: string): Promise<void> {
      return request('DELETE', `/cases/${enc(caseId)}/participants/${enc(organisationId)}`);
    },
    statuses(caseId: string): Promise<StatusTableView> {
      return request('GET', `/cases/${enc(caseId)}/statuses`);
    },
    setStatus(caseId: string, organisationId: string, body: StatusBody): Promise<VendorStatusView> {
      return request('PUT', `/cases/${enc(caseId)}/statuses/${enc(organisationId)}`, body);
    },
    markSeen(caseId: string, key: string): Promise<{ key: string; seenAt: string }> {
      return request('POST', `/cases/${enc(caseId)}/seen`, { key });
    },
    changePublicDate(caseId: string, version: number, publicDate: string, reason: string): Promise<CaseView> {
      return request('PUT', `/cases/${enc(caseId)}/public-date`, { publicDate, reason }, ifMatch(version));
    },
    requestExtension(caseId: string, body: { publicDate: string; reason: string; organisationId?: string }): Promise<ExtensionRequestView> {
      return request('POST', `/cases/${enc(caseId)}/extension-requests`, body);
    },
    decideExtension(caseId: string, requestId: string, accept: boolean, note?: string): Promise<ExtensionRequestView> {
      return request('POST', `/cases/${enc(caseId)}/extension-requests/${enc(requestId)}/decision`, note ? { accept, note } : { accept });
    },
    suggestions(caseId: string): Promise<{ items: SuggestionView[] }> {
      return request('GET', `/cases/${enc(caseId)}/suggestions`);
    },
    draftAdvisory(caseId: string, body: { organisationId?: string; tlp?: Tlp } = {}): Promise<{ advisory: AdvisoryView; case: CaseView }> {
      return request('POST', `/cases/${enc(caseId)}/advisory`, body);
    },
    products(organisationId: string): Promise<{ items: ProductView[] }> {
      return request('GET', `/organisations/${enc(organisationId)}/products`);
    },
  };
}

export type CaseApi = ReturnType<typeof caseApi>;
