import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AdvisoryScope } from '../domain/policy/advisory.policy.ts';
import type { Tlp } from '../domain/policy/access-label.ts';
import type { Db, Tx } from './db.ts';
import type { AdvisoryTable } from './schema.ts';
import { visibleTo, type ShareTable } from './visibility.ts';

/** An advisory row with what the label needs beside it (its shares) and the owner's name for presenters. */
export type AdvisoryRow = Omit<AdvisoryTable, 'seq'> & { seq: number; shared_with: string[]; organisation_name: string };
export type NewAdvisoryRow = Omit<AdvisoryTable, 'seq'>;

export interface AdvisoryPackage {
  ecosystem: string;
  name: string;
}

const SHARES: ShareTable = { table: 'advisory_shares', recordColumn: 'advisory_seq', keyColumn: 'seq' };
const NEVER = sql<SqlBool>`1 = 0`;

/**
 * The read rule of src/domain/policy/advisory.policy.ts in SQL: the label (with its sharedWith list) for every state,
 * and drafts only for the owner's members (or the operator's CLI).
 */
function visible(scope: AdvisoryScope) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    if (scope.all) return eb.lit(true);
    const label = visibleTo(scope.facts, scope.now, 'advisories', undefined, SHARES)(eb);
    if (scope.drafts === 'all') return label;
    const owner = scope.facts.organisationIds.length ? eb('advisories.owner_org_id', 'in', scope.facts.organisationIds) : NEVER;
    return eb.and([label, eb.or([eb('advisories.state', '<>', 'draft'), owner])]);
  };
}

function baseSelect(db: Db | Tx) {
  return db
    .selectFrom('advisories')
    .innerJoin('organisations', 'organisations.id', 'advisories.owner_org_id')
    .selectAll('advisories')
    .select('organisations.name as organisation_name');
}

async function withShares<R extends { seq: number }>(db: Db | Tx, rows: R[]): Promise<(R & { shared_with: string[] })[]> {
  if (rows.length === 0) return [];
  const seqs = rows.map((r) => Number(r.seq));
  const shares = await db.selectFrom('advisory_shares').select(['advisory_seq', 'organisation_id']).where('advisory_seq', 'in', seqs).orderBy('organisation_id').execute();
  const by = new Map<number, string[]>();
  for (const s of shares) {
    const list = by.get(Number(s.advisory_seq)) ?? [];
    list.push(s.organisation_id);
    by.set(Number(s.advisory_seq), list);
  }
  return rows.map((r) => ({ ...r, seq: Number(r.seq), shared_with: by.get(Number(r.seq)) ?? [] }));
}

/** The next number of an authored id: an atomic upsert, so instances on one database never hand out the same one. */
export async function nextAdvisoryNumber(tx: Tx, prefixYear: string): Promise<number> {
  const row = await tx
    .insertInto('advisory_id_counters')
    .values({ prefix_year: prefixYear, next: 1 })
    .onConflict((oc) => oc.column('prefix_year').doUpdateSet({ next: sql`advisory_id_counters.next + 1` }))
    .returning('next')
    .executeTakeFirstOrThrow();
  return Number(row.next);
}

export async function advisoryIdTaken(db: Db | Tx, id: string): Promise<boolean> {
  return (await db.selectFrom('advisories').select('seq').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Unscoped lookup: the service decides with `authorize` on the record in hand. */
export async function findAdvisory(db: Db | Tx, id: string): Promise<AdvisoryRow | undefined> {
  const row = await baseSelect(db).where('advisories.id', '=', id).executeTakeFirst();
  return row ? (await withShares(db, [row]))[0] : undefined;
}

/** Unscoped batch lookup for imports (the site's own data): id -> modified, state, seq. */
export async function findAdvisoryHeads(db: Db | Tx, ids: readonly string[]): Promise<Map<string, { seq: number; modified: string; state: string; revision: number; version: number; owner: string; record: string }>> {
  const out = new Map<string, { seq: number; modified: string; state: string; revision: number; version: number; owner: string; record: string }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('advisories').select(['seq', 'id', 'modified', 'state', 'revision', 'version', 'owner_org_id', 'record']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, { seq: Number(r.seq), modified: r.modified, state: r.state, revision: r.revision, version: r.version, owner: r.owner_org_id, record: r.record });
  }
  return out;
}

async function writeParts(tx: Tx, seq: number, shares: readonly string[], packages: readonly AdvisoryPackage[], fresh = false): Promise<void> {
  // A fresh row has no parts yet: skipping the deletes saves two statements per record on a bulk import.
  if (!fresh) {
    await tx.deleteFrom('advisory_shares').where('advisory_seq', '=', seq).execute();
    await tx.deleteFrom('advisory_packages').where('advisory_seq', '=', seq).execute();
  }
  if (shares.length) await tx.insertInto('advisory_shares').values(shares.map((o) => ({ advisory_seq: seq, organisation_id: o }))).execute();
  const unique = [...new Map(packages.map((p) => [`${p.ecosystem}\u0000${p.name}`, p])).values()];
  for (let i = 0; i < unique.length; i += 500) {
    await tx.insertInto('advisory_packages').values(unique.slice(i, i + 500).map((p) => ({ advisory_seq: seq, ecosystem: p.ecosystem, name: p.name }))).execute();
  }
}

export async function insertAdvisory(tx: Tx, row: NewAdvisoryRow, shares: readonly string[], packages: readonly AdvisoryPackage[]): Promise<number> {
  const { seq } = await tx.insertInto('advisories').values(row).returning('seq').executeTakeFirstOrThrow();
  await writeParts(tx, Number(seq), shares, packages, true);
  return Number(seq);
}

/** Bulk insert of fresh rows (imports): multi-row statements for the rows, their packages and first revisions. */
export async function insertAdvisoriesMany(
  tx: Tx,
  items: readonly { row: NewAdvisoryRow; packages: readonly AdvisoryPackage[]; revision: { record: string; modified: string; summary: string | null; createdAt: string } }[],
): Promise<Map<string, number>> {
  const seqs = new Map<string, number>();
  // 20 columns a row: 400 rows stay under SQLite's 32,766 bound parameters.
  for (let i = 0; i < items.length; i += 400) {
    const rows = await tx.insertInto('advisories').values(items.slice(i, i + 400).map((x) => x.row)).returning(['id', 'seq']).execute();
    for (const r of rows) seqs.set(r.id, Number(r.seq));
  }
  const packages = items.flatMap((x) => [...new Map(x.packages.map((p) => [`${p.ecosystem}\u0000${p.name}`, p])).values()].map((p) => ({ advisory_seq: seqs.get(x.row.id)!, ecosystem: p.ecosystem, name: p.name })));
  for (let i = 0; i < packages.length; i += 2000) await tx.insertInto('advisory_packages').values(packages.slice(i, i + 2000)).execute();
  const revisions = items.map((x) => ({ advisory_seq: seqs.get(x.row.id)!, revision: 1, record: x.revision.record, modified: x.revision.modified, summary: x.revision.summary, created_at: x.revision.createdAt }));
  for (let i = 0; i < revisions.length; i += 1000) await tx.insertInto('advisory_revisions').values(revisions.slice(i, i + 1000)).execute();
  return seqs;
}

/** Compare-and-set on `version`: false when someone else changed it first. */
export async function updateAdvisoryVersioned(
  tx: Tx,
  seq: number,
  row: Omit<NewAdvisoryRow, 'id' | 'created_at' | 'source'>,
  expectedVersion: number,
  parts: { shares: readonly string[]; packages: readonly AdvisoryPackage[] },
): Promise<boolean> {
  const res = await tx.updateTable('advisories').set(row).where('seq', '=', seq).where('version', '=', expectedVersion).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await writeParts(tx, seq, parts.shares, parts.packages);
  return true;
}

export async function insertRevision(tx: Tx, r: { advisorySeq: number; revision: number; record: string; modified: string; summary: string | null; createdAt: string }): Promise<void> {
  await tx
    .insertInto('advisory_revisions')
    .values({ advisory_seq: r.advisorySeq, revision: r.revision, record: r.record, modified: r.modified, summary: r.summary, created_at: r.createdAt })
    .execute();
}

export async function listRevisions(db: Db, seq: number) {
  return db.selectFrom('advisory_revisions').select(['revision', 'modified', 'summary', 'created_at']).where('advisory_seq', '=', seq).orderBy('revision', 'desc').limit(10_000).execute();
}

export async function findRevision(db: Db, seq: number, revision: number) {
  return db.selectFrom('advisory_revisions').selectAll().where('advisory_seq', '=', seq).where('revision', '=', revision).executeTakeFirst();
}

export interface AdvisoryFilter {
  q?: string | undefined;
  ecosystem?: string | undefined;
  state?: string | undefined;
  rating?: string | undefined;
  /** Distribution channels: published and withdrawn only. */
  distributable?: boolean;
  authoredOnly?: boolean;
  tlp?: readonly Tlp[] | undefined;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Newest `modified` first; keyset over (modified, seq). Every filter runs inside the reader's visibility. */
export async function listAdvisories(db: Db, scope: AdvisoryScope, f: AdvisoryFilter, after: [string, number] | null, limit: number): Promise<AdvisoryRow[]> {
  let q = baseSelect(db).where(visible(scope));
  if (f.q) q = q.where(sql<SqlBool>`advisories.search like ${`%${likeEscape(f.q.toLowerCase())}%`} escape '\\'`);
  if (f.ecosystem) {
    const eco = f.ecosystem;
    q = q.where((eb) => eb.exists(eb.selectFrom('advisory_packages').select(eb.lit(1).as('one')).whereRef('advisory_packages.advisory_seq', '=', 'advisories.seq').where((e) => e.or([e('advisory_packages.ecosystem', '=', eco), e('advisory_packages.ecosystem', 'like', `${likeEscape(eco)}:%`)]))));
  }
  if (f.state) q = q.where('advisories.state', '=', f.state);
  if (f.distributable) q = q.where('advisories.state', 'in', ['published', 'withdrawn']);
  if (f.authoredOnly) q = q.where('advisories.source', '=', 'authored');
  if (f.tlp) q = q.where('advisories.tlp', 'in', f.tlp.length ? [...f.tlp] : ['-']);
  if (f.rating) q = q.where('advisories.rating', '=', f.rating);
  if (after) {
    const [m, s] = after;
    q = q.where((eb) => eb.or([eb('advisories.modified', '<', m), eb.and([eb('advisories.modified', '=', m), eb('advisories.seq', '<', s)])]));
  }
  const rows = await q.orderBy('advisories.modified', 'desc').orderBy('advisories.seq', 'desc').limit(limit).execute();
  return withShares(db, rows);
}

export async function countAdvisories(db: Db): Promise<number> {
  const r = await db.selectFrom('advisories').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
