import type { Generated } from 'kysely';
import type { IntakeTables } from './schema-intake.ts';
import type { CampaignTables } from './schema-campaigns.ts';
import type { TriageTables } from './schema-triage.ts';
import type { CaseTables } from './schema-cases.ts';
import type { CaseThreadTables } from './schema-case-threads.ts';
import type { NotificationTables } from './schema-notifications.ts';
import type { RemediationTables } from './schema-remediation.ts';

/**
 * Table types shared by SQLite and PostgreSQL. Timestamps are ISO 8601 UTC text and flags are 0/1 integers on both,
 * so every query behaves the same whichever database runs it.
 */
export interface Database extends IntakeTables, CampaignTables, TriageTables, CaseTables, CaseThreadTables, NotificationTables, RemediationTables {
  organisations: OrganisationTable;
  users: UserTable;
  memberships: MembershipTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  sign_in_failures: SignInFailureTable;
  sign_in_devices: SignInDeviceTable;
  audit_log: AuditLogTable;
  outbox: OutboxTable;
  inventories: InventoryTable;
  components: ComponentTable;
  invitations: InvitationTable;
  advisories: AdvisoryTable;
  advisory_shares: AdvisoryShareTable;
  advisory_packages: AdvisoryPackageTable;
  advisory_revisions: AdvisoryRevisionTable;
  advisory_id_counters: AdvisoryIdCounterTable;
  server_keys: ServerKeyTable;
}

/** Columns every labelled record carries; src/store/visibility.ts turns a reader into a condition over them. */
export interface LabelColumns {
  owner_org_id: string;
  tlp: string;
  embargo_until: string | null;
  restricted_role: string | null;
}

export interface OrganisationTable extends LabelColumns {
  id: string;
  name: string;
  kind: string;
  /** JSON array of CISA sector ids. */
  sectors: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  must_change_password: number;
  site_admin: number;
  disabled: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface MembershipTable {
  user_id: string;
  organisation_id: string;
  role: string;
  created_at: string;
}

export interface SessionTable {
  id: string;
  /** SHA-256 of the cookie value: a stolen database does not yield live sessions. */
  secret_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SignInFailureTable {
  key: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export interface SignInDeviceTable {
  /** SHA-256 of the device cookie; one row per account the device signed in to. */
  secret_hash: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  at: string;
  actor_user_id: string | null;
  actor_email: string | null;
  organisation_id: string | null;
  via: string;
  token_id: string | null;
  session_id: string | null;
  action: string;
  record_type: string;
  record_id: string;
  before_digest: string | null;
  after_digest: string | null;
  prev_hash: string;
  hash: string;
  /** The access label of the record the entry is about (null for unlabelled records); not part of the hash chain. */
  label_owner: string | null;
  label_tlp: string | null;
  label_embargo_until: string | null;
  label_restricted: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  payload: string;
  created_at: string;
  available_at: string;
  attempts: number;
  claimed_by: string | null;
  claimed_until: string | null;
  done_at: string | null;
  last_error: string | null;
}

export interface InventoryTable extends LabelColumns {
  /** Small integer key that components point at (cheaper than the UUID over millions of rows). */
  seq: Generated<number>;
  id: string;
  name: string;
  format: string;
  component_count: number;
  unmatched_count: number;
  /** JSON array of { ref, reason }, capped; unmatched_count is the full number. */
  unmatched: string;
  sbom_sha256: string;
  /** JSON { checked: true, name } or { checked: false, reason }: whether the SBOM was compared with a schema. */
  schema_check: string;
  /** JSON array of { path, message }, capped; schema_warning_count is the full number. */
  schema_warnings: string;
  schema_warning_count: number;
  /** The asset (issue 10): a CISA sector, low | medium | high | critical, free text; null until the owner says. */
  sector: string | null;
  criticality: string | null;
  environment: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ComponentTable {
  id: Generated<number>;
  inventory_seq: number;
  /** Base OSV ecosystem, e.g. `Debian`, `npm`, or `GIT` for a repository pinned to a commit. */
  ecosystem: string;
  /** Normalised distro release (`12` for Debian bookworm) or null. */
  release: string | null;
  /** Canonical name (canonicalName), the key advisories are indexed under. */
  name: string;
  /** Canonical source package of an OS package when it differs from name. */
  source_name: string | null;
  version: string;
  purl: string;
  bom_ref: string | null;
}

export interface InvitationTable {
  id: string;
  organisation_id: string;
  /** The invitee by user id (PUT members) or by e-mail (POST /users); exactly one is set. */
  invitee_user_id: string | null;
  invitee_email: string | null;
  /** JSON array of role names. */
  roles: string;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  /** Set when the invitee declines; see the migration for why the row stays. */
  declined_at: string | null;
}

export interface AdvisoryTable extends LabelColumns {
  seq: Generated<number>;
  id: string;
  /** draft | published | withdrawn */
  state: string;
  /** authored | imported */
  source: string;
  /** 0 while a draft; the number of the latest published revision otherwise. */
  revision: number;
  version: number;
  /** The current OSV record as JSON. */
  record: string;
  modified: string;
  summary: string | null;
  search: string;
  rating: string | null;
  published_at: string | null;
  withdrawn_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AdvisoryShareTable {
  advisory_seq: number;
  organisation_id: string;
}

export interface AdvisoryPackageTable {
  advisory_seq: number;
  ecosystem: string;
  name: string;
}

export interface AdvisoryRevisionTable {
  advisory_seq: number;
  revision: number;
  record: string;
  modified: string;
  summary: string | null;
  created_at: string;
}

export interface AdvisoryIdCounterTable {
  prefix_year: string;
  next: number;
}

export interface ServerKeyTable {
  name: string;
  value: string;
  created_at: string;
}
