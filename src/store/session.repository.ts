import type { Tx } from './db.ts';

/** Ends every session of a user (disabled, password reset by an administrator). */
export async function deleteSessionsOfUser(tx: Tx, userId: string): Promise<void> {
  await tx.deleteFrom('sessions').where('user_id', '=', userId).execute();
}
