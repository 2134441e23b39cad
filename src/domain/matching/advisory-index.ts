/**
 * In-memory advisory index: `ecosystem + canonical name -> compiled ranges`, plus `repository -> GIT ranges`.
 * Records are compiled once when added (boundaries parsed, events sorted); a lookup parses the component's version
 * once per ordering it needs and walks only the entries for that package.
 */
import type { VersionScheme } from '../versions/version-scheme.ts';
import type { OsvRecord, OsvSeverity } from '../../formats/osv.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from './ecosystem.ts';
import { compileGitRange, compileOrderedRange, evaluateOrderedRange, gitRangeIncludes, type CompiledRange } from './osv-range.ts';
import { versionSchemeFor } from '../versions/index.ts';

export type SchemeResolver = (ecosystem: string) => VersionScheme | undefined;

/** The slice of an advisory a match needs; the full record is not kept, to hold 500k advisories in memory. */
export interface AdvisorySummary {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly upstream: readonly string[];
  readonly related: readonly string[];
  readonly severity: readonly OsvSeverity[];
  readonly summary?: string;
  readonly modified?: string;
}

export interface IndexProblem {
  advisory: string;
  source?: string;
  message: string;
}

interface Entry {
  readonly adv: AdvisorySummary;
  readonly release: string | null;
  readonly ranges: readonly CompiledRange[];
  /** The entry's ordering, for its `versions` list. */
  readonly scheme: VersionScheme | null;
  /** The `versions` list as published, or null when empty. */
  readonly versions: readonly string[] | null;
  /**
   * Built from `versions` on the first lookup that reaches this entry (most packages are never looked up, and
   * `versions` lists are long): the exact strings, and the parsed versions sorted by the ordering, for equality by
   * ordering (`1.0` = `1.0.0`).
   */
  lookup: VersionsLookup | null;
  readonly severity: readonly OsvSeverity[] | null;
}

interface VersionsLookup {
  readonly exact: ReadonlySet<string>;
  readonly sorted: unknown[];
}

export interface MatchQuery {
  /** Base OSV ecosystem, e.g. `Debian`. */
  ecosystem: string;
  /** Normalised release (see normaliseRelease) or null when the component does not say. */
  release: string | null;
  /** Canonical names to look up, e.g. the binary and the source package; results are merged per advisory. */
  names: readonly string[];
  version: string;
  /** Full commit hash, when the component is pinned to one, for GIT ranges. */
  commit?: string;
  /** Normalised repository URL (see normaliseRepoUrl) for GIT ranges keyed by repository. */
  repo?: string;
}

export interface AdvisoryMatch {
  advisory: AdvisorySummary;
  /** Lowest `fixed` above the installed version across the advisory's ranges for this package, or null. */
  fixed: string | null;
  /** Top-level severity, else the matched package's severity, else null. */
  severity: OsvSeverity[] | null;
}

export interface MatchOutcome {
  matches: AdvisoryMatch[];
  /** Reasons some ranges could not be evaluated for this component (e.g. its version does not parse). */
  problems: string[];
}

export interface IndexStats {
  advisories: number;
  withdrawn: number;
  packages: number;
  entries: number;
}

interface Acc {
  adv: AdvisorySummary;
  fixedV: unknown;
  fixedRaw: string | null;
  fixedScheme: VersionScheme | null;
  gitFixed: Set<string> | null;
  severity: OsvSeverity[] | null;
}

interface EcosystemInfo {
  readonly base: string;
  readonly release: string | null;
  readonly scheme: VersionScheme | null;
}

/** A version the ordering rejected, remembered so the rejection is not recomputed (throwing is slow). */
class Unparsable {
  constructor(readonly error: Error) {}
}

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;
const EMPTY: readonly never[] = Object.freeze([]);
/** Component versions remembered per ordering; past this many the memo starts afresh so it cannot grow unbounded. */
const QUERY_MEMO_LIMIT = 50_000;

export function isCommitHash(s: string): boolean {
  return COMMIT.test(s);
}

export class AdvisoryIndex {
  /** base ecosystem -> canonical name -> entries. Two levels, so a lookup hashes the caller's strings, not a concatenation. */
  private readonly byPackage = new Map<string, Map<string, Entry[]>>();
  private readonly byRepo = new Map<string, Entry[]>();
  private readonly schemeCache = new Map<string, VersionScheme | null>();
  private readonly ecosystems = new Map<string, EcosystemInfo>();
  /** Parsed boundaries and listed versions per ordering: the same strings recur across advisories and are shared. */
  private readonly boundaries = new Map<VersionScheme, Map<string, unknown>>();
  /** Parsed component versions per ordering (bounded, see QUERY_MEMO_LIMIT). */
  private readonly queried = new Map<VersionScheme, Map<string, unknown>>();
  private readonly unorderedEcosystems = new Set<string>();
  readonly problems: IndexProblem[] = [];
  private readonly counts = { advisories: 0, withdrawn: 0, entries: 0, packages: 0 };

  /** Ordering for `SEMVER` ranges, whatever the ecosystem: SemVer 2.0 read leniently, as OSV tooling does. */
  private readonly semver: VersionScheme | null;

  constructor(private readonly resolveScheme: SchemeResolver = versionSchemeFor) {
    this.semver = resolveScheme('SemVer') ?? null;
  }

  get stats(): IndexStats {
    return { ...this.counts };
  }

  private schemeFor(ecosystem: string): VersionScheme | null {
    let s = this.schemeCache.get(ecosystem);
    if (s === undefined) {
      s = this.resolveScheme(ecosystem) ?? null;
      this.schemeCache.set(ecosystem, s);
    }
    return s;
  }

  private ecosystem(ecosystem: string): EcosystemInfo {
    let info = this.ecosystems.get(ecosystem);
    if (!info) {
      const { base, release } = parseEcosystem(ecosystem);
      info = { base, release, scheme: this.schemeFor(ecosystem) };
      this.ecosystems.set(ecosystem, info);
    }
    return info;
  }

  /** `scheme.parse` memoised for boundaries; throws the ordering's own error for an unparsable string. */
  private boundaryParser(scheme: VersionScheme): (raw: string) => unknown {
    let memo = this.boundaries.get(scheme);
    if (!memo) this.boundaries.set(scheme, (memo = new Map()));
    const m = memo;
    return (raw) => {
      let v = m.get(raw);
      if (v === undefined) {
        try {
          v = scheme.parse(raw);
        } catch (err) {
          v = new Unparsable(err as Error);
        }
        m.set(raw, v);
      }
      if (v instanceof Unparsable) throw v.error;
      return v;
    };
  }

  /** The component's version parsed with `scheme`, or an Unparsable. */
  private parseQueried(scheme: VersionScheme, version: string): unknown {
    let memo = this.queried.get(scheme);
    if (!memo) this.queried.set(scheme, (memo = new Map()));
    let v = memo.get(version);
    if (v === undefined) {
      try {
        v = scheme.parse(version);
      } catch (err) {
        v = new Unparsable(err as Error);
      }
      if (memo.size >= QUERY_MEMO_LIMIT) memo.clear();
      memo.set(version, v);
    }
    return v;
  }

  private problem(record: OsvRecord, source: string | undefined, message: string): void {
    this.problems.push(source ? { advisory: record.id, source, message } : { advisory: record.id, message });
  }

  /** Adds one record. Withdrawn records are counted and never matched. */
  add(record: OsvRecord, source?: string): void {
    this.counts.advisories++;
    if (record.withdrawn) {
      this.counts.withdrawn++;
      return;
    }
    const adv: AdvisorySummary = {
      id: record.id,
      aliases: record.aliases.length > 0 ? record.aliases : EMPTY,
      upstream: record.upstream.length > 0 ? record.upstream : EMPTY,
      related: record.related.length > 0 ? record.related : EMPTY,
      severity: record.severity.length > 0 ? record.severity : EMPTY,
      ...(record.summary !== undefined ? { summary: record.summary } : {}),
      ...(record.modified !== undefined ? { modified: record.modified } : {}),
    };
    for (let ai = 0; ai < record.affected.length; ai++) {
      const a = record.affected[ai]!;
      const eco = a.package !== undefined ? this.ecosystem(a.package.ecosystem) : null;
      const scheme = eco ? eco.scheme : null;
      const ranges: CompiledRange[] = [];
      let hasRepo = false;
      for (let ri = 0; ri < a.ranges.length; ri++) {
        const r = a.ranges[ri]!;
        if (r.type === 'GIT') {
          ranges.push(compileGitRange(r).range!);
          if (r.repo) hasRepo = true;
          continue;
        }
        const rs = r.type === 'SEMVER' ? this.semver : scheme;
        if (!rs) {
          const key = r.type === 'SEMVER' ? 'SemVer' : eco ? eco.base : undefined;
          if (key !== undefined && !this.unorderedEcosystems.has(key)) {
            this.unorderedEcosystems.add(key);
            this.problem(record, source, `no version ordering known for ${JSON.stringify(key)}: its ${r.type} ranges are not evaluated, only explicit versions lists`);
          }
          continue;
        }
        const { range, problems } = compileOrderedRange(r, rs, `affected[${ai}].ranges[${ri}]`, this.boundaryParser(rs));
        for (const p of problems) this.problem(record, source, p);
        if (range) ranges.push(range);
      }
      const entry: Entry = {
        adv,
        release: eco ? eco.release : null,
        ranges,
        scheme,
        versions: a.versions.length > 0 ? a.versions : null,
        lookup: null,
        severity: a.severity && a.severity.length > 0 ? a.severity : null,
      };
      let indexed = false;
      if (a.package && eco) {
        let names = this.byPackage.get(eco.base);
        if (!names) this.byPackage.set(eco.base, (names = new Map()));
        const name = canonicalName(eco.base, a.package.name);
        const list = names.get(name);
        if (list) list.push(entry);
        else {
          names.set(name, [entry]);
          this.counts.packages++;
        }
        indexed = true;
      }
      if (hasRepo) {
        const repos = new Set<string>();
        for (const r of a.ranges) if (r.type === 'GIT' && r.repo) repos.add(normaliseRepoUrl(r.repo));
        for (const repo of repos) {
          push(this.byRepo, repo, entry);
          indexed = true;
        }
      }
      if (indexed) this.counts.entries++;
      else this.problem(record, source, `affected[${ai}] names neither a package nor a GIT repository: it can never match`);
    }
  }

  /** Every advisory affecting the component, one per advisory id, in index order. */
  match(q: MatchQuery): MatchOutcome {
    // Most components of a real SBOM have no advisories at all: answer those without allocating.
    const names = this.byPackage.get(q.ecosystem);
    let first: Entry[] | undefined;
    let more: Entry[][] | null = null;
    if (names !== undefined) {
      for (let i = 0; i < q.names.length; i++) {
        const list = names.get(q.names[i]!);
        if (list === undefined) continue;
        if (first === undefined) first = list;
        else (more ??= []).push(list);
      }
    }
    const byRepo = q.repo !== undefined ? this.byRepo.get(q.repo) : undefined;
    if (first === undefined && byRepo === undefined) return { matches: [], problems: [] };
    const st: MatchState = { q, accs: [], problems: [], failed: null };
    if (first !== undefined) for (const e of first) this.evaluate(e, st);
    if (more !== null) for (const list of more) for (const e of list) this.evaluate(e, st);
    if (byRepo !== undefined) for (const e of byRepo) this.evaluate(e, st);
    const matches: AdvisoryMatch[] = new Array(st.accs.length);
    for (let i = 0; i < st.accs.length; i++) {
      const acc = st.accs[i]!;
      let fixed = acc.fixedRaw;
      if (fixed === null && acc.gitFixed && acc.gitFixed.size === 1) fixed = acc.gitFixed.values().next().value!;
      const severity = acc.adv.severity.length > 0 ? [...acc.adv.severity] : acc.severity;
      matches[i] = { advisory: acc.adv, fixed, severity };
    }
    return { matches, problems: st.problems };
  }

  /** The component's version under `scheme`, or undefined (its problem recorded once per ordering) when it does not parse. */
  private versionFor(st: MatchState, scheme: VersionScheme): unknown {
    const v = this.parseQueried(scheme, st.q.version);
    if (!(v instanceof Unparsable)) return v;
    if (st.failed === null || !st.failed.includes(scheme)) {
      (st.failed ??= []).push(scheme);
      st.problems.push(v.error.message);
    }
    return undefined;
  }

  private versionsLookup(e: Entry): VersionsLookup {
    if (e.lookup !== null) return e.lookup;
    const sorted: unknown[] = [];
    if (e.scheme) {
      const parse = this.boundaryParser(e.scheme);
      for (const raw of e.versions!) {
        try {
          sorted.push(parse(raw));
        } catch {
          // Unparsable listed versions still match by exact string.
        }
      }
      sorted.sort(e.scheme.compare);
    }
    return (e.lookup = { exact: new Set(e.versions), sorted });
  }

  private evaluate(e: Entry, st: MatchState): void {
    const q = st.q;
    if (e.release !== null && q.release !== null && e.release !== q.release) return;
    let affected = false;
    if (e.versions !== null) {
      const lookup = this.versionsLookup(e);
      affected = lookup.exact.has(q.version);
      if (!affected && lookup.sorted.length > 0) {
        const v = this.versionFor(st, e.scheme!);
        if (v !== undefined) affected = binaryHas(lookup.sorted, v, e.scheme!.compare);
      }
    }
    let fixedV: unknown = undefined;
    let fixedRaw: string | null = null;
    let fixedScheme: VersionScheme | null = null;
    let gitFixed: Set<string> | null = null;
    for (let i = 0; i < e.ranges.length; i++) {
      const r = e.ranges[i]!;
      if (r.kind === 'git') {
        if (q.commit === undefined) continue;
        if (gitRangeIncludes(r, q.commit)) {
          affected = true;
          gitFixed = addAll(gitFixed, r.fixed);
        }
        continue;
      }
      const v = this.versionFor(st, r.scheme);
      if (v === undefined) continue;
      const res = evaluateOrderedRange(r, v);
      if (res & 1) affected = true;
      const fi = (res >> 1) - 1;
      if (fi >= 0) {
        const f = r.versions[fi];
        if (fixedScheme === null || (fixedScheme === r.scheme && r.scheme.compare(f, fixedV) < 0)) {
          fixedV = f;
          fixedRaw = r.raws[fi]!;
          fixedScheme = r.scheme;
        }
      }
    }
    if (!affected) return;
    const accs = st.accs;
    let acc: Acc | undefined;
    for (let i = 0; i < accs.length; i++) {
      if (accs[i]!.adv.id === e.adv.id) {
        acc = accs[i];
        break;
      }
    }
    if (!acc) {
      acc = { adv: e.adv, fixedV: undefined, fixedRaw: null, fixedScheme: null, gitFixed: null, severity: null };
      accs.push(acc);
    }
    if (fixedScheme !== null && (acc.fixedScheme === null || (acc.fixedScheme === fixedScheme && fixedScheme.compare(fixedV, acc.fixedV) < 0))) {
      acc.fixedV = fixedV;
      acc.fixedRaw = fixedRaw;
      acc.fixedScheme = fixedScheme;
    }
    if (gitFixed) acc.gitFixed = addAll(acc.gitFixed, gitFixed);
    if (e.severity) acc.severity = mergeSeverity(acc.severity, e.severity);
  }
}

interface MatchState {
  readonly q: MatchQuery;
  /** One per advisory id, in index order; few per component, so a linear search beats a Map. */
  readonly accs: Acc[];
  readonly problems: string[];
  /** Orderings the component's version failed to parse with, each reported once. */
  failed: VersionScheme[] | null;
}

function addAll(target: Set<string> | null, src: ReadonlySet<string>): Set<string> {
  const t = target ?? new Set<string>();
  for (const s of src) t.add(s);
  return t;
}

function mergeSeverity(a: OsvSeverity[] | null, b: readonly OsvSeverity[]): OsvSeverity[] {
  const out = a ? [...a] : [];
  for (const s of b) if (!out.some((o) => o.type === s.type && o.score === s.score)) out.push(s);
  return out;
}

function binaryHas(sorted: unknown[], v: unknown, cmp: (a: unknown, b: unknown) => number): boolean {
  let lo = 0, hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = cmp(sorted[mid], v);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
