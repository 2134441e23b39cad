/**
 * Inventory findings as matching writes them (issue 10, docs/remediation.md), and what each organisation was last told
 * about an advisory (advisory_org_notices). Only RemediationService writes through this file, and it never writes the
 * analysis columns (analysis_*, version_no): those belong to the VEX answers of InventoryFindingService.
 *
 * Read helpers other parts may use (none of them applies a reader's scope: a caller serving a reader filters first,
 * e.g. by reading the inventory through the policy):
 * - `storedFindingsOfInventory(db, inventorySeq)`: every row of an inventory, open and resolved, as StoredFinding
 *   (matching's view: key, facts, first/last seen, resolution; no analysis).
 * - `storedFindingsOfAdvisory(db, advisorySeq)`: the same for one advisory across inventories.
 * - `findingEvents(db, findingSeq, limit)`: a row's history, newest first (opened, changed, resolved, reopened;
 *   the analysis events are written by InventoryFindingService into the same table).
 * - `FINDING_EVENT_KINDS`: the kinds matching writes.
 */
import { sql } from 'kysely';
import type { AccessLabel, OrganisationKind, Tlp } from '../domain/policy/access-label.ts';
import type { RecipientOrganisation } from '../domain/policy/notification.policy.ts';
import {
  findingKey,
  packageKey,
  SEVERITY_RANK,
  type FindingChange,
  type FindingFacts,
  type Severity,
  type StoredFinding,
} from '../domain/remediation/inventory-finding.ts';
import { bulkInsert } from './bulk-insert.ts';
import type { Db, Tx } from './db.ts';
import { isPostgres } from './dialect.ts';

const CHUNK = 500;
/** The advisory-lock key of matching's writes on PostgreSQL: an arbitrary constant of our own ("remediat" in ASCII). */
const REMEDIATION_LOCK = 0x72656d6564696174n.toString();

function chunks<T>(xs: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** The kinds of inventory_finding_events that matching writes; `analysis` is the VEX part's. */
export const FINDING_EVENT_KINDS = ['opened', 'changed', 'resolved', 'reopened'] as const;

// ---- what matching reads ----

/** An advisory as matching needs it: its state, record, rating and label (with its sharedWith list). */
export interface MatchingAdvisory {
  seq: number;
  id: string;
  state: string;
  revision: number;
  summary: string | null;
  /** Canonical JSON of the current OSV record. */
  record: string;
  rating: string | null;
  label: AccessLabel;
}

async function sharesOf(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const c of chunks(seqs)) {
    const rows = await db.selectFrom('advisory_shares').select(['advisory_seq', 'organisation_id']).where('advisory_seq', 'in', c).orderBy('organisation_id').execute();
    for (const r of rows) {
      const seq = Number(r.advisory_seq);
      const list = out.get(seq) ?? [];
      list.push(r.organisation_id);
      out.set(seq, list);
    }
  }
  return out;
}

type AdvisorySelect = { seq: number; id: string; state: string; revision: number; summary: string | null; record: string; rating: string | null; owner_org_id: string; tlp: string; embargo_until: string | null; restricted_role: string | null };
const ADVISORY_COLUMNS = ['seq', 'id', 'state', 'revision', 'summary', 'record', 'rating', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role'] as const;

function toMatchingAdvisory(r: AdvisorySelect, sharedWith: string[]): MatchingAdvisory {
  return {
    seq: Number(r.seq),
    id: r.id,
    state: r.state,
    revision: Number(r.revision),
    summary: r.summary,
    record: r.record,
    rating: r.rating,
    label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role, sharedWith },
  };
}

/** Unscoped: background work reads every advisory and decides per recipient itself. */
export async function advisoryForMatching(db: Db | Tx, id: string): Promise<MatchingAdvisory | undefined> {
  const r = await db.selectFrom('advisories').select([...ADVISORY_COLUMNS]).where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  const shares = await sharesOf(db, [Number(r.seq)]);
  return toMatchingAdvisory(r as AdvisorySelect, shares.get(Number(r.seq)) ?? []);
}

/** The same by seq, for several (the forward scan's unmatched rows, escalation). */
export async function advisoriesBySeq(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, MatchingAdvisory>> {
  const out = new Map<number, MatchingAdvisory>();
  const unique = [...new Set(seqs)];
  for (const c of chunks(unique)) {
    const rows = (await db.selectFrom('advisories').select([...ADVISORY_COLUMNS]).where('seq', 'in', c).execute()) as AdvisorySelect[];
    const shares = await sharesOf(db, rows.map((r) => Number(r.seq)));
    for (const r of rows) out.set(Number(r.seq), toMatchingAdvisory(r, shares.get(Number(r.seq)) ?? []));
  }
  return out;
}

/**
 * One page of the published advisories naming a package of these ecosystems (exactly, or as `Debian:12`), or every
 * published advisory when `ecosystems` is null, by seq: the forward scan's candidates. Not filtered by reader: the caller decides per advisory with the owner's facts
 * (canRead), which is the same rule as visibleTo.
 */
export async function publishedAdvisoriesForEcosystems(db: Db | Tx, ecosystems: readonly string[] | null, afterSeq: number, limit: number): Promise<MatchingAdvisory[]> {
  if (ecosystems !== null && ecosystems.length === 0) return [];
  const rows = (await db
    .selectFrom('advisories')
    .select([...ADVISORY_COLUMNS])
    .where('state', '=', 'published')
    .where('seq', '>', afterSeq)
    .where((eb) =>
      ecosystems === null ? eb.lit(true) : eb.exists(
        eb
          .selectFrom('advisory_packages as p')
          .select(eb.lit(1).as('one'))
          .whereRef('p.advisory_seq', '=', 'advisories.seq')
          .where((e) => e.or(ecosystems.flatMap((x) => [e('p.ecosystem', '=', x), e('p.ecosystem', 'like', `${x.replace(/[\\%_]/g, (m) => `\\${m}`)}:%`)]))),
      ),
    )
    .orderBy('seq')
    .limit(limit)
    .execute()) as AdvisorySelect[];
  const shares = await sharesOf(db, rows.map((r) => Number(r.seq)));
  return rows.map((r) => toMatchingAdvisory(r, shares.get(Number(r.seq)) ?? []));
}

const CVE = /^CVE-\d{4}-\d{4,19}$/;

/**
 * Which advisories are in CISA's KEV catalogue (triage's kev_entries, as last imported), by any CVE among their id and
 * aliases; read live, like the advisory pages do, so a new catalogue counts from the next matching run.
 */
export async function kevListed(db: Db | Tx, cvesByAdvisory: ReadonlyMap<number, readonly string[]>): Promise<Set<number>> {
  const byCve = new Map<string, number[]>();
  for (const [seq, ids] of cvesByAdvisory) {
    for (const id of ids) {
      const cve = id.toUpperCase();
      if (!CVE.test(cve)) continue;
      byCve.set(cve, [...(byCve.get(cve) ?? []), seq]);
    }
  }
  const out = new Set<number>();
  for (const c of chunks([...byCve.keys()])) {
    for (const r of await db.selectFrom('kev_entries').select('cve').where('cve', 'in', c).execute()) for (const seq of byCve.get(r.cve) ?? []) out.add(seq);
  }
  return out;
}

/**
 * Organisations as readers of advisories: kind, and every role some active member holds in any membership (need-to-know
 * roles open restricted records wherever they were granted, so the organisation can read a restricted advisory when
 * one of its members could). Unknown ids are left out.
 */
export async function organisationReaders(db: Db | Tx, ids: readonly string[]): Promise<Map<string, RecipientOrganisation>> {
  const out = new Map<string, RecipientOrganisation>();
  for (const c of chunks([...new Set(ids)])) {
    const orgs = await db.selectFrom('organisations').select(['id', 'kind']).where('id', 'in', c).execute();
    const roles = await db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .innerJoin('memberships as r', 'r.user_id', 'm.user_id')
      .select(['m.organisation_id', 'r.role'])
      .distinct()
      .where('m.organisation_id', 'in', c)
      .where('u.disabled', '=', 0)
      .execute();
    const by = new Map<string, string[]>();
    for (const r of roles) by.set(r.organisation_id, [...(by.get(r.organisation_id) ?? []), r.role]);
    for (const o of orgs) out.set(o.id, { id: o.id, kind: o.kind as OrganisationKind, memberRoles: by.get(o.id) ?? [] });
  }
  return out;
}

export interface MatchingInventory {
  seq: number;
  id: string;
  name: string;
  ownerOrgId: string;
  label: AccessLabel;
}

function toMatchingInventory(r: { seq: number; id: string; name: string; owner_org_id: string; tlp: string; embargo_until: string | null; restricted_role: string | null }): MatchingInventory {
  return { seq: Number(r.seq), id: r.id, name: r.name, ownerOrgId: r.owner_org_id, label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role } };
}

const INVENTORY_COLUMNS = ['seq', 'id', 'name', 'owner_org_id', 'tlp', 'embargo_until', 'restricted_role'] as const;

export async function inventoriesByIds(db: Db | Tx, ids: readonly string[]): Promise<Map<string, MatchingInventory>> {
  const out = new Map<string, MatchingInventory>();
  for (const c of chunks([...new Set(ids)])) for (const r of await db.selectFrom('inventories').select([...INVENTORY_COLUMNS]).where('id', 'in', c).execute()) out.set(r.id, toMatchingInventory(r));
  return out;
}

export async function inventoriesBySeqs(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, MatchingInventory>> {
  const out = new Map<number, MatchingInventory>();
  for (const c of chunks([...new Set(seqs)])) for (const r of await db.selectFrom('inventories').select([...INVENTORY_COLUMNS]).where('seq', 'in', c).execute()) out.set(Number(r.seq), toMatchingInventory(r));
  return out;
}

/** One page of an inventory's components, by id (the forward scan reads an SBOM of any size page by page). */
export async function componentPage(db: Db | Tx, inventorySeq: number, afterId: number, limit: number) {
  const rows = await db
    .selectFrom('components')
    .select(['id', 'ecosystem', 'release', 'name', 'source_name', 'version', 'purl'])
    .where('inventory_seq', '=', inventorySeq)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The distinct ecosystems of an inventory's components. */
export async function inventoryEcosystems(db: Db | Tx, inventorySeq: number): Promise<string[]> {
  const rows = await db.selectFrom('components').select('ecosystem').distinct().where('inventory_seq', '=', inventorySeq).execute();
  return rows.map((r) => r.ecosystem).sort();
}

/**
 * The versions each inventory holds now of some packages (key: packageKey), for the reason an open row closes
 * (upgraded, removed, no longer affected). A package the inventory no longer holds has no entry.
 */
export async function heldVersions(db: Db | Tx, packages: readonly { inventorySeq: number; ecosystem: string; releaseKey: string; name: string }[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const byEcosystem = new Map<string, { inventories: Set<number>; names: Set<string> }>();
  for (const p of packages) {
    const g = byEcosystem.get(p.ecosystem) ?? { inventories: new Set(), names: new Set() };
    g.inventories.add(p.inventorySeq);
    g.names.add(p.name);
    byEcosystem.set(p.ecosystem, g);
  }
  const wanted = new Set(packages.map((p) => packageKey(p)));
  for (const [ecosystem, g] of byEcosystem) {
    for (const names of chunks([...g.names])) {
      for (const invs of chunks([...g.inventories])) {
        const rows = await db
          .selectFrom('components')
          .select(['inventory_seq', 'release', 'name', 'version'])
          .where('ecosystem', '=', ecosystem)
          .where('name', 'in', names)
          .where('inventory_seq', 'in', invs)
          .execute();
        for (const r of rows) {
          const k = packageKey({ inventorySeq: Number(r.inventory_seq), ecosystem, releaseKey: r.release ?? '', name: r.name });
          if (!wanted.has(k)) continue;
          const list = out.get(k) ?? [];
          if (!list.includes(r.version)) list.push(r.version);
          out.set(k, list);
        }
      }
    }
  }
  return out;
}

// ---- the stored rows ----

const FINDING_COLUMNS = [
  'seq', 'inventory_seq', 'advisory_seq', 'organisation_id', 'ecosystem', 'release_key', 'name', 'purl', 'version', 'versions', 'fixed', 'remediation',
  'severity', 'kev', 'first_seen', 'last_seen', 'resolved_at', 'resolution',
] as const;

type FindingSelect = {
  seq: number; inventory_seq: number; advisory_seq: number; organisation_id: string; ecosystem: string; release_key: string; name: string; purl: string; version: string;
  versions: string; fixed: string | null; remediation: string | null; severity: string; kev: number; first_seen: string; last_seen: string; resolved_at: string | null; resolution: string | null;
};

function toStored(r: FindingSelect): StoredFinding {
  return {
    seq: Number(r.seq),
    inventorySeq: Number(r.inventory_seq),
    advisorySeq: Number(r.advisory_seq),
    organisationId: r.organisation_id,
    ecosystem: r.ecosystem,
    releaseKey: r.release_key,
    name: r.name,
    purl: r.purl,
    version: r.version,
    versions: JSON.parse(r.versions) as string[],
    fixed: r.fixed,
    remediation: r.remediation,
    severity: r.severity as Severity,
    kev: Number(r.kev) === 1,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
  };
}

/** Every row of one advisory (open and resolved: a resolved row reopens rather than a second row being made). */
export async function storedFindingsOfAdvisory(db: Db | Tx, advisorySeq: number): Promise<StoredFinding[]> {
  const rows = await db.selectFrom('inventory_findings').select([...FINDING_COLUMNS]).where('advisory_seq', '=', advisorySeq).execute();
  return (rows as FindingSelect[]).map(toStored);
}

/** Every row of one inventory, open and resolved. */
export async function storedFindingsOfInventory(db: Db | Tx, inventorySeq: number): Promise<StoredFinding[]> {
  const rows = await db.selectFrom('inventory_findings').select([...FINDING_COLUMNS]).where('inventory_seq', '=', inventorySeq).execute();
  return (rows as FindingSelect[]).map(toStored);
}

/** A row's history, newest first. */
export async function findingEvents(db: Db | Tx, findingSeq: number, limit: number) {
  const rows = await db.selectFrom('inventory_finding_events').selectAll().where('finding_seq', '=', findingSeq).orderBy('seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), finding_seq: Number(r.finding_seq) }));
}

// ---- writing a delta ----

export interface AppliedChanges {
  opened: number;
  reopened: number;
  changed: number;
  resolved: number;
  kept: number;
}

const factsJson = (f: FindingFacts) => ({ purl: f.purl, version: f.version, versions: f.versions, fixed: f.fixed, remediation: f.remediation, severity: f.severity, kev: f.kev });

const INSERT_COLUMNS = [
  'inventory_seq', 'advisory_seq', 'organisation_id', 'ecosystem', 'release_key', 'name', 'purl', 'version', 'versions', 'fixed', 'remediation', 'severity', 'severity_rank', 'kev',
  'first_seen', 'last_seen',
] as const;
const EVENT_COLUMNS = ['finding_seq', 'kind', 'detail', 'actor', 'actor_user_id', 'at'] as const;

/** The columns matching sets on a row it found (facts and last seen); never the analysis. */
function factColumns(f: FindingFacts, at: string) {
  return {
    purl: f.purl,
    version: f.version,
    versions: JSON.stringify(f.versions),
    fixed: f.fixed,
    remediation: f.remediation,
    severity: f.severity,
    severity_rank: SEVERITY_RANK[f.severity],
    kev: f.kev ? 1 : 0,
    last_seen: at,
  };
}

/**
 * Writes a planned delta (planFindings) with its history events, inside the caller's transaction. New rows and events
 * are multi-row statements; rows that stay are touched (last_seen) in chunks; rows that change, resolve or reopen
 * are updated in groups that share their new values, so a revision raising the severity of 5,000 rows is a handful
 * of statements. The analysis columns and version_no are never written here.
 */
export async function applyFindingChanges(tx: Tx, changes: readonly FindingChange[], at: string, source: string): Promise<AppliedChanges> {
  const counts: AppliedChanges = { opened: 0, reopened: 0, changed: 0, resolved: 0, kept: 0 };
  const events: unknown[][] = [];
  const event = (seq: number, kind: (typeof FINDING_EVENT_KINDS)[number], detail: Record<string, unknown>) => events.push([seq, kind, JSON.stringify({ ...detail, source }), 'system', null, at]);

  const opens = changes.filter((c): c is Extract<FindingChange, { kind: 'open' }> => c.kind === 'open');
  if (opens.length) {
    const rows = opens.map(({ facts: f }) => [
      f.inventorySeq, f.advisorySeq, f.organisationId, f.ecosystem, f.releaseKey, f.name, f.purl, f.version, JSON.stringify(f.versions), f.fixed, f.remediation, f.severity,
      SEVERITY_RANK[f.severity], f.kev ? 1 : 0, at, at,
    ]);
    const inserted = await bulkInsert(tx, 'inventory_findings', INSERT_COLUMNS, rows, { returning: ['seq', 'inventory_seq', 'advisory_seq', 'ecosystem', 'release_key', 'name'] });
    const seqOf = new Map<string, number>();
    for (const r of inserted) {
      seqOf.set(findingKey({ inventorySeq: Number(r.inventory_seq), advisorySeq: Number(r.advisory_seq), ecosystem: String(r.ecosystem), releaseKey: String(r.release_key), name: String(r.name) }), Number(r.seq));
    }
    for (const { facts } of opens) event(seqOf.get(findingKey(facts))!, 'opened', factsJson(facts));
    counts.opened = opens.length;
  }

  const kept = changes.filter((c) => c.kind === 'keep').map((c) => c.before.seq);
  for (const c of chunks(kept)) await tx.updateTable('inventory_findings').set({ last_seen: at }).where('seq', 'in', c).execute();
  counts.kept = kept.length;

  // Updates grouped by the values they set: one statement per group and chunk.
  const groups = new Map<string, { set: Record<string, unknown>; seqs: number[] }>();
  const group = (set: Record<string, unknown>, seq: number) => {
    const k = JSON.stringify(set);
    const g = groups.get(k);
    if (g) g.seqs.push(seq);
    else groups.set(k, { set, seqs: [seq] });
  };
  for (const c of changes) {
    if (c.kind === 'change') {
      group(factColumns(c.facts, at), c.before.seq);
      event(c.before.seq, 'changed', { changed: c.changed, before: factsJson(c.before), after: factsJson(c.facts) });
      counts.changed++;
    } else if (c.kind === 'reopen') {
      group({ ...factColumns(c.facts, at), resolved_at: null, resolution: null }, c.before.seq);
      event(c.before.seq, 'reopened', { after: factsJson(c.facts), resolution: c.before.resolution });
      counts.reopened++;
    } else if (c.kind === 'resolve') {
      group({ resolved_at: at, resolution: c.resolution }, c.before.seq);
      event(c.before.seq, 'resolved', { resolution: c.resolution, versions: c.before.versions });
      counts.resolved++;
    }
  }
  for (const { set, seqs } of groups.values()) for (const c of chunks(seqs)) await tx.updateTable('inventory_findings').set(set).where('seq', 'in', c).execute();

  await bulkInsert(tx, 'inventory_finding_events', EVENT_COLUMNS, events);
  return counts;
}

/**
 * Serialises matching's writes across instances: two jobs (an advisory's and an SBOM's) that share rows compute
 * their deltas one after the other, each from what the other committed. PostgreSQL: a transaction-scoped advisory
 * lock; SQLite has one writer, and its transactions already run one at a time.
 */
export async function lockMatching(tx: Tx): Promise<void> {
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(cast(${REMEDIATION_LOCK} as bigint))`.execute(tx);
}
