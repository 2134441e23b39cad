import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Issue 9: case threads (see src/store/schema-case-threads.ts). Messages of both threads of every case in one table,
 * with one index in the order every read takes: a thread's page (newest or oldest first, keyset on created_at, seq),
 * its count since a user's last visit (created_at > mark) and its total are all range scans of
 * (case_seq, thread, created_at, seq). Attachments hang on messages through attachments.case_message_id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const isPg = isPostgres(db);
  await db.schema
    .createTable('case_messages')
    .addColumn('seq', isPg ? 'serial' : 'integer', (c: any) => (isPg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('case_seq', 'integer', (c) => c.notNull().references('cases.seq').onDelete('cascade'))
    .addColumn('thread', 'text', (c) => c.notNull())
    .addColumn('author_user_id', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('author_org_name', 'text', (c) => c.notNull())
    .addColumn('author_role', 'text')
    .addColumn('reply_to_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('render_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_messages_thread').on('case_messages').columns(['case_seq', 'thread', 'created_at', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_messages').execute();
}
