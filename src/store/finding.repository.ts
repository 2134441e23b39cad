/**
 * Findings, their reports and de-duplication keys (issue 9). Every read that serves a reader goes through
 * `visibleTo` with finding_shares, the SQL form of the finding read rule, so what is matched, listed or counted is
 * exactly what canRead allows.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Insertable, Selectable } from 'kysely';
import type { AccessLabel, Tlp } from '../domain/policy/access-label.ts';
import type { FindingScope } from '../domain/policy/finding.policy.ts';
import type { Db, Tx } from './db.ts';
import type { FindingReportTable, FindingTable } from './schema-intake.ts';
import { visibleTo } from './visibility.ts';

export type FindingRow = Selectable<FindingTable> & { reporter_name: string; product_org_name: string | null };
export type NewFindingRow = Insertable<FindingTable>;
export type NewReportRow = Insertable<FindingReportTable>;
export type ReportRow = Selectable<FindingReportTable> & { reporter_name: string };

export const FINDING_SHARES = { table: 'finding_shares', recordColumn: 'finding_seq', keyColumn: 'seq' } as const;

/** Statement sizes: SQLite allows 32,766 bound values, and a findings row binds ~35. */
const ROWS_PER_INSERT = 200;
const KEYS_PER_LOOKUP = 500;

export function labelOf(r: Pick<FindingTable, 'owner_org_id' | 'tlp' | 'embargo_until' | 'restricted_role'>, sharedWith: readonly string[]): AccessLabel {
  return { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith };
}

function baseSelect(db: Db | Tx) {
  return db
    .selectFrom('findings')
    .innerJoin('organisations as reporter', 'reporter.id', 'findings.reporter_org_id')
    .leftJoin('organisations as maker', 'maker.id', 'findings.product_org_id')
    .selectAll('findings')
    .select(['reporter.name as reporter_name', 'maker.name as product_org_name']);
}

export async function sharesOf(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (let i = 0; i < seqs.length; i += KEYS_PER_LOOKUP) {
    const rows = await db.selectFrom('finding_shares').select(['finding_seq', 'organisation_id']).where('finding_seq', 'in', seqs.slice(i, i + KEYS_PER_LOOKUP)).execute();
    for (const r of rows) out.set(Number(r.finding_seq), [...(out.get(Number(r.finding_seq)) ?? []), r.organisation_id]);
  }
  return out;
}

/** Unscoped: the caller decides with the policy on the label it returns. */
export async function findFinding(db: Db | Tx, id: string): Promise<{ row: FindingRow; label: AccessLabel } | undefined> {
  const row = (await baseSelect(db).where('findings.id', '=', id).executeTakeFirst()) as FindingRow | undefined;
  if (!row) return undefined;
  const shares = await sharesOf(db, [Number(row.seq)]);
  return { row: { ...row, seq: Number(row.seq) }, label: labelOf(row, shares.get(Number(row.seq)) ?? []) };
}

/** For other services' policy checks (cases, triage, threads): the finding's seq and full label. */
export async function findingRecordById(db: Db | Tx, id: string): Promise<{ seq: number; id: string; label: AccessLabel } | undefined> {
  const f = await findFinding(db, id);
  return f ? { seq: f.row.seq, id: f.row.id, label: f.label } : undefined;
}

export async function findingRecordsBySeq(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, { seq: number; id: string; label: AccessLabel }>> {
  const out = new Map<number, { seq: number; id: string; label: AccessLabel }>();
  if (!seqs.length) return out;
  const shares = await sharesOf(db, seqs);
  for (let i = 0; i < seqs.length; i += KEYS_PER_LOOKUP) {
    const rows = await db.selectFrom('findings').select(['seq', 'id', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role']).where('seq', 'in', seqs.slice(i, i + KEYS_PER_LOOKUP)).execute();
    for (const r of rows) out.set(Number(r.seq), { seq: Number(r.seq), id: r.id, label: labelOf(r, shares.get(Number(r.seq)) ?? []) });
  }
  return out;
}

/**
 * Which of these keys (`kind|value`) already belong to a finding the reader may read: key -> finding seq (the
 * oldest finding when several hold it). Findings the reader cannot read are not matched (matching them would tell
 * the reporter that a hidden finding exists); `hiddenMatches` answers that question for coordinators' records.
 */
export async function readableKeyOwners(db: Db | Tx, scope: FindingScope, keys: readonly { kind: string; value: string }[]): Promise<Map<string, number>> {
  return keyOwners(db, keys, scope);
}

/** Every finding holding one of these keys, readable or not: for the service's own "possible duplicate" records. */
export async function anyKeyOwners(db: Db | Tx, keys: readonly { kind: string; value: string }[]): Promise<Map<string, number>> {
  return keyOwners(db, keys, null);
}

async function keyOwners(db: Db | Tx, keys: readonly { kind: string; value: string }[], scope: FindingScope | null): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const byKind = new Map<string, string[]>();
  for (const k of keys) {
    const list = byKind.get(k.kind);
    if (list) list.push(k.value);
    else byKind.set(k.kind, [k.value]);
  }
  for (const [kind, values] of byKind) {
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i += KEYS_PER_LOOKUP) {
      let q = db
        .selectFrom('finding_keys')
        .innerJoin('findings', 'findings.seq', 'finding_keys.finding_seq')
        .select(['finding_keys.value', 'finding_keys.finding_seq'])
        .where('finding_keys.kind', '=', kind)
        .where('finding_keys.value', 'in', unique.slice(i, i + KEYS_PER_LOOKUP))
        .orderBy('finding_keys.finding_seq');
      if (scope && !scope.all) q = q.where(visibleTo(scope.facts, scope.now, 'findings', undefined, FINDING_SHARES));
      for (const r of await q.execute()) {
        const id = `${kind}|${r.value}`;
        if (!out.has(id)) out.set(id, Number(r.finding_seq));
      }
    }
  }
  return out;
}

/*
 * Bulk inserts go in statements of a few hundred rows, and between statements the event loop gets a turn: an upload
 * of 10,000 findings must not hold every other request (on SQLite the driver is synchronous) for its whole length.
 */

export async function insertFindings(tx: Tx, rows: readonly NewFindingRow[]): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const got = await tx.insertInto('findings').values(rows.slice(i, i + ROWS_PER_INSERT) as NewFindingRow[]).returning(['seq']).execute();
    for (const g of got) seqs.push(Number(g.seq));
    await yieldToLoop();
  }
  return seqs;
}

export async function insertReports(tx: Tx, rows: readonly NewReportRow[]): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT * 2) {
    const got = await tx.insertInto('finding_reports').values(rows.slice(i, i + ROWS_PER_INSERT * 2) as NewReportRow[]).returning(['seq']).execute();
    for (const g of got) seqs.push(Number(g.seq));
    await yieldToLoop();
  }
  return seqs;
}

export async function insertKeys(tx: Tx, rows: readonly { finding_seq: number; report_seq: number; kind: string; value: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await tx.insertInto('finding_keys').values(rows.slice(i, i + 2000) as never).execute();
    await yieldToLoop();
  }
}

/** A duplicate's aliases join the finding's, so a later report with any of them is found by alias. */
export async function setAliases(tx: Tx, seq: number, aliases: readonly string[], search: string, nowIso: string): Promise<void> {
  await tx.updateTable('findings').set({ aliases: JSON.stringify(aliases), search, updated_at: nowIso }).where('seq', '=', seq).execute();
}

export async function aliasesBySeq(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, { aliases: string[]; search: string; id: string; label: AccessLabel }>> {
  const out = new Map<number, { aliases: string[]; search: string; id: string; label: AccessLabel }>();
  for (let i = 0; i < seqs.length; i += KEYS_PER_LOOKUP) {
    const rows = await db.selectFrom('findings').select(['seq', 'id', 'aliases', 'search', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role']).where('seq', 'in', seqs.slice(i, i + KEYS_PER_LOOKUP)).execute();
    for (const r of rows) out.set(Number(r.seq), { aliases: JSON.parse(r.aliases) as string[], search: r.search, id: r.id, label: labelOf(r, []) });
  }
  return out;
}

/** Reports of one finding, oldest first, with the reporting organisation's name; a page after report `afterSeq`. */
export async function listReports(db: Db | Tx, findingSeq: number, limit: number, afterSeq: number | null = null): Promise<ReportRow[]> {
  let q = db
    .selectFrom('finding_reports')
    .innerJoin('organisations', 'organisations.id', 'finding_reports.reporter_org_id')
    .selectAll('finding_reports')
    .select('organisations.name as reporter_name')
    .where('finding_reports.finding_seq', '=', findingSeq);
  if (afterSeq !== null) q = q.where('finding_reports.seq', '>', afterSeq);
  const rows = await q.orderBy('finding_reports.seq').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), finding_seq: Number(r.finding_seq) })) as ReportRow[];
}

/** One report by id (unscoped: the caller checks it belongs to the finding it authorised on). */
export async function findReport(db: Db | Tx, id: string): Promise<ReportRow | undefined> {
  const r = await db
    .selectFrom('finding_reports')
    .innerJoin('organisations', 'organisations.id', 'finding_reports.reporter_org_id')
    .selectAll('finding_reports')
    .select('organisations.name as reporter_name')
    .where('finding_reports.id', '=', id)
    .executeTakeFirst();
  return r ? ({ ...r, seq: Number(r.seq), finding_seq: Number(r.finding_seq) } as ReportRow) : undefined;
}

/** Every report of a finding without names (small: what merges and splits recompute aliases from). */
export async function reportsOf(tx: Db | Tx, findingSeq: number): Promise<{ seq: number; reporter_org_id: string; submitted: string; reason: string; origin_seq: number | null }[]> {
  const rows = await tx.selectFrom('finding_reports').select(['seq', 'reporter_org_id', 'submitted', 'reason', 'origin_seq']).where('finding_seq', '=', findingSeq).orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), reporter_org_id: r.reporter_org_id, submitted: r.submitted, reason: r.reason, origin_seq: r.origin_seq === null || r.origin_seq === undefined ? null : Number(r.origin_seq) }));
}

export interface CandidateRow {
  seq: number;
  id: string;
  title: string;
  state: string;
  reporter_org_id: string;
  reporter_name: string;
  created_at: string;
  keys: { kind: string; value: string }[];
}

/**
 * Findings the reader may read that share a de-duplication key with finding `seq` (itself excluded), oldest first, a
 * page after `afterSeq`; each with the keys it shares. The read rule is in the SQL, so nothing about an unreadable
 * finding (not even that one exists) reaches the answer.
 */
export async function candidatesOf(db: Db, scope: FindingScope, seq: number, afterSeq: number | null, limit: number): Promise<CandidateRow[]> {
  let q = db
    .selectFrom('finding_keys as mine')
    .innerJoin('finding_keys as theirs', (j) => j.onRef('theirs.kind', '=', 'mine.kind').onRef('theirs.value', '=', 'mine.value'))
    .innerJoin('findings', 'findings.seq', 'theirs.finding_seq')
    .select('findings.seq')
    .distinct()
    .where('mine.finding_seq', '=', seq)
    .where('theirs.finding_seq', '!=', seq);
  if (!scope.all) q = q.where(visibleTo(scope.facts, scope.now, 'findings', undefined, FINDING_SHARES));
  if (afterSeq !== null) q = q.where('findings.seq', '>', afterSeq);
  const seqs = (await q.orderBy('findings.seq').limit(limit).execute()).map((r) => Number(r.seq));
  if (!seqs.length) return [];
  const rows = await db
    .selectFrom('findings')
    .innerJoin('organisations', 'organisations.id', 'findings.reporter_org_id')
    .select(['findings.seq', 'findings.id', 'findings.title', 'findings.state', 'findings.reporter_org_id', 'organisations.name as reporter_name', 'findings.created_at'])
    .where('findings.seq', 'in', seqs)
    .orderBy('findings.seq')
    .execute();
  const shared = await db
    .selectFrom('finding_keys as mine')
    .innerJoin('finding_keys as theirs', (j) => j.onRef('theirs.kind', '=', 'mine.kind').onRef('theirs.value', '=', 'mine.value'))
    .select(['theirs.finding_seq', 'theirs.kind', 'theirs.value'])
    .distinct()
    .where('mine.finding_seq', '=', seq)
    .where('theirs.finding_seq', 'in', seqs)
    .execute();
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    keys: shared.filter((k) => Number(k.finding_seq) === Number(r.seq)).map((k) => ({ kind: k.kind, value: k.value })).sort((a, b) => (a.kind + a.value).localeCompare(b.kind + b.value)),
  }));
}

/** A key both findings hold, strongest kind first (what a merge records as matched), or null. */
export async function sharedKey(tx: Db | Tx, a: number, b: number): Promise<{ kind: string; value: string } | null> {
  const rows = await tx
    .selectFrom('finding_keys as x')
    .innerJoin('finding_keys as y', (j) => j.onRef('y.kind', '=', 'x.kind').onRef('y.value', '=', 'x.value'))
    .select(['x.kind', 'x.value'])
    .where('x.finding_seq', '=', a)
    .where('y.finding_seq', '=', b)
    .limit(50)
    .execute();
  const order = ['fingerprint', 'alias', 'locus'];
  rows.sort((p, q) => order.indexOf(p.kind) - order.indexOf(q.kind));
  return rows[0] ?? null;
}

/** A merge: every report, key and attachment of finding `from` moves to finding `to`. */
export async function moveEverything(tx: Tx, from: number, to: number, report: { reason: string; matched: string | null; note: string; decided_by: string }): Promise<void> {
  await tx
    .updateTable('finding_reports')
    .set((eb) => ({ finding_seq: to, reason: report.reason, matched: report.matched, note: report.note, decided_by: report.decided_by, origin_seq: eb.fn.coalesce('origin_seq', eb.val(from)) }))
    .where('finding_seq', '=', from)
    .execute();
  await tx.updateTable('finding_keys').set({ finding_seq: to }).where('finding_seq', '=', from).execute();
  await tx.updateTable('attachments').set({ finding_seq: to }).where('finding_seq', '=', from).execute();
}

/** A split: one report, and its keys, move to finding `to`. */
export async function moveReport(tx: Tx, reportSeq: number, to: number, set: { reason: string; matched: string | null; note: string; decided_by: string; origin_seq: number | null }): Promise<void> {
  await tx.updateTable('finding_reports').set({ finding_seq: to, ...set }).where('seq', '=', reportSeq).execute();
  await tx.updateTable('finding_keys').set({ finding_seq: to }).where('report_seq', '=', reportSeq).execute();
}

/** Adds organisations to a finding's shared-with list (already there: nothing happens). */
export async function addShares(tx: Tx, seq: number, organisationIds: readonly string[]): Promise<void> {
  if (!organisationIds.length) return;
  await tx
    .insertInto('finding_shares')
    .values(organisationIds.map((organisation_id) => ({ finding_seq: seq, organisation_id })))
    .onConflict((oc) => oc.columns(['finding_seq', 'organisation_id']).doNothing())
    .execute();
}

/** A coordinator's change to a finding's dedup fields, conditional on the version read when one is given. */
export async function updateFindingDedup(
  tx: Tx,
  seq: number,
  set: Partial<Pick<FindingTable, 'state' | 'merged_into' | 'aliases' | 'search'>>,
  nowIso: string,
  expectedVersion?: number,
): Promise<boolean> {
  let q = tx
    .updateTable('findings')
    .set((eb) => ({ ...set, updated_at: nowIso, version: eb('version', '+', 1) }))
    .where('seq', '=', seq);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
}

export async function countReports(db: Db | Tx, findingSeq: number): Promise<number> {
  const r = await db.selectFrom('finding_reports').select((eb) => eb.fn.countAll().as('n')).where('finding_seq', '=', findingSeq).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Sectors of organisations, for the findings' `sectors` filter column. */
export async function organisationSectors(db: Db | Tx, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += KEYS_PER_LOOKUP) {
    const rows = await db.selectFrom('organisations').select(['id', 'sectors']).where('id', 'in', ids.slice(i, i + KEYS_PER_LOOKUP)).execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.sectors) as string[]);
  }
  return out;
}

export async function countFindings(db: Db | Tx): Promise<number> {
  const r = await db.selectFrom('findings').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The operator's CLI names the reporting organisation (`--org`); names are unique regardless of case. */
export async function organisationIdNamed(db: Db | Tx, name: string): Promise<string | undefined> {
  return (await db.selectFrom('organisations').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase())).executeTakeFirst())?.id;
}

/** An organisation's kind (government organisations are the coordinators), for the reporting organisation's reads. */
export async function organisationKind(db: Db | Tx, id: string): Promise<string | undefined> {
  return (await db.selectFrom('organisations').select('kind').where('id', '=', id).executeTakeFirst())?.kind;
}
