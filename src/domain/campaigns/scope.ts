/**
 * A scanning campaign's scope and the rules over it (issue 9, docs/campaigns.md):
 * - which targets concern an organisation (the "touches" rule that lets an operator read a campaign scanning it);
 * - which targets of two campaigns are the same target (the overlaps coordinators are warned about);
 * - whether a campaign reaches one named asset (which opt-outs its owner is shown).
 * Pure: the repository hands in the rows; the same rules exist as SQL in src/store/campaign.repository.ts and the
 * tests hold the two forms against each other.
 */
import { CI_SECTORS } from '../policy/access-label.ts';
import { InvalidInputError } from '../errors.ts';
import { parsePurl, formatPurl } from '../purl/purl.ts';
import { componentFromPurl } from '../purl/purl-ecosystem.ts';
import { cidrsOverlap, CidrError, parseCidr, type CidrRange } from './cidr.ts';

export const TARGET_KINDS = ['organisation', 'inventory', 'asset', 'purl', 'cidr', 'sector'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** Caps on one campaign's scope (docs/campaigns.md, "Caps"). */
export const SCOPE_LIMITS = {
  organisations: 50,
  inventories: 50,
  assets: 100,
  purls: 200,
  cidrs: 256,
  sectors: CI_SECTORS.length,
  purlLength: 512,
} as const;

export interface PurlKey {
  /** OSV ecosystem and canonical name, as stored components carry them. */
  ecosystem: string;
  name: string;
  /** The version as components store it, or null for every version. */
  version: string | null;
}

/** One target, resolved: references carry the organisation they belong to. */
export interface CampaignTarget {
  kind: TargetKind;
  /** Organisation, inventory or asset id; canonical purl; canonical CIDR; sector id. */
  value: string;
  /** The organisation an organisation, inventory or asset target belongs to. */
  organisationId: string | null;
  purl: PurlKey | null;
  range: CidrRange | null;
}

export interface ScopeInput {
  organisations?: string[] | undefined;
  inventories?: string[] | undefined;
  assets?: string[] | undefined;
  purls?: string[] | undefined;
  cidrs?: string[] | undefined;
  sectors?: string[] | undefined;
}

const bad = (field: string, message: string) => new InvalidInputError(`${field}: ${message}`, { field });

/** Caps each list of the scope, naming the list that is too long. */
export function checkScopeCounts(scope: ScopeInput): void {
  for (const key of ['organisations', 'inventories', 'assets', 'purls', 'cidrs', 'sectors'] as const) {
    const list = scope[key] ?? [];
    if (!Array.isArray(list)) throw bad(`scope.${key}`, 'must be a list');
    if (list.length > SCOPE_LIMITS[key]) throw bad(`scope.${key}`, `at most ${SCOPE_LIMITS[key]} per campaign (${list.length} given)`);
  }
  const total = (['organisations', 'inventories', 'assets', 'purls', 'cidrs', 'sectors'] as const).reduce((n, k) => n + (scope[k]?.length ?? 0), 0);
  if (total === 0) throw bad('scope', 'name at least one target (an organisation, inventory, asset, purl, network range or sector)');
}

/** A purl target: any version when it has none, else exactly that version. */
export function purlTarget(text: string, field: string): CampaignTarget {
  if (typeof text !== 'string' || text.length > SCOPE_LIMITS.purlLength) throw bad(field, `a purl is at most ${SCOPE_LIMITS.purlLength} characters`);
  let canonical: string;
  let key: PurlKey;
  try {
    const p = parsePurl(text);
    canonical = formatPurl(p);
    const named = componentFromPurl({ ...p, version: p.version ?? '0' });
    if (named.ecosystem === 'GIT') throw new Error('a repository pinned to a commit is not a package: name the package');
    key = { ecosystem: named.ecosystem, name: named.names[0] ?? named.name, version: p.version ? componentFromPurl(p).version : null };
  } catch (err) {
    throw bad(field, `${JSON.stringify(text)} is not a purl that stored components can match: ${(err as Error).message}`);
  }
  return { kind: 'purl', value: canonical, organisationId: null, purl: key, range: null };
}

export function cidrTarget(text: string, field: string): CampaignTarget {
  try {
    const range = parseCidr(text);
    return { kind: 'cidr', value: range.cidr, organisationId: null, purl: null, range };
  } catch (err) {
    if (err instanceof CidrError) throw bad(field, `${JSON.stringify(String(text).slice(0, 64))} ${err.message}`);
    throw err;
  }
}

export function sectorTarget(text: string, field: string): CampaignTarget {
  if (!(CI_SECTORS as readonly string[]).includes(text)) throw bad(field, `${JSON.stringify(String(text).slice(0, 64))} is not a CISA sector (${CI_SECTORS.join(', ')})`);
  return { kind: 'sector', value: text, organisationId: null, purl: null, range: null };
}

export function referenceTarget(kind: 'organisation' | 'inventory' | 'asset', id: string, organisationId: string): CampaignTarget {
  return { kind, value: id, organisationId, purl: null, range: null };
}

/** The same target named twice is one target; order is kept stable for display and storage. */
export function dedupeTargets(targets: CampaignTarget[]): CampaignTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const k = `${t.kind}\u0000${t.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What two targets must share to be "the same target" in SQL: an equality key (a CIDR's also compares its range). */
export function matchKey(t: CampaignTarget): string {
  switch (t.kind) {
    case 'organisation':
    case 'inventory':
    case 'asset':
      return `org:${t.organisationId}`;
    case 'sector':
      return `sector:${t.value}`;
    case 'purl':
      return `purl:${t.purl!.ecosystem}/${t.purl!.name}`;
    case 'cidr':
      return t.range!.family;
  }
}

// ---- The "touches" rule ----

/** What an organisation holds that a campaign can reach, as far as one reader may read it. */
export interface OrgHolding {
  organisationId: string;
  organisationName: string;
  sectors: readonly string[];
  /** Its inventories this reader may read (at least those a target names). */
  inventories: readonly { id: string; name: string }[];
  /** Its named assets this reader may read, with their ranges. */
  assets: readonly { id: string; name: string; inventoryId: string | null; ranges: readonly CidrRange[] }[];
  /** Packages in its inventories this reader may read (at least those a purl target names). */
  packages: readonly { ecosystem: string; name: string; version: string; inventoryId: string }[];
}

/** One target that concerns an organisation, and which of its assets or inventories it reaches. */
export interface Concern {
  kind: TargetKind;
  /** The target as the campaign names it. */
  value: string;
  assets: { id: string; name: string }[];
  inventories: { id: string; name: string }[];
}

const purlMatches = (k: PurlKey, p: { ecosystem: string; name: string; version: string }) =>
  k.ecosystem === p.ecosystem && k.name === p.name && (k.version === null || k.version === p.version);

/**
 * The targets of a campaign that concern one organisation: it is named; one of its inventories or named assets is
 * named; it is in a named sector; a named purl is in one of its inventories; a named range overlaps one of its
 * assets' ranges. Inventories and assets count only as far as the reader may read them, so the answer never tells a
 * reader about a record hidden from them. The campaign touches the organisation when this is not empty.
 */
export function concernsOf(targets: readonly CampaignTarget[], org: OrgHolding): Concern[] {
  const out: Concern[] = [];
  const inventoryName = new Map(org.inventories.map((i) => [i.id, i.name]));
  for (const t of targets) {
    const c: Concern = { kind: t.kind, value: t.value, assets: [], inventories: [] };
    switch (t.kind) {
      case 'organisation':
        if (t.value === org.organisationId) out.push(c);
        break;
      case 'sector':
        if (org.sectors.includes(t.value)) out.push(c);
        break;
      case 'inventory':
        if (inventoryName.has(t.value)) out.push({ ...c, inventories: [{ id: t.value, name: inventoryName.get(t.value)! }] });
        break;
      case 'asset': {
        const a = org.assets.find((x) => x.id === t.value);
        if (a) out.push({ ...c, assets: [{ id: a.id, name: a.name }] });
        break;
      }
      case 'cidr': {
        const hit = org.assets.filter((a) => a.ranges.some((r) => cidrsOverlap(r, t.range!)));
        if (hit.length) out.push({ ...c, assets: hit.map((a) => ({ id: a.id, name: a.name })) });
        break;
      }
      case 'purl': {
        const ids = [...new Set(org.packages.filter((p) => purlMatches(t.purl!, p)).map((p) => p.inventoryId))].filter((id) => inventoryName.has(id));
        if (ids.length) out.push({ ...c, inventories: ids.map((id) => ({ id, name: inventoryName.get(id)! })) });
        break;
      }
    }
  }
  return out;
}

/** Whether the campaign reaches one named asset (for the opt-outs that apply to it): the asset, its inventory or its organisation, or their sector, packages or ranges. */
export function reachesAsset(
  targets: readonly CampaignTarget[],
  asset: { id: string; organisationId: string; inventoryId: string | null; ranges: readonly CidrRange[]; sectors: readonly string[]; packages: readonly { ecosystem: string; name: string; version: string }[] },
): boolean {
  return targets.some((t) => {
    switch (t.kind) {
      case 'organisation':
        return t.value === asset.organisationId;
      case 'asset':
        return t.value === asset.id;
      case 'inventory':
        return asset.inventoryId !== null && t.value === asset.inventoryId;
      case 'sector':
        return asset.sectors.includes(t.value);
      case 'cidr':
        return asset.ranges.some((r) => cidrsOverlap(r, t.range!));
      case 'purl':
        return asset.packages.some((p) => purlMatches(t.purl!, p));
    }
  });
}

// ---- Overlaps ----

export type SharedTarget =
  | { kind: 'organisation'; organisationId: string }
  | { kind: 'sector'; sector: string }
  | { kind: 'purl'; a: string; b: string }
  | { kind: 'cidr'; a: string; b: string };

/**
 * What two campaigns both aim at: the same organisation (named, or through one of its inventories or assets), the
 * same sector, the same package (a purl without a version meets every version), or overlapping ranges.
 */
export function sharedTargets(a: readonly CampaignTarget[], b: readonly CampaignTarget[]): SharedTarget[] {
  const out: SharedTarget[] = [];
  const seen = new Set<string>();
  const add = (key: string, s: SharedTarget) => {
    if (!seen.has(key)) {
      seen.add(key);
      out.push(s);
    }
  };
  for (const x of a) {
    for (const y of b) {
      if (x.organisationId !== null && x.organisationId === y.organisationId) add(`org:${x.organisationId}`, { kind: 'organisation', organisationId: x.organisationId });
      else if (x.kind === 'sector' && y.kind === 'sector' && x.value === y.value) add(`sector:${x.value}`, { kind: 'sector', sector: x.value });
      else if (x.kind === 'purl' && y.kind === 'purl' && x.purl!.ecosystem === y.purl!.ecosystem && x.purl!.name === y.purl!.name
        && (x.purl!.version === null || y.purl!.version === null || x.purl!.version === y.purl!.version)) add(`purl:${x.value}\u0000${y.value}`, { kind: 'purl', a: x.value, b: y.value });
      else if (x.kind === 'cidr' && y.kind === 'cidr' && cidrsOverlap(x.range!, y.range!)) add(`cidr:${x.value}\u0000${y.value}`, { kind: 'cidr', a: x.value, b: y.value });
    }
  }
  return out;
}
