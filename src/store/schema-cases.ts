import type { Generated } from 'kysely';

/** Tables added by migration 20261202T1630-cases (issue 9): what hangs off a case, and product declarations. */
export interface CaseTables {
  case_vendor_statuses: CaseVendorStatusTable;
  case_status_events: CaseStatusEventTable;
  case_public_date_changes: CasePublicDateChangeTable;
  case_extension_requests: CaseExtensionRequestTable;
  case_seen_marks: CaseSeenMarkTable;
  organisation_products: OrganisationProductTable;
}

/** The current status of one vendor participant on one case. */
export interface CaseVendorStatusTable {
  case_seq: number;
  organisation_id: string;
  /** unknown | under-investigation | affected | not-affected | fixed */
  status: string;
  statement: string;
  /** JSON array of { purl, fixed } (package purl without version, first fixed version). */
  fixed_versions: string;
  mitigations: string;
  updated_by: string;
  updated_by_user_id: string | null;
  updated_at: string;
  version: number;
}

/** Every status a vendor set, oldest first: the status history. */
export interface CaseStatusEventTable {
  seq: Generated<number>;
  case_seq: number;
  organisation_id: string;
  status: string;
  statement: string;
  fixed_versions: string;
  mitigations: string;
  actor: string;
  actor_user_id: string | null;
  at: string;
}

/** Every value the public date took, the first one (the opening) included. */
export interface CasePublicDateChangeTable {
  seq: Generated<number>;
  case_seq: number;
  from_date: string | null;
  to_date: string;
  /** opened | changed | extension */
  kind: string;
  reason: string;
  actor: string;
  actor_user_id: string | null;
  at: string;
}

export interface CaseExtensionRequestTable {
  seq: Generated<number>;
  id: string;
  case_seq: number;
  /** The participant organisation that asks. */
  organisation_id: string;
  requested_date: string;
  reason: string;
  /** pending | accepted | refused */
  state: string;
  decision_note: string | null;
  requested_by: string;
  requested_by_user_id: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

/** When a user last looked at a part of a case (`statuses`, `thread:participants`, `thread:internal`...). */
export interface CaseSeenMarkTable {
  user_id: string;
  case_seq: number;
  key: string;
  seen_at: string;
}

/** What an organisation answers for: a purl prefix, or a CPE vendor (and product). */
export interface OrganisationProductTable {
  seq: Generated<number>;
  id: string;
  organisation_id: string;
  /** purl | cpe */
  kind: string;
  purl_prefix: string | null;
  /** The purl type of the prefix (npm, maven...), to narrow the candidates in SQL. */
  purl_type: string | null;
  cpe_vendor: string | null;
  /** null: every product of the vendor. */
  cpe_product: string | null;
  created_by: string;
  created_at: string;
}
