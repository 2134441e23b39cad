// Typed client for the triage routes (issue 9; docs/triage.md): the queue, a finding's triage history, the state,
// score and SSVC writes, and the KEV catalogue. Its own small request helper, as api-advisories.ts has: writes carry
// the session's CSRF token, and every failure is the ApiError the rest of the UI shows.
import { API_BASE, ApiError, type Page, type Problem, type Sector } from './api.ts';
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

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object')
      return { ...body, type: body.type ?? 'about:blank', title: body.title ?? response.statusText, status: body.status ?? response.status, detail: body.detail ?? body.title ?? `The server answered ${response.status}.` };
  } catch {
    // Not JSON (a proxy's error page): the generic problem below.
  }
  return { type: 'about:blank', title: response.statusText || 'Request failed', status: response.status, detail: `The server answered ${response.status}.` };
}

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const enc = encodeURIComponent;
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });

/** The triage calls; `csrfToken` is the signed-in session's. */
export function triageApi(csrfToken: string | null) {
  async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const all: Record<string, string> = { Accept: 'application/json, application/problem+json', ...headers };
    if (body !== undefined) all['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrfToken) all['X-CSRF-Token'] = csrfToken;
    let response: Response;
    try {
      response = await fetch(API_BASE + path, { method, headers: all, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, detail: 'The Clearinghouse server could not be reached. Check your connection and try again.' });
    }
    if (!response.ok) throw new ApiError(await problemOf(response));
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

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
