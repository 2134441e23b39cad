import { concernsOf, type CampaignTarget, type OrgHolding } from '../campaigns/scope.ts';
import { readerFacts, type AccessLabel, type OrganisationKind, type Principal, type ReaderFacts } from './access-label.ts';
import { isAdminOf, isCoordinator, isMemberOf, isOperator, isSystem, labelAllows } from './predicates.ts';
import { rule } from './rule.ts';

/**
 * Access rules of scanning campaigns, operators' named assets and opt-outs (issue 9; docs/campaigns.md).
 *
 * A campaign is read through its label like any record, and also by the members of every organisation it touches,
 * as if it were shared with them (src/domain/campaigns/scope.ts, `concernsOf`: it names the organisation, one of its
 * inventories or named assets, a sector it is in, a purl in one of its inventories, or a range overlapping one of its
 * assets' ranges; inventories and assets only as far as the reader may read them). A reader who reads it only that
 * way gets the `touched` view: its identity, window, tool and contact, and the part of its scope that concerns their
 * own organisations, never the other targets. The same rule is SQL in src/store/campaign.repository.ts.
 */
export interface CampaignRecord {
  label: AccessLabel;
  targets: readonly CampaignTarget[];
  /** What the reader's organisations hold that the campaign could reach, as far as the reader may read it. */
  holdings: readonly OrgHolding[];
}

export type CampaignAccess = 'full' | 'touched';

/** The reader's organisations the campaign touches. */
export function touchedOrganisations(a: Principal, r: Pick<CampaignRecord, 'targets' | 'holdings'>): string[] {
  return r.holdings.filter((h) => isMemberOf(a, h.organisationId) && concernsOf(r.targets, h).length > 0).map((h) => h.organisationId);
}

/** How the actor reads the campaign: in full (its label), touched (only as a touched organisation), or not at all. */
export function campaignAccess(a: Principal, r: CampaignRecord, now: Date): CampaignAccess | null {
  if (isSystem(a) || labelAllows(a, r.label, now)) return 'full';
  const touched = touchedOrganisations(a, r);
  // As if shared with the touched organisations: TLP and embargo let them in, a need-to-know role still applies.
  return touched.length > 0 && labelAllows(a, { ...r.label, sharedWith: touched }, now) ? 'touched' : null;
}

export const seesCampaign = (a: Principal, r: CampaignRecord, now: Date): boolean => campaignAccess(a, r, now) !== null;

/** The read rule as a scope for SQL (src/store/campaign.repository.ts); `all` only for the server's own work. */
export interface CampaignScope {
  all: boolean;
  facts: ReaderFacts;
  now: string;
}

export function campaignScope(a: Principal, now: Date): CampaignScope {
  return { all: isSystem(a), facts: readerFacts(a), now: now.toISOString() };
}

/** Who registers campaigns: AI developers and researchers. */
export const CAMPAIGN_OWNER_KINDS: readonly OrganisationKind[] = ['ai-developer', 'researcher'];

/** Opt-outs applying to a campaign: its owner's members see them all; everyone else only their own organisations'. */
export function optOutAudience(a: Principal, campaignOwner: string): 'all' | 'own' {
  return isSystem(a) || isMemberOf(a, campaignOwner) ? 'all' : 'own';
}

export interface AssetRecord {
  label: AccessLabel;
}

/** Named assets follow their label only, like inventories: site administrators get no exception. */
export const seesAsset = (a: Principal, r: AssetRecord, now: Date): boolean => isSystem(a) || labelAllows(a, r.label, now);
const administers = (a: Principal, org: string) => isOperator(a) || isAdminOf(a, org);

export const campaignPolicy = {
  'campaign.list': rule<null>({ what: 'campaign', need: 'read' }),
  'campaign.read': rule<CampaignRecord>({ what: 'campaign', need: 'read', visible: seesCampaign }),
  'campaign.create': rule<{ owner: string; ownerKind: OrganisationKind | null }>({
    what: 'campaign',
    need: 'write',
    allow: (a, r) => {
      if (!(isOperator(a) || isMemberOf(a, r.owner))) return 'only members of the owning organisation register its campaigns';
      return (r.ownerKind !== null && CAMPAIGN_OWNER_KINDS.includes(r.ownerKind)) || 'only AI developers and researchers (organisations of those kinds) register scanning campaigns';
    },
  }),
  /** Editing and cancelling: the owner's members; touched operators read it but cannot change it. */
  'campaign.write': rule<CampaignRecord>({
    what: 'campaign',
    need: 'write',
    visible: seesCampaign,
    allow: (a, r) => isOperator(a) || isMemberOf(a, r.label.owner) || 'only members of the owning organisation change its campaigns',
  }),
  /** Deconfliction is the coordinators' work; the list holds only campaigns they read by label. */
  'campaign.overlaps': rule<null>({
    what: 'campaign',
    need: 'read',
    allow: (a) => isOperator(a) || isCoordinator(a) || 'only coordinators (members of a government organisation) see overlapping campaigns',
  }),
  'asset.list': rule<null>({ what: 'asset', need: 'read' }),
  'asset.read': rule<AssetRecord>({ what: 'asset', need: 'read', visible: seesAsset }),
  'asset.create': rule<{ owner: string }>({
    what: 'asset',
    need: 'write',
    allow: (a, r) => administers(a, r.owner) || "only the organisation's administrators declare its assets",
  }),
  'asset.write': rule<AssetRecord>({
    what: 'asset',
    need: 'write',
    visible: seesAsset,
    allow: (a, r) => administers(a, r.label.owner) || "only the organisation's administrators change its assets",
  }),
  /** An organisation's opt-outs are its own business: its members read them, nobody else (the owners of the campaigns they apply to see them there). */
  'opt-out.list': rule<{ owner: string }>({
    what: 'organisation',
    need: 'read',
    allow: (a, r) => isOperator(a) || isMemberOf(a, r.owner) || "only the organisation's members see its opt-outs",
  }),
  /** Opting an asset out of a campaign (or all) and withdrawing it: the asset's organisation's administrators. */
  'campaign.opt-out': rule<AssetRecord>({
    what: 'asset',
    need: 'write',
    visible: seesAsset,
    allow: (a, r) => administers(a, r.label.owner) || "only the organisation's administrators opt its assets out of campaigns",
  }),
};
