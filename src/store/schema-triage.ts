import type { Generated } from 'kysely';

/** Tables added by migration 20261202T1620-triage (issue 9). */
export interface TriageTables {
  finding_triage_events: FindingTriageEventTable;
  kev_entries: KevEntryTable;
}

export interface FindingTriageEventTable {
  seq: Generated<number>;
  finding_seq: number;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
  detail: string | null;
  actor_user_id: string | null;
  actor: string;
  at: string;
}

export interface KevEntryTable {
  cve: string;
  vendor: string;
  product: string;
  name: string;
  date_added: string;
  due_date: string;
  known_ransomware: number;
  required_action: string;
  catalog_version: string;
  imported_at: string;
}
