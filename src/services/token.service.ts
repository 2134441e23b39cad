import { randomUUID } from 'node:crypto';
import { InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { SCOPES, type Principal, type Scope } from '../domain/policy/access-label.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import type { ApiTokenTable } from '../store/schema.ts';
import { findToken, insertToken, listTokensOf, markTokenRevoked } from '../store/token.repository.ts';
import { findUserById } from '../store/user.repository.ts';
import { TOKEN_PREFIX } from './auth.service.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import { hashSecret, randomSecret } from './secrets.ts';

export interface ApiToken {
  id: string;
  name: string;
  userId: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;

/** What leaves about a token: never its secret or hash (the prefix lets a person recognise it). */
function toToken(r: ApiTokenTable): ApiToken {
  return {
    id: r.id,
    name: r.name,
    userId: r.user_id,
    scopes: JSON.parse(r.scopes) as Scope[],
    prefix: r.prefix,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export class TokenService {
  constructor(private readonly deps: ServiceDeps) {}

  async list(p: Principal, userId?: string): Promise<ApiToken[]> {
    guardFor(p, 'token.list');
    const owner = userId ?? p.userId;
    if (!owner) throw new InvalidInputError('userId is required', { parameter: 'userId' });
    authorize(p, 'token.list', { userId: owner }, this.deps.clock.now());
    return (await listTokensOf(this.deps.db, owner)).map(toToken);
  }

  /**
   * Mints a token for `forUserId` (default: the caller). Through the API only a signed-in person mints, never a token,
   * so a leaked token cannot breed. The CLI mints for any user as the operator of the machine.
   */
  async create(p: Principal, input: { name: string; scopes: Scope[]; expiresInDays?: number | null; forUserId?: string }): Promise<{ token: ApiToken; secret: string }> {
    guardFor(p, 'token.create');
    const userId = input.forUserId ?? p.userId;
    if (!userId) throw new InvalidInputError('a token belongs to a user');
    authorize(p, 'token.create', { userId }, this.deps.clock.now());
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw new InvalidInputError('name must have 1 to 100 characters', { field: 'name' });
    const scopes = [...new Set(input.scopes)].sort() as Scope[];
    if (scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s))) throw new InvalidInputError(`scopes must be a non-empty subset of ${SCOPES.join(', ')}`, { field: 'scopes' });
    const days = input.expiresInDays === undefined ? DEFAULT_TOKEN_DAYS : input.expiresInDays;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
      throw new InvalidInputError(`expiresInDays must be a whole number from 1 to ${MAX_TOKEN_DAYS}`, { field: 'expiresInDays' });
    }
    const secret = TOKEN_PREFIX + randomSecret();
    return writeTx(this.deps, p, async (tx, audit, now) => {
      if (!(await findUserById(tx, userId))) throw new NotFoundError('user');
      const row: ApiTokenTable = {
        id: randomUUID(),
        user_id: userId,
        name,
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        secret_hash: hashSecret(secret),
        scopes: JSON.stringify(scopes),
        created_at: now,
        expires_at: days === null ? null : new Date(new Date(now).getTime() + days * 86_400_000).toISOString(),
        last_used_at: null,
        revoked_at: null,
      };
      await insertToken(tx, row);
      const token = toToken(row);
      await audit({ action: 'token.create', recordType: 'api-token', recordId: row.id, organisationId: null, before: null, after: token });
      return { token, secret };
    });
  }

  async revoke(p: Principal, id: string): Promise<void> {
    guardFor(p, 'token.revoke');
    const at = this.deps.clock.now();
    await writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await findToken(tx, id);
      if (!row) throw new NotFoundError('token');
      authorize(p, 'token.revoke', { userId: row.user_id }, at);
      if (row.revoked_at) return;
      await markTokenRevoked(tx, id, now);
      await audit({ action: 'token.revoke', recordType: 'api-token', recordId: id, organisationId: null, before: toToken(row), after: toToken({ ...row, revoked_at: now }) });
    });
  }
}
