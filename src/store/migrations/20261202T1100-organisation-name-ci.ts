import { sql, type Kysely } from 'kysely';

/**
 * Organisation names are unique regardless of case, as the service's check already says (`lower(name)`): the old
 * index was case-sensitive, so two concurrent creates of "Acme" and "ACME" both passed the check and both committed.
 * The same expression on both databases, so the index and the check agree.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('organisations_name_ci').on('organisations').unique().expression(sql`lower(name)`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('organisations_name_ci').execute();
}
