import type { Kysely } from 'kysely';

/**
 * Devices that earned a successful sign-in (OWASP "device cookies"). The browser keeps a random secret in an
 * HttpOnly cookie; only its SHA-256 is stored, once per account it signed in to. A device known to an account may
 * keep trying while that account is locked for unknown devices, with a small counter of its own, so a burst of
 * guesses from elsewhere cannot lock the owner out.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_devices')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_devices_pk', ['secret_hash', 'user_id'])
    .execute();
  await db.schema.createIndex('sign_in_devices_user').on('sign_in_devices').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_devices').execute();
}
