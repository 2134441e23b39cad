import { randomUUID } from 'node:crypto';
import type { Services } from '../composition.ts';
import { CidrError, parseCidr, type CidrRange } from '../domain/campaigns/cidr.ts';
import {
  checkScopeCounts,
  cidrTarget,
  concernsOf,
  dedupeTargets,
  purlTarget,
  referenceTarget,
  sectorTarget,
  sharedTargets,
  type CampaignTarget,
  type Concern,
  type OrgHolding,
  type ScopeInput,
} from '../domain/campaigns/scope.ts';
import { parseInstant, windowPhase, WindowError, type Instant } from '../domain/campaigns/window.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import type { AccessLabel, OrganisationKind, Principal, Tlp } from '../domain/policy/access-label.ts';
import { TLP_LEVELS } from '../domain/policy/access-label.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import { CAMPAIGN_OWNER_KINDS, campaignAccess, campaignScope, optOutAudience, type CampaignAccess, type CampaignRecord } from '../domain/policy/campaign.policy.ts';
import { organisationScope } from '../domain/policy/organisation.policy.ts';
import { isOperator, isSystem } from '../domain/policy/predicates.ts';
import {
  campaignsBySeq,
  campaignTargets,
  countAssets,
  deleteAsset,
  deleteOptOut,
  findAsset,
  findCampaign,
  findOptOut,
  insertAsset,
  insertCampaign,
  insertOptOut,
  listAssets,
  listCampaigns,
  listOverlaps,
  optOutExists,
  optOutsForCampaign,
  optOutsOfOrganisation,
  organisationKinds,
  readableAssets,
  readableInventories,
  readableInventoryOf,
  readerHoldings,
  refreshOverlaps,
  updateAssetVersioned,
  updateCampaignVersioned,
  visibleOrganisationNames,
  type AssetRow,
  type CampaignRow,
  type NewCampaignRow,
  type OptOutRow,
} from '../store/campaign.repository.ts';
import type { Db, Tx } from '../store/db.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { buildLabel, checkVersion, type LabelInput } from './organisation.service.ts';
import { decodeCursor, encodeCursor, pageLimit, type Page } from './pagination.ts';

/** Caps on every input (docs/campaigns.md, "Caps"); the scope's own are SCOPE_LIMITS in src/domain/campaigns/scope.ts. */
export const CAMPAIGN_LIMITS = {
  name: 200,
  description: 4000,
  tool: 200,
  model: 200,
  contact: 320,
  cancelReason: 2000,
  note: 500,
  /** Longest window a campaign may register: a quarter; longer work is registered in parts. */
  windowDays: 92,
  assetName: 200,
  assetsPerOrganisation: 500,
  rangesPerAsset: 32,
} as const;

export type CampaignPhase = 'scheduled' | 'active' | 'ended' | 'cancelled';

export interface CampaignWindowView {
  /** As registered, in the registrant's own offset (RFC 3339). */
  start: string;
  end: string;
  startUtc: string;
  endUtc: string;
}

export interface CampaignScopeView {
  organisations: { id: string; name: string }[];
  inventories: { id: string; name: string; organisationId: string }[];
  assets: { id: string; name: string; organisationId: string }[];
  purls: string[];
  cidrs: string[];
  sectors: string[];
}

export interface CampaignTouch {
  organisationId: string;
  organisationName: string;
  concerns: Concern[];
}

export interface CampaignView {
  id: string;
  name: string;
  description: string;
  organisationId: string;
  organisationName: string;
  label: { tlp: Tlp; embargoUntil: string | null; restricted: string | null };
  state: CampaignPhase;
  window: CampaignWindowView;
  tool: string;
  model: string;
  contact: string;
  /**
   * `full`: read through its label, the whole scope (references to records you may not read left out). `touched`:
   * read because it touches your organisation, with only the part of the scope that concerns you.
   */
  access: CampaignAccess;
  scope: CampaignScopeView;
  /** Your organisations this campaign touches, and through which of its targets. */
  touches: CampaignTouch[];
  version: number;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
}

export interface CampaignSummary {
  id: string;
  name: string;
  organisationId: string;
  organisationName: string;
  state: CampaignPhase;
  window: CampaignWindowView;
  tool: string;
  model: string;
  contact: string;
}

export type SharedTargetView =
  | { kind: 'organisation'; organisationId: string; organisationName: string }
  | { kind: 'sector'; sector: string }
  | { kind: 'purl'; a: string; b: string }
  | { kind: 'cidr'; a: string; b: string };

export interface OverlapView {
  a: CampaignSummary;
  b: CampaignSummary;
  /** The stretch of time both windows cover. */
  overlap: { startUtc: string; endUtc: string };
  shared: SharedTargetView[];
}

export interface AssetView {
  id: string;
  organisationId: string;
  organisationName: string;
  name: string;
  ranges: string[];
  inventoryId: string | null;
  /** The linked inventory's name when you may read it. */
  inventoryName: string | null;
  label: { tlp: Tlp };
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface OptOutView {
  id: string;
  organisationId: string;
  organisationName: string;
  asset: { id: string; name: string; ranges: string[]; inventoryId: string | null; inventoryName: string | null };
  /** null: out of every campaign. */
  campaign: { id: string; name: string } | null;
  note: string | null;
  createdAt: string;
}

export interface CampaignInput {
  name: string;
  description?: string | undefined;
  scope: ScopeInput;
  window: { start: string; end: string };
  tool: string;
  model: string;
  contact: string;
  label?: LabelInput | undefined;
}

export interface CreateCampaignInput extends CampaignInput {
  organisationId?: string | undefined;
}

export interface CampaignListQuery {
  active?: boolean | undefined;
  mine?: boolean | undefined;
  touching?: boolean | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface AssetInput {
  name: string;
  ranges: string[];
  inventoryId?: string | null | undefined;
  label?: { tlp?: Tlp | undefined } | undefined;
}

export interface OptOutInput {
  assetId: string;
  /** The campaign to leave the asset alone; null or absent for every campaign. */
  campaignId?: string | null | undefined;
  note?: string | undefined;
}

const DAY_MS = 86_400_000;

function text(value: unknown, field: string, max: number, required: boolean): string {
  if (typeof value !== 'string') {
    if (!required && value === undefined) return '';
    throw new InvalidInputError(`${field} must be text`, { field });
  }
  const t = value.trim();
  if (required && t === '') throw new InvalidInputError(`${field} is required`, { field });
  if (t.length > max) throw new InvalidInputError(`${field} is at most ${max} characters`, { field });
  return t;
}

function instant(value: string, field: string): Instant {
  try {
    return parseInstant(value);
  } catch (err) {
    if (err instanceof WindowError) throw new InvalidInputError(`${field} ${err.message}`, { field });
    throw err;
  }
}

function labelOf(row: CampaignRow): AccessLabel {
  return { owner: row.owner_org_id, tlp: row.tlp as Tlp, embargoUntil: row.embargo_until, restricted: row.restricted_role };
}

const windowOf = (row: CampaignRow): CampaignWindowView => ({ start: row.start_text, end: row.end_text, startUtc: row.starts_at, endUtc: row.ends_at });

function phaseOf(row: CampaignRow, nowIso: string): CampaignPhase {
  return row.state === 'cancelled' ? 'cancelled' : windowPhase({ startUtc: row.starts_at, endUtc: row.ends_at }, nowIso);
}

function summaryOf(row: CampaignRow, nowIso: string): CampaignSummary {
  return {
    id: row.id, name: row.name, organisationId: row.owner_org_id, organisationName: row.organisation_name, state: phaseOf(row, nowIso),
    window: windowOf(row), tool: row.tool, model: row.model, contact: row.contact,
  };
}

function presentAsset(row: AssetRow, inventoryName: string | null): AssetView {
  return {
    id: row.id,
    organisationId: row.owner_org_id,
    organisationName: row.organisation_name,
    name: row.name,
    ranges: row.ranges.map((r) => r.cidr),
    inventoryId: row.inventory_id,
    inventoryName,
    label: { tlp: row.tlp as Tlp },
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What an opt-out tells whoever may see it: the asset's organisation, name, ranges and inventory (which targets to leave alone). */
function presentOptOut(row: OptOutRow): OptOutView {
  return {
    id: row.id,
    organisationId: row.owner_org_id,
    organisationName: row.organisation_name,
    asset: { id: row.asset_id, name: row.asset_name, ranges: row.ranges.map((r) => r.cidr), inventoryId: row.inventory_id, inventoryName: row.inventory_name },
    campaign: row.campaign_id !== null && row.campaign_name !== null ? { id: row.campaign_id, name: row.campaign_name } : null,
    note: row.note,
    createdAt: row.created_at,
  };
}

/** A page of views over rows fetched with limit+1; the cursor is the last shown row's key. */
function pageOf<R, T>(rows: R[], limit: number, views: T[], key: (r: R) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const last = rows[Math.min(rows.length, limit) - 1];
  return { items: views, nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}

/** Scanning campaigns, operators' named assets, opt-outs and overlaps (issue 9; docs/campaigns.md). */
export class CampaignService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  #now(): Date {
    return this.deps.clock.now();
  }

  // ---- Reading campaigns ----

  /** Views of campaign rows for this actor: the access each gets by the policy, and only what that access shows. */
  async #present(db: Db | Tx, actor: Principal, rows: CampaignRow[], now: Date): Promise<CampaignView[]> {
    if (rows.length === 0) return [];
    const nowIso = now.toISOString();
    const seqs = rows.map((r) => r.seq);
    const targets = await campaignTargets(db, seqs);
    const scope = campaignScope(actor, now);
    const holdings = scope.all ? [] : await readerHoldings(db, scope, seqs);
    const access = rows.map((r) => campaignAccess(actor, { label: labelOf(r), targets: targets.get(r.seq) ?? [], holdings }, now));
    const full = rows.filter((_, i) => access[i] === 'full').flatMap((r) => targets.get(r.seq) ?? []);
    const ids = (kind: CampaignTarget['kind']) => [...new Set(full.filter((t) => t.kind === kind).map((t) => t.value))];
    const facts = scope.all ? null : scope.facts;
    const [orgNames, inventories, assets] = await Promise.all([
      visibleOrganisationNames(db, organisationScope(actor, now), ids('organisation')),
      readableInventories(db, facts, nowIso, ids('inventory')),
      readableAssets(db, facts, nowIso, ids('asset')),
    ]);
    const views: CampaignView[] = [];
    rows.forEach((row, i) => {
      const how = access[i];
      if (!how) return; // the SQL and the policy agree (test/api/campaigns-rule.test.ts); never show what the policy refuses
      const ts = targets.get(row.seq) ?? [];
      const touches = holdings.map((h) => ({ organisationId: h.organisationId, organisationName: h.organisationName, concerns: concernsOf(ts, h) })).filter((t) => t.concerns.length > 0);
      views.push({
        id: row.id,
        name: row.name,
        description: row.description,
        organisationId: row.owner_org_id,
        organisationName: row.organisation_name,
        label: { tlp: row.tlp as Tlp, embargoUntil: row.embargo_until, restricted: row.restricted_role },
        state: phaseOf(row, nowIso),
        window: windowOf(row),
        tool: row.tool,
        model: row.model,
        contact: row.contact,
        access: how,
        scope: how === 'full' ? this.#fullScope(ts, orgNames, inventories, assets) : this.#touchedScope(touches, holdings),
        touches,
        version: row.version,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        cancelledAt: row.cancelled_at,
        cancelReason: row.cancel_reason,
      });
    });
    return views;
  }

  /** The whole scope; a reference to an organisation, inventory or asset the reader may not read is left out. */
  #fullScope(ts: CampaignTarget[], orgNames: Map<string, string>, inventories: Map<string, { name: string; owner: string }>, assets: Map<string, { name: string; owner: string }>): CampaignScopeView {
    const of = (kind: CampaignTarget['kind']) => ts.filter((t) => t.kind === kind);
    return {
      organisations: of('organisation').filter((t) => orgNames.has(t.value)).map((t) => ({ id: t.value, name: orgNames.get(t.value)! })),
      inventories: of('inventory').filter((t) => inventories.has(t.value)).map((t) => ({ id: t.value, name: inventories.get(t.value)!.name, organisationId: inventories.get(t.value)!.owner })),
      assets: of('asset').filter((t) => assets.has(t.value)).map((t) => ({ id: t.value, name: assets.get(t.value)!.name, organisationId: assets.get(t.value)!.owner })),
      purls: of('purl').map((t) => t.value),
      cidrs: of('cidr').map((t) => t.value),
      sectors: of('sector').map((t) => t.value),
    };
  }

  /** Only what concerns the reader's touched organisations: never another organisation's targets. */
  #touchedScope(touches: CampaignTouch[], holdings: readonly OrgHolding[]): CampaignScopeView {
    const scope: CampaignScopeView = { organisations: [], inventories: [], assets: [], purls: [], cidrs: [], sectors: [] };
    const add = <T>(list: T[], item: T, key: (x: T) => string) => {
      if (!list.some((x) => key(x) === key(item))) list.push(item);
    };
    for (const t of touches) {
      const h = holdings.find((x) => x.organisationId === t.organisationId)!;
      for (const c of t.concerns) {
        if (c.kind === 'organisation') add(scope.organisations, { id: c.value, name: h.organisationName }, (x) => x.id);
        else if (c.kind === 'inventory') add(scope.inventories, { id: c.value, name: c.inventories[0]!.name, organisationId: h.organisationId }, (x) => x.id);
        else if (c.kind === 'asset') add(scope.assets, { id: c.value, name: c.assets[0]!.name, organisationId: h.organisationId }, (x) => x.id);
        else if (c.kind === 'purl') add(scope.purls, c.value, (x) => x);
        else if (c.kind === 'cidr') add(scope.cidrs, c.value, (x) => x);
        else add(scope.sectors, c.value, (x) => x);
      }
    }
    return scope;
  }

  async #record(db: Db | Tx, actor: Principal, row: CampaignRow, now: Date): Promise<CampaignRecord> {
    const targets = (await campaignTargets(db, [row.seq])).get(row.seq) ?? [];
    const scope = campaignScope(actor, now);
    return { label: labelOf(row), targets, holdings: scope.all ? [] : await readerHoldings(db, scope, [row.seq]) };
  }

  /** The campaign if the actor may read it; a hidden one answers exactly like an absent one. */
  async #readable(db: Db | Tx, actor: Principal, id: string, action: 'campaign.read' | 'campaign.write', now: Date): Promise<CampaignRow> {
    const row = await findCampaign(db, id);
    if (!row) throw new NotFoundError('campaign');
    authorize(actor, action, await this.#record(db, actor, row, now), now);
    return row;
  }

  async get(actor: Principal, id: string): Promise<CampaignView> {
    guardFor(actor, 'campaign.read');
    const now = this.#now();
    const row = await this.#readable(this.deps.db, actor, id, 'campaign.read', now);
    return (await this.#present(this.deps.db, actor, [row], now))[0]!;
  }

  async list(actor: Principal, query: CampaignListQuery): Promise<Page<CampaignView>> {
    guardFor(actor, 'campaign.list');
    const now = this.#now();
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor, 2) as [string, number] | null;
    const rows = await listCampaigns(this.deps.db, campaignScope(actor, now), { active: query.active, mine: query.mine, touching: query.touching }, after, limit + 1);
    const shown = rows.slice(0, limit);
    return pageOf(rows, limit, await this.#present(this.deps.db, actor, shown, now), (r) => [r.starts_at, r.seq]);
  }

  // ---- Registering and changing campaigns ----

  /** Everything about the input that needs no database: texts, window, purls, ranges, sectors, counts. */
  #checkInput(input: CampaignInput, now: Date, windowMustBeAhead: boolean) {
    const name = text(input.name, 'name', CAMPAIGN_LIMITS.name, true);
    const description = text(input.description, 'description', CAMPAIGN_LIMITS.description, false);
    const tool = text(input.tool, 'tool', CAMPAIGN_LIMITS.tool, true);
    const model = text(input.model, 'model', CAMPAIGN_LIMITS.model, true);
    const contact = text(input.contact, 'contact', CAMPAIGN_LIMITS.contact, true);
    if (!input.window || typeof input.window !== 'object') throw new InvalidInputError('window needs a start and an end', { field: 'window' });
    const start = instant(input.window.start, 'window.start');
    const end = instant(input.window.end, 'window.end');
    if (end.utc <= start.utc) throw new InvalidInputError('window.end must come after window.start', { field: 'window.end' });
    if (Date.parse(end.utc) - Date.parse(start.utc) > CAMPAIGN_LIMITS.windowDays * DAY_MS) {
      throw new InvalidInputError(`window: a campaign lasts at most ${CAMPAIGN_LIMITS.windowDays} days; register longer work as several campaigns`, { field: 'window.end' });
    }
    if (windowMustBeAhead && end.utc <= now.toISOString()) throw new InvalidInputError('window.end is in the past: register campaigns that are still to run', { field: 'window.end' });
    const scope = input.scope ?? {};
    checkScopeCounts(scope);
    const pure: CampaignTarget[] = [
      ...(scope.purls ?? []).map((p, i) => purlTarget(p, `scope.purls[${i}]`)),
      ...(scope.cidrs ?? []).map((c, i) => cidrTarget(c, `scope.cidrs[${i}]`)),
      ...(scope.sectors ?? []).map((s, i) => sectorTarget(s, `scope.sectors[${i}]`)),
    ];
    return { name, description, tool, model, contact, start, end, scope, pure };
  }

  /**
   * Organisations, inventories and assets named by the scope, each one the actor may read (a hidden one is refused
   * exactly like an absent one), resolved to the organisation they belong to.
   */
  async #references(tx: Tx, actor: Principal, scope: ScopeInput, now: Date): Promise<CampaignTarget[]> {
    const nowIso = now.toISOString();
    const facts = isSystem(actor) ? null : campaignScope(actor, now).facts;
    const orgs = scope.organisations ?? [];
    const invs = scope.inventories ?? [];
    const assetIds = scope.assets ?? [];
    const [orgNames, inventories, assets] = await Promise.all([
      visibleOrganisationNames(tx, organisationScope(actor, now), orgs),
      readableInventories(tx, facts, nowIso, invs),
      readableAssets(tx, facts, nowIso, assetIds),
    ]);
    const out: CampaignTarget[] = [];
    orgs.forEach((id, i) => {
      if (!orgNames.has(id)) throw new InvalidInputError(`scope.organisations[${i}]: names no organisation you can see`, { field: `scope.organisations[${i}]` });
      out.push(referenceTarget('organisation', id, id));
    });
    invs.forEach((id, i) => {
      const inv = inventories.get(id);
      if (!inv) throw new InvalidInputError(`scope.inventories[${i}]: names no inventory you can read`, { field: `scope.inventories[${i}]` });
      out.push(referenceTarget('inventory', id, inv.owner));
    });
    assetIds.forEach((id, i) => {
      const a = assets.get(id);
      if (!a) throw new InvalidInputError(`scope.assets[${i}]: names no asset you can read`, { field: `scope.assets[${i}]` });
      out.push(referenceTarget('asset', id, a.owner));
    });
    return out;
  }

  #owner(actor: Principal, organisationId: string | undefined): string {
    if (organisationId !== undefined) return organisationId;
    const all = [...actor.memberships.values()];
    const labs = all.filter((m) => CAMPAIGN_OWNER_KINDS.includes(m.kind)).map((m) => m.organisationId);
    if (labs.length === 1) return labs[0]!;
    // A member of one organisation that cannot register campaigns gets the policy's refusal, not a missing field.
    if (labs.length === 0 && all.length === 1) return all[0]!.organisationId;
    throw new InvalidInputError(labs.length ? 'organisationId is required: you are a member of several labs' : 'organisationId is required', { field: 'organisationId' });
  }

  async create(actor: Principal, input: CreateCampaignInput): Promise<CampaignView> {
    guardFor(actor, 'campaign.create');
    const now = this.#now();
    const owner = this.#owner(actor, input.organisationId);
    let kind: OrganisationKind | null = actor.memberships.get(owner)?.kind ?? null;
    if (kind === null && isOperator(actor)) kind = ((await organisationKinds(this.deps.db, [owner])).get(owner) as OrganisationKind | undefined) ?? null;
    authorize(actor, 'campaign.create', { owner, ownerKind: kind }, now);
    const checked = this.#checkInput(input, now, true);
    const label = buildLabel(owner, input.label, undefined, 'AMBER');
    if (label.restricted) authorize(actor, 'label.apply', label, now);
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const targets = dedupeTargets([...(await this.#references(tx, actor, checked.scope, now)), ...checked.pure]);
      const row: NewCampaignRow = {
        id: randomUUID(),
        owner_org_id: owner,
        tlp: label.tlp,
        embargo_until: label.embargoUntil,
        restricted_role: label.restricted,
        name: checked.name,
        description: checked.description,
        tool: checked.tool,
        model: checked.model,
        contact: checked.contact,
        starts_at: checked.start.utc,
        ends_at: checked.end.utc,
        start_text: checked.start.text,
        end_text: checked.end.text,
        state: 'active',
        cancelled_at: null,
        cancel_reason: null,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      const seq = await insertCampaign(tx, row, targets);
      await refreshOverlaps(tx, seq);
      await audit({ action: 'campaign.create', recordType: 'campaign', recordId: row.id, organisationId: owner, before: null, after: { ...row, targets }, label });
      return (await this.#present(tx, actor, [(await findCampaign(tx, row.id))!], now))[0]!;
    });
  }

  /** Replaces the campaign's name, description, scope, window, tool, model, contact and (optionally) label. */
  async update(actor: Principal, id: string, ifMatch: number | undefined, input: CampaignInput): Promise<CampaignView> {
    guardFor(actor, 'campaign.write');
    const now = this.#now();
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const before = await this.#readable(tx, actor, id, 'campaign.write', now);
      checkVersion(ifMatch, before.version);
      if (before.state === 'cancelled') throw new ConflictError('a cancelled campaign cannot be changed');
      const windowChanged = input.window?.start !== before.start_text || input.window?.end !== before.end_text;
      const checked = this.#checkInput(input, now, windowChanged);
      const label = buildLabel(before.owner_org_id, input.label, labelOf(before), 'AMBER');
      if (input.label?.restricted) authorize(actor, 'label.apply', label, now);
      const targets = dedupeTargets([...(await this.#references(tx, actor, checked.scope, now)), ...checked.pure]);
      const change: Partial<NewCampaignRow> = {
        tlp: label.tlp,
        embargo_until: label.embargoUntil,
        restricted_role: label.restricted,
        name: checked.name,
        description: checked.description,
        tool: checked.tool,
        model: checked.model,
        contact: checked.contact,
        starts_at: checked.start.utc,
        ends_at: checked.end.utc,
        start_text: checked.start.text,
        end_text: checked.end.text,
        version: before.version + 1,
        updated_at: at,
      };
      if (!(await updateCampaignVersioned(tx, before.seq, change, before.version, targets))) throw new ConflictError('the campaign changed while this request ran; read it again and retry');
      await refreshOverlaps(tx, before.seq);
      await audit({ action: 'campaign.update', recordType: 'campaign', recordId: id, organisationId: before.owner_org_id, before, after: { ...change, targets }, label });
      return (await this.#present(tx, actor, [(await findCampaign(tx, id))!], now))[0]!;
    });
  }

  async cancel(actor: Principal, id: string, ifMatch: number | undefined, reason: string | undefined): Promise<CampaignView> {
    guardFor(actor, 'campaign.write');
    const now = this.#now();
    const why = reason === undefined ? null : text(reason, 'reason', CAMPAIGN_LIMITS.cancelReason, false) || null;
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const before = await this.#readable(tx, actor, id, 'campaign.write', now);
      checkVersion(ifMatch, before.version);
      if (before.state === 'cancelled') throw new ConflictError('the campaign is already cancelled');
      if (before.ends_at <= at) throw new ConflictError('the campaign has ended; there is nothing left to cancel');
      const change = { state: 'cancelled', cancelled_at: at, cancel_reason: why, version: before.version + 1, updated_at: at };
      if (!(await updateCampaignVersioned(tx, before.seq, change, before.version, null))) throw new ConflictError('the campaign changed while this request ran; read it again and retry');
      await refreshOverlaps(tx, before.seq);
      await audit({ action: 'campaign.cancel', recordType: 'campaign', recordId: id, organisationId: before.owner_org_id, before: { state: before.state, version: before.version }, after: change, label: labelOf(before) });
      return (await this.#present(tx, actor, [(await findCampaign(tx, id))!], now))[0]!;
    });
  }

  // ---- Overlaps ----

  /** Pairs of campaigns the coordinator reads in full that aim at the same target in overlapping windows. */
  async overlaps(actor: Principal, query: { campaignId?: string | undefined; limit?: number | undefined; cursor?: string | undefined }): Promise<Page<OverlapView>> {
    guardFor(actor, 'campaign.overlaps');
    const now = this.#now();
    authorize(actor, 'campaign.overlaps', null, now);
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor, 2) as [number, number] | null;
    const orgReader = organisationScope(actor, now);
    const rows = await listOverlaps(this.deps.db, campaignScope(actor, now), orgReader, query.campaignId, after, limit + 1);
    const shown = rows.slice(0, limit);
    const seqs = [...new Set(shown.flatMap((r) => [r.a_seq, r.b_seq]))];
    const [campaigns, targets] = await Promise.all([campaignsBySeq(this.deps.db, seqs), campaignTargets(this.deps.db, seqs)]);
    const shared = shown.map((r) => sharedTargets(targets.get(r.a_seq) ?? [], targets.get(r.b_seq) ?? []));
    const orgIds = [...new Set(shared.flat().flatMap((s) => (s.kind === 'organisation' ? [s.organisationId] : [])))];
    const orgNames = await visibleOrganisationNames(this.deps.db, orgReader, orgIds);
    const nowIso = now.toISOString();
    const views: OverlapView[] = [];
    shown.forEach((r, i) => {
      const a = campaigns.get(r.a_seq)!;
      const b = campaigns.get(r.b_seq)!;
      const reasons: SharedTargetView[] = shared[i]!.flatMap((s): SharedTargetView[] =>
        s.kind !== 'organisation' ? [s] : orgNames.has(s.organisationId) ? [{ ...s, organisationName: orgNames.get(s.organisationId)! }] : []);
      // The SQL and the pure rule agree (test/api/campaigns.test.ts); a pair with no reason the reader may see is not shown.
      if (reasons.length === 0) return;
      views.push({
        a: summaryOf(a, nowIso),
        b: summaryOf(b, nowIso),
        overlap: { startUtc: a.starts_at > b.starts_at ? a.starts_at : b.starts_at, endUtc: a.ends_at < b.ends_at ? a.ends_at : b.ends_at },
        shared: reasons,
      });
    });
    return pageOf(rows, limit, views, (r) => [r.b_seq, r.a_seq]);
  }

  // ---- Named assets ----

  async #organisation(actor: Principal, organisationId: string): Promise<void> {
    // Throws not-found for an organisation the actor may not see, exactly as for an absent one.
    await this.peers().organisations.get(actor, organisationId);
  }

  async #asset(db: Db | Tx, actor: Principal, organisationId: string, assetId: string, action: 'asset.read' | 'asset.write' | 'campaign.opt-out', now: Date): Promise<AssetRow> {
    const row = await findAsset(db, assetId);
    if (!row || row.owner_org_id !== organisationId) throw new NotFoundError('asset');
    authorize(actor, action, { label: { owner: row.owner_org_id, tlp: row.tlp as Tlp, embargoUntil: null, restricted: null } }, now);
    return row;
  }

  async #assetView(db: Db | Tx, actor: Principal, row: AssetRow, now: Date): Promise<AssetView> {
    const facts = isSystem(actor) ? null : campaignScope(actor, now).facts;
    const inv = row.inventory_id ? (await readableInventories(db, facts, now.toISOString(), [row.inventory_id])).get(row.inventory_id) : undefined;
    return presentAsset(row, inv?.name ?? null);
  }

  #checkAsset(input: AssetInput): { name: string; ranges: CidrRange[]; tlp: Tlp | undefined } {
    const name = text(input.name, 'name', CAMPAIGN_LIMITS.assetName, true);
    if (!Array.isArray(input.ranges)) throw new InvalidInputError('ranges must be a list of networks in CIDR notation', { field: 'ranges' });
    if (input.ranges.length > CAMPAIGN_LIMITS.rangesPerAsset) throw new InvalidInputError(`ranges: at most ${CAMPAIGN_LIMITS.rangesPerAsset} per asset (${input.ranges.length} given)`, { field: 'ranges' });
    const ranges = new Map<string, CidrRange>();
    input.ranges.forEach((c, i) => {
      try {
        const r = parseCidr(c);
        ranges.set(r.cidr, r);
      } catch (err) {
        if (err instanceof CidrError) throw new InvalidInputError(`ranges[${i}]: ${JSON.stringify(String(c).slice(0, 64))} ${err.message}`, { field: `ranges[${i}]` });
        throw err;
      }
    });
    const tlp = input.label?.tlp;
    if (tlp !== undefined && !(TLP_LEVELS as readonly string[]).includes(tlp)) throw new InvalidInputError('label.tlp must be a TLP 2.0 level', { field: 'label.tlp' });
    return { name, ranges: [...ranges.values()], tlp };
  }

  async #linkedInventory(tx: Tx, actor: Principal, organisationId: string, inventoryId: string | null | undefined, now: Date): Promise<string | null> {
    if (inventoryId === undefined || inventoryId === null) return null;
    const facts = isSystem(actor) ? null : campaignScope(actor, now).facts;
    const inv = await readableInventoryOf(tx, facts, now.toISOString(), organisationId, inventoryId);
    if (!inv) throw new InvalidInputError('inventoryId names no inventory of this organisation that you can read', { field: 'inventoryId' });
    return inv.id;
  }

  async listAssets(actor: Principal, organisationId: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<AssetView>> {
    guardFor(actor, 'asset.list');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const facts = isSystem(actor) ? null : campaignScope(actor, now).facts;
    const rows = await listAssets(this.deps.db, facts, now.toISOString(), organisationId, after, limit + 1);
    const shown = rows.slice(0, limit);
    const invs = await readableInventories(this.deps.db, facts, now.toISOString(), [...new Set(shown.flatMap((r) => (r.inventory_id ? [r.inventory_id] : [])))]);
    return pageOf(rows, limit, shown.map((r) => presentAsset(r, r.inventory_id ? (invs.get(r.inventory_id)?.name ?? null) : null)), (r) => [r.name, r.id]);
  }

  async getAsset(actor: Principal, organisationId: string, assetId: string): Promise<AssetView> {
    guardFor(actor, 'asset.read');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    return this.#assetView(this.deps.db, actor, await this.#asset(this.deps.db, actor, organisationId, assetId, 'asset.read', now), now);
  }

  async createAsset(actor: Principal, organisationId: string, input: AssetInput): Promise<AssetView> {
    guardFor(actor, 'asset.create');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    authorize(actor, 'asset.create', { owner: organisationId }, now);
    const checked = this.#checkAsset(input);
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      if ((await countAssets(tx, organisationId)) >= CAMPAIGN_LIMITS.assetsPerOrganisation) {
        throw new ConflictError(`an organisation declares at most ${CAMPAIGN_LIMITS.assetsPerOrganisation} named assets; remove one first`);
      }
      const inventoryId = await this.#linkedInventory(tx, actor, organisationId, input.inventoryId, now);
      const row = { id: randomUUID(), owner_org_id: organisationId, tlp: checked.tlp ?? 'AMBER', embargo_until: null, restricted_role: null, name: checked.name, inventory_id: inventoryId, version: 1, created_at: at, updated_at: at };
      await insertAsset(tx, row, checked.ranges);
      const label: AccessLabel = { owner: organisationId, tlp: row.tlp as Tlp, embargoUntil: null, restricted: null };
      await audit({ action: 'asset.create', recordType: 'asset', recordId: row.id, organisationId, before: null, after: { ...row, ranges: checked.ranges.map((r) => r.cidr) }, label });
      return this.#assetView(tx, actor, (await findAsset(tx, row.id))!, now);
    });
  }

  async updateAsset(actor: Principal, organisationId: string, assetId: string, ifMatch: number | undefined, input: AssetInput): Promise<AssetView> {
    guardFor(actor, 'asset.write');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const before = await this.#asset(tx, actor, organisationId, assetId, 'asset.write', now);
      checkVersion(ifMatch, before.version);
      const checked = this.#checkAsset(input);
      const inventoryId = input.inventoryId === undefined ? before.inventory_id : await this.#linkedInventory(tx, actor, organisationId, input.inventoryId, now);
      const { organisation_name: _n, ranges: beforeRanges, ...base } = before;
      const row = { ...base, name: checked.name, tlp: checked.tlp ?? before.tlp, inventory_id: inventoryId, version: before.version + 1, updated_at: at };
      if (!(await updateAssetVersioned(tx, row, before.version, checked.ranges))) throw new ConflictError('the asset changed while this request ran; read it again and retry');
      const label: AccessLabel = { owner: organisationId, tlp: row.tlp as Tlp, embargoUntil: null, restricted: null };
      await audit({ action: 'asset.update', recordType: 'asset', recordId: assetId, organisationId, before: { ...base, ranges: beforeRanges.map((r) => r.cidr) }, after: { ...row, ranges: checked.ranges.map((r) => r.cidr) }, label });
      return this.#assetView(tx, actor, (await findAsset(tx, assetId))!, now);
    });
  }

  /** Removes a named asset with its ranges and opt-outs; campaigns that named it keep the name of a target that no longer reaches anything. */
  async removeAsset(actor: Principal, organisationId: string, assetId: string): Promise<void> {
    guardFor(actor, 'asset.write');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    await writeTx(this.deps, actor, async (tx, audit) => {
      const before = await this.#asset(tx, actor, organisationId, assetId, 'asset.write', now);
      await deleteAsset(tx, assetId);
      const { organisation_name: _n, ranges, ...base } = before;
      await audit({ action: 'asset.delete', recordType: 'asset', recordId: assetId, organisationId, before: { ...base, ranges: ranges.map((r) => r.cidr) }, after: null, label: { owner: organisationId, tlp: before.tlp as Tlp, embargoUntil: null, restricted: null } });
    });
  }

  // ---- Opt-outs ----

  async optOut(actor: Principal, organisationId: string, input: OptOutInput): Promise<OptOutView> {
    guardFor(actor, 'campaign.opt-out');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    const note = input.note === undefined ? null : text(input.note, 'note', CAMPAIGN_LIMITS.note, false) || null;
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const asset = await this.#asset(tx, actor, organisationId, input.assetId, 'campaign.opt-out', now);
      let campaign: CampaignRow | null = null;
      if (input.campaignId !== undefined && input.campaignId !== null) campaign = await this.#readable(tx, actor, input.campaignId, 'campaign.read', now);
      const scopeKey = campaign ? campaign.id : '*';
      if (await optOutExists(tx, asset.id, scopeKey)) throw new ConflictError(campaign ? 'this asset is already opted out of this campaign' : 'this asset is already opted out of every campaign');
      const row = { id: randomUUID(), asset_id: asset.id, owner_org_id: organisationId, campaign_seq: campaign?.seq ?? null, scope_key: scopeKey, note, created_by: actor.userId, created_at: at };
      await insertOptOut(tx, row);
      await audit({ action: 'campaign.opt-out', recordType: 'opt-out', recordId: row.id, organisationId, before: null, after: row, label: { owner: organisationId, tlp: asset.tlp as Tlp, embargoUntil: null, restricted: null } });
      return presentOptOut((await findOptOut(tx, row.id))!);
    });
  }

  async withdrawOptOut(actor: Principal, organisationId: string, optOutId: string): Promise<void> {
    guardFor(actor, 'campaign.opt-out');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    await writeTx(this.deps, actor, async (tx, audit) => {
      const row = await findOptOut(tx, optOutId);
      if (!row || row.owner_org_id !== organisationId) throw new NotFoundError('opt-out');
      const asset = await findAsset(tx, row.asset_id);
      try {
        authorize(actor, 'campaign.opt-out', { label: { owner: organisationId, tlp: asset!.tlp as Tlp, embargoUntil: null, restricted: null } }, now);
      } catch (err) {
        // An opt-out of an asset the actor may not read answers exactly like an absent opt-out.
        if (err instanceof NotFoundError) throw new NotFoundError('opt-out');
        throw err;
      }
      await deleteOptOut(tx, optOutId);
      const { ranges: _r, ...before } = row;
      await audit({ action: 'campaign.opt-out-withdraw', recordType: 'opt-out', recordId: optOutId, organisationId, before, after: null, label: { owner: organisationId, tlp: asset!.tlp as Tlp, embargoUntil: null, restricted: null } });
    });
  }

  /** An organisation's opt-outs, for its members. */
  async organisationOptOuts(actor: Principal, organisationId: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<OptOutView>> {
    guardFor(actor, 'opt-out.list');
    const now = this.#now();
    await this.#organisation(actor, organisationId);
    authorize(actor, 'opt-out.list', { owner: organisationId }, now);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const rows = await optOutsOfOrganisation(this.deps.db, campaignScope(actor, now), organisationId, after, limit + 1);
    return pageOf(rows, limit, rows.slice(0, limit).map(presentOptOut), (r) => [r.created_at, r.id]);
  }

  /**
   * The opt-outs that apply to a campaign: its owner's members see them all (which targets to leave alone); a touched
   * operator sees its own; anyone else who reads the campaign sees none.
   */
  async campaignOptOuts(actor: Principal, campaignId: string, page: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<OptOutView>> {
    guardFor(actor, 'campaign.read');
    const now = this.#now();
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const campaign = await this.#readable(this.deps.db, actor, campaignId, 'campaign.read', now);
    const audience = optOutAudience(actor, campaign.owner_org_id) === 'all' ? { all: true as const } : { all: false as const, facts: campaignScope(actor, now).facts, now: now.toISOString() };
    const rows = await optOutsForCampaign(this.deps.db, campaign.seq, audience, after, limit + 1);
    return pageOf(rows, limit, rows.slice(0, limit).map(presentOptOut), (r) => [r.created_at, r.id]);
  }
}
