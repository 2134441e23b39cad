import type { ExpressionBuilder } from 'kysely';
import type { UserScope } from '../domain/policy/user.policy.ts';
import type { Db, Tx } from './db.ts';
import type { Database, UserTable } from './schema.ts';

/**
 * Users. Lists and reads for a person take their `UserScope` (src/domain/policy/user.policy.ts) and apply it inside
 * the SQL; the unscoped lookups are for writes that have already been authorised and for the server's own work.
 */
function visible(scope: UserScope) {
  return (eb: ExpressionBuilder<Database, 'users'>) => {
    if (scope.all) return eb.lit(true);
    const self = eb('users.id', '=', scope.selfId ?? '');
    if (scope.administeredOrgIds.length === 0) return self;
    return eb.or([
      self,
      eb('users.id', 'in', eb.selectFrom('memberships').select('memberships.user_id').where('memberships.organisation_id', 'in', scope.administeredOrgIds)),
    ]);
  };
}

export async function listUsers(db: Db, scope: UserScope, after: [string, string] | null, limit: number): Promise<UserTable[]> {
  let q = db.selectFrom('users').selectAll().where(visible(scope));
  if (after) q = q.where((eb) => eb.or([eb('email', '>', after[0]), eb.and([eb('email', '=', after[0]), eb('id', '>', after[1])])]));
  return q.orderBy('email').orderBy('id').limit(limit).execute();
}

export async function findVisibleUser(db: Db | Tx, scope: UserScope, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).where(visible(scope)).executeTakeFirst();
}

export async function findUserById(db: Db | Tx, id: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByEmail(db: Db | Tx, email: string): Promise<UserTable | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function anyUserExists(db: Db): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function insertUser(tx: Tx, row: UserTable): Promise<void> {
  await tx.insertInto('users').values(row).execute();
}

/** Conditional on the version read: false when someone else changed the row first. */
export async function updateUserVersioned(
  tx: Tx,
  id: string,
  version: number,
  set: Partial<Pick<UserTable, 'name' | 'disabled' | 'site_admin' | 'password_hash' | 'must_change_password' | 'version' | 'updated_at'>>,
): Promise<boolean> {
  const res = await tx.updateTable('users').set(set).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
