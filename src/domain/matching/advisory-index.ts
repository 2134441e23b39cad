/**
 * In-memory advisory index: `ecosystem + canonical name -> compiled ranges`, plus `repository -> GIT ranges`.
 * Records are compiled once when added (boundaries parsed, events sorted); a lookup parses the component's version
 * once per ordering it needs and walks only the entries for that package.
 *
 * Layout: matching half a million advisories is bound by memory latency, not by comparisons, so each package's
 * entries live inline in one flat array (see Bucket) rather than as a graph of small objects: a lookup then reads a
 * few adjacent cache lines instead of chasing a pointer per entry, range and event list.
 */
import type { VersionScheme } from '../versions/version-scheme.ts';
import type { OsvRecord, OsvSeverity } from '../osv/osv-record.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from './ecosystem.ts';
import { compileGitRange, compileOrderedRange, evaluateEvents, FIXED, gitRangeIncludes, type EventKind, type GitRange } from './osv-range.ts';
import { versionSchemeFor } from '../versions/index.ts';
import { StringTable } from './string-table.ts';

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

/**
 * The entries of one package (or repository), back to back. Each entry is a header
 *   [advisory summary, release | null, versions (string[] | VersionsLookup | null), ordering | null, severity | null,
 *    number of ranges]
 * followed by its ranges, each either
 *   [GIT_RANGE, GitRange]  or  [ORDERED_RANGE, ordering, kinds, limits | null, n, n parsed versions, n raw strings].
 */
type Bucket = unknown[];

const E_ADV = 0, E_RELEASE = 1, E_VERSIONS = 2, E_SCHEME = 3, E_SEVERITY = 4, E_RANGES = 5, ENTRY_HEADER = 6;
const GIT_RANGE = 0, ORDERED_RANGE = 1;

/**
 * Replaces an entry's `versions` list on the first lookup that reaches it (most packages are never looked up, and
 * `versions` lists are long): the exact strings, and the parsed versions sorted by the ordering, for equality by
 * ordering (`1.0` = `1.0.0`).
 */
class VersionsLookup {
  constructor(
    readonly exact: ReadonlySet<string>,
    readonly sorted: unknown[],
  ) {}
}

export interface MatchQuery {
  /** Base OSV ecosystem, e.g. `Debian`. */
  ecosystem: string;
  /** Normalised release (see normaliseRelease) or null when the component does not say. */
  release: string | null;
  /** Canonical names to look up, e.g. the binary and the source package; results are merged per advisory. */
  names: readonly string[];
  version: string;
  /** Set when the component names a release that cannot be decided: release-scoped entries then all apply, and say so. */
  releaseProblem?: string;
  /** Full commit hash, when the component is pinned to one, for GIT ranges. */
  commit?: string;
  /** Normalised repository URL (see normaliseRepoUrl) for GIT ranges keyed by repository. */
  repo?: string;
}

export interface AdvisoryMatch {
  advisory: AdvisorySummary;
  /**
   * The lowest `fixed` boundary above the installed version that no range or versions list of the advisory (for this
   * package and release) still affects, or null when every such boundary is itself affected or there is none.
   */
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
  gitFixed: Set<string> | null;
  severity: OsvSeverity[] | null;
}

interface EcosystemInfo {
  readonly base: string;
  readonly release: string | null;
  readonly scheme: VersionScheme | null;
  /** Reported once per ecosystem string, on the first record that uses it. */
  releaseProblem: string | undefined;
}

/**
 * A version the ordering rejected, remembered so the rejection is not recomputed (throwing is slow). Only the
 * message is kept: the component memo may hold many of these, and an Error carries its stack.
 */
class Unparsable {
  constructor(readonly message: string) {}
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
  private readonly byPackage = new Map<string, StringTable<Bucket>>();
  private readonly byRepo = new Map<string, Bucket>();
  private readonly schemeCache = new Map<string, VersionScheme | null>();
  private readonly ecosystems = new Map<string, EcosystemInfo>();
  /** Parsed boundaries and listed versions per ordering: the same strings recur across advisories and are shared. */
  private readonly parsers = new Map<VersionScheme, (raw: string) => unknown>();
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
      const { base, release, releaseProblem } = parseEcosystem(ecosystem);
      info = { base, release, scheme: this.schemeFor(ecosystem), releaseProblem };
      this.ecosystems.set(ecosystem, info);
    }
    return info;
  }

  /** `scheme.parse` memoised for boundaries; an unparsable string throws an Error with the ordering's message. */
  private boundaryParser(scheme: VersionScheme): (raw: string) => unknown {
    let parser = this.parsers.get(scheme);
    if (parser) return parser;
    const m = new Map<string, unknown>();
    parser = (raw) => {
      let v = m.get(raw);
      if (v === undefined) {
        try {
          v = scheme.parse(raw);
        } catch (err) {
          v = new Unparsable((err as Error).message);
        }
        m.set(raw, v);
      }
      if (v instanceof Unparsable) throw new Error(v.message);
      return v;
    };
    this.parsers.set(scheme, parser);
    return parser;
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
        v = new Unparsable((err as Error).message);
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
    // Optional fields are assigned rather than spread in: spreading builds and copies a temporary object per record.
    const adv: { -readonly [K in keyof AdvisorySummary]: AdvisorySummary[K] } = {
      id: record.id,
      aliases: record.aliases.length > 0 ? record.aliases : EMPTY,
      upstream: record.upstream.length > 0 ? record.upstream : EMPTY,
      related: record.related.length > 0 ? record.related : EMPTY,
      severity: record.severity.length > 0 ? record.severity : EMPTY,
    };
    if (record.summary !== undefined) adv.summary = record.summary;
    if (record.modified !== undefined) adv.modified = record.modified;
    for (let ai = 0; ai < record.affected.length; ai++) {
      const a = record.affected[ai]!;
      const eco = a.package !== undefined ? this.ecosystem(a.package.ecosystem) : null;
      if (eco !== null && eco.releaseProblem !== undefined) {
        this.problem(record, source, eco.releaseProblem);
        eco.releaseProblem = undefined;
      }
      const scheme = eco ? eco.scheme : null;
      const entry: Bucket = [adv, eco ? eco.release : null, a.versions.length > 0 ? a.versions : null, scheme, a.severity && a.severity.length > 0 ? a.severity : null, 0];
      let rangeCount = 0;
      let hasRepo = false;
      for (let ri = 0; ri < a.ranges.length; ri++) {
        const r = a.ranges[ri]!;
        if (r.type === 'GIT') {
          entry.push(GIT_RANGE, compileGitRange(r).range);
          rangeCount++;
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
        const { range, problems } = compileOrderedRange(r, rs, () => `affected[${ai}].ranges[${ri}]`, this.boundaryParser(rs));
        for (const p of problems) this.problem(record, source, p);
        if (!range || range.kind !== 'ordered') continue;
        entry.push(ORDERED_RANGE, rs, range.kinds, range.limits, range.versions.length);
        for (const v of range.versions) entry.push(v);
        for (const raw of range.raws) entry.push(raw);
        rangeCount++;
      }
      entry[E_RANGES] = rangeCount;
      let indexed = false;
      if (a.package && eco) {
        let names = this.byPackage.get(eco.base);
        if (!names) this.byPackage.set(eco.base, (names = new StringTable()));
        const name = canonicalName(eco.base, a.package.name);
        const bucket = names.get(name);
        if (bucket) append(bucket, entry);
        else {
          names.set(name, entry);
          this.counts.packages++;
        }
        indexed = true;
      }
      if (hasRepo) {
        const repos = new Set<string>();
        for (const r of a.ranges) if (r.type === 'GIT' && r.repo) repos.add(normaliseRepoUrl(r.repo));
        for (const repo of repos) {
          const bucket = this.byRepo.get(repo);
          // The entry array may already be a package's bucket: a repository gets its own copy.
          if (bucket) append(bucket, entry);
          else this.byRepo.set(repo, entry.slice());
          indexed = true;
        }
      }
      if (indexed) this.counts.entries++;
      else this.problem(record, source, `affected[${ai}] names neither a package nor a GIT repository: it can never match`);
    }
  }

  /** Every advisory affecting the component, one per advisory id, in index order. */
  match(q: MatchQuery): MatchOutcome {
    // Most components of a real SBOM have no advisories at all: answer those after one or two map lookups.
    const names = this.byPackage.get(q.ecosystem);
    let first: Bucket | undefined;
    let more: Bucket[] | null = null;
    if (names !== undefined) {
      for (let i = 0; i < q.names.length; i++) {
        const bucket = names.get(q.names[i]!);
        if (bucket === undefined) continue;
        if (first === undefined) first = bucket;
        else (more ??= []).push(bucket);
      }
    }
    const byRepo = q.repo !== undefined ? this.byRepo.get(q.repo) : undefined;
    if (first === undefined && byRepo === undefined) return { matches: [], problems: [] };
    const st: MatchState = { q, accs: [], problems: [], failed: null, lastScheme: null, lastVersion: undefined, visited: [] };
    if (first !== undefined) this.evaluateBucket(first, st);
    if (more !== null) for (const bucket of more) this.evaluateBucket(bucket, st);
    if (byRepo !== undefined) this.evaluateBucket(byRepo, st);
    const matches: AdvisoryMatch[] = new Array(st.accs.length);
    // Most components match one advisory whose entries are all that was visited: no grouping needed then.
    const single = st.accs.length === 1 && this.allOf(st.visited, st.accs[0]!.adv);
    const entriesOf = st.accs.length > 0 && !single ? this.entriesByAdvisory(st) : null;
    for (let i = 0; i < st.accs.length; i++) {
      const acc = st.accs[i]!;
      let fixed = this.lowestFix(single ? st.visited : entriesOf!.get(acc.adv.id)!, st);
      if (fixed === undefined) fixed = acc.gitFixed && acc.gitFixed.size === 1 ? acc.gitFixed.values().next().value! : null;
      const severity = acc.adv.severity.length > 0 ? [...acc.adv.severity] : acc.severity;
      matches[i] = { advisory: acc.adv, fixed, severity };
    }
    return { matches, problems: st.problems };
  }

  private allOf(visited: unknown[], adv: AdvisorySummary): boolean {
    for (let i = 0; i < visited.length; i += 2) if (((visited[i] as Bucket)[(visited[i + 1] as number) + E_ADV] as AdvisorySummary).id !== adv.id) return false;
    return true;
  }

  /** The entries of each matched advisory that apply to the component's release, as [bucket, position] pairs. */
  private entriesByAdvisory(st: MatchState): Map<string, unknown[]> {
    // By id, not by record: sources that reuse an id across releases are one advisory (see match).
    const out = new Map<string, unknown[]>();
    for (const acc of st.accs) out.set(acc.adv.id, []);
    const visited = st.visited;
    for (let i = 0; i < visited.length; i += 2) {
      const b = visited[i] as Bucket;
      const at = visited[i + 1] as number;
      const list = out.get((b[at + E_ADV] as AdvisorySummary).id);
      if (list !== undefined) list.push(b, at);
    }
    return out;
  }

  /**
   * The lowest `fixed` above the installed version that none of the advisory's ranges or versions lists affects: a
   * boundary that closes one range can sit inside another (GO-2025-3540), and an open-ended range leaves no fix at
   * all (GO-2025-3648). Returns undefined when no ordered range offers a `fixed` above the installed version, so the
   * caller may fall back to a GIT fix.
   */
  private lowestFix(entries: unknown[], st: MatchState): string | null | undefined {
    let scheme: VersionScheme | null = null;
    const cands: { v: unknown; raw: string }[] = [];
    for (let e = 0; e < entries.length; e += 2) {
      const b = entries[e] as Bucket;
      let p = (entries[e + 1] as number) + ENTRY_HEADER;
      const rangeCount = b[p - ENTRY_HEADER + E_RANGES] as number;
      for (let i = 0; i < rangeCount; i++) {
        if (b[p] === GIT_RANGE) {
          p += 2;
          continue;
        }
        const rs = b[p + 1] as VersionScheme;
        const kinds = b[p + 2] as readonly EventKind[];
        const n = b[p + 4] as number;
        const start = p + 5;
        p = start + 2 * n;
        // One ordering decides which boundaries compete: the first that offers a fix (advisories mixing two are rare).
        if (scheme !== null && rs !== scheme) continue;
        const v = this.versionFor(st, rs);
        if (v === undefined) continue;
        for (let k = 0; k < n; k++) {
          if (kinds[k] !== FIXED) continue;
          const f = b[start + k];
          if (f !== null && rs.compare(f, v) > 0) {
            scheme = rs;
            cands.push({ v: f, raw: b[start + n + k] as string });
          }
        }
      }
    }
    if (scheme === null) return undefined;
    const cmp = scheme.compare;
    cands.sort((x, y) => cmp(x.v, y.v));
    for (const c of cands) if (!this.affectsAt(entries, scheme, c.v, c.raw)) return c.raw;
    return null;
  }

  /** Whether any of the entries' ordered ranges or versions lists includes the version `raw` (`v` under `scheme`). */
  private affectsAt(entries: unknown[], scheme: VersionScheme, v: unknown, raw: string): boolean {
    for (let e = 0; e < entries.length; e += 2) {
      const b = entries[e] as Bucket;
      const at = entries[e + 1] as number;
      if (b[at + E_VERSIONS] !== null) {
        const lookup = this.versionsLookup(b, at);
        if (lookup.exact.has(raw)) return true;
        const es = b[at + E_SCHEME] as VersionScheme | null;
        if (es !== null && lookup.sorted.length > 0) {
          const ev = es === scheme ? v : this.tryBoundary(es, raw);
          if (ev !== undefined && binaryHas(lookup.sorted, ev, es.compare)) return true;
        }
      }
      let p = at + ENTRY_HEADER;
      const rangeCount = b[at + E_RANGES] as number;
      for (let i = 0; i < rangeCount; i++) {
        if (b[p] === GIT_RANGE) {
          p += 2;
          continue;
        }
        const rs = b[p + 1] as VersionScheme;
        const n = b[p + 4] as number;
        const start = p + 5;
        p = start + 2 * n;
        const rv = rs === scheme ? v : this.tryBoundary(rs, raw);
        if (rv === undefined) continue;
        if (evaluateEvents(b, start, n, b[start - 3] as readonly EventKind[], b[start - 2] as readonly unknown[] | null, rs.compare, rv) & 1) return true;
      }
    }
    return false;
  }

  private tryBoundary(scheme: VersionScheme, raw: string): unknown {
    try {
      return this.boundaryParser(scheme)(raw);
    } catch {
      return undefined;
    }
  }

  /** The component's version under `scheme`, or undefined (its problem recorded once per ordering) when it does not parse. */
  private versionFor(st: MatchState, scheme: VersionScheme): unknown {
    // A package's ranges nearly always share one ordering: remember the last one without a memo lookup.
    if (st.lastScheme === scheme) return st.lastVersion;
    const v = this.parseQueried(scheme, st.q.version);
    st.lastScheme = scheme;
    st.lastVersion = v instanceof Unparsable ? undefined : v;
    if (!(v instanceof Unparsable)) return v;
    if (st.failed === null || !st.failed.includes(scheme)) {
      (st.failed ??= []).push(scheme);
      st.problems.push(v.message);
    }
    return undefined;
  }

  private versionsLookup(b: Bucket, at: number): VersionsLookup {
    const slot = b[at + E_VERSIONS] as readonly string[] | VersionsLookup;
    if (slot instanceof VersionsLookup) return slot;
    const scheme = b[at + E_SCHEME] as VersionScheme | null;
    const sorted: unknown[] = [];
    if (scheme) {
      const parse = this.boundaryParser(scheme);
      for (const raw of slot) {
        try {
          sorted.push(parse(raw));
        } catch {
          // Unparsable listed versions still match by exact string.
        }
      }
      sorted.sort(scheme.compare);
    }
    const lookup = new VersionsLookup(new Set(slot), sorted);
    b[at + E_VERSIONS] = lookup;
    return lookup;
  }

  private evaluateBucket(b: Bucket, st: MatchState): void {
    for (let at = 0; at < b.length; ) at = this.evaluate(b, at, st);
  }

  /** Evaluates the entry at `at` and returns where the next one starts. */
  private evaluate(b: Bucket, at: number, st: MatchState): number {
    const q = st.q;
    const rangeCount = b[at + E_RANGES] as number;
    let p = at + ENTRY_HEADER;
    const release = b[at + E_RELEASE] as string | null;
    if (release !== null && q.release !== null && release !== q.release) {
      for (let i = 0; i < rangeCount; i++) p += b[p] === GIT_RANGE ? 2 : 5 + 2 * (b[p + 4] as number);
      return p;
    }
    if (release !== null && q.release === null && q.releaseProblem !== undefined && !st.problems.includes(q.releaseProblem)) st.problems.push(q.releaseProblem);
    st.visited.push(b, at);
    let affected = false;
    if (b[at + E_VERSIONS] !== null) {
      const lookup = this.versionsLookup(b, at);
      affected = lookup.exact.has(q.version);
      if (!affected && lookup.sorted.length > 0) {
        const scheme = b[at + E_SCHEME] as VersionScheme;
        const v = this.versionFor(st, scheme);
        if (v !== undefined) affected = binaryHas(lookup.sorted, v, scheme.compare);
      }
    }
    let gitFixed: Set<string> | null = null;
    for (let i = 0; i < rangeCount; i++) {
      if (b[p] === GIT_RANGE) {
        const r = b[p + 1] as GitRange;
        p += 2;
        if (q.commit !== undefined && gitRangeIncludes(r, q.commit)) {
          affected = true;
          gitFixed = addAll(gitFixed, r.fixed);
        }
        continue;
      }
      const scheme = b[p + 1] as VersionScheme;
      const n = b[p + 4] as number;
      const start = p + 5;
      p = start + 2 * n;
      const v = this.versionFor(st, scheme);
      if (v === undefined) continue;
      if (!affected && evaluateEvents(b, start, n, b[start - 3] as readonly EventKind[], b[start - 2] as readonly unknown[] | null, scheme.compare, v) & 1) affected = true;
    }
    if (!affected) return p;
    const adv = b[at + E_ADV] as AdvisorySummary;
    const accs = st.accs;
    let acc: Acc | undefined;
    for (let i = 0; i < accs.length; i++) {
      if (accs[i]!.adv.id === adv.id) {
        acc = accs[i];
        break;
      }
    }
    if (!acc) {
      acc = { adv, gitFixed: null, severity: null };
      accs.push(acc);
    }
    if (gitFixed) acc.gitFixed = addAll(acc.gitFixed, gitFixed);
    const severity = b[at + E_SEVERITY] as readonly OsvSeverity[] | null;
    if (severity) acc.severity = mergeSeverity(acc.severity, severity);
    return p;
  }
}

interface MatchState {
  readonly q: MatchQuery;
  /** One per advisory id, in index order; few per component, so a linear search beats a Map. */
  readonly accs: Acc[];
  readonly problems: string[];
  /** Orderings the component's version failed to parse with, each reported once. */
  failed: VersionScheme[] | null;
  lastScheme: VersionScheme | null;
  lastVersion: unknown;
  /** Every entry evaluated (release permitting), as bucket, position pairs: a fix must clear all of its advisory's. */
  readonly visited: unknown[];
}

function append(bucket: Bucket, entry: Bucket): void {
  for (let i = 0; i < entry.length; i++) bucket.push(entry[i]);
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
