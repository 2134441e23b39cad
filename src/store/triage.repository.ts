/**
 * Triage (issue 9): the queue, the triage history, score/SSVC/state writes and the KEV catalogue with its marks on
 * findings and advisories. The queue's read goes through `visibleTo` with finding_shares (the SQL form of the
 * finding read rule), so the list, its cursor and its filters only ever touch rows the reader may read.
 */
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { AccessLabel, Tlp } from '../domain/policy/access-label.ts';
import type { FindingScope } from '../domain/policy/finding.policy.ts';
import type { KevEntry } from '../formats/kev.ts';
import type { Db, Tx } from './db.ts';
import { FINDING_SHARES, type FindingRow } from './finding.repository.ts';
import type { FindingTable } from './schema-intake.ts';
import type { FindingTriageEventTable, KevEntryTable } from './schema-triage.ts';
import { visibleTo } from './visibility.ts';

const BATCH = 500;
/** A whole CVE or GHSA id as a search (the ids findings are most often looked up by). */
const ALIAS_QUERY = /^(CVE-\d{4}-\d{4,19}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$/i;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface QueueFilter {
  state?: string | undefined;
  sector?: string | undefined;
  product?: string | undefined;
  reporter?: string | undefined;
  q?: string | undefined;
}

/** The queue's keyset position: the findings_queue index columns of the last row shown. */
export type QueueKey = [number, number, number, string, number];

export const queueKey = (r: Pick<FindingTable, 'ssvc_rank' | 'exploitation_rank' | 'cvss_rank' | 'created_at'> & { seq: number }): QueueKey => [
  Number(r.ssvc_rank),
  Number(r.exploitation_rank),
  Number(r.cvss_rank),
  r.created_at,
  Number(r.seq),
];

/** Rows after `k` in the order ssvc desc, exploitation desc, cvss desc, created_at asc, seq asc. */
function after(k: QueueKey) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
    const [s, e, c, t, q] = k;
    return eb.or([
      eb('findings.ssvc_rank', '<', s),
      eb.and([eb('findings.ssvc_rank', '=', s), eb.or([
        eb('findings.exploitation_rank', '<', e),
        eb.and([eb('findings.exploitation_rank', '=', e), eb.or([
          eb('findings.cvss_rank', '<', c),
          eb.and([eb('findings.cvss_rank', '=', c), eb.or([
            eb('findings.created_at', '>', t),
            eb.and([eb('findings.created_at', '=', t), eb('findings.seq', '>', q)]),
          ])]),
        ])]),
      ])]),
    ]);
  };
}

/**
 * The page's findings alone, in queue order. No join: with a join to organisations in the statement, SQLite's planner,
 * once it has statistics, starts from the small organisations table and sorts a million findings (2.4 s instead of
 * 3 ms); the names of a page's organisations are looked up afterwards (listQueue).
 */
function queueQuery(db: Db | Tx, scope: FindingScope, f: QueueFilter, from: QueueKey | null, limit: number) {
  let q = db.selectFrom('findings').selectAll('findings');
  if (!scope.all) q = q.where(visibleTo(scope.facts, scope.now, 'findings', undefined, FINDING_SHARES));
  if (f.state) q = q.where('findings.state', '=', f.state);
  if (f.reporter) {
    // Every organisation that reported the finding, duplicates included (each is credited on the finding).
    const reporter = f.reporter;
    q = q.where((eb) => eb.exists(eb.selectFrom('finding_reports').select(eb.lit(1).as('one')).whereRef('finding_reports.finding_seq', '=', 'findings.seq').where('finding_reports.reporter_org_id', '=', reporter)));
  }
  if (f.sector) q = q.where(sql<SqlBool>`findings.sectors like ${`%,${likeEscape(f.sector.toLowerCase())},%`} escape '\\'`);
  if (f.product) {
    const product = f.product;
    // A purl or CPE is a prefix, matched exactly (substr compares alike on both databases, where a range or LIKE
    // would follow PostgreSQL's collation and case rules); anything else is a part of the name or CPE, any case.
    if (/^(pkg|cpe):/i.test(product)) {
      const col = sql.ref(/^pkg:/i.test(product) ? 'findings.product_purl' : 'findings.product_cpe');
      q = q.where(sql<SqlBool>`substr(${col}, 1, ${[...product].length}) = ${product}`);
    } else {
      const p = likeEscape(product.toLowerCase());
      q = q.where((eb) => eb.or([
        sql<SqlBool>`lower(findings.product_name) like ${`%${p}%`} escape '\\'`,
        sql<SqlBool>`lower(findings.product_cpe) like ${`%${p}%`} escape '\\'`,
      ]));
    }
  }
  if (f.q && ALIAS_QUERY.test(f.q.trim())) {
    // A whole id (CVE-2024-1234, GHSA-...) is looked up in the alias keys (indexed), so finding one CVE among a million
    // findings does not read them all; the ids are stored upper-cased.
    const alias = f.q.trim().toUpperCase();
    q = q.where('findings.seq', 'in', (eb) => eb.selectFrom('finding_keys').select('finding_keys.finding_seq').where('finding_keys.kind', '=', 'alias').where('finding_keys.value', '=', alias));
  } else if (f.q) q = q.where(sql<SqlBool>`findings.search like ${`%${likeEscape(f.q.toLowerCase())}%`} escape '\\'`);
  if (from) q = q.where(after(from));
  return q
    .orderBy('findings.ssvc_rank', 'desc')
    .orderBy('findings.exploitation_rank', 'desc')
    .orderBy('findings.cvss_rank', 'desc')
    .orderBy('findings.created_at', 'asc')
    .orderBy('findings.seq', 'asc')
    .limit(limit);
}

/** One page of the triage queue (limit rows; ask limit+1 to know whether more follow). */
export async function listQueue(db: Db, scope: FindingScope, f: QueueFilter, from: QueueKey | null, limit: number): Promise<FindingRow[]> {
  const rows = await queueQuery(db, scope, f, from, limit).execute();
  const ids = [...new Set(rows.flatMap((r) => (r.product_org_id ? [r.reporter_org_id, r.product_org_id] : [r.reporter_org_id])))];
  const names = new Map<string, string>();
  if (ids.length) for (const o of await db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', ids).execute()) names.set(o.id, o.name);
  return rows.map((r) => ({
    ...r,
    seq: Number(r.seq),
    reporter_name: names.get(r.reporter_org_id) ?? '',
    product_org_name: r.product_org_id ? (names.get(r.product_org_id) ?? null) : null,
  }));
}

/** The plan of the queue's first page, for the bench and the index test (EXPLAIN on either database). */
export async function explainQueue(db: Db, scope: FindingScope, f: QueueFilter, limit: number, isPg: boolean): Promise<string> {
  const c = queueQuery(db, scope, f, null, limit).compile();
  const prefix = isPg ? 'explain ' : 'explain query plan ';
  let counter = 0;
  const res = await sql.raw<Record<string, unknown>>(prefix + c.sql.replace(/\$(\d+)|\?/g, (_m, n: string | undefined) => {
    // Inline the parameters so EXPLAIN runs without binding (values here are the test's own, never user input).
    const i = n ? Number(n) - 1 : counter++;
    const v = c.parameters[i];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  })).execute(db);
  return res.rows.map((r) => String(r['QUERY PLAN'] ?? r.detail ?? JSON.stringify(r))).join('\n');
}

/** Report counts of these findings, for the queue's rows. */
export async function reportCounts(db: Db, seqs: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!seqs.length) return out;
  const rows = await db.selectFrom('finding_reports').select(['finding_seq', (eb) => eb.fn.countAll().as('n')]).where('finding_seq', 'in', [...seqs]).groupBy('finding_seq').execute();
  for (const r of rows) out.set(Number(r.finding_seq), Number(r.n));
  return out;
}

/** The triage columns a write reads before it changes them (in the write's own transaction). */
export async function triageColumns(tx: Tx, seq: number) {
  return tx
    .selectFrom('findings')
    .select(['seq', 'state', 'version', 'cvss4_vector', 'cvss4_score', 'cvss3_vector', 'cvss3_score', 'ssvc', 'ssvc_rank', 'exploitation_rank', 'cvss_rank', 'kev_date_added', 'kev_due_date'])
    .where('seq', '=', seq)
    .executeTakeFirst();
}

/** Applies a triage change if the finding is still at `version`; false when another write came first. */
export async function updateTriage(
  tx: Tx,
  seq: number,
  version: number,
  set: Partial<Pick<FindingTable, 'state' | 'cvss4_vector' | 'cvss4_score' | 'cvss3_vector' | 'cvss3_score' | 'ssvc' | 'ssvc_rank' | 'exploitation_rank' | 'cvss_rank'>>,
  nowIso: string,
): Promise<boolean> {
  const r = await tx.updateTable('findings').set({ ...set, version: version + 1, updated_at: nowIso }).where('seq', '=', seq).where('version', '=', version).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type NewTriageEvent = Omit<FindingTriageEventTable, 'seq'>;
export type TriageEventRow = Omit<FindingTriageEventTable, 'seq'> & { seq: number };

export async function insertTriageEvents(tx: Tx, rows: readonly NewTriageEvent[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await tx.insertInto('finding_triage_events').values(rows.slice(i, i + BATCH) as NewTriageEvent[]).execute();
}

/** Newest first, capped. */
export async function listTriageEvents(db: Db, findingSeq: number, limit: number): Promise<TriageEventRow[]> {
  const rows = await db.selectFrom('finding_triage_events').selectAll().where('finding_seq', '=', findingSeq).orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

// ---- KEV ----

/** Replaces the stored catalogue with this one (CISA publishes the whole catalogue each time). */
export async function replaceKevCatalogue(tx: Tx, entries: readonly KevEntry[], catalogVersion: string, nowIso: string): Promise<void> {
  await tx.deleteFrom('kev_entries').execute();
  const rows: KevEntryTable[] = entries.map((e) => ({
    cve: e.cve,
    vendor: e.vendor,
    product: e.product,
    name: e.name,
    date_added: e.dateAdded,
    due_date: e.dueDate,
    known_ransomware: e.knownRansomware ? 1 : 0,
    required_action: e.requiredAction,
    catalog_version: catalogVersion,
    imported_at: nowIso,
  }));
  for (let i = 0; i < rows.length; i += 200) await tx.insertInto('kev_entries').values(rows.slice(i, i + 200)).execute();
}

/** The stored catalogue's version, import time and size (one version at a time: an import replaces the whole). */
export async function kevCatalogueStatus(db: Db): Promise<{ catalogVersion: string; importedAt: string; entries: number } | null> {
  const r = await db.selectFrom('kev_entries').select(['catalog_version', (eb) => eb.fn.max('imported_at').as('at'), (eb) => eb.fn.countAll().as('n')]).groupBy('catalog_version').executeTakeFirst();
  return r ? { catalogVersion: r.catalog_version, importedAt: String(r.at), entries: Number(r.n) } : null;
}

export async function findKevEntry(db: Db, cve: string): Promise<KevEntryTable | undefined> {
  return db.selectFrom('kev_entries').selectAll().where('cve', '=', cve).executeTakeFirst();
}

async function kevByCve(db: Db | Tx, cves: readonly string[]): Promise<Map<string, KevEntryTable>> {
  const out = new Map<string, KevEntryTable>();
  const unique = [...new Set(cves)];
  for (let i = 0; i < unique.length; i += BATCH) {
    for (const r of await db.selectFrom('kev_entries').selectAll().where('cve', 'in', unique.slice(i, i + BATCH)).execute()) out.set(r.cve, r);
  }
  return out;
}

const CVE = /^CVE-\d{4}-\d{4,19}$/;

export interface KevMark {
  seq: number;
  id: string;
  label: AccessLabel;
  cves: string[];
  dateAdded: string;
  dueDate: string;
  /** False when the finding already carried these KEV dates (nothing changed). */
  changed: boolean;
}

/**
 * Marks these findings as actively exploited when one of their aliases is in the stored KEV catalogue: exploitation
 * rank 2, the earliest date added and due date of their KEV entries. The queue's order follows at once. Not a user
 * edit, so the finding's version stays (a coordinator's open form is not made stale by CISA). The hook for findings
 * created after an import (H2's intake calls it in the creating transaction, through TriageService.markKnownExploited).
 */
export async function applyKevToFindings(tx: Tx, findingSeqs: readonly number[], nowIso: string): Promise<KevMark[]> {
  const marks: KevMark[] = [];
  for (let i = 0; i < findingSeqs.length; i += BATCH) {
    const rows = await tx
      .selectFrom('findings')
      .select(['seq', 'id', 'aliases', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role', 'kev_date_added', 'kev_due_date', 'exploitation_rank'])
      .where('seq', 'in', findingSeqs.slice(i, i + BATCH))
      .execute();
    const aliasOf = new Map(rows.map((r) => [Number(r.seq), (JSON.parse(r.aliases) as string[]).map((a) => a.toUpperCase()).filter((a) => CVE.test(a))]));
    const kev = await kevByCve(tx, [...aliasOf.values()].flat());
    if (!kev.size) continue;
    const shares = new Map<number, string[]>();
    const seqs = rows.map((r) => Number(r.seq));
    for (const s of await tx.selectFrom('finding_shares').select(['finding_seq', 'organisation_id']).where('finding_seq', 'in', seqs).execute()) {
      shares.set(Number(s.finding_seq), [...(shares.get(Number(s.finding_seq)) ?? []), s.organisation_id]);
    }
    for (const r of rows) {
      const seq = Number(r.seq);
      const hits = aliasOf.get(seq)!.filter((a) => kev.has(a));
      if (!hits.length) continue;
      const dateAdded = hits.map((c) => kev.get(c)!.date_added).sort()[0]!;
      const dueDate = hits.map((c) => kev.get(c)!.due_date).sort()[0]!;
      const changed = r.kev_date_added !== dateAdded || r.kev_due_date !== dueDate || Number(r.exploitation_rank) !== 2;
      if (changed) {
        await tx.updateTable('findings').set({ exploitation_rank: 2, kev_date_added: dateAdded, kev_due_date: dueDate, updated_at: nowIso }).where('seq', '=', seq).execute();
      }
      marks.push({
        seq,
        id: r.id,
        label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith: shares.get(seq) ?? [] },
        cves: hits,
        dateAdded,
        dueDate,
        changed,
      });
    }
  }
  return marks;
}

/** Every finding holding one of these CVEs as a de-duplication alias key (indexed), for the import's marking. */
export async function findingSeqsWithAliases(tx: Tx, cves: readonly string[]): Promise<number[]> {
  const out = new Set<number>();
  for (let i = 0; i < cves.length; i += BATCH) {
    const rows = await tx.selectFrom('finding_keys').select('finding_seq').distinct().where('kind', '=', 'alias').where('value', 'in', cves.slice(i, i + BATCH)).execute();
    for (const r of rows) out.add(Number(r.finding_seq));
  }
  return [...out].sort((a, b) => a - b);
}

export interface KevAdvisory {
  seq: number;
  id: string;
  cves: string[];
  label: AccessLabel;
  state: string;
}

const CVE_IN_TEXT = /CVE-\d{4}-\d{4,19}/gi;

/**
 * Every advisory whose id or alias is one of these CVEs, with its label (for the import's summary, counted per reader).
 * Advisories keep their aliases inside the OSV record, so records are read in keyset batches; a record is parsed only
 * when its text names one of the CVEs at all, which few do.
 */
export async function advisoriesCarrying(db: Db, cves: ReadonlySet<string>): Promise<KevAdvisory[]> {
  const out: KevAdvisory[] = [];
  if (!cves.size) return out;
  let last = 0;
  for (;;) {
    const rows = await db.selectFrom('advisories').select(['seq', 'id', 'record', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role', 'state']).where('seq', '>', last).orderBy('seq').limit(1000).execute();
    if (!rows.length) break;
    last = Number(rows.at(-1)!.seq);
    const hits: KevAdvisory[] = [];
    for (const r of rows) {
      if (!cves.has(r.id.toUpperCase()) && !(r.record.match(CVE_IN_TEXT) ?? []).some((c) => cves.has(c.toUpperCase()))) continue;
      let aliases: unknown = [];
      try {
        aliases = (JSON.parse(r.record) as { aliases?: unknown }).aliases ?? [];
      } catch {
        aliases = [];
      }
      const ids = new Set([r.id, ...(Array.isArray(aliases) ? aliases.filter((a): a is string => typeof a === 'string') : [])].map((a) => a.toUpperCase()));
      const found = [...ids].filter((a) => cves.has(a)).sort();
      if (!found.length) continue;
      hits.push({ seq: Number(r.seq), id: r.id, cves: found, state: r.state, label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith: [] } });
    }
    if (hits.length) {
      const shares = new Map<number, string[]>();
      for (const s of await db.selectFrom('advisory_shares').select(['advisory_seq', 'organisation_id']).where('advisory_seq', 'in', hits.map((h) => h.seq)).execute()) {
        shares.set(Number(s.advisory_seq), [...(shares.get(Number(s.advisory_seq)) ?? []), s.organisation_id]);
      }
      out.push(...hits.map((h) => ({ ...h, label: { ...h.label, sharedWith: shares.get(h.seq) ?? [] } })));
    }
  }
  return out;
}

/** The stored KEV entries of these CVEs (an advisory's id and aliases), by CVE. */
export async function kevEntriesFor(db: Db, cves: readonly string[]): Promise<KevEntryTable[]> {
  const unique = [...new Set(cves.map((c) => c.toUpperCase()).filter((c) => CVE.test(c)))];
  if (!unique.length) return [];
  return db.selectFrom('kev_entries').selectAll().where('cve', 'in', unique.slice(0, BATCH)).orderBy('cve').execute();
}

/** Which of these findings the reader may read (for a summary that must not count hidden rows). */
export async function readableFindingSeqs(db: Db | Tx, scope: FindingScope, seqs: readonly number[]): Promise<number> {
  if (scope.all) return seqs.length;
  let n = 0;
  for (let i = 0; i < seqs.length; i += BATCH) {
    const r = await db
      .selectFrom('findings')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('findings.seq', 'in', seqs.slice(i, i + BATCH))
      .where(visibleTo(scope.facts, scope.now, 'findings', undefined, FINDING_SHARES))
      .executeTakeFirstOrThrow();
    n += Number(r.n);
  }
  return n;
}

/** Bench only: many findings in few statements, each with its first report and alias keys (the queue's reporter and id searches read them). */
export async function benchInsertFindings(db: Db, rows: readonly Omit<FindingTable, 'seq'>[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < rows.length; i += 400) {
      const part = rows.slice(i, i + 400) as Omit<FindingTable, 'seq'>[];
      const made = await tx.insertInto('findings').values(part).returning(['seq', 'id']).execute();
      const seqOf = new Map(made.map((m) => [m.id, Number(m.seq)]));
      const reports = await tx.insertInto('finding_reports').values(part.map((r) => ({
        id: `${r.id}-r`,
        finding_seq: seqOf.get(r.id)!,
        reporter_org_id: r.reporter_org_id,
        reporter_user_id: null,
        source: r.source,
        submitted: '{}',
        reason: 'first',
        matched: null,
        received_at: r.created_at,
      }))).returning(['seq', 'finding_seq']).execute();
      const reportOf = new Map(reports.map((x) => [Number(x.finding_seq), Number(x.seq)]));
      const keys = part.flatMap((r) => (JSON.parse(r.aliases) as string[]).map((value) => ({ finding_seq: seqOf.get(r.id)!, report_seq: reportOf.get(seqOf.get(r.id)!)!, kind: 'alias', value })));
      if (keys.length) await tx.insertInto('finding_keys').values(keys).execute();
    }
  });
}

/** Bench only: fresh planner statistics after a bulk load (both databases plan the queue from them). */
export async function benchAnalyze(db: Db, isPg: boolean): Promise<void> {
  await sql.raw(isPg ? 'analyze findings; analyze finding_reports; analyze finding_shares' : 'analyze').execute(db);
}
