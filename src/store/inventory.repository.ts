import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { AccessLabel, CiSector, ReaderFacts, Tlp } from '../domain/policy/access-label.ts';
import type { Criticality } from '../domain/assets/asset-fields.ts';
import type { InventoryScope } from '../domain/policy/inventory.policy.ts';
import type { Db, Tx } from './db.ts';
import type { ComponentTable, InventoryTable } from './schema.ts';
import { visibleTo } from './visibility.ts';
import type { SchemaCheck, SchemaWarning } from '../formats/sbom-schema.ts';

export interface UnmatchedEntry {
  ref: string;
  reason: string;
}

export interface Inventory {
  id: string;
  name: string;
  format: string;
  componentCount: number;
  unmatchedCount: number;
  /** The first reasons (capped, see MAX_STORED_UNMATCHED); unmatchedCount is the full number. */
  unmatched: UnmatchedEntry[];
  sbomSha256: string;
  /** Whether the SBOM was compared with its schema, and which; findings are warnings, not refusals. */
  schema: SchemaCheck;
  /** The first schema findings (capped, see MAX_SCHEMA_WARNINGS); schemaWarningCount is the full number. */
  schemaWarnings: SchemaWarning[];
  schemaWarningCount: number;
  /** The asset the inventory describes (issue 10; src/domain/assets/asset-fields.ts): null until the owner says. */
  sector: CiSector | null;
  criticality: Criticality | null;
  environment: string | null;
  label: AccessLabel;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredComponent {
  id: number;
  purl: string;
  ecosystem: string;
  release: string | null;
  name: string;
  sourceName: string | null;
  version: string;
  bomRef: string | null;
}

/** A component as it goes into the table (canonical identity already worked out by the service). */
export type NewComponent = Omit<ComponentTable, 'id' | 'inventory_seq'>;

export type InventoryRow = Omit<InventoryTable, 'seq'> & { seq: number };

export function toInventory(r: Omit<InventoryTable, 'seq'>): Inventory {
  return {
    id: r.id,
    name: r.name,
    format: r.format,
    componentCount: r.component_count,
    unmatchedCount: r.unmatched_count,
    unmatched: JSON.parse(r.unmatched) as UnmatchedEntry[],
    sbomSha256: r.sbom_sha256,
    schema: JSON.parse(r.schema_check) as SchemaCheck,
    schemaWarnings: JSON.parse(r.schema_warnings) as SchemaWarning[],
    schemaWarningCount: r.schema_warning_count,
    sector: r.sector as CiSector | null,
    criticality: r.criticality as Criticality | null,
    environment: r.environment,
    label: { owner: r.owner_org_id, tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, restricted: r.restricted_role },
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function fromInventory(i: Inventory): Omit<InventoryTable, 'seq'> {
  return {
    id: i.id,
    name: i.name,
    format: i.format,
    component_count: i.componentCount,
    unmatched_count: i.unmatchedCount,
    unmatched: JSON.stringify(i.unmatched),
    sbom_sha256: i.sbomSha256,
    schema_check: JSON.stringify(i.schema),
    schema_warnings: JSON.stringify(i.schemaWarnings),
    schema_warning_count: i.schemaWarningCount,
    sector: i.sector,
    criticality: i.criticality,
    environment: i.environment,
    owner_org_id: i.label.owner,
    tlp: i.label.tlp,
    embargo_until: i.label.embargoUntil,
    restricted_role: i.label.restricted,
    version: i.version,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

/**
 * Who reads inventories: the label policy only. Site administrators get no exception (inventories are operators'
 * sensitive data); `all` is for the server's own background work, which must filter per recipient itself.
 */
export type InventoryReader = InventoryScope;

function visible(reader: InventoryReader) {
  return (eb: ExpressionBuilder<any, any>): Expression<SqlBool> => (reader.all ? eb.lit(true) : visibleTo(reader.facts, reader.now, 'inventories')(eb));
}

export async function insertInventory(tx: Tx, inv: Inventory): Promise<number> {
  const row = await tx.insertInto('inventories').values(fromInventory(inv)).returning('seq').executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** Parsed components as columns (the shape the parsing worker returns), one entry per row in each. */
export interface ComponentColumns {
  ecosystem: readonly string[];
  release: readonly (string | null)[];
  name: readonly string[];
  sourceName: readonly (string | null)[];
  version: readonly string[];
  purl: readonly string[];
  bomRef: readonly (string | null)[];
}

// 9 parameters a row: 1000 rows stay far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const INSERT_BATCH = 1000;

/**
 * Inserts in batches and gives the event loop a turn between them: better-sqlite3 runs each statement
 * synchronously, so 400,000 rows in one go held every other request (and /healthz) for seconds. The transaction
 * stays one, so the upload is still all or nothing.
 */
export async function insertComponents(tx: Tx, seq: number, c: ComponentColumns): Promise<void> {
  const n = c.purl.length;
  for (let i = 0; i < n; i += INSERT_BATCH) {
    const batch: (NewComponent & { inventory_seq: number })[] = [];
    for (let j = i; j < Math.min(n, i + INSERT_BATCH); j++) {
      batch.push({ inventory_seq: seq, ecosystem: c.ecosystem[j]!, release: c.release[j]!, name: c.name[j]!, source_name: c.sourceName[j]!, version: c.version[j]!, purl: c.purl[j]!, bom_ref: c.bomRef[j]! });
    }
    await tx.insertInto('components').values(batch).execute();
    if (i + INSERT_BATCH < n) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export async function deleteComponents(tx: Tx, seq: number): Promise<void> {
  await tx.deleteFrom('components').where('inventory_seq', '=', seq).execute();
}

/** Components go with it by ON DELETE CASCADE. */
export async function deleteInventory(tx: Tx, seq: number): Promise<void> {
  await tx.deleteFrom('inventories').where('seq', '=', seq).execute();
}

/** Conditional on the version read: false when someone else changed the row first. */
export async function saveInventoryVersioned(tx: Tx, seq: number, expectedVersion: number, after: Inventory): Promise<boolean> {
  const res = await tx.updateTable('inventories').set(fromInventory(after)).where('seq', '=', seq).where('version', '=', expectedVersion).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function findVisibleInventory(db: Db | Tx, reader: InventoryReader, id: string): Promise<InventoryRow | undefined> {
  const row = await db.selectFrom('inventories').selectAll().where('id', '=', id).where(visible(reader)).executeTakeFirst();
  return row ? { ...row, seq: Number(row.seq) } : undefined;
}

/** Filters of the inventories list; every one runs inside the reader's visibility. */
export interface InventoryFilter {
  organisationId?: string | undefined;
  sector?: CiSector | undefined;
  criticality?: Criticality | undefined;
  /** Compared through the database's lower() on both sides, so "OT" finds "ot". */
  environment?: string | undefined;
}

export async function listInventories(
  db: Db,
  reader: InventoryReader,
  filter: InventoryFilter,
  after: [string, string] | null,
  limit: number,
): Promise<InventoryRow[]> {
  let q = db.selectFrom('inventories').selectAll().where(visible(reader));
  if (filter.organisationId !== undefined) q = q.where('owner_org_id', '=', filter.organisationId);
  if (filter.sector !== undefined) q = q.where('sector', '=', filter.sector);
  if (filter.criticality !== undefined) q = q.where('criticality', '=', filter.criticality);
  const env = filter.environment;
  if (env !== undefined) q = q.where((eb) => eb(eb.fn('lower', ['environment']), '=', eb.fn('lower', [eb.val(env)])));
  if (after) {
    const [name, id] = after;
    q = q.where((eb) => eb.or([eb('name', '>', name), eb.and([eb('name', '=', name), eb('id', '>', id)])]));
  }
  const rows = await q.orderBy('name').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function listComponents(db: Db, seq: number, afterId: number | null, limit: number): Promise<StoredComponent[]> {
  let q = db.selectFrom('components').selectAll().where('inventory_seq', '=', seq);
  if (afterId !== null) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    purl: r.purl,
    ecosystem: r.ecosystem,
    release: r.release,
    name: r.name,
    sourceName: r.source_name,
    version: r.version,
    bomRef: r.bom_ref,
  }));
}

/** Which column the reverse query looks a package up by: the package's own name or its source package. */
export type LookupColumn = 'name' | 'source_name';

export interface VersionKey {
  name: string;
  release: string | null;
  version: string;
}

/**
 * IN lists are cut into chunks this long: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters (the
 * visibility condition adds a few more), and each chunk is still one index range scan.
 */
export const IN_CHUNK = 500;

function chunks<T>(xs: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/**
 * Phase one of the reverse query: the distinct (name, release, version) triples stored for some packages, read from
 * the covering index alone (an index-only scan on both databases; joining every row to its inventory to filter it
 * made a popular package's lookup several times slower). NOT filtered by reader: it only decides which versions to
 * evaluate and never leaves the server. Anything reported from it must first be confirmed through `visibleVersions`;
 * the affected rows themselves are read through `componentsAt`, which filters in SQL.
 */
export async function storedVersions(db: Db, column: LookupColumn, ecosystem: string, names: readonly string[]): Promise<VersionKey[]> {
  const out: VersionKey[] = [];
  for (const chunk of chunks(names)) {
    let q = db
      .selectFrom('components')
      .select([`${column} as name`, 'release', 'version'])
      .distinct()
      .where('ecosystem', '=', ecosystem)
      .where(column, 'in', chunk);
    // Lets both databases use the partial index on source_name.
    if (column === 'source_name') q = q.where('source_name', 'is not', null);
    for (const r of await q.execute()) out.push({ name: r.name as string, release: r.release, version: r.version });
  }
  return out;
}

/**
 * Which of these stored (name, release, version) keys the reader may see in at least one inventory: the policy in
 * SQL. Used for the diagnostics of the reverse query (versions that could not be evaluated), which must never be
 * derived from rows the reader cannot read. Such keys are rare, so one chunked query per 500 keys is cheap.
 */
export async function visibleVersions(db: Db, reader: InventoryReader, column: LookupColumn, ecosystem: string, keys: readonly VersionKey[]): Promise<VersionKey[]> {
  const wanted = new Map<string, VersionKey>();
  for (const k of keys) wanted.set(versionKeyString(k), k);
  const seen = new Set<string>();
  for (const chunk of chunks(keys)) {
    const rows = await db
      .selectFrom('components as c')
      .innerJoin('inventories', 'inventories.seq', 'c.inventory_seq')
      .select([`c.${column} as name`, 'c.release', 'c.version'])
      .distinct()
      .where('c.ecosystem', '=', ecosystem)
      .where(`c.${column}`, 'in', [...new Set(chunk.map((k) => k.name))])
      .where('c.version', 'in', [...new Set(chunk.map((k) => k.version))])
      .where(visible(reader))
      .execute();
    // The IN lists select a superset (names x versions); only the exact keys asked for count.
    for (const r of rows) {
      const s = versionKeyString({ name: r.name as string, release: r.release, version: r.version });
      if (wanted.has(s)) seen.add(s);
    }
  }
  return [...seen].map((s) => wanted.get(s)!);
}

function versionKeyString(k: VersionKey): string {
  return k.name + '\u0000' + (k.release ?? '') + '\u0000' + k.version;
}

export interface CandidateRow {
  id: number;
  ecosystem: string;
  release: string | null;
  name: string;
  source_name: string | null;
  version: string;
  purl: string;
  inventory_id: string;
  inventory_name: string;
  owner_org_id: string;
}

function candidates(db: Db, reader: InventoryReader) {
  return db
    .selectFrom('components as c')
    .innerJoin('inventories', 'inventories.seq', 'c.inventory_seq')
    .select([
      'c.id',
      'c.ecosystem',
      'c.release',
      'c.name',
      'c.source_name',
      'c.version',
      'c.purl',
      'inventories.id as inventory_id',
      'inventories.name as inventory_name',
      'inventories.owner_org_id',
    ])
    .where(visible(reader));
}

/**
 * Phase two, one page: the stored components of one package at some versions, in inventories the reader may see
 * (the policy is applied in SQL, so hidden rows never leave the database), in id order after `afterId`, at most
 * `limit`. The version list is chunked; each chunk's first `limit` rows are merged, so the page is exact. The caller
 * re-checks the release per row.
 */
export async function componentsAt(
  db: Db,
  reader: InventoryReader,
  column: LookupColumn,
  ecosystem: string,
  name: string,
  versions: readonly string[],
  afterId: number,
  limit: number,
): Promise<CandidateRow[]> {
  const merged: CandidateRow[] = [];
  for (const chunk of chunks(versions)) {
    const rows = await candidates(db, reader)
      .where('c.ecosystem', '=', ecosystem)
      .where(`c.${column}`, '=', name)
      .where('c.version', 'in', chunk)
      .where('c.id', '>', afterId)
      .orderBy('c.id')
      .limit(limit)
      .execute();
    for (const r of rows) merged.push({ ...r, id: Number(r.id) });
  }
  return merged.sort((a, b) => a.id - b.id).slice(0, limit);
}

/** One page of the components pinned to commits of one repository (ecosystem GIT, name = normalised URL). */
export async function gitComponents(db: Db, reader: InventoryReader, repo: string, afterId: number, limit: number): Promise<CandidateRow[]> {
  const rows = await candidates(db, reader)
    .where('c.ecosystem', '=', 'GIT')
    .where('c.name', '=', repo)
    .where('c.id', '>', afterId)
    .orderBy('c.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
