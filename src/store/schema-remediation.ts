import type { Generated } from 'kysely';

/** Tables of issue 10's remediation tracking; migration 20261206T1300-remediation (read its comment first). */
export interface RemediationTables {
  inventory_findings: InventoryFindingTable;
  inventory_finding_events: InventoryFindingEventTable;
  advisory_org_notices: AdvisoryOrgNoticeTable;
  remediation_daily: RemediationDailyTable;
}

export interface InventoryFindingTable {
  seq: Generated<number>;
  inventory_seq: number;
  advisory_seq: number;
  organisation_id: string;
  ecosystem: string;
  /** The distro release, or '' when the package has none. */
  release_key: string;
  name: string;
  purl: string;
  version: string;
  /** JSON array of every affected installed version. */
  versions: string;
  fixed: string | null;
  remediation: string | null;
  severity: string;
  severity_rank: number;
  kev: number;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  resolution: string | null;
  analysis_state: string | null;
  analysis_justification: string | null;
  /** JSON array of responses, or null. */
  analysis_response: string | null;
  analysis_detail: string | null;
  analysis_by: string | null;
  analysis_at: string | null;
  version_no: Generated<number>;
}

export interface InventoryFindingEventTable {
  seq: Generated<number>;
  finding_seq: number;
  kind: string;
  detail: string;
  actor: string;
  actor_user_id: string | null;
  at: string;
}

export interface AdvisoryOrgNoticeTable {
  advisory_seq: number;
  organisation_id: string;
  digest: string;
  notification_id: string | null;
  notified_at: string;
}

/** Keyed by day, sector, criticality and severity since 20261206T1500-remediation-daily (read its comment). */
export interface RemediationDailyTable {
  day: string;
  sector: string;
  criticality: string;
  severity: string;
  open_count: number;
  resolved_count: number;
}
