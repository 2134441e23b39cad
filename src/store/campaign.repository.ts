/**
 * Every query of scanning campaigns, named assets and opt-outs (issue 9; docs/campaigns.md). Lists take the reader's
 * scope and apply the read rule of src/domain/policy/campaign.policy.ts inside their SQL: the label, or "the
 * campaign touches one of the reader's organisations" (`touches` below, the SQL form of `concernsOf` in
 * src/domain/campaigns/scope.ts). test/api/campaigns-rule.test.ts holds the two forms against each other.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { supernets, type CidrRange, type IpFamily } from '../domain/campaigns/cidr.ts';
import { matchKey, type CampaignTarget, type OrgHolding, type TargetKind } from '../domain/campaigns/scope.ts';
import type { CampaignScope } from '../domain/policy/campaign.policy.ts';
import type { OrganisationScope } from '../domain/policy/organisation.policy.ts';
import type { ReaderFacts } from '../domain/policy/access-label.ts';
import type { Db, Tx } from './db.ts';
import { isPostgres } from './dialect.ts';
import type { AssetRangeTable, CampaignOptOutTable, CampaignTable, CampaignTargetTable, OrgAssetTable } from './schema-campaigns.ts';
import { visibleTo } from './visibility.ts';

type Eb = ExpressionBuilder<any, any>;
const NEVER = sql<SqlBool>`1 = 0`;
const ALWAYS = sql<SqlBool>`1 = 1`;

export type CampaignRow = Omit<CampaignTable, 'seq'> & { seq: number; organisation_name: string };
export type NewCampaignRow = Omit<CampaignTable, 'seq'>;

// ---- The read rule in SQL ----

/**
 * "The campaign (`alias`) touches one of the reader's organisations": one of its targets names the organisation, a
 * sector it is in, an inventory or named asset of it the reader may read, a purl present in such an inventory, or a
 * range overlapping such an asset's ranges.
 */
export function touches(facts: ReaderFacts, nowIso: string, alias = 'campaigns') {
  return (eb: Eb): Expression<SqlBool> => {
    const orgs = facts.organisationIds;
    if (orgs.length === 0) return NEVER;
    const inventoryVisible = visibleTo(facts, nowIso, 'inventories');
    const assetVisible = visibleTo(facts, nowIso, 'org_assets');
    return eb.exists(
      eb.selectFrom('campaign_targets as t')
        .select(eb.lit(1).as('one'))
        .whereRef('t.campaign_seq', '=', `${alias}.seq`)
        .where((e) => e.or([
          e.and([e('t.kind', '=', 'organisation'), e('t.value', 'in', orgs)]),
          e.and([
            e('t.kind', '=', 'sector'),
            e.exists(e.selectFrom('organisations as so').select(e.lit(1).as('one')).where('so.id', 'in', orgs).where(sql<SqlBool>`so.sectors like ('%"' || t.value || '"%')`)),
          ]),
          e.and([
            e('t.kind', '=', 'inventory'),
            e.exists(e.selectFrom('inventories').select(e.lit(1).as('one')).whereRef('inventories.id', '=', 't.value').where('inventories.owner_org_id', 'in', orgs).where(inventoryVisible)),
          ]),
          e.and([
            e('t.kind', '=', 'asset'),
            e.exists(e.selectFrom('org_assets').select(e.lit(1).as('one')).whereRef('org_assets.id', '=', 't.value').where('org_assets.owner_org_id', 'in', orgs).where(assetVisible)),
          ]),
          e.and([
            e('t.kind', '=', 'cidr'),
            e.exists(
              e.selectFrom('asset_ranges as r')
                .innerJoin('org_assets', 'org_assets.id', 'r.asset_id')
                .select(e.lit(1).as('one'))
                .whereRef('r.family', '=', 't.match_key')
                .whereRef('r.ip_start', '<=', 't.ip_end')
                .whereRef('t.ip_start', '<=', 'r.ip_end')
                .where('org_assets.owner_org_id', 'in', orgs)
                .where(assetVisible),
            ),
          ]),
          e.and([
            e('t.kind', '=', 'purl'),
            e.exists(
              e.selectFrom('components as c')
                .innerJoin('inventories', 'inventories.seq', 'c.inventory_seq')
                .select(e.lit(1).as('one'))
                .whereRef('c.ecosystem', '=', 't.purl_ecosystem')
                .whereRef('c.name', '=', 't.purl_name')
                .where((x) => x.or([x('t.purl_version', 'is', null), x('c.version', '=', x.ref('t.purl_version'))]))
                .where('inventories.owner_org_id', 'in', orgs)
                .where(inventoryVisible),
            ),
          ]),
        ])),
    );
  };
}

/** The whole read rule: the label, or touched and (as for a share) holding any need-to-know role it names. */
export function campaignVisible(scope: CampaignScope, alias = 'campaigns') {
  return (eb: Eb): Expression<SqlBool> => {
    if (scope.all) return ALWAYS;
    const roles = scope.facts.roles;
    const restrictedOk = roles.length
      ? eb.or([eb(`${alias}.restricted_role`, 'is', null), eb(`${alias}.restricted_role`, 'in', roles)])
      : eb(`${alias}.restricted_role`, 'is', null);
    return eb.or([visibleTo(scope.facts, scope.now, alias)(eb), eb.and([restrictedOk, touches(scope.facts, scope.now, alias)(eb)])]);
  };
}

/** The label alone (overlaps: coordinators see only campaigns they read in full). */
function labelVisible(scope: CampaignScope, alias: string) {
  return (eb: Eb): Expression<SqlBool> => (scope.all ? ALWAYS : visibleTo(scope.facts, scope.now, alias)(eb));
}

/** The organisation directory's read rule (organisation.policy.ts `seesOrganisation`), for names in answers. */
function organisationVisible(reader: OrganisationScope, alias: string) {
  return (eb: Eb): Expression<SqlBool> =>
    reader.siteAdmin
      ? ALWAYS
      : eb.or([
        reader.facts.organisationIds.length ? eb(`${alias}.id`, 'in', reader.facts.organisationIds) : NEVER,
        visibleTo(reader.facts, reader.now, alias)(eb),
      ]);
}

// ---- Campaigns ----

function targetRow(seq: number, position: number, t: CampaignTarget): CampaignTargetTable {
  return {
    campaign_seq: seq,
    position,
    kind: t.kind,
    value: t.value,
    organisation_id: t.organisationId,
    match_key: matchKey(t),
    purl_ecosystem: t.purl?.ecosystem ?? null,
    purl_name: t.purl?.name ?? null,
    purl_version: t.purl?.version ?? null,
    ip_start: t.range?.start ?? null,
    ip_end: t.range?.end ?? null,
  };
}

function fromTargetRow(r: CampaignTargetTable): CampaignTarget {
  const range: CidrRange | null = r.kind === 'cidr' ? { cidr: r.value, family: r.match_key as IpFamily, start: r.ip_start!, end: r.ip_end! } : null;
  return {
    kind: r.kind as TargetKind,
    value: r.value,
    organisationId: r.organisation_id,
    purl: r.kind === 'purl' ? { ecosystem: r.purl_ecosystem!, name: r.purl_name!, version: r.purl_version } : null,
    range,
  };
}

async function writeTargets(tx: Tx, seq: number, targets: readonly CampaignTarget[]): Promise<void> {
  const rows = targets.map((t, i) => targetRow(seq, i, t));
  // 11 columns a row: 500 rows stay far under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('campaign_targets').values(rows.slice(i, i + 500)).execute();
}

function campaignSelect(db: Db | Tx) {
  return db.selectFrom('campaigns').innerJoin('organisations', 'organisations.id', 'campaigns.owner_org_id').selectAll('campaigns').select('organisations.name as organisation_name');
}

const asRow = <R extends { seq: number | string }>(r: R) => ({ ...r, seq: Number(r.seq) });

/** Unscoped lookup: the service decides with `authorize` on the record in hand. */
export async function findCampaign(db: Db | Tx, id: string): Promise<CampaignRow | undefined> {
  const row = await campaignSelect(db).where('campaigns.id', '=', id).executeTakeFirst();
  return row ? asRow(row) : undefined;
}

export async function campaignTargets(db: Db | Tx, seqs: readonly number[]): Promise<Map<number, CampaignTarget[]>> {
  const out = new Map<number, CampaignTarget[]>(seqs.map((s) => [s, []]));
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await db.selectFrom('campaign_targets').selectAll().where('campaign_seq', 'in', seqs.slice(i, i + 500)).orderBy('campaign_seq').orderBy('position').execute();
    for (const r of rows) out.get(Number(r.campaign_seq))?.push(fromTargetRow(r));
  }
  return out;
}

export async function insertCampaign(tx: Tx, row: NewCampaignRow, targets: readonly CampaignTarget[]): Promise<number> {
  const { seq } = await tx.insertInto('campaigns').values(row).returning('seq').executeTakeFirstOrThrow();
  await writeTargets(tx, Number(seq), targets);
  return Number(seq);
}

/** Compare-and-set on `version`; the scope is replaced when `targets` is given. False when someone changed it first. */
export async function updateCampaignVersioned(tx: Tx, seq: number, row: Partial<NewCampaignRow>, expectedVersion: number, targets: readonly CampaignTarget[] | null): Promise<boolean> {
  const res = await tx.updateTable('campaigns').set(row).where('seq', '=', seq).where('version', '=', expectedVersion).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  if (targets) {
    await tx.deleteFrom('campaign_targets').where('campaign_seq', '=', seq).execute();
    await writeTargets(tx, seq, targets);
  }
  return true;
}

export interface CampaignFilter {
  /** Running now: not cancelled, started, not ended. */
  active?: boolean | undefined;
  /** Owned by one of the reader's organisations. */
  mine?: boolean | undefined;
  /** Touching one of the reader's organisations (whatever the label would allow). */
  touching?: boolean | undefined;
}

/** Latest start first; keyset over (starts_at, seq). Every filter runs inside the reader's visibility. */
export async function listCampaigns(db: Db | Tx, scope: CampaignScope, f: CampaignFilter, after: [string, number] | null, limit: number): Promise<CampaignRow[]> {
  let q = campaignSelect(db).where(campaignVisible(scope));
  if (f.active) q = q.where('campaigns.state', '=', 'active').where('campaigns.starts_at', '<=', scope.now).where('campaigns.ends_at', '>', scope.now);
  if (f.mine) q = scope.facts.organisationIds.length ? q.where('campaigns.owner_org_id', 'in', scope.facts.organisationIds) : q.where(NEVER);
  if (f.touching) q = q.where(touches(scope.facts, scope.now));
  if (after) {
    const [s, n] = after;
    q = q.where((eb) => eb.or([eb('campaigns.starts_at', '<', s), eb.and([eb('campaigns.starts_at', '=', s), eb('campaigns.seq', '<', n)])]));
  }
  const rows = await q.orderBy('campaigns.starts_at', 'desc').orderBy('campaigns.seq', 'desc').limit(limit).execute();
  return rows.map(asRow);
}

/**
 * What the reader's organisations hold that the given campaigns could reach, as far as the reader may read it: their
 * sectors, readable named assets with ranges, readable inventories the campaigns name or hold a named purl, and those
 * packages. Bounded: assets by the per-organisation cap, packages by the campaigns' purl targets.
 */
export async function readerHoldings(db: Db | Tx, scope: CampaignScope, seqs: readonly number[]): Promise<OrgHolding[]> {
  const orgs = scope.facts.organisationIds;
  if (orgs.length === 0) return [];
  const orgRows = await db.selectFrom('organisations').select(['id', 'name', 'sectors']).where('id', 'in', orgs).execute();
  const assets = await db
    .selectFrom('org_assets')
    .select(['id', 'name', 'inventory_id', 'owner_org_id'])
    .where('owner_org_id', 'in', orgs)
    .where(visibleTo(scope.facts, scope.now, 'org_assets'))
    .orderBy('name')
    .orderBy('id')
    .execute();
  const ranges = await rangesOf(db, assets.map((a) => a.id));
  const inventories = new Map<string, { id: string; name: string; owner: string }>();
  const packages: { ecosystem: string; name: string; version: string; inventoryId: string; owner: string }[] = [];
  if (seqs.length) {
    const named = await db
      .selectFrom('inventories')
      .select(['id', 'name', 'owner_org_id'])
      .where('owner_org_id', 'in', orgs)
      .where(visibleTo(scope.facts, scope.now, 'inventories'))
      .where('id', 'in', (eb) => eb.selectFrom('campaign_targets').select('value').where('kind', '=', 'inventory').where('campaign_seq', 'in', [...seqs]))
      .execute();
    for (const i of named) inventories.set(i.id, { id: i.id, name: i.name, owner: i.owner_org_id });
    const hits = await db
      .selectFrom('components as c')
      .innerJoin('inventories', 'inventories.seq', 'c.inventory_seq')
      .select(['c.ecosystem', 'c.name', 'c.version', 'inventories.id as inventory_id', 'inventories.name as inventory_name', 'inventories.owner_org_id'])
      .distinct()
      .where('inventories.owner_org_id', 'in', orgs)
      .where(visibleTo(scope.facts, scope.now, 'inventories'))
      .where((eb) => eb.exists(
        eb.selectFrom('campaign_targets as t')
          .select(eb.lit(1).as('one'))
          .where('t.kind', '=', 'purl')
          .where('t.campaign_seq', 'in', [...seqs])
          .whereRef('t.purl_ecosystem', '=', 'c.ecosystem')
          .whereRef('t.purl_name', '=', 'c.name'),
      ))
      .limit(20_000)
      .execute();
    for (const h of hits) {
      inventories.set(h.inventory_id, { id: h.inventory_id, name: h.inventory_name, owner: h.owner_org_id });
      packages.push({ ecosystem: h.ecosystem, name: h.name, version: h.version, inventoryId: h.inventory_id, owner: h.owner_org_id });
    }
  }
  return orgRows.map((o) => ({
    organisationId: o.id,
    organisationName: o.name,
    sectors: JSON.parse(o.sectors) as string[],
    inventories: [...inventories.values()].filter((i) => i.owner === o.id).map(({ id, name }) => ({ id, name })),
    assets: assets.filter((a) => a.owner_org_id === o.id).map((a) => ({ id: a.id, name: a.name, inventoryId: a.inventory_id, ranges: ranges.get(a.id) ?? [] })),
    packages: packages.filter((p) => p.owner === o.id).map(({ owner: _o, ...p }) => p),
  }));
}

/** Names of the organisations among `ids` the reader may see in the directory. */
export async function visibleOrganisationNames(db: Db | Tx, reader: OrganisationScope, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', [...ids]).where(organisationVisible(reader, 'organisations')).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Inventories among `ids` the reader may read (facts null: the server's own work, every one). */
export async function readableInventories(db: Db | Tx, facts: ReaderFacts | null, nowIso: string, ids: readonly string[]): Promise<Map<string, { name: string; owner: string }>> {
  if (ids.length === 0) return new Map();
  let q = db.selectFrom('inventories').select(['id', 'name', 'owner_org_id']).where('id', 'in', [...ids]);
  if (facts) q = q.where(visibleTo(facts, nowIso, 'inventories'));
  return new Map((await q.execute()).map((r) => [r.id, { name: r.name, owner: r.owner_org_id }]));
}

/** Named assets among `ids` the reader may read (facts null: every one). */
export async function readableAssets(db: Db | Tx, facts: ReaderFacts | null, nowIso: string, ids: readonly string[]): Promise<Map<string, { name: string; owner: string }>> {
  if (ids.length === 0) return new Map();
  let q = db.selectFrom('org_assets').select(['id', 'name', 'owner_org_id']).where('id', 'in', [...ids]);
  if (facts) q = q.where(visibleTo(facts, nowIso, 'org_assets'));
  return new Map((await q.execute()).map((r) => [r.id, { name: r.name, owner: r.owner_org_id }]));
}

/** Kinds of organisations by id (who may own a campaign). */
export async function organisationKinds(db: Db | Tx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organisations').select(['id', 'kind']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.kind]));
}

// ---- Overlaps ----

export interface OverlapRow {
  a_seq: number;
  b_seq: number;
}

// Any constant works; it names the lock that serialises overlap maintenance across server instances.
const OVERLAPS_LOCK_KEY = 7_262_109;

const purlVersionsMeet = (a: string | null, b: string | null) => a === null || b === null || a === b;

/**
 * Re-computes the overlaps of one campaign (after it is registered or changed; a cancelled one has none): the other
 * active campaigns whose window overlaps its own and that share a target with it, the SQL form of `sharedTargets`.
 * Every lookup is indexed: equal keys for organisations, sectors and packages; for a range, the blocks starting inside
 * it and those equal to one of its supernets (two CIDR blocks overlap exactly when one contains the other). The cost
 * is that of one campaign's candidates, so the coordinators' list stays a paged index read.
 */
export async function refreshOverlaps(tx: Tx, seq: number): Promise<void> {
  // On PostgreSQL two campaigns written at once must not each miss the other: writers of overlaps take turns, so the
  // second to get here reads the first one's committed targets (read committed: each statement sees prior commits).
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${OVERLAPS_LOCK_KEY})`.execute(tx);
  await tx.deleteFrom('campaign_overlap_orgs').where((eb) => eb.or([eb('a_seq', '=', seq), eb('b_seq', '=', seq)])).execute();
  await tx.deleteFrom('campaign_overlaps').where((eb) => eb.or([eb('a_seq', '=', seq), eb('b_seq', '=', seq)])).execute();
  const me = await tx.selectFrom('campaigns').select(['state', 'starts_at', 'ends_at']).where('seq', '=', seq).executeTakeFirst();
  if (!me || me.state !== 'active') return;
  const mine = (await campaignTargets(tx, [seq])).get(seq) ?? [];
  const others = (q: any) => q
    .innerJoin('campaigns as c2', 'c2.seq', 't2.campaign_seq')
    .where('t2.campaign_seq', '<>', seq)
    .where('c2.state', '=', 'active')
    .where('c2.starts_at', '<', me.ends_at)
    .where('c2.ends_at', '>', me.starts_at);
  const found = new Map<number, { other: boolean; orgs: Set<string> }>();
  const hit = (other: number) => {
    let f = found.get(other);
    if (!f) found.set(other, (f = { other: false, orgs: new Set() }));
    return f;
  };
  const byKey = new Map<string, CampaignTarget[]>();
  for (const t of mine.filter((x) => x.kind !== 'cidr')) byKey.set(matchKey(t), [...(byKey.get(matchKey(t)) ?? []), t]);
  const keys = [...byKey.keys()];
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await others(tx.selectFrom('campaign_targets as t2'))
      .select(['t2.campaign_seq', 't2.kind', 't2.organisation_id', 't2.match_key', 't2.purl_version'])
      .where('t2.match_key', 'in', keys.slice(i, i + 500))
      .execute() as { campaign_seq: number; kind: string; organisation_id: string | null; match_key: string; purl_version: string | null }[];
    for (const r of rows) {
      for (const t of byKey.get(r.match_key) ?? []) {
        if (t.organisationId !== null && r.organisation_id !== null) hit(Number(r.campaign_seq)).orgs.add(t.organisationId);
        else if (t.kind === 'sector' && r.kind === 'sector') hit(Number(r.campaign_seq)).other = true;
        else if (t.kind === 'purl' && r.kind === 'purl' && purlVersionsMeet(t.purl!.version, r.purl_version)) hit(Number(r.campaign_seq)).other = true;
      }
    }
  }
  for (const t of mine.filter((x) => x.kind === 'cidr')) {
    const r = t.range!;
    const rows = await others(tx.selectFrom('campaign_targets as t2'))
      .select('t2.campaign_seq')
      .distinct()
      .where('t2.match_key', '=', r.family)
      .where((eb: Eb) => eb.or([
        eb.and([eb('t2.ip_start', '>=', r.start), eb('t2.ip_start', '<=', r.end)]),
        ...supernets(r).map((n) => eb.and([eb('t2.ip_start', '=', n.start), eb('t2.ip_end', '=', n.end)])),
      ]))
      .execute() as { campaign_seq: number }[];
    for (const row of rows) hit(Number(row.campaign_seq)).other = true;
  }
  const pairs = [...found].map(([other, f]) => ({ a_seq: Math.min(seq, other), b_seq: Math.max(seq, other), ...f }));
  for (let i = 0; i < pairs.length; i += 500) {
    const slice = pairs.slice(i, i + 500);
    await tx.insertInto('campaign_overlaps').values(slice.map((p) => ({ a_seq: p.a_seq, b_seq: p.b_seq, other_share: p.other ? 1 : 0 }))).execute();
    const orgs = slice.flatMap((p) => [...p.orgs].map((o) => ({ a_seq: p.a_seq, b_seq: p.b_seq, organisation_id: o })));
    for (let j = 0; j < orgs.length; j += 500) await tx.insertInto('campaign_overlap_orgs').values(orgs.slice(j, j + 500)).execute();
  }
}

/**
 * Overlapping pairs of campaigns the reader reads by label, newest pair first, keyset over (b_seq, a_seq): one
 * indexed scan of the maintained pairs, so memory is bounded by the page. A pair whose only shared target is an
 * organisation the reader may not see is left out (the reason would be the hidden organisation).
 */
export async function listOverlaps(db: Db, scope: CampaignScope, orgReader: OrganisationScope, campaignId: string | undefined, after: [number, number] | null, limit: number): Promise<OverlapRow[]> {
  let q = db
    .selectFrom('campaign_overlaps as o')
    .innerJoin('campaigns as ca', 'ca.seq', 'o.a_seq')
    .innerJoin('campaigns as cb', 'cb.seq', 'o.b_seq')
    .select(['o.a_seq', 'o.b_seq'])
    .where('ca.state', '=', 'active')
    .where('cb.state', '=', 'active')
    .where(labelVisible(scope, 'ca'))
    .where(labelVisible(scope, 'cb'))
    .where((eb) => eb.or([
      eb('o.other_share', '=', 1),
      eb.exists(
        eb.selectFrom('campaign_overlap_orgs as oo')
          .innerJoin('organisations', 'organisations.id', 'oo.organisation_id')
          .select(eb.lit(1).as('one'))
          .whereRef('oo.a_seq', '=', 'o.a_seq')
          .whereRef('oo.b_seq', '=', 'o.b_seq')
          .where(organisationVisible(orgReader, 'organisations')),
      ),
    ]));
  if (campaignId !== undefined) q = q.where((eb) => eb.or([eb('ca.id', '=', campaignId), eb('cb.id', '=', campaignId)]));
  if (after) {
    const [b, a] = after;
    q = q.where((eb) => eb.or([eb('o.b_seq', '<', b), eb.and([eb('o.b_seq', '=', b), eb('o.a_seq', '<', a)])]));
  }
  const rows = await q.orderBy('o.b_seq', 'desc').orderBy('o.a_seq', 'desc').limit(limit).execute();
  return rows.map((r) => ({ a_seq: Number(r.a_seq), b_seq: Number(r.b_seq) }));
}

export async function campaignsBySeq(db: Db, seqs: readonly number[]): Promise<Map<number, CampaignRow>> {
  if (seqs.length === 0) return new Map();
  const rows = await campaignSelect(db).where('campaigns.seq', 'in', [...seqs]).execute();
  return new Map(rows.map((r) => [Number(r.seq), asRow(r)]));
}

// ---- Named assets ----

export type AssetRow = OrgAssetTable & { organisation_name: string; ranges: CidrRange[] };

async function rangesOf(db: Db | Tx, assetIds: readonly string[]): Promise<Map<string, CidrRange[]>> {
  const out = new Map<string, CidrRange[]>();
  for (let i = 0; i < assetIds.length; i += 500) {
    const rows = await db.selectFrom('asset_ranges').selectAll().where('asset_id', 'in', assetIds.slice(i, i + 500)).orderBy('asset_id').orderBy('family').orderBy('ip_start').execute();
    for (const r of rows) {
      const list = out.get(r.asset_id) ?? [];
      list.push({ cidr: r.cidr, family: r.family as IpFamily, start: r.ip_start, end: r.ip_end });
      out.set(r.asset_id, list);
    }
  }
  return out;
}

async function withRanges(db: Db | Tx, rows: (OrgAssetTable & { organisation_name: string })[]): Promise<AssetRow[]> {
  const ranges = await rangesOf(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, ranges: ranges.get(r.id) ?? [] }));
}

function assetSelect(db: Db | Tx) {
  return db.selectFrom('org_assets').innerJoin('organisations', 'organisations.id', 'org_assets.owner_org_id').selectAll('org_assets').select('organisations.name as organisation_name');
}

/** Unscoped lookup: the service decides with `authorize`. */
export async function findAsset(db: Db | Tx, id: string): Promise<AssetRow | undefined> {
  const row = await assetSelect(db).where('org_assets.id', '=', id).executeTakeFirst();
  return row ? (await withRanges(db, [row]))[0] : undefined;
}

/** An organisation's assets the reader may read, by name; keyset over (name, id). */
export async function listAssets(db: Db, facts: ReaderFacts | null, nowIso: string, organisationId: string, after: [string, string] | null, limit: number): Promise<AssetRow[]> {
  let q = assetSelect(db).where('org_assets.owner_org_id', '=', organisationId);
  if (facts) q = q.where(visibleTo(facts, nowIso, 'org_assets'));
  if (after) {
    const [n, id] = after;
    q = q.where((eb) => eb.or([eb('org_assets.name', '>', n), eb.and([eb('org_assets.name', '=', n), eb('org_assets.id', '>', id)])]));
  }
  return withRanges(db, await q.orderBy('org_assets.name').orderBy('org_assets.id').limit(limit).execute());
}

/** How many assets the organisation has (its administrators read every one: assets carry no need-to-know role). */
export async function countAssets(db: Db | Tx, organisationId: string): Promise<number> {
  const r = await db.selectFrom('org_assets').select((eb) => eb.fn.countAll().as('n')).where('owner_org_id', '=', organisationId).executeTakeFirstOrThrow();
  return Number(r.n);
}

function rangeRows(assetId: string, ranges: readonly CidrRange[]): AssetRangeTable[] {
  return ranges.map((r) => ({ asset_id: assetId, cidr: r.cidr, family: r.family, ip_start: r.start, ip_end: r.end }));
}

export async function insertAsset(tx: Tx, row: OrgAssetTable, ranges: readonly CidrRange[]): Promise<void> {
  await tx.insertInto('org_assets').values(row).execute();
  if (ranges.length) await tx.insertInto('asset_ranges').values(rangeRows(row.id, ranges)).execute();
}

export async function updateAssetVersioned(tx: Tx, row: OrgAssetTable, expectedVersion: number, ranges: readonly CidrRange[]): Promise<boolean> {
  const res = await tx.updateTable('org_assets').set(row).where('id', '=', row.id).where('version', '=', expectedVersion).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await tx.deleteFrom('asset_ranges').where('asset_id', '=', row.id).execute();
  if (ranges.length) await tx.insertInto('asset_ranges').values(rangeRows(row.id, ranges)).execute();
  return true;
}

/** Removes the asset, its ranges and its opt-outs (cascade). Campaign targets naming it stay, and reach nothing. */
export async function deleteAsset(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('org_assets').where('id', '=', id).execute();
}

/** An inventory of the organisation the reader may read (to link an asset to it). */
export async function readableInventoryOf(db: Db | Tx, facts: ReaderFacts | null, nowIso: string, organisationId: string, inventoryId: string): Promise<{ id: string; name: string } | undefined> {
  let q = db.selectFrom('inventories').select(['id', 'name']).where('id', '=', inventoryId).where('owner_org_id', '=', organisationId);
  if (facts) q = q.where(visibleTo(facts, nowIso, 'inventories'));
  return q.executeTakeFirst();
}

// ---- Opt-outs ----

export type OptOutRow = CampaignOptOutTable & {
  asset_name: string;
  inventory_id: string | null;
  inventory_name: string | null;
  organisation_name: string;
  campaign_id: string | null;
  campaign_name: string | null;
  ranges: CidrRange[];
};

function optOutSelect(db: Db | Tx) {
  return db
    .selectFrom('campaign_opt_outs as o')
    .innerJoin('org_assets', 'org_assets.id', 'o.asset_id')
    .innerJoin('organisations as oo', 'oo.id', 'o.owner_org_id')
    .leftJoin('inventories as oi', 'oi.id', 'org_assets.inventory_id')
    .leftJoin('campaigns', 'campaigns.seq', 'o.campaign_seq')
    .selectAll('o')
    .select(['org_assets.name as asset_name', 'org_assets.inventory_id', 'oi.name as inventory_name', 'oo.name as organisation_name', 'campaigns.id as campaign_id', 'campaigns.name as campaign_name']);
}

async function optOutRanges<R extends CampaignOptOutTable>(db: Db | Tx, rows: R[]): Promise<(R & { ranges: CidrRange[] })[]> {
  const ranges = await rangesOf(db, [...new Set(rows.map((r) => r.asset_id))]);
  return rows.map((r) => ({ ...r, ranges: ranges.get(r.asset_id) ?? [] }));
}

export async function findOptOut(db: Db | Tx, id: string): Promise<OptOutRow | undefined> {
  const row = await optOutSelect(db).where('o.id', '=', id).executeTakeFirst();
  return row ? ((await optOutRanges(db, [row]))[0] as OptOutRow) : undefined;
}

export async function optOutExists(db: Db | Tx, assetId: string, scopeKey: string): Promise<boolean> {
  return (await db.selectFrom('campaign_opt_outs').select('id').where('asset_id', '=', assetId).where('scope_key', '=', scopeKey).executeTakeFirst()) !== undefined;
}

export async function insertOptOut(tx: Tx, row: CampaignOptOutTable): Promise<void> {
  await tx.insertInto('campaign_opt_outs').values(row).execute();
}

export async function deleteOptOut(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('campaign_opt_outs').where('id', '=', id).execute();
}

/**
 * "The campaign reaches the asset" (`reachesAsset` in src/domain/campaigns/scope.ts): the asset, its inventory or its
 * organisation is named, or its organisation's sector, a package of its inventory or a range over its ranges.
 */
function reachesAsset(seq: number) {
  return (eb: Eb): Expression<SqlBool> =>
    eb.exists(
      eb.selectFrom('campaign_targets as t')
        .select(eb.lit(1).as('one'))
        .where('t.campaign_seq', '=', seq)
        .where((e) => e.or([
          e.and([e('t.kind', '=', 'organisation'), e('t.value', '=', e.ref('org_assets.owner_org_id'))]),
          e.and([e('t.kind', '=', 'asset'), e('t.value', '=', e.ref('org_assets.id'))]),
          e.and([e('t.kind', '=', 'inventory'), e('t.value', '=', e.ref('org_assets.inventory_id'))]),
          e.and([e('t.kind', '=', 'sector'), sql<SqlBool>`oo.sectors like ('%"' || t.value || '"%')`]),
          e.and([
            e('t.kind', '=', 'cidr'),
            e.exists(e.selectFrom('asset_ranges as r').select(e.lit(1).as('one')).whereRef('r.asset_id', '=', 'org_assets.id').whereRef('r.family', '=', 't.match_key').whereRef('r.ip_start', '<=', 't.ip_end').whereRef('t.ip_start', '<=', 'r.ip_end')),
          ]),
          e.and([
            e('t.kind', '=', 'purl'),
            e.exists(
              e.selectFrom('components as c')
                .innerJoin('inventories as ri', 'ri.seq', 'c.inventory_seq')
                .select(e.lit(1).as('one'))
                .whereRef('ri.id', '=', 'org_assets.inventory_id')
                .whereRef('c.ecosystem', '=', 't.purl_ecosystem')
                .whereRef('c.name', '=', 't.purl_name')
                .where((x) => x.or([x('t.purl_version', 'is', null), x('c.version', '=', x.ref('t.purl_version'))])),
            ),
          ]),
        ])),
    );
}

/**
 * The opt-outs that apply to a campaign: those naming it, and opt-outs from every campaign of assets it reaches.
 * `own` narrows them to assets of the given organisations the reader may read. Oldest first; keyset over (created_at, id).
 */
export async function optOutsForCampaign(
  db: Db,
  seq: number,
  audience: { all: true } | { all: false; facts: ReaderFacts; now: string },
  after: [string, string] | null,
  limit: number,
): Promise<OptOutRow[]> {
  let q = optOutSelect(db).where((eb) => eb.or([eb('o.campaign_seq', '=', seq), eb.and([eb('o.campaign_seq', 'is', null), reachesAsset(seq)(eb)])]));
  if (!audience.all) {
    q = audience.facts.organisationIds.length
      ? q.where('o.owner_org_id', 'in', audience.facts.organisationIds).where(visibleTo(audience.facts, audience.now, 'org_assets'))
      : q.where(NEVER);
  }
  if (after) {
    const [c, id] = after;
    q = q.where((eb) => eb.or([eb('o.created_at', '>', c), eb.and([eb('o.created_at', '=', c), eb('o.id', '>', id)])]));
  }
  return (await optOutRanges(db, await q.orderBy('o.created_at').orderBy('o.id').limit(limit).execute())) as OptOutRow[];
}

/** An organisation's opt-outs of assets the reader may read, from every campaign or from campaigns the reader may read. */
export async function optOutsOfOrganisation(db: Db, scope: CampaignScope, organisationId: string, after: [string, string] | null, limit: number): Promise<OptOutRow[]> {
  let q = optOutSelect(db)
    .where('o.owner_org_id', '=', organisationId)
    .where((eb) => eb.or([eb('o.campaign_seq', 'is', null), campaignVisible(scope)(eb)]));
  if (!scope.all) q = q.where(visibleTo(scope.facts, scope.now, 'org_assets'));
  if (after) {
    const [c, id] = after;
    q = q.where((eb) => eb.or([eb('o.created_at', '>', c), eb.and([eb('o.created_at', '=', c), eb('o.id', '>', id)])]));
  }
  return (await optOutRanges(db, await q.orderBy('o.created_at').orderBy('o.id').limit(limit).execute())) as OptOutRow[];
}
