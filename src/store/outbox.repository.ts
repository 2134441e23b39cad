import { sql } from 'kysely';
import type { Db, Tx } from './db.ts';
import { isPostgres } from './dialect.ts';

export interface OutboxJob {
  id: number;
  topic: string;
  payload: unknown;
  attempts: number;
}

/** Enqueue inside the transaction that makes the change: the job exists if and only if the change committed. */
export async function enqueue(tx: Tx, topic: string, payload: unknown, nowIso: string, availableAt = nowIso): Promise<void> {
  await tx.insertInto('outbox').values({ topic, payload: JSON.stringify(payload), created_at: nowIso, available_at: availableAt, attempts: 0 }).execute();
}

/**
 * Claims up to `limit` due jobs for `worker` with a lease. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets any number of
 * instances claim concurrently without waiting on or double-claiming each other; SQLite has a single writer, so its
 * transaction is already exclusive. A job whose lease ran out (its worker died) is due again.
 */
export async function claim(db: Db, worker: string, limit: number, nowIso: string, leaseMs: number): Promise<OutboxJob[]> {
  const leaseUntil = new Date(new Date(nowIso).getTime() + leaseMs).toISOString();
  return db.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom('outbox')
      .select(['id', 'topic', 'payload', 'attempts'])
      .where('done_at', 'is', null)
      .where('available_at', '<=', nowIso)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowIso)]))
      .orderBy('id')
      .limit(limit);
    if (isPostgres(tx)) q = q.modifyEnd(sql`for update skip locked`);
    const rows = await q.execute();
    if (rows.length === 0) return [];
    await tx
      .updateTable('outbox')
      .set((eb) => ({ claimed_by: worker, claimed_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', rows.map((r) => r.id))
      .execute();
    return rows.map((r) => ({ id: Number(r.id), topic: r.topic, payload: JSON.parse(r.payload) as unknown, attempts: r.attempts + 1 }));
  });
}

export async function complete(db: Db, id: number, worker: string, nowIso: string): Promise<void> {
  await db.updateTable('outbox').set({ done_at: nowIso, claimed_until: null }).where('id', '=', id).where('claimed_by', '=', worker).execute();
}

/** Releases a failed job to run again at `retryAt` (or for good, when `retryAt` is null), keeping the error. */
export async function fail(db: Db, id: number, worker: string, error: string, retryAt: string | null, nowIso: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set(retryAt === null ? { done_at: nowIso, claimed_until: null, last_error: error.slice(0, 2000) } : { available_at: retryAt, claimed_until: null, last_error: error.slice(0, 2000) })
    .where('id', '=', id)
    .where('claimed_by', '=', worker)
    .execute();
}
