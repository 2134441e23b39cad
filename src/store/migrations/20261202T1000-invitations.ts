import { sql, type Kysely } from 'kysely';

/**
 * 1. Audit entries of labelled records carry the record's access label, so an organisation administrator's view
 *    of the trail hides the history of a record they may not read (a restricted inventory) inside the SQL. The
 *    label columns decide who reads an entry, not what happened, so they are not part of the hash chain; that also
 *    lets this migration fill them in for existing entries without breaking `clearinghouse audit verify`.
 * 2. Invitations: joining an organisation is the invitee's decision when the inviter cannot see them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('label_owner', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('label_tlp', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('label_embargo_until', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('label_restricted', 'text').execute();
  // Entries of inventories that still exist take their current label; those of deleted ones stay unlabelled.
  for (const [col, src] of [
    ['label_owner', 'owner_org_id'],
    ['label_tlp', 'tlp'],
    ['label_embargo_until', 'embargo_until'],
    ['label_restricted', 'restricted_role'],
  ] as const) {
    await sql`update audit_log set ${sql.ref(col)} = (select ${sql.ref(`inventories.${src}`)} from inventories where inventories.id = audit_log.record_id)
      where record_type = 'inventory'`.execute(db);
  }

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // No foreign key on purpose: an invitation for a user id that does not exist is stored like any other, so the
    // inviter's answer cannot tell the two apart. It simply never gets accepted and expires.
    .addColumn('invitee_user_id', 'text')
    .addColumn('invitee_email', 'text')
    /** JSON array of role names, checked against the inviter's right to grant them when the invitation is made. */
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    // A declined invitation leaves the invitee's list at once but stays pending in the inviters' list until it
    // expires: otherwise its disappearing would tell them that the invited user exists.
    .addColumn('declined_at', 'text')
    .execute();
  await db.schema.createIndex('invitations_org').on('invitations').columns(['organisation_id', 'created_at']).execute();
  await db.schema.createIndex('invitations_user').on('invitations').columns(['invitee_user_id']).execute();
  await db.schema.createIndex('invitations_email').on('invitations').columns(['invitee_email']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invitations').execute();
  for (const col of ['label_owner', 'label_tlp', 'label_embargo_until', 'label_restricted']) {
    await db.schema.alterTable('audit_log').dropColumn(col).execute();
  }
}
