import type { Kysely } from 'kysely';

/** Issue 9: case-threads tables (see src/store/schema-case-threads.ts). */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
