import type { Generated } from 'kysely';
import type { LabelColumns } from './schema.ts';

/** Tables of findings and cases (issue 9); migration 20261202T1600-findings. */
export interface IntakeTables {
  findings: FindingTable;
  finding_shares: FindingShareTable;
  finding_reports: FindingReportTable;
  finding_keys: FindingKeyTable;
  attachment_blobs: AttachmentBlobTable;
  attachment_chunks: AttachmentChunkTable;
  attachments: AttachmentTable;
  cases: CaseTable;
  case_participants: CaseParticipantTable;
  case_findings: CaseFindingTable;
}

export interface FindingTable extends LabelColumns {
  seq: Generated<number>;
  id: string;
  state: string;
  title: string;
  description: string;
  cwe: string | null;
  product_purl: string | null;
  product_versions: string | null;
  product_cpe: string | null;
  product_name: string | null;
  product_org_id: string | null;
  location: string | null;
  source: string;
  reporter_org_id: string;
  reporter_user_id: string | null;
  sectors: string;
  aliases: string;
  cvss4_vector: string | null;
  cvss4_score: number | null;
  cvss3_vector: string | null;
  cvss3_score: number | null;
  ssvc: string | null;
  ssvc_rank: number;
  exploitation_rank: number;
  cvss_rank: number;
  kev_due_date: string | null;
  kev_date_added: string | null;
  search: string;
  version: number;
  created_at: string;
  updated_at: string;
  /** Migration 20261206T1200-finding-dedup: the id of the finding a coordinator merged this one into (optional: inserts may leave it out). */
  merged_into?: string | null;
}

export interface FindingShareTable {
  finding_seq: number;
  organisation_id: string;
}

export interface FindingReportTable {
  seq: Generated<number>;
  id: string;
  finding_seq: number;
  reporter_org_id: string;
  reporter_user_id: string | null;
  source: string;
  submitted: string;
  reason: string;
  matched: string | null;
  received_at: string;
  /** Migration 20261206T1200-finding-dedup (optional: inserts may leave them out). */
  origin_seq?: number | null;
  label?: string | null;
  note?: string | null;
  decided_by?: string | null;
}

export interface FindingKeyTable {
  finding_seq: number;
  report_seq: number;
  kind: string;
  value: string;
}

export interface AttachmentBlobTable {
  sha256: string;
  size: number;
  created_at: string;
}

export interface AttachmentChunkTable {
  sha256: string;
  n: number;
  data: Uint8Array;
}

export interface AttachmentTable {
  id: string;
  sha256: string;
  filename: string;
  media_type: string;
  size: number;
  finding_seq: number | null;
  case_message_id: string | null;
  created_by: string | null;
  created_at: string;
}

export interface CaseTable extends LabelColumns {
  seq: Generated<number>;
  id: string;
  title: string;
  summary: string;
  state: string;
  public_date: string;
  actively_exploited: number;
  advisory_id: string | null;
  opened_by: string | null;
  closed_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CaseParticipantTable {
  case_seq: number;
  organisation_id: string;
  role: string;
  added_by: string | null;
  added_at: string;
}

export interface CaseFindingTable {
  case_seq: number;
  finding_seq: number;
}
