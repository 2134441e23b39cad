import type { Kysely } from 'kysely';

/** Issue 9: the notification inbox tables (see src/store/schema-notifications.ts). */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
