// Typed client for the triage routes (issue 9; docs/triage.md): the queue, a finding's triage history, the state,
// score and SSVC writes, and the KEV catalogue. Requests go through api-session-client.ts: writes carry
// the session's CSRF token, and every failure is the ApiError the rest of the UI shows.
import { type Page, type Sector } from './api.ts';
import { enc, ifMatch, query, sessionClient } from './api-session-client.ts';
// Record shapes are the server's own types (type-only imports: nothing of the server is bundled).
import type { FindingView } from '../../src/services/finding.service.ts';
import type { AdvisoryKevView, KevEntryView, KevStatusView, SsvcRecord, TriageEventView } from '../../src/services/triage.service.ts';
import type { SsvcPoints } from '../../src/domain/ssvc/ssvc-coordinator.ts';
import type { TriageState } from '../../src/domain/triage/triage-states.ts';

export type { AdvisoryKevView, FindingView, KevEntryView, KevStatusView, SsvcPoints, SsvcRecord, TriageEventView, TriageState };

export interface QueueQuery {
  state?: TriageState | '';
  sector?: Sector | '';
  product?: string;
  /** An organisation that reported the finding (duplicates included). */
  reporter?: string;
  q?: string;
  limit?: number;
  cursor?: string | null;
}


/** The triage calls; `csrfToken` is the signed-in session's. */
export function triageApi(csrfToken: string | null) {
  const { json: request } = sessionClient(csrfToken);

  return {
    /** The triage queue: findings the caller may read, by SSVC decision, exploitation, CVSS, then age. */
    queue(q: QueueQuery = {}): Promise<Page<FindingView>> {
      return request('GET', `/findings${query({ state: q.state, sector: q.sector, product: q.product?.trim(), reporter: q.reporter, q: q.q?.trim(), limit: q.limit, cursor: q.cursor })}`);
    },
    finding(findingId: string): Promise<FindingView> {
      return request('GET', `/findings/${enc(findingId)}`);
    },
    history(findingId: string): Promise<{ items: TriageEventView[] }> {
      return request('GET', `/findings/${enc(findingId)}/history`);
    },
    setState(findingId: string, version: number, state: TriageState, note: string): Promise<FindingView> {
      return request('POST', `/findings/${enc(findingId)}/state`, { state, note }, ifMatch(version));
    },
    /** Absent leaves a vector as it is; null clears it. */
    setScores(findingId: string, version: number, scores: { cvss4?: string | null; cvss3?: string | null }): Promise<FindingView> {
      return request('PUT', `/findings/${enc(findingId)}/scores`, scores, ifMatch(version));
    },
    setSsvc(findingId: string, version: number, points: SsvcPoints): Promise<FindingView> {
      return request('PUT', `/findings/${enc(findingId)}/ssvc`, points, ifMatch(version));
    },
    kevStatus(): Promise<KevStatusView> {
      return request('GET', '/kev');
    },
    kevEntry(cve: string): Promise<KevEntryView> {
      return request('GET', `/kev/${enc(cve)}`);
    },
    advisoryKev(advisoryId: string): Promise<{ advisoryId: string; kev: AdvisoryKevView[] }> {
      return request('GET', `/advisories/${enc(advisoryId)}/kev`);
    },
  };
}

export type TriageApi = ReturnType<typeof triageApi>;
