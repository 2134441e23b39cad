import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Advisories (issue 8). The current state of each advisory is one row; every published revision is kept, immutable,
 * in advisory_revisions. The label's list of organisations a record is shared with is a table of its own so the SQL
 * read rule can ask it with an index (src/store/visibility.ts). Authored ids are numbered per prefix and year by
 * advisory_id_counters, an upsert every instance on one PostgreSQL serialises on. server_keys holds the server's own
 * long-lived keys (the CSAF OpenPGP signing key), made once at first use.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  await db.schema
    .createTable('advisories')
    .addColumn('seq', isPg ? 'serial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    /** The current OSV record, canonical JSON. */
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    /** Lower-cased id, aliases, package names and text, for the list's `q` search. */
    .addColumn('search', 'text', (c) => c.notNull())
    .addColumn('rating', 'text')
    .addColumn('published_at', 'text')
    .addColumn('withdrawn_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('advisories_modified').on('advisories').columns(['modified', 'seq']).execute();
  await db.schema.createIndex('advisories_owner').on('advisories').columns(['owner_org_id']).execute();
  await db.schema.createIndex('advisories_state').on('advisories').columns(['state', 'modified']).execute();

  await db.schema
    .createTable('advisory_shares')
    .addColumn('advisory_seq', 'integer', (c) => c.notNull().references('advisories.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('advisory_shares_pk', ['advisory_seq', 'organisation_id'])
    .execute();

  await db.schema
    .createTable('advisory_packages')
    .addColumn('advisory_seq', 'integer', (c) => c.notNull().references('advisories.seq').onDelete('cascade'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_packages_pk', ['advisory_seq', 'ecosystem', 'name'])
    .execute();
  await db.schema.createIndex('advisory_packages_ecosystem').on('advisory_packages').columns(['ecosystem', 'advisory_seq']).execute();

  await db.schema
    .createTable('advisory_revisions')
    .addColumn('advisory_seq', 'integer', (c) => c.notNull().references('advisories.seq').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_revisions_pk', ['advisory_seq', 'revision'])
    .execute();

  await db.schema
    .createTable('advisory_id_counters')
    .addColumn('prefix_year', 'text', (c) => c.primaryKey())
    .addColumn('next', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['server_keys', 'advisory_id_counters', 'advisory_revisions', 'advisory_packages', 'advisory_shares', 'advisories']) {
    await db.schema.dropTable(t).execute();
  }
}
