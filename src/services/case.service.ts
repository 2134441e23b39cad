import { randomUUID } from 'node:crypto';
import type { Services } from '../composition.ts';
import { draftAdvisoryRecord } from '../domain/cases/advisory-draft.ts';
import {
  DeclarationError,
  DECLARATION_LIMITS,
  cpeParts,
  declarationMatches,
  describeDeclaration,
  normaliseCpe,
  normalisePurlPrefix,
  type ProductDeclaration,
} from '../domain/cases/product-match.ts';
import { checkPublicDate, daysLeft, defaultPublicDate, DEFAULT_PUBLIC_DATE_POLICY, remindersFor, type PublicDatePolicy } from '../domain/cases/public-date.ts';
import { normaliseStatus, StatusInputError, type FixedVersion, type VendorStatus } from '../domain/cases/vendor-status.ts';
import { ConflictError, InvalidInputError, NotFoundError, StaleWriteError } from '../domain/errors.ts';
import { TLP_LEVELS, type AccessLabel, type OrganisationKind, type Principal, type Tlp } from '../domain/policy/access-label.ts';
import { allows, authorize, guardFor } from '../domain/policy/authorize.ts';
import {
  caseScope,
  managesCase,
  mayBringFinding,
  openerRole,
  PARTICIPANT_ROLES,
  rolesOn,
  type ParticipantRole,
} from '../domain/policy/case.policy.ts';
import { seesFinding } from '../domain/policy/finding.policy.ts';
import { organisationScope } from '../domain/policy/organisation.policy.ts';
import { isCoordinator, isOperator } from '../domain/policy/predicates.ts';
import { findAdvisory } from '../store/advisory.repository.ts';
import type { AuditInput } from '../store/audit.repository.ts';
import { relabelEntries } from '../store/audit.repository.ts';
import {
  candidateDeclarations,
  caseFindingSeqs,
  caseLabel,
  countPendingExtensions,
  countProducts,
  decideExtensionRequest,
  deleteParticipant,
  deleteProduct,
  findCase,
  findExtensionRequest,
  findingsBySeq,
  findingSeqsByIds,
  findProduct,
  findStatus,
  insertCase,
  insertCaseFindings,
  insertExtensionRequest,
  insertParticipants,
  insertProduct,
  insertPublicDateChange,
  insertStatusEvent,
  listCases,
  listExtensionRequests,
  listParticipants,
  listProducts,
  listStatuses,
  markSeen,
  organisationsById,
  participantsOf,
  publicDateHistory,
  saveStatus,
  SEEN_KEY_MAX,
  seenMarks,
  shareFindings,
  statusHistory,
  touchCase,
  unreadStatusCounts,
  unshareFindings,
  updateCase,
  type CaseFindingRow,
  type CaseKey,
  type CaseRecordRow,
  type CaseRow,
  type ExtensionRow,
  type ProductRow,
  type StatusRow,
} from '../store/case.repository.ts';
import type { Db, Tx } from '../store/db.ts';
import { findVisibleOrganisation } from '../store/organisation.repository.ts';
import { enqueue, type OutboxJob } from '../store/outbox.repository.ts';
import type { AdvisoryView } from './advisory.service.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { buildLabel, checkVersion } from './organisation.service.ts';
import type { JobHandler } from './outbox-worker.ts';
import { decodeCursor, pageLimit, toPage, type Page } from './pagination.ts';
import { systemPrincipal } from './principal.ts';

export const CASE_LIMITS = {
  title: 300,
  summary: 20_000,
  findings: 50,
  /** Participants named when opening a case; more are added one by one. */
  openingParticipants: 50,
  participants: 1000,
  reason: 2000,
  search: 200,
  history: 500,
  extensionRequests: 200,
  /** Pending extension requests one case may hold at a time. */
  pendingExtensions: 20,
} as const;

export const CASE_STATES = ['open', 'closed'] as const;
/** Keys this service marks through its route; the threads part marks its own (`thread:<name>`) through its routes. */
export const SEEN_KEYS = /^statuses$/;

/** Outbox topics of this service (docs/cases.md). */
export const CASE_JOBS = { reminder: 'case.reminder', publish: 'case.publish' } as const;

export interface CaseLabelView {
  owner: string;
  tlp: Tlp;
  /** The embargo: the public date, while the case is open. */
  embargoUntil: string | null;
  restricted: string | null;
  /** The participant organisations (the owner included). */
  sharedWith: string[];
}

export interface CaseSummaryView {
  id: string;
  title: string;
  state: 'open' | 'closed';
  publicDate: string;
  activelyExploited: boolean;
  owner: { organisationId: string; name: string };
  label: CaseLabelView;
  participants: number;
  /** Your organisations' roles on the case. */
  myRoles: ParticipantRole[];
  /** Vendor statuses changed by others since you last looked at the status table. */
  unread: { statuses: number };
  advisoryId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface ParticipantView {
  organisationId: string;
  name: string;
  kind: string;
  role: ParticipantRole;
  addedAt: string;
}

export interface CaseFindingView {
  id: string;
  title: string;
  state: string;
  product: { purl: string | null; cpe: string | null; name: string | null };
  aliases: string[];
  reporter: { organisationId: string; name: string };
  exploitation: 'none' | 'poc' | 'active';
}

export interface VendorStatusView {
  organisationId: string;
  name: string;
  status: VendorStatus;
  statement: string;
  fixedVersions: FixedVersion[];
  mitigations: string;
  updatedBy: string | null;
  updatedAt: string | null;
  version: number;
  /** Changed by someone else since you last looked at the status table. */
  unread: boolean;
}

export interface StatusTableView {
  items: VendorStatusView[];
  /** When you last marked the status table seen (null: never). */
  seenAt: string | null;
}

export interface PublicDateChangeView {
  from: string | null;
  to: string;
  kind: 'opened' | 'changed' | 'extension';
  reason: string;
  actor: string;
  at: string;
}

export interface ExtensionRequestView {
  id: string;
  organisationId: string;
  organisationName: string;
  publicDate: string;
  reason: string;
  state: 'pending' | 'accepted' | 'refused';
  decisionNote: string | null;
  requestedBy: string;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface CaseView extends CaseSummaryView {
  summary: string;
  participantList: ParticipantView[];
  /** The case's findings that you may read. */
  findings: CaseFindingView[];
  statuses: StatusTableView;
  publicDateInfo: { date: string; daysLeft: number; history: PublicDateChangeView[] };
  extensionRequests: ExtensionRequestView[];
  /** The advisory drafted from the case, when you may read it. */
  advisory: { id: string; state: string } | null;
  /** What you may do here (the server decides again on every call). */
  permissions: { manage: boolean; join: boolean; requestExtension: boolean; setStatusFor: string[] };
}

export interface SuggestionView {
  organisationId: string;
  name: string;
  kind: string;
  reasons: { findingId: string; match: 'declared-product' | 'product-organisation'; declaration: string | null }[];
}

export interface ProductView {
  id: string;
  organisationId: string;
  kind: 'purl' | 'cpe';
  purlPrefix: string | null;
  cpe: { vendor: string; product: string | null } | null;
  createdBy: string;
  createdAt: string;
}

export interface OpenCaseInput {
  organisationId?: string | undefined;
  title: string;
  summary?: string | undefined;
  findingIds: string[];
  label?: { tlp?: Tlp | undefined; restricted?: string | null | undefined } | undefined;
  publicDate?: string | undefined;
  activelyExploited?: boolean | undefined;
  participants?: { organisationId: string; role: ParticipantRole }[] | undefined;
}

export interface UpdateCaseInput {
  title?: string | undefined;
  summary?: string | undefined;
  label?: { tlp?: Tlp | undefined; restricted?: string | null | undefined } | undefined;
  addFindingIds?: string[] | undefined;
}

export interface CaseListQuery {
  state?: string | undefined;
  q?: string | undefined;
  participant?: string | undefined;
  findingId?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

type Audit = (e: AuditInput) => Promise<void>;

const actorName = (a: Principal) => a.email ?? a.via;
const EXPLOITATION = ['none', 'poc', 'active'] as const;

function text(v: unknown, field: string, max: number, required: boolean): string {
  if (v === undefined || v === null) {
    if (required) throw new InvalidInputError(`${field} is required`, { field });
    return '';
  }
  if (typeof v !== 'string') throw new InvalidInputError(`${field} must be text`, { field });
  const t = v.trim();
  if (required && !t) throw new InvalidInputError(`${field} is required`, { field });
  if (t.length > max) throw new InvalidInputError(`${field} must be at most ${max} characters`, { field });
  return t;
}

function presentLabel(l: AccessLabel): CaseLabelView {
  return { owner: l.owner, tlp: l.tlp, embargoUntil: l.embargoUntil, restricted: l.restricted, sharedWith: [...(l.sharedWith ?? [])] };
}

function presentPublicDateChange(r: { from_date: string | null; to_date: string; kind: string; reason: string; actor: string; at: string }): PublicDateChangeView {
  return { from: r.from_date, to: r.to_date, kind: r.kind as PublicDateChangeView['kind'], reason: r.reason, actor: r.actor, at: r.at };
}

function presentExtension(r: ExtensionRow): ExtensionRequestView {
  return {
    id: r.id, organisationId: r.organisation_id, organisationName: r.organisation_name, publicDate: r.requested_date, reason: r.reason,
    state: r.state as ExtensionRequestView['state'], decisionNote: r.decision_note, requestedBy: r.requested_by, decidedBy: r.decided_by, decidedAt: r.decided_at, createdAt: r.created_at,
  };
}

function presentProduct(r: ProductRow): ProductView {
  return {
    id: r.id, organisationId: r.organisation_id, kind: r.kind as 'purl' | 'cpe', purlPrefix: r.purl_prefix,
    cpe: r.kind === 'cpe' ? { vendor: r.cpe_vendor!, product: r.cpe_product } : null, createdBy: r.created_by, createdAt: r.created_at,
  };
}

function presentFindingBrief(f: CaseFindingRow): CaseFindingView {
  return {
    id: f.id, title: f.title, state: f.state, product: { purl: f.product_purl, cpe: f.product_cpe, name: f.product_name }, aliases: JSON.parse(f.aliases) as string[],
    reporter: { organisationId: f.reporter_org_id, name: f.reporter_name }, exploitation: EXPLOITATION[f.exploitation_rank] ?? 'none',
  };
}

function declarationOf(r: ProductRow): ProductDeclaration {
  return r.kind === 'purl' ? { kind: 'purl', prefix: r.purl_prefix! } : { kind: 'cpe', vendor: r.cpe_vendor!, product: r.cpe_product };
}

/**
 * Coordinated disclosure cases (issue 9; docs/cases.md): opening a case from findings, participants (the label's
 * sharedWith list, and the findings' too), vendor statuses with statements, the public date with reminders and
 * extension requests, suggested vendors from declared products, and the advisory drafted from the case and published
 * with the case's closing at the public date.
 */
export class CaseService {
  readonly #dates: PublicDatePolicy;

  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
    dates: PublicDatePolicy = DEFAULT_PUBLIC_DATE_POLICY,
  ) {
    this.#dates = dates;
  }

  #now(): Date {
    return this.deps.clock.now();
  }

  // ---- For the other parts of issue 9 (threads) ----

  /**
   * The case the actor may read, or not-found exactly as for an absent one. Threads and anything else hanging off a
   * case load it through here; `record.label.sharedWith` is the participants, `record.participants` their roles.
   */
  async readable(actor: Principal, id: string): Promise<CaseRecordRow> {
    return this.readableIn(this.deps.db, actor, id);
  }

  /** `readable` inside the caller's transaction. */
  async readableIn(db: Db | Tx, actor: Principal, id: string): Promise<CaseRecordRow> {
    guardFor(actor, 'case.read');
    const found = typeof id === 'string' && id.length <= 64 ? await findCase(db, id) : undefined;
    if (!found) throw new NotFoundError('case');
    authorize(actor, 'case.read', found.record, this.#now());
    return found.record;
  }

  async #load(db: Db | Tx, actor: Principal, id: string, action: 'case.read' | 'case.manage' | 'case.extension.request' | 'case.seen' | 'case.join'): Promise<{ row: CaseRow; record: CaseRecordRow }> {
    const found = typeof id === 'string' && id.length <= 64 ? await findCase(db, id) : undefined;
    if (!found) throw new NotFoundError('case');
    authorize(actor, action, found.record, this.#now());
    return found;
  }

  // ---- Opening ----

  #owner(actor: Principal, organisationId: string | undefined): string {
    if (organisationId !== undefined) return organisationId;
    const orgs = [...actor.memberships.keys()];
    if (orgs.length === 1) return orgs[0]!;
    throw new InvalidInputError(orgs.length ? 'organisationId is required: you are a member of several organisations' : 'organisationId is required', { field: 'organisationId' });
  }

  /**
   * The findings named by id, each one the actor may read and bring into a case. An id that does not exist and one
   * the actor may not read get the same answer.
   */
  async #findingsFor(db: Db | Tx, actor: Principal, ids: unknown, field: string, now: Date): Promise<CaseFindingRow[]> {
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) throw new InvalidInputError(`${field} must be a list of finding ids`, { field });
    if (ids.length > CASE_LIMITS.findings) throw new InvalidInputError(`at most ${CASE_LIMITS.findings} findings at a time`, { field });
    const unique = [...new Set(ids as string[])];
    const seqs = await findingSeqsByIds(db, unique.filter((i) => i.length <= 64));
    const rows = new Map((await findingsBySeq(db, [...seqs.values()])).map((f) => [f.id, f]));
    return unique.map((id) => {
      const f = rows.get(id);
      const at = `${field}[${(ids as string[]).indexOf(id)}]`;
      if (!f || !seesFinding(actor, { label: f.label }, now)) throw new InvalidInputError(`${at}: finding ${id} not found`, { field: at });
      if (!mayBringFinding(actor, f)) {
        throw new InvalidInputError(`${at}: finding ${id} is TLP:${f.label.tlp} and was shared with you; only its reporter or a coordinator brings it into a case`, { field: at });
      }
      return f;
    });
  }

  /** Organisations whose declared products cover these findings' products. */
  async #declaredVendors(db: Db | Tx, findings: readonly CaseFindingRow[]): Promise<Map<string, { name: string; kind: string; reasons: SuggestionView['reasons'] }>> {
    const types = new Set<string>();
    const vendors = new Set<string>();
    for (const f of findings) {
      if (f.product_purl) {
        const t = /^pkg:([^/]+)\//.exec(f.product_purl)?.[1];
        if (t) types.add(t.toLowerCase());
      }
      if (f.product_cpe) {
        const p = cpeParts(f.product_cpe);
        if (p) vendors.add(p.vendor);
      }
    }
    const out = new Map<string, { name: string; kind: string; reasons: SuggestionView['reasons'] }>();
    for (const d of await candidateDeclarations(db, [...types], [...vendors])) {
      const decl = declarationOf(d);
      for (const f of findings) {
        if (!declarationMatches({ purl: f.product_purl, cpe: f.product_cpe }, decl)) continue;
        const entry = out.get(d.organisation_id) ?? { name: d.organisation_name, kind: d.organisation_kind, reasons: [] };
        entry.reasons.push({ findingId: f.id, match: 'declared-product', declaration: describeDeclaration(decl) });
        out.set(d.organisation_id, entry);
      }
    }
    return out;
  }

  async open(actor: Principal, input: OpenCaseInput): Promise<CaseView> {
    guardFor(actor, 'case.create');
    const now = this.#now();
    if (input === null || typeof input !== 'object') throw new InvalidInputError('the body must be an object');
    const owner = this.#owner(actor, input.organisationId);
    const title = text(input.title, 'title', CASE_LIMITS.title, true);
    const summary = text(input.summary, 'summary', CASE_LIMITS.summary, false);
    if (!Array.isArray(input.findingIds) || input.findingIds.length === 0) throw new InvalidInputError('findingIds: open a case from at least one finding', { field: 'findingIds' });
    const tlp = input.label?.tlp ?? 'AMBER';
    if (!(TLP_LEVELS as readonly string[]).includes(tlp)) throw new InvalidInputError(`label.tlp must be one of ${TLP_LEVELS.join(', ')}`, { field: 'label.tlp' });
    const extra = input.participants ?? [];
    if (!Array.isArray(extra) || extra.length > CASE_LIMITS.openingParticipants) throw new InvalidInputError(`participants: at most ${CASE_LIMITS.openingParticipants} when opening a case`, { field: 'participants' });
    for (const [i, p] of extra.entries()) {
      if (!p || typeof p.organisationId !== 'string') throw new InvalidInputError(`participants[${i}].organisationId is required`, { field: `participants[${i}].organisationId` });
      if (!(PARTICIPANT_ROLES as readonly string[]).includes(p.role)) throw new InvalidInputError(`participants[${i}].role must be one of ${PARTICIPANT_ROLES.join(', ')}`, { field: `participants[${i}].role` });
    }
    // Membership first (the rule with a stand-in that passes for any member), so a stranger learns nothing about
    // which findings or organisations exist; the opener's standing is decided below, on the real findings.
    authorize(actor, 'case.create', { owner, ownerKind: 'government', findings: [], declaredVendors: new Set<string>() }, now);
    let publicDate: string | null = null;
    if (input.publicDate !== undefined) {
      const checked = checkPublicDate(input.publicDate, now);
      if (!checked.ok) throw new InvalidInputError(`publicDate ${checked.reason}`, { field: 'publicDate' });
      publicDate = checked.iso;
    }

    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const findings = await this.#findingsFor(tx, actor, input.findingIds, 'findingIds', now);
      const orgs = await organisationsById(tx, [owner, ...extra.map((p) => p.organisationId)]);
      const ownerOrg = orgs.get(owner);
      if (!ownerOrg) throw new InvalidInputError(`organisationId: organisation ${owner} does not exist`, { field: 'organisationId' });
      const declared = await this.#declaredVendors(tx, findings);
      const opening = {
        owner,
        ownerKind: ownerOrg.kind as OrganisationKind,
        findings: findings.map((f) => ({ reporter: f.reporter_org_id, productOrganisation: f.product_org_id })),
        declaredVendors: new Set(declared.keys()),
      };
      authorize(actor, 'case.create', opening, now);
      const role = openerRole(opening) ?? 'coordinator';

      const participants = new Map<string, ParticipantRole>([[owner, role]]);
      for (const [i, p] of extra.entries()) {
        if (!orgs.has(p.organisationId)) throw new InvalidInputError(`participants[${i}].organisationId: organisation ${p.organisationId} does not exist`, { field: `participants[${i}].organisationId` });
        if (participants.has(p.organisationId)) throw new InvalidInputError(`participants[${i}].organisationId: organisation ${p.organisationId} is named twice (the owner takes part already)`, { field: `participants[${i}].organisationId` });
        participants.set(p.organisationId, p.role);
      }
      // The findings' reporters take part in their case, credited on its advisory.
      for (const f of findings) if (!participants.has(f.reporter_org_id)) participants.set(f.reporter_org_id, 'reporter');

      const exploited = input.activelyExploited ?? findings.some((f) => f.exploitation_rank >= 2);
      const date = publicDate ?? defaultPublicDate(now, exploited, this.#dates);
      const label = buildLabel(owner, { tlp, restricted: input.label?.restricted ?? null, embargoUntil: date }, undefined, 'AMBER');
      if (label.restricted) authorize(actor, 'label.apply', label, now);
      const id = randomUUID();
      const seq = await insertCase(tx, {
        id, owner_org_id: owner, tlp: label.tlp, embargo_until: date, restricted_role: label.restricted, title, summary, state: 'open', public_date: date,
        actively_exploited: exploited ? 1 : 0, advisory_id: null, opened_by: actor.userId, closed_at: null, version: 1, created_at: at, updated_at: at,
      });
      await insertCaseFindings(tx, seq, findings.map((f) => f.seq));
      await insertParticipants(tx, [...participants].map(([organisation_id, r]) => ({ case_seq: seq, organisation_id, role: r, added_by: actorName(actor), added_at: at })));
      const fullLabel: AccessLabel = { ...label, sharedWith: [...participants.keys()].sort() };
      await shareFindings(tx, findings.map((f) => f.seq), [...participants.keys()]);
      for (const [org, r] of participants) if (r === 'vendor') await this.#initialStatus(tx, seq, org, actor, at);
      await insertPublicDateChange(tx, { case_seq: seq, from_date: null, to_date: date, kind: 'opened', reason: publicDate ? 'set when the case was opened' : exploited ? `default: ${this.#dates.exploitedDays} days, actively exploited` : `default: ${this.#dates.publicDays} days`, actor: actorName(actor), actor_user_id: actor.userId, at });
      await this.#schedule(tx, id, date, now, at);
      await audit({
        action: 'case.open', recordType: 'case', recordId: id, organisationId: owner, before: null,
        after: { title, state: 'open', publicDate: date, activelyExploited: exploited, findings: findings.map((f) => f.id), participants: Object.fromEntries(participants) },
        label: fullLabel,
      });
      const others = [...participants.keys()].filter((o) => o !== owner);
      if (others.length) {
        await this.peers().notifications.notify(tx, { organisationIds: others, kind: 'case.participant-added', subject: { type: 'case', id, title }, label: fullLabel, detail: { publicDate: date } }, at);
      }
      return this.#view(tx, actor, id);
    });
  }

  async #initialStatus(tx: Tx, caseSeq: number, organisationId: string, actor: Principal, at: string): Promise<void> {
    if (await findStatus(tx, caseSeq, organisationId)) return;
    await saveStatus(tx, { case_seq: caseSeq, organisation_id: organisationId, status: 'unknown', statement: '', fixed_versions: '[]', mitigations: '', updated_by: actorName(actor), updated_by_user_id: actor.userId, updated_at: at, version: 1 }, 0);
  }

  /** Reminders still ahead and the publication, for this public date; jobs of an earlier date find it moved and do nothing. */
  async #schedule(tx: Tx, caseId: string, publicDate: string, now: Date, at: string): Promise<void> {
    for (const r of remindersFor(publicDate, now)) await enqueue(tx, CASE_JOBS.reminder, { caseId, publicDate, daysBefore: r.daysBefore }, at, r.at);
    await enqueue(tx, CASE_JOBS.publish, { caseId, publicDate }, at, publicDate);
  }

  // ---- Reading ----

  async list(actor: Principal, query: CaseListQuery): Promise<Page<CaseSummaryView>> {
    guardFor(actor, 'case.list');
    const now = this.#now();
    authorize(actor, 'case.list', null, now);
    const limit = pageLimit(query.limit);
    if (query.state !== undefined && !(CASE_STATES as readonly string[]).includes(query.state)) throw new InvalidInputError(`state must be one of ${CASE_STATES.join(', ')}`, { parameter: 'state' });
    if (query.q !== undefined && query.q.length > CASE_LIMITS.search) throw new InvalidInputError(`q is at most ${CASE_LIMITS.search} characters`, { parameter: 'q' });
    const after = decodeCursor(query.cursor, 2) as CaseKey | null;
    if (after && !(typeof after[0] === 'string' && typeof after[1] === 'number')) throw new InvalidInputError('invalid cursor: pass the nextCursor value of the previous page unchanged', { parameter: 'cursor' });
    let findingSeq: number | undefined;
    if (query.findingId) {
      // A finding the caller may not read filters like one that does not exist: to nothing.
      const [f] = (await findingsBySeq(this.deps.db, [...(await findingSeqsByIds(this.deps.db, [query.findingId])).values()])).filter((x) => seesFinding(actor, { label: x.label }, now));
      findingSeq = f ? f.seq : -1;
    }
    const rows = await listCases(this.deps.db, caseScope(actor, now), { state: query.state, q: query.q || undefined, participant: query.participant || undefined, findingSeq }, after, limit + 1);
    const shown = rows.slice(0, limit);
    const parts = await participantsOf(this.deps.db, shown.map((r) => r.seq));
    const owners = await organisationsById(this.deps.db, [...new Set(shown.map((r) => r.owner_org_id))]);
    const unread = actor.userId ? await unreadStatusCounts(this.deps.db, actor.userId, shown.map((r) => r.seq)) : new Map<number, number>();
    return toPage(rows, limit, (r) => this.#summary(actor, r, parts.get(r.seq) ?? new Map(), owners.get(r.owner_org_id)?.name ?? '', unread.get(r.seq) ?? 0), (r) => [r.updated_at, r.seq]);
  }

  #summary(actor: Principal, r: CaseRow, participants: ReadonlyMap<string, ParticipantRole>, ownerName: string, unreadStatuses: number): CaseSummaryView {
    const label = caseLabel(r, [...participants.keys()]);
    return {
      id: r.id, title: r.title, state: r.state as 'open' | 'closed', publicDate: r.public_date, activelyExploited: Number(r.actively_exploited) === 1,
      owner: { organisationId: r.owner_org_id, name: ownerName }, label: presentLabel(label), participants: participants.size,
      myRoles: [...rolesOn(actor, { label, participants })].sort(), unread: { statuses: unreadStatuses }, advisoryId: null,
      version: Number(r.version), createdAt: r.created_at, updatedAt: r.updated_at, closedAt: r.closed_at,
    };
  }

  async get(actor: Principal, id: string): Promise<CaseView> {
    guardFor(actor, 'case.read');
    await this.#load(this.deps.db, actor, id, 'case.read');
    return this.#view(this.deps.db, actor, id);
  }

  /** The whole case as this actor may see it (called after the read was authorised). */
  async #view(db: Db | Tx, actor: Principal, id: string): Promise<CaseView> {
    const now = this.#now();
    const { row, record } = (await findCase(db, id))!;
    const participantRows = await listParticipants(db, row.seq);
    const findings = (await findingsBySeq(db, await caseFindingSeqs(db, row.seq))).filter((f) => seesFinding(actor, { label: f.label }, now));
    const statuses = await this.#statusTable(db, actor, row.seq);
    const history = await publicDateHistory(db, row.seq, CASE_LIMITS.history);
    const extensions = await listExtensionRequests(db, row.seq, CASE_LIMITS.extensionRequests);
    let advisory: CaseView['advisory'] = null;
    if (row.advisory_id) {
      const a = await findAdvisory(db, row.advisory_id);
      const advisoryLabel: AccessLabel | null = a ? { owner: a.owner_org_id, tlp: a.tlp as Tlp, embargoUntil: a.embargo_until, restricted: a.restricted_role, sharedWith: a.shared_with } : null;
      if (a && advisoryLabel && allows(actor, 'advisory.read', { label: advisoryLabel, state: a.state as 'draft' | 'published' | 'withdrawn' }, now)) advisory = { id: a.id, state: a.state };
    }
    const ownerName = participantRows.find((p) => p.organisation_id === row.owner_org_id)?.name ?? (await organisationsById(db, [row.owner_org_id])).get(row.owner_org_id)?.name ?? '';
    const unread = statuses.items.filter((s) => s.unread).length;
    const summary = this.#summary(actor, row, record.participants, ownerName, unread);
    const vendors = participantRows.filter((p) => p.role === 'vendor').map((p) => p.organisation_id);
    return {
      ...summary,
      advisoryId: advisory?.id ?? null,
      summary: row.summary,
      participantList: participantRows.map((p) => ({ organisationId: p.organisation_id, name: p.name, kind: p.kind, role: p.role, addedAt: p.added_at })),
      findings: findings.map(presentFindingBrief),
      statuses,
      publicDateInfo: { date: row.public_date, daysLeft: daysLeft(row.public_date, now), history: history.map(presentPublicDateChange) },
      extensionRequests: extensions.map(presentExtension),
      advisory,
      permissions: {
        manage: row.state === 'open' && allows(actor, 'case.manage', record, now),
        join: row.state === 'open' && !managesCase(actor, record) && isCoordinator(actor) && [...actor.memberships.values()].some((m) => m.kind === 'government' && !record.participants.has(m.organisationId)),
        requestExtension: row.state === 'open' && allows(actor, 'case.extension.request', record, now),
        setStatusFor: row.state === 'open' ? vendors.filter((v) => allows(actor, 'case.status.write', { case: record, vendor: v }, now)) : [],
      },
    };
  }

  async #statusTable(db: Db | Tx, actor: Principal, caseSeq: number): Promise<StatusTableView> {
    const rows = await listStatuses(db, caseSeq);
    const seen = actor.userId ? ((await seenMarks(db, actor.userId, caseSeq)).get('statuses') ?? null) : null;
    return {
      seenAt: seen,
      items: rows.map((r) => this.#presentStatus(actor, r.organisation_id, r.name, r.status, seen)),
    };
  }

  #presentStatus(actor: Principal, organisationId: string, name: string, s: StatusRow | null, seen: string | null): VendorStatusView {
    const unread = !!s && !!actor.userId && s.updated_by_user_id !== actor.userId && (seen === null || s.updated_at > seen);
    return {
      organisationId, name, status: (s?.status ?? 'unknown') as VendorStatus, statement: s?.statement ?? '', fixedVersions: s ? (JSON.parse(s.fixed_versions) as FixedVersion[]) : [],
      mitigations: s?.mitigations ?? '', updatedBy: s?.updated_by ?? null, updatedAt: s?.updated_at ?? null, version: s?.version ?? 0, unread,
    };
  }

  // ---- Changing the case ----

  async update(actor: Principal, id: string, version: number | undefined, input: UpdateCaseInput): Promise<CaseView> {
    guardFor(actor, 'case.manage');
    const now = this.#now();
    const title = input.title === undefined ? undefined : text(input.title, 'title', CASE_LIMITS.title, true);
    const summary = input.summary === undefined ? undefined : text(input.summary, 'summary', CASE_LIMITS.summary, false);
    if (input.label?.tlp !== undefined && !(TLP_LEVELS as readonly string[]).includes(input.label.tlp)) throw new InvalidInputError(`label.tlp must be one of ${TLP_LEVELS.join(', ')}`, { field: 'label.tlp' });
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.manage');
      checkVersion(version, Number(row.version));
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      const added = input.addFindingIds?.length ? await this.#findingsFor(tx, actor, input.addFindingIds, 'addFindingIds', now) : [];
      const label = buildLabel(row.owner_org_id, { ...(input.label?.tlp ? { tlp: input.label.tlp } : {}), ...(input.label?.restricted !== undefined ? { restricted: input.label.restricted } : {}) }, record.label, 'AMBER');
      if (label.restricted && label.restricted !== record.label.restricted) authorize(actor, 'label.apply', label, now);
      const set = { ...(title !== undefined ? { title } : {}), ...(summary !== undefined ? { summary } : {}), tlp: label.tlp, restricted_role: label.restricted, updated_at: at };
      if (!(await updateCase(tx, row.seq, Number(row.version), set))) throw new StaleWriteError(Number(row.version) + 1);
      const known = new Set(await caseFindingSeqs(tx, row.seq));
      const fresh = added.filter((f) => !known.has(f.seq));
      await insertCaseFindings(tx, row.seq, fresh.map((f) => f.seq));
      // As at the opening, a finding's reporter takes part in the case it is brought into.
      const reporters = [...new Set(fresh.map((f) => f.reporter_org_id))].filter((o) => !record.participants.has(o));
      await insertParticipants(tx, reporters.map((organisation_id) => ({ case_seq: row.seq, organisation_id, role: 'reporter' as const, added_by: actorName(actor), added_at: at })));
      const everyone = [...record.participants.keys(), ...reporters];
      await shareFindings(tx, await caseFindingSeqs(tx, row.seq), reporters);
      await shareFindings(tx, fresh.map((f) => f.seq), everyone);
      const fullLabel: AccessLabel = { ...label, sharedWith: everyone.sort() };
      if (label.tlp !== record.label.tlp || label.restricted !== record.label.restricted) await relabelEntries(tx, 'case', row.id, fullLabel);
      await audit({
        action: 'case.update', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id,
        before: { title: row.title, summary: row.summary, tlp: row.tlp, restricted: row.restricted_role },
        after: { ...set, addedFindings: fresh.map((f) => f.id), addedReporters: reporters }, label: fullLabel,
      });
      if (reporters.length) {
        await this.peers().notifications.notify(tx, { organisationIds: reporters, kind: 'case.participant-added', subject: { type: 'case', id: row.id, title: title ?? row.title }, label: fullLabel, detail: { role: 'reporter', publicDate: row.public_date } }, at);
      }
      return this.#view(tx, actor, id);
    });
  }

  async addParticipant(actor: Principal, id: string, input: { organisationId: string; role: ParticipantRole }): Promise<CaseView> {
    guardFor(actor, 'case.manage');
    if (!(PARTICIPANT_ROLES as readonly string[]).includes(input.role)) throw new InvalidInputError(`role must be one of ${PARTICIPANT_ROLES.join(', ')}`, { field: 'role' });
    const now = this.#now();
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.read');
      // A coordinator who reads the case may join it with their own government organisation; anything else is the case's managers' call.
      const joining = !managesCase(actor, record) && input.role === 'coordinator' && actor.memberships.get(input.organisationId)?.kind === 'government';
      authorize(actor, joining ? 'case.join' : 'case.manage', record, now);
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      if (record.participants.has(input.organisationId)) throw new ConflictError(`organisation ${input.organisationId} already takes part (as ${record.participants.get(input.organisationId)})`);
      if (record.participants.size >= CASE_LIMITS.participants) throw new ConflictError(`a case has at most ${CASE_LIMITS.participants} participants`);
      const org = (await organisationsById(tx, [input.organisationId])).get(input.organisationId);
      if (!org) throw new InvalidInputError(`organisationId: organisation ${input.organisationId} does not exist`, { field: 'organisationId' });
      await insertParticipants(tx, [{ case_seq: row.seq, organisation_id: input.organisationId, role: input.role, added_by: actorName(actor), added_at: at }]);
      await shareFindings(tx, await caseFindingSeqs(tx, row.seq), [input.organisationId]);
      if (input.role === 'vendor') await this.#initialStatus(tx, row.seq, input.organisationId, actor, at);
      await touchCase(tx, row.seq, at);
      const label: AccessLabel = { ...record.label, sharedWith: [...(record.label.sharedWith ?? []), input.organisationId].sort() };
      await audit({ action: 'case.participant-add', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: null, after: { organisationId: input.organisationId, role: input.role }, label });
      await this.peers().notifications.notify(tx, { organisationIds: [input.organisationId], kind: 'case.participant-added', subject: { type: 'case', id: row.id, title: row.title }, label, detail: { role: input.role, publicDate: row.public_date } }, at);
      return this.#view(tx, actor, id);
    });
  }

  /**
   * Takes an organisation off the case: the case's managers, or the organisation's own members leaving. Its share of
   * the case goes with the participant row; its shares of the case's findings go too, except those it still holds
   * through another case with the same finding.
   */
  async removeParticipant(actor: Principal, id: string, organisationId: string): Promise<CaseView | null> {
    guardFor(actor, 'case.manage');
    const now = this.#now();
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.read');
      const leaving = actor.memberships.has(organisationId) && !managesCase(actor, record);
      if (!leaving) authorize(actor, 'case.manage', record, now);
      else authorize(actor, 'case.seen', record, now);
      if (!record.participants.has(organisationId)) throw new NotFoundError('participant');
      if (organisationId === row.owner_org_id) throw new ConflictError('the organisation that owns the case cannot leave it');
      const role = record.participants.get(organisationId)!;
      await deleteParticipant(tx, row.seq, organisationId);
      await unshareFindings(tx, row.seq, organisationId);
      await touchCase(tx, row.seq, at);
      const label: AccessLabel = { ...record.label, sharedWith: (record.label.sharedWith ?? []).filter((o) => o !== organisationId) };
      await audit({ action: 'case.participant-remove', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: { organisationId, role }, after: null, label });
      // Whoever left may no longer read the case: they get no view of it back.
      const after = (await findCase(tx, id))!;
      return allows(actor, 'case.read', after.record, now) ? this.#view(tx, actor, id) : null;
    });
  }

  // ---- Vendor statuses ----

  async statuses(actor: Principal, id: string): Promise<StatusTableView> {
    guardFor(actor, 'case.read');
    const { row } = await this.#load(this.deps.db, actor, id, 'case.read');
    return this.#statusTable(this.deps.db, actor, row.seq);
  }

  async vendorStatus(actor: Principal, id: string, organisationId: string): Promise<VendorStatusView & { history: (Omit<VendorStatusView, 'unread' | 'version' | 'name' | 'organisationId'>)[] }> {
    guardFor(actor, 'case.read');
    const { row, record } = await this.#load(this.deps.db, actor, id, 'case.read');
    if (record.participants.get(organisationId) !== 'vendor') throw new NotFoundError('vendor status');
    const table = await this.#statusTable(this.deps.db, actor, row.seq);
    const current = table.items.find((s) => s.organisationId === organisationId)!;
    const history = await statusHistory(this.deps.db, row.seq, organisationId, CASE_LIMITS.history);
    return {
      ...current,
      history: history.map((h) => ({ status: h.status as VendorStatus, statement: h.statement, fixedVersions: JSON.parse(h.fixed_versions) as FixedVersion[], mitigations: h.mitigations, updatedBy: h.actor, updatedAt: h.at })),
    };
  }

  async setStatus(actor: Principal, id: string, organisationId: string, input: { status: unknown; statement?: unknown; fixedVersions?: unknown; mitigations?: unknown; version?: number | undefined }): Promise<VendorStatusView> {
    guardFor(actor, 'case.status.write');
    const now = this.#now();
    let s;
    try {
      s = normaliseStatus(input);
    } catch (err) {
      if (err instanceof StatusInputError) throw new InvalidInputError(err.message, { field: err.field });
      throw err;
    }
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.read');
      if (record.participants.get(organisationId) !== 'vendor') throw new NotFoundError('vendor status');
      authorize(actor, 'case.status.write', { case: record, vendor: organisationId }, now);
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      const before = await findStatus(tx, row.seq, organisationId);
      const current = before?.version ?? 0;
      if (input.version !== undefined && input.version !== current) throw new StaleWriteError(current);
      const next: StatusRow = {
        case_seq: row.seq, organisation_id: organisationId, status: s.status, statement: s.statement, fixed_versions: JSON.stringify(s.fixedVersions), mitigations: s.mitigations,
        updated_by: actorName(actor), updated_by_user_id: actor.userId, updated_at: at, version: current + 1,
      };
      if (!(await saveStatus(tx, next, current))) throw new StaleWriteError(current + 1);
      await insertStatusEvent(tx, { case_seq: row.seq, organisation_id: organisationId, status: s.status, statement: s.statement, fixed_versions: next.fixed_versions, mitigations: s.mitigations, actor: actorName(actor), actor_user_id: actor.userId, at });
      await touchCase(tx, row.seq, at);
      await audit({
        action: 'case.status', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id,
        before: before ? { vendor: organisationId, status: before.status, statement: before.statement, fixedVersions: JSON.parse(before.fixed_versions), mitigations: before.mitigations } : null,
        after: { vendor: organisationId, ...s }, label: record.label,
      });
      const name = (await organisationsById(tx, [organisationId])).get(organisationId)?.name ?? '';
      return this.#presentStatus(actor, organisationId, name, next, null);
    });
  }

  /** Records the actor's visit to the status table (key `statuses`); answers the mark. */
  async markSeen(actor: Principal, id: string, key: string): Promise<{ key: string; seenAt: string }> {
    guardFor(actor, 'case.seen');
    if (typeof key !== 'string' || key.length > SEEN_KEY_MAX || !SEEN_KEYS.test(key)) throw new InvalidInputError('key must be statuses (threads are marked through their own routes)', { field: 'key' });
    const { row } = await this.#load(this.deps.db, actor, id, 'case.seen');
    if (!actor.userId) return { key, seenAt: this.#now().toISOString() };
    const at = this.#now().toISOString();
    await markSeen(this.deps.db, actor.userId, row.seq, key, at);
    return { key, seenAt: (await seenMarks(this.deps.db, actor.userId, row.seq)).get(key) ?? at };
  }

  // ---- The public date ----

  async publicDate(actor: Principal, id: string): Promise<CaseView['publicDateInfo']> {
    guardFor(actor, 'case.read');
    const { row } = await this.#load(this.deps.db, actor, id, 'case.read');
    const history = await publicDateHistory(this.deps.db, row.seq, CASE_LIMITS.history);
    return { date: row.public_date, daysLeft: daysLeft(row.public_date, this.#now()), history: history.map(presentPublicDateChange) };
  }

  /** Moves the public date in the caller's transaction: the label's embargo, the history, new reminders, notifications. */
  async #moveDate(tx: Tx, audit: Audit, actor: Principal, row: CaseRow, record: CaseRecordRow, to: string, kind: 'changed' | 'extension', reason: string, at: string, now: Date): Promise<void> {
    if (!(await updateCase(tx, row.seq, Number(row.version), { public_date: to, embargo_until: to, updated_at: at }))) throw new StaleWriteError(Number(row.version) + 1);
    await insertPublicDateChange(tx, { case_seq: row.seq, from_date: row.public_date, to_date: to, kind, reason, actor: actorName(actor), actor_user_id: actor.userId, at });
    await this.#schedule(tx, row.id, to, now, at);
    const label: AccessLabel = { ...record.label, embargoUntil: to };
    await relabelEntries(tx, 'case', row.id, label);
    await audit({ action: 'case.public-date', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: { publicDate: row.public_date }, after: { publicDate: to, kind, reason }, label });
    await this.peers().notifications.notify(tx, {
      organisationIds: [...record.participants.keys()], kind: 'case.public-date-changed', subject: { type: 'case', id: row.id, title: row.title }, label,
      detail: { from: row.public_date, publicDate: to, daysLeft: daysLeft(to, now) },
    }, at);
  }

  async changePublicDate(actor: Principal, id: string, input: { publicDate: string; reason: string; version?: number | undefined }): Promise<CaseView> {
    guardFor(actor, 'case.manage');
    const now = this.#now();
    const checked = checkPublicDate(input.publicDate, now);
    if (!checked.ok) throw new InvalidInputError(`publicDate ${checked.reason}`, { field: 'publicDate' });
    const reason = text(input.reason, 'reason', CASE_LIMITS.reason, true);
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.manage');
      checkVersion(input.version, Number(row.version));
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      if (checked.iso === row.public_date) throw new ConflictError('the public date is already this date');
      await this.#moveDate(tx, audit, actor, row, record, checked.iso, 'changed', reason, at, now);
      return this.#view(tx, actor, id);
    });
  }

  async extensionRequests(actor: Principal, id: string): Promise<{ items: ExtensionRequestView[] }> {
    guardFor(actor, 'case.read');
    const { row } = await this.#load(this.deps.db, actor, id, 'case.read');
    return { items: (await listExtensionRequests(this.deps.db, row.seq, CASE_LIMITS.extensionRequests)).map(presentExtension) };
  }

  /** A participant asks for a later public date; the case's managers accept or refuse it. */
  async requestExtension(actor: Principal, id: string, input: { publicDate: string; reason: string; organisationId?: string | undefined }): Promise<ExtensionRequestView> {
    guardFor(actor, 'case.extension.request');
    const now = this.#now();
    const checked = checkPublicDate(input.publicDate, now);
    if (!checked.ok) throw new InvalidInputError(`publicDate ${checked.reason}`, { field: 'publicDate' });
    const reason = text(input.reason, 'reason', CASE_LIMITS.reason, true);
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.extension.request');
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      const mine = [...actor.memberships.keys()].filter((o) => record.participants.has(o));
      const org = input.organisationId ?? (mine.length === 1 ? mine[0] : undefined);
      if (!org) throw new InvalidInputError('organisationId is required: name the participant organisation you ask for', { field: 'organisationId' });
      if (!record.participants.has(org) || (!isOperator(actor) && !actor.memberships.has(org))) throw new InvalidInputError('organisationId must be a participant organisation you are a member of', { field: 'organisationId' });
      if (checked.iso <= row.public_date) throw new InvalidInputError(`publicDate must be later than the current public date ${row.public_date}: an extension moves it out`, { field: 'publicDate' });
      if ((await countPendingExtensions(tx, row.seq)) >= CASE_LIMITS.pendingExtensions) throw new ConflictError(`the case already has ${CASE_LIMITS.pendingExtensions} pending extension requests`);
      const requestId = randomUUID();
      await insertExtensionRequest(tx, {
        id: requestId, case_seq: row.seq, organisation_id: org, requested_date: checked.iso, reason, state: 'pending', decision_note: null,
        requested_by: actorName(actor), requested_by_user_id: actor.userId, decided_by: null, decided_at: null, created_at: at,
      });
      await touchCase(tx, row.seq, at);
      await audit({ action: 'case.extension-request', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: null, after: { request: requestId, organisationId: org, publicDate: checked.iso, reason }, label: record.label });
      const managers = [...record.participants].filter(([o, r]) => o === row.owner_org_id || r === 'coordinator').map(([o]) => o);
      await this.peers().notifications.notify(tx, { organisationIds: managers, kind: 'case.extension-requested', subject: { type: 'case', id: row.id, title: row.title }, label: record.label, detail: { publicDate: checked.iso, current: row.public_date } }, at);
      return presentExtension((await findExtensionRequest(tx, row.seq, requestId))!);
    });
  }

  async decideExtension(actor: Principal, id: string, requestId: string, input: { accept: boolean; note?: string | undefined }): Promise<ExtensionRequestView> {
    guardFor(actor, 'case.manage');
    const now = this.#now();
    const note = text(input.note, 'note', CASE_LIMITS.reason, false) || null;
    if (typeof input.accept !== 'boolean') throw new InvalidInputError('accept must be true or false', { field: 'accept' });
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.manage');
      const req = typeof requestId === 'string' && requestId.length <= 64 ? await findExtensionRequest(tx, row.seq, requestId) : undefined;
      if (!req) throw new NotFoundError('extension request');
      if (req.state !== 'pending') throw new ConflictError(`the request was already ${req.state}`);
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      if (input.accept && req.requested_date <= now.toISOString()) throw new ConflictError('the requested date has passed: refuse the request, or set a new public date');
      if (!(await decideExtensionRequest(tx, req.seq, { state: input.accept ? 'accepted' : 'refused', decision_note: note, decided_by: actorName(actor), decided_at: at }))) {
        throw new ConflictError('someone decided the request first');
      }
      await audit({ action: input.accept ? 'case.extension-accept' : 'case.extension-refuse', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: { request: req.id, state: 'pending' }, after: { request: req.id, state: input.accept ? 'accepted' : 'refused', note }, label: record.label });
      if (input.accept && req.requested_date !== row.public_date) {
        await this.#moveDate(tx, audit, actor, row, record, req.requested_date, 'extension', `extension requested by ${req.organisation_name}: ${req.reason}`, at, now);
      } else {
        await touchCase(tx, row.seq, at);
      }
      await this.peers().notifications.notify(tx, { organisationIds: [req.organisation_id], kind: 'case.extension-decided', subject: { type: 'case', id: row.id, title: row.title }, label: { ...record.label, embargoUntil: input.accept ? req.requested_date : record.label.embargoUntil }, detail: { accepted: input.accept, publicDate: req.requested_date } }, at);
      return presentExtension((await findExtensionRequest(tx, row.seq, req.id))!);
    });
  }

  // ---- Suggested vendors ----

  /** Organisations that declared a product of the case's findings (only the findings the caller reads), not yet taking part. */
  async suggestions(actor: Principal, id: string): Promise<{ items: SuggestionView[] }> {
    guardFor(actor, 'case.read');
    const now = this.#now();
    const { row, record } = await this.#load(this.deps.db, actor, id, 'case.read');
    const findings = (await findingsBySeq(this.deps.db, await caseFindingSeqs(this.deps.db, row.seq))).filter((f) => seesFinding(actor, { label: f.label }, now));
    const found = await this.#declaredVendors(this.deps.db, findings);
    const makers = [...new Set(findings.map((f) => f.product_org_id).filter((o): o is string => !!o))];
    const makerOrgs = await organisationsById(this.deps.db, makers);
    for (const f of findings) {
      const o = f.product_org_id ? makerOrgs.get(f.product_org_id) : undefined;
      if (!o) continue;
      const entry = found.get(o.id) ?? { name: o.name, kind: o.kind, reasons: [] };
      entry.reasons.push({ findingId: f.id, match: 'product-organisation', declaration: null });
      found.set(o.id, entry);
    }
    // Only organisations the caller may see in the directory: a suggestion names its organisation.
    const scope = organisationScope(actor, now);
    const items: SuggestionView[] = [];
    for (const [organisationId, e] of found) {
      if (record.participants.has(organisationId) || items.length >= 200) continue;
      if (await findVisibleOrganisation(this.deps.db, scope, organisationId)) items.push({ organisationId, ...e });
    }
    items.sort((a, b) => b.reasons.length - a.reasons.length || a.name.localeCompare(b.name));
    return { items };
  }

  // ---- The advisory ----

  /**
   * Drafts the case's OSV advisory (affected packages and fixed versions from the vendors' statements, credits from
   * the reporters and coordinators, aliases from the findings) and links it, in one transaction. At the public date
   * the outbox publishes it with the case's closing.
   */
  async draftAdvisory(actor: Principal, id: string, input: { organisationId?: string | undefined; tlp?: Tlp | undefined }): Promise<{ advisory: AdvisoryView; case: CaseView }> {
    guardFor(actor, 'case.manage');
    const now = this.#now();
    const tlp = input.tlp ?? 'CLEAR';
    if (!(TLP_LEVELS as readonly string[]).includes(tlp)) throw new InvalidInputError(`tlp must be one of ${TLP_LEVELS.join(', ')}`, { field: 'tlp' });
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      const { row, record } = await this.#load(tx, actor, id, 'case.manage');
      if (row.state !== 'open') throw new ConflictError('the case is closed');
      if (row.advisory_id) throw new ConflictError(`the case's advisory is drafted already: ${row.advisory_id}`, { advisoryId: row.advisory_id });
      const participants = await listParticipants(tx, row.seq);
      const findings = (await findingsBySeq(tx, await caseFindingSeqs(tx, row.seq))).filter((f) => seesFinding(actor, { label: f.label }, now));
      const statuses = await listStatuses(tx, row.seq);
      const record_ = draftAdvisoryRecord({
        caseId: row.id,
        title: row.title,
        summary: row.summary,
        findings: findings.map((f) => ({ aliases: JSON.parse(f.aliases) as string[], purl: f.product_purl })),
        statuses: statuses.map((s) => ({
          vendor: s.name, status: (s.status?.status ?? 'unknown') as VendorStatus, statement: s.status?.statement ?? '',
          fixedVersions: s.status ? (JSON.parse(s.status.fixed_versions) as FixedVersion[]) : [], mitigations: s.status?.mitigations ?? '',
        })),
        reporters: participants.filter((p) => p.role === 'reporter').map((p) => p.name),
        coordinators: participants.filter((p) => p.role === 'coordinator').map((p) => p.name),
        ownPrefix: this.peers().advisories.prefix,
      });
      const closed = tlp === 'AMBER' || tlp === 'AMBER+STRICT' || tlp === 'RED';
      const owner = input.organisationId ?? (isOperator(actor) ? row.owner_org_id : undefined);
      const advisory = await this.peers().advisories.createIn(tx, audit, at, actor, {
        ...(owner ? { organisationId: owner } : {}),
        record: record_,
        // Published at the public date: readable then as its TLP says; a closed TLP keeps it to the participants.
        label: { tlp, embargoUntil: null, sharedWith: closed ? [...record.participants.keys()] : [] },
      });
      if (!(await updateCase(tx, row.seq, Number(row.version), { advisory_id: advisory.id, updated_at: at }))) throw new StaleWriteError(Number(row.version) + 1);
      await audit({ action: 'case.advisory-draft', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: null, after: { advisoryId: advisory.id }, label: record.label });
      return { advisory, case: await this.#view(tx, actor, id) };
    });
  }

  // ---- Product declarations ----

  async #organisation(db: Db | Tx, actor: Principal, organisationId: string): Promise<void> {
    const org = typeof organisationId === 'string' && organisationId.length <= 64 ? await findVisibleOrganisation(db, organisationScope(actor, this.#now()), organisationId) : undefined;
    if (!org) throw new NotFoundError('organisation');
  }

  async products(actor: Principal, organisationId: string): Promise<{ items: ProductView[] }> {
    guardFor(actor, 'case.products.read');
    await this.#organisation(this.deps.db, actor, organisationId);
    return { items: (await listProducts(this.deps.db, organisationId, DECLARATION_LIMITS.perOrganisation)).map(presentProduct) };
  }

  async declareProduct(actor: Principal, organisationId: string, input: { purlPrefix?: unknown; cpe?: { vendor?: unknown; product?: unknown } | undefined }): Promise<ProductView> {
    guardFor(actor, 'case.products.write');
    let row: Pick<ProductRow, 'kind' | 'purl_prefix' | 'purl_type' | 'cpe_vendor' | 'cpe_product'>;
    try {
      if ((input.purlPrefix === undefined) === (input.cpe === undefined)) throw new DeclarationError('purlPrefix', 'declare either purlPrefix or cpe');
      if (input.purlPrefix !== undefined) {
        const p = normalisePurlPrefix(input.purlPrefix);
        row = { kind: 'purl', purl_prefix: p.prefix, purl_type: p.type, cpe_vendor: null, cpe_product: null };
      } else {
        const c = normaliseCpe(input.cpe?.vendor, input.cpe?.product);
        row = { kind: 'cpe', purl_prefix: null, purl_type: null, cpe_vendor: c.vendor, cpe_product: c.product };
      }
    } catch (err) {
      if (err instanceof DeclarationError) throw new InvalidInputError(err.message, { field: err.field });
      throw err;
    }
    return writeTx(this.deps, actor, async (tx, audit, at) => {
      await this.#organisation(tx, actor, organisationId);
      authorize(actor, 'case.products.write', { organisationId }, this.#now());
      const existing = await listProducts(tx, organisationId, DECLARATION_LIMITS.perOrganisation);
      if (existing.some((e) => e.kind === row.kind && e.purl_prefix === row.purl_prefix && e.cpe_vendor === row.cpe_vendor && e.cpe_product === row.cpe_product)) throw new ConflictError('the organisation declared this product already');
      if ((await countProducts(tx, organisationId)) >= DECLARATION_LIMITS.perOrganisation) throw new ConflictError(`an organisation declares at most ${DECLARATION_LIMITS.perOrganisation} products`);
      const id = randomUUID();
      const full = { id, organisation_id: organisationId, ...row, created_by: actorName(actor), created_at: at };
      await insertProduct(tx, full);
      await audit({ action: 'organisation.product-declare', recordType: 'organisation', recordId: organisationId, organisationId, before: null, after: full });
      return presentProduct((await findProduct(tx, organisationId, id))!);
    });
  }

  async removeProduct(actor: Principal, organisationId: string, productId: string): Promise<void> {
    guardFor(actor, 'case.products.write');
    await writeTx(this.deps, actor, async (tx, audit) => {
      await this.#organisation(tx, actor, organisationId);
      authorize(actor, 'case.products.write', { organisationId }, this.#now());
      const p = typeof productId === 'string' && productId.length <= 64 ? await findProduct(tx, organisationId, productId) : undefined;
      if (!p) throw new NotFoundError('product declaration');
      await deleteProduct(tx, p.seq);
      await audit({ action: 'organisation.product-remove', recordType: 'organisation', recordId: organisationId, organisationId, before: presentProduct(p), after: null });
    });
  }

  // ---- Background work ----

  /** Outbox job kinds this service runs (reminders, publication at the public date). */
  jobHandlers(): Record<string, JobHandler> {
    return {
      [CASE_JOBS.reminder]: (job) => this.#remind(job),
      [CASE_JOBS.publish]: (job) => this.#publishAtPublicDate(job),
    };
  }

  /** A reminder of the public date to every participant; nothing when the date moved or the case closed since. */
  async #remind(job: OutboxJob): Promise<void> {
    const p = job.payload as { caseId?: unknown; publicDate?: unknown; daysBefore?: unknown };
    if (typeof p?.caseId !== 'string' || typeof p.publicDate !== 'string') return;
    const system = systemPrincipal('system');
    await writeTx(this.deps, system, async (tx, audit, at) => {
      const found = await findCase(tx, p.caseId as string);
      if (!found || found.row.state !== 'open' || found.row.public_date !== p.publicDate) return;
      const { row, record } = found;
      const left = daysLeft(row.public_date, new Date(at));
      await this.peers().notifications.notify(tx, {
        organisationIds: [...record.participants.keys()], kind: 'case.reminder', subject: { type: 'case', id: row.id, title: row.title }, label: record.label,
        detail: { daysLeft: left, daysBefore: p.daysBefore, publicDate: row.public_date },
      }, at);
      await audit({ action: 'case.reminder', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: null, after: { publicDate: row.public_date, daysBefore: p.daysBefore, participants: record.participants.size }, label: record.label });
    });
  }

  /**
   * At the public date: the advisory drafted from the case is published and the case closed, in one transaction, by
   * the server itself. A job of a date that has since moved (or of a case already closed) does nothing.
   */
  async #publishAtPublicDate(job: OutboxJob): Promise<void> {
    const p = job.payload as { caseId?: unknown; publicDate?: unknown };
    if (typeof p?.caseId !== 'string' || typeof p.publicDate !== 'string') return;
    const system = systemPrincipal('system');
    await writeTx(this.deps, system, async (tx, audit, at) => {
      const found = await findCase(tx, p.caseId as string);
      if (!found || found.row.state !== 'open' || found.row.public_date !== p.publicDate || at < found.row.public_date) return;
      const { row, record } = found;
      let published: string | null = null;
      if (row.advisory_id) {
        const a = await findAdvisory(tx, row.advisory_id);
        // Published early by hand, or withdrawn: the case closes all the same.
        if (a && a.state === 'draft') {
          await this.peers().advisories.publishIn(tx, audit, at, system, a.id, a.version);
          published = a.id;
        }
      }
      if (!(await updateCase(tx, row.seq, Number(row.version), { state: 'closed', closed_at: at, updated_at: at }))) throw new StaleWriteError(Number(row.version) + 1);
      await audit({ action: 'case.close', recordType: 'case', recordId: row.id, organisationId: row.owner_org_id, before: { state: 'open' }, after: { state: 'closed', publicDate: row.public_date, advisoryPublished: published }, label: record.label });
      await this.peers().notifications.notify(tx, {
        organisationIds: [...record.participants.keys()], kind: 'case.published', subject: { type: 'case', id: row.id, title: row.title }, label: record.label,
        detail: { publicDate: row.public_date, advisoryId: published },
      }, at);
    });
  }
}
