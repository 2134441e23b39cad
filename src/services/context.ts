import type { Clock } from '../domain/clock.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { appendAudit, appendAuditMany, type AuditInput } from '../store/audit.repository.ts';
import type { Db, Driver, Tx } from '../store/db.ts';
import type { ChangeEvent, EventBus } from '../store/event-bus.ts';

export interface ServiceDeps {
  db: Db;
  driver: Driver;
  clock: Clock;
  events: EventBus;
  /** argon2 cost; tests lower it. */
  passwordHashing?: { memoryCost: number; timeCost: number };
}

/**
 * Runs one write and its audit entries in a single transaction; events are published only after commit, so a
 * listener never sees a change that was rolled back.
 */
export async function writeTx<T>(
  deps: ServiceDeps,
  actor: Principal,
  fn: (tx: Tx, audit: (e: AuditInput) => Promise<void>, now: string, auditMany: (es: AuditInput[]) => Promise<void>) => Promise<T>,
  /** Reshape the events before they go out, e.g. one "reload everything" for a bulk import of thousands of records. */
  collapseEvents?: (events: ChangeEvent[]) => ChangeEvent[],
): Promise<T> {
  const events: ChangeEvent[] = [];
  const now = deps.clock.now().toISOString();
  const result = await deps.db.transaction().execute(async (tx) =>
    fn(
      tx,
      async (e) => {
        await appendAudit(tx, actor, now, e);
        events.push({ topic: e.action, recordType: e.recordType, recordId: e.recordId, organisationId: e.organisationId });
      },
      now,
      async (es) => {
        await appendAuditMany(tx, actor, now, es);
        for (const e of es) events.push({ topic: e.action, recordType: e.recordType, recordId: e.recordId, organisationId: e.organisationId });
      },
    ),
  );
  for (const e of collapseEvents ? collapseEvents(events) : events) deps.events.publish(e);
  return result;
}
