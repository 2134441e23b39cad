import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Coordinated disclosure cases (issue 9), on top of cases/case_participants/case_findings (20261202T1600-findings):
 * vendor statuses and their history, the public date's history, extension requests, per-user read markers, and the
 * products organisations declare they answer for (which propose them as case participants).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  const serial = (name: string) => (t: any) =>
    t.addColumn(name, isPg ? 'serial' : 'integer', (c: any) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()));

  await db.schema
    .createTable('case_vendor_statuses')
    .addColumn('case_seq', 'integer', (c) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('fixed_versions', 'text', (c) => c.notNull())
    .addColumn('mitigations', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_by_user_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_vendor_statuses_pk', ['case_seq', 'organisation_id'])
    .execute();

  await serial('seq')(db.schema.createTable('case_status_events'))
    .addColumn('case_seq', 'integer', (c: any) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c: any) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('statement', 'text', (c: any) => c.notNull())
    .addColumn('fixed_versions', 'text', (c: any) => c.notNull())
    .addColumn('mitigations', 'text', (c: any) => c.notNull())
    .addColumn('actor', 'text', (c: any) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('case_status_events_vendor').on('case_status_events').columns(['case_seq', 'organisation_id', 'seq']).execute();

  await serial('seq')(db.schema.createTable('case_public_date_changes'))
    .addColumn('case_seq', 'integer', (c: any) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('from_date', 'text')
    .addColumn('to_date', 'text', (c: any) => c.notNull())
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('reason', 'text', (c: any) => c.notNull())
    .addColumn('actor', 'text', (c: any) => c.notNull())
    .addColumn('actor_user_id', 'text')
    .addColumn('at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('case_public_date_changes_case').on('case_public_date_changes').columns(['case_seq', 'seq']).execute();

  await serial('seq')(db.schema.createTable('case_extension_requests'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('case_seq', 'integer', (c: any) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c: any) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('requested_date', 'text', (c: any) => c.notNull())
    .addColumn('reason', 'text', (c: any) => c.notNull())
    .addColumn('state', 'text', (c: any) => c.notNull())
    .addColumn('decision_note', 'text')
    .addColumn('requested_by', 'text', (c: any) => c.notNull())
    .addColumn('requested_by_user_id', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('case_extension_requests_case').on('case_extension_requests').columns(['case_seq', 'seq']).execute();

  await db.schema
    .createTable('case_seen_marks')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('case_seq', 'integer', (c) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_seen_marks_pk', ['user_id', 'case_seq', 'key'])
    .execute();

  await serial('seq')(db.schema.createTable('organisation_products'))
    .addColumn('id', 'text', (c: any) => c.notNull().unique())
    .addColumn('organisation_id', 'text', (c: any) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('purl_prefix', 'text')
    .addColumn('purl_type', 'text')
    .addColumn('cpe_vendor', 'text')
    .addColumn('cpe_product', 'text')
    .addColumn('created_by', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('organisation_products_org').on('organisation_products').columns(['organisation_id', 'seq']).execute();
  await db.schema.createIndex('organisation_products_purl').on('organisation_products').columns(['purl_type']).execute();
  await db.schema.createIndex('organisation_products_cpe').on('organisation_products').columns(['cpe_vendor']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['organisation_products', 'case_seen_marks', 'case_extension_requests', 'case_public_date_changes', 'case_status_events', 'case_vendor_statuses']) {
    await db.schema.dropTable(t).execute();
  }
}
