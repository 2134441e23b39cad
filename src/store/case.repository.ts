/**
 * Coordinated disclosure cases (issue 9): every query of cases, their participants, findings, vendor statuses, public
 * date history, extension requests, per-user read markers, and the product declarations of organisations.
 *
 * The read rule: a case is a labelled record whose sharedWith list is its participants (case_participants is the
 * share table, CASE_SHARES). `canRead` over `findCaseRecord(...).label` for a case in hand, `visibleTo(..., CASE_SHARES)`
 * in SQL for lists; both are the same rule (src/domain/policy/access-label.ts, src/store/visibility.ts).
 *
 * API for the other parts of issue 9 (threads, notifications):
 * - `findCaseRecord(db, id)` -> `{ seq, id, label, participants }` or undefined. Unscoped: decide with
 *   `authorize(actor, 'case.read', record, now)` (src/domain/policy/case.policy.ts), or better call
 *   `CaseService.readable(actor, id)` / `CaseService.readableIn(tx, actor, id)`, which do exactly that and throw the
 *   same not-found as for an absent case. `label.sharedWith` is the participant organisations; `participants` maps
 *   each to its role (reporter, vendor, coordinator, observer).
 * - `markSeen(tx, userId, caseSeq, key, at)`: records that the user looked at one part of the case at `at` (an upsert;
 *   a later call moves the mark forward, an earlier one never moves it back). Keys in use: `statuses` (vendor status
 *   table, this part), `thread:participants` and `thread:internal` (threads). A key is at most 60 characters.
 * - `seenMarks(db, userId, caseSeq)` -> Map<key, ISO time> of the user's marks on that case (absent: never seen).
 *   "Unread" is anything changed after the mark by someone else.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AccessLabel, Tlp } from '../domain/policy/access-label.ts';
import type { CaseRecord, CaseScope, ParticipantRole } from '../domain/policy/case.policy.ts';
import type { Db, Tx } from './db.ts';
import type { CaseExtensionRequestTable, CasePublicDateChangeTable, CaseStatusEventTable, CaseVendorStatusTable, OrganisationProductTable } from './schema-cases.ts';
import type { CaseTable } from './schema-intake.ts';
import { sharesOf } from './finding.repository.ts';
import { visibleTo, type ShareTable } from './visibility.ts';

export const CASE_SHARES: ShareTable = { table: 'case_participants', recordColumn: 'case_seq', keyColumn: 'seq' };

const BATCH = 500;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export type CaseRow = Omit<CaseTable, 'seq'> & { seq: number };
export type NewCaseRow = Omit<CaseTable, 'seq'>;

export interface CaseRecordRow extends CaseRecord {
  seq: number;
  id: string;
}

export interface ParticipantRow {
  organisation_id: string;
  role: ParticipantRole;
  added_by: string | null;
  added_at: string;
  name: string;
  kind: string;
}

export function caseLabel(r: Pick<CaseTable, 'owner_org_id' | 'tlp' | 'embargo_until' | 'restricted_role'>, participants: readonly string[]): AccessLabel {
  return { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith: [...participants].sort() };
}

async function participantMap(db: Db | Tx, caseSeq: number): Promise<Map<string, ParticipantRole>> {
  const rows = await db.selectFrom('case_participants').select(['organisation_id', 'role']).where('case_seq', '=', caseSeq).execute();
  return new Map(rows.map((r) => [r.organisation_id, r.role as ParticipantRole]));
}

/** Unscoped: the case's seq, id, label (sharedWith = participants) and participants' roles; the caller decides with the policy. */
export async function findCaseRecord(db: Db | Tx, id: string): Promise<CaseRecordRow | undefined> {
  const found = await findCase(db, id);
  return found ? found.record : undefined;
}

/** Unscoped: the whole row and its policy record. */
export async function findCase(db: Db | Tx, id: string): Promise<{ row: CaseRow; record: CaseRecordRow } | undefined> {
  const row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const seq = Number(row.seq);
  const participants = await participantMap(db, seq);
  return { row: { ...row, seq }, record: { seq, id: row.id, label: caseLabel(row, [...participants.keys()]), participants } };
}

export async function insertCase(tx: Tx, row: NewCaseRow): Promise<number> {
  const r = await tx.insertInto('cases').values(row).returning('seq').executeTakeFirstOrThrow();
  return Number(r.seq);
}

/** Conditional on the version read: false when someone changed the case first. */
export async function updateCase(tx: Tx, seq: number, expectedVersion: number, set: Partial<Omit<CaseTable, 'seq' | 'id' | 'version'>>): Promise<boolean> {
  const r = await tx
    .updateTable('cases')
    .set({ ...set, version: expectedVersion + 1 })
    .where('seq', '=', seq)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Every change to a case moves it to the top of the lists and bumps its version (no condition: the change itself was checked). */
export async function touchCase(tx: Tx, seq: number, nowIso: string): Promise<void> {
  await tx.updateTable('cases').set((eb) => ({ updated_at: nowIso, version: eb('version', '+', 1) })).where('seq', '=', seq).execute();
}

export async function insertParticipants(tx: Tx, rows: readonly { case_seq: number; organisation_id: string; role: ParticipantRole; added_by: string | null; added_at: string }[]): Promise<void> {
  if (rows.length) await tx.insertInto('case_participants').values(rows as never).execute();
}

export async function deleteParticipant(tx: Tx, caseSeq: number, organisationId: string): Promise<void> {
  await tx.deleteFrom('case_participants').where('case_seq', '=', caseSeq).where('organisation_id', '=', organisationId).execute();
}

export async function listParticipants(db: Db | Tx, caseSeq: number): Promise<ParticipantRow[]> {
  const rows = await db
    .selectFrom('case_participants')
    .innerJoin('organisations', 'organisations.id', 'case_participants.organisation_id')
    .select(['case_participants.organisation_id', 'case_participants.role', 'case_participants.added_by', 'case_participants.added_at', 'organisations.name', 'organisations.kind'])
    .where('case_participants.case_seq', '=', caseSeq)
    .orderBy('case_participants.added_at')
    .orderBy('organisations.name')
    .execute();
  return rows as ParticipantRow[];
}

export async function organisationsById(db: Db | Tx, ids: readonly string[]): Promise<Map<string, { id: string; name: string; kind: string }>> {
  const out = new Map<string, { id: string; name: string; kind: string }>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db.selectFrom('organisations').select(['id', 'name', 'kind']).where('id', 'in', ids.slice(i, i + BATCH)).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

// ---- Findings of a case, and their sharing with participants ----

export interface CaseFindingRow {
  seq: number;
  id: string;
  title: string;
  state: string;
  aliases: string;
  product_purl: string | null;
  product_cpe: string | null;
  product_name: string | null;
  product_org_id: string | null;
  reporter_org_id: string;
  reporter_name: string;
  exploitation_rank: number;
  label: AccessLabel;
}

/** The findings of these seqs with their full labels (shares included), for the service to filter per reader. */
export async function findingsBySeq(db: Db | Tx, seqs: readonly number[]): Promise<CaseFindingRow[]> {
  if (!seqs.length) return [];
  const shares = await sharesOf(db, seqs);
  const out: CaseFindingRow[] = [];
  for (let i = 0; i < seqs.length; i += BATCH) {
    const rows = await db
      .selectFrom('findings')
      .innerJoin('organisations as reporter', 'reporter.id', 'findings.reporter_org_id')
      .select([
        'findings.seq', 'findings.id', 'findings.title', 'findings.state', 'findings.aliases', 'findings.product_purl', 'findings.product_cpe', 'findings.product_name',
        'findings.product_org_id', 'findings.reporter_org_id', 'reporter.name as reporter_name', 'findings.exploitation_rank',
        'findings.owner_org_id', 'findings.tlp', 'findings.embargo_until', 'findings.restricted_role',
      ])
      .where('findings.seq', 'in', seqs.slice(i, i + BATCH))
      .orderBy('findings.seq')
      .execute();
    for (const r of rows) {
      const seq = Number(r.seq);
      out.push({
        seq, id: r.id, title: r.title, state: r.state, aliases: r.aliases, product_purl: r.product_purl, product_cpe: r.product_cpe, product_name: r.product_name,
        product_org_id: r.product_org_id, reporter_org_id: r.reporter_org_id, reporter_name: r.reporter_name, exploitation_rank: Number(r.exploitation_rank),
        label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith: shares.get(seq) ?? [] },
      });
    }
  }
  return out;
}

export async function findingSeqsByIds(db: Db | Tx, ids: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = await db.selectFrom('findings').select(['id', 'seq']).where('id', 'in', ids.slice(i, i + BATCH)).execute();
    for (const r of rows) out.set(r.id, Number(r.seq));
  }
  return out;
}

export async function caseFindingSeqs(db: Db | Tx, caseSeq: number): Promise<number[]> {
  const rows = await db.selectFrom('case_findings').select('finding_seq').where('case_seq', '=', caseSeq).orderBy('finding_seq').execute();
  return rows.map((r) => Number(r.finding_seq));
}

export async function insertCaseFindings(tx: Tx, caseSeq: number, findingSeqs: readonly number[]): Promise<void> {
  if (findingSeqs.length) await tx.insertInto('case_findings').values(findingSeqs.map((f) => ({ case_seq: caseSeq, finding_seq: f }))).onConflict((oc) => oc.doNothing()).execute();
}

/**
 * Shares findings with organisations (finding_shares, the findings' sharedWith): participants read the case's
 * findings through the findings' own rule. Existing shares stay as they are.
 */
export async function shareFindings(tx: Tx, findingSeqs: readonly number[], organisationIds: readonly string[]): Promise<void> {
  const rows = findingSeqs.flatMap((f) => organisationIds.map((o) => ({ finding_seq: f, organisation_id: o })));
  for (let i = 0; i < rows.length; i += BATCH) await tx.insertInto('finding_shares').values(rows.slice(i, i + BATCH)).onConflict((oc) => oc.doNothing()).execute();
}

/**
 * Takes back what `shareFindings` gave an organisation through this case: its shares of the case's findings, except
 * those it still holds through another case it participates in that has the same finding (shares exist only because
 * of cases: finding_shares has no other writer). Call after the participant row is gone.
 */
export async function unshareFindings(tx: Tx, caseSeq: number, organisationId: string): Promise<void> {
  const findingSeqs = await caseFindingSeqs(tx, caseSeq);
  for (let i = 0; i < findingSeqs.length; i += BATCH) {
    await tx
      .deleteFrom('finding_shares')
      .where('finding_shares.organisation_id', '=', organisationId)
      .where('finding_shares.finding_seq', 'in', findingSeqs.slice(i, i + BATCH))
      .where(({ not, exists, selectFrom }) =>
        not(exists(
          selectFrom('case_findings')
            .innerJoin('case_participants', 'case_participants.case_seq', 'case_findings.case_seq')
            .select('case_findings.case_seq')
            .whereRef('case_findings.finding_seq', '=', 'finding_shares.finding_seq')
            .where('case_participants.organisation_id', '=', organisationId),
        )),
      )
      .execute();
  }
}

// ---- Lists ----

export interface CaseFilter {
  state?: string | undefined;
  q?: string | undefined;
  /** Cases this organisation participates in. */
  participant?: string | undefined;
  /** Cases holding this finding (by seq). */
  findingSeq?: number | undefined;
}

/** Keyset: most recently changed first. */
export type CaseKey = [string, number];

function readable(scope: CaseScope) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => (scope.all ? eb.lit(true) : visibleTo(scope.facts, scope.now, 'cases', undefined, CASE_SHARES)(eb));
}

/** The cases the scope may read, newest change first; `limit` rows (ask limit+1 to know whether more follow). */
export async function listCases(db: Db, scope: CaseScope, f: CaseFilter, after: CaseKey | null, limit: number): Promise<CaseRow[]> {
  let q = db.selectFrom('cases').selectAll('cases').where(readable(scope));
  if (f.state) q = q.where('cases.state', '=', f.state);
  if (f.q) q = q.where(sql<SqlBool>`lower(cases.title) like ${`%${likeEscape(f.q.toLowerCase())}%`} escape '\\'`);
  if (f.participant) {
    const org = f.participant;
    q = q.where((eb) => eb.exists(eb.selectFrom('case_participants').select('case_participants.case_seq').whereRef('case_participants.case_seq', '=', 'cases.seq').where('case_participants.organisation_id', '=', org)));
  }
  if (f.findingSeq !== undefined) {
    const fs = f.findingSeq;
    q = q.where((eb) => eb.exists(eb.selectFrom('case_findings').select('case_findings.case_seq').whereRef('case_findings.case_seq', '=', 'cases.seq').where('case_findings.finding_seq', '=', fs)));
  }
  if (after) {
    const [t, s] = after;
    q = q.where((eb) => eb.or([eb('cases.updated_at', '<', t), eb.and([eb('cases.updated_at', '=', t), eb('cases.seq', '<', s)])]));
  }
  const rows = await q.orderBy('cases.updated_at', 'desc').orderBy('cases.seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function participantsOf(db: Db | Tx, caseSeqs: readonly number[]): Promise<Map<number, Map<string, ParticipantRole>>> {
  const out = new Map<number, Map<string, ParticipantRole>>();
  for (let i = 0; i < caseSeqs.length; i += BATCH) {
    const rows = await db.selectFrom('case_participants').select(['case_seq', 'organisation_id', 'role']).where('case_seq', 'in', caseSeqs.slice(i, i + BATCH)).execute();
    for (const r of rows) {
      const m = out.get(Number(r.case_seq)) ?? new Map<string, ParticipantRole>();
      m.set(r.organisation_id, r.role as ParticipantRole);
      out.set(Number(r.case_seq), m);
    }
  }
  return out;
}

// ---- Vendor statuses ----

export type StatusRow = CaseVendorStatusTable;
export type StatusEventRow = Omit<CaseStatusEventTable, 'seq'> & { seq: number };

/** The status table: one row per vendor participant (an `unknown` status until the vendor states one), by name. */
export async function listStatuses(db: Db | Tx, caseSeq: number): Promise<(ParticipantRow & { status: StatusRow | null })[]> {
  const rows = await db
    .selectFrom('case_participants')
    .innerJoin('organisations', 'organisations.id', 'case_participants.organisation_id')
    .leftJoin('case_vendor_statuses as s', (j) => j.onRef('s.case_seq', '=', 'case_participants.case_seq').onRef('s.organisation_id', '=', 'case_participants.organisation_id'))
    .select([
      'case_participants.organisation_id', 'case_participants.role', 'case_participants.added_by', 'case_participants.added_at', 'organisations.name', 'organisations.kind',
      's.status', 's.statement', 's.fixed_versions', 's.mitigations', 's.updated_by', 's.updated_by_user_id', 's.updated_at', 's.version',
    ])
    .where('case_participants.case_seq', '=', caseSeq)
    .where('case_participants.role', '=', 'vendor')
    .orderBy('organisations.name')
    .execute();
  return rows.map((r) => ({
    organisation_id: r.organisation_id, role: r.role as ParticipantRole, added_by: r.added_by, added_at: r.added_at, name: r.name, kind: r.kind,
    status: r.status === null ? null : {
      case_seq: caseSeq, organisation_id: r.organisation_id, status: r.status, statement: r.statement!, fixed_versions: r.fixed_versions!, mitigations: r.mitigations!,
      updated_by: r.updated_by!, updated_by_user_id: r.updated_by_user_id, updated_at: r.updated_at!, version: Number(r.version),
    },
  }));
}

export async function findStatus(db: Db | Tx, caseSeq: number, organisationId: string): Promise<StatusRow | undefined> {
  const r = await db.selectFrom('case_vendor_statuses').selectAll().where('case_seq', '=', caseSeq).where('organisation_id', '=', organisationId).executeTakeFirst();
  return r ? { ...r, version: Number(r.version) } : undefined;
}

/** Insert or replace a vendor's status, conditional on the version read (0: none yet). False when someone was first. */
export async function saveStatus(tx: Tx, row: StatusRow, expectedVersion: number): Promise<boolean> {
  if (expectedVersion === 0) {
    const r = await tx.insertInto('case_vendor_statuses').values(row).onConflict((oc) => oc.columns(['case_seq', 'organisation_id']).doNothing()).returning('version').executeTakeFirst();
    return r !== undefined;
  }
  const { case_seq, organisation_id, ...set } = row;
  const r = await tx.updateTable('case_vendor_statuses').set(set).where('case_seq', '=', case_seq).where('organisation_id', '=', organisation_id).where('version', '=', expectedVersion).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertStatusEvent(tx: Tx, row: Omit<CaseStatusEventTable, 'seq'>): Promise<void> {
  await tx.insertInto('case_status_events').values(row).execute();
}

export async function statusHistory(db: Db | Tx, caseSeq: number, organisationId: string, limit: number): Promise<StatusEventRow[]> {
  const rows = await db.selectFrom('case_status_events').selectAll().where('case_seq', '=', caseSeq).where('organisation_id', '=', organisationId).orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

// ---- Public date ----

export type PublicDateChangeRow = Omit<CasePublicDateChangeTable, 'seq'> & { seq: number };

export async function insertPublicDateChange(tx: Tx, row: Omit<CasePublicDateChangeTable, 'seq'>): Promise<void> {
  await tx.insertInto('case_public_date_changes').values(row).execute();
}

export async function publicDateHistory(db: Db | Tx, caseSeq: number, limit: number): Promise<PublicDateChangeRow[]> {
  const rows = await db.selectFrom('case_public_date_changes').selectAll().where('case_seq', '=', caseSeq).orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

// ---- Extension requests ----

export type ExtensionRow = Omit<CaseExtensionRequestTable, 'seq'> & { seq: number; organisation_name: string };

export async function insertExtensionRequest(tx: Tx, row: Omit<CaseExtensionRequestTable, 'seq'>): Promise<void> {
  await tx.insertInto('case_extension_requests').values(row).execute();
}

export async function listExtensionRequests(db: Db | Tx, caseSeq: number, limit: number): Promise<ExtensionRow[]> {
  const rows = await db
    .selectFrom('case_extension_requests')
    .innerJoin('organisations', 'organisations.id', 'case_extension_requests.organisation_id')
    .selectAll('case_extension_requests')
    .select('organisations.name as organisation_name')
    .where('case_extension_requests.case_seq', '=', caseSeq)
    .orderBy('case_extension_requests.seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function findExtensionRequest(db: Db | Tx, caseSeq: number, id: string): Promise<ExtensionRow | undefined> {
  const r = await db
    .selectFrom('case_extension_requests')
    .innerJoin('organisations', 'organisations.id', 'case_extension_requests.organisation_id')
    .selectAll('case_extension_requests')
    .select('organisations.name as organisation_name')
    .where('case_extension_requests.case_seq', '=', caseSeq)
    .where('case_extension_requests.id', '=', id)
    .executeTakeFirst();
  return r ? { ...r, seq: Number(r.seq) } : undefined;
}

export async function countPendingExtensions(db: Db | Tx, caseSeq: number): Promise<number> {
  const r = await db.selectFrom('case_extension_requests').select((eb) => eb.fn.countAll().as('n')).where('case_seq', '=', caseSeq).where('state', '=', 'pending').executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Decides a pending request; false when it was no longer pending (someone decided first). */
export async function decideExtensionRequest(tx: Tx, seq: number, set: { state: 'accepted' | 'refused'; decision_note: string | null; decided_by: string; decided_at: string }): Promise<boolean> {
  const r = await tx.updateTable('case_extension_requests').set(set).where('seq', '=', seq).where('state', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---- Per-user read markers ----

export const SEEN_KEY_MAX = 60;

/** Records that the user looked at `key` of the case at `at`; a mark only ever moves forward. */
export async function markSeen(tx: Db | Tx, userId: string, caseSeq: number, key: string, at: string): Promise<void> {
  await tx
    .insertInto('case_seen_marks')
    .values({ user_id: userId, case_seq: caseSeq, key, seen_at: at })
    .onConflict((oc) => oc.columns(['user_id', 'case_seq', 'key']).doUpdateSet({ seen_at: (eb) => eb.ref('excluded.seen_at') }).where('case_seen_marks.seen_at', '<', at))
    .execute();
}

export async function seenMarks(db: Db | Tx, userId: string, caseSeq: number): Promise<Map<string, string>> {
  const rows = await db.selectFrom('case_seen_marks').select(['key', 'seen_at']).where('user_id', '=', userId).where('case_seq', '=', caseSeq).execute();
  return new Map(rows.map((r) => [r.key, r.seen_at]));
}

/**
 * Per case, how many vendor statuses changed (by someone else) since the user last looked at the status table.
 * Only for cases the caller already knows the user may read.
 */
export async function unreadStatusCounts(db: Db, userId: string, caseSeqs: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!caseSeqs.length) return out;
  const rows = await db
    .selectFrom('case_vendor_statuses as s')
    .innerJoin('case_participants as p', (j) => j.onRef('p.case_seq', '=', 's.case_seq').onRef('p.organisation_id', '=', 's.organisation_id'))
    .leftJoin('case_seen_marks as m', (j) => j.onRef('m.case_seq', '=', 's.case_seq').on('m.user_id', '=', userId).on('m.key', '=', 'statuses'))
    .select(['s.case_seq', (eb) => eb.fn.countAll().as('n')])
    .where('s.case_seq', 'in', [...caseSeqs])
    .where('p.role', '=', 'vendor')
    .where((eb) => eb.or([eb('s.updated_by_user_id', 'is', null), eb('s.updated_by_user_id', '<>', userId)]))
    .where((eb) => eb.or([eb('m.seen_at', 'is', null), eb('s.updated_at', '>', eb.ref('m.seen_at'))]))
    .groupBy('s.case_seq')
    .execute();
  for (const r of rows) out.set(Number(r.case_seq), Number(r.n));
  return out;
}

// ---- Product declarations ----

export type ProductRow = Omit<OrganisationProductTable, 'seq'> & { seq: number };

export async function listProducts(db: Db | Tx, organisationId: string, limit: number): Promise<ProductRow[]> {
  const rows = await db.selectFrom('organisation_products').selectAll().where('organisation_id', '=', organisationId).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function countProducts(db: Db | Tx, organisationId: string): Promise<number> {
  const r = await db.selectFrom('organisation_products').select((eb) => eb.fn.countAll().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertProduct(tx: Tx, row: Omit<OrganisationProductTable, 'seq'>): Promise<void> {
  await tx.insertInto('organisation_products').values(row).execute();
}

export async function findProduct(db: Db | Tx, organisationId: string, id: string): Promise<ProductRow | undefined> {
  const r = await db.selectFrom('organisation_products').selectAll().where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
  return r ? { ...r, seq: Number(r.seq) } : undefined;
}

export async function deleteProduct(tx: Tx, seq: number): Promise<void> {
  await tx.deleteFrom('organisation_products').where('seq', '=', seq).execute();
}

/** Declarations that could match products of these purl types or CPE vendors (the exact match is pure domain code). */
export async function candidateDeclarations(db: Db | Tx, purlTypes: readonly string[], cpeVendors: readonly string[]): Promise<(ProductRow & { organisation_name: string; organisation_kind: string })[]> {
  if (!purlTypes.length && !cpeVendors.length) return [];
  const rows = await db
    .selectFrom('organisation_products')
    .innerJoin('organisations', 'organisations.id', 'organisation_products.organisation_id')
    .selectAll('organisation_products')
    .select(['organisations.name as organisation_name', 'organisations.kind as organisation_kind'])
    .where((eb) => eb.or([
      ...(purlTypes.length ? [eb.and([eb('organisation_products.kind', '=', 'purl'), eb('organisation_products.purl_type', 'in', [...purlTypes])])] : []),
      ...(cpeVendors.length ? [eb.and([eb('organisation_products.kind', '=', 'cpe'), eb('organisation_products.cpe_vendor', 'in', [...cpeVendors])])] : []),
    ]))
    .orderBy('organisation_products.seq')
    .limit(5000)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}
