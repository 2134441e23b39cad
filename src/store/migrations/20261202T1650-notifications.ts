import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Issue 9: the notification inbox (see src/store/schema-notifications.ts).
 *
 * - notifications: one row per recipient organisation, newest first per organisation through notifications_inbox
 *   (the list and the unread count walk it); the subject's label is kept beside it.
 * - notification_shares: the kept label's sharedWith list, so visibleTo can join it like any share table.
 * - notification_inventories: the recipient's inventories an advisory notification names (issue 10).
 * - notification_states: per-user read and acknowledged times; no row means unread.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  await db.schema
    .createTable('notifications')
    .addColumn('seq', isPg ? 'serial' : 'integer', (c) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('subject_title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('owner_org_id', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('restricted_role', 'text')
    .addColumn('severity', 'text')
    .addColumn('kev', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_inbox').on('notifications').columns(['organisation_id', 'created_at', 'seq']).execute();
  await db.schema.createIndex('notifications_subject').on('notifications').columns(['subject_type', 'subject_id']).execute();

  await db.schema
    .createTable('notification_shares')
    .addColumn('notification_seq', 'integer', (c) => c.notNull().references('notifications.seq').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('notification_shares_pk', ['notification_seq', 'organisation_id'])
    .execute();

  await db.schema
    .createTable('notification_inventories')
    .addColumn('notification_seq', 'integer', (c) => c.notNull().references('notifications.seq').onDelete('cascade'))
    .addColumn('inventory_id', 'text', (c) => c.notNull())
    .addColumn('components', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_inventories_pk', ['notification_seq', 'inventory_id'])
    .execute();

  await db.schema
    .createTable('notification_states')
    .addColumn('notification_seq', 'integer', (c) => c.notNull().references('notifications.seq').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('read_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addPrimaryKeyConstraint('notification_states_pk', ['notification_seq', 'user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notification_states', 'notification_inventories', 'notification_shares', 'notifications']) await db.schema.dropTable(t).execute();
}
