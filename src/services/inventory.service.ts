import { createHash, randomUUID } from 'node:crypto';
import { DomainError, ForbiddenError, InvalidInputError, NotFoundError, StaleWriteError } from '../domain/errors.ts';
import { canApplyLabel, canWriteOwned, readerFacts, type Principal } from '../domain/policy/access-label.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';
import { parseSbom, type ParsedSbom, type SbomComponent } from '../formats/sbom.ts';
import {
  deleteComponents,
  findVisibleInventory,
  fromInventory,
  insertComponents,
  insertInventory,
  listComponents,
  listInventories,
  toInventory,
  type Inventory,
  type InventoryReader,
  type InventoryRow,
  type NewComponent,
  type StoredComponent,
  type UnmatchedEntry,
} from '../store/inventory.repository.ts';
import type { Tx } from '../store/db.ts';
import { findVisibleOrganisation } from '../store/organisation.repository.ts';
import { requireUser } from './access.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { inProcessSbomParser, type SbomParser } from './sbom-pool.ts';
import { buildLabel, checkVersion, type LabelInput } from './organisation.service.ts';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from './pagination.ts';

export type { Inventory, StoredComponent } from '../store/inventory.repository.ts';

/** How the body was declared: the format must agree with it (an XML body sent as JSON is a client bug). */
export type SbomMedia = 'json' | 'xml';

export interface SbomUpload {
  body: Uint8Array | string;
  media: SbomMedia;
}

export interface CreateInventoryInput extends SbomUpload {
  name: string;
  /** Owning organisation; may be left out by a member of exactly one organisation. */
  organisationId?: string | undefined;
  label?: LabelInput | undefined;
}

export interface UpdateInventoryInput {
  name?: string | undefined;
  label?: LabelInput | undefined;
}

/** Reasons kept with the inventory; a 100k-line SBOM without purls must not turn into a 10 MB row. */
export const MAX_STORED_UNMATCHED = 200;
const MAX_REASON = 500;

function checkName(name: string): string {
  const n = name.trim();
  if (n.length < 1 || n.length > 200) throw new InvalidInputError('name must have 1 to 200 characters', { parameter: 'name' });
  return n;
}

function sha256(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

interface PreparedSbom {
  parsed: ParsedSbom;
  rows: NewComponent[];
  unmatched: UnmatchedEntry[];
  sha: string;
}

/** The stored, canonical form of one parsed component: the key advisories are indexed under, plus its source. */
export function toStoredComponent(c: SbomComponent): NewComponent {
  const osv = componentFromPurl(c.purl);
  return {
    ecosystem: osv.ecosystem,
    release: osv.release,
    // GIT components have no names list: their name is the normalised repository URL.
    name: osv.names[0] ?? osv.name,
    source_name: osv.names[1] ?? null,
    version: osv.version,
    purl: osv.purl,
    bom_ref: c.bomRef ?? null,
  };
}

/** Parses and checks an upload before any transaction starts, so a bad SBOM writes nothing. */
export function prepareSbom(upload: SbomUpload): PreparedSbom {
  if (upload.body.length === 0) throw new DomainError('invalid-sbom', 'the request body is empty: send the SBOM document as the body');
  const parsed = parseSbom(upload.body);
  const isXml = parsed.format === 'cyclonedx-xml';
  if (isXml !== (upload.media === 'xml')) {
    throw new DomainError('invalid-sbom', `the body is ${isXml ? 'XML' : 'JSON'} but was sent as ${upload.media === 'xml' ? 'XML' : 'JSON'}: set Content-Type to ${isXml ? 'application/vnd.cyclonedx+xml' : 'application/json'}`);
  }
  const rows: NewComponent[] = [];
  const unmatched: UnmatchedEntry[] = [...parsed.unmatched];
  for (const c of parsed.components) {
    try {
      rows.push(toStoredComponent(c));
    } catch (err) {
      unmatched.push({ ref: c.bomRef ?? c.purl, reason: (err as Error).message });
    }
  }
  return { parsed, rows, unmatched, sha: sha256(upload.body) };
}

function storedUnmatched(all: UnmatchedEntry[]): UnmatchedEntry[] {
  return all.slice(0, MAX_STORED_UNMATCHED).map((u) => ({ ref: u.ref.slice(0, MAX_REASON), reason: u.reason.slice(0, MAX_REASON) }));
}

/** What the audit log digests: the inventory without its (capped) reasons list, its content named by hash. */
function auditView(i: Inventory): Omit<Inventory, 'unmatched'> {
  const { unmatched: _omit, ...rest } = i;
  return rest;
}

export class InventoryService {
  constructor(
    private readonly deps: ServiceDeps,
    /** Where uploads are parsed: the server passes its worker pool (src/composition.ts). */
    private readonly sbomParser: SbomParser = inProcessSbomParser,
  ) {}

  reader(p: Principal): InventoryReader {
    return { all: p.via === 'system', facts: readerFacts(p), now: this.deps.clock.now().toISOString() };
  }

  private mayWrite(p: Principal, owner: string): boolean {
    return p.via === 'system' || p.via === 'cli' || canWriteOwned(p, owner, false);
  }

  async list(p: Principal, page: PageRequest & { organisationId?: string | undefined }): Promise<Page<Inventory>> {
    if (p.userId !== null) requireUser(p);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const rows = await listInventories(this.deps.db, this.reader(p), { organisationId: page.organisationId }, after, limit + 1);
    return toPage(rows, limit, toInventory, (r) => [r.name, r.id]);
  }

  async get(p: Principal, id: string): Promise<Inventory> {
    return toInventory(await this.visibleRow(p, id));
  }

  private async visibleRow(p: Principal, id: string): Promise<InventoryRow> {
    if (p.userId !== null) requireUser(p);
    const row = await findVisibleInventory(this.deps.db, this.reader(p), id);
    if (!row) throw new NotFoundError('inventory');
    return row;
  }

  async components(p: Principal, id: string, page: PageRequest): Promise<Page<StoredComponent>> {
    const row = await this.visibleRow(p, id);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 1) as [number] | null;
    if (after && !Number.isSafeInteger(after[0])) throw new InvalidInputError('invalid cursor: pass the nextCursor value of the previous page unchanged', { parameter: 'cursor' });
    const rows = await listComponents(this.deps.db, row.seq, after ? after[0] : null, limit + 1);
    return toPage(rows, limit, (c) => c, (c) => [c.id]);
  }

  private async owningOrganisation(p: Principal, requested: string | undefined): Promise<string> {
    let orgId = requested;
    if (orgId === undefined) {
      if (p.memberships.size !== 1) {
        throw new InvalidInputError('organisationId is required: name the organisation that owns this inventory', { parameter: 'organisationId' });
      }
      orgId = [...p.memberships.keys()][0]!;
    }
    if (this.mayWrite(p, orgId)) {
      if (p.via === 'system' || p.via === 'cli') {
        const exists = await this.deps.db.selectFrom('organisations').select('id').where('id', '=', orgId).executeTakeFirst();
        if (!exists) throw new InvalidInputError(`organisation ${orgId} does not exist`, { parameter: 'organisationId' });
      }
      return orgId;
    }
    // Unknown and invisible read the same, so the answer does not reveal which organisations exist.
    const org = await findVisibleOrganisation(this.deps.db, { siteAdmin: p.siteAdmin, facts: readerFacts(p), now: this.deps.clock.now().toISOString() }, orgId);
    if (!org) throw new InvalidInputError(`organisation ${orgId} does not exist or is not visible to you`, { parameter: 'organisationId' });
    throw new ForbiddenError('only members of the owning organisation can upload its inventories');
  }

  async create(p: Principal, input: CreateInventoryInput): Promise<Inventory> {
    requireUser(p, 'write');
    const name = checkName(input.name);
    const owner = await this.owningOrganisation(p, input.organisationId);
    const label = buildLabel(owner, input.label, undefined, 'AMBER');
    if (p.via !== 'system' && p.via !== 'cli' && !canApplyLabel(readerFacts(p), label)) throw new ForbiddenError('you can only restrict a record to a role you hold');
    const sbom = await this.sbomParser.prepare(input);
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const inv: Inventory = {
        id: randomUUID(),
        name,
        format: sbom.format,
        componentCount: sbom.purl.length,
        unmatchedCount: sbom.unmatched.length,
        unmatched: storedUnmatched(sbom.unmatched),
        sbomSha256: sbom.sha,
        label,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const seq = await insertInventory(tx, inv);
      await insertComponents(tx, seq, sbom);
      await audit({ action: 'inventory.create', recordType: 'inventory', recordId: inv.id, organisationId: owner, before: null, after: auditView(inv) });
      return inv;
    });
  }

  /** Loads a visible inventory for a write: hidden reads as absent, visible-but-not-yours as forbidden. */
  private async forWrite(p: Principal, id: string, tx: Tx): Promise<InventoryRow> {
    const row = await findVisibleInventory(tx, this.reader(p), id);
    if (!row) throw new NotFoundError('inventory');
    if (!this.mayWrite(p, row.owner_org_id)) throw new ForbiddenError('only members of the owning organisation can change its inventories');
    return row;
  }

  /** Replaces the contents with a new SBOM (same id, label and name unless given), version + 1. */
  async replaceSbom(p: Principal, id: string, input: SbomUpload & { name?: string | undefined }, expectedVersion: number | undefined): Promise<Inventory> {
    requireUser(p, 'write');
    const name = input.name === undefined ? undefined : checkName(input.name);
    // Cheap checks first so a stale or forbidden replace is refused before parsing megabytes.
    const current = await this.visibleRow(p, id);
    if (!this.mayWrite(p, current.owner_org_id)) throw new ForbiddenError('only members of the owning organisation can change its inventories');
    checkVersion(expectedVersion, current.version);
    const sbom = await this.sbomParser.prepare(input);
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await this.forWrite(p, id, tx);
      const before = toInventory(row);
      checkVersion(expectedVersion, before.version);
      const after: Inventory = {
        ...before,
        name: name ?? before.name,
        format: sbom.format,
        componentCount: sbom.purl.length,
        unmatchedCount: sbom.unmatched.length,
        unmatched: storedUnmatched(sbom.unmatched),
        sbomSha256: sbom.sha,
        version: before.version + 1,
        updatedAt: now,
      };
      await this.saveVersioned(tx, row, after);
      await deleteComponents(tx, row.seq);
      await insertComponents(tx, row.seq, sbom);
      await audit({ action: 'inventory.replace', recordType: 'inventory', recordId: id, organisationId: row.owner_org_id, before: auditView(before), after: auditView(after) });
      return after;
    });
  }

  async update(p: Principal, id: string, input: UpdateInventoryInput, expectedVersion: number | undefined): Promise<Inventory> {
    requireUser(p, 'write');
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await this.forWrite(p, id, tx);
      const before = toInventory(row);
      checkVersion(expectedVersion, before.version);
      const label = buildLabel(before.label.owner, input.label, before.label, 'AMBER');
      if (input.label?.restricted && p.via !== 'system' && p.via !== 'cli' && !canApplyLabel(readerFacts(p), label)) {
        throw new ForbiddenError('you can only restrict a record to a role you hold');
      }
      const after: Inventory = { ...before, name: input.name === undefined ? before.name : checkName(input.name), label, version: before.version + 1, updatedAt: now };
      await this.saveVersioned(tx, row, after);
      await audit({ action: 'inventory.update', recordType: 'inventory', recordId: id, organisationId: row.owner_org_id, before: auditView(before), after: auditView(after) });
      return after;
    });
  }

  async remove(p: Principal, id: string, expectedVersion?: number): Promise<void> {
    requireUser(p, 'write');
    await writeTx(this.deps, p, async (tx, audit) => {
      const row = await this.forWrite(p, id, tx);
      const before = toInventory(row);
      if (expectedVersion !== undefined) checkVersion(expectedVersion, before.version);
      // Components go by ON DELETE CASCADE.
      await tx.deleteFrom('inventories').where('seq', '=', row.seq).execute();
      await audit({ action: 'inventory.delete', recordType: 'inventory', recordId: id, organisationId: row.owner_org_id, before: auditView(before), after: null });
    });
  }

  private async saveVersioned(tx: Tx, row: InventoryRow, after: Inventory): Promise<void> {
    const res = await tx.updateTable('inventories').set(fromInventory(after)).where('seq', '=', row.seq).where('version', '=', row.version).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new StaleWriteError(row.version);
  }
}
