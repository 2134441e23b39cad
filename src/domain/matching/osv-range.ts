/**
 * Compiled OSV ranges: boundaries parsed once with the ecosystem's ordering, events sorted, so that evaluating a
 * component is a handful of `compare` calls. Evaluation follows the schema's pseudo-code (IncludedInRanges and
 * BeforeLimits) exactly; see docs/scanning.md for the choices the schema leaves open.
 */
import type { VersionScheme } from '../versions/version-scheme.ts';
import type { OsvRange } from '../osv/osv-record.ts';

export const INTRODUCED = 0;
export const LAST_AFFECTED = 1;
export const FIXED = 2;
export type EventKind = typeof INTRODUCED | typeof LAST_AFFECTED | typeof FIXED;

export interface OrderedRange {
  readonly kind: 'ordered';
  readonly scheme: VersionScheme;
  /** Sorted ascending; a null version is introduced "0", which sorts before everything. */
  readonly versions: readonly unknown[];
  /** Event kind per version. Shared between ranges of the same shape (most are `introduced, fixed`). */
  readonly kinds: readonly EventKind[];
  readonly raws: readonly string[];
  /** Parsed limit versions, or null when the range has no (finite) limit: the implicit `limit: "*"`. */
  readonly limits: readonly unknown[] | null;
}

export interface GitRange {
  readonly kind: 'git';
  readonly repo: string | undefined;
  readonly introduced: ReadonlySet<string>;
  readonly fixed: ReadonlySet<string>;
  readonly lastAffected: ReadonlySet<string>;
  readonly limits: ReadonlySet<string>;
}

export type CompiledRange = OrderedRange | GitRange;

export interface CompileResult {
  range: CompiledRange | null;
  problems: string[];
}

const KIND_RANK: Record<EventKind, number> = { [INTRODUCED]: 0, [LAST_AFFECTED]: 1, [FIXED]: 2 };

type Ev = { kind: EventKind; v: unknown; raw: string };

function eventOrder(scheme: VersionScheme, a: Ev, b: Ev): number {
  if (a.v === null || b.v === null) return a.v === b.v ? KIND_RANK[a.kind] - KIND_RANK[b.kind] : a.v === null ? -1 : 1;
  return scheme.compare(a.v, b.v) || KIND_RANK[a.kind] - KIND_RANK[b.kind];
}

function describe(where: string | (() => string)): string {
  return typeof where === 'string' ? where : where();
}

/**
 * Compiles one SEMVER or ECOSYSTEM range with `scheme`. An unparsable boundary never drops the advisory: it is
 * reported and the range is widened instead (a bad `introduced` counts as "0", a bad `fixed`, `last_affected` or
 * `limit` is ignored), because for a security tool a false alarm is cheaper than a silent miss.
 */
export function compileOrderedRange(
  range: OsvRange,
  scheme: VersionScheme,
  /** Where the range sits, for problems; a function is called only when there is a problem to report. */
  where: string | (() => string) = 'range',
  /** How boundaries are parsed; an index passes a memoised `scheme.parse`, as the same boundaries recur a lot. */
  parse: (raw: string) => unknown = (raw) => scheme.parse(raw),
): CompileResult {
  const problems: string[] = [];
  const evs: Ev[] = [];
  let limits: unknown[] | null = null;
  let infinite = false;
  for (const e of range.events) {
    if (e.limit !== undefined) {
      if (e.limit.includes('*')) {
        // An infinite limit admits every version: the range behaves as if it had no limits at all.
        infinite = true;
        continue;
      }
      try {
        const parsed = parse(e.limit);
        limits = limits ?? [];
        limits.push(parsed);
      } catch (err) {
        problems.push(`${describe(where)}: limit ${JSON.stringify(e.limit)} ignored: ${(err as Error).message}`);
      }
      continue;
    }
    let kind: EventKind, raw: string;
    if (e.introduced !== undefined) {
      kind = INTRODUCED;
      raw = e.introduced;
      if (raw === '0') {
        evs.push({ kind, v: null, raw });
        continue;
      }
    } else if (e.fixed !== undefined) {
      kind = FIXED;
      raw = e.fixed;
    } else {
      kind = LAST_AFFECTED;
      raw = e.last_affected!;
    }
    try {
      evs.push({ kind, v: parse(raw), raw });
    } catch (err) {
      const name = kind === INTRODUCED ? 'introduced' : kind === FIXED ? 'fixed' : 'last_affected';
      if (kind === INTRODUCED) {
        problems.push(`${describe(where)}: introduced ${JSON.stringify(raw)} unparsable, treated as "0": ${(err as Error).message}`);
        evs.push({ kind, v: null, raw: '0' });
      } else problems.push(`${describe(where)}: ${name} ${JSON.stringify(raw)} ignored: ${(err as Error).message}`);
    }
  }
  if (infinite) limits = null;
  // Equal versions sort introduced, last_affected, fixed; reorderTies then reads them as a union of intervals.
  // Published ranges are nearly always in order already; checking is cheaper than sorting.
  let sorted = true;
  for (let i = 1; sorted && i < evs.length; i++) if (eventOrder(scheme, evs[i - 1]!, evs[i]!) > 0) sorted = false;
  if (!sorted) evs.sort((a, b) => eventOrder(scheme, a, b));
  reorderTies(scheme, evs);
  const n = evs.length;
  const versions: unknown[] = new Array(n);
  const kinds: EventKind[] = new Array(n);
  const raws: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e = evs[i]!;
    versions[i] = e.v;
    kinds[i] = e.kind;
    raws[i] = e.raw;
  }
  return { range: { kind: 'ordered', scheme, versions, kinds: sharedKinds(kinds), raws, limits }, problems };
}

/**
 * Events at one version are ambiguous in the schema's pseudo-code (it sorts by version only). We read a range as the
 * union of its intervals: a `fixed` or `last_affected` at X closes the interval opened below X, and an `introduced` at
 * X opens a new one. So when an interval is open as the walk reaches X, X's closing events go first and its
 * `introduced` last (`introduced 0.34.0, fixed 0.34.1, introduced 0.34.1, fixed 0.34.2` affects 0.34.1, as Bitnami
 * and varnish records mean); when none is open, `introduced` goes first (`introduced X, fixed X` stays empty).
 * Deciding by the walk's state rather than by the written order keeps the answer the same however events are listed.
 */
function reorderTies(scheme: VersionScheme, evs: Ev[]): void {
  // Only an `introduced` reached while an interval is open, with a closing event at the same version, needs moving;
  // the common `introduced, fixed` shape never compares anything here.
  let open = false;
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i]!;
    if (e.kind !== INTRODUCED) {
      open = false;
      continue;
    }
    if (open && e.v !== null) {
      let j = i;
      while (j < evs.length && evs[j]!.kind === INTRODUCED && evs[j]!.v !== null && scheme.compare(evs[j]!.v, e.v) === 0) j++;
      let k = j;
      while (k < evs.length && evs[k]!.kind !== INTRODUCED && evs[k]!.v !== null && scheme.compare(evs[k]!.v, e.v) === 0) k++;
      if (k > j) {
        // The group is sorted introduced < last_affected < fixed: its closing events go first, its introduced last.
        const group = evs.slice(j, k).concat(evs.slice(i, j));
        for (let g = 0; g < group.length; g++) evs[i + g] = group[g]!;
        i = k - 1;
      }
    }
    open = true;
  }
}

// Ranges have a handful of shapes; one frozen array per shape instead of one per range saves memory at 500k advisories.
const KIND_SHAPES = new Map<number, readonly EventKind[]>();

function sharedKinds(kinds: EventKind[]): readonly EventKind[] {
  if (kinds.length > 8) return kinds;
  // Base-3 digits of the kinds, plus the length so that shapes of different lengths never share a key.
  let key = kinds.length;
  for (let i = 0; i < kinds.length; i++) key = key * 3 + kinds[i]!;
  key = key * 16 + kinds.length;
  let shared = KIND_SHAPES.get(key);
  if (!shared) KIND_SHAPES.set(key, (shared = Object.freeze(kinds)));
  return shared;
}

/** IncludedInRanges for one compiled range and an already-parsed version. */
export function orderedRangeIncludes(r: OrderedRange, v: unknown): boolean {
  return (evaluateOrderedRange(r, v) & 1) === 1;
}

/**
 * IncludedInRanges and the lowest `fixed` above v in one pass over sorted events, without allocating: bit 0 is set
 * when v is affected, and the rest is 1 + the index (from `start`) of the lowest `fixed` strictly above v, 0 when there
 * is none. Because events are sorted, the first `fixed` at or after the first event above v is that lowest fix. The
 * events are `n` parsed versions from `start` in `vs`, so an index can keep them inline in a larger array.
 */
export function evaluateEvents(
  vs: readonly unknown[],
  start: number,
  n: number,
  kinds: readonly EventKind[],
  limits: readonly unknown[] | null,
  cmp: (a: unknown, b: unknown) => number,
  v: unknown,
): number {
  let vulnerable = false;
  let i = 0;
  for (; i < n; i++) {
    const ev = vs[start + i];
    const c = ev === null ? 1 : cmp(v, ev);
    if (c < 0) break;
    const k = kinds[i];
    if (k === INTRODUCED) vulnerable = true;
    else if (k === FIXED) vulnerable = false;
    else if (c > 0) vulnerable = false;
  }
  while (i < n && kinds[i] !== FIXED) i++;
  const fixedBits = i < n ? (i + 1) << 1 : 0;
  if (vulnerable && limits !== null) {
    let below = false;
    for (let j = 0; j < limits.length; j++) {
      if (cmp(v, limits[j]) < 0) {
        below = true;
        break;
      }
    }
    if (!below) vulnerable = false;
  }
  return fixedBits | (vulnerable ? 1 : 0);
}

/** evaluateEvents for a compiled range. */
export function evaluateOrderedRange(r: OrderedRange, v: unknown): number {
  return evaluateEvents(r.versions, 0, r.versions.length, r.kinds, r.limits, r.scheme.compare, v);
}

/** The lowest `fixed` boundary strictly above v in this range, as [parsed, raw], or null. */
export function lowestFixedAbove(r: OrderedRange, v: unknown): [unknown, string] | null {
  const i = (evaluateOrderedRange(r, v) >> 1) - 1;
  return i < 0 ? null : [r.versions[i], r.raws[i]!];
}

/**
 * GIT ranges need the repository's commit graph, which a scanner does not have. Without it we can decide only by
 * commit identity: a commit named as `introduced` or `last_affected` is affected, one named as `fixed` or `limit`
 * is not, and any other commit is undecidable here and therefore not reported (the `versions` list, which OSV
 * requires alongside GIT ranges, still applies).
 */
export function compileGitRange(range: OsvRange): CompileResult {
  const introduced = new Set<string>(), fixed = new Set<string>(), lastAffected = new Set<string>(), limits = new Set<string>();
  for (const e of range.events) {
    if (e.introduced !== undefined && e.introduced !== '0') introduced.add(e.introduced.toLowerCase());
    else if (e.fixed !== undefined) fixed.add(e.fixed.toLowerCase());
    else if (e.last_affected !== undefined) lastAffected.add(e.last_affected.toLowerCase());
    else if (e.limit !== undefined) limits.add(e.limit.toLowerCase());
  }
  return { range: { kind: 'git', repo: range.repo, introduced, fixed, lastAffected, limits }, problems: [] };
}

export function gitRangeIncludes(r: GitRange, commit: string): boolean {
  const c = commit.toLowerCase();
  if (r.fixed.has(c) || r.limits.has(c)) return false;
  return r.introduced.has(c) || r.lastAffected.has(c);
}
