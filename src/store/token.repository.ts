import type { Db, Tx } from './db.ts';
import type { ApiTokenTable } from './schema.ts';

/** One user's tokens, newest first; the caller has authorised reading them (token.list). */
export async function listTokensOf(db: Db, userId: string): Promise<ApiTokenTable[]> {
  return db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function findToken(db: Db | Tx, id: string): Promise<ApiTokenTable | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertToken(tx: Tx, row: ApiTokenTable): Promise<void> {
  await tx.insertInto('api_tokens').values(row).execute();
}

export async function markTokenRevoked(tx: Tx, id: string, at: string): Promise<void> {
  await tx.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
}
