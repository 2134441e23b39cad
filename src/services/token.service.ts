import { randomUUID } from 'node:crypto';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../domain/errors.ts';
import { SCOPES, type Principal, type Scope } from '../domain/policy/access-label.ts';
import type { ApiTokenTable } from '../store/schema.ts';
import { requireUser } from './access.ts';
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
    requireUser(p);
    const owner = userId ?? p.userId;
    if (!owner) throw new InvalidInputError('userId is required', { parameter: 'userId' });
    if (owner !== p.userId && !p.siteAdmin) throw new NotFoundError('user');
    const rows = await this.deps.db.selectFrom('api_tokens').selectAll().where('user_id', '=', owner).orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toToken);
  }

  /**
   * Mints a token for `forUserId` (default: the caller). Through the API only a signed-in person mints, never a token,
   * so a leaked token cannot breed. The CLI mints for any user as the operator of the machine.
   */
  async create(p: Principal, input: { name: string; scopes: Scope[]; expiresInDays?: number | null; forUserId?: string }): Promise<{ token: ApiToken; secret: string }> {
    requireUser(p, 'write');
    if (p.via === 'token') throw new ForbiddenError('an API token cannot create tokens; sign in to create one');
    const userId = input.forUserId ?? p.userId;
    if (!userId) throw new InvalidInputError('a token belongs to a user');
    if (userId !== p.userId && p.via !== 'cli' && p.via !== 'system') throw new ForbiddenError('you can only create tokens for yourself');
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
      const user = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
      if (!user) throw new NotFoundError('user');
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
      await tx.insertInto('api_tokens').values(row).execute();
      const token = toToken(row);
      await audit({ action: 'token.create', recordType: 'api-token', recordId: row.id, organisationId: null, before: null, after: token });
      return { token, secret };
    });
  }

  async revoke(p: Principal, id: string): Promise<void> {
    requireUser(p, 'write');
    await writeTx(this.deps, p, async (tx, audit, now) => {
      const row = await tx.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || (row.user_id !== p.userId && !p.siteAdmin)) throw new NotFoundError('token');
      if (row.revoked_at) return;
      await tx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
      await audit({ action: 'token.revoke', recordType: 'api-token', recordId: id, organisationId: null, before: toToken(row), after: toToken({ ...row, revoked_at: now }) });
    });
  }
}
