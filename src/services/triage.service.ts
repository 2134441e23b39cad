import type { Services } from '../composition.ts';
import { scoreVector } from '../domain/cvss/cvss.ts';
import { ConflictError, InvalidInputError, NotFoundError, StaleWriteError } from '../domain/errors.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { allows, authorize, guardFor } from '../domain/policy/authorize.ts';
import { findingScope } from '../domain/policy/finding.policy.ts';
import { isOperator } from '../domain/policy/predicates.ts';
import { EXPLOITATION_RANK, SSVC_RANK, ssvcDecision, type SsvcDecision, type SsvcPoints } from '../domain/ssvc/ssvc-coordinator.ts';
import { NOTE_MAX, transitionProblem, type TriageState } from '../domain/triage/triage-states.ts';
import type { Tx } from '../store/db.ts';
import { findingRecordById } from '../store/finding.repository.ts';
import {
  advisoriesCarrying,
  applyKevToFindings,
  findingSeqsWithAliases,
  findKevEntry,
  kevCatalogueStatus,
  insertTriageEvents,
  kevEntriesFor,
  listQueue,
  listTriageEvents,
  queueKey,
  readableFindingSeqs,
  replaceKevCatalogue,
  reportCounts,
  triageColumns,
  updateTriage,
  type KevMark,
  type NewTriageEvent,
  type QueueFilter,
  type QueueKey,
} from '../store/triage.repository.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { readKevCatalogue } from './kev-parse.ts';
import { presentFinding, visibleMakers, type FindingView } from './finding.service.ts';
import { checkVersion } from './organisation.service.ts';
import { decodeCursor, pageLimit, toPage, type Page } from './pagination.ts';

export const TRIAGE_LIMITS = { note: NOTE_MAX, history: 200, filter: 200 } as const;

export interface QueueQuery extends QueueFilter {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface TriageEventView {
  kind: 'state' | 'scores' | 'ssvc' | 'kev';
  from: string | null;
  to: string | null;
  note: string | null;
  detail: unknown;
  actor: string;
  at: string;
}

/** What the finding keeps (and every reader of it sees); who decided is in the history, under 'triage.actor'. */
export interface SsvcRecord extends SsvcPoints {
  decision: SsvcDecision;
  decidedAt: string;
}

export interface KevImportSummary {
  entries: number;
  findings: number;
  advisories: number;
}

export interface KevStatusView {
  catalogVersion: string | null;
  importedAt: string | null;
  entries: number;
}

export type AdvisoryKevView = Omit<KevEntryView, 'requiredAction' | 'catalogVersion'>;

export interface KevEntryView {
  cve: string;
  vendor: string;
  product: string;
  name: string;
  dateAdded: string;
  dueDate: string;
  knownRansomware: boolean;
  requiredAction: string;
  catalogVersion: string;
}

const actorName = (a: Principal) => a.email ?? a.via;

/** Triage states, scoring (CVSS, SSVC), the KEV catalogue and the triage queue (issue 9; docs/triage.md). */
export class TriageService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  /** The queue: readable findings in SSVC, exploitation, CVSS, age order; no total (a count would be one more thing to keep in step with the rule). */
  async queue(actor: Principal, query: QueueQuery): Promise<Page<FindingView>> {
    const now = this.deps.clock.now();
    authorize(actor, 'triage.queue', null, now);
    const limit = pageLimit(query.limit);
    const from = decodeCursor(query.cursor, 5) as QueueKey | null;
    if (from && !(typeof from[0] === 'number' && typeof from[1] === 'number' && typeof from[2] === 'number' && typeof from[3] === 'string' && typeof from[4] === 'number')) {
      throw new InvalidInputError('invalid cursor: pass the nextCursor value of the previous page unchanged', { parameter: 'cursor' });
    }
    const rows = await listQueue(this.deps.db, findingScope(actor, now), query, from, limit + 1);
    const counts = await reportCounts(this.deps.db, rows.slice(0, limit).map((r) => r.seq));
    const makers = await visibleMakers(this.deps.db, actor, now, rows.slice(0, limit));
    return toPage(rows, limit, (r) => presentFinding(r, counts.get(r.seq) ?? 0, makers), queueKey);
  }

  async history(actor: Principal, id: string): Promise<{ items: TriageEventView[] }> {
    guardFor(actor, 'triage.history');
    const rec = await findingRecordById(this.deps.db, id);
    if (!rec) throw new NotFoundError('finding');
    authorize(actor, 'triage.history', { label: rec.label }, this.deps.clock.now());
    const rows = await listTriageEvents(this.deps.db, rec.seq, TRIAGE_LIMITS.history);
    const now = this.deps.clock.now();
    return {
      items: rows.map((r) => {
        const detail = r.detail ? (JSON.parse(r.detail) as unknown) : null;
        const named = r.actor_user_id === null || allows(actor, 'triage.actor', { userId: r.actor_user_id }, now);
        return {
          kind: r.kind as TriageEventView['kind'],
          from: r.from_state,
          to: r.to_state,
          note: r.note,
          detail,
          actor: named ? r.actor : 'coordinator',
          at: r.at,
        };
      }),
    };
  }

  /** One triage write: the finding's rule, its version, the change, its history event and audit entry in one transaction. */
  async #write(
    actor: Principal,
    id: string,
    version: number | undefined,
    action: string,
    change: (cols: NonNullable<Awaited<ReturnType<typeof triageColumns>>>, now: string) => { set: Parameters<typeof updateTriage>[3]; event: Omit<NewTriageEvent, 'finding_seq' | 'actor' | 'actor_user_id' | 'at'> },
  ): Promise<FindingView> {
    guardFor(actor, 'triage.write');
    await writeTx(this.deps, actor, async (tx, audit, now) => {
      const rec = await findingRecordById(tx, id);
      if (!rec) throw new NotFoundError('finding');
      authorize(actor, 'triage.write', { label: rec.label }, new Date(now));
      const cols = (await triageColumns(tx, rec.seq))!;
      checkVersion(version, cols.version);
      const { set, event } = change(cols, now);
      if (!(await updateTriage(tx, rec.seq, cols.version, set, now))) throw new StaleWriteError(cols.version + 1);
      await insertTriageEvents(tx, [{ ...event, finding_seq: rec.seq, actor: actorName(actor), actor_user_id: actor.userId, at: now }]);
      const before: Record<string, unknown> = {};
      for (const k of Object.keys(set)) before[k] = (cols as Record<string, unknown>)[k];
      await audit({ action, recordType: 'finding', recordId: id, organisationId: rec.label.owner, before, after: set, label: rec.label });
    });
    return this.peers().findings.get(actor, id);
  }

  async setState(actor: Principal, id: string, input: { state: string; note: string; version?: number | undefined }): Promise<FindingView> {
    const note = typeof input.note === 'string' ? input.note.trim() : '';
    if (!note) throw new InvalidInputError('note is required: say why the finding moves', { field: 'note' });
    if (note.length > TRIAGE_LIMITS.note) throw new InvalidInputError(`note must be at most ${TRIAGE_LIMITS.note} characters`, { field: 'note' });
    return this.#write(actor, id, input.version, 'finding.state', (cols) => {
      const problem = transitionProblem(cols.state, input.state);
      if (problem) throw new ConflictError(problem, { from: cols.state, to: input.state });
      return { set: { state: input.state as TriageState }, event: { kind: 'state', from_state: cols.state, to_state: input.state, note, detail: null } };
    });
  }

  /**
   * CVSS 4.0 and 3.1 vectors: undefined leaves one as it is, null clears it. Both are scored before anything is
   * written, so a bad second vector leaves the first unchanged too.
   */
  async setScores(actor: Principal, id: string, input: { cvss4?: string | null | undefined; cvss3?: string | null | undefined; version?: number | undefined }): Promise<FindingView> {
    const score = (field: 'cvss4' | 'cvss3', v: string | null | undefined) => {
      if (v === undefined || v === null) return v;
      try {
        const s = scoreVector(field === 'cvss4' ? 'CVSS_V4' : 'CVSS_V3', v.trim());
        if (field === 'cvss3' && s.version === '3.0') throw new InvalidInputError('CVSS 3.0 vectors are not taken here: send a CVSS:3.1/ vector');
        return s;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new InvalidInputError(`${field}: ${reason}`, { field, reason });
      }
    };
    const s4 = score('cvss4', input.cvss4);
    const s3 = score('cvss3', input.cvss3);
    return this.#write(actor, id, input.version, 'finding.scores', (cols) => {
      const set: Parameters<typeof updateTriage>[3] = {};
      if (s4 !== undefined) Object.assign(set, { cvss4_vector: s4?.vector ?? null, cvss4_score: s4?.score ?? null });
      if (s3 !== undefined) Object.assign(set, { cvss3_vector: s3?.vector ?? null, cvss3_score: s3?.score ?? null });
      const v4 = s4 === undefined ? cols.cvss4_score : (s4?.score ?? null);
      const v3 = s3 === undefined ? cols.cvss3_score : (s3?.score ?? null);
      set.cvss_rank = Math.round(Math.max(v4 ?? 0, v3 ?? 0) * 10);
      const detail = { cvss4: set.cvss4_vector === undefined ? undefined : { vector: set.cvss4_vector, score: set.cvss4_score }, cvss3: set.cvss3_vector === undefined ? undefined : { vector: set.cvss3_vector, score: set.cvss3_score } };
      return { set, event: { kind: 'scores', from_state: null, to_state: null, note: null, detail: JSON.stringify(detail) } };
    });
  }

  async setSsvc(actor: Principal, id: string, input: SsvcPoints & { version?: number | undefined }): Promise<FindingView> {
    const points: SsvcPoints = { exploitation: input.exploitation, automatable: input.automatable, technicalImpact: input.technicalImpact, missionWellbeing: input.missionWellbeing };
    const decision = ssvcDecision(points);
    if (!decision) throw new InvalidInputError('the SSVC decision points are not values of the CISA coordinator tree', { field: 'ssvc' });
    return this.#write(actor, id, input.version, 'finding.ssvc', (cols, now) => {
      const record: SsvcRecord = { ...points, decision, decidedAt: now };
      // KEV's "actively exploited" is evidence from CISA; a coordinator's SSVC answer never lowers it.
      const exploitation = cols.kev_date_added ? Math.max(2, EXPLOITATION_RANK[points.exploitation]) : EXPLOITATION_RANK[points.exploitation];
      return {
        set: { ssvc: JSON.stringify(record), ssvc_rank: SSVC_RANK[decision], exploitation_rank: exploitation },
        event: { kind: 'ssvc', from_state: null, to_state: null, note: null, detail: JSON.stringify(record) },
      };
    });
  }

  /**
   * The hook for findings created after a KEV import: intake calls it inside its creating transaction with the new
   * findings' seqs, and they are marked (exploitation, KEV dates, a history event) like those the import found.
   */
  async markKnownExploited(tx: Tx, findingSeqs: readonly number[], nowIso: string = this.deps.clock.now().toISOString()): Promise<KevMark[]> {
    const marks = await applyKevToFindings(tx, findingSeqs, nowIso);
    await insertTriageEvents(tx, marks.filter((m) => m.changed).map((m) => kevEvent(m, nowIso)));
    return marks;
  }

  /** The import's guard, for the route to refuse before it reads a body of up to 16 MiB. */
  checkKevImport(actor: Principal): void {
    authorize(actor, 'kev.import', null, this.deps.clock.now());
  }

  /**
   * Loads CISA's catalogue (replacing the stored one) and marks every finding with a KEV CVE alias as actively
   * exploited with the KEV dates, in one transaction; nothing is written when the catalogue is unreadable or invalid.
   * Advisories are marked by carrying a KEV CVE as id or alias (read live, see advisoryKev). The summary counts only
   * the findings and advisories the actor reads; the operator's CLI is told about every one.
   */
  async importKev(actor: Principal, body: Buffer | string): Promise<KevImportSummary> {
    this.checkKevImport(actor);
    const catalogue = await readKevCatalogue(body);
    const marks = await writeTx(this.deps, actor, async (tx, audit, nowIso, auditMany) => {
      await replaceKevCatalogue(tx, catalogue.entries, catalogue.catalogVersion, nowIso);
      const seqs = await findingSeqsWithAliases(tx, catalogue.entries.map((e) => e.cve));
      const marks = await this.markKnownExploited(tx, seqs, nowIso);
      await audit({ action: 'kev.import', recordType: 'kev-catalogue', recordId: catalogue.catalogVersion, organisationId: null, before: null, after: { catalogVersion: catalogue.catalogVersion, dateReleased: catalogue.dateReleased, entries: catalogue.entries.length } });
      await auditMany(marks.filter((m) => m.changed).map((m) => ({ action: 'finding.kev', recordType: 'finding', recordId: m.id, organisationId: m.label.owner, before: null, after: { cves: m.cves, dateAdded: m.dateAdded, dueDate: m.dueDate }, label: m.label })));
      return marks;
    });
    const now = this.deps.clock.now();
    const scope = isOperator(actor) ? { ...findingScope(actor, now), all: true } : findingScope(actor, now);
    const findings = await readableFindingSeqs(this.deps.db, scope, marks.map((m) => m.seq));
    const carrying = await advisoriesCarrying(this.deps.db, new Set(catalogue.entries.map((e) => e.cve)));
    const advisories = isOperator(actor) ? carrying.length : carrying.filter((a) => allows(actor, 'advisory.read', { label: a.label, state: a.state as 'draft' | 'published' | 'withdrawn' }, now)).length;
    return { entries: catalogue.entries.length, findings, advisories };
  }

  /** Which catalogue is stored, so that "not in KEV" is said only when a catalogue was looked in. */
  async kevStatus(actor: Principal): Promise<KevStatusView> {
    authorize(actor, 'kev.read', null, this.deps.clock.now());
    const s = await kevCatalogueStatus(this.deps.db);
    return s ?? { catalogVersion: null, importedAt: null, entries: 0 };
  }

  async kevEntry(actor: Principal, cve: string): Promise<KevEntryView> {
    authorize(actor, 'kev.read', null, this.deps.clock.now());
    const r = await findKevEntry(this.deps.db, cve.toUpperCase());
    if (!r) throw new NotFoundError('KEV entry');
    return presentKev(r);
  }

  /**
   * The KEV entries of one advisory: its id and aliases looked up in the stored catalogue, so an advisory published
   * after the import is marked too. Read under the advisory's own rule (an unreadable one answers as absent).
   */
  async advisoryKev(actor: Principal, advisoryId: string): Promise<{ advisoryId: string; kev: AdvisoryKevView[] }> {
    const advisory = await this.peers().advisories.get(actor, advisoryId);
    const aliases = Array.isArray(advisory.record.aliases) ? advisory.record.aliases.filter((a): a is string => typeof a === 'string') : [];
    const rows = await kevEntriesFor(this.deps.db, [advisory.id, ...aliases]);
    return {
      advisoryId: advisory.id,
      kev: rows.map((r) => ({ cve: r.cve, vendor: r.vendor, product: r.product, name: r.name, dateAdded: r.date_added, dueDate: r.due_date, knownRansomware: Number(r.known_ransomware) === 1 })),
    };
  }
}

function kevEvent(m: KevMark, at: string): NewTriageEvent {
  return { finding_seq: m.seq, kind: 'kev', from_state: null, to_state: null, note: null, detail: JSON.stringify({ cves: m.cves, dateAdded: m.dateAdded, dueDate: m.dueDate }), actor: 'CISA KEV catalogue', actor_user_id: null, at };
}

function presentKev(r: { cve: string; vendor: string; product: string; name: string; date_added: string; due_date: string; known_ransomware: number; required_action: string; catalog_version: string }): KevEntryView {
  return { cve: r.cve, vendor: r.vendor, product: r.product, name: r.name, dateAdded: r.date_added, dueDate: r.due_date, knownRansomware: Number(r.known_ransomware) === 1, requiredAction: r.required_action, catalogVersion: r.catalog_version };
}

