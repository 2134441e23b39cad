import type { Generated } from 'kysely';
import type { LabelColumns } from './schema.ts';

/** Tables added by migration 20261202T1610-campaigns (issue 9; docs/campaigns.md). */
export interface CampaignTables {
  campaigns: CampaignTable;
  campaign_targets: CampaignTargetTable;
  campaign_overlaps: CampaignOverlapTable;
  campaign_overlap_orgs: CampaignOverlapOrgTable;
  org_assets: OrgAssetTable;
  asset_ranges: AssetRangeTable;
  campaign_opt_outs: CampaignOptOutTable;
}

export interface CampaignTable extends LabelColumns {
  seq: Generated<number>;
  id: string;
  name: string;
  description: string;
  tool: string;
  model: string;
  contact: string;
  /** UTC instants (fixed-width ISO text); start_text / end_text keep the window as written, with its offset. */
  starts_at: string;
  ends_at: string;
  start_text: string;
  end_text: string;
  /** active | cancelled */
  state: string;
  cancelled_at: string | null;
  cancel_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CampaignTargetTable {
  campaign_seq: number;
  position: number;
  kind: string;
  value: string;
  organisation_id: string | null;
  match_key: string;
  purl_ecosystem: string | null;
  purl_name: string | null;
  purl_version: string | null;
  ip_start: string | null;
  ip_end: string | null;
}

/** A pair of overlapping campaigns, a_seq < b_seq (maintained on every write of either). */
export interface CampaignOverlapTable {
  a_seq: number;
  b_seq: number;
  /** 1 when they share a sector, a package or a range; the organisations they share are in campaign_overlap_orgs. */
  other_share: number;
}

export interface CampaignOverlapOrgTable {
  a_seq: number;
  b_seq: number;
  organisation_id: string;
}

/** A named asset of an organisation: labelled like an inventory, owned by its organisation. */
export interface OrgAssetTable extends LabelColumns {
  id: string;
  name: string;
  inventory_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface AssetRangeTable {
  asset_id: string;
  cidr: string;
  family: string;
  ip_start: string;
  ip_end: string;
}

export interface CampaignOptOutTable {
  id: string;
  asset_id: string;
  owner_org_id: string;
  campaign_seq: number | null;
  scope_key: string;
  note: string | null;
  created_by: string | null;
  created_at: string;
}
