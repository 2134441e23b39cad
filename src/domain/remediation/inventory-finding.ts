/**
 * Inventory findings (issue 10, docs/remediation.md): what one match says about one (inventory, package, advisory),
 * and the delta between the rows stored and a new match. Pure: the services read and write, this decides.
 *
 * The key leaves the installed version out (migration 20261206T1300-remediation): a replaced SBOM that still holds a
 * vulnerable version of the package keeps the row, its first-seen date and its VEX analysis; the versions, the fix and
 * the severity are facts of the row that a later match may change.
 */
import { versionSchemeFor } from '../versions/index.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for ordering (the table's severity_rank): critical 5 down to unknown 0. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 5, high: 4, medium: 3, low: 2, none: 1, unknown: 0 };

/** The advisory's highest scored CVSS rating, or `unknown` when it carries none we can score. */
export function severityOf(rating: string | null | undefined): Severity {
  return rating !== null && rating !== undefined && (SEVERITIES as readonly string[]).includes(rating) ? (rating as Severity) : 'unknown';
}

/**
 * Why a row closed:
 * - `upgraded`: the inventory still holds the package, at no affected version (a new SBOM);
 * - `removed`: the inventory no longer holds the package at all;
 * - `no-longer-affected`: the inventory still holds the version, the advisory (a revision) no longer covers it;
 * - `withdrawn`: the advisory was withdrawn;
 * - `unshared`: the inventory's owner may no longer read the advisory (a share removed, TLP raised, a need-to-know
 *   role added). The row reopens, analysis and first-seen intact, if the owner may read it again.
 * Only `upgraded` and `removed` are remediation by the operator; the others close a row without it.
 */
export const RESOLUTIONS = ['upgraded', 'removed', 'no-longer-affected', 'withdrawn', 'unshared'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
/** Resolutions that count as remediated on dashboards: the operator changed what it runs. */
export const REMEDIATED: readonly Resolution[] = ['upgraded', 'removed'];

export interface FindingKey {
  inventorySeq: number;
  advisorySeq: number;
  /** OSV base ecosystem, as components.ecosystem. */
  ecosystem: string;
  /** The distro release, or '' when the package has none. */
  releaseKey: string;
  /** Canonical package name, as components.name. */
  name: string;
}

const NUL = '\u0000';
export function findingKey(k: FindingKey): string {
  return `${k.inventorySeq}${NUL}${k.advisorySeq}${NUL}${k.ecosystem}${NUL}${k.releaseKey}${NUL}${k.name}`;
}
/** The package of a key within its inventory (advisory left out): what `heldVersions` answers for. */
export function packageKey(k: Omit<FindingKey, 'advisorySeq'>): string {
  return `${k.inventorySeq}${NUL}${k.ecosystem}${NUL}${k.releaseKey}${NUL}${k.name}`;
}

/** One stored component an advisory affects, as the matching engine answered for it. */
export interface AffectedComponentFact extends FindingKey {
  organisationId: string;
  purl: string;
  version: string;
  /** Lowest fixed version above the installed one, or null when the advisory names none. */
  fixed: string | null;
}

/** What a match says about one key now. */
export interface FindingFacts extends FindingKey {
  organisationId: string;
  /** The purl of the lowest affected installed version. */
  purl: string;
  version: string;
  /** Every affected installed version, lowest first. */
  versions: string[];
  fixed: string | null;
  remediation: string | null;
  severity: Severity;
  kev: boolean;
}

/** A stored row, as far as matching reads and writes it (never the analysis columns: those are the operator's). */
export interface StoredFinding extends FindingFacts {
  seq: number;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** Version order of an ecosystem, falling back to code-point order for versions the scheme cannot parse. */
function versionOrder(ecosystem: string): (a: string, b: string) => number {
  const scheme = versionSchemeFor(ecosystem);
  const cache = new Map<string, unknown>();
  const parsed = (v: string): unknown => {
    if (!scheme) return undefined;
    if (!cache.has(v)) {
      try {
        cache.set(v, scheme.parse(v));
      } catch {
        cache.set(v, undefined);
      }
    }
    return cache.get(v);
  };
  return (a, b) => {
    const pa = parsed(a);
    const pb = parsed(b);
    if (scheme && pa !== undefined && pb !== undefined) {
      const c = scheme.compare(pa, pb);
      if (c !== 0) return c;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

/** What an operator is told when the advisory names no fixed version. */
export function remediationText(fixReference: string | null): string {
  return fixReference ? `No fixed version is published; see ${fixReference}` : 'No fixed version is published; follow the advisory or mitigate';
}

/**
 * Folds the affected components of one key (usually one; several when an SBOM holds two versions of a package) into
 * the row's facts: the lowest installed version and its purl, every version, and the fix that covers them all (the
 * highest of their fixes) or, when one of them has none, no fix and remediation text.
 */
export function aggregateFacts(components: readonly AffectedComponentFact[], advisory: { severity: Severity; kev: boolean; fixReference: string | null }): FindingFacts {
  const first = components[0];
  if (!first) throw new Error('aggregateFacts needs at least one component');
  const order = versionOrder(first.ecosystem);
  const byVersion = [...components].sort((a, b) => order(a.version, b.version) || (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
  const lowest = byVersion[0]!;
  const versions = [...new Set(byVersion.map((c) => c.version))];
  const fixes = byVersion.map((c) => c.fixed);
  let fixed: string | null = null;
  if (fixes.every((f) => f !== null)) fixed = [...(fixes as string[])].sort(order).at(-1)!;
  return {
    inventorySeq: first.inventorySeq,
    advisorySeq: first.advisorySeq,
    ecosystem: first.ecosystem,
    releaseKey: first.releaseKey,
    name: first.name,
    organisationId: first.organisationId,
    purl: lowest.purl,
    version: lowest.version,
    versions,
    fixed,
    remediation: fixed === null ? remediationText(advisory.fixReference) : null,
    severity: advisory.severity,
    kev: advisory.kev,
  };
}

/** Groups affected components by key and folds each group (see aggregateFacts). */
export function factsByKey(components: Iterable<AffectedComponentFact>, advisoryOf: (advisorySeq: number) => { severity: Severity; kev: boolean; fixReference: string | null }): Map<string, FindingFacts> {
  const groups = new Map<string, AffectedComponentFact[]>();
  for (const c of components) {
    const k = findingKey(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out = new Map<string, FindingFacts>();
  for (const [k, g] of groups) out.set(k, aggregateFacts(g, advisoryOf(g[0]!.advisorySeq)));
  return out;
}

/** The facts a match may change, in the order "what changed" names them. */
export const CHANGEABLE = ['versions', 'fixed', 'severity', 'kev'] as const;
export type Changeable = (typeof CHANGEABLE)[number];

export function changedFacts(before: FindingFacts, after: FindingFacts): Changeable[] {
  const out: Changeable[] = [];
  if (before.purl !== after.purl || before.version !== after.version || before.versions.join(NUL) !== after.versions.join(NUL)) out.push('versions');
  if (before.fixed !== after.fixed || before.remediation !== after.remediation) out.push('fixed');
  if (before.severity !== after.severity) out.push('severity');
  if (before.kev !== after.kev) out.push('kev');
  return out;
}

export type FindingChange =
  | { kind: 'open'; facts: FindingFacts }
  | { kind: 'reopen'; before: StoredFinding; facts: FindingFacts }
  | { kind: 'change'; before: StoredFinding; facts: FindingFacts; changed: Changeable[] }
  | { kind: 'keep'; before: StoredFinding }
  | { kind: 'resolve'; before: StoredFinding; resolution: Resolution };

/**
 * Why an open row that the new match did not find closes. `advisory` is what the job knows of the row's advisory:
 * withdrawn, or no longer readable by the inventory's owner; `held` the versions the inventory holds now of the row's
 * package (null when it holds none).
 */
export function resolutionFor(row: StoredFinding, advisory: 'withdrawn' | 'unreadable' | 'current', held: readonly string[] | null): Resolution {
  if (advisory === 'withdrawn') return 'withdrawn';
  if (advisory === 'unreadable') return 'unshared';
  if (held === null || held.length === 0) return 'removed';
  // The same version is still there, so it is the advisory that stopped covering it.
  if (row.versions.some((v) => held.includes(v))) return 'no-longer-affected';
  return 'upgraded';
}

/**
 * The delta between the stored rows of a scope (one advisory across inventories, or one inventory across advisories)
 * and what a new match found in that scope. Every stored row is accounted for exactly once; a found key with a stored
 * row never becomes a second row. `resolve` is asked only for open rows the match did not find.
 */
export function planFindings(stored: Iterable<StoredFinding>, found: ReadonlyMap<string, FindingFacts>, resolve: (row: StoredFinding) => Resolution): FindingChange[] {
  const out: FindingChange[] = [];
  const seen = new Set<string>();
  for (const row of stored) {
    const k = findingKey(row);
    seen.add(k);
    const facts = found.get(k);
    if (facts) {
      if (row.resolvedAt !== null) out.push({ kind: 'reopen', before: row, facts });
      else {
        const changed = changedFacts(row, facts);
        out.push(changed.length ? { kind: 'change', before: row, facts, changed } : { kind: 'keep', before: row });
      }
    } else if (row.resolvedAt === null) {
      out.push({ kind: 'resolve', before: row, resolution: resolve(row) });
    }
  }
  for (const [k, facts] of found) if (!seen.has(k)) out.push({ kind: 'open', facts });
  return out;
}

/** Open rows the match did not find: the ones `planFindings` will ask `resolve` about (to load what it needs first). */
export function unmatchedOpen(stored: Iterable<StoredFinding>, found: ReadonlyMap<string, FindingFacts>): StoredFinding[] {
  const out: StoredFinding[] = [];
  for (const row of stored) if (row.resolvedAt === null && !found.has(findingKey(row))) out.push(row);
  return out;
}
