// Typed client for scanning campaigns, named assets and opt-outs (issue 9; docs/campaigns.md). Requests go through
// api-session-client.ts: writes carry the CSRF token of the session the page holds, and every failure is the ApiError
// the rest of the UI shows.
import { type Page, type Sector, type Tlp } from './api.ts';
import { enc, ifMatch, query, sessionClient } from './api-session-client.ts';

// Record shapes are the server's own (type-only imports: nothing of the server is bundled).
export type {
  AssetView,
  CampaignPhase,
  CampaignScopeView,
  CampaignSummary,
  CampaignTouch,
  CampaignView,
  OptOutView,
  OverlapView,
  SharedTargetView,
} from '../../src/services/campaign.service.ts';
export type { Concern } from '../../src/domain/campaigns/scope.ts';
import type { AssetView, CampaignView, OptOutView, OverlapView } from '../../src/services/campaign.service.ts';

export interface CampaignScopeInput {
  organisations?: string[];
  inventories?: string[];
  assets?: string[];
  purls?: string[];
  cidrs?: string[];
  sectors?: Sector[];
}

export interface CampaignInput {
  name: string;
  description?: string;
  scope: CampaignScopeInput;
  window: { start: string; end: string };
  tool: string;
  model: string;
  contact: string;
  label?: { tlp: Tlp; embargoUntil?: string | null; restricted?: string | null };
}

export interface CampaignQuery {
  active?: boolean;
  mine?: boolean;
  touching?: boolean;
  limit?: number;
  cursor?: string | null;
}

export interface AssetInput {
  name: string;
  ranges: string[];
  inventoryId?: string | null;
  label?: { tlp: Tlp };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A `datetime-local` value (the browser's zone) as RFC 3339 with that zone's offset on that date, e.g.
 * `2026-12-01T22:00` in Paris -> `2026-12-01T22:00:00+01:00`; null when it is not a date and time.
 */
export function localToRfc3339(local: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return null;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An instant as a `datetime-local` value in the browser's zone (what the input shows). */
export function instantToLocal(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** One item per non-empty line (or comma), trimmed: how the form's list fields are typed. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The form field a problem's `field` names (`scope.cidrs[3]` -> `cidrs`, `window.end` -> `end`). */
export function campaignFieldOf(field: unknown): string | null {
  if (typeof field !== 'string') return null;
  const scope = /^scope\.(\w+)/.exec(field);
  if (scope) return scope[1]!;
  const window = /^window\.(start|end)/.exec(field);
  if (window) return window[1]!;
  if (field === 'scope') return 'scope';
  return field.replace(/\[\d+\]$/, '').replace(/^label\./, '');
}


export function campaignApi(csrfToken: string | null) {
  const { json: request } = sessionClient(csrfToken);

  return {
    list(q: CampaignQuery = {}): Promise<Page<CampaignView>> {
      return request('GET', `/campaigns${query({ active: q.active, mine: q.mine, touching: q.touching, limit: q.limit, cursor: q.cursor })}`);
    },
    get(campaignId: string): Promise<CampaignView> {
      return request('GET', `/campaigns/${enc(campaignId)}`);
    },
    create(body: CampaignInput & { organisationId?: string }): Promise<CampaignView> {
      return request('POST', '/campaigns', body);
    },
    update(campaignId: string, version: number, body: CampaignInput): Promise<CampaignView> {
      return request('PUT', `/campaigns/${enc(campaignId)}`, body, ifMatch(version));
    },
    cancel(campaignId: string, version: number, reason?: string): Promise<CampaignView> {
      return request('POST', `/campaigns/${enc(campaignId)}/cancel`, reason ? { reason } : {}, ifMatch(version));
    },
    optOuts(campaignId: string, cursor?: string | null): Promise<Page<OptOutView>> {
      return request('GET', `/campaigns/${enc(campaignId)}/opt-outs${query({ limit: 200, cursor })}`);
    },
    overlaps(q: { campaignId?: string; limit?: number; cursor?: string | null } = {}): Promise<Page<OverlapView>> {
      return request('GET', `/campaigns/overlaps${query({ campaignId: q.campaignId, limit: q.limit, cursor: q.cursor })}`);
    },
    assets(orgId: string, cursor?: string | null): Promise<Page<AssetView>> {
      return request('GET', `/organisations/${enc(orgId)}/assets${query({ limit: 200, cursor })}`);
    },
    createAsset(orgId: string, body: AssetInput): Promise<AssetView> {
      return request('POST', `/organisations/${enc(orgId)}/assets`, body);
    },
    updateAsset(orgId: string, assetId: string, version: number, body: AssetInput): Promise<AssetView> {
      return request('PUT', `/organisations/${enc(orgId)}/assets/${enc(assetId)}`, body, ifMatch(version));
    },
    removeAsset(orgId: string, assetId: string): Promise<void> {
      return request('DELETE', `/organisations/${enc(orgId)}/assets/${enc(assetId)}`);
    },
    organisationOptOuts(orgId: string, cursor?: string | null): Promise<Page<OptOutView>> {
      return request('GET', `/organisations/${enc(orgId)}/opt-outs${query({ limit: 200, cursor })}`);
    },
    optOut(orgId: string, body: { assetId: string; campaignId?: string | null; note?: string }): Promise<OptOutView> {
      return request('POST', `/organisations/${enc(orgId)}/opt-outs`, body);
    },
    withdrawOptOut(orgId: string, optOutId: string): Promise<void> {
      return request('DELETE', `/organisations/${enc(orgId)}/opt-outs/${enc(optOutId)}`);
    },
  };
}

export type CampaignApi = ReturnType<typeof campaignApi>;
