import type { Kysely } from 'kysely';

/**
 * The schema check of each inventory's SBOM: whether it was checked and against which schema (JSON), the first
 * findings (JSON array of { path, message }, capped) and their full number. Inventories uploaded before the check
 * existed say so rather than reading as clean.
 */
export const UNCHECKED_BEFORE = JSON.stringify({ checked: false, reason: 'uploaded before SBOMs were schema-checked; replace the SBOM to check it' });

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inventories').addColumn('schema_check', 'text', (c) => c.notNull().defaultTo(UNCHECKED_BEFORE)).execute();
  await db.schema.alterTable('inventories').addColumn('schema_warnings', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('inventories').addColumn('schema_warning_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inventories').dropColumn('schema_warning_count').execute();
  await db.schema.alterTable('inventories').dropColumn('schema_warnings').execute();
  await db.schema.alterTable('inventories').dropColumn('schema_check').execute();
}
