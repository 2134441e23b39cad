import { createHash, randomUUID } from 'node:crypto';
import { DomainError, ForbiddenError, InvalidInputError, NotFoundError, StaleWriteError } from '../domain/errors.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { allows, authorize, guardFor } from '../domain/policy/authorize.ts';
import { inventoryScope } from '../domain/policy/inventory.policy.ts';
import { organisationScope } from '../domain/policy/organisation.policy.ts';
import { isOperator } from '../domain/policy/predicates.ts';
import { mergeAssetFields, NO_ASSET_FIELDS } from '../domain/assets/asset-fields.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';
import { parseSbom, type ParsedSbom, type SbomComponent } from '../formats/sbom.ts';
import {
  deleteComponents,
  deleteInventory,
  findVisibleInventory,
  fromInventory,
  insertComponents,
  insertInventory,
  listComponents,
  listInventories,
  saveInventoryVersioned,
  toInventory,
  type Inventory,
  type InventoryFilter,
  type InventoryReader,
  type InventoryRow,
  type NewComponent,
  type StoredComponent,
  type UnmatchedEntry,
} from '../store/inventory.repository.ts';
import { relabelEntries } from '../store/audit.repository.ts';
import type { Tx } from '../store/db.ts';
import { existingOrganisationIds, findVisibleOrganisation } from '../store/organisation.repository.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { inProcessSbomParser, type SbomParser } from './sbom-pool.ts';
import { enqueueInventoryMatch } from './remediation-jobs.ts';
import { buildLabel, checkVersion, type LabelInput } from './organisation.service.ts';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from './pagination.ts';

export type { Inventory, StoredComponent } from '../store/inventory.repository.ts';

/** How the body was declared: the format must agree with it (an XML body sent as JSON is a client bug). */
export type SbomMedia = 'json' | 'xml';

export interface SbomUpload {
  body: Uint8Array | string;
  media: SbomMedia;
}

/** The asset the inventory describes (src/domain/assets/asset-fields.ts); null clears a field, undefined leaves it. */
export interface AssetFieldsInput {
  sector?: string | null | undefined;
  criticality?: string | null | undefined;
  environment?: string | null | undefined;
}

export interface CreateInventoryInput extends SbomUpload, AssetFieldsInput {
  name: string;
  /** Owning organisation; may be left out by a member of exactly one organisation. */
  organisationId?: string | undefined;
  label?: LabelInput | undefined;
}

export interface UpdateInventoryInput extends AssetFieldsInput {
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

/**
 * The stored, canonical form of one parsed component: the key advisories are indexed under, plus its source. When
 * the purl's `distro` qualifier names no release we can decide, the row is still stored (with a null release, which
 * the reverse query matches against every release) and `releaseProblem` says so, for the inventory's `unmatched`.
 */
export function prepareComponent(c: SbomComponent): { row: NewComponent; releaseProblem: string | null } {
  const osv = componentFromPurl(c.purl);
  const row: NewComponent = {
    ecosystem: osv.ecosystem,
    release: osv.release,
    // GIT components have no names list: their name is the normalised repository URL.
    name: osv.names[0] ?? osv.name,
    source_name: osv.names[1] ?? null,
    version: osv.version,
    purl: osv.purl,
    bom_ref: c.bomRef ?? null,
  };
  return { row, releaseProblem: osv.releaseProblem === undefined ? null : `${osv.releaseProblem} (the component is stored)` };
}

/** Only the stored row (benches build rows this way). */
export function toStoredComponent(c: SbomComponent): NewComponent {
  return prepareComponent(c).row;
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
      const { row, releaseProblem } = prepareComponent(c);
      rows.push(row);
      // Never quietly clean: a release we could not decide is stored and matched everywhere, but named here.
      if (releaseProblem !== null) unmatched.push({ ref: c.bomRef ?? c.purl, reason: releaseProblem });
    } catch (err) {
      unmatched.push({ ref: c.bomRef ?? c.purl, reason: (err as Error).message });
    }
  }
  return { parsed, rows, unmatched, sha: sha256(upload.body) };
}

function storedUnmatched(all: UnmatchedEntry[]): UnmatchedEntry[] {
  return all.slice(0, MAX_STORED_UNMATCHED).map((u) => ({ ref: u.ref.slice(0, MAX_REASON), reason: u.reason.slice(0, MAX_REASON) }));
}

/** What the audit log digests: the inventory without its (capped) reasons and findings lists, its content named by hash. */
function auditView(i: Inventory): Omit<Inventory, 'unmatched' | 'schemaWarnings'> {
  const { unmatched: _omit, schemaWarnings: _omitWarnings, ...rest } = i;
  return rest;
}

export class InventoryService {
  constructor(
    private readonly deps: ServiceDeps,
    /** Where uploads are parsed: the server passes its worker pool (src/composition.ts). */
    private readonly sbomParser: SbomParser = inProcessSbomParser,
  ) {}

  reader(p: Principal): InventoryReader {
    return inventoryScope(p, this.deps.clock.now());
  }

  async list(p: Principal, page: PageRequest & InventoryFilter): Promise<Page<Inventory>> {
    authorize(p, 'inventory.list', null, this.deps.clock.now());
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const filter: InventoryFilter = { organisationId: page.organisationId, sector: page.sector, criticality: page.criticality, environment: page.environment };
    const rows = await listInventories(this.deps.db, this.reader(p), filter, after, limit + 1);
    return toPage(rows, limit, toInventory, (r) => [r.name, r.id]);
  }

  async get(p: Principal, id: string): Promise<Inventory> {
    return toInventory(await this.visibleRow(p, id));
  }

  private async visibleRow(p: Principal, id: string): Promise<InventoryRow> {
    const now = this.deps.clock.now();
    guardFor(p, 'inventory.read');
    const row = await findVisibleInventory(this.deps.db, inventoryScope(p, now), id);
    if (!row) throw new NotFoundError('inventory');
    authorize(p, 'inventory.read', toInventory(row), now);
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
    const now = this.deps.clock.now();
    if (allows(p, 'inventory.create', { owner: orgId }, now)) {
      if (isOperator(p) && !(await existingOrganisationIds(this.deps.db, [orgId])).has(orgId)) {
        throw new InvalidInputError(`organisation ${orgId} does not exist`, { parameter: 'organisationId' });
      }
      return orgId;
    }
    // Unknown and invisible read the same, so the answer does not reveal which organisations exist.
    const org = await findVisibleOrganisation(this.deps.db, organisationScope(p, now), orgId);
    if (!org) throw new InvalidInputError(`organisation ${orgId} does not exist or is not visible to you`, { parameter: 'organisationId' });
    authorize(p, 'inventory.create', { owner: orgId }, now);
    throw new ForbiddenError('only members of the owning organisation can upload its inventories');
  }

  async create(p: Principal, input: CreateInventoryInput): Promise<Inventory> {
    guardFor(p, 'inventory.create');
    const name = checkName(input.name);
    const asset = mergeAssetFields(NO_ASSET_FIELDS, input);
    const owner = await this.owningOrganisation(p, input.organisationId);
    const label = buildLabel(owner, input.label, undefined, 'AMBER');
    authorize(p, 'label.apply', label, this.deps.clock.now());
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
        schema: sbom.schema.schema,
        schemaWarnings: sbom.schema.warnings,
        schemaWarningCount: sbom.schema.warningCount,
        ...asset,
        label,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const seq = await insertInventory(tx, inv);
      await insertComponents(tx, seq, sbom);
      await enqueueInventoryMatch(tx, inv.id, now);
      await audit({ action: 'inventory.create', recordType: 'inventory', recordId: inv.id, organisationId: owner, label, before: null, after: auditView(inv) });
      return inv;
    });
  }

  /** Loads a visible inventory for a write: hidden reads as absent, visible-but-not-yours as forbidden. */
  private async forWrite(p: Principal, id: string, tx: Tx): Promise<InventoryRow> {
    const now = this.deps.clock.now();
    const row = await findVisibleInventory(tx, inventoryScope(p, now), id);
    if (!row) throw new NotFoundError('inventory');
    authorize(p, 'inventory.write', toInventory(row), now);
    return row;
  }

  /** Replaces the contents with a new SBOM (same id, label and name unless given), version + 1. */
  async replaceSbom(p: Principal, id: string, input: SbomUpload & { name?: string | undefined }, expectedVersion: number | undefined): Promise<Inventory> {
    guardFor(p, 'inventory.write');
    const name = input.name === undefined ? undefined : checkName(input.name);
    // Cheap checks first so a stale or forbidden replace is refused before parsing megabytes.
    const current = await this.visibleRow(p, id);
    authorize(p, 'inventory.write', toInventory(current), this.deps.clock.now());
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
        schema: sbom.schema.schema,
        schemaWarnings: sbom.schema.warnings,
        schemaWarningCount: sbom.schema.warningCount,
        version: before.version + 1,
        updatedAt: now,
      };
      await this.saveVersioned(tx, row, after);
      await deleteComponents(tx, row.seq);
      await insertComponents(tx, row.seq, sbom);
      await enqueueInventoryMatch(tx, id, now);
      await audit({ action: 'inventory.replace', recordType: 'inventory', recordId: id, organisationId: row.owner_org_id, label: after.label, before: auditView(before), after: auditView(after) });
      return after;
    });
  }

  async update(p: Principal, id: string, input: UpdateInventoryInput, expectedVersion: number | undefined): Promise<Inventory> {
    guardFor(p, 'inventory.write');
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await this.forWrite(p, id, tx);
      const before = toInventory(row);
      checkVersion(expectedVersion, before.version);
      const label = buildLabel(before.label.owner, input.label, before.label, 'AMBER');
      if (input.label?.restricted) authorize(p, 'label.apply', label, this.deps.clock.now());
      const asset = mergeAssetFields(before, input);
      const after: Inventory = { ...before, name: input.name === undefined ? before.name : checkName(input.name), ...asset, label, version: before.version + 1, updatedAt: now };
      await this.saveVersioned(tx, row, after);
      await relabelEntries(tx, 'inventory', id, label);
      await audit({ action: 'inventory.update', recordType: 'inventory', recordId: id, organisationId: row.owner_org_id, label, before: auditView(before), after: auditView(after) });
      return after;
    });
  }

  async remove(p: Principal, id: string, expectedVersion?: number): Promise<void> {
    guardFor(p, 'inventory.write');
    await writeTx(this.deps, p, async (tx, audit) => {
      const row = await this.forWrite(p, id, tx);
      const before = toInventory(row);
      if (expectedVersion !== undefined) checkVersion(expectedVersion, before.version);
      await deleteInventory(tx, row.seq);
      await audit({ action: 'inventory.delete', recordType: 'inventory', recordId: id, organisationId: row.owner_org_id, label: before.label, before: auditView(before), after: null });
    });
  }

  private async saveVersioned(tx: Tx, row: InventoryRow, after: Inventory): Promise<void> {
    if (!(await saveInventoryVersioned(tx, row.seq, row.version, after))) throw new StaleWriteError(row.version);
  }
}
