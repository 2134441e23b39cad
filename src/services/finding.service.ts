/**
 * Findings intake (issue 9; docs/findings.md): one finding by form or API, whole documents by upload (SARIF, OSV,
 * CSAF, AVID), de-duplication at intake, coordinators' merges and splits, and evidence attachments.
 *
 * The visibility rule of de-duplication (deliberate): an upload is matched only against findings its reporter (the
 * reporting organisation's members) may read, since linking to a hidden finding would reveal that it exists. So
 * `duplicates`, every reason and every `matched` speak only of readable findings, and a duplicate of a hidden
 * finding answers exactly as a new finding.
 * Findings that share keys across visibility boundaries are what `candidates` shows (to whoever reads both:
 * coordinators), and a coordinator merges them; the merge shares the surviving finding with the merged reporters'
 * organisations so they keep reading what they reported.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Services } from '../composition.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { isOperator } from '../domain/policy/predicates.ts';
import {
  dedupKeys,
  decideDuplicates,
  FINDING_LIMITS,
  FindingInputError,
  normaliseFinding,
  REASON_OF_KIND,
  searchText,
  type DedupReason,
  type FindingDraft,
  type FindingSource,
  type NormalisedFinding,
} from '../domain/intake/finding-input.ts';
import { TLP_LEVELS, type AccessLabel, type Principal, type Tlp } from '../domain/policy/access-label.ts';
import { allows, authorize, guardFor } from '../domain/policy/authorize.ts';
import { findingScope, type FindingScope } from '../domain/policy/finding.policy.ts';
import { organisationScope } from '../domain/policy/organisation.policy.ts';
import type { AttachmentRow } from '../store/attachment.repository.ts';
import type { AuditInput } from '../store/audit.repository.ts';
import type { Db, Tx } from '../store/db.ts';
import {
  addShares,
  aliasesBySeq,
  candidatesOf,
  countReports,
  findFinding,
  findReport,
  insertFindings,
  insertKeys,
  insertReports,
  listReports,
  moveEverything,
  moveReport,
  organisationIdNamed,
  organisationKind,
  organisationSectors,
  readableKeyOwners,
  reportsOf,
  setAliases,
  sharedKey,
  updateFindingDedup,
  type FindingRow,
  type NewFindingRow,
} from '../store/finding.repository.ts';
import { existingOrganisationIds, findVisibleOrganisation, visibleOrganisationIds } from '../store/organisation.repository.ts';
import { insertTriageEvents } from '../store/triage.repository.ts';
import { presentAttachment, type AttachmentView } from './attachment.service.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { buildLabel, checkVersion } from './organisation.service.ts';
import { decodeCursor, pageLimit, toPage, type Page } from './pagination.ts';
import { inProcessFindingParser, type FindingParser } from './workers/finding-parse.pool.ts';
import type { ParseInput } from './workers/finding-parse.task.ts';

export type { FindingDraft } from '../domain/intake/finding-input.ts';

/** A finding as submitted through the form or the API: the draft, who reports it, and under which label. */
export interface FindingInput extends FindingDraft {
  /** The reporting organisation; it owns the finding's label. */
  organisationId: string;
  /** Default TLP:AMBER: the reporter, government coordinators and (later) case participants read it. */
  label?: { tlp?: Tlp; embargoUntil?: string | null; restricted?: string | null };
}

export type Exploitation = 'none' | 'poc' | 'active';
const EXPLOITATION: Exploitation[] = ['none', 'poc', 'active'];

/** A coordinator's note on a merge or a split. */
export const DEDUP_NOTE_MAX = 4000;

export interface FindingView {
  id: string;
  title: string;
  description: string;
  cwe: string | null;
  product: { purl: string | null; versions: string | null; cpe: string | null; name: string | null; organisationId: string | null; organisationName: string | null };
  location: string | null;
  aliases: string[];
  source: string;
  state: string;
  reporter: { organisationId: string; organisationName: string };
  /** Reports on this finding, the first one included (each duplicate adds one). */
  reports: number;
  /** The finding a coordinator merged this one into, or null. */
  mergedInto: string | null;
  label: { tlp: Tlp; embargoUntil: string | null; owner: string };
  cvss4: { vector: string; score: number | null } | null;
  cvss3: { vector: string; score: number | null } | null;
  ssvc: unknown;
  exploitation: Exploitation;
  kev: { dateAdded: string | null; dueDate: string | null } | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface FindingReportView {
  id: string;
  reporter: { organisationId: string; organisationName: string };
  source: string;
  /** Why the report is on this finding: first, fingerprint, alias, product-cwe-location, merged or split. */
  reason: DedupReason;
  /** The key that matched (the fingerprint, the alias, product|CWE|location), or null for the first report. */
  matched: string | null;
  /** A coordinator's note on a merge or a split. */
  note: string | null;
  receivedAt: string;
  title: string;
  tool: { name: string; version: string | null; model: string | null } | null;
}

export interface CandidateView {
  finding: { id: string; title: string; state: string; reporter: { organisationId: string; organisationName: string }; createdAt: string };
  /** The keys both findings hold. */
  shared: { kind: 'fingerprint' | 'alias' | 'locus'; value: string }[];
}

export interface SplitResult {
  /** The finding the report is on now. */
  findingId: string;
  /** That finding, or null when its label (the reporter's own) does not let the coordinator read it. */
  finding: FindingView | null;
  /** The finding it was split from, as it is now. */
  from: FindingView;
}

export interface CreateFindingResult {
  finding: FindingView;
  /** False when the submission was linked to an existing finding as a duplicate. */
  created: boolean;
  duplicate: { reason: DedupReason; matched: string } | null;
}

/** The import summary; scripts rely on its four fields. */
export interface FindingImportSummary {
  received: number;
  created: number;
  duplicates: number;
  rejected: { path: string; reason: string }[];
}

export interface FindingImportResult extends FindingImportSummary {
  /** Files that could not be read at all (the CLI exits 2, the API answers 400): nothing was written. */
  unreadable: string[];
}

export const attachmentUrl = (findingId: string, attachmentId: string) => `/api/v1/findings/${findingId}/attachments/${attachmentId}`;

/**
 * The maker organisations of these rows that `actor` may see. A reporter names the maker by id, but a reader of the
 * finding may not be entitled to the maker's directory entry (an organisation labelled RED, say): such a maker is left
 * out of the finding for that reader rather than named.
 */
export async function visibleMakers(db: Db, actor: Principal, now: Date, rows: readonly Pick<FindingRow, 'product_org_id'>[]): Promise<ReadonlySet<string>> {
  const ids = rows.map((r) => r.product_org_id).filter((x): x is string => !!x);
  return ids.length ? visibleOrganisationIds(db, organisationScope(actor, now), ids) : new Set();
}

export function presentFinding(r: FindingRow, reports: number, makers: ReadonlySet<string>): FindingView {
  const maker = r.product_org_id && makers.has(r.product_org_id) ? { organisationId: r.product_org_id, organisationName: r.product_org_name } : { organisationId: null, organisationName: null };
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    cwe: r.cwe,
    product: { purl: r.product_purl, versions: r.product_versions, cpe: r.product_cpe, name: r.product_name, ...maker },
    location: r.location,
    aliases: JSON.parse(r.aliases) as string[],
    source: r.source,
    state: r.state,
    reporter: { organisationId: r.reporter_org_id, organisationName: r.reporter_name },
    reports,
    mergedInto: r.merged_into ?? null,
    label: { tlp: r.tlp as Tlp, embargoUntil: r.embargo_until, owner: r.owner_org_id },
    cvss4: r.cvss4_vector ? { vector: r.cvss4_vector, score: r.cvss4_score } : null,
    cvss3: r.cvss3_vector ? { vector: r.cvss3_vector, score: r.cvss3_score } : null,
    ssvc: r.ssvc ? (JSON.parse(r.ssvc) as unknown) : null,
    exploitation: EXPLOITATION[r.exploitation_rank] ?? 'none',
    kev: r.kev_date_added || r.kev_due_date ? { dateAdded: r.kev_date_added, dueDate: r.kev_due_date } : null,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface Item {
  path: string;
  source: FindingSource;
  finding: NormalisedFinding;
}

interface IngestOutcome {
  created: number;
  duplicates: number;
  /** Per item: the finding it landed on and how. */
  results: { findingId: string; created: boolean; reason: DedupReason; matched: string | null }[];
}

const actorName = (a: Principal) => a.email ?? a.via;
const labelJson = (l: AccessLabel) => JSON.stringify({ tlp: l.tlp, embargoUntil: l.embargoUntil, restricted: l.restricted });

function checkNote(note: unknown): string {
  if (typeof note !== 'string' || note.trim() === '') throw new InvalidInputError('note is required: say why', { field: 'note' });
  if (note.length > DEDUP_NOTE_MAX) throw new InvalidInputError(`note is longer than ${DEDUP_NOTE_MAX} characters`, { field: 'note' });
  return note.trim();
}

/** The union of the reports' aliases, in order: what a finding's alias list is after a merge or a split. */
function aliasesOfReports(reports: readonly { submitted: string }[]): string[] {
  const out = new Set<string>();
  for (const r of reports) for (const a of (JSON.parse(r.submitted) as NormalisedFinding).aliases) out.add(a);
  return [...out];
}

function findingRow(f: NormalisedFinding, label: AccessLabel, reporterOrg: string, reporterUser: string | null, source: string, sectors: string[], now: string): NewFindingRow {
  return {
    id: randomUUID(),
    owner_org_id: label.owner,
    tlp: label.tlp,
    embargo_until: label.embargoUntil,
    restricted_role: label.restricted,
    state: 'new',
    title: f.title,
    description: f.description,
    cwe: f.cwe,
    product_purl: f.product.purl,
    product_versions: f.product.versions,
    product_cpe: f.product.cpe,
    product_name: f.product.name,
    product_org_id: f.product.organisationId,
    location: f.location,
    source,
    reporter_org_id: reporterOrg,
    reporter_user_id: reporterUser,
    sectors: sectors.length ? `,${sectors.join(',')},` : '',
    aliases: JSON.stringify(f.aliases),
    cvss4_vector: null,
    cvss4_score: null,
    cvss3_vector: null,
    cvss3_score: null,
    ssvc: null,
    ssvc_rank: 0,
    exploitation_rank: 0,
    cvss_rank: 0,
    kev_due_date: null,
    kev_date_added: null,
    search: searchText(f),
    version: 1,
    created_at: now,
    updated_at: now,
  };
}

export class FindingService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
    /** Where uploaded documents are parsed: worker threads for the server, in-process for the CLI. */
    protected readonly parser: FindingParser = inProcessFindingParser,
  ) {}

  /** One finding from the form or the API. A bad field is a 400 naming it; a duplicate is linked, not created. */
  async create(actor: Principal, input: FindingInput & { source?: 'form' | 'api' }): Promise<CreateFindingResult> {
    const now = this.deps.clock.now();
    const label = await this.#reporterLabel(actor, input?.organisationId, input?.label, now);
    let finding: NormalisedFinding;
    try {
      finding = normaliseFinding(input);
    } catch (err) {
      if (err instanceof FindingInputError) throw new InvalidInputError(err.message, { field: err.field });
      throw err;
    }
    const bad = await this.#unknownProductOrgs(actor, [finding]);
    if (bad.size) throw new InvalidInputError(`product.organisationId: organisation ${[...bad][0]} does not exist`, { field: 'product.organisationId' });
    const out = await this.#ingest(actor, label, [{ path: 'body', source: input.source ?? 'api', finding }]);
    const r = out.results[0]!;
    return {
      finding: await this.get(actor, r.findingId),
      created: r.created,
      duplicate: r.created ? null : { reason: r.reason, matched: r.matched! },
    };
  }

  /**
   * Whole documents (SARIF, OSV, CSAF, AVID), thousands of findings per request, parsed off the request thread and
   * written in one transaction. A file that cannot be read at all (not JSON, no known format, fails its schema) stops
   * the upload: nothing is written, and the summary names it in `rejected` and in `unreadable`. Entries that cannot
   * be findings are listed in `rejected` with their path and reason, and the rest load.
   */
  async importDocuments(
    actor: Principal,
    input: { organisationId: string; tlp?: Tlp; failed?: { path: string; reason: string }[] } & ({ files: { path: string; body: Uint8Array }[] } | { zip: { path: string; body: Uint8Array } }),
  ): Promise<FindingImportResult> {
    const now = this.deps.clock.now();
    // Who may report for the organisation is decided before any parsing.
    const label = await this.#reporterLabel(actor, input.organisationId, input.tlp === undefined ? undefined : { tlp: input.tlp }, now);
    const task: ParseInput = 'zip' in input ? { kind: 'zip', path: input.zip.path, body: input.zip.body } : { kind: 'files', files: input.files };
    const parsed = await this.parser.parse(task);
    // Files the caller could not even read (the CLI: missing, a folder, too large) are unreadable documents too.
    const result: FindingImportResult = { received: 0, created: 0, duplicates: 0, rejected: [...(input.failed ?? []), ...parsed.skipped], unreadable: (input.failed ?? []).map((f) => f.path) };
    const items: Item[] = [];
    for (const file of parsed.files) {
      if (file.unreadable !== null) {
        result.unreadable.push(file.path);
        result.rejected.push({ path: file.path, reason: file.unreadable });
        continue;
      }
      for (const e of file.entries) {
        result.received++;
        if (e.finding) items.push({ path: e.path, source: file.format!, finding: e.finding });
        else result.rejected.push({ path: e.path, reason: e.problem ?? 'not a finding' });
      }
    }
    if (result.unreadable.length) return result;
    const bad = await this.#unknownProductOrgs(actor, items.map((i) => i.finding));
    const kept = items.filter((it) => {
      const org = it.finding.product.organisationId;
      if (!org || !bad.has(org)) return true;
      result.rejected.push({ path: it.path, reason: `product.organisationId: organisation ${org} does not exist` });
      return false;
    });
    if (kept.length) {
      const out = await this.#ingest(actor, label, kept);
      result.created = out.created;
      result.duplicates = out.duplicates;
    }
    return result;
  }

  /** For the operator's CLI, which names organisations: the id of the one with this name (any case). */
  async organisationNamed(actor: Principal, name: string): Promise<string> {
    if (!isOperator(actor)) throw new ForbiddenError('organisations are named only on the command line');
    const id = await organisationIdNamed(this.deps.db, name);
    if (!id) throw new InvalidInputError(`no organisation is named ${JSON.stringify(name)}`, { field: 'org' });
    return id;
  }

  async get(actor: Principal, id: string): Promise<FindingView> {
    const f = await this.#readable(actor, id);
    return presentFinding(f.row, await countReports(this.deps.db, f.row.seq), await visibleMakers(this.deps.db, actor, this.deps.clock.now(), [f.row]));
  }

  /** Every report on a finding, oldest first, each with its reporter (credited) and why it was linked. */
  async reports(actor: Principal, id: string, page: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<Page<FindingReportView>> {
    const f = await this.#readable(actor, id);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 1);
    const rows = await listReports(this.deps.db, f.row.seq, limit + 1, after ? Number(after[0]) : null);
    return toPage(rows, limit, (r) => {
      const submitted = JSON.parse(r.submitted) as NormalisedFinding;
      return {
        id: r.id,
        reporter: { organisationId: r.reporter_org_id, organisationName: r.reporter_name },
        source: r.source,
        reason: r.reason as DedupReason,
        matched: r.matched,
        note: r.note ?? null,
        receivedAt: r.received_at,
        title: submitted.title,
        tool: submitted.tool,
      };
    }, (r) => [r.seq]);
  }

  /**
   * Possible duplicates: findings the caller may read that share a key with this one (across reporters and labels,
   * which intake never links). Coordinators merge the real ones.
   */
  async candidates(actor: Principal, id: string, page: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<Page<CandidateView>> {
    const now = this.deps.clock.now();
    const f = await this.#readable(actor, id);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 1);
    const rows = await candidatesOf(this.deps.db, findingScope(actor, now), f.row.seq, after ? Number(after[0]) : null, limit + 1);
    return toPage(rows, limit, (r) => ({
      finding: { id: r.id, title: r.title, state: r.state, reporter: { organisationId: r.reporter_org_id, organisationName: r.reporter_name }, createdAt: r.created_at },
      shared: r.keys as CandidateView['shared'],
    }), (r) => [r.seq]);
  }

  /**
   * A coordinator merges finding `id` into finding `into` (a duplicate intake could not link: another reporter's
   * finding it could not read, or one that shares no key). Every report, key and attachment moves to `into`, each
   * report with reason `merged`, the note and the key both held; `into` is shared with the merged reporters'
   * organisations so they keep reading what they reported; `id` stays as state `duplicate`, merged into `into`.
   */
  async merge(actor: Principal, id: string, input: { into: string; note: string }, expectedVersion?: number): Promise<FindingView> {
    const now = this.deps.clock.now();
    // Anonymous and read-only callers are refused before anything is looked up.
    guardFor(actor, 'finding.dedup');
    const note = checkNote(input?.note);
    if (typeof input.into !== 'string' || input.into === '') throw new InvalidInputError('into is required: the finding to merge into', { field: 'into' });
    const from = await this.#decidable(actor, id, now);
    const to = await this.#decidable(actor, input.into, now);
    if (from.row.seq === to.row.seq) throw new InvalidInputError('a finding cannot be merged into itself', { field: 'into' });
    if (expectedVersion !== undefined) checkVersion(expectedVersion, from.row.version);
    if (from.row.merged_into) throw new ConflictError(`this finding was already merged into ${from.row.merged_into}`);
    if (to.row.merged_into) throw new ConflictError(`the finding to merge into was itself merged into ${to.row.merged_into}; merge into that one`);
    await writeTx(this.deps, actor, async (tx, _audit, nowIso, auditMany) => {
      const key = await sharedKey(tx, from.row.seq, to.row.seq);
      const moving = await reportsOf(tx, from.row.seq);
      await moveEverything(tx, from.row.seq, to.row.seq, { reason: 'merged', matched: key ? key.value : null, note, decided_by: actorName(actor) });
      const orgs = [...new Set([from.row.owner_org_id, ...moving.map((r) => r.reporter_org_id)])].filter((o) => o !== to.row.owner_org_id);
      await addShares(tx, to.row.seq, orgs);
      const all = await reportsOf(tx, to.row.seq);
      const aliases = aliasesOfReports(all);
      const search = `${to.row.search} ${aliases.join(' ').toLowerCase()}`.slice(0, 2000);
      if (!(await updateFindingDedup(tx, to.row.seq, { aliases: JSON.stringify(aliases), search }, nowIso))) throw new NotFoundError('finding');
      const ok = await updateFindingDedup(tx, from.row.seq, { state: 'duplicate', merged_into: to.row.id, aliases: '[]' }, nowIso, from.row.version);
      if (!ok) throw new ConflictError('the finding changed while it was being merged; read it again and retry');
      await insertTriageEvents(tx, [{ finding_seq: from.row.seq, kind: 'state', from_state: from.row.state, to_state: 'duplicate', note: `merged into ${to.row.id}: ${note}`, detail: JSON.stringify({ mergedInto: to.row.id }), actor_user_id: actor.userId, actor: actorName(actor), at: nowIso }]);
      const toLabel = { ...to.label, sharedWith: [...new Set([...(to.label.sharedWith ?? []), ...orgs])] };
      await auditMany([
        { action: 'finding.merge', recordType: 'finding', recordId: from.row.id, organisationId: from.label.owner, before: { state: from.row.state }, after: { state: 'duplicate', mergedInto: to.row.id, note, reports: moving.length }, label: from.label },
        { action: 'finding.merged-in', recordType: 'finding', recordId: to.row.id, organisationId: to.label.owner, before: null, after: { from: from.row.id, note, matched: key, sharedWith: orgs }, label: toLabel },
        ...(await this.#kev(tx, [to.row.seq], nowIso)),
      ]);
    });
    return this.get(actor, id);
  }

  /**
   * A coordinator splits a wrongly linked report back out of finding `id`, with a note. A report that a merge moved
   * goes back to the finding it came from (revived from `duplicate` if it had no report left); a report linked at
   * intake gets a finding of its own, under the label its reporter asked for. Its keys move with it. The report that
   * created a finding cannot be split from it (split the others instead).
   */
  async split(actor: Principal, id: string, reportId: string, input: { note: string }): Promise<SplitResult> {
    const now = this.deps.clock.now();
    guardFor(actor, 'finding.dedup');
    const note = checkNote(input?.note);
    const from = await this.#decidable(actor, id, now);
    const report = await findReport(this.deps.db, reportId);
    if (!report || report.finding_seq !== from.row.seq) throw new NotFoundError('report');
    const targetId = await writeTx(this.deps, actor, async (tx, _audit, nowIso, auditMany) => {
      const all = await reportsOf(tx, from.row.seq);
      const mine = all.find((r) => r.seq === report.seq);
      if (!mine) throw new NotFoundError('report');
      if (all.length < 2) throw new ConflictError('this is the finding\'s only report; there is nothing to split it from');
      if (mine.reason === 'first' && mine.origin_seq === null) throw new ConflictError('this report created the finding; split the other reports out of it instead');
      const entries: AuditInput[] = [];
      let target: { seq: number; id: string; label: AccessLabel };
      const origin = mine.origin_seq !== null ? await this.#bySeq(tx, mine.origin_seq) : undefined;
      if (origin && origin.row.merged_into === from.row.id) {
        const revived = (await reportsOf(tx, origin.row.seq)).length === 0;
        const back = [...(await reportsOf(tx, origin.row.seq)), mine];
        const aliases = aliasesOfReports(back);
        await moveReport(tx, mine.seq, origin.row.seq, { reason: 'split', matched: null, note, decided_by: actorName(actor), origin_seq: null });
        await updateFindingDedup(tx, origin.row.seq, { aliases: JSON.stringify(aliases), search: `${origin.row.search} ${aliases.join(' ').toLowerCase()}`.slice(0, 2000), ...(revived ? { state: 'new', merged_into: null } : {}) }, nowIso);
        if (revived) {
          await insertTriageEvents(tx, [{ finding_seq: origin.row.seq, kind: 'state', from_state: origin.row.state, to_state: 'new', note: `split back out of ${from.row.id}: ${note}`, detail: JSON.stringify({ splitFrom: from.row.id }), actor_user_id: actor.userId, actor: actorName(actor), at: nowIso }]);
        }
        target = { seq: origin.row.seq, id: origin.row.id, label: origin.label };
        entries.push({ action: 'finding.restore', recordType: 'finding', recordId: origin.row.id, organisationId: origin.label.owner, before: null, after: { report: report.id, from: from.row.id, note }, label: origin.label });
      } else {
        const submitted = JSON.parse(report.submitted) as NormalisedFinding;
        const asked = report.label ? (JSON.parse(report.label) as { tlp: Tlp; embargoUntil: string | null; restricted: string | null }) : { tlp: from.label.tlp, embargoUntil: from.label.embargoUntil, restricted: from.label.restricted };
        const label: AccessLabel = { owner: report.reporter_org_id, tlp: asked.tlp, embargoUntil: asked.embargoUntil, restricted: asked.restricted };
        const sectors = submitted.product.organisationId ? ((await organisationSectors(tx, [submitted.product.organisationId])).get(submitted.product.organisationId) ?? []) : [];
        const row = findingRow(submitted, label, report.reporter_org_id, report.reporter_user_id, report.source, sectors, nowIso);
        const [seq] = await insertFindings(tx, [row]);
        await moveReport(tx, mine.seq, seq!, { reason: 'split', matched: null, note, decided_by: actorName(actor), origin_seq: null });
        target = { seq: seq!, id: row.id!, label };
        entries.push({ action: 'finding.create', recordType: 'finding', recordId: row.id!, organisationId: label.owner, before: null, after: { report: report.id, reason: 'split', from: from.row.id, note, title: submitted.title }, label });
      }
      const remaining = all.filter((r) => r.seq !== mine.seq);
      const aliases = aliasesOfReports(remaining);
      await updateFindingDedup(tx, from.row.seq, { aliases: JSON.stringify(aliases), search: `${from.row.search}`.slice(0, 2000) }, nowIso);
      entries.unshift({ action: 'finding.split', recordType: 'finding', recordId: from.row.id, organisationId: from.label.owner, before: null, after: { report: report.id, to: target.id, note }, label: from.label });
      entries.push(...(await this.#kev(tx, [target.seq], nowIso)));
      await auditMany(entries);
      return target.id;
    });
    const target = await findFinding(this.deps.db, targetId);
    // A report whose reporter asked for TLP:RED becomes a finding the coordinator cannot read: they learn its id only.
    const readable = target !== undefined && allows(actor, 'finding.read', { label: target.label }, this.deps.clock.now());
    return { findingId: targetId, finding: readable ? await this.get(actor, targetId) : null, from: await this.get(actor, id) };
  }

  /**
   * Evidence for a finding: the reporting organisation and coordinators (finding.attach), decided before a byte of
   * the body is read; then the body is staged (streamed to a temp file, hashed, capped) outside any transaction, and
   * one short transaction stores the blob, the row and the audit entry.
   */
  async attach(actor: Principal, findingId: string, upload: { body: AsyncIterable<Uint8Array> | Uint8Array; filename?: string | null; mediaType?: string | null; declaredSize?: number | null }): Promise<AttachmentView> {
    guardFor(actor, 'finding.attach');
    const f = await findFinding(this.deps.db, findingId);
    if (!f) throw new NotFoundError('finding');
    authorize(actor, 'finding.attach', { label: f.label }, this.deps.clock.now());
    const store = this.peers().attachments;
    return store.withStaged(upload.body, upload, async (staged) => {
      const row = await writeTx(this.deps, actor, async (tx, audit, now) => {
        const r = await store.store(tx, staged, { findingSeq: f.row.seq }, actor, now);
        await audit({
          action: 'finding.attach',
          recordType: 'finding',
          recordId: f.row.id,
          organisationId: f.label.owner,
          before: null,
          after: { attachment: r.id, filename: r.filename, mediaType: r.media_type, size: r.size, sha256: r.sha256 },
          label: f.label,
        });
        return r;
      });
      return presentAttachment(row, attachmentUrl(f.row.id, row.id));
    });
  }

  /** A readable finding's attachments, oldest first (metadata only). */
  async attachments(actor: Principal, findingId: string): Promise<AttachmentView[]> {
    const f = await this.#readable(actor, findingId);
    return (await this.peers().attachments.list({ findingSeq: f.row.seq })).map((r) => presentAttachment(r, attachmentUrl(f.row.id, r.id)));
  }

  /** One attachment's row and content, read under the finding's label; an attachment of another record is absent. */
  async attachment(actor: Principal, findingId: string, attachmentId: string): Promise<{ row: AttachmentRow; content: () => Readable }> {
    const f = await this.#readable(actor, findingId);
    const store = this.peers().attachments;
    const row = await store.find(attachmentId);
    if (!row || row.finding_seq === null || Number(row.finding_seq) !== f.row.seq) throw new NotFoundError('attachment');
    return { row, content: () => store.content(row) };
  }

  async #readable(actor: Principal, id: string) {
    // The guards first: an anonymous caller gets the same 401 whether or not the finding exists.
    guardFor(actor, 'finding.read');
    const f = await findFinding(this.deps.db, id);
    if (!f) throw new NotFoundError('finding');
    authorize(actor, 'finding.read', { label: f.label }, this.deps.clock.now());
    return f;
  }

  async #decidable(actor: Principal, id: string, now: Date) {
    guardFor(actor, 'finding.dedup');
    const f = await findFinding(this.deps.db, id);
    if (!f) throw new NotFoundError('finding');
    authorize(actor, 'finding.dedup', { label: f.label }, now);
    return f;
  }

  async #bySeq(tx: Tx, seq: number) {
    const id = (await tx.selectFrom('findings').select('id').where('seq', '=', seq).executeTakeFirst())?.id;
    return id ? findFinding(tx, id) : undefined;
  }

  /** KEV-listed aliases mark these findings too (in the same transaction); the audit entries of the marks that changed. */
  async #kev(tx: Tx, seqs: readonly number[], nowIso: string): Promise<AuditInput[]> {
    if (!seqs.length) return [];
    const marks = await this.peers().triage.markKnownExploited(tx, seqs, nowIso);
    return marks
      .filter((m) => m.changed)
      .map((m) => ({ action: 'finding.kev', recordType: 'finding', recordId: m.id, organisationId: m.label.owner, before: null, after: { cves: m.cves, dateAdded: m.dateAdded, dueDate: m.dueDate }, label: m.label }));
  }

  async #reporterLabel(actor: Principal, organisationId: unknown, input: FindingInput['label'] | undefined, now: Date): Promise<AccessLabel> {
    if (typeof organisationId !== 'string' || organisationId === '') throw new InvalidInputError('organisationId is required: the reporting organisation', { field: 'organisationId' });
    // Membership first: a non-member learns nothing about whether the organisation exists.
    authorize(actor, 'finding.create', { reporter: organisationId }, now);
    if (!(await existingOrganisationIds(this.deps.db, [organisationId])).has(organisationId)) {
      throw new InvalidInputError(`organisation ${organisationId} does not exist`, { field: 'organisationId' });
    }
    const tlp = input?.tlp;
    if (tlp !== undefined && !(TLP_LEVELS as readonly unknown[]).includes(tlp)) throw new InvalidInputError(`tlp must be one of ${TLP_LEVELS.join(', ')}`, { field: 'label.tlp' });
    const label = buildLabel(organisationId, { ...(tlp ? { tlp } : {}), ...(input?.embargoUntil !== undefined ? { embargoUntil: input.embargoUntil } : {}), ...(input?.restricted !== undefined ? { restricted: input.restricted } : {}) }, undefined, 'AMBER');
    if (label.restricted) authorize(actor, 'label.apply', label, now);
    return label;
  }

  /**
   * Maker organisations named by the findings that the reporter may not see (or that do not exist): both answer
   * "does not exist", so naming an id reveals nothing about organisations hidden from the reporter.
   */
  async #unknownProductOrgs(actor: Principal, findings: readonly NormalisedFinding[]): Promise<Set<string>> {
    const ids = [...new Set(findings.map((f) => f.product.organisationId).filter((x): x is string => !!x))];
    const scope = organisationScope(actor, this.deps.clock.now());
    const bad = new Set<string>();
    for (const id of ids) {
      const ok = /^[0-9a-f-]{36}$/i.test(id) && (await findVisibleOrganisation(this.deps.db, scope, id));
      if (!ok) bad.add(id);
    }
    return bad;
  }

  /**
   * What an upload is matched against: the findings the reporting organisation's members read by the label (owner or
   * shared with, and coordinators' reach when it is a government organisation), without any need-to-know role. That
   * is never more than the submitting member reads themselves, and it is the same whoever submits for the organisation
   * (a member through the API, the operator through the CLI), so no member learns of a finding through a link that
   * their colleagues could not follow.
   */
  async #reporterScope(organisationId: string): Promise<FindingScope> {
    const kind = await organisationKind(this.deps.db, organisationId);
    return {
      all: false,
      facts: { authenticated: true, organisationIds: [organisationId], coordinator: kind === 'government', roles: [] },
      now: this.deps.clock.now().toISOString(),
    };
  }

  /** De-duplicates and writes a batch in one transaction, with one audit entry per finding created or report linked. */
  async #ingest(actor: Principal, label: AccessLabel, items: readonly Item[]): Promise<IngestOutcome> {
    const scope = await this.#reporterScope(label.owner);
    return writeTx(
      this.deps,
      actor,
      async (tx, _audit, now, auditMany) => {
        const allKeys = items.flatMap((i) => dedupKeys(i.finding));
        // Only what the reporter may read is matched: linking to a hidden finding would reveal it.
        const stored = await readableKeyOwners(tx, scope, allKeys);
        const storedIds = new Map([...stored].map(([k, seq]) => [k, String(seq)]));
        const decisions = decideDuplicates(items.map((i) => i.finding), storedIds);
        const productOrgs = [...new Set(items.map((i) => i.finding.product.organisationId).filter((x): x is string => !!x))];
        const sectors = await organisationSectors(tx, productOrgs);

        const newIdx: number[] = [];
        const rows: NewFindingRow[] = [];
        for (const [i, d] of decisions.entries()) {
          if (d.target !== null) continue;
          const f = items[i]!.finding;
          newIdx.push(i);
          rows.push(findingRow(f, label, label.owner, actor.userId, items[i]!.source, f.product.organisationId ? (sectors.get(f.product.organisationId) ?? []) : [], now));
        }
        const newSeqs = await insertFindings(tx, rows);
        const seqOfNew = new Map(newIdx.map((itemIndex, k) => [`new:${itemIndex}`, newSeqs[k]!]));
        const idOfNew = new Map(newIdx.map((itemIndex, k) => [`new:${itemIndex}`, rows[k]!.id!]));
        const targetSeq = (t: string) => seqOfNew.get(t) ?? Number(t);

        const asked = labelJson(label);
        const reportRows = items.map((it, i) => {
          const d = decisions[i]!;
          return {
            id: randomUUID(),
            finding_seq: d.target === null ? seqOfNew.get(`new:${i}`)! : targetSeq(d.target),
            reporter_org_id: label.owner,
            reporter_user_id: actor.userId,
            source: it.source,
            submitted: JSON.stringify(it.finding),
            reason: d.kind ? REASON_OF_KIND[d.kind] : 'first',
            matched: d.matched,
            received_at: now,
            label: asked,
          };
        });
        const reportSeqs = await insertReports(tx, reportRows);
        await insertKeys(tx, items.flatMap((it, i) => dedupKeys(it.finding).map((k) => ({ finding_seq: reportRows[i]!.finding_seq, report_seq: reportSeqs[i]!, kind: k.kind, value: k.value }))));

        // A duplicate's new aliases join its finding, so later reports carrying only those are found too.
        const dupTargets = [...new Set(decisions.filter((d) => d.target !== null).map((d) => targetSeq(d.target!)))];
        const current = await aliasesBySeq(tx, dupTargets);
        const grown = new Map<number, Set<string>>();
        for (const [i, d] of decisions.entries()) {
          if (d.target === null) continue;
          const seq = targetSeq(d.target);
          const have = grown.get(seq) ?? new Set(current.get(seq)?.aliases ?? []);
          for (const a of items[i]!.finding.aliases) have.add(a);
          grown.set(seq, have);
        }
        const grew: number[] = [];
        for (const [seq, set] of grown) {
          const c = current.get(seq);
          if (!c || set.size === c.aliases.length) continue;
          const aliases = [...set];
          grew.push(seq);
          await setAliases(tx, seq, aliases, `${c.search} ${aliases.join(' ').toLowerCase()}`.slice(0, 2000), now);
        }

        const entries: AuditInput[] = [];
        const results: IngestOutcome['results'] = [];
        for (const [i, d] of decisions.entries()) {
          const seq = reportRows[i]!.finding_seq;
          const findingId = d.target === null ? idOfNew.get(`new:${i}`)! : (idOfNew.get(d.target) ?? current.get(seq)!.id);
          const created = d.target === null;
          results.push({ findingId, created, reason: reportRows[i]!.reason as DedupReason, matched: d.matched });
          entries.push({
            action: created ? 'finding.create' : 'finding.report',
            recordType: 'finding',
            recordId: findingId,
            organisationId: label.owner,
            before: null,
            after: { report: reportRows[i]!.id, reason: reportRows[i]!.reason, matched: d.matched, title: items[i]!.finding.title },
            // The entry is as hidden as the finding it is about: a duplicate's entry carries its finding's label.
            label: created ? label : (current.get(seq)?.label ?? label),
          });
        }
        // KEV-listed aliases mark new findings (and findings whose aliases grew) in this same transaction.
        entries.push(...(await this.#kev(tx, [...newSeqs, ...grew], now)));
        await auditMany(entries);
        return { created: newIdx.length, duplicates: items.length - newIdx.length, results };
      },
      // A 10,000-finding upload is one change for listeners, not 10,000.
      (events) => (events.length > 100 ? [{ ...events[0]!, topic: 'finding.import', recordId: '*' }] : events),
    );
  }
}

/** The per-request cap on findings, for the routes' descriptions. */
export const FINDINGS_PER_REQUEST = FINDING_LIMITS.perRequest;
