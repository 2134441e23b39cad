import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.ts';
import { formatAdvisoryId, isAuthoredId } from '../domain/advisory/advisory-id.ts';
import { diffRecords, type FieldChange } from '../domain/advisory/record-diff.ts';
import { highestRating, scoreSeverities, type ScoredSeverity } from '../domain/cvss/cvss.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import type { AccessLabel, Principal, Tlp } from '../domain/policy/access-label.ts';
import { TLP_LEVELS } from '../domain/policy/access-label.ts';
import { advisoryScope, type AdvisoryRecord } from '../domain/policy/advisory.policy.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import { isSafeId, isRfc3339, validateOsvRecord, type OsvRecordJson } from '../formats/osv-schema.ts';
import {
  advisoryIdTaken,
  findAdvisory,
  findAdvisoryHeads,
  findRevision,
  insertAdvisory,
  insertAdvisoriesMany,
  insertRevision,
  listAdvisories,
  listRevisions,
  nextAdvisoryNumber,
  updateAdvisoryVersioned,
  type AdvisoryPackage,
  type AdvisoryRow,
  type NewAdvisoryRow,
} from '../store/advisory.repository.ts';
import type { AuditInput } from '../store/audit.repository.ts';
import type { Tx } from '../store/db.ts';
import type { ChangeEvent } from '../store/event-bus.ts';
import { existingOrganisationIds, findOrganisationIdByName, insertOrganisation } from '../store/organisation.repository.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { buildLabel, checkVersion, type LabelInput } from './organisation.service.ts';
import { decodeCursor, pageLimit, toPage, type Page } from './pagination.ts';
import { enqueueAdvisoriesMatch, enqueueAdvisoryMatch } from './remediation-jobs.ts';

export type AdvisoryState = 'draft' | 'published' | 'withdrawn';
export const ADVISORY_STATES: readonly AdvisoryState[] = ['draft', 'published', 'withdrawn'];
export const RATINGS = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type Rating = (typeof RATINGS)[number];

/** The organisation that owns the mirrored public advisory data (`advisories import`). */
export const PUBLIC_SOURCES_ORGANISATION = 'Public sources';

export const ADVISORY_LIMITS = {
  /** Organisations one advisory may be shared with. */
  sharedWith: 100,
  /** Records validated and written per import transaction. */
  importBatch: 500,
  /** Import events beyond this many changed records in one batch collapse into one reindex event. */
  importEventsPerBatch: 100,
  search: 200,
} as const;

export interface AdvisoryLabelView {
  tlp: Tlp;
  embargoUntil: string | null;
  sharedWith: string[];
  restricted: string | null;
}

export interface AdvisoryView {
  id: string;
  state: AdvisoryState;
  source: 'authored' | 'imported';
  organisationId: string;
  organisationName: string;
  label: AdvisoryLabelView;
  version: number;
  revision: number;
  record: OsvRecordJson;
  severity: ScoredSeverity[];
  rating: Rating | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  withdrawnAt: string | null;
}

export interface AdvisoryLabelInput extends LabelInput {
  sharedWith?: string[];
}

export interface CreateAdvisoryInput {
  record: unknown;
  label?: AdvisoryLabelInput;
  organisationId?: string;
}

export interface UpdateAdvisoryInput {
  record: unknown;
  label?: AdvisoryLabelInput;
}

export interface AdvisoryListQuery {
  q?: string | undefined;
  ecosystem?: string | undefined;
  state?: string | undefined;
  severity?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface RevisionSummary {
  revision: number;
  modified: string;
  createdAt: string;
  summary: string | null;
}

export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  rejected: { path: string; reason: string }[];
}

export interface ImportItem {
  path: string;
  json: unknown;
}

function labelOf(row: AdvisoryRow): AccessLabel {
  return { owner: row.owner_org_id, tlp: row.tlp as Tlp, embargoUntil: row.embargo_until, restricted: row.restricted_role, sharedWith: row.shared_with };
}

function policyRecord(row: AdvisoryRow): AdvisoryRecord {
  return { label: labelOf(row), state: row.state as AdvisoryState };
}

/** What leaves the service for an advisory; every field is chosen here. */
export function presentAdvisory(row: AdvisoryRow): AdvisoryView {
  const record = JSON.parse(row.record) as OsvRecordJson;
  const { scored } = scoreSeverities(record);
  return {
    id: row.id,
    state: row.state as AdvisoryState,
    source: row.source as 'authored' | 'imported',
    organisationId: row.owner_org_id,
    organisationName: row.organisation_name,
    label: { tlp: row.tlp as Tlp, embargoUntil: row.embargo_until, sharedWith: row.shared_with, restricted: row.restricted_role },
    version: row.version,
    revision: row.revision,
    record,
    severity: scored.map(({ path: _path, ...s }) => s),
    rating: (row.rating as Rating | null) ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    withdrawnAt: row.withdrawn_at,
  };
}

/** Package names (for the ecosystem filter and search) of a record's `affected` list. */
function packagesOf(record: OsvRecordJson): AdvisoryPackage[] {
  const out: AdvisoryPackage[] = [];
  for (const a of (record.affected ?? []) as { package?: { ecosystem?: unknown; name?: unknown } }[]) {
    const p = a?.package;
    if (p && typeof p.ecosystem === 'string' && typeof p.name === 'string') out.push({ ecosystem: p.ecosystem, name: p.name });
  }
  return out;
}

function searchText(record: OsvRecordJson, packages: AdvisoryPackage[]): string {
  const parts = [record.id, ...(record.aliases ?? []), ...packages.map((p) => `${p.ecosystem}/${p.name}`), record.summary ?? '', (record.details ?? '').slice(0, 4000)];
  return parts.join('\n').toLowerCase();
}

function ratingOf(record: OsvRecordJson): Rating | null {
  return highestRating(scoreSeverities(record).scored) ?? null;
}

/** The record as it will be stored, with the problems of its schema reported by JSON path. */
function checkRecord(json: unknown, ownPrefixes: string[]): OsvRecordJson {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidInputError('record must be a JSON object (one OSV record)', { field: 'record', errors: [{ path: '', message: 'must be a JSON object' }] });
  }
  const result = validateOsvRecord(json, { ownIdPrefixes: ownPrefixes });
  if (!result.ok) {
    const first = result.errors[0]!;
    throw new InvalidInputError(`the record does not follow the OSV schema: ${first.path || '(record)'} ${first.message}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : ''}`, {
      field: 'record',
      errors: result.errors,
    });
  }
  return result.record;
}

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);

/** Runs a write in a transaction: a new one (writeTx), or the caller's. */
type InTx = <T>(fn: (tx: Tx, audit: (e: AuditInput) => Promise<void>, at: string) => Promise<T>) => Promise<T>;

export class AdvisoryService {
  readonly #prefix: string;

  constructor(
    private readonly deps: ServiceDeps,
    opts: { prefix: string },
  ) {
    this.#prefix = opts.prefix;
  }

  get prefix(): string {
    return this.#prefix;
  }

  #now(): Date {
    return this.deps.clock.now();
  }

  async #find(actor: Principal, id: string): Promise<AdvisoryRow> {
    if (!isSafeId(id)) throw new NotFoundError('advisory');
    const row = await findAdvisory(this.deps.db, id);
    if (!row) throw new NotFoundError('advisory');
    authorize(actor, 'advisory.read', policyRecord(row), this.#now());
    return row;
  }

  async #label(tx: Tx, owner: string, input: AdvisoryLabelInput | undefined, base?: AccessLabel): Promise<AccessLabel> {
    const label = buildLabel(owner, input, base, 'AMBER');
    const wanted = input?.sharedWith === undefined ? [...(base?.sharedWith ?? [])] : [...new Set(input.sharedWith)].filter((o) => o !== owner).sort();
    if (wanted.length > ADVISORY_LIMITS.sharedWith) throw new InvalidInputError(`an advisory can be shared with at most ${ADVISORY_LIMITS.sharedWith} organisations`, { field: 'label.sharedWith' });
    if (wanted.length) {
      const known = await existingOrganisationIds(tx, wanted);
      const unknown = wanted.filter((o) => !known.has(o));
      if (unknown.length) throw new InvalidInputError(`label.sharedWith names organisations that do not exist: ${unknown.join(', ')}`, { field: 'label.sharedWith' });
    }
    return { ...label, sharedWith: wanted };
  }

  #rowParts(record: OsvRecordJson) {
    const packages = packagesOf(record);
    return { packages, search: searchText(record, packages), rating: ratingOf(record), summary: record.summary ?? null };
  }

  #owner(actor: Principal, organisationId: string | undefined): string {
    if (organisationId !== undefined) return organisationId;
    const orgs = [...actor.memberships.keys()];
    if (orgs.length === 1) return orgs[0]!;
    throw new InvalidInputError(orgs.length ? 'organisationId is required: you are a member of several organisations' : 'organisationId is required', { field: 'organisationId' });
  }

  async create(actor: Principal, input: CreateAdvisoryInput): Promise<AdvisoryView> {
    return this.#create(actor, input, (fn) => writeTx(this.deps, actor, fn));
  }

  /** `create` inside the caller's transaction: a case drafts its advisory and links it to itself in one (issue 9). */
  async createIn(tx: Tx, audit: (e: AuditInput) => Promise<void>, at: string, actor: Principal, input: CreateAdvisoryInput): Promise<AdvisoryView> {
    return this.#create(actor, input, (fn) => fn(tx, audit, at));
  }

  async #create(actor: Principal, input: CreateAdvisoryInput, run: InTx): Promise<AdvisoryView> {
    guardFor(actor, 'advisory.create');
    const now = this.#now();
    const owner = this.#owner(actor, input.organisationId);
    authorize(actor, 'advisory.create', { owner }, now);
    const year = now.getUTCFullYear();
    // Validate with a stand-in id when the server is to assign one, so that a bad record uses no number.
    const given = input.record !== null && typeof input.record === 'object' && !Array.isArray(input.record) && 'id' in input.record;
    const draft = { ...(input.record as object), ...(given ? {} : { id: formatAdvisoryId(this.#prefix, year, 1) }), modified: now.toISOString() } as Record<string, unknown>;
    delete draft.published;
    delete draft.withdrawn;
    if (given && isAuthoredId(this.#prefix, String((input.record as { id: unknown }).id))) {
      throw new InvalidInputError(`ids of the form ${this.#prefix}-<year>-<n> are assigned by the server: leave record.id out`, { field: 'record.id', errors: [{ path: '/id', message: 'assigned by the server' }] });
    }
    const record = checkRecord(input.record === null || typeof input.record !== 'object' || Array.isArray(input.record) ? input.record : draft, [this.#prefix]);
    return run(async (tx, audit, at) => {
      if ((await existingOrganisationIds(tx, [owner])).size === 0) throw new InvalidInputError('organisationId names no organisation', { field: 'organisationId' });
      const label = await this.#label(tx, owner, input.label);
      if (label.restricted) authorize(actor, 'label.apply', label, now);
      const id = given ? record.id : formatAdvisoryId(this.#prefix, year, await nextAdvisoryNumber(tx, `${this.#prefix}-${year}`));
      if (await advisoryIdTaken(tx, id)) throw new ConflictError(`an advisory with id ${id} already exists`, { field: 'record.id' });
      const stored: OsvRecordJson = { ...record, id, modified: at };
      const parts = this.#rowParts(stored);
      const row: NewAdvisoryRow = {
        id,
        owner_org_id: owner,
        tlp: label.tlp,
        embargo_until: label.embargoUntil,
        restricted_role: label.restricted,
        state: 'draft',
        source: 'authored',
        revision: 0,
        version: 1,
        record: canonicalJson(stored),
        modified: at,
        summary: parts.summary,
        search: parts.search,
        rating: parts.rating,
        published_at: null,
        withdrawn_at: null,
        created_at: at,
        updated_at: at,
      };
      await insertAdvisory(tx, row, label.sharedWith ?? [], parts.packages);
      await audit({ action: 'advisory.create', recordType: 'advisory', recordId: id, organisationId: owner, before: null, after: { ...row, sharedWith: label.sharedWith }, label });
      return presentAdvisory((await findAdvisory(tx, id))!);
    });
  }

  async get(actor: Principal, id: string): Promise<AdvisoryView> {
    return presentAdvisory(await this.#find(actor, id));
  }

  async list(actor: Principal, query: AdvisoryListQuery): Promise<Page<AdvisoryView>> {
    guardFor(actor, 'advisory.list');
    const limit = pageLimit(query.limit);
    if (query.state !== undefined && !(ADVISORY_STATES as readonly string[]).includes(query.state)) throw new InvalidInputError(`state must be one of ${ADVISORY_STATES.join(', ')}`, { parameter: 'state' });
    if (query.severity !== undefined && !(RATINGS as readonly string[]).includes(query.severity)) throw new InvalidInputError(`severity must be one of ${RATINGS.join(', ')}`, { parameter: 'severity' });
    if (query.q !== undefined && query.q.length > ADVISORY_LIMITS.search) throw new InvalidInputError(`q is at most ${ADVISORY_LIMITS.search} characters`, { parameter: 'q' });
    const after = decodeCursor(query.cursor, 2) as [string, number] | null;
    const rows = await listAdvisories(this.deps.db, advisoryScope(actor, this.#now()), { q: query.q || undefined, ecosystem: query.ecosystem || undefined, state: query.state, rating: query.severity }, after, limit + 1);
    return toPage(rows, limit, presentAdvisory, (r) => [r.modified, r.seq]);
  }

  /**
   * Published and withdrawn advisories the actor may read, newest `modified` first: what the distribution channels
   * (VEX, Atom, CSAF, the OSV API) serve. Drafts never leave through them.
   */
  async distributable(actor: Principal, opts: { after?: string | undefined; limit: number; authoredOnly?: boolean; tlp?: readonly Tlp[] }): Promise<Page<AdvisoryView>> {
    guardFor(actor, 'advisory.list');
    if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 5000) throw new InvalidInputError('limit must be from 1 to 5000', { parameter: 'limit' });
    if (opts.tlp?.some((t) => !(TLP_LEVELS as readonly string[]).includes(t))) throw new InvalidInputError('unknown TLP level', { parameter: 'tlp' });
    const after = decodeCursor(opts.after, 2) as [string, number] | null;
    const rows = await listAdvisories(
      this.deps.db,
      advisoryScope(actor, this.#now()),
      { distributable: true, authoredOnly: opts.authoredOnly ?? false, ...(opts.tlp ? { tlp: opts.tlp } : {}) },
      after,
      opts.limit + 1,
    );
    return toPage(rows, opts.limit, presentAdvisory, (r) => [r.modified, r.seq]);
  }

  async distributableOne(actor: Principal, id: string): Promise<AdvisoryView> {
    const row = await this.#find(actor, id);
    if (row.state === 'draft') throw new NotFoundError('advisory');
    return presentAdvisory(row);
  }

  /** Checks done before a write transaction: the caller may write, the version matches. */
  async #writable(actor: Principal, tx: Tx, id: string, ifMatch: number | undefined): Promise<AdvisoryRow> {
    if (!isSafeId(id)) throw new NotFoundError('advisory');
    const row = await findAdvisory(tx, id);
    if (!row) throw new NotFoundError('advisory');
    authorize(actor, 'advisory.write', policyRecord(row), this.#now());
    checkVersion(ifMatch, row.version);
    return row;
  }

  async update(actor: Principal, id: string, ifMatch: number | undefined, input: UpdateAdvisoryInput): Promise<AdvisoryView> {
    guardFor(actor, 'advisory.write');
    const now = this.#now();
    if (input.record !== null && typeof input.record === 'object' && !Array.isArray(input.record) && 'id' in input.record && (input.record as { id: unknown }).id !== id) {
      throw new InvalidInputError(`record.id must stay ${id}`, { field: 'record.id', errors: [{ path: '/id', message: `must be ${id}` }] });
    }
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const before = await this.#writable(actor, tx, id, ifMatch);
      if (before.state === 'withdrawn') throw new ConflictError('a withdrawn advisory cannot be changed');
      const current = JSON.parse(before.record) as OsvRecordJson;
      const incoming = input.record !== null && typeof input.record === 'object' && !Array.isArray(input.record)
        ? { ...(input.record as object), id, modified: at, ...(current.published ? { published: current.published } : {}) } as Record<string, unknown>
        : input.record;
      if (incoming && typeof incoming === 'object' && !current.published) delete (incoming as Record<string, unknown>).published;
      if (incoming && typeof incoming === 'object') delete (incoming as Record<string, unknown>).withdrawn;
      const record = checkRecord(incoming, [this.#prefix]);
      const label = await this.#label(tx, before.owner_org_id, input.label, labelOf(before));
      if (input.label?.restricted) authorize(actor, 'label.apply', label, now);
      const published = before.state === 'published';
      const revision = published ? before.revision + 1 : 0;
      const after = await this.#save(tx, before, record, label, { state: before.state as AdvisoryState, revision, at });
      if (published) {
        await insertRevision(tx, { advisorySeq: before.seq, revision, record: after.record, modified: at, summary: record.summary ?? null, createdAt: at });
        // Issue 10: what the revision affects, and who may read it, is matched again.
        await enqueueAdvisoryMatch(tx, id, at, label.embargoUntil);
      }
      await audit({ action: published ? 'advisory.revise' : 'advisory.update', recordType: 'advisory', recordId: id, organisationId: before.owner_org_id, before: { ...before, record: JSON.parse(before.record) }, after: { ...after, record }, label });
      return presentAdvisory((await findAdvisory(tx, id))!);
    });
  }

  async #save(
    tx: Tx,
    before: AdvisoryRow,
    record: OsvRecordJson,
    label: AccessLabel,
    s: { state: AdvisoryState; revision: number; at: string; publishedAt?: string | null; withdrawnAt?: string | null },
  ): Promise<NewAdvisoryRow> {
    const parts = this.#rowParts(record);
    const row = {
      owner_org_id: before.owner_org_id,
      tlp: label.tlp,
      embargo_until: label.embargoUntil,
      restricted_role: label.restricted,
      state: s.state,
      revision: s.revision,
      version: before.version + 1,
      record: canonicalJson(record),
      modified: record.modified,
      summary: parts.summary,
      search: parts.search,
      rating: parts.rating,
      published_at: s.publishedAt === undefined ? before.published_at : s.publishedAt,
      withdrawn_at: s.withdrawnAt === undefined ? before.withdrawn_at : s.withdrawnAt,
      updated_at: s.at,
    };
    const ok = await updateAdvisoryVersioned(tx, before.seq, row, before.version, { shares: label.sharedWith ?? [], packages: parts.packages });
    if (!ok) throw new ConflictError('the advisory changed while this request ran; read it again and retry');
    return { ...row, id: before.id, source: before.source, created_at: before.created_at };
  }

  async publish(actor: Principal, id: string, ifMatch: number | undefined): Promise<AdvisoryView> {
    guardFor(actor, 'advisory.write');
    return writeTx(this.deps, actor, (tx, audit, at) => this.publishIn(tx, audit, at, actor, id, ifMatch));
  }

  /** `publish` inside the caller's transaction: a case publishes its advisory and closes in one (issue 9). */
  async publishIn(tx: Tx, audit: (e: AuditInput) => Promise<void>, at: string, actor: Principal, id: string, ifMatch: number | undefined): Promise<AdvisoryView> {
    guardFor(actor, 'advisory.write');
    const before = await this.#writable(actor, tx, id, ifMatch);
    if (before.state !== 'draft') throw new ConflictError(`the advisory is already ${before.state}`);
    const label = labelOf(before);
    // The record's public date is the end of its embargo when that lies ahead (the label and the record agree).
    const published = label.embargoUntil && label.embargoUntil > at ? label.embargoUntil : at;
    const record: OsvRecordJson = { ...(JSON.parse(before.record) as OsvRecordJson), modified: at, published };
    const after = await this.#save(tx, before, record, label, { state: 'published', revision: 1, at, publishedAt: at });
    await insertRevision(tx, { advisorySeq: before.seq, revision: 1, record: after.record, modified: at, summary: record.summary ?? null, createdAt: at });
    await enqueueAdvisoryMatch(tx, id, at, label.embargoUntil);
    await audit({ action: 'advisory.publish', recordType: 'advisory', recordId: id, organisationId: before.owner_org_id, before: { state: before.state, version: before.version }, after: { state: 'published', revision: 1, record }, label });
    return presentAdvisory((await findAdvisory(tx, id))!);
  }

  async withdraw(actor: Principal, id: string, ifMatch: number | undefined, reason?: string): Promise<AdvisoryView> {
    guardFor(actor, 'advisory.write');
    if (reason !== undefined && reason.length > 2000) throw new InvalidInputError('reason is at most 2000 characters', { field: 'reason' });
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const before = await this.#writable(actor, tx, id, ifMatch);
      if (before.state !== 'published') throw new ConflictError(before.state === 'draft' ? 'a draft has not been published, so it cannot be withdrawn' : 'the advisory is already withdrawn');
      const label = labelOf(before);
      const current = JSON.parse(before.record) as OsvRecordJson;
      const record: OsvRecordJson = { ...current, modified: at, withdrawn: at };
      if (reason) record.database_specific = { ...(current.database_specific ?? {}), clearinghouse_withdrawn_reason: reason };
      const revision = before.revision + 1;
      const after = await this.#save(tx, before, record, label, { state: 'withdrawn', revision, at, withdrawnAt: at });
      await insertRevision(tx, { advisorySeq: before.seq, revision, record: after.record, modified: at, summary: record.summary ?? null, createdAt: at });
      await enqueueAdvisoryMatch(tx, id, at, null);
      await audit({ action: 'advisory.withdraw', recordType: 'advisory', recordId: id, organisationId: before.owner_org_id, before: { state: before.state, version: before.version }, after: { state: 'withdrawn', revision, reason: reason ?? null }, label });
      return presentAdvisory((await findAdvisory(tx, id))!);
    });
  }

  async revisions(actor: Principal, id: string): Promise<{ items: RevisionSummary[] }> {
    const row = await this.#find(actor, id);
    const rows = await listRevisions(this.deps.db, row.seq);
    return { items: rows.map((r) => ({ revision: r.revision, modified: r.modified, createdAt: r.created_at, summary: r.summary })) };
  }

  async revision(actor: Principal, id: string, n: number): Promise<{ revision: number; record: OsvRecordJson; modified: string; createdAt: string }> {
    const row = await this.#find(actor, id);
    const r = Number.isInteger(n) && n >= 1 ? await findRevision(this.deps.db, row.seq, n) : undefined;
    if (!r) throw new NotFoundError('revision');
    return { revision: r.revision, record: JSON.parse(r.record) as OsvRecordJson, modified: r.modified, createdAt: r.created_at };
  }

  async diff(actor: Principal, id: string, from: number, to: number): Promise<{ from: number; to: number; changes: FieldChange[] }> {
    const row = await this.#find(actor, id);
    const [a, b] = await Promise.all([findRevision(this.deps.db, row.seq, from), findRevision(this.deps.db, row.seq, to)]);
    if (!a || !b) throw new NotFoundError('revision');
    return { from, to, changes: diffRecords(JSON.parse(a.record), JSON.parse(b.record)) };
  }

  async #publicSources(actor: Principal): Promise<string> {
    const found = await findOrganisationIdByName(this.deps.db, PUBLIC_SOURCES_ORGANISATION);
    if (found) return found;
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const again = await findOrganisationIdByName(tx, PUBLIC_SOURCES_ORGANISATION);
      if (again) return again;
      const id = randomUUID();
      const row = { id, name: PUBLIC_SOURCES_ORGANISATION, kind: 'researcher', sectors: '[]', owner_org_id: id, tlp: 'CLEAR', embargo_until: null, restricted_role: null, version: 1, created_at: at, updated_at: at };
      await insertOrganisation(tx, row);
      await audit({ action: 'organisation.create', recordType: 'organisation', recordId: id, organisationId: id, before: null, after: row });
      return id;
    });
  }

  /**
   * Loads public OSV records as published TLP:CLEAR advisories of the "Public sources" organisation. Idempotent:
   * the same id and `modified` is unchanged, a newer `modified` a new revision, an upstream `withdrawn` withdraws.
   * Each bad record is reported by path and reason and the rest load; each batch is one transaction, so a failure
   * leaves no record half-written.
   */
  async importRecords(actor: Principal, items: AsyncIterable<ImportItem> | Iterable<ImportItem>, onProgress?: (done: number) => void): Promise<ImportSummary> {
    guardFor(actor, 'advisory.import');
    authorize(actor, 'advisory.import', null, this.#now());
    const owner = await this.#publicSources(actor);
    const summary: ImportSummary = { added: 0, updated: 0, unchanged: 0, rejected: [] };
    let batch: ImportItem[] = [];
    let done = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const b = batch;
      batch = [];
      await this.#importBatch(actor, owner, b, summary);
      done += b.length;
      onProgress?.(done);
    };
    for await (const item of items) {
      batch.push(item);
      if (batch.length >= ADVISORY_LIMITS.importBatch) await flush();
    }
    await flush();
    return summary;
  }

  async #importBatch(actor: Principal, owner: string, items: ImportItem[], summary: ImportSummary): Promise<void> {
    const valid: { path: string; record: OsvRecordJson }[] = [];
    for (const item of items) {
      if (item.json === null || typeof item.json !== 'object' || Array.isArray(item.json)) {
        summary.rejected.push({ path: item.path, reason: 'not an OSV record: expected a JSON object' });
        continue;
      }
      const r = validateOsvRecord(item.json);
      if (!r.ok) {
        summary.rejected.push({ path: item.path, reason: r.errors.slice(0, 3).map((e) => `${e.path || '(record)'} ${e.message}`).join('; ') });
        continue;
      }
      if (r.record.id.startsWith(`${this.#prefix}-`)) {
        summary.rejected.push({ path: item.path, reason: `${r.record.id}: ids starting with ${this.#prefix}- are authored on this platform and are not imported` });
        continue;
      }
      if (!isRfc3339(r.record.modified)) {
        summary.rejected.push({ path: item.path, reason: `/modified ${JSON.stringify(r.record.modified)} is not an RFC 3339 date-time` });
        continue;
      }
      valid.push({ path: item.path, record: r.record });
    }
    if (valid.length === 0) return;
    const label: AccessLabel = { owner, tlp: 'CLEAR', embargoUntil: null, restricted: null, sharedWith: [] };
    const counts = { added: 0, updated: 0, unchanged: 0 };
    const rejected: { path: string; reason: string }[] = [];
    await writeTx(
      this.deps,
      actor,
      async (tx, audit, at, auditMany) => {
        const heads = await findAdvisoryHeads(tx, valid.map((v) => v.record.id));
        const changedIds: string[] = [];
        const fresh = new Map<string, { row: NewAdvisoryRow; packages: AdvisoryPackage[]; revision: { record: string; modified: string; summary: string | null; createdAt: string }; record: OsvRecordJson }>();
        for (const { path, record } of valid) {
          const state: AdvisoryState = record.withdrawn ? 'withdrawn' : 'published';
          const parts = this.#rowParts(record);
          const pending = fresh.get(record.id);
          const head = heads.get(record.id);
          if (!head) {
            // New here; a second copy in the same batch (sources reuse ids across releases) keeps the newer one.
            if (pending) {
              if (later(record.modified, pending.record.modified)) fresh.delete(record.id);
              else {
                counts.unchanged++;
                continue;
              }
            } else counts.added++;
            const text = canonicalJson(record);
            fresh.set(record.id, {
              record,
              packages: parts.packages,
              revision: { record: text, modified: record.modified, summary: parts.summary, createdAt: at },
              row: {
                id: record.id, owner_org_id: owner, tlp: 'CLEAR', embargo_until: null, restricted_role: null, state, source: 'imported',
                revision: 1, version: 1, record: text, modified: record.modified, summary: parts.summary, search: parts.search, rating: parts.rating,
                published_at: record.published ?? record.modified, withdrawn_at: record.withdrawn ?? null, created_at: at, updated_at: at,
              },
            });
            if (pending) counts.unchanged++;
          } else if (head.owner !== owner) {
            rejected.push({ path, reason: `${record.id}: an advisory with this id is owned by an organisation on this platform; the mirror does not overwrite it` });
          } else if (!later(record.modified, head.modified)) {
            counts.unchanged++;
          } else {
            const text = canonicalJson(record);
            const revision = head.revision + 1;
            const ok = await updateAdvisoryVersioned(
              tx,
              head.seq,
              {
                owner_org_id: owner, tlp: 'CLEAR', embargo_until: null, restricted_role: null, state, revision, version: head.version + 1, record: text,
                modified: record.modified, summary: parts.summary, search: parts.search, rating: parts.rating,
                published_at: record.published ?? record.modified, withdrawn_at: record.withdrawn ?? null, updated_at: at,
              },
              head.version,
              { shares: [], packages: parts.packages },
            );
            if (!ok) throw new ConflictError(`${record.id} changed during the import; run it again`);
            await insertRevision(tx, { advisorySeq: head.seq, revision, record: text, modified: record.modified, summary: parts.summary, createdAt: at });
            await audit({ action: state === 'withdrawn' && head.state !== 'withdrawn' ? 'advisory.withdraw' : 'advisory.import', recordType: 'advisory', recordId: record.id, organisationId: owner, before: { revision: head.revision, modified: head.modified }, after: { revision, record }, label });
            heads.set(record.id, { ...head, modified: record.modified, state, revision, version: head.version + 1, record: text });
            counts.updated++;
            changedIds.push(record.id);
          }
        }
        // Issue 10: every record added or changed is matched against the stored inventories, one job per batch.
        await enqueueAdvisoriesMatch(tx, [...fresh.keys(), ...changedIds], at);
        if (fresh.size) {
          await insertAdvisoriesMany(tx, [...fresh.values()]);
          await auditMany([...fresh.values()].map((f) => ({ action: 'advisory.import', recordType: 'advisory', recordId: f.row.id, organisationId: owner, before: null, after: { revision: 1, record: f.record }, label })));
        }
      },
      (events: ChangeEvent[]) =>
        events.length > ADVISORY_LIMITS.importEventsPerBatch ? [{ topic: 'advisory.reindex', recordType: 'advisory', recordId: '*', organisationId: null }] : events,
    );
    summary.added += counts.added;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    summary.rejected.push(...rejected);
  }
}
