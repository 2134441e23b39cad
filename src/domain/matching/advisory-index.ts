/**
 * In-memory advisory index: `ecosystem + canonical name -> compiled ranges`, plus `repository -> GIT ranges`.
 * Records are compiled once when added (boundaries parsed, events sorted); a lookup parses the component's version
 * once per ordering it needs and walks only the entries for that package.
 */
import type { VersionScheme } from '../versions/version-scheme.ts';
import type { OsvRecord, OsvSeverity } from '../../formats/osv.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from './ecosystem.ts';
import {
  compileGitRange,
  compileOrderedRange,
  gitRangeIncludes,
  lowestFixedAbove,
  orderedRangeIncludes,
  type CompiledRange,
  type OrderedRange,
} from './osv-range.ts';
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
  readonly exactVersions: ReadonlySet<string> | null;
  /** The `versions` list parsed with the ecosystem's ordering and sorted, for equality by ordering (`1.0` = `1.0.0`). */
  readonly parsedVersions: { scheme: VersionScheme; sorted: unknown[] } | null;
  readonly severity: readonly OsvSeverity[] | null;
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
  fixed: [unknown, string, VersionScheme] | null;
  gitFixed: Set<string> | null;
  severity: OsvSeverity[] | null;
}

const NUL = '\u0000';
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

export function isCommitHash(s: string): boolean {
  return COMMIT.test(s);
}

export class AdvisoryIndex {
  private readonly byPackage = new Map<string, Entry[]>();
  private readonly byRepo = new Map<string, Entry[]>();
  private readonly schemeCache = new Map<string, VersionScheme | null>();
  private readonly unorderedEcosystems = new Set<string>();
  readonly problems: IndexProblem[] = [];
  private readonly counts = { advisories: 0, withdrawn: 0, entries: 0 };

  /** Ordering for `SEMVER` ranges, whatever the ecosystem: SemVer 2.0 read leniently, as OSV tooling does. */
  private readonly semver: VersionScheme | null;

  constructor(private readonly resolveScheme: SchemeResolver = versionSchemeFor) {
    this.semver = resolveScheme('SemVer') ?? null;
  }

  get stats(): IndexStats {
    return { ...this.counts, packages: this.byPackage.size };
  }

  private schemeFor(ecosystem: string): VersionScheme | null {
    let s = this.schemeCache.get(ecosystem);
    if (s === undefined) {
      s = this.resolveScheme(ecosystem) ?? null;
      this.schemeCache.set(ecosystem, s);
    }
    return s;
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
      aliases: record.aliases,
      upstream: record.upstream,
      related: record.related,
      severity: record.severity,
      ...(record.summary !== undefined ? { summary: record.summary } : {}),
      ...(record.modified !== undefined ? { modified: record.modified } : {}),
    };
    const problem = (message: string) => this.problems.push(source ? { advisory: record.id, source, message } : { advisory: record.id, message });
    record.affected.forEach((a, ai) => {
      const eco = a.package?.ecosystem;
      const scheme = eco !== undefined ? this.schemeFor(eco) : null;
      const ranges: CompiledRange[] = [];
      a.ranges.forEach((r, ri) => {
        const where = `affected[${ai}].ranges[${ri}]`;
        if (r.type === 'GIT') {
          ranges.push(compileGitRange(r).range!);
          return;
        }
        const rs = r.type === 'SEMVER' ? this.semver : scheme;
        if (!rs) {
          const key = r.type === 'SEMVER' ? 'SemVer' : eco !== undefined ? parseEcosystem(eco).base : undefined;
          if (key !== undefined && !this.unorderedEcosystems.has(key)) {
            this.unorderedEcosystems.add(key);
            problem(`no version ordering known for ${JSON.stringify(key)}: its ${r.type} ranges are not evaluated, only explicit versions lists`);
          }
          return;
        }
        const { range, problems } = compileOrderedRange(r, rs, where);
        for (const p of problems) problem(p);
        if (range) ranges.push(range);
      });
      let parsedVersions: Entry['parsedVersions'] = null;
      if (a.versions.length > 0 && scheme) {
        const sorted: unknown[] = [];
        for (const v of a.versions) {
          try {
            sorted.push(scheme.parse(v));
          } catch {
            // Unparsable listed versions still match by exact string below.
          }
        }
        sorted.sort(scheme.compare);
        parsedVersions = { scheme, sorted };
      }
      const entry: Entry = {
        adv,
        release: eco !== undefined ? parseEcosystem(eco).release : null,
        ranges,
        exactVersions: a.versions.length > 0 ? new Set(a.versions) : null,
        parsedVersions,
        severity: a.severity && a.severity.length > 0 ? a.severity : null,
      };
      let indexed = false;
      if (a.package) {
        const { base } = parseEcosystem(a.package.ecosystem);
        push(this.byPackage, base + NUL + canonicalName(base, a.package.name), entry);
        indexed = true;
      }
      const repos = new Set(a.ranges.filter((r) => r.type === 'GIT' && r.repo).map((r) => normaliseRepoUrl(r.repo!)));
      for (const repo of repos) {
        push(this.byRepo, repo, entry);
        indexed = true;
      }
      if (indexed) this.counts.entries++;
      else problem(`affected[${ai}] names neither a package nor a GIT repository: it can never match`);
    });
  }

  /** Every advisory affecting the component, one per advisory id, in index order. */
  match(q: MatchQuery): MatchOutcome {
    // Most components of a real SBOM have no advisories at all: answer those without allocating.
    let any = q.repo !== undefined && this.byRepo.has(q.repo);
    for (let i = 0; !any && i < q.names.length; i++) any = this.byPackage.has(q.ecosystem + NUL + q.names[i]);
    if (!any) return { matches: [], problems: [] };
    const accs = new Map<string, Acc>();
    const problems: string[] = [];
    const parsed = new Map<VersionScheme, unknown>();
    const parseWith = (scheme: VersionScheme): unknown => {
      if (parsed.has(scheme)) return parsed.get(scheme);
      let v: unknown;
      try {
        v = scheme.parse(q.version);
      } catch (err) {
        v = undefined;
        problems.push((err as Error).message);
      }
      parsed.set(scheme, v);
      return v;
    };
    for (const name of q.names) {
      const entries = this.byPackage.get(q.ecosystem + NUL + name);
      if (entries) for (const e of entries) this.evaluate(e, q, parseWith, accs);
    }
    if (q.repo) {
      const entries = this.byRepo.get(q.repo);
      if (entries) for (const e of entries) this.evaluate(e, q, parseWith, accs);
    }
    const matches: AdvisoryMatch[] = [];
    for (const acc of accs.values()) {
      let fixed: string | null = acc.fixed ? acc.fixed[1] : null;
      if (fixed === null && acc.gitFixed && acc.gitFixed.size === 1) fixed = [...acc.gitFixed][0]!;
      const severity = acc.adv.severity.length > 0 ? [...acc.adv.severity] : acc.severity;
      matches.push({ advisory: acc.adv, fixed, severity });
    }
    return { matches, problems };
  }

  private evaluate(e: Entry, q: MatchQuery, parseWith: (s: VersionScheme) => unknown, accs: Map<string, Acc>): void {
    if (e.release !== null && q.release !== null && e.release !== q.release) return;
    let affected = e.exactVersions !== null && e.exactVersions.has(q.version);
    if (!affected && e.parsedVersions && e.parsedVersions.sorted.length > 0) {
      const v = parseWith(e.parsedVersions.scheme);
      if (v !== undefined) affected = binaryHas(e.parsedVersions.sorted, v, e.parsedVersions.scheme.compare);
    }
    let fixed: [unknown, string, VersionScheme] | null = null;
    let gitFixed: Set<string> | null = null;
    for (const r of e.ranges) {
      if (r.kind === 'git') {
        if (q.commit === undefined) continue;
        if (gitRangeIncludes(r, q.commit)) {
          affected = true;
          gitFixed = addAll(gitFixed, r.fixed);
        }
        continue;
      }
      const v = parseWith(r.scheme);
      if (v === undefined) continue;
      if (!affected && orderedRangeIncludes(r, v)) affected = true;
      const f = lowestFixedAbove(r as OrderedRange, v);
      if (f && (!fixed || (fixed[2] === r.scheme && r.scheme.compare(f[0], fixed[0]) < 0))) fixed = [f[0], f[1], r.scheme];
    }
    if (!affected) return;
    let acc = accs.get(e.adv.id);
    if (!acc) {
      acc = { adv: e.adv, fixed: null, gitFixed: null, severity: null };
      accs.set(e.adv.id, acc);
    }
    if (fixed && (!acc.fixed || (acc.fixed[2] === fixed[2] && fixed[2].compare(fixed[0], acc.fixed[0]) < 0))) acc.fixed = fixed;
    if (gitFixed) acc.gitFixed = addAll(acc.gitFixed, gitFixed);
    if (e.severity) acc.severity = mergeSeverity(acc.severity, e.severity);
  }
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
