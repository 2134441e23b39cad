/**
 * The OSV.dev-compatible query API (`/v1/query`, `/v1/querybatch`, `/v1/vulns/{id}`) over the clearinghouse's
 * published and withdrawn advisories.
 *
 * Matching is the scan engine's: the same AdvisoryIndex the `clearinghouse scan` command builds, fed the same parsed
 * records (parseOsvRecord), queried with the same MatchQuery (componentFromPurl for purls). There is no second
 * matcher here; this file only keeps the index fresh, translates osv.dev's request shapes and filters by label.
 *
 * Freshness. The index cannot remove a record, so it is kept as two parts:
 * - a base part built from every distributable advisory, rebuilt in the background (in chunks, yielding to the
 *   event loop) when the delta grows past DELTA_MAX;
 * - a delta part holding only the advisories changed since the base was built, rebuilt synchronously on the next
 *   query after a change (at most DELTA_MAX records: well under a millisecond per record).
 * A base match whose advisory is in the delta is dropped; the delta answers for it (or nothing, when it was
 * withdrawn or went back out of distribution). Each advisory lives wholly in one part, so the merge per advisory id
 * that AdvisoryIndex.match does is unaffected: answers equal one index over the same records.
 * Change events (deps.events; LISTEN/NOTIFY across instances on PostgreSQL) carry ids only, so each change re-reads
 * that advisory as the system principal; labels are then applied per request with canRead, as the SQL rule does.
 */
import type { AdvisoryService, AdvisoryView } from './advisory.service.ts';
import type { ServiceDeps } from './context.ts';
import { systemPrincipal } from './principal.ts';
import { AdvisoryIndex, isCommitHash, type MatchQuery } from '../domain/matching/advisory-index.ts';
import { canonicalName, normaliseRepoUrl, parseEcosystem } from '../domain/matching/ecosystem.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';
import { parsePurl } from '../domain/purl/purl.ts';
import { canRead, readerFacts, type AccessLabel, type Principal, type ReaderFacts } from '../domain/policy/access-label.ts';
import { DomainError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { parseOsvRecord, type OsvRecord } from '../formats/osv.ts';
import type { ChangeEvent } from '../store/event-bus.ts';

/** osv.dev's limits (gcp/api/server.py: _MAX_BATCH_QUERY, _MAX_VULN_RESP_THRESH, _MAX_VULN_LISTED_*). */
export const OSV_API_LIMITS = {
  maxBatchQueries: 1000,
  /** Vulnerabilities per page of one query while the batch total is at most `batchThreshold`. */
  pageSize: 1000,
  /** Once a batch has returned more than this many vulnerabilities in total, later queries page after `pageSizeAfter`. */
  batchThreshold: 3000,
  pageSizeAfter: 5,
  maxName: 1000,
  maxEcosystem: 200,
  maxPurl: 2000,
  maxVersion: 500,
  maxCommit: 100,
  maxPageToken: 1000,
  /** A batch of 1,000 purl queries with their page tokens fits well inside this. */
  bodyBytes: 4 * 1024 * 1024,
} as const;

/** Changed advisories kept beside the base index before it is rebuilt. */
const DELTA_MAX = 256;
/** Records added to an index between yields while (re)building in the background. */
const BUILD_CHUNK = 500;
/** Queries of a batch matched between yields: a 1,000-query batch must not hold the event loop. */
const MATCH_CHUNK = 50;
const LOAD_PAGE = 1000;

const TOPICS = new Set(['advisory.publish', 'advisory.revise', 'advisory.withdraw', 'advisory.import', 'advisory.update', 'advisory.create']);

export interface OsvQuery {
  commit?: string;
  version?: string;
  package?: { name?: string; ecosystem?: string; purl?: string };
  page_token?: string;
}

export interface OsvVulnRef {
  id: string;
  modified: string;
}

/** An OSV record as served: id and modified always set (the server sets them). */
export type OsvRecordOut = OsvVulnRef & Record<string, unknown>;

/** osv.dev omits empty fields (proto3 JSON): no `vulns` when nothing matched, no token on the last page. */
export interface OsvQueryResult<V> {
  vulns?: V[];
  next_page_token?: string;
}

interface Entry {
  id: string;
  label: AccessLabel;
  record: OsvRecordOut;
  modified: string;
  withdrawn: boolean;
  parsed: OsvRecord;
}

/** One index with the lookups osv.dev queries need beyond a versioned package: by commit, and versionless. */
class IndexPart {
  readonly index = new AdvisoryIndex();
  /** commit (lower case) -> repositories whose GIT ranges name it. */
  readonly commits = new Map<string, Set<string>>();
  /** base ecosystem NUL canonical name -> advisory ids affecting some version of it. */
  readonly packages = new Map<string, Set<string>>();
  readonly ids = new Set<string>();

  add(e: Entry): void {
    this.ids.add(e.id);
    this.index.add(e.parsed);
    if (e.withdrawn) return;
    for (const a of e.parsed.affected) {
      if (a.package) {
        const base = parseEcosystem(a.package.ecosystem).base;
        const key = `${base}\u0000${canonicalName(base, a.package.name)}`;
        let s = this.packages.get(key);
        if (!s) this.packages.set(key, (s = new Set()));
        s.add(e.id);
      }
      for (const r of a.ranges) {
        if (r.type !== 'GIT' || !r.repo) continue;
        const repo = normaliseRepoUrl(r.repo);
        for (const ev of r.events) {
          // What gitRangeIncludes can answer yes for; `fixed` and `limit` commits are never affected.
          const c = ev.introduced !== undefined && ev.introduced !== '0' ? ev.introduced : ev.last_affected;
          if (c === undefined) continue;
          const k = c.toLowerCase();
          let s = this.commits.get(k);
          if (!s) this.commits.set(k, (s = new Set()));
          s.add(repo);
        }
      }
    }
  }

  /** Sorted id lists per package, made on first use: a part never changes once built, and popular packages are asked often. */
  readonly #sorted = new Map<string, string[]>();

  /** Advisory ids affecting the query, per the scan engine. Versionless answers come sorted by id (code point). */
  match(q: ResolvedQuery): string[] {
    if (q.kind === 'versionless') {
      const key = `${q.ecosystem}\u0000${q.name}`;
      let sorted = this.#sorted.get(key);
      if (!sorted) this.#sorted.set(key, (sorted = [...(this.packages.get(key) ?? [])].sort(byCodePoint)));
      return sorted;
    }
    if (q.kind === 'commit') {
      const out: string[] = [];
      for (const repo of this.commits.get(q.commit) ?? []) {
        for (const m of this.index.match({ ecosystem: 'GIT', release: null, names: [], version: q.commit, commit: q.commit, repo }).matches) out.push(m.advisory.id);
      }
      return out;
    }
    return this.index.match(q.match).matches.map((m) => m.advisory.id);
  }
}

type ResolvedQuery =
  | { kind: 'match'; match: MatchQuery; after: string | null }
  | { kind: 'commit'; commit: string; after: string | null }
  | { kind: 'versionless'; ecosystem: string; name: string; after: string | null };

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const tick = () => new Promise<void>((r) => setImmediate(r));

function pageToken(lastId: string): string {
  return Buffer.from(`v1:${lastId}`, 'utf8').toString('base64url');
}

function readPageToken(token: string | undefined, where: string): string | null {
  if (token === undefined || token === '') return null;
  const raw = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!raw.startsWith('v1:') || raw.length < 4) throw new InvalidInputError(`Invalid page token${where}.`, { field: 'page_token' });
  return raw.slice(3);
}

function str(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidInputError(`${field} must be a string`, { field });
  if (v.length > max) throw new InvalidInputError(`${field} is at most ${max} characters`, { field });
  return v;
}

/** Translates one osv.dev query into what the index answers, with osv.dev's error wording. */
export function resolveQuery(input: unknown, where = ''): ResolvedQuery {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInputError(`Invalid query${where}.`);
  const q = input as Record<string, unknown>;
  const commit = str(q.commit, 'commit', OSV_API_LIMITS.maxCommit) || undefined;
  const version = str(q.version, 'version', OSV_API_LIMITS.maxVersion) || undefined;
  const after = readPageToken(str(q.page_token, 'page_token', OSV_API_LIMITS.maxPageToken), where === '' ? '' : ` at index: ${where.slice(' at index '.length)}`);
  const pkgIn = q.package;
  if (pkgIn !== undefined && pkgIn !== null && (typeof pkgIn !== 'object' || Array.isArray(pkgIn))) throw new InvalidInputError(`Invalid query${where}.`, { field: 'package' });
  const pkg = (pkgIn ?? {}) as Record<string, unknown>;
  const name = str(pkg.name, 'package.name', OSV_API_LIMITS.maxName) || undefined;
  const ecosystem = str(pkg.ecosystem, 'package.ecosystem', OSV_API_LIMITS.maxEcosystem) || undefined;
  const purl = str(pkg.purl, 'package.purl', OSV_API_LIMITS.maxPurl) || undefined;

  if (commit !== undefined) {
    // osv.dev's query is a oneof: a commit or a version.
    if (version !== undefined) throw new InvalidInputError(`Invalid query${where}.`, { field: 'commit' });
    if (!isCommitHash(commit)) throw new InvalidInputError(`Invalid commit hash${where}: a full 40-character hexadecimal commit is needed.`, { field: 'commit' });
    return { kind: 'commit', commit: commit.toLowerCase(), after };
  }
  if (purl !== undefined) {
    if (name !== undefined) throw new InvalidInputError('name specified in a PURL query', { field: 'package.name' });
    if (ecosystem !== undefined) throw new InvalidInputError('ecosystem specified in a PURL query', { field: 'package.ecosystem' });
    let p;
    try {
      p = parsePurl(purl);
    } catch (err) {
      throw new InvalidInputError(`Invalid Package URL: ${(err as Error).message}`, { field: 'package.purl' });
    }
    if (p.version && version !== undefined) throw new InvalidInputError('version specified in params and PURL query', { field: 'version' });
    const v = p.version || version;
    try {
      if (v === undefined) {
        // Versionless: every advisory naming the package. componentFromPurl needs a version to name it; any will do.
        const c = componentFromPurl({ ...p, version: '0' });
        return { kind: 'versionless', ecosystem: c.ecosystem, name: c.names[0] ?? c.name, after };
      }
      return { kind: 'match', match: componentFromPurl({ ...p, version: v }), after };
    } catch (err) {
      if (err instanceof DomainError) throw new InvalidInputError(`Invalid Package URL: ${err.message}`, { field: 'package.purl' });
      throw err;
    }
  }
  if (name === undefined || ecosystem === undefined) {
    throw new InvalidInputError(name === undefined && ecosystem === undefined ? `Invalid query${where}.` : `package.name and package.ecosystem are both required${where}.`, { field: 'package' });
  }
  const eco = parseEcosystem(ecosystem);
  const canonical = canonicalName(eco.base, name);
  if (version === undefined) return { kind: 'versionless', ecosystem: eco.base, name: canonical, after };
  const match: MatchQuery = { ecosystem: eco.base, release: eco.release, names: [canonical], version };
  if (eco.releaseProblem !== undefined) match.releaseProblem = eco.releaseProblem;
  return { kind: 'match', match, after };
}

export class OsvApiService {
  readonly #entries = new Map<string, Entry>();
  #base = new IndexPart();
  /** id -> sequence number of its latest change since the base was built. */
  readonly #delta = new Map<string, number>();
  #deltaPart: IndexPart | null = null;
  #seq = 0;
  #rebuilding: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;
  #ready: Promise<void> | null = null;
  /** Changes are applied one at a time, in arrival order, so a late re-read cannot overwrite a newer one. */
  #chain: Promise<void> = Promise.resolve();
  #pendingDuringLoad: string[] | null = null;
  #closed = false;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly advisories: AdvisoryService,
  ) {}

  /** Subscribes to changes, then loads every distributable advisory (events arriving meanwhile are applied after). */
  start(): Promise<void> {
    if (this.#ready) return this.#ready;
    this.#unsubscribe ??= this.deps.events.subscribe((e) => this.#onEvent(e));
    // A failed load (database away at start) is retried by the next query rather than remembered.
    this.#ready = this.#loadAll().catch((err) => {
      this.#ready = null;
      this.#pendingDuringLoad = null;
      throw err;
    });
    return this.#ready;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#chain.catch(() => {});
    await this.#rebuilding?.catch(() => {});
  }

  /** Resolves once every change received so far has been applied (tests). */
  async settled(): Promise<void> {
    await this.#ready;
    await this.#chain;
    await this.#rebuilding;
  }

  #onEvent(e: ChangeEvent): void {
    if (e.recordType !== 'advisory' || this.#closed) return;
    if (e.topic === 'advisory.reindex') {
      this.#chain = this.#chain.then(() => this.#loadAll()).catch((err) => this.#log(err));
      return;
    }
    if (!TOPICS.has(e.topic)) return;
    if (this.#pendingDuringLoad) {
      this.#pendingDuringLoad.push(e.recordId);
      return;
    }
    this.#chain = this.#chain.then(() => this.#refresh(e.recordId)).catch((err) => this.#log(err));
  }

  #log(err: unknown): void {
    process.stderr.write(`osv-api: index refresh failed: ${(err as Error).message}\n`);
  }

  #entryOf(v: AdvisoryView): Entry | null {
    try {
      const { record: parsed } = parseOsvRecord(v.record, v.id);
      return {
        id: v.id,
        label: { owner: v.organisationId, tlp: v.label.tlp, embargoUntil: v.label.embargoUntil, restricted: v.label.restricted, sharedWith: v.label.sharedWith },
        record: v.record as unknown as OsvRecordOut,
        modified: String(v.record.modified),
        withdrawn: v.state === 'withdrawn' || Boolean(v.record.withdrawn),
        parsed,
      };
    } catch (err) {
      this.#log(err);
      return null;
    }
  }

  async #loadAll(): Promise<void> {
    this.#pendingDuringLoad ??= [];
    const sys = systemPrincipal('system');
    const loaded = new Map<string, Entry>();
    let after: string | undefined;
    for (;;) {
      const page = await this.advisories.distributable(sys, after === undefined ? { limit: LOAD_PAGE } : { after, limit: LOAD_PAGE });
      for (const v of page.items) {
        const e = this.#entryOf(v);
        if (e) loaded.set(e.id, e);
      }
      if (!page.nextCursor || this.#closed) break;
      after = page.nextCursor;
    }
    const part = new IndexPart();
    let n = 0;
    for (const e of loaded.values()) {
      part.add(e);
      if (++n % BUILD_CHUNK === 0) await tick();
    }
    this.#entries.clear();
    for (const [id, e] of loaded) this.#entries.set(id, e);
    this.#base = part;
    this.#delta.clear();
    this.#deltaPart = null;
    const pending = this.#pendingDuringLoad;
    this.#pendingDuringLoad = null;
    // Re-read what changed while the pages were read: a page may predate the change.
    for (const id of new Set(pending)) await this.#refresh(id);
  }

  async #refresh(id: string): Promise<void> {
    let view: AdvisoryView | null = null;
    try {
      view = await this.advisories.distributableOne(systemPrincipal('system'), id);
    } catch (err) {
      if (!(err instanceof NotFoundError) && !(err instanceof DomainError && err.code === 'not-found')) throw err;
    }
    const e = view ? this.#entryOf(view) : null;
    if (e) this.#entries.set(id, e);
    else this.#entries.delete(id);
    this.#delta.set(id, ++this.#seq);
    this.#deltaPart = null;
    if (this.#delta.size > DELTA_MAX && !this.#rebuilding) this.#rebuilding = this.#rebuildBase().finally(() => (this.#rebuilding = null));
  }

  /** Builds a new base from the records held, in chunks; changes made meanwhile stay in the delta. */
  async #rebuildBase(): Promise<void> {
    const upTo = this.#seq;
    const snapshot = [...this.#entries.values()];
    const part = new IndexPart();
    for (let i = 0; i < snapshot.length; i++) {
      part.add(snapshot[i]!);
      if ((i + 1) % BUILD_CHUNK === 0) await tick();
      if (this.#closed) return;
    }
    this.#base = part;
    for (const [id, seq] of this.#delta) if (seq <= upTo) this.#delta.delete(id);
    this.#deltaPart = null;
  }

  #currentDelta(): IndexPart {
    if (this.#deltaPart) return this.#deltaPart;
    const part = new IndexPart();
    for (const id of this.#delta.keys()) {
      const e = this.#entries.get(id);
      if (e) part.add(e);
    }
    return (this.#deltaPart = part);
  }

  /** Readable matching advisories for one resolved query, sorted by id. */
  #matchIds(q: ResolvedQuery, facts: ReaderFacts, now: Date): Entry[] {
    if (this.#delta.size === 0 && q.kind === 'versionless') {
      // The common case (no change since the base was built): the base's list is already sorted and complete.
      const out: Entry[] = [];
      for (const id of this.#base.match(q)) {
        const e = this.#entries.get(id);
        if (e && !e.withdrawn && canRead(facts, e.label, now)) out.push(e);
      }
      return out;
    }
    const delta = this.#currentDelta();
    const ids = new Set<string>();
    for (const id of this.#base.match(q)) if (!this.#delta.has(id)) ids.add(id);
    for (const id of delta.match(q)) ids.add(id);
    const out: Entry[] = [];
    for (const id of ids) {
      const e = this.#entries.get(id);
      if (e && !e.withdrawn && canRead(facts, e.label, now)) out.push(e);
    }
    return out.sort((a, b) => byCodePoint(a.id, b.id));
  }

  #page(all: Entry[], after: string | null, limit: number): { items: Entry[]; next?: string } {
    const start = after === null ? 0 : all.findIndex((e) => e.id > after);
    const rest = start < 0 ? [] : all.slice(start);
    if (rest.length <= limit) return { items: rest };
    const items = rest.slice(0, limit);
    return { items, next: pageToken(items[items.length - 1]!.id) };
  }

  async query(actor: Principal, input: unknown): Promise<OsvQueryResult<OsvRecordOut>> {
    const q = resolveQuery(input);
    await this.start();
    const all = this.#matchIds(q, readerFacts(actor), this.deps.clock.now());
    const { items, next } = this.#page(all, q.after, OSV_API_LIMITS.pageSize);
    const out: OsvQueryResult<OsvRecordOut> = {};
    if (items.length > 0) out.vulns = items.map((e) => e.record);
    if (next !== undefined) out.next_page_token = next;
    return out;
  }

  async queryBatch(actor: Principal, queries: unknown): Promise<{ results: OsvQueryResult<OsvVulnRef>[] }> {
    if (!Array.isArray(queries)) throw new InvalidInputError('Invalid query.', { field: 'queries' });
    if (queries.length > OSV_API_LIMITS.maxBatchQueries) throw new InvalidInputError('Too many queries.', { field: 'queries' });
    // Every query is checked before any is answered: osv.dev fails the whole batch on one bad query.
    const resolved = queries.map((q, i) => resolveQuery(q, ` at index ${i}`));
    await this.start();
    const facts = readerFacts(actor);
    const now = this.deps.clock.now();
    const results: OsvQueryResult<OsvVulnRef>[] = [];
    let total = 0;
    for (let i = 0; i < resolved.length; i++) {
      if (i > 0 && i % MATCH_CHUNK === 0) await tick();
      const q = resolved[i]!;
      const limit = total > OSV_API_LIMITS.batchThreshold ? OSV_API_LIMITS.pageSizeAfter : OSV_API_LIMITS.pageSize;
      const { items, next } = this.#page(this.#matchIds(q, facts, now), q.after, limit);
      total += items.length;
      const r: OsvQueryResult<OsvVulnRef> = {};
      if (items.length > 0) r.vulns = items.map((e) => ({ id: e.id, modified: e.modified }));
      if (next !== undefined) r.next_page_token = next;
      results.push(r);
    }
    return { results };
  }

  /** One advisory as its OSV record, withdrawn ones included; drafts and unreadable ones are not found. */
  async vuln(actor: Principal, id: string): Promise<OsvRecordOut> {
    try {
      const v = await this.advisories.distributableOne(actor, id);
      return v.record as unknown as OsvRecordOut;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not-found') throw new DomainError('not-found', 'Bug not found.');
      throw err;
    }
  }

  /** What the index holds (tests, diagnostics). */
  get stats(): { advisories: number; delta: number } {
    return { advisories: this.#entries.size, delta: this.#delta.size };
  }
}
