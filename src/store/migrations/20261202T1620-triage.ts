import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Issue 9, triage (see src/store/schema-triage.ts):
 * - finding_triage_events: the history of a finding's triage (state moves with their note, scores, SSVC decisions,
 *   KEV marks), shown on the finding page under the finding's own label.
 * - kev_entries: the CISA Known Exploited Vulnerabilities catalogue as last imported, by CVE.
 * - advisory_kev: which advisories carry a KEV CVE (as id or alias), with the KEV dates; kept beside the advisories
 *   rather than in them so the advisory part's tables stay its own.
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

  await db.schema
    .createTable('advisory_kev')
    .addColumn('advisory_seq', 'integer', (c) => c.notNull().references('advisories.seq').onDelete('cascade'))
    .addColumn('cve', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_kev_pk', ['advisory_seq', 'cve'])
    .execute();
  await db.schema.createIndex('advisory_kev_cve').on('advisory_kev').columns(['cve']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['advisory_kev', 'kev_entries', 'finding_triage_events']) await db.schema.dropTable(t).execute();
}
