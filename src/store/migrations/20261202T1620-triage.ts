import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Issue 9, triage (see src/store/schema-triage.ts):
 * - finding_triage_events: the history of a finding's triage (state moves with their note, scores, SSVC decisions,
 *   KEV marks), shown on the finding page under the finding's own label.
 * - kev_entries: the CISA Known Exploited Vulnerabilities catalogue as last imported, by CVE.
 *   An advisory's KEV marks are not stored: they are its id and aliases looked up in kev_entries when read, so an
 *   advisory published or edited after the import is marked as soon as it carries a KEV CVE.
 * - finding_reports_reporter: the queue's reporter filter (a finding is listed for each organisation that reported
 *   it, duplicates included) probes reports by organisation.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  await db.schema
    .createTable('finding_triage_events')
    .addColumn('seq', isPg ? 'serial' : 'integer', (c: any) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('finding_seq', 'integer', (c) => c.notNull().references('findings.seq').onDelete('cascade'))
    /** state | scores | ssvc | kev */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('note', 'text')
    /** JSON: the scores, the SSVC points and decision, or the KEV entry. */
    .addColumn('detail', 'text')
    .addColumn('actor_user_id', 'text')
    /** The actor's e-mail or "system"/"cli", as it was at the time. */
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('finding_triage_events_finding').on('finding_triage_events').columns(['finding_seq', 'seq']).execute();

  await db.schema
    .createTable('kev_entries')
    .addColumn('cve', 'text', (c) => c.primaryKey())
    .addColumn('vendor', 'text', (c) => c.notNull())
    .addColumn('product', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('known_ransomware', 'integer', (c) => c.notNull())
    .addColumn('required_action', 'text', (c) => c.notNull())
    .addColumn('catalog_version', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('finding_reports_reporter').on('finding_reports').columns(['reporter_org_id', 'finding_seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('finding_reports_reporter').execute();
  for (const t of ['kev_entries', 'finding_triage_events']) await db.schema.dropTable(t).execute();
}
