import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Findings and cases (issue 9), the core every part of intake, triage and disclosure builds on.
 *
 * - findings: one row per distinct vulnerability, with its access label, the affected product, its triage state and
 *   scores. The triage queue's order (SSVC decision, exploitation, CVSS, age) is four integer/text columns with one
 *   index in exactly that order, so the queue's first page is an index walk even over a million rows.
 * - finding_reports: every submission, the first one included; a duplicate is a report linked to an existing finding,
 *   with the reason it was linked, so each reporter is kept and credited, and a coordinator can split it back out.
 * - finding_keys: the de-duplication keys (fingerprint, alias, product+CWE+location) of each report, indexed by value.
 * - finding_shares: the label's sharedWith list (case participants see the case's findings).
 * - attachment_blobs/attachment_chunks: SHA-256-addressed content in 256 KiB chunks inside the database, so every
 *   stateless instance over one PostgreSQL serves every attachment; attachments: the named uses of a blob.
 * - cases, case_participants (also the case label's share table), case_findings.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  const serial = (name: string) => (t: any) =>
    t.addColumn(name, isPg ? 'serial' : 'integer', (c: any) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()));

  await serial('seq')(db.schema.createTable('findings'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('owner_org_id', 'text', (c: any) => c.notNull().references('organisations.id'))
    .addColumn('tlp', 'text', (c: any) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    /** new | triaging | reproduced | not-reproduced | duplicate | out-of-scope */
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('title', 'text', (c: any) => c.notNull())
    .addColumn('description', 'text', (c: any) => c.notNull())
    /** e.g. CWE-79, or null */
    .addColumn('cwe', 'text')
    /** Affected product: a purl (without version) and an OSV-style version range text, or a CPE, or free text naming an organisation's product. */
    .addColumn('product_purl', 'text')
    .addColumn('product_versions', 'text')
    .addColumn('product_cpe', 'text')
    .addColumn('product_name', 'text')
    .addColumn('product_org_id', 'text', (c: any) => c.references('organisations.id'))
    /** Where in the product: file:line, URL, endpoint, model layer... */
    .addColumn('location', 'text')
    /** form | api | sarif | osv | csaf | avid */
    .addColumn('source', 'text', (c: any) => c.notNull())
    .addColumn('reporter_org_id', 'text', (c: any) => c.notNull().references('organisations.id'))
    .addColumn('reporter_user_id', 'text')
    /** ",energy,water-and-wastewater," : sectors of the affected product's organisation, for the queue's filter. */
    .addColumn('sectors', 'text', (c: any) => c.notNull().defaultTo(''))
    /** JSON array of aliases (CVE-..., GHSA-..., OSV ids). */
    .addColumn('aliases', 'text', (c: any) => c.notNull().defaultTo('[]'))
    .addColumn('cvss4_vector', 'text')
    .addColumn('cvss4_score', 'real')
    .addColumn('cvss3_vector', 'text')
    .addColumn('cvss3_score', 'real')
    /** JSON of the SSVC decision points and outcome, or null. */
    .addColumn('ssvc', 'text')
    /** Queue order keys, higher first: 4 Act, 3 Attend, 2 Track*, 1 Track, 0 undecided. */
    .addColumn('ssvc_rank', 'integer', (c: any) => c.notNull().defaultTo(0))
    /** 2 active (KEV or SSVC), 1 public PoC, 0 none/unknown. */
    .addColumn('exploitation_rank', 'integer', (c: any) => c.notNull().defaultTo(0))
    /** Highest CVSS base score x 10 (0 when unscored), an integer so both databases sort it alike. */
    .addColumn('cvss_rank', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('kev_due_date', 'text')
    .addColumn('kev_date_added', 'text')
    /** Lower-cased title, product, aliases, CWE, for the queue's search. */
    .addColumn('search', 'text', (c: any) => c.notNull())
    .addColumn('version', 'integer', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema
    .createIndex('findings_queue')
    .on('findings')
    .columns(['ssvc_rank desc', 'exploitation_rank desc', 'cvss_rank desc', 'created_at', 'seq'])
    .execute();
  await db.schema.createIndex('findings_state_queue').on('findings').columns(['state', 'ssvc_rank desc', 'exploitation_rank desc', 'cvss_rank desc', 'created_at', 'seq']).execute();
  await db.schema.createIndex('findings_owner').on('findings').columns(['owner_org_id']).execute();
  await db.schema.createIndex('findings_reporter').on('findings').columns(['reporter_org_id']).execute();
  await db.schema.createIndex('findings_product_org').on('findings').columns(['product_org_id']).execute();

  await db.schema
    .createTable('finding_shares')
    .addColumn('finding_seq', 'integer', (c) => c.notNull().references('findings.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('finding_shares_pk', ['finding_seq', 'organisation_id'])
    .execute();
  await db.schema.createIndex('finding_shares_org').on('finding_shares').columns(['organisation_id', 'finding_seq']).execute();

  await serial('seq')(db.schema.createTable('finding_reports'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('finding_seq', 'integer', (c: any) => c.notNull().references('findings.seq').onDelete('cascade'))
    .addColumn('reporter_org_id', 'text', (c: any) => c.notNull().references('organisations.id'))
    .addColumn('reporter_user_id', 'text')
    .addColumn('source', 'text', (c: any) => c.notNull())
    /** The submitted finding as JSON (title, description, product, location, fingerprints, aliases, tool). */
    .addColumn('submitted', 'text', (c: any) => c.notNull())
    /** first | fingerprint | alias | product-cwe-location | merged : why this report is on this finding. */
    .addColumn('reason', 'text', (c: any) => c.notNull())
    /** The key value that matched (the fingerprint, the alias...), or null for the first report. */
    .addColumn('matched', 'text')
    .addColumn('received_at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('finding_reports_finding').on('finding_reports').columns(['finding_seq', 'seq']).execute();

  await db.schema
    .createTable('finding_keys')
    .addColumn('finding_seq', 'integer', (c) => c.notNull().references('findings.seq').onDelete('cascade'))
    .addColumn('report_seq', 'integer', (c) => c.notNull().references('finding_reports.seq').onDelete('cascade'))
    /** fingerprint | alias | locus */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_keys_pk', ['kind', 'value', 'report_seq'])
    .execute();
  await db.schema.createIndex('finding_keys_finding').on('finding_keys').columns(['finding_seq']).execute();

  await db.schema
    .createTable('attachment_blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('attachment_chunks')
    .addColumn('sha256', 'text', (c) => c.notNull().references('attachment_blobs.sha256').onDelete('cascade'))
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('data', isPg ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('attachment_chunks_pk', ['sha256', 'n'])
    .execute();
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull().references('attachment_blobs.sha256'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    /** What it is attached to; the attachment is read under that record's label. */
    .addColumn('finding_seq', 'integer', (c) => c.references('findings.seq').onDelete('cascade'))
    .addColumn('case_message_id', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_finding').on('attachments').columns(['finding_seq']).execute();
  await db.schema.createIndex('attachments_message').on('attachments').columns(['case_message_id']).execute();

  await serial('seq')(db.schema.createTable('cases'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('owner_org_id', 'text', (c: any) => c.notNull().references('organisations.id'))
    .addColumn('tlp', 'text', (c: any) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    .addColumn('title', 'text', (c: any) => c.notNull())
    .addColumn('summary', 'text', (c: any) => c.notNull())
    /** open | closed */
    .addColumn('state', 'text', (c: any) => c.notNull())
    /** ISO timestamp of the planned publication. */
    .addColumn('public_date', 'text', (c: any) => c.notNull())
    .addColumn('actively_exploited', 'integer', (c: any) => c.notNull().defaultTo(0))
    /** The advisory drafted from this case (advisories.id), published at the public date. */
    .addColumn('advisory_id', 'text')
    .addColumn('opened_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('version', 'integer', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_public_date').on('cases').columns(['state', 'public_date']).execute();
  await db.schema.createIndex('cases_updated').on('cases').columns(['updated_at', 'seq']).execute();

  await db.schema
    .createTable('case_participants')
    .addColumn('case_seq', 'integer', (c) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    /** reporter | vendor | coordinator | observer */
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text')
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_participants_pk', ['case_seq', 'organisation_id'])
    .execute();
  await db.schema.createIndex('case_participants_org').on('case_participants').columns(['organisation_id', 'case_seq']).execute();

  await db.schema
    .createTable('case_findings')
    .addColumn('case_seq', 'integer', (c) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('finding_seq', 'integer', (c) => c.notNull().references('findings.seq').onDelete('cascade'))
    .addPrimaryKeyConstraint('case_findings_pk', ['case_seq', 'finding_seq'])
    .execute();
  await db.schema.createIndex('case_findings_finding').on('case_findings').columns(['finding_seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'case_findings',
    'case_participants',
    'cases',
    'attachments',
    'attachment_chunks',
    'attachment_blobs',
    'finding_keys',
    'finding_reports',
    'finding_shares',
    'findings',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
