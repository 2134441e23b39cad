import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, PreconditionRequiredError, StaleWriteError } from '../domain/errors.ts';
import {
  BASE_ROLES,
  CI_SECTORS,
  RESTRICTED_ROLE_PATTERN,
  canApplyLabel,
  readerFacts,
  type AccessLabel,
  type CiSector,
  type OrganisationKind,
  type Principal,
  type Tlp,
} from '../domain/policy/access-label.ts';
import { fromOrganisation, findVisibleOrganisation, listOrganisations, toOrganisation, type Organisation, type OrganisationReader } from '../store/organisation.repository.ts';
import type { Tx } from '../store/db.ts';
import { isOrgAdmin, requireSiteAdmin, requireUser } from './access.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from './pagination.ts';

export interface LabelInput {
  tlp?: Tlp;
  embargoUntil?: string | null;
  restricted?: string | null;
}

export interface CreateOrganisationInput {
  name: string;
  kind: OrganisationKind;
  sectors?: CiSector[];
  label?: LabelInput;
}

export interface UpdateOrganisationInput {
  name?: string;
  sectors?: CiSector[];
  label?: LabelInput;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  roles: string[];
}

const ROLE_RE = new RegExp(RESTRICTED_ROLE_PATTERN);

export function checkRoles(roles: string[]): string[] {
  const unique = [...new Set(roles)];
  if (unique.length === 0) throw new InvalidInputError('a membership needs at least one role', { field: 'roles' });
  for (const r of unique) {
    if (!(BASE_ROLES as readonly string[]).includes(r) && !ROLE_RE.test(r)) {
      throw new InvalidInputError(`invalid role ${JSON.stringify(r)}: use admin, member, or a lower-case restricted role name like designation-reviewer`, { field: 'roles' });
    }
  }
  return unique.sort();
}

/**
 * Need-to-know roles open restricted records, so handing one out is itself restricted: site administrators may grant
 * any role; an organisation's administrator only `admin`, `member`, and restricted roles they hold in that
 * organisation themselves. Otherwise any organisation admin could grant themselves `designation-reviewer`.
 */
export function checkGrant(p: Principal, organisationId: string, roles: string[]): void {
  if (p.siteAdmin) return;
  const own = p.memberships.get(organisationId)?.roles ?? new Set<string>();
  const denied = roles.filter((r) => !(BASE_ROLES as readonly string[]).includes(r) && !own.has(r));
  if (denied.length) {
    throw new ForbiddenError(`only site administrators, or administrators holding it themselves, can grant the restricted role ${denied.join(', ')}`);
  }
}

function checkSectors(kind: OrganisationKind, sectors: CiSector[]): CiSector[] {
  const unique = [...new Set(sectors)].sort();
  for (const s of unique) if (!(CI_SECTORS as readonly string[]).includes(s)) throw new InvalidInputError(`unknown sector ${JSON.stringify(s)}`, { field: 'sectors' });
  if (kind === 'infrastructure-operator' && unique.length === 0) {
    throw new InvalidInputError('an infrastructure operator needs at least one critical-infrastructure sector', { field: 'sectors' });
  }
  if (kind !== 'infrastructure-operator' && unique.length > 0) {
    throw new InvalidInputError('only infrastructure operators carry critical-infrastructure sectors', { field: 'sectors' });
  }
  return unique;
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length < 2 || n.length > 200) throw new InvalidInputError('name must have 2 to 200 characters', { field: 'name' });
  return n;
}

export function buildLabel(owner: string, input: LabelInput | undefined, base?: AccessLabel, defaultTlp: Tlp = 'GREEN'): AccessLabel {
  const embargo = input?.embargoUntil === undefined ? (base?.embargoUntil ?? null) : input.embargoUntil;
  if (embargo !== null && Number.isNaN(Date.parse(embargo))) throw new InvalidInputError('embargoUntil must be an ISO 8601 date-time', { field: 'label.embargoUntil' });
  const restricted = input?.restricted === undefined ? (base?.restricted ?? null) : input.restricted;
  if (restricted !== null && !ROLE_RE.test(restricted)) throw new InvalidInputError('label.restricted must be a role name like designation-reviewer', { field: 'label.restricted' });
  return {
    owner,
    tlp: input?.tlp ?? base?.tlp ?? defaultTlp,
    embargoUntil: embargo === null ? null : new Date(embargo).toISOString(),
    restricted,
  };
}

/** Optimistic concurrency: every update names the version it read. */
export function checkVersion(expected: number | undefined, current: number): void {
  if (expected === undefined) throw new PreconditionRequiredError();
  if (expected !== current) throw new StaleWriteError(current);
}

export class OrganisationService {
  constructor(private readonly deps: ServiceDeps) {}

  private reader(p: Principal): OrganisationReader {
    return { siteAdmin: p.siteAdmin, facts: readerFacts(p), now: this.deps.clock.now().toISOString() };
  }

  async list(p: Principal, page: PageRequest): Promise<Page<Organisation>> {
    if (p.userId !== null) requireUser(p);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const rows = await listOrganisations(this.deps.db, this.reader(p), after, limit + 1);
    return toPage(rows, limit, toOrganisation, (r) => [r.name, r.id]);
  }

  async get(p: Principal, id: string): Promise<Organisation> {
    if (p.userId !== null) requireUser(p);
    const row = await findVisibleOrganisation(this.deps.db, this.reader(p), id);
    if (!row) throw new NotFoundError('organisation');
    return toOrganisation(row);
  }

  async create(p: Principal, input: CreateOrganisationInput): Promise<Organisation> {
    requireSiteAdmin(p);
    const id = randomUUID();
    const label = buildLabel(id, input.label);
    if (!(p.via === 'cli' || p.via === 'system') && !canApplyLabel(readerFacts(p), label)) {
      throw new ForbiddenError('you can only restrict a record to a role you hold');
    }
    const name = checkName(input.name);
    const sectors = checkSectors(input.kind, input.sectors ?? []);
    return writeTx(this.deps, p, async (tx, audit, now) => {
      await this.ensureNameFree(tx, name, null);
      const org: Organisation = { id, name, kind: input.kind, sectors, label, version: 1, createdAt: now, updatedAt: now };
      await tx.insertInto('organisations').values(fromOrganisation(org)).execute();
      await audit({ action: 'organisation.create', recordType: 'organisation', recordId: id, organisationId: id, before: null, after: org });
      return org;
    });
  }

  async update(p: Principal, id: string, input: UpdateOrganisationInput, expectedVersion: number | undefined): Promise<Organisation> {
    requireUser(p, 'write');
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await findVisibleOrganisation(tx, this.reader(p), id);
      if (!row) throw new NotFoundError('organisation');
      if (!p.siteAdmin && !isOrgAdmin(p, id)) throw new ForbiddenError('only site administrators and the organisation\'s administrators can change it');
      const before = toOrganisation(row);
      checkVersion(expectedVersion, before.version);
      const label = buildLabel(id, input.label, before.label);
      if (input.label?.restricted && !canApplyLabel(readerFacts(p), label)) throw new ForbiddenError('you can only restrict a record to a role you hold');
      const name = input.name === undefined ? before.name : checkName(input.name);
      if (name !== before.name) {
        // Names are unique across the directory, so a clash would tell an organisation admin that a hidden
        // organisation of that name exists. Renaming is for site administrators, who see the whole directory.
        if (!p.siteAdmin) throw new ForbiddenError('only site administrators rename organisations');
        await this.ensureNameFree(tx, name, id);
      }
      const after: Organisation = {
        ...before,
        name,
        sectors: input.sectors === undefined ? before.sectors : checkSectors(before.kind, input.sectors),
        label,
        version: before.version + 1,
        updatedAt: now,
      };
      const res = await tx.updateTable('organisations').set(fromOrganisation(after)).where('id', '=', id).where('version', '=', before.version).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new StaleWriteError(before.version);
      await audit({ action: 'organisation.update', recordType: 'organisation', recordId: id, organisationId: id, before, after });
      return after;
    });
  }

  private async ensureNameFree(tx: Tx, name: string, exceptId: string | null): Promise<void> {
    let q = tx.selectFrom('organisations').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
    if (exceptId) q = q.where('id', '!=', exceptId);
    // The directory is shared by everybody who administers it; naming a clash leaks nothing they could not list.
    if (await q.executeTakeFirst()) throw new ConflictError(`an organisation named ${JSON.stringify(name)} already exists`, { field: 'name' });
  }

  async members(p: Principal, orgId: string): Promise<Member[]> {
    requireUser(p);
    await this.get(p, orgId);
    if (!p.siteAdmin && !p.memberships.has(orgId)) throw new NotFoundError('organisation');
    const rows = await this.deps.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['users.id', 'users.email', 'users.name', 'memberships.role'])
      .where('memberships.organisation_id', '=', orgId)
      .orderBy('users.email')
      .orderBy('memberships.role')
      .execute();
    const byUser = new Map<string, Member>();
    for (const r of rows) {
      const m = byUser.get(r.id) ?? { userId: r.id, email: r.email, name: r.name, roles: [] };
      m.roles.push(r.role);
      byUser.set(r.id, m);
    }
    return [...byUser.values()];
  }

  async setMember(p: Principal, orgId: string, userId: string, roles: string[]): Promise<Member> {
    requireUser(p, 'admin');
    await this.get(p, orgId);
    if (!p.siteAdmin && !isOrgAdmin(p, orgId)) throw new ForbiddenError('only site administrators and the organisation\'s administrators manage its members');
    const wanted = checkRoles(roles);
    checkGrant(p, orgId, wanted);
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const user = await tx.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', userId).executeTakeFirst();
      if (!user) throw new NotFoundError('user');
      const before = (await tx.selectFrom('memberships').select('role').where('user_id', '=', userId).where('organisation_id', '=', orgId).execute()).map((r) => r.role).sort();
      await tx.deleteFrom('memberships').where('user_id', '=', userId).where('organisation_id', '=', orgId).execute();
      await tx.insertInto('memberships').values(wanted.map((role) => ({ user_id: userId, organisation_id: orgId, role, created_at: now }))).execute();
      await audit({
        action: before.length ? 'membership.update' : 'membership.create',
        recordType: 'membership',
        recordId: `${orgId}/${userId}`,
        organisationId: orgId,
        before: before.length ? { roles: before } : null,
        after: { roles: wanted },
      });
      return { userId, email: user.email, name: user.name, roles: wanted };
    });
  }

  async removeMember(p: Principal, orgId: string, userId: string): Promise<void> {
    requireUser(p, 'admin');
    await this.get(p, orgId);
    if (!p.siteAdmin && !isOrgAdmin(p, orgId)) throw new ForbiddenError('only site administrators and the organisation\'s administrators manage its members');
    await writeTx(this.deps, p, async (tx, audit) => {
      const before = (await tx.selectFrom('memberships').select('role').where('user_id', '=', userId).where('organisation_id', '=', orgId).execute()).map((r) => r.role).sort();
      if (before.length === 0) throw new NotFoundError('membership');
      await tx.deleteFrom('memberships').where('user_id', '=', userId).where('organisation_id', '=', orgId).execute();
      await audit({ action: 'membership.delete', recordType: 'membership', recordId: `${orgId}/${userId}`, organisationId: orgId, before: { roles: before }, after: null });
    });
  }
}
