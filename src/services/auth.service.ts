import { randomUUID } from 'node:crypto';
import { DEVICE_TTL_MS, QUIET_RESET_MS, lockLadder, waitSeconds, type BackOffKey } from '../domain/auth/back-off.ts';
import { userInputsFor } from '../domain/auth/password-policy.ts';
import { InvalidInputError, RateLimitedError, StaleWriteError, UnauthenticatedError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/policy/access-label.ts';
import type { AuditInput } from '../store/audit.repository.ts';
import * as repo from '../store/auth.repository.ts';
import { guardFor } from '../domain/policy/authorize.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { loadPrincipal } from './principal.ts';
import { DEFAULT_HASH_COST, checkNewPassword, hashPassword, hashSecret, randomSecret, safeEqual, verifyPassword } from './secrets.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export { DEVICE_TTL_MS };
const LAST_SEEN_RESOLUTION_MS = 60_000;
export const TOKEN_PREFIX = 'chk_';
// Device cookies are randomSecret() values: anything else is not ours and is ignored, never looked up.
const DEVICE_SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

export interface SignInResult {
  /** The cookie value; only its hash is stored. */
  sessionSecret: string;
  principal: Principal;
  csrfToken: string;
  expiresAt: string;
  /** The device cookie to (re)set: this browser is now known to the account. */
  deviceSecret: string;
}

export interface ChangePasswordOptions {
  /** End the user's API tokens too (default). */
  revokeTokens?: boolean;
}

// Verifying against this when the e-mail is unknown keeps the timing of "no such user" and "wrong password" alike.
let dummyHash: Promise<string> | undefined;

/** One entry per token, so each token's own history shows why it stopped working. */
export async function auditTokenRevoked(audit: (e: AuditInput) => Promise<void>, tokenId: string, now: string, reason: 'password-change' | 'password-reset'): Promise<void> {
  await audit({ action: 'token.revoke', recordType: 'api-token', recordId: tokenId, organisationId: null, before: { id: tokenId, revokedAt: null }, after: { id: tokenId, revokedAt: now, reason } });
}

export class AuthService {
  constructor(private readonly deps: ServiceDeps) {}

  private get cost() {
    return this.deps.passwordHashing ?? DEFAULT_HASH_COST;
  }

  /**
   * Signs in. Back-off follows OWASP's device-cookie scheme: a browser holding a device cookie that earned a success
   * for this account is counted on its own small counter and is not held back by the account's or the address's
   * lock; every other attempt counts against the account (for unknown devices) and the client address. Unknown
   * e-mails take the unknown-device path like everyone else, so the answer never tells whether the account exists.
   */
  async signIn(emailRaw: string, password: string, clientAddress: string, deviceSecretRaw?: string): Promise<SignInResult> {
    const email = emailRaw.trim().toLowerCase();
    // PostgreSQL text cannot hold NUL; refusing it here keeps the answer a clear 400 rather than a driver error.
    if (email.includes('\u0000')) throw new InvalidInputError('the e-mail address contains a NUL character', { field: 'email' });
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const user = await repo.findUserForSignIn(this.deps.db, email);
    const deviceSecret = deviceSecretRaw && DEVICE_SECRET_RE.test(deviceSecretRaw) ? deviceSecretRaw : null;
    const deviceHash = deviceSecret ? hashSecret(deviceSecret) : null;
    // Looked up whenever a cookie is sent, for unknown e-mails too, so the work done does not tell them apart.
    const knownDevice =
      deviceHash !== null && (await repo.isKnownDevice(this.deps.db, deviceHash, user?.id ?? '', new Date(now.getTime() - DEVICE_TTL_MS).toISOString())) && user !== undefined;
    const keys: BackOffKey[] = knownDevice ? [`device:${user!.id}:${deviceHash}`] : [`email:${email}`, `ip:${clientAddress}`];
    const reservation = await repo.reserveSignInAttempt(this.deps.db, keys, {
      ladder: lockLadder(now),
      quietSince: new Date(now.getTime() - QUIET_RESET_MS).toISOString(),
      now: nowIso,
    });
    if (reservation.locked) {
      const wait = Math.max(1, waitSeconds(reservation.lockedUntil, now));
      throw new RateLimitedError(wait, `too many failed sign-ins; try again in ${wait} s`);
    }
    dummyHash ??= hashPassword(randomSecret(), this.cost);
    const ok = await verifyPassword(user?.password_hash ?? (await dummyHash), password);
    // The attempt was counted before the check; a failure simply keeps it.
    if (!user || !ok || user.disabled) throw new UnauthenticatedError();
    await repo.refundSignInAttempt(this.deps.db, reservation.counts);
    const principal = await loadPrincipal(this.deps.db, user.id, 'session');
    if (!principal) throw new UnauthenticatedError();
    const sessionSecret = randomSecret();
    const csrfToken = randomSecret(24);
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    const newDevice = deviceSecret ?? randomSecret();
    const withSession = { ...principal, sessionId };
    await writeTx(this.deps, withSession, async (tx, audit, at) => {
      await repo.insertSession(tx, { id: sessionId, secret_hash: hashSecret(sessionSecret), user_id: user.id, csrf_token: csrfToken, created_at: at, expires_at: expiresAt, last_seen_at: at });
      await repo.rememberDevice(tx, hashSecret(newDevice), user.id, at);
      await audit({ action: 'session.create', recordType: 'session', recordId: sessionId, organisationId: null, before: null, after: { userId: user.id, expiresAt, knownDevice } });
    });
    return { sessionSecret, principal: withSession, csrfToken, expiresAt, deviceSecret: newDevice };
  }

  /** Resolves a session cookie; null when missing, unknown or expired. */
  async fromSession(secret: string): Promise<{ principal: Principal; csrfToken: string } | null> {
    const now = this.deps.clock.now();
    const s = await repo.findSessionBySecretHash(this.deps.db, hashSecret(secret));
    if (!s || s.expires_at <= now.toISOString()) return null;
    const principal = await loadPrincipal(this.deps.db, s.user_id, 'session', { sessionId: s.id });
    if (!principal) return null;
    if (now.getTime() - new Date(s.last_seen_at).getTime() > LAST_SEEN_RESOLUTION_MS) await repo.touchSession(this.deps.db, s.id, now.toISOString());
    return { principal, csrfToken: s.csrf_token };
  }

  /** Resolves a bearer token; null for every kind of wrong (unknown, expired, revoked, disabled user). */
  async fromToken(bearer: string): Promise<Principal | null> {
    if (!bearer.startsWith(TOKEN_PREFIX)) return null;
    const now = this.deps.clock.now().toISOString();
    const t = await repo.findTokenBySecretHash(this.deps.db, hashSecret(bearer));
    if (!t || t.revoked_at !== null || (t.expires_at !== null && t.expires_at <= now)) return null;
    const principal = await loadPrincipal(this.deps.db, t.user_id, 'token', { tokenId: t.id, scopes: JSON.parse(t.scopes) as Scope[] });
    if (!principal) return null;
    if (!t.last_used_at || new Date(now).getTime() - new Date(t.last_used_at).getTime() > LAST_SEEN_RESOLUTION_MS) await repo.touchToken(this.deps.db, t.id, now);
    return principal;
  }

  /** Ends this session. Only a session has one to end, and ending it only reduces access, so no scope is asked. */
  async signOut(principal: Principal): Promise<void> {
    if (!principal.sessionId) return;
    await writeTx(this.deps, principal, async (tx, audit) => {
      await repo.deleteSession(tx, principal.sessionId!);
      await audit({ action: 'session.delete', recordType: 'session', recordId: principal.sessionId!, organisationId: null, before: { id: principal.sessionId }, after: null });
    });
  }

  /**
   * Sign out everywhere: every session of the user ends, including this one. A state change of one's own, so it
   * needs the `write` scope and a settled password (issue 6: a one-time password must be replaced first).
   */
  async signOutEverywhere(principal: Principal): Promise<number> {
    guardFor(principal, 'session.revoke-all');
    const userId = principal.userId;
    if (!userId) throw new UnauthenticatedError();
    return writeTx(this.deps, principal, async (tx, audit) => {
      const n = await repo.deleteUserSessions(tx, userId);
      await audit({ action: 'session.revoke-all', recordType: 'user', recordId: userId, organisationId: null, before: { sessions: n }, after: { sessions: 0 } });
      return n;
    });
  }

  /**
   * Changes one's own password. Allowed while a change is pending (that is how a one-time password is replaced),
   * but it is a state change, so a token needs the `write` scope. Other sessions end; API tokens are revoked too
   * unless the user asks to keep them (`revokeTokens: false`).
   */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string, opts: ChangePasswordOptions = {}): Promise<void> {
    guardFor(principal, 'self.change-password');
    const userId = principal.userId;
    if (!userId) throw new UnauthenticatedError();
    const user = await repo.findPasswordState(this.deps.db, userId);
    if (!user) throw new UnauthenticatedError();
    if (!(await verifyPassword(user.password_hash, currentPassword))) {
      throw new InvalidInputError('the current password is not correct', { field: 'currentPassword' });
    }
    await checkNewPassword(newPassword, userInputsFor(user));
    if (safeEqual(currentPassword.normalize('NFKC'), newPassword.normalize('NFKC'))) {
      throw new InvalidInputError('the new password must differ from the current one', { field: 'newPassword' });
    }
    const revokeTokens = opts.revokeTokens ?? true;
    const hash = await hashPassword(newPassword, this.cost);
    await writeTx(this.deps, principal, async (tx, audit, now) => {
      if (!(await repo.setPassword(tx, userId, hash, user.version, false, now))) throw new StaleWriteError(user.version);
      // Other sessions were opened with the old password: end them, keep this one.
      const sessionsEnded = await repo.deleteUserSessions(tx, userId, principal.sessionId);
      const tokensRevoked = revokeTokens ? await repo.revokeUserTokens(tx, userId, now) : [];
      for (const id of tokensRevoked) await auditTokenRevoked(audit, id, now, 'password-change');
      await audit({
        action: 'user.password-change',
        recordType: 'user',
        recordId: userId,
        organisationId: null,
        before: { version: user.version },
        after: { version: user.version + 1, sessionsEnded, revokeTokens, tokensRevoked },
      });
    });
  }
}
