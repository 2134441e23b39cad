import type { Generated } from 'kysely';
import type { LabelColumns } from './schema.ts';

/** Tables added by migration 20261202T1650-notifications (issue 9): the per-organisation inbox. */
export interface NotificationTables {
  notifications: NotificationTable;
  notification_shares: NotificationShareTable;
  notification_inventories: NotificationInventoryTable;
  notification_states: NotificationStateTable;
}

/**
 * One notification for one recipient organisation. The label columns are the subject's label as it was handed to
 * `notify`; for subject types whose record lives in a table the inbox knows (cases, findings, advisories) every read
 * asks that record's current label instead, so a relabelled subject takes its notifications with it.
 */
export interface NotificationTable extends LabelColumns {
  seq: Generated<number>;
  id: string;
  organisation_id: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  subject_title: string;
  /** Canonical JSON object. */
  detail: string;
  severity: string | null;
  kev: number;
  created_at: string;
}

/** The stored label's sharedWith list (used only for subject types without a table of their own). */
export interface NotificationShareTable {
  notification_seq: number;
  organisation_id: string;
}

/** The recipient's own inventories a notification names (issue 10), with the affected components as JSON. */
export interface NotificationInventoryTable {
  notification_seq: number;
  inventory_id: string;
  /** JSON array of { purl, version, fixed }. */
  components: string;
}

/** One user's state of one notification; the row exists once the user has read it (acknowledging reads it too). */
export interface NotificationStateTable {
  notification_seq: number;
  user_id: string;
  read_at: string;
  acknowledged_at: string | null;
}
