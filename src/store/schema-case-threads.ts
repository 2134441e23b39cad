import type { Generated } from 'kysely';

/** Tables added by migration 20261202T1640-case-threads (issue 9). */
export interface CaseThreadTables {
  case_messages: CaseMessageTable;
}

/**
 * One message of a case's thread. Author fields are copied at posting time (who wrote it, as which organisation, in
 * which role), so a later rename or a participant leaving does not rewrite what was said. Both the Markdown source
 * and its sanitised HTML are stored: the HTML is rendered once, when posted, so a page of messages is served without
 * rendering anything; the source stays for quoting and for rendering again when the renderer changes
 * (render_version).
 */
export interface CaseMessageTable {
  seq: Generated<number>;
  id: string;
  case_seq: number;
  /** participants | internal */
  thread: string;
  author_user_id: string | null;
  author_name: string;
  author_org_id: string;
  author_org_name: string;
  /** reporter | vendor | coordinator | observer, or null for a coordinator writing in the internal thread without taking part. */
  author_role: string | null;
  /** The message this one answers, in the same thread. */
  reply_to_id: string | null;
  /** Markdown source as typed (line endings normalised). */
  body: string;
  /** Sanitised HTML rendered from `body` by renderer version `render_version`. */
  html: string;
  render_version: number;
  created_at: string;
}
