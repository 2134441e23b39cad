import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Stored inventories (uploaded SBOMs) and their components, shaped for the reverse question "which stored
 * components does this advisory affect?" over millions of rows.
 *
 * Components carry no copy of the owner or label: the inventory holds them, the reverse query joins it anyway to
 * apply the access policy, and one source of truth cannot drift. Components point at the inventory by a small
 * integer (`inventories.seq`) instead of its 36-character UUID, which keeps each of 10M rows and index entries
 * about 40 bytes smaller.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  await db.schema
    .createTable('inventories')
    .addColumn('seq', isPg ? 'serial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('component_count', 'integer', (c) => c.notNull())
    .addColumn('unmatched_count', 'integer', (c) => c.notNull())
    /** JSON array of { ref, reason }, capped (see inventory.service.ts); unmatched_count is the full number. */
    .addColumn('unmatched', 'text', (c) => c.notNull())
    .addColumn('sbom_sha256', 'text', (c) => c.notNull())
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inventories_owner').on('inventories').columns(['owner_org_id', 'tlp']).execute();
  await db.schema.createIndex('inventories_name').on('inventories').columns(['name', 'id']).execute();

  await db.schema
    .createTable('components')
    // SQLite: an INTEGER PRIMARY KEY is the rowid itself, so the id costs nothing extra.
    .addColumn('id', isPg ? 'bigserial' : 'integer', (c) => c.primaryKey())
    .addColumn('inventory_seq', 'integer', (c) => c.notNull().references('inventories.seq').onDelete('cascade'))
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('release', 'text')
    /** canonicalName(ecosystem, name): the key advisories are indexed under. */
    .addColumn('name', 'text', (c) => c.notNull())
    /** Canonical source package of an OS package when it differs from name (OSV often names the source). */
    .addColumn('source_name', 'text')
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('bom_ref', 'text')
    .execute();
  // The reverse query's index. It covers everything the first phase reads (distinct versions of a package), so that
  // phase never touches the table. On SQLite it also carries inventory_seq: the join to the inventory's label then
  // runs from the index, and rows the reader may not see are never read from the table. PostgreSQL fetches the row
  // anyway, and without a unique tail its B-tree deduplicates equal keys (113 MB instead of ~400 MB at 10M rows).
  await db.schema
    .createIndex('components_package')
    .on('components')
    .columns(isPg ? ['ecosystem', 'name', 'version', 'release'] : ['ecosystem', 'name', 'version', 'release', 'inventory_seq'])
    .execute();
  await db.schema
    .createIndex('components_source')
    .on('components')
    .columns(['ecosystem', 'source_name', 'version', 'release'])
    .where(sql.ref('source_name'), 'is not', null)
    .execute();
  // Listing an inventory's components in id order, and the cascade when an inventory goes.
  await db.schema.createIndex('components_inventory').on('components').columns(isPg ? ['inventory_seq', 'id'] : ['inventory_seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('components').execute();
  await db.schema.dropTable('inventories').execute();
}
