import { sql } from 'kysely';
import type { Db, Tx } from './db.ts';
import type { SessionTable } from './schema.ts';

/** Every query of sign-in, sessions, sign-in back-off, known devices and token revocation. */

export interface AttemptLadder {
  /** (attempts -> locked until), ascending; the last entry holds for every higher count. */
  ladder: { attempts: number; until: string }[];
  /** A counter last touched before this starts again from zero. */
  quietSince: string;
  now: string;
}

class Locked extends Error {
  constructor(readonly key: string) {
    super('locked');
  }
}

/**
 * Counts one sign-in attempt against every key, atomically, before the password is checked: one upsert per key that
 * increments the counter and sets the lock the new count earns in the same statement, and does nothing while the key
 * is locked. Concurrent attempts therefore cannot all pass one check, and two first attempts never race to insert.
 * When any key is locked nothing is counted (the transaction rolls back) and its lock end is returned.
 */
export type Reservation = { locked: false; counts: Map<string, number> } | { locked: true; lockedUntil: string };

export async function reserveSignInAttempt(db: Db, keys: string[], l: AttemptLadder): Promise<Reservation> {
  // The same order everywhere, so two transactions on PostgreSQL never wait on each other's rows in a cycle.
  const sorted = [...new Set(keys)].sort();
  const first = l.ladder[0]!;
  const counts = new Map<string, number>();
  try {
    await db.transaction().execute(async (tx) => {
      for (const key of sorted) {
        const next = sql<number>`(case when sign_in_failures.updated_at < ${l.quietSince} then 1 else sign_in_failures.failures + 1 end)`;
        let lock = sql<string | null>`null`;
        // Highest rung first: the CASE picks the lock for the first threshold the new count reaches.
        for (const rung of [...l.ladder].reverse()) lock = sql<string | null>`case when ${next} >= ${rung.attempts} then ${rung.until} else ${lock} end`;
        const row = await tx
          .insertInto('sign_in_failures')
          .values({ key, failures: 1, locked_until: first.attempts <= 1 ? first.until : null, updated_at: l.now })
          .onConflict((oc) =>
            oc
              .column('key')
              .doUpdateSet({ failures: next, locked_until: lock, updated_at: l.now })
              .where((eb) => eb.or([eb('sign_in_failures.locked_until', 'is', null), eb('sign_in_failures.locked_until', '<=', l.now)])),
          )
          .returning('failures')
          .executeTakeFirst();
        if (!row) throw new Locked(key);
        counts.set(key, Number(row.failures));
      }
    });
    return { locked: false, counts };
  } catch (err) {
    if (!(err instanceof Locked)) throw err;
    const row = await db.selectFrom('sign_in_failures').select('locked_until').where('key', '=', err.key).executeTakeFirst();
    return { locked: true, lockedUntil: row?.locked_until ?? l.now };
  }
}

/**
 * A successful sign-in gives back the attempt it was counted as, and nothing more. While its reservation is still
 * the latest on a key, the lock that reservation earned goes too (any earlier lock had expired, or the attempt would
 * not have been let through); once someone else has counted since, their lock stays and only the count goes down.
 */
export async function refundSignInAttempt(db: Db, counts: Map<string, number>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const [key, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const own = await tx.updateTable('sign_in_failures').set({ failures: n - 1, locked_until: null }).where('key', '=', key).where('failures', '=', n).executeTakeFirst();
      if (Number(own.numUpdatedRows) === 1) continue;
      await tx
        .updateTable('sign_in_failures')
        .set({ failures: sql<number>`case when failures > 0 then failures - 1 else 0 end` })
        .where('key', '=', key)
        .execute();
    }
  });
}

export async function findUserForSignIn(db: Db, email: string) {
  return db.selectFrom('users').select(['id', 'password_hash', 'disabled']).where('email', '=', email).executeTakeFirst();
}

export async function findPasswordState(db: Db, userId: string) {
  return db.selectFrom('users').select(['email', 'name', 'password_hash', 'version']).where('id', '=', userId).executeTakeFirst();
}

export async function setPassword(tx: Tx, userId: string, hash: string, fromVersion: number, mustChange: boolean, now: string): Promise<boolean> {
  const res = await tx
    .updateTable('users')
    .set({ password_hash: hash, must_change_password: mustChange ? 1 : 0, version: fromVersion + 1, updated_at: now })
    .where('id', '=', userId)
    .where('version', '=', fromVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function isKnownDevice(db: Db, secretHash: string, userId: string, since: string): Promise<boolean> {
  const row = await db
    .selectFrom('sign_in_devices')
    .select('user_id')
    .where('secret_hash', '=', secretHash)
    .where('user_id', '=', userId)
    .where('last_used_at', '>', since)
    .executeTakeFirst();
  return row !== undefined;
}

export async function rememberDevice(tx: Tx, secretHash: string, userId: string, now: string): Promise<void> {
  await tx
    .insertInto('sign_in_devices')
    .values({ secret_hash: secretHash, user_id: userId, created_at: now, last_used_at: now })
    .onConflict((oc) => oc.columns(['secret_hash', 'user_id']).doUpdateSet({ last_used_at: now }))
    .execute();
}

export async function insertSession(tx: Tx, row: SessionTable): Promise<void> {
  await tx.insertInto('sessions').values(row).execute();
}

export async function findSessionBySecretHash(db: Db, secretHash: string) {
  return db.selectFrom('sessions').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
}

export async function touchSession(db: Db, id: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function deleteSession(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Ends the user's sessions, all or all but one; returns how many ended. */
export async function deleteUserSessions(tx: Tx, userId: string, exceptSessionId: string | null = null): Promise<number> {
  let q = tx.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function findTokenBySecretHash(db: Db, secretHash: string) {
  return db.selectFrom('api_tokens').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
}

export async function touchToken(db: Db, id: string, now: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** Revokes every token of the user that still works; returns their ids (for the audit entry). */
export async function revokeUserTokens(tx: Tx, userId: string, now: string): Promise<string[]> {
  const rows = await tx
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort();
}
