/**
 * The outbox jobs of matching that acts (issue 10, docs/remediation.md), enqueued by the workflows that change what
 * matches, inside their own transactions: a job exists exactly when the change committed. Kept apart from
 * RemediationService so that the advisory and inventory services can enqueue without depending on it.
 */
import type { Tx } from '../store/db.ts';
import { enqueue } from '../store/outbox.repository.ts';

export const REMEDIATION_JOBS = {
  /** One advisory against every stored inventory (the reverse query): published, revised, withdrawn, shares changed. */
  advisory: 'remediation.advisory',
  /** Several advisories, one after the other (a batch of the mirror import). */
  advisories: 'remediation.advisories',
  /** One inventory against every advisory its owner may read (the forward scan): an SBOM uploaded or replaced. */
  inventory: 'remediation.inventory',
  /** Unacknowledged critical or KEV-listed notifications of one advisory, at their deadline. */
  escalate: 'remediation.escalate',
} as const;

/**
 * An advisory changed in a way that may change what it affects or who may read it. When its embargo lies ahead a
 * second job runs at its end, when every organisation the TLP admits may read it (the job re-reads, so an embargo
 * moved since makes that run a no-op or a correction).
 */
export async function enqueueAdvisoryMatch(tx: Tx, advisoryId: string, at: string, embargoUntil: string | null): Promise<void> {
  await enqueue(tx, REMEDIATION_JOBS.advisory, { advisoryId }, at);
  if (embargoUntil !== null && embargoUntil > at) await enqueue(tx, REMEDIATION_JOBS.advisory, { advisoryId, embargoEnds: embargoUntil }, at, embargoUntil);
}

/** Advisories imported in one batch (the public mirror): one job for the batch, each advisory matched in turn. */
export async function enqueueAdvisoriesMatch(tx: Tx, advisoryIds: readonly string[], at: string): Promise<void> {
  if (advisoryIds.length) await enqueue(tx, REMEDIATION_JOBS.advisories, { advisoryIds }, at);
}

/** An inventory's SBOM was uploaded or replaced. */
export async function enqueueInventoryMatch(tx: Tx, inventoryId: string, at: string): Promise<void> {
  await enqueue(tx, REMEDIATION_JOBS.inventory, { inventoryId }, at);
}
