import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError, PreconditionRequiredError, StaleWriteError } from '../domain/errors.ts';
import {
  BASE_ROLES,
  CI_SECTORS,
  RESTRICTED_ROLE_PATTERN,
  type AccessLabel,
  type CiSector,
  type OrganisationKind,
  type Principal,
  type Tlp,
} from '../domain/policy/access-label.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import { addsDirectly } from '../domain/policy/membership.policy.ts';
import { organisationScope } from '../domain/policy/organisation.policy.ts';
import { isSiteAdmin } from '../domain/policy/predicates.ts';
import type { Tx } from '../store/db.ts';
import { listMemberRows, organisationIdsOfUser, removeMembership, replaceRoles, rolesOf } from '../store/membership.repository.ts';
import {
  fromOrganisation,
  findVisibleOrganisation,
  insertOrganisation,
  listOrganisations,
  organisationNameTaken,
  toOrganisation,
  updateOrganisationVersioned,
  type Organisation,
  type OrganisationReader,
} from '../store/organisation.repository.ts';
import { findUserById } from '../store/user.repository.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import type { InvitationService, OrganisationInvitation } from './invitation.service.ts';
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

/** What PUT members answers: the member (added or changed directly), or the invitation sent instead. */
export type SetMemberResult = { kind: 'member'; member: Member } | { kind: 'invitation'; invitation: OrganisationInvitation };

/** A member as the organisation's members and administrators see them. */
export function presentMember(userId: string, email: string, name: string, roles: string[]): Member {
  return { userId, email, name, roles };
}

export class OrganisationService {
  #invitations: InvitationService | null = null;

  constructor(private readonly deps: ServiceDeps) {}

  /** Set by the composition root: invitations are how outside users join (see setMember). */
  useInvitations(invitations: InvitationService): void {
    this.#invitations = invitations;
  }

  private reader(p: Principal): OrganisationReader {
    return organisationScope(p, this.deps.clock.now());
  }

  async list(p: Principal, page: PageRequest): Promise<Page<Organisation>> {
    authorize(p, 'organisation.list', null, this.deps.clock.now());
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const rows = await listOrganisations(this.deps.db, this.reader(p), after, limit + 1);
    return toPage(rows, limit, toOrganisation, (r) => [r.name, r.id]);
  }

  /** One organisation the actor may read (the SQL filter and the policy agree; hidden reads as absent). */
  async get(p: Principal, id: string): Promise<Organisation> {
    const now = this.deps.clock.now();
    authorize(p, 'organisation.list', null, now);
    const row = await findVisibleOrganisation(this.deps.db, this.reader(p), id);
    if (!row) throw new NotFoundError('organisation');
    const org = toOrganisation(row);
    authorize(p, 'organisation.read', org, now);
    return org;
  }

  async create(p: Principal, input: CreateOrganisationInput): Promise<Organisation> {
    const now = this.deps.clock.now();
    authorize(p, 'organisation.create', null, now);
    const id = randomUUID();
    const label = buildLabel(id, input.label);
    authorize(p, 'label.apply', label, now);
    const name = checkName(input.name);
    const sectors = checkSectors(input.kind, input.sectors ?? []);
    return writeTx(this.deps, p, async (tx, audit, at) => {
      await this.ensureNameFree(tx, name, null);
      const org: Organisation = { id, name, kind: input.kind, sectors, label, version: 1, createdAt: at, updatedAt: at };
      await insertOrganisation(tx, fromOrganisation(org));
      await audit({ action: 'organisation.create', recordType: 'organisation', recordId: id, organisationId: id, before: null, after: org });
      return org;
    });
  }

  async update(p: Principal, id: string, input: UpdateOrganisationInput, expectedVersion: number | undefined): Promise<Organisation> {
    const now = this.deps.clock.now();
    guardFor(p, 'organisation.update');
    return writeTx(this.deps, p, async (tx, audit, at) => {
      const row = await findVisibleOrganisation(tx, this.reader(p), id);
      if (!row) throw new NotFoundError('organisation');
      const before = toOrganisation(row);
      authorize(p, 'organisation.update', before, now);
      checkVersion(expectedVersion, before.version);
      const label = buildLabel(id, input.label, before.label);
      if (input.label?.restricted) authorize(p, 'label.apply', label, now);
      const name = input.name === undefined ? before.name : checkName(input.name);
      if (name !== before.name) {
        authorize(p, 'organisation.rename', before, now);
        await this.ensureNameFree(tx, name, id);
      }
      const after: Organisation = {
        ...before,
        name,
        sectors: input.sectors === undefined ? before.sectors : checkSectors(before.kind, input.sectors),
        label,
        version: before.version + 1,
        updatedAt: at,
      };
      if (!(await updateOrganisationVersioned(tx, fromOrganisation(after), before.version))) throw new StaleWriteError(before.version);
      await audit({ action: 'organisation.update', recordType: 'organisation', recordId: id, organisationId: id, before, after });
      return after;
    });
  }

  private async ensureNameFree(tx: Tx, name: string, exceptId: string | null): Promise<void> {
    // Only site administrators create or rename (organisation.policy.ts), and they see the whole directory, so
    // naming the clash leaks nothing they could not list.
    if (await organisationNameTaken(tx, name, exceptId)) throw new ConflictError(`an organisation named ${JSON.stringify(name)} already exists`, { field: 'name' });
  }

  async members(p: Principal, orgId: string): Promise<Member[]> {
    guardFor(p, 'membership.list');
    const org = await this.get(p, orgId);
    authorize(p, 'membership.list', org, this.deps.clock.now());
    const byUser = new Map<string, Member>();
    for (const r of await listMemberRows(this.deps.db, orgId)) {
      const m = byUser.get(r.userId) ?? presentMember(r.userId, r.email, r.name, []);
      m.roles.push(r.role);
      byUser.set(r.userId, m);
    }
    return [...byUser.values()];
  }

  /**
   * Sets a member's roles. Someone the actor cannot see (another tenant's member, the site administrator, or an id
   * that exists nowhere) is not added: they get an invitation to accept, and the answer is the same invitation
   * whether or not the user exists, carrying nothing about them.
   */
  async setMember(p: Principal, orgId: string, userId: string, roles: string[]): Promise<SetMemberResult> {
    guardFor(p, 'membership.manage');
    const now = this.deps.clock.now();
    const org = await this.get(p, orgId);
    authorize(p, 'membership.manage', org, now);
    const wanted = checkRoles(roles);
    authorize(p, 'membership.grant', { organisationId: orgId, roles: wanted }, now);
    const user = await findUserById(this.deps.db, userId);
    const record = user ? { id: user.id, organisationIds: await organisationIdsOfUser(this.deps.db, user.id) } : null;
    if (!addsDirectly(p, record)) {
      // Site administrators see every user, so for them an unknown id is simply not found.
      if (isSiteAdmin(p)) throw new NotFoundError('user');
      if (!this.#invitations) throw new Error('OrganisationService: invitations are not wired (see src/composition.ts)');
      return { kind: 'invitation', invitation: await this.#invitations.invite(p, orgId, { userId, email: null }, wanted) };
    }
    return writeTx(this.deps, p, async (tx, audit, at) => {
      const found = await findUserById(tx, userId);
      if (!found) throw new NotFoundError('user');
      const before = await rolesOf(tx, orgId, userId);
      await replaceRoles(tx, orgId, userId, wanted, at);
      await audit({
        action: before.length ? 'membership.update' : 'membership.create',
        recordType: 'membership',
        recordId: `${orgId}/${userId}`,
        organisationId: orgId,
        before: before.length ? { roles: before } : null,
        after: { roles: wanted },
      });
      return { kind: 'member' as const, member: presentMember(userId, found.email, found.name, wanted) };
    });
  }

  async removeMember(p: Principal, orgId: string, userId: string): Promise<void> {
    guardFor(p, 'membership.manage');
    const org = await this.get(p, orgId);
    authorize(p, 'membership.manage', org, this.deps.clock.now());
    await writeTx(this.deps, p, async (tx, audit) => {
      const before = await rolesOf(tx, orgId, userId);
      if (before.length === 0) throw new NotFoundError('membership');
      await removeMembership(tx, orgId, userId);
      await audit({ action: 'membership.delete', recordType: 'membership', recordId: `${orgId}/${userId}`, organisationId: orgId, before: { roles: before }, after: null });
    });
  }
}
