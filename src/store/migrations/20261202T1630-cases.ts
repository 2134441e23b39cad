import type { Kysely } from 'kysely';

/** Issue 9: cases tables (see src/store/schema-cases.ts). */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
