import { randomUUID } from 'node:crypto';
import type { Services } from '../composition.ts';
import { InvalidInputError, NotFoundError } from '../domain/errors.ts';
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
import { authorize } from '../domain/policy/authorize.ts';
import { findingScope } from '../domain/policy/finding.policy.ts';
import { DocumentError, InvalidDocumentError, parseFindingDocument } from '../formats/finding-documents.ts';
import type { AuditInput } from '../store/audit.repository.ts';
import {
  aliasesBySeq,
  countReports,
  findFinding,
  insertFindings,
  insertKeys,
  insertReports,
  listReports,
  organisationSectors,
  readableKeyOwners,
  setAliases,
  type FindingRow,
  type NewFindingRow,
} from '../store/finding.repository.ts';
import { existingOrganisationIds } from '../store/organisation.repository.ts';
import { presentAttachment, type AttachmentView } from './attachment.service.ts';
import type { AttachmentRow } from '../store/attachment.repository.ts';
import type { Readable } from 'node:stream';
import { writeTx, type ServiceDeps } from './context.ts';
import { buildLabel } from './organisation.service.ts';

export type { FindingDraft } from '../domain/intake/finding-input.ts';

/** A finding as submitted through the form or the API: the draft, who reports it, and under which label. */
export interface FindingInput extends FindingDraft {
  /** The reporting organisation; it owns the finding's label. */
  organisationId: string;
  /** Default TLP:AMBER: the reporter, government coordinators and (later) case participants read it. */
  label?: { tlp?: Tlp; embargoUntil?: string | null };
}

export type Exploitation = 'none' | 'poc' | 'active';
const EXPLOITATION: Exploitation[] = ['none', 'poc', 'active'];

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
  /** Why the report is on this finding: first, fingerprint, alias, product-cwe-location or merged. */
  reason: DedupReason;
  /** The key that matched (the fingerprint, the alias, product|CWE|location), or null for the first report. */
  matched: string | null;
  /** A coordinator's note on a merge or a split. */
  note: string | null;
  receivedAt: string;
  title: string;
  tool: { name: string; version: string | null; model: string | null } | null;
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
  /** Paths of files that were not documents we read (the CLI exits 2 when there is any). */
  unreadable: string[];
  /** Per file, for the upload page's result table. */
  files: { path: string; format: string | null; received: number; created: number; duplicates: number; rejected: number }[];
}

export const attachmentUrl = (findingId: string, attachmentId: string) => `/api/v1/findings/${findingId}/attachments/${attachmentId}`;

export function presentFinding(r: FindingRow, reports: number): FindingView {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    cwe: r.cwe,
    product: { purl: r.product_purl, versions: r.product_versions, cpe: r.product_cpe, name: r.product_name, organisationId: r.product_org_id, organisationName: r.product_org_name },
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

/** Findings intake, de-duplication and reports (issue 9; docs/findings.md). */
export class FindingService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  /** One finding from the form or the API. A bad field is a 400 naming it; a duplicate is linked, not created. */
  async create(actor: Principal, input: FindingInput & { source?: 'form' | 'api' }): Promise<CreateFindingResult> {
    const now = this.deps.clock.now();
    const label = await this.#reporterLabel(actor, input?.organisationId, input?.label?.tlp, input?.label?.embargoUntil, now);
    let finding: NormalisedFinding;
    try {
      finding = normaliseFinding(input);
    } catch (err) {
      if (err instanceof FindingInputError) throw new InvalidInputError(err.message, { field: err.field });
      throw err;
    }
    const bad = await this.#unknownProductOrgs([finding]);
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
   * Whole documents (SARIF, OSV, CSAF, AVID), thousands of findings per request, in one transaction: either every
   * accepted finding lands or none does. Entries that cannot be findings are listed in `rejected`, never dropped.
   */
  async importDocuments(actor: Principal, input: { organisationId: string; tlp?: Tlp; files: { path: string; body: Buffer | string }[] }): Promise<FindingImportResult> {
    const now = this.deps.clock.now();
    const label = await this.#reporterLabel(actor, input.organisationId, input.tlp, undefined, now);
    const result: FindingImportResult = { received: 0, created: 0, duplicates: 0, rejected: [], unreadable: [], files: [] };
    const items: Item[] = [];
    const fileOf: number[] = [];
    for (const file of input.files) {
      const summary = { path: file.path, format: null as string | null, received: 0, created: 0, duplicates: 0, rejected: 0 };
      result.files.push(summary);
      let parsed;
      try {
        parsed = await parseFindingDocument(file.body);
      } catch (err) {
        if (err instanceof DocumentError || err instanceof InvalidDocumentError) {
          if (err instanceof DocumentError) result.unreadable.push(file.path);
          result.rejected.push({ path: file.path, reason: err.message });
          summary.rejected++;
          continue;
        }
        throw err;
      }
      summary.format = parsed.format;
      for (const e of parsed.entries) {
        result.received++;
        summary.received++;
        const path = e.pointer ? `${file.path}#${e.pointer}` : file.path;
        if (!e.draft) {
          result.rejected.push({ path, reason: e.problem ?? 'not a finding' });
          summary.rejected++;
          continue;
        }
        try {
          items.push({ path, source: parsed.format, finding: normaliseFinding(e.draft) });
          fileOf.push(result.files.length - 1);
        } catch (err) {
          if (!(err instanceof FindingInputError)) throw err;
          result.rejected.push({ path, reason: err.field ? `${err.field}: ${err.message}` : err.message });
          summary.rejected++;
        }
      }
      if (items.length > FINDING_LIMITS.perRequest) throw new InvalidInputError(`at most ${FINDING_LIMITS.perRequest} findings per request; split the upload`, { field: 'files' });
    }
    const bad = await this.#unknownProductOrgs(items.map((i) => i.finding));
    const kept: Item[] = [];
    const keptFile: number[] = [];
    for (const [i, it] of items.entries()) {
      if (it.finding.product.organisationId && bad.has(it.finding.product.organisationId)) {
        result.rejected.push({ path: it.path, reason: `product.organisationId: organisation ${it.finding.product.organisationId} does not exist` });
        result.files[fileOf[i]!]!.rejected++;
      } else {
        kept.push(it);
        keptFile.push(fileOf[i]!);
      }
    }
    if (kept.length) {
      const out = await this.#ingest(actor, label, kept);
      result.created = out.created;
      result.duplicates = out.duplicates;
      for (const [i, r] of out.results.entries()) result.files[keptFile[i]!]![r.created ? 'created' : 'duplicates']++;
    }
    return result;
  }

  async get(actor: Principal, id: string): Promise<FindingView> {
    const f = await findFinding(this.deps.db, id);
    if (!f) throw new NotFoundError('finding');
    authorize(actor, 'finding.read', { label: f.label }, this.deps.clock.now());
    return presentFinding(f.row, await countReports(this.deps.db, f.row.seq));
  }

  /** Every report on a finding, each with its reporter (credited) and why it was linked. */
  async reports(actor: Principal, id: string): Promise<FindingReportView[]> {
    const f = await findFinding(this.deps.db, id);
    if (!f) throw new NotFoundError('finding');
    authorize(actor, 'finding.read', { label: f.label }, this.deps.clock.now());
    return (await listReports(this.deps.db, f.row.seq, 1000)).map((r) => {
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
    });
  }

  /**
   * Evidence for a finding: the reporting organisation and coordinators (finding.attach), decided before a byte of
   * the body is read; then the body is staged (streamed to a temp file, hashed, capped) outside any transaction, and
   * one short transaction stores the blob, the row and the audit entry.
   */
  async attach(actor: Principal, findingId: string, upload: { body: AsyncIterable<Uint8Array> | Uint8Array; filename?: string | null; mediaType?: string | null; declaredSize?: number | null }): Promise<AttachmentView> {
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
    const f = await findFinding(this.deps.db, id);
    if (!f) throw new NotFoundError('finding');
    authorize(actor, 'finding.read', { label: f.label }, this.deps.clock.now());
    return f;
  }

  async #reporterLabel(actor: Principal, organisationId: unknown, tlp: unknown, embargoUntil: string | null | undefined, now: Date): Promise<AccessLabel> {
    if (typeof organisationId !== 'string' || organisationId === '') throw new InvalidInputError('organisationId is required: the reporting organisation', { field: 'organisationId' });
    // Membership first: a non-member learns nothing about whether the organisation exists.
    authorize(actor, 'finding.create', { reporter: organisationId }, now);
    if (!(await existingOrganisationIds(this.deps.db, [organisationId])).has(organisationId)) {
      throw new InvalidInputError(`organisation ${organisationId} does not exist`, { field: 'organisationId' });
    }
    if (tlp !== undefined && !(TLP_LEVELS as readonly unknown[]).includes(tlp)) throw new InvalidInputError(`tlp must be one of ${TLP_LEVELS.join(', ')}`, { field: 'label.tlp' });
    return buildLabel(organisationId, { ...(tlp ? { tlp: tlp as Tlp } : {}), ...(embargoUntil !== undefined ? { embargoUntil } : {}) }, undefined, 'AMBER');
  }

  async #unknownProductOrgs(findings: readonly NormalisedFinding[]): Promise<Set<string>> {
    const ids = [...new Set(findings.map((f) => f.product.organisationId).filter((x): x is string => !!x))];
    if (!ids.length) return new Set();
    const known = await existingOrganisationIds(this.deps.db, ids);
    return new Set(ids.filter((i) => !known.has(i)));
  }

  /** De-duplicates and writes a batch in one transaction, with one audit entry per finding created or report linked. */
  async #ingest(actor: Principal, label: AccessLabel, items: readonly Item[]): Promise<IngestOutcome> {
    const scope = findingScope(actor, this.deps.clock.now());
    return writeTx(
      this.deps,
      actor,
      async (tx, _audit, now, auditMany) => {
        const allKeys = items.flatMap((i) => dedupKeys(i.finding));
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
          const s = f.product.organisationId ? (sectors.get(f.product.organisationId) ?? []) : [];
          rows.push({
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
            source: items[i]!.source,
            reporter_org_id: label.owner,
            reporter_user_id: actor.userId,
            sectors: s.length ? `,${s.join(',')},` : '',
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
          });
        }
        const newSeqs = await insertFindings(tx, rows);
        const seqOfNew = new Map(newIdx.map((itemIndex, k) => [`new:${itemIndex}`, newSeqs[k]!]));
        const idOfNew = new Map(newIdx.map((itemIndex, k) => [`new:${itemIndex}`, rows[k]!.id]));
        const targetSeq = (t: string) => seqOfNew.get(t) ?? Number(t);

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
        for (const [seq, set] of grown) {
          const c = current.get(seq);
          if (!c || set.size === c.aliases.length) continue;
          const aliases = [...set];
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
        await auditMany(entries);
        return { created: newIdx.length, duplicates: items.length - newIdx.length, results };
      },
      // A 10,000-finding upload is one change for listeners, not 10,000.
      (events) => (events.length > 100 ? [{ ...events[0]!, topic: 'finding.import', recordId: '*' }] : events),
    );
  }
}
