import type { Kysely } from 'kysely';

/** Issue 9: campaigns tables (see src/store/schema-campaigns.ts). */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
