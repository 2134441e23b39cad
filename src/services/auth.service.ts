import { randomUUID } from 'node:crypto';
import { InvalidInputError, RateLimitedError, UnauthenticatedError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/policy/access-label.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { loadPrincipal } from './principal.ts';
import { DEFAULT_HASH_COST, MIN_PASSWORD_LENGTH, hashPassword, hashSecret, randomSecret, safeEqual, verifyPassword } from './secrets.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const LAST_SEEN_RESOLUTION_MS = 60_000;
const FREE_FAILURES = 5;
const MAX_LOCK_SECONDS = 15 * 60;
export const TOKEN_PREFIX = 'chk_';

export interface SignInResult {
  /** The cookie value; only its hash is stored. */
  sessionSecret: string;
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
}

// Verifying against this when the e-mail is unknown keeps the timing of "no such user" and "wrong password" alike.
let dummyHash: Promise<string> | undefined;

export class AuthService {
  constructor(private readonly deps: ServiceDeps) {}

  private get cost() {
    return this.deps.passwordHashing ?? DEFAULT_HASH_COST;
  }

  async signIn(emailRaw: string, password: string, clientAddress: string): Promise<SignInResult> {
    const email = emailRaw.trim().toLowerCase();
    const keys = [`email:${email}`, `ip:${clientAddress}`];
    await this.checkBackOff(keys);
    const user = await this.deps.db.selectFrom('users').select(['id', 'password_hash', 'disabled']).where('email', '=', email).executeTakeFirst();
    dummyHash ??= hashPassword(randomSecret(), this.cost);
    const ok = await verifyPassword(user?.password_hash ?? (await dummyHash), password);
    if (!user || !ok || user.disabled) {
      await this.recordFailure(keys);
      throw new UnauthenticatedError();
    }
    await this.deps.db.deleteFrom('sign_in_failures').where('key', 'in', keys).execute();
    const principal = await loadPrincipal(this.deps.db, user.id, 'session');
    if (!principal) throw new UnauthenticatedError();
    const sessionSecret = randomSecret();
    const csrfToken = randomSecret(24);
    const sessionId = randomUUID();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    const withSession = { ...principal, sessionId };
    await writeTx(this.deps, withSession, async (tx, audit, nowIso) => {
      await tx
        .insertInto('sessions')
        .values({ id: sessionId, secret_hash: hashSecret(sessionSecret), user_id: user.id, csrf_token: csrfToken, created_at: nowIso, expires_at: expiresAt, last_seen_at: nowIso })
        .execute();
      await audit({ action: 'session.create', recordType: 'session', recordId: sessionId, organisationId: null, before: null, after: { userId: user.id, expiresAt } });
    });
    return { sessionSecret, principal: withSession, csrfToken, expiresAt };
  }

  private async checkBackOff(keys: string[]): Promise<void> {
    const now = this.deps.clock.now();
    const rows = await this.deps.db.selectFrom('sign_in_failures').select(['locked_until']).where('key', 'in', keys).execute();
    let wait = 0;
    for (const r of rows) {
      if (r.locked_until) wait = Math.max(wait, Math.ceil((new Date(r.locked_until).getTime() - now.getTime()) / 1000));
    }
    if (wait > 0) throw new RateLimitedError(wait, `too many failed sign-ins; try again in ${wait} s`);
  }

  private async recordFailure(keys: string[]): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      for (const key of keys) {
        const row = await tx.selectFrom('sign_in_failures').select('failures').where('key', '=', key).executeTakeFirst();
        const failures = (row?.failures ?? 0) + 1;
        const lockSeconds = failures >= FREE_FAILURES ? Math.min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS) : 0;
        const values = {
          failures,
          locked_until: lockSeconds ? new Date(now.getTime() + lockSeconds * 1000).toISOString() : null,
          updated_at: now.toISOString(),
        };
        if (row) await tx.updateTable('sign_in_failures').set(values).where('key', '=', key).execute();
        else await tx.insertInto('sign_in_failures').values({ key, ...values }).execute();
      }
    });
  }

  /** Resolves a session cookie; null when missing, unknown or expired. */
  async fromSession(secret: string): Promise<{ principal: Principal; csrfToken: string } | null> {
    const now = this.deps.clock.now();
    const s = await this.deps.db.selectFrom('sessions').selectAll().where('secret_hash', '=', hashSecret(secret)).executeTakeFirst();
    if (!s || s.expires_at <= now.toISOString()) return null;
    const principal = await loadPrincipal(this.deps.db, s.user_id, 'session', { sessionId: s.id });
    if (!principal) return null;
    if (now.getTime() - new Date(s.last_seen_at).getTime() > LAST_SEEN_RESOLUTION_MS) {
      await this.deps.db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', s.id).execute();
    }
    return { principal, csrfToken: s.csrf_token };
  }

  /** Resolves a bearer token; null for every kind of wrong (unknown, expired, revoked, disabled user). */
  async fromToken(bearer: string): Promise<Principal | null> {
    if (!bearer.startsWith(TOKEN_PREFIX)) return null;
    const now = this.deps.clock.now().toISOString();
    const t = await this.deps.db.selectFrom('api_tokens').selectAll().where('secret_hash', '=', hashSecret(bearer)).executeTakeFirst();
    if (!t || t.revoked_at !== null || (t.expires_at !== null && t.expires_at <= now)) return null;
    const principal = await loadPrincipal(this.deps.db, t.user_id, 'token', { tokenId: t.id, scopes: JSON.parse(t.scopes) as Scope[] });
    if (!principal) return null;
    if (!t.last_used_at || new Date(now).getTime() - new Date(t.last_used_at).getTime() > LAST_SEEN_RESOLUTION_MS) {
      await this.deps.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', t.id).execute();
    }
    return principal;
  }

  async signOut(principal: Principal): Promise<void> {
    if (!principal.sessionId) return;
    await writeTx(this.deps, principal, async (tx, audit) => {
      await tx.deleteFrom('sessions').where('id', '=', principal.sessionId!).execute();
      await audit({ action: 'session.delete', recordType: 'session', recordId: principal.sessionId!, organisationId: null, before: { id: principal.sessionId }, after: null });
    });
  }

  /** Sign out everywhere: every session of the user ends, including this one. */
  async signOutEverywhere(principal: Principal): Promise<number> {
    if (!principal.userId) throw new UnauthenticatedError();
    return writeTx(this.deps, principal, async (tx, audit) => {
      const res = await tx.deleteFrom('sessions').where('user_id', '=', principal.userId!).executeTakeFirst();
      const n = Number(res.numDeletedRows);
      await audit({ action: 'session.revoke-all', recordType: 'user', recordId: principal.userId!, organisationId: null, before: { sessions: n }, after: { sessions: 0 } });
      return n;
    });
  }

  async changePassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void> {
    if (!principal.userId) throw new UnauthenticatedError();
    const user = await this.deps.db.selectFrom('users').select(['password_hash', 'version']).where('id', '=', principal.userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, currentPassword))) {
      throw new InvalidInputError('the current password is not correct', { field: 'currentPassword' });
    }
    checkNewPassword(newPassword);
    if (safeEqual(currentPassword, newPassword)) {
      throw new InvalidInputError('the new password must differ from the current one', { field: 'newPassword' });
    }
    const hash = await hashPassword(newPassword, this.cost);
    await writeTx(this.deps, principal, async (tx, audit, now) => {
      await tx
        .updateTable('users')
        .set({ password_hash: hash, must_change_password: 0, version: user.version + 1, updated_at: now })
        .where('id', '=', principal.userId!)
        .execute();
      // Other sessions were opened with the old password: end them, keep this one.
      let q = tx.deleteFrom('sessions').where('user_id', '=', principal.userId!);
      if (principal.sessionId) q = q.where('id', '!=', principal.sessionId);
      await q.execute();
      await audit({ action: 'user.password-change', recordType: 'user', recordId: principal.userId!, organisationId: null, before: { version: user.version }, after: { version: user.version + 1 } });
    });
  }
}

export function checkNewPassword(pw: string): void {
  if (pw.length < MIN_PASSWORD_LENGTH) {
    throw new InvalidInputError(`the new password must have at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'newPassword' });
  }
  if (pw.length > 1024) throw new InvalidInputError('the new password is too long (1024 characters at most)', { field: 'newPassword' });
}
