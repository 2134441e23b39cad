import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, StaleWriteError } from '../domain/errors.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { revokeUserTokens } from '../store/auth.repository.ts';
import type { UserTable } from '../store/schema.ts';
import { auditTokenRevoked } from './auth.service.ts';
import { adminOrgIds, requireSiteAdmin, requireUser } from './access.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { checkGrant, checkRoles, checkVersion } from './organisation.service.ts';
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

export class UserService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Site admins see everyone; organisation admins their organisations' members; others only themselves. */
  private scoped(p: Principal) {
    return (eb: any) => {
      if (p.siteAdmin) return eb.lit(true);
      const admin = adminOrgIds(p);
      const self = eb('users.id', '=', p.userId ?? '');
      if (admin.length === 0) return self;
      return eb.or([self, eb('users.id', 'in', eb.selectFrom('memberships').select('memberships.user_id').where('memberships.organisation_id', 'in', admin))]);
    };
  }

  async list(p: Principal, page: PageRequest): Promise<Page<User>> {
    requireUser(p);
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor, 2) as [string, string] | null;
    let q = this.deps.db.selectFrom('users').selectAll().where(this.scoped(p));
    if (after) q = q.where((eb) => eb.or([eb('email', '>', after[0]), eb.and([eb('email', '=', after[0]), eb('id', '>', after[1])])]));
    const rows = await q.orderBy('email').orderBy('id').limit(limit + 1).execute();
    return toPage(rows, limit, toUser, (r) => [r.email, r.id]);
  }

  async get(p: Principal, id: string): Promise<User> {
    requireUser(p);
    const row = await this.deps.db.selectFrom('users').selectAll().where('id', '=', id).where(this.scoped(p)).executeTakeFirst();
    if (!row) throw new NotFoundError('user');
    return toUser(row);
  }

  async create(p: Principal, input: CreateUserInput): Promise<{ user: User; oneTimePassword: string | null }> {
    requireUser(p, 'admin');
    const memberships = (input.memberships ?? []).map((m) => ({ organisationId: m.organisationId, roles: checkRoles(m.roles) }));
    if (!p.siteAdmin) {
      const mine = adminOrgIds(p);
      if (mine.length === 0) throw new ForbiddenError('only site administrators and organisation administrators create users');
      if (input.siteAdmin) throw new ForbiddenError('only site administrators create site administrators');
      if (memberships.length === 0 || memberships.some((m) => !mine.includes(m.organisationId))) {
        throw new ForbiddenError('organisation administrators create users only into organisations they administer');
      }
    }
    for (const m of memberships) checkGrant(p, m.organisationId, m.roles);
    const email = normaliseEmail(input.email);
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) throw new InvalidInputError('name must have 1 to 200 characters', { field: 'name' });
    const otp = input.password === undefined ? oneTimePassword() : null;
    const hash = await hashPassword(input.password ?? otp!, this.deps.passwordHashing ?? DEFAULT_HASH_COST);
    const user = await writeTx(this.deps, p, async (tx, audit, now) => {
      if (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) {
        throw new ConflictError(`a user with e-mail ${email} already exists`, { field: 'email' });
      }
      const row: UserTable = {
        id: randomUUID(),
        email,
        name,
        password_hash: hash,
        must_change_password: otp ? 1 : 0,
        site_admin: input.siteAdmin ? 1 : 0,
        disabled: 0,
        version: 1,
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto('users').values(row).execute();
      const user = toUser(row);
      await audit({ action: 'user.create', recordType: 'user', recordId: row.id, organisationId: memberships[0]?.organisationId ?? null, before: null, after: user });
      for (const m of memberships) {
        const org = await tx.selectFrom('organisations').select('id').where('id', '=', m.organisationId).executeTakeFirst();
        if (!org) throw new InvalidInputError(`unknown organisation ${m.organisationId}`, { field: 'memberships' });
        await tx.insertInto('memberships').values(m.roles.map((role) => ({ user_id: row.id, organisation_id: m.organisationId, role, created_at: now }))).execute();
        await audit({ action: 'membership.create', recordType: 'membership', recordId: `${m.organisationId}/${row.id}`, organisationId: m.organisationId, before: null, after: { roles: m.roles } });
      }
      return user;
    });
    return { user, oneTimePassword: otp };
  }

  async update(p: Principal, id: string, input: UpdateUserInput, expectedVersion: number | undefined): Promise<User> {
    requireUser(p, 'write');
    const self = p.userId === id;
    if (!p.siteAdmin && (!self || input.disabled !== undefined || input.siteAdmin !== undefined)) {
      if (!self) await this.get(p, id); // 404 for users the caller cannot see at all
      throw new ForbiddenError('only site administrators change other users, or disable and promote anyone');
    }
    if (p.siteAdmin && !self && (input.disabled !== undefined || input.siteAdmin !== undefined)) requireSiteAdmin(p);
    if (self && (input.disabled === true || input.siteAdmin === false)) {
      throw new InvalidInputError('you cannot disable yourself or remove your own site administration; ask another administrator');
    }
    return writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
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
        updated_at: now,
      };
      const res = await tx.updateTable('users').set(next).where('id', '=', id).where('version', '=', row.version).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new StaleWriteError(row.version);
      if (next.disabled === 1) await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      const after = toUser({ ...row, ...next });
      await audit({ action: 'user.update', recordType: 'user', recordId: id, organisationId: null, before, after });
      return after;
    });
  }

  async resetPassword(p: Principal, id: string): Promise<string> {
    requireSiteAdmin(p);
    const otp = oneTimePassword();
    const hash = await hashPassword(otp, this.deps.passwordHashing ?? DEFAULT_HASH_COST);
    await writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await tx.selectFrom('users').select(['id', 'version']).where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('user');
      await tx.updateTable('users').set({ password_hash: hash, must_change_password: 1, version: row.version + 1, updated_at: now }).where('id', '=', id).execute();
      await tx.deleteFrom('sessions').where('user_id', '=', id).execute();
      // The old password may have leaked, and tokens minted with it would outlive the reset: always revoke them.
      const tokensRevoked = await revokeUserTokens(tx, id, now);
      for (const tokenId of tokensRevoked) await auditTokenRevoked(audit, tokenId, now, 'password-reset');
      await audit({ action: 'user.password-reset', recordType: 'user', recordId: id, organisationId: null, before: { version: row.version }, after: { version: row.version + 1, tokensRevoked } });
    });
    return otp;
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.deps.db.selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }
}
