/**
 * The reverse question: "this advisory just arrived: which stored components, of which organisations, does it
 * affect?". The advisory is compiled once with the same AdvisoryIndex the scanner uses, so the answer follows each
 * ecosystem's own version rules exactly. The database is asked only for what indexes answer fast: first the distinct
 * (release, version) pairs stored for each affected package, which are evaluated in memory once each; then the
 * components at the affected versions, in inventories the caller may read (the access policy runs in SQL).
 */
import { AdvisoryIndex } from '../domain/matching/advisory-index.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from '../domain/matching/ecosystem.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';
import { parseOsvRecord, type OsvRecord } from '../formats/osv.ts';
import {
  componentsAt,
  distinctVersions,
  gitComponents,
  type CandidateRow,
  type LookupColumn,
} from '../store/inventory.repository.ts';
import { requireUser } from './access.ts';
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
  affected: AffectedComponent[];
  /** Parts of the advisory or of stored versions that could not be evaluated, so silence is never mistaken for safety. */
  problems: string[];
}

const NUL = '\u0000';
// Bounded IN lists: far below both databases' parameter limits, and each chunk still one index range scan.
const VERSION_CHUNK = 500;
const MAX_PROBLEMS = 50;

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function key(name: string, release: string | null, version: string): string {
  return name + NUL + (release ?? '') + NUL + version;
}

export class AffectedService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly inventories: InventoryService,
  ) {}

  /**
   * Components the advisory affects, in inventories `p` may read. `osv` is one OSV record (decoded JSON or an
   * already parsed OsvRecord). Usable without HTTP: background work passes the system principal, which sees every
   * inventory and must then deliver per organisation.
   */
  async affectedBy(p: Principal, osv: unknown): Promise<AffectedReport> {
    if (p.userId !== null) requireUser(p);
    const { record, problems } = parseOsvRecord(osv);
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
    };
    const index = new AdvisoryIndex();
    index.add(record);
    for (const pr of index.problems) report.problems.push(pr.message);
    // A withdrawn advisory affects nothing; the index has already dropped it.
    if (record.withdrawn) return report;

    const reader = this.inventories.reader(p);
    const found = new Map<number, AffectedComponent>();
    const rowsById = new Map<number, CandidateRow>();
    const versionProblems = new Map<string, number>();
    const { packages, repos } = lookups(record);

    // Every (package, lookup column) is independent: on PostgreSQL they run side by side on the pool's connections
    // (an advisory naming several popular packages is the slow case); SQLite's one connection takes them in turn.
    const tasks: Promise<{ row: CandidateRow; fixed: string | null }[]>[] = [];
    for (const [ecosystem, names] of packages) {
      for (const column of ['name', 'source_name'] as LookupColumn[]) tasks.push(this.lookup(index, reader, ecosystem, column, [...names], versionProblems));
    }
    // Merged in task order, so the answer does not depend on which query finished first.
    for (const hitsOfTask of await Promise.all(tasks)) {
      for (const { row, fixed } of hitsOfTask) {
        if (found.has(row.id)) continue;
        found.set(row.id, toAffected(row, fixed));
        if (row.source_name !== null) rowsById.set(row.id, row);
      }
    }

    // An OS package may be named in the advisory both as itself and as its source; the forward scan merges the two
    // (lowest fix across both), so rows that have a source are evaluated once more with both names.
    const merged = new Map<string, string | null>();
    for (const [id, a] of found) {
      const r = rowsById.get(id);
      if (!r || r.source_name === null) continue;
      const k = r.ecosystem + NUL + r.name + NUL + r.source_name + NUL + (r.release ?? '') + NUL + r.version;
      let fixed = merged.get(k);
      if (fixed === undefined) {
        fixed = index.match({ ecosystem: r.ecosystem, release: r.release, names: [r.name, r.source_name], version: r.version }).matches[0]?.fixed ?? null;
        merged.set(k, fixed);
      }
      a.fixed = fixed;
    }

    if (repos.size > 0) {
      for (const r of await gitComponents(this.deps.db, reader, [...repos])) {
        if (found.has(r.id)) continue;
        const c = componentFromPurl(r.purl);
        const outcome = index.match({ ecosystem: 'GIT', release: null, names: [], version: r.version, ...(c.commit ? { commit: c.commit } : {}), repo: r.name });
        if (outcome.matches.length > 0) found.set(r.id, toAffected(r, outcome.matches[0]!.fixed));
      }
    }

    for (const [message, count] of versionProblems) {
      if (report.problems.length >= MAX_PROBLEMS) break;
      report.problems.push(`${count} stored version${count === 1 ? '' : 's'} not evaluated: ${message}`);
    }
    report.affected = [...found.values()].sort(
      (a, b) => byCodePoint(a.organisationId, b.organisationId) || byCodePoint(a.inventoryId, b.inventoryId) || byCodePoint(a.component.purl, b.component.purl),
    );
    return report;
  }

  /** Phases two to four for one package column: distinct versions, one evaluation each, then the affected rows. */
  private async lookup(
    index: AdvisoryIndex,
    reader: ReturnType<InventoryService['reader']>,
    ecosystem: string,
    column: LookupColumn,
    names: string[],
    versionProblems: Map<string, number>,
  ): Promise<{ row: CandidateRow; fixed: string | null }[]> {
    const keys = await distinctVersions(this.deps.db, column, ecosystem, names);
    // One evaluation per distinct stored version, however many organisations hold it.
    const hits = new Map<string, string | null>();
    const versionsByName = new Map<string, Set<string>>();
    for (const k of keys) {
      const outcome = index.match({ ecosystem, release: k.release, names: [k.name], version: k.version });
      for (const pr of outcome.problems) versionProblems.set(pr, (versionProblems.get(pr) ?? 0) + 1);
      if (outcome.matches.length === 0) continue;
      hits.set(key(k.name, k.release, k.version), outcome.matches[0]!.fixed);
      let vs = versionsByName.get(k.name);
      if (!vs) versionsByName.set(k.name, (vs = new Set()));
      vs.add(k.version);
    }
    const queries: Promise<CandidateRow[]>[] = [];
    for (const [name, versionSet] of versionsByName) {
      const versions = [...versionSet];
      for (let i = 0; i < versions.length; i += VERSION_CHUNK) queries.push(componentsAt(this.deps.db, reader, column, ecosystem, name, versions.slice(i, i + VERSION_CHUNK)));
    }
    const out: { row: CandidateRow; fixed: string | null }[] = [];
    for (const rows of await Promise.all(queries)) {
      for (const row of rows) {
        // The SQL matched name and version; the release decides here.
        const k = key(column === 'name' ? row.name : row.source_name!, row.release, row.version);
        if (hits.has(k)) out.push({ row, fixed: hits.get(k)! });
      }
    }
    return out;
  }
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
