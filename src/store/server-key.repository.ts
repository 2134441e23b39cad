import type { Db } from './db.ts';

/**
 * The server's own long-lived keys (the CSAF OpenPGP signing key). Made once: concurrent first starts on several
 * instances each try to insert and then all read back the one row that won.
 */
export async function getServerKey(db: Db, name: string): Promise<string | null> {
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

export async function putServerKeyIfAbsent(db: Db, name: string, value: string, now: string): Promise<void> {
  await db.insertInto('server_keys').values({ name, value, created_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
}
