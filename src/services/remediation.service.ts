import type { Services } from '../composition.ts';
import { AdvisoryIndex, type MatchQuery } from '../domain/matching/advisory-index.ts';
import { mayReceive, type RecipientOrganisation } from '../domain/policy/notification.policy.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';
import {
  factsByKey,
  packageKey,
  planFindings,
  resolutionFor,
  severityOf,
  unmatchedOpen,
  type AffectedComponentFact,
  type FindingFacts,
  type Severity,
  type StoredFinding,
} from '../domain/remediation/inventory-finding.ts';
import { parseOsvRecord, type OsvRecord } from '../formats/osv.ts';
import type { Tx } from '../store/db.ts';
import {
  advisoriesBySeq,
  advisoryForMatching,
  applyFindingChanges,
  componentPage,
  heldVersions,
  inventoriesByIds,
  inventoryEcosystems,
  kevListed,
  lockMatching,
  organisationReaders,
  publishedAdvisoriesForEcosystems,
  storedFindingsOfAdvisory,
  storedFindingsOfInventory,
  type AppliedChanges,
  type MatchingAdvisory,
} from '../store/inventory-finding.repository.ts';
import type { OutboxJob } from '../store/outbox.repository.ts';
import type { ServiceDeps } from './context.ts';
import type { JobHandler } from './outbox-worker.ts';
import { systemPrincipal } from './principal.ts';
import { REMEDIATION_JOBS } from './remediation-jobs.ts';

export { REMEDIATION_JOBS, enqueueAdvisoryMatch, enqueueAdvisoriesMatch, enqueueInventoryMatch } from './remediation-jobs.ts';

/** What one matching run did (tests, benches and logs read it; nothing of it reaches a reader). */
export interface MatchRun extends AppliedChanges {
  /** Notifications created. */
  notified: number;
}

export interface RemediationOptions {
  /** Hours after which an unacknowledged critical or KEV-listed notification escalates (CLEARINGHOUSE_ESCALATION_HOURS). */
  escalationHours?: number;
}

export const REMEDIATION_LIMITS = {
  /** Components asked of the reverse query per page. */
  reversePage: 5000,
  /** Components of an SBOM read and matched per page by the forward scan. */
  forwardPage: 5000,
  /** Advisories read per page while the forward scan compiles its index. */
  advisoryPage: 1000,
} as const;

interface AdvisoryFacts {
  severity: Severity;
  kev: boolean;
  fixReference: string | null;
}

/** The first FIX (else ADVISORY) reference of a record: where an operator reads how to remediate without a version. */
function fixReferenceOf(record: { references?: readonly { type?: string; url?: string }[] }): string | null {
  const refs = Array.isArray(record.references) ? record.references : [];
  const pick = refs.find((r) => r?.type === 'FIX' && typeof r.url === 'string') ?? refs.find((r) => r?.type === 'ADVISORY' && typeof r.url === 'string');
  return pick?.url ? pick.url.slice(0, 500) : null;
}

function cvesOf(a: { id: string; record: OsvRecord | { aliases?: unknown } }): string[] {
  const aliases = Array.isArray((a.record as { aliases?: unknown }).aliases) ? ((a.record as { aliases: unknown[] }).aliases.filter((x) => typeof x === 'string') as string[]) : [];
  return [a.id, ...aliases];
}

/** Matching that acts (issue 10): inventory findings recorded from advisory and SBOM changes through the outbox, notifications of the affected, escalation (docs/remediation.md). */
export class RemediationService {
  readonly escalationHours: number;

  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
    opts: RemediationOptions = {},
  ) {
    this.escalationHours = opts.escalationHours ?? 48;
  }

  /** Outbox job kinds this service runs. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      [REMEDIATION_JOBS.advisory]: (job) => this.#advisoryJob(job),
      [REMEDIATION_JOBS.advisories]: (job) => this.#advisoriesJob(job),
      [REMEDIATION_JOBS.inventory]: (job) => this.#inventoryJob(job),
    };
  }

  async #advisoryJob(job: OutboxJob): Promise<void> {
    const p = job.payload as { advisoryId?: unknown };
    if (typeof p?.advisoryId === 'string') await this.matchAdvisory(p.advisoryId);
  }

  async #advisoriesJob(job: OutboxJob): Promise<void> {
    const p = job.payload as { advisoryIds?: unknown };
    if (!Array.isArray(p?.advisoryIds)) return;
    for (const id of p.advisoryIds) if (typeof id === 'string') await this.matchAdvisory(id);
  }

  async #inventoryJob(job: OutboxJob): Promise<void> {
    const p = job.payload as { inventoryId?: unknown };
    if (typeof p?.inventoryId === 'string') await this.matchInventory(p.inventoryId);
  }

  /**
   * Runs `read` and then `write` so that two jobs sharing rows never interleave: on PostgreSQL both run under one
   * transaction-scoped lock taken first (reads go through the pool and see everything committed before the lock);
   * on SQLite, which has one writer and one worker per server, the reads run just before the write transaction.
   * Either way each job reads after every change that enqueued a job before it committed, so the last job to run
   * writes from the newest data, and a job run twice (a lease that ran out) finds its own work done.
   */
  async #serialised<R, T>(read: () => Promise<R>, write: (tx: Tx, data: R) => Promise<T>): Promise<T> {
    if (this.deps.driver === 'postgres') {
      return this.deps.db.transaction().execute(async (tx) => {
        await lockMatching(tx);
        return write(tx, await read());
      });
    }
    const data = await read();
    return this.deps.db.transaction().execute((tx) => write(tx, data));
  }

  /**
   * The reverse direction: one advisory against every stored inventory. Records the inventory findings of every
   * inventory whose owner may read the advisory now, resolves those it no longer affects (or whose owner may no
   * longer read it, or all of them when it was withdrawn), and tells each affected organisation what changed.
   * Idempotent: a second run finds nothing to change. Drafts are never matched.
   */
  async matchAdvisory(advisoryId: string): Promise<MatchRun | null> {
    return this.#serialised(
      async () => {
        const adv = await advisoryForMatching(this.deps.db, advisoryId);
        if (!adv || (adv.state !== 'published' && adv.state !== 'withdrawn')) return null;
        const record = JSON.parse(adv.record) as OsvRecord;
        const facts: AdvisoryFacts = { severity: severityOf(adv.rating), kev: (await kevListed(this.deps.db, new Map([[adv.seq, cvesOf({ id: adv.id, record })]]))).has(adv.seq), fixReference: fixReferenceOf(record) };
        const components = adv.state === 'published' && !record.withdrawn ? await this.#affectedBy(adv, record) : [];
        return { adv, facts, components };
      },
      async (tx, data) => {
        if (!data) return null;
        const { adv, facts, components } = data;
        const at = this.deps.clock.now().toISOString();
        const now = new Date(at);
        const stored = await storedFindingsOfAdvisory(tx, adv.seq);
        const owners = await organisationReaders(tx, [...new Set([...components.map((c) => c.organisationId), ...stored.map((s) => s.organisationId)])]);
        const reads = (org: string) => {
          const o = owners.get(org);
          return o !== undefined && mayReceive(o, adv.label, now);
        };
        const found = factsByKey(
          components.filter((c) => reads(c.organisationId)),
          () => facts,
        );
        const status = adv.state === 'withdrawn' ? 'withdrawn' : 'current';
        const changes = await this.#plan(tx, stored, found, (row) => (status === 'withdrawn' ? 'withdrawn' : reads(row.organisationId) ? 'current' : 'unreadable'));
        const applied = await applyFindingChanges(tx, changes, at, 'advisory');
        return { ...applied, notified: 0 };
      },
    );
  }

  /** The advisory's affected components in every inventory, page by page, as the server's own reverse query. */
  async #affectedBy(adv: MatchingAdvisory, record: OsvRecord): Promise<AffectedComponentFact[]> {
    const system = systemPrincipal('system');
    const out: { organisationId: string; inventoryId: string; purl: string; ecosystem: string; name: string; version: string; fixed: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.peers().affected.affectedBy(system, record, { limit: REMEDIATION_LIMITS.reversePage, ...(cursor ? { cursor } : {}) });
      for (const a of page.affected) out.push({ organisationId: a.organisationId, inventoryId: a.inventoryId, purl: a.component.purl, ecosystem: a.component.ecosystem, name: a.component.name, version: a.component.version, fixed: a.fixed });
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const inventories = await inventoriesByIds(this.deps.db, [...new Set(out.map((a) => a.inventoryId))]);
    const releases = new Map<string, string>();
    const releaseOf = (purl: string): string => {
      let r = releases.get(purl);
      if (r === undefined) {
        try {
          r = componentFromPurl(purl).release ?? '';
        } catch {
          r = '';
        }
        releases.set(purl, r);
      }
      return r;
    };
    const facts: AffectedComponentFact[] = [];
    for (const a of out) {
      const inv = inventories.get(a.inventoryId);
      if (!inv) continue; // deleted since: its rows went with it
      facts.push({ inventorySeq: inv.seq, advisorySeq: adv.seq, ecosystem: a.ecosystem, releaseKey: releaseOf(a.purl), name: a.name, organisationId: inv.ownerOrgId, purl: a.purl, version: a.version, fixed: a.fixed });
    }
    return facts;
  }

  /** The delta, with the reason each open row the match did not find closes (which needs what the inventory holds now). */
  async #plan(tx: Tx, stored: StoredFinding[], found: Map<string, FindingFacts>, advisoryStatus: (row: StoredFinding) => 'withdrawn' | 'unreadable' | 'current') {
    const unmatched = unmatchedOpen(stored, found);
    const held = unmatched.length ? await heldVersions(tx, unmatched.filter((r) => advisoryStatus(r) === 'current')) : new Map<string, string[]>();
    return planFindings(stored, found, (row) => resolutionFor(row, advisoryStatus(row), held.get(packageKey(row)) ?? null));
  }

  /**
   * The forward direction: one inventory's components against every published advisory its owner may read, through
   * the matching engine (AdvisoryIndex, as `clearinghouse scan`). The index holds only the advisories naming a package
   * of the inventory's ecosystems (all of them when it holds GIT components) plus those its rows already name; the
   * components are read and matched page by page, so memory grows with the advisories and the affected rows, never
   * with the size of the SBOM.
   */
  async matchInventory(inventoryId: string): Promise<MatchRun | null> {
    return this.#serialised(
      async () => {
        const inv = (await inventoriesByIds(this.deps.db, [inventoryId])).get(inventoryId);
        if (!inv) return null;
        const owner = (await organisationReaders(this.deps.db, [inv.ownerOrgId])).get(inv.ownerOrgId);
        if (!owner) return null;
        return { inv, owner, ...(await this.#forwardScan(inv.seq, owner)) };
      },
      async (tx, data) => {
        if (!data) return null;
        const { inv, components, scanned } = data;
        const at = this.deps.clock.now().toISOString();
        const stored = await storedFindingsOfInventory(tx, inv.seq);
        const found = factsByKey(components, (seq) => scanned.get(seq)!.facts);
        const changes = await this.#plan(tx, stored, found, (row) => scanned.get(row.advisorySeq)?.status ?? 'unreadable');
        const applied = await applyFindingChanges(tx, changes, at, 'sbom');
        return { ...applied, notified: 0 };
      },
    );
  }

  async #forwardScan(inventorySeq: number, owner: RecipientOrganisation) {
    const now = this.deps.clock.now();
    const ecosystems = await inventoryEcosystems(this.deps.db, inventorySeq);
    const index = new AdvisoryIndex();
    /** Every advisory the scan judged, by seq: its facts and what the owner's rows should make of it. */
    const scanned = new Map<number, { facts: AdvisoryFacts; status: 'withdrawn' | 'unreadable' | 'current' }>();
    const seqOfId = new Map<string, number>();
    const cves = new Map<number, string[]>();
    const add = (a: MatchingAdvisory) => {
      if (scanned.has(a.seq)) return;
      const record = JSON.parse(a.record) as Record<string, unknown>;
      const status = a.state === 'withdrawn' || record.withdrawn ? 'withdrawn' : mayReceive(owner, a.label, now) ? 'current' : 'unreadable';
      scanned.set(a.seq, { facts: { severity: severityOf(a.rating), kev: false, fixReference: status === 'current' ? fixReferenceOf(record as never) : null }, status });
      if (status !== 'current') return;
      try {
        const { record: parsed } = parseOsvRecord(record, a.id);
        index.add(parsed);
        seqOfId.set(a.id, a.seq);
        cves.set(a.seq, cvesOf({ id: a.id, record: parsed }));
      } catch {
        // A record the parser refuses cannot match; the advisory's own job reports nothing either.
      }
    };
    // GIT ranges are not listed by package, so an inventory holding commits is matched against every advisory.
    const all = ecosystems.includes('GIT');
    let after = 0;
    for (;;) {
      const page = await publishedAdvisoriesForEcosystems(this.deps.db, all ? null : ecosystems, after, REMEDIATION_LIMITS.advisoryPage);
      for (const a of page) add(a);
      if (page.length < REMEDIATION_LIMITS.advisoryPage) break;
      after = page[page.length - 1]!.seq;
    }
    // Advisories the inventory's rows name but the scan did not reach (withdrawn since, relabelled): judged too.
    const named = [...new Set((await storedFindingsOfInventory(this.deps.db, inventorySeq)).map((r) => r.advisorySeq))].filter((s) => !scanned.has(s));
    for (const a of (await advisoriesBySeq(this.deps.db, named)).values()) add(a);

    const components: AffectedComponentFact[] = [];
    let afterId = 0;
    for (;;) {
      const page = await componentPage(this.deps.db, inventorySeq, afterId, REMEDIATION_LIMITS.forwardPage);
      for (const c of page) {
        const q: MatchQuery = { ecosystem: c.ecosystem, release: c.release, names: c.source_name ? [c.name, c.source_name] : [c.name], version: c.version };
        if (c.ecosystem === 'GIT') {
          let commit: string | undefined;
          try {
            commit = componentFromPurl(c.purl).commit;
          } catch {
            commit = undefined;
          }
          Object.assign(q, { names: [], repo: c.name, ...(commit ? { commit } : {}) });
        }
        for (const m of index.match(q).matches) {
          const seq = seqOfId.get(m.advisory.id);
          if (seq === undefined) continue;
          components.push({ inventorySeq, advisorySeq: seq, ecosystem: c.ecosystem, releaseKey: c.release ?? '', name: c.name, organisationId: owner.id, purl: c.purl, version: c.version, fixed: m.fixed });
        }
      }
      if (page.length < REMEDIATION_LIMITS.forwardPage) break;
      afterId = page[page.length - 1]!.id;
      // A large SBOM must not hold the event loop for the whole scan.
      await new Promise<void>((r) => setImmediate(r));
    }
    const matchedSeqs = new Set(components.map((c) => c.advisorySeq));
    const kev = await kevListed(this.deps.db, new Map([...cves].filter(([s]) => matchedSeqs.has(s))));
    for (const s of kev) scanned.get(s)!.facts.kev = true;
    return { components, scanned };
  }
}
