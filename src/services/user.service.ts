import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError, StaleWriteError } from '../domain/errors.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { allows, authorize, guardFor } from '../domain/policy/authorize.ts';
import { userScope } from '../domain/policy/user.policy.ts';
import { organisationIdsOfUser, replaceRoles } from '../store/membership.repository.ts';
import { existingOrganisationIds } from '../store/organisation.repository.ts';
import type { UserTable } from '../store/schema.ts';
import { deleteSessionsOfUser } from '../store/session.repository.ts';
import { findUserByEmail, findUserById, findVisibleUser, insertUser, listUsers, updateUserVersioned } from '../store/user.repository.ts';
import { revokeUserTokens } from '../store/auth.repository.ts';
import { auditTokenRevoked } from './auth.service.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import type { InvitationService, OrganisationInvitation } from './invitation.service.ts';
import { checkRoles, checkVersion } from './organisation.service.ts';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from './pagination.ts';
import { DEFAULT_HASH_COST, hashPassword, oneTimePassword } from './secrets.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  siteAdmin: boolean;
  disabled: boolean;
  mustChangePassword: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CreateUserInput {
  email: string;
  name: string;
  siteAdmin?: boolean;
  memberships?: { organisationId: string; roles: string[] }[];
  /** Only for the CLI's `admin create --password-stdin`; everyone else gets a one-time password. */
  password?: string;
}

export interface UpdateUserInput {
  name?: string;
  disabled?: boolean;
  siteAdmin?: boolean;
}

/** The user record that leaves the service: never the password hash. */
export function toUser(r: UserTable): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    siteAdmin: r.site_admin === 1,
    disabled: r.disabled === 1,
    mustChangePassword: r.must_change_password === 1,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// A pragmatic check: one @, something on each side, no spaces. Deliverability is the mail system's question.
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$|^[^\s@]{1,64}@localhost$/;

export function normaliseEmail(e: string): string {
  const email = e.trim().toLowerCase();
  if (email.length > 254 || !EMAIL_RE.test(email)) throw new InvalidInputError(`invalid e-mail address ${JSON.stringify(e)}`, { field: 'email' });
  return email;
}

/**
 * What POST /users answers. Site administrators, who see every user, create accounts directly (and are told when
 * the e-mail is taken). Everyone else gets invitations by e-mail, the same answer whether or not the address
 * already has an account, so the answer never reveals who exists in another tenant.
 */
export type CreateUserResult =
  | { kind: 'created'; user: User; oneTimePassword: string | null }
  | { kind: 'invited'; email: string; invitations: OrganisationInvitation[] };

export class UserService {
  #invitations: InvitationService | null = null;

  constructor(private readonly deps: ServiceDeps) {}

  /** Set by the composition root. */
  useInvitations(invitations: InvitationService): void {
    this.#invitations = invitations;
  }

  async list(p: Principal, page: PageRequest): Promise<Page<User>> {
    authorize(p, 'user.list', null, this.deps.clock.now());
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    const rows = await listUsers(this.deps.db, userScope(p), after, limit + 1);
    return toPage(rows, limit, toUser, (r) => [r.email, r.id]);
  }

  async get(p: Principal, id: string): Promise<User> {
    const now = this.deps.clock.now();
    guardFor(p, 'user.read');
    const row = await findVisibleUser(this.deps.db, userScope(p), id);
    if (!row) throw new NotFoundError('user');
    authorize(p, 'user.read', { id: row.id, organisationIds: await organisationIdsOfUser(this.deps.db, row.id) }, now);
    return toUser(row);
  }

  /** Creates an account; for callers allowed to learn that an e-mail is taken (site administrators, the operator). */
  async create(p: Principal, input: CreateUserInput): Promise<{ user: User; oneTimePassword: string | null }> {
    const r = await this.createOrInvite(p, input);
    if (r.kind !== 'created') throw new Error('UserService.create: only for site administrators; POST /users uses createOrInvite');
    return r;
  }

  async createOrInvite(p: Principal, input: CreateUserInput): Promise<CreateUserResult> {
    const now = this.deps.clock.now();
    guardFor(p, 'user.create');
    const memberships = (input.memberships ?? []).map((m) => ({ organisationId: m.organisationId, roles: checkRoles(m.roles) }));
    const seen = new Set<string>();
    for (const m of memberships) {
      if (seen.has(m.organisationId)) {
        throw new InvalidInputError(`organisation ${m.organisationId} is listed twice in memberships: list each organisation once, with all its roles`, { field: 'memberships' });
      }
      seen.add(m.organisationId);
    }
    authorize(p, 'user.create', { siteAdmin: input.siteAdmin === true, organisationIds: memberships.map((m) => m.organisationId) }, now);
    for (const m of memberships) authorize(p, 'membership.grant', m, now);
    const email = normaliseEmail(input.email);
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) throw new InvalidInputError('name must have 1 to 200 characters', { field: 'name' });
    if (!allows(p, 'user.learn-existence', null, now)) {
      if (!this.#invitations) throw new Error('UserService: invitations are not wired (see src/composition.ts)');
      const invitations: OrganisationInvitation[] = [];
      for (const m of memberships) invitations.push(await this.#invitations.invite(p, m.organisationId, { userId: null, email }, m.roles));
      return { kind: 'invited', email, invitations };
    }
    const known = await existingOrganisationIds(this.deps.db, memberships.map((m) => m.organisationId));
    const unknown = memberships.find((m) => !known.has(m.organisationId));
    if (unknown) throw new InvalidInputError(`unknown organisation ${unknown.organisationId}`, { field: 'memberships' });
    const otp = input.password === undefined ? oneTimePassword() : null;
    const hash = await hashPassword(input.password ?? otp!, this.deps.passwordHashing ?? DEFAULT_HASH_COST);
    const user = await writeTx(this.deps, p, async (tx, audit, at) => {
      if (await findUserByEmail(tx, email)) throw new ConflictError(`a user with e-mail ${email} already exists`, { field: 'email' });
      const row: UserTable = {
        id: randomUUID(),
        email,
        name,
        password_hash: hash,
        must_change_password: otp ? 1 : 0,
        site_admin: input.siteAdmin ? 1 : 0,
        disabled: 0,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      await insertUser(tx, row);
      const user = toUser(row);
      await audit({ action: 'user.create', recordType: 'user', recordId: row.id, organisationId: memberships[0]?.organisationId ?? null, before: null, after: user });
      for (const m of memberships) {
        await replaceRoles(tx, m.organisationId, row.id, m.roles, at);
        await audit({ action: 'membership.create', recordType: 'membership', recordId: `${m.organisationId}/${row.id}`, organisationId: m.organisationId, before: null, after: { roles: m.roles } });
      }
      return user;
    });
    return { kind: 'created', user, oneTimePassword: otp };
  }

  async update(p: Principal, id: string, input: UpdateUserInput, expectedVersion: number | undefined): Promise<User> {
    const now = this.deps.clock.now();
    guardFor(p, 'user.update');
    const changesFlags = input.disabled !== undefined || input.siteAdmin !== undefined;
    const visible = await findVisibleUser(this.deps.db, userScope(p), id);
    if (!visible) throw new NotFoundError('user');
    authorize(p, 'user.update', { id, organisationIds: await organisationIdsOfUser(this.deps.db, id), changesFlags }, now);
    const self = p.userId === id;
    if (self && (input.disabled === true || input.siteAdmin === false)) {
      throw new InvalidInputError('you cannot disable yourself or remove your own site administration; ask another administrator');
    }
    return writeTx(this.deps, p, async (tx, audit, at) => {
      const row = await findUserById(tx, id);
      if (!row) throw new NotFoundError('user');
      const before = toUser(row);
      checkVersion(expectedVersion, before.version);
      const name = input.name === undefined ? row.name : input.name.trim();
      if (name.length < 1 || name.length > 200) throw new InvalidInputError('name must have 1 to 200 characters', { field: 'name' });
      const next = {
        name,
        disabled: input.disabled === undefined ? row.disabled : input.disabled ? 1 : 0,
        site_admin: input.siteAdmin === undefined ? row.site_admin : input.siteAdmin ? 1 : 0,
        version: row.version + 1,
        updated_at: at,
      };
      if (!(await updateUserVersioned(tx, id, row.version, next))) throw new StaleWriteError(row.version);
      if (next.disabled === 1) await deleteSessionsOfUser(tx, id);
      const after = toUser({ ...row, ...next });
      await audit({ action: 'user.update', recordType: 'user', recordId: id, organisationId: null, before, after });
      return after;
    });
  }

  async resetPassword(p: Principal, id: string): Promise<string> {
    const now = this.deps.clock.now();
    guardFor(p, 'user.reset-password');
    const visible = await findVisibleUser(this.deps.db, userScope(p), id);
    if (!visible) throw new NotFoundError('user');
    authorize(p, 'user.reset-password', { id, organisationIds: await organisationIdsOfUser(this.deps.db, id) }, now);
    const otp = oneTimePassword();
    const hash = await hashPassword(otp, this.deps.passwordHashing ?? DEFAULT_HASH_COST);
    await writeTx(this.deps, p, async (tx, audit, at) => {
      const row = await findUserById(tx, id);
      if (!row) throw new NotFoundError('user');
      if (!(await updateUserVersioned(tx, id, row.version, { password_hash: hash, must_change_password: 1, version: row.version + 1, updated_at: at }))) {
        throw new StaleWriteError(row.version);
      }
      await deleteSessionsOfUser(tx, id);
      // The old password may have leaked, and tokens minted with it would outlive the reset: always revoke them.
      const tokensRevoked = await revokeUserTokens(tx, id, at);
      for (const tokenId of tokensRevoked) await auditTokenRevoked(audit, tokenId, at, 'password-reset');
      await audit({ action: 'user.password-reset', recordType: 'user', recordId: id, organisationId: null, before: { version: row.version }, after: { version: row.version + 1, tokensRevoked } });
    });
    return otp;
  }

  /** For the operator's CLI, which names users by e-mail. */
  async findByEmail(email: string): Promise<User | undefined> {
    const row = await findUserByEmail(this.deps.db, normaliseEmail(email));
    return row ? toUser(row) : undefined;
  }
}
