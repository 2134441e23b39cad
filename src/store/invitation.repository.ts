import type { Db, Tx } from './db.ts';
import type { InvitationTable } from './schema.ts';

/**
 * Invitations to join an organisation. Reads for the invitee match their user id or e-mail address; reads for the
 * organisation's administrators are by organisation. Expired invitations are never returned.
 */
export async function insertInvitation(tx: Tx, row: InvitationTable): Promise<void> {
  await tx.insertInto('invitations').values(row).execute();
}

/** A new invitation for the same person replaces the pending one (its roles change; one answer to accept). */
export async function deletePendingFor(tx: Tx, organisationId: string, invitee: { userId: string | null; email: string | null }): Promise<void> {
  let q = tx.deleteFrom('invitations').where('organisation_id', '=', organisationId);
  q = invitee.userId !== null ? q.where('invitee_user_id', '=', invitee.userId) : q.where('invitee_email', '=', invitee.email ?? '');
  await q.execute();
}

export async function invitationsForInvitee(db: Db, invitee: { userId: string; email: string | null }, nowIso: string) {
  return db
    .selectFrom('invitations')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .selectAll('invitations')
    .select(['organisations.name as organisation_name'])
    .where('invitations.expires_at', '>', nowIso)
    .where('invitations.declined_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('invitations.invitee_user_id', '=', invitee.userId),
        ...(invitee.email !== null ? [eb('invitations.invitee_email', '=', invitee.email)] : []),
      ]),
    )
    .orderBy('invitations.created_at', 'desc')
    .orderBy('invitations.id')
    .limit(200)
    .execute();
}

export async function invitationsOfOrganisation(db: Db, organisationId: string, nowIso: string): Promise<InvitationTable[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('expires_at', '>', nowIso)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(200)
    .execute();
}

export async function findInvitation(db: Db | Tx, id: string, nowIso: string): Promise<InvitationTable | undefined> {
  return db.selectFrom('invitations').selectAll().where('id', '=', id).where('expires_at', '>', nowIso).executeTakeFirst();
}

export async function markDeclined(tx: Tx, id: string, at: string): Promise<void> {
  await tx.updateTable('invitations').set({ declined_at: at }).where('id', '=', id).execute();
}

export async function deleteInvitation(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('invitations').where('id', '=', id).execute();
}
