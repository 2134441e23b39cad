/**
 * The reverse question: "this advisory just arrived: which stored components, of which organisations, does it
 * affect?". The advisory is compiled once with the same AdvisoryIndex the scanner uses, so the answer follows each
 * ecosystem's own version rules exactly. The database is asked only for what indexes answer fast, and only about
 * inventories the caller may read (the access policy runs in SQL, in both phases): first the distinct (release,
 * version) pairs stored for each affected package, which are evaluated in memory once each; then one page of the
 * components at the affected versions. Nothing about a hidden row reaches the answer, its problems or its counts.
 */
import { createHash } from 'node:crypto';
import { DomainError, InvalidInputError } from '../domain/errors.ts';
import { AdvisoryIndex } from '../domain/matching/advisory-index.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from '../domain/matching/ecosystem.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';
import { parseOsvRecord, type OsvRecord } from '../formats/osv.ts';
import {
  componentsAt,
  storedVersions,
  visibleVersions,
  gitComponents,
  type CandidateRow,
  type LookupColumn,
  type VersionKey,
} from '../store/inventory.repository.ts';
import { guardFor } from '../domain/policy/authorize.ts';
import type { ServiceDeps } from './context.ts';
import type { InventoryService } from './inventory.service.ts';

export interface AffectedComponent {
  organisationId: string;
  inventoryId: string;
  inventoryName: string;
  component: { purl: string; ecosystem: string; name: string; version: string };
  /** Lowest fixed version above the installed one, or null when the advisory names none. */
  fixed: string | null;
}

export interface AffectedReport {
  advisory: { id: string; aliases: string[]; summary: string | null; modified: string | null; withdrawn: string | null };
  /** One page, in a stable order: package by package as the advisory names them, then by storage order. */
  affected: AffectedComponent[];
  /** Parts of the advisory or of stored versions that could not be evaluated, so silence is never mistaken for safety. */
  problems: string[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface AffectedPage {
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * What one request may ask for. Each named package costs a few index lookups and each listed version or range an
 * evaluation per stored version, so these bound the work of one request whatever others have stored; they sit far
 * above real advisories (the largest in OSV name a few hundred packages; kernel records list ~10,000 versions).
 */
export const AFFECTED_LIMITS = {
  /** Entries in `affected`. */
  affectedEntries: 5_000,
  /** Distinct (ecosystem, package) pairs. */
  packages: 1_000,
  /** Distinct GIT repositories. */
  repos: 100,
  /** Ranges over all entries. */
  ranges: 10_000,
  /** Events over all ranges, and listed versions over all entries (each). */
  events: 100_000,
  /** Nesting of the JSON record (objects and arrays). */
  depth: 64,
  /** Page size: default and maximum. */
  defaultLimit: 1_000,
  maxLimit: 5_000,
} as const;

const NUL = '\u0000';
const MAX_PROBLEMS = 50;

function key(name: string, release: string | null, version: string): string {
  return name + NUL + (release ?? '') + NUL + version;
}

type Group = { kind: 'package'; ecosystem: string; column: LookupColumn; name: string } | { kind: 'git'; repo: string };

interface Position {
  group: number;
  afterId: number;
}

/** Hits of phase one: for each ecosystem and lookup column, the (name, release, version) keys the advisory affects. */
type Hits = Map<string, Map<string, string | null>>;
const hitsKey = (ecosystem: string, column: LookupColumn) => ecosystem + NUL + column;

function tooLarge(what: string, n: number, max: number): DomainError {
  return new DomainError('payload-too-large', `the advisory has ${n} ${what}; at most ${max} are accepted in one request`, { limit: max });
}

/** Rejects JSON nested deeper than `max`, walking with an explicit stack so hostile nesting cannot overflow ours. */
export function checkDepth(value: unknown, max: number): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) throw new DomainError('invalid-advisory', `the OSV record is nested deeper than ${max} levels, the most accepted`, { maxDepth: max });
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
}

export class AffectedService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly inventories: InventoryService,
  ) {}

  /**
   * One page of the components the advisory affects, in inventories `p` may read. `osv` is one OSV record (decoded
   * JSON or an already parsed OsvRecord). Usable without HTTP: background work passes the system principal, which
   * sees every inventory and must then deliver per organisation.
   */
  async affectedBy(p: Principal, osv: unknown, page: AffectedPage = {}): Promise<AffectedReport> {
    guardFor(p, 'inventory.affected-by');
    const limit = page.limit ?? AFFECTED_LIMITS.defaultLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > AFFECTED_LIMITS.maxLimit) {
      throw new InvalidInputError(`limit must be an integer from 1 to ${AFFECTED_LIMITS.maxLimit}`, { limit: AFFECTED_LIMITS.maxLimit });
    }
    checkDepth(osv, AFFECTED_LIMITS.depth);
    const rawAffected = (osv as { affected?: unknown } | null)?.affected;
    if (Array.isArray(rawAffected) && rawAffected.length > AFFECTED_LIMITS.affectedEntries) {
      throw tooLarge('affected entries', rawAffected.length, AFFECTED_LIMITS.affectedEntries);
    }
    const { record, problems } = parseOsvRecord(osv);
    checkSize(record);
    const report: AffectedReport = {
      advisory: {
        id: record.id,
        aliases: record.aliases,
        summary: record.summary ?? null,
        modified: record.modified ?? null,
        withdrawn: record.withdrawn ?? null,
      },
      affected: [],
      problems: [...problems],
      nextCursor: null,
    };
    const index = new AdvisoryIndex();
    index.add(record);
    for (const pr of index.problems) report.problems.push(pr.message);
    // A withdrawn advisory affects nothing; the index has already dropped it.
    if (record.withdrawn) return report;

    const { packages, repos } = lookups(record);
    const groups: Group[] = [];
    for (const ecosystem of [...packages.keys()].sort()) {
      const names = [...packages.get(ecosystem)!].sort();
      for (const column of ['name', 'source_name'] as LookupColumn[]) for (const name of names) groups.push({ kind: 'package', ecosystem, column, name });
    }
    for (const repo of [...repos].sort()) groups.push({ kind: 'git', repo });
    const fingerprint = createHash('sha256').update(JSON.stringify(groups)).digest('base64url').slice(0, 16);
    let pos: Position = page.cursor === undefined ? { group: 0, afterId: 0 } : decodeCursor(page.cursor, fingerprint, groups.length);

    const reader = this.inventories.reader(p);
    const { hits, versionProblems } = await this.evaluateVersions(index, reader, packages);
    for (const [message, count] of versionProblems) {
      if (report.problems.length >= MAX_PROBLEMS) break;
      report.problems.push(`${count} stored version${count === 1 ? '' : 's'} not evaluated: ${message}`);
    }

    // Rows with a source package may be named both as themselves and as their source; the forward scan merges the
    // two (lowest fix across both), so such rows are evaluated once more with both names.
    const merged = new Map<string, string | null>();
    const mergedFix = (r: CandidateRow, fixed: string | null): string | null => {
      if (r.source_name === null) return fixed;
      const k = r.ecosystem + NUL + r.name + NUL + r.source_name + NUL + (r.release ?? '') + NUL + r.version;
      let f = merged.get(k);
      if (f === undefined) {
        f = index.match({ ecosystem: r.ecosystem, release: r.release, names: [r.name, r.source_name], version: r.version }).matches[0]?.fixed ?? null;
        merged.set(k, f);
      }
      return f;
    };
    const byName = (r: CandidateRow) => hits.get(hitsKey(r.ecosystem, 'name'))?.get(key(r.name, r.release, r.version));
    const bySource = (r: CandidateRow) => (r.source_name === null ? undefined : hits.get(hitsKey(r.ecosystem, 'source_name'))?.get(key(r.source_name, r.release, r.version)));

    // One more row than the page, so the last page is known to be last.
    const want = limit + 1;
    const out: { a: AffectedComponent; at: Position }[] = [];
    while (pos.group < groups.length && out.length < want) {
      const g = groups[pos.group]!;
      const asked = want - out.length;
      let rows: CandidateRow[];
      if (g.kind === 'package') {
        const versions = hitVersions(hits.get(hitsKey(g.ecosystem, g.column)), g.name);
        rows = versions.length === 0 ? [] : await componentsAt(this.deps.db, reader, g.column, g.ecosystem, g.name, versions, pos.afterId, asked);
      } else {
        rows = await gitComponents(this.deps.db, reader, g.repo, pos.afterId, asked);
      }
      for (const r of rows) {
        const at = { group: pos.group, afterId: r.id };
        let fixed: string | null | undefined;
        if (g.kind === 'package' && g.column === 'name') fixed = byName(r);
        // A row both groups find is answered in its name group only.
        else if (g.kind === 'package') fixed = byName(r) === undefined ? bySource(r) : undefined;
        else if (byName(r) === undefined && bySource(r) === undefined) {
          const c = componentFromPurl(r.purl);
          const outcome = index.match({ ecosystem: 'GIT', release: null, names: [], version: r.version, ...(c.commit ? { commit: c.commit } : {}), repo: r.name });
          fixed = outcome.matches.length > 0 ? outcome.matches[0]!.fixed : undefined;
        }
        if (fixed !== undefined) out.push({ a: toAffected(r, g.kind === 'package' ? mergedFix(r, fixed) : fixed), at });
      }
      // A short answer means the group is exhausted; otherwise go on after its last row (rows the release check
      // dropped are passed over too).
      if (rows.length < asked) pos = { group: pos.group + 1, afterId: 0 };
      else pos = { group: pos.group, afterId: rows[rows.length - 1]!.id };
    }
    if (out.length > limit) {
      const last = out[limit - 1]!.at;
      report.nextCursor = encodeCursor(fingerprint, last);
      out.length = limit;
    }
    report.affected = out.map((x) => x.a);
    return report;
  }

  /**
   * Phase one: every distinct stored version of the named packages is evaluated once, however many organisations hold
   * it. The versions come from the index unfiltered (fast); what is reported about them is not: a version that could
   * not be evaluated is counted in `problems` only when the reader may see an inventory holding it, and affected rows
   * are read through the policy in phase two, so nothing of a hidden inventory reaches the answer.
   */
  private async evaluateVersions(
    index: AdvisoryIndex,
    reader: ReturnType<InventoryService['reader']>,
    packages: Map<string, Set<string>>,
  ): Promise<{ hits: Hits; versionProblems: Map<string, number> }> {
    const hits: Hits = new Map();
    const versionProblems = new Map<string, number>();
    for (const ecosystem of [...packages.keys()].sort()) {
      const names = [...packages.get(ecosystem)!].sort();
      for (const column of ['name', 'source_name'] as LookupColumn[]) {
        const found = new Map<string, string | null>();
        const failed: { key: VersionKey; problems: string[] }[] = [];
        for (const k of await storedVersions(this.deps.db, column, ecosystem, names)) {
          const outcome = index.match({ ecosystem, release: k.release, names: [k.name], version: k.version });
          if (outcome.problems.length > 0) failed.push({ key: k, problems: outcome.problems });
          if (outcome.matches.length > 0) found.set(key(k.name, k.release, k.version), outcome.matches[0]!.fixed);
        }
        if (failed.length > 0) {
          const seen = new Set((await visibleVersions(this.deps.db, reader, column, ecosystem, failed.map((f) => f.key))).map((k) => key(k.name, k.release, k.version)));
          for (const f of failed) {
            if (!seen.has(key(f.key.name, f.key.release, f.key.version))) continue;
            for (const pr of f.problems) versionProblems.set(pr, (versionProblems.get(pr) ?? 0) + 1);
          }
        }
        hits.set(hitsKey(ecosystem, column), found);
      }
    }
    return { hits, versionProblems };
  }
}

/** The distinct versions of one name among the hit keys (a version may be hit in several releases). */
function hitVersions(found: Map<string, string | null> | undefined, name: string): string[] {
  if (!found) return [];
  const prefix = name + NUL;
  const out = new Set<string>();
  for (const k of found.keys()) {
    if (!k.startsWith(prefix)) continue;
    out.add(k.slice(k.indexOf(NUL, prefix.length) + 1));
  }
  return [...out].sort();
}

function checkSize(record: OsvRecord): void {
  const { packages, repos } = lookups(record);
  let nPackages = 0;
  for (const names of packages.values()) nPackages += names.size;
  if (nPackages > AFFECTED_LIMITS.packages) throw tooLarge('distinct packages', nPackages, AFFECTED_LIMITS.packages);
  if (repos.size > AFFECTED_LIMITS.repos) throw tooLarge('GIT repositories', repos.size, AFFECTED_LIMITS.repos);
  let ranges = 0;
  let events = 0;
  let versions = 0;
  for (const a of record.affected) {
    ranges += a.ranges.length;
    versions += a.versions.length;
    for (const r of a.ranges) events += r.events.length;
  }
  if (ranges > AFFECTED_LIMITS.ranges) throw tooLarge('ranges', ranges, AFFECTED_LIMITS.ranges);
  if (events > AFFECTED_LIMITS.events) throw tooLarge('range events', events, AFFECTED_LIMITS.events);
  if (versions > AFFECTED_LIMITS.events) throw tooLarge('listed versions', versions, AFFECTED_LIMITS.events);
}

/** Opaque to clients; bound to the advisory's package list so a cursor cannot be replayed against another one. */
function encodeCursor(fingerprint: string, at: Position): string {
  return Buffer.from(JSON.stringify([fingerprint, at.group, at.afterId])).toString('base64url');
}

function decodeCursor(cursor: string, fingerprint: string, groups: number): Position {
  const bad = () => new InvalidInputError('cursor is not one this advisory\'s previous page returned', { field: 'cursor' });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 3 || v[0] !== fingerprint) throw bad();
  const [, group, afterId] = v as [string, unknown, unknown];
  if (!Number.isSafeInteger(group) || !Number.isSafeInteger(afterId) || (group as number) < 0 || (group as number) >= groups || (afterId as number) < 0) throw bad();
  return { group: group as number, afterId: afterId as number };
}

/** The (ecosystem, canonical name) pairs and GIT repositories an advisory can match stored components by. */
export function lookups(record: OsvRecord): { packages: Map<string, Set<string>>; repos: Set<string> } {
  const packages = new Map<string, Set<string>>();
  const repos = new Set<string>();
  for (const a of record.affected) {
    if (a.package) {
      const { base } = parseEcosystem(a.package.ecosystem);
      let names = packages.get(base);
      if (!names) packages.set(base, (names = new Set()));
      names.add(canonicalName(base, a.package.name));
    }
    for (const r of a.ranges) if (r.type === 'GIT' && r.repo) repos.add(normaliseRepoUrl(r.repo));
  }
  return { packages, repos };
}

function toAffected(r: CandidateRow, fixed: string | null): AffectedComponent {
  return {
    organisationId: r.owner_org_id,
    inventoryId: r.inventory_id,
    inventoryName: r.inventory_name,
    component: { purl: r.purl, ecosystem: r.ecosystem, name: r.name, version: r.version },
    fixed,
  };
}
