import type { Db, Tx } from './db.ts';

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: string;
}

export interface MembershipRow {
  organisationId: string;
  role: string;
  kind: string;
}

/** Members of one organisation; the caller has authorised reading them (membership.list). */
export async function listMemberRows(db: Db, organisationId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role'])
    .where('memberships.organisation_id', '=', organisationId)
    .orderBy('users.email')
    .orderBy('memberships.role')
    .execute();
  return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, role: r.role }));
}

/** Every membership of a user with its organisation's kind: what a principal is made of. */
export async function membershipsOfUser(db: Db | Tx, userId: string): Promise<MembershipRow[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select(['memberships.organisation_id', 'memberships.role', 'organisations.kind'])
    .where('memberships.user_id', '=', userId)
    .execute();
  return rows.map((r) => ({ organisationId: r.organisation_id, role: r.role, kind: r.kind }));
}

export async function organisationIdsOfUser(db: Db | Tx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('memberships').select('organisation_id').distinct().where('user_id', '=', userId).execute();
  return rows.map((r) => r.organisation_id);
}

export async function rolesOf(db: Db | Tx, organisationId: string, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('memberships').select('role').where('user_id', '=', userId).where('organisation_id', '=', organisationId).execute();
  return rows.map((r) => r.role).sort();
}

export async function replaceRoles(tx: Tx, organisationId: string, userId: string, roles: readonly string[], now: string): Promise<void> {
  await tx.deleteFrom('memberships').where('user_id', '=', userId).where('organisation_id', '=', organisationId).execute();
  if (roles.length) await tx.insertInto('memberships').values(roles.map((role) => ({ user_id: userId, organisation_id: organisationId, role, created_at: now }))).execute();
}

export async function removeMembership(tx: Tx, organisationId: string, userId: string): Promise<void> {
  await tx.deleteFrom('memberships').where('user_id', '=', userId).where('organisation_id', '=', organisationId).execute();
}
