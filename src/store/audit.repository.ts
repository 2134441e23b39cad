import { sql } from 'kysely';
import { canonicalJson, digestOf, sha256Hex } from '../domain/canonical-json.ts';
import type { AccessLabel, Principal } from '../domain/policy/access-label.ts';
import type { AuditScope } from '../domain/policy/audit.policy.ts';
import type { Db, Tx } from './db.ts';
import { isPostgres } from './dialect.ts';
import type { AuditLogTable } from './schema.ts';
import { visibleTo } from './visibility.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Any constant works; it names the lock that serialises appends to the chain across server instances.
const AUDIT_LOCK_KEY = 7_262_021;

export interface AuditInput {
  action: string;
  recordType: string;
  recordId: string;
  organisationId: string | null;
  /** Snapshots without secrets; only their digests are stored. */
  before: unknown;
  after: unknown;
  /** The record's access label, for records that carry one: the entry is then as hidden as the record. */
  label?: AccessLabel | null;
}

type LabelFields = 'label_owner' | 'label_tlp' | 'label_embargo_until' | 'label_restricted';
type ChainedFields = Omit<AuditLogTable, 'seq' | 'hash' | LabelFields>;

function entryHash(e: ChainedFields): string {
  return sha256Hex(
    e.prev_hash +
      canonicalJson({
        at: e.at,
        actor_user_id: e.actor_user_id,
        actor_email: e.actor_email,
        organisation_id: e.organisation_id,
        via: e.via,
        token_id: e.token_id,
        session_id: e.session_id,
        action: e.action,
        record_type: e.record_type,
        record_id: e.record_id,
        before_digest: e.before_digest,
        after_digest: e.after_digest,
      }),
  );
}

/** One entry's chained fields and label columns, linked to `prev`. */
function entryRow(actor: Principal, at: string, input: AuditInput, prev: string) {
  const fields: ChainedFields = {
    at,
    actor_user_id: actor.userId,
    actor_email: actor.email,
    organisation_id: input.organisationId,
    via: actor.via,
    token_id: actor.tokenId,
    session_id: actor.sessionId,
    action: input.action,
    record_type: input.recordType,
    record_id: input.recordId,
    before_digest: digestOf(input.before),
    after_digest: digestOf(input.after),
    prev_hash: prev,
  };
  const l = input.label ?? null;
  return { ...fields, hash: entryHash(fields), label_owner: l?.owner ?? null, label_tlp: l?.tlp ?? null, label_embargo_until: l?.embargoUntil ?? null, label_restricted: l?.restricted ?? null };
}

/**
 * Appends many entries in one go (bulk imports): one read of the chain's head, the hashes chained in memory, and
 * multi-row inserts. The same chain, and the same lock, as appending them one by one.
 */
export async function appendAuditMany(tx: Tx, actor: Principal, at: string, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = await tx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  let prev = last?.hash ?? GENESIS_HASH;
  const rows = inputs.map((input) => {
    const row = entryRow(actor, at, input, prev);
    prev = row.hash;
    return row;
  });
  // 18 columns a row: 500 rows stay under SQLite's and PostgreSQL's bound-parameter limits.
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('audit_log').values(rows.slice(i, i + 500)).execute();
}

/** Appends one entry to the hash chain. Call it inside the transaction that makes the change. */
export async function appendAudit(tx: Tx, actor: Principal, at: string, input: AuditInput): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = await tx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  await tx.insertInto('audit_log').values(entryRow(actor, at, input, last?.hash ?? GENESIS_HASH)).execute();
}

/**
 * A labelled record's entries follow its current label: when the label changes, so does that of its earlier entries,
 * so restricting a record also hides its history. Allowed because the label columns are outside the hash chain.
 */
export async function relabelEntries(tx: Tx, recordType: string, recordId: string, label: AccessLabel): Promise<void> {
  await tx
    .updateTable('audit_log')
    .set({ label_owner: label.owner, label_tlp: label.tlp, label_embargo_until: label.embargoUntil, label_restricted: label.restricted })
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .execute();
}

export interface AuditFilter {
  recordType?: string | undefined;
  recordId?: string | undefined;
}

/**
 * Entries the scope may read, newest first: those filed under the scope's organisations (every organisation's for
 * site administrators), unlabelled or with a record label the reader satisfies, decided in SQL.
 */
export async function listAuditEntries(db: Db, scope: AuditScope, filter: AuditFilter, beforeSeq: number | null, limit: number) {
  let q = db
    .selectFrom('audit_log')
    .select(['seq', 'at', 'actor_user_id', 'actor_email', 'organisation_id', 'via', 'token_id', 'session_id', 'action', 'record_type', 'record_id', 'before_digest', 'after_digest', 'prev_hash', 'hash']);
  if (!scope.everyOrganisation) {
    if (scope.organisationIds.length === 0) return [];
    q = q.where('organisation_id', 'in', scope.organisationIds);
  }
  q = q.where((eb) =>
    eb.or([
      eb('label_tlp', 'is', null),
      visibleTo(scope.facts, scope.now, 'audit_log', {
        owner_org_id: 'label_owner',
        tlp: 'label_tlp',
        embargo_until: 'label_embargo_until',
        restricted_role: 'label_restricted',
      })(eb),
    ]),
  );
  if (filter.recordType) q = q.where('record_type', '=', filter.recordType);
  if (filter.recordId) q = q.where('record_id', '=', filter.recordId);
  if (beforeSeq !== null) q = q.where('seq', '<', beforeSeq);
  return q.orderBy('seq', 'desc').limit(limit).execute();
}

export type AuditVerification =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; firstBadSeq: number; reason: string };

/** Recomputes the whole chain in order and names the first row that does not fit. */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<AuditVerification> {
  let prev = GENESIS_HASH;
  let after = 0;
  let count = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(batch).execute();
    if (rows.length === 0) return { ok: true, entries: count, head: prev };
    for (const row of rows) {
      const seq = Number(row.seq);
      if (row.prev_hash !== prev) {
        return { ok: false, entries: count, firstBadSeq: seq, reason: 'prev_hash does not match the previous entry (a row was removed, inserted or reordered)' };
      }
      const { seq: _s, hash, label_owner: _o, label_tlp: _t, label_embargo_until: _e, label_restricted: _r, ...fields } = row;
      if (entryHash(fields) !== hash) {
        return { ok: false, entries: count, firstBadSeq: seq, reason: 'content does not match its hash (the row was edited)' };
      }
      prev = hash;
      after = seq;
      count++;
    }
  }
}
