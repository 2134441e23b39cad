import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../domain/errors.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import { authorize, guardFor } from '../domain/policy/authorize.ts';
import { replaceRoles, rolesOf } from '../store/membership.repository.ts';
import {
  deleteInvitation,
  deletePendingFor,
  findInvitation,
  insertInvitation,
  invitationsForInvitee,
  invitationsOfOrganisation,
  markDeclined,
} from '../store/invitation.repository.ts';
import type { AuditInput } from '../store/audit.repository.ts';
import type { Tx } from '../store/db.ts';
import type { InvitationTable } from '../store/schema.ts';
import { writeTx, type ServiceDeps } from './context.ts';
import type { OrganisationService } from './organisation.service.ts';

export const INVITATION_DAYS = 14;

/** An invitation as the inviting organisation's administrators see it: only what they supplied themselves. */
export interface OrganisationInvitation {
  id: string;
  organisationId: string;
  userId: string | null;
  email: string | null;
  roles: string[];
  createdAt: string;
  expiresAt: string;
}

/** An invitation as its invitee sees it. */
export interface MyInvitation {
  id: string;
  organisationId: string;
  organisationName: string;
  roles: string[];
  createdAt: string;
  expiresAt: string;
}

export function presentOrganisationInvitation(r: InvitationTable): OrganisationInvitation {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    userId: r.invitee_user_id,
    email: r.invitee_email,
    roles: JSON.parse(r.roles) as string[],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

export function presentMyInvitation(r: InvitationTable & { organisation_name: string }): MyInvitation {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    roles: JSON.parse(r.roles) as string[],
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

const inviteeOf = (r: InvitationTable) => ({ organisationId: r.organisation_id, inviteeUserId: r.invitee_user_id, inviteeEmail: r.invitee_email });

/**
 * Joining an organisation whose administrators cannot see you is your decision: they invite, you accept or decline.
 * What the inviter gets back never depends on whether the invitee exists (see docs/API.md, "Invitations").
 */
export class InvitationService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly organisations: OrganisationService,
  ) {}

  /** Called once the caller is authorised to manage the organisation's members and grant these roles. */
  async invite(p: Principal, orgId: string, invitee: { userId: string | null; email: string | null }, roles: string[]): Promise<OrganisationInvitation> {
    return writeTx(this.deps, p, async (tx, audit, now) => {
      await deletePendingFor(tx, orgId, invitee);
      const row: InvitationTable = {
        id: randomUUID(),
        organisation_id: orgId,
        invitee_user_id: invitee.userId,
        invitee_email: invitee.email,
        roles: JSON.stringify(roles),
        invited_by: p.userId,
        created_at: now,
        expires_at: new Date(new Date(now).getTime() + INVITATION_DAYS * 86_400_000).toISOString(),
        declined_at: null,
      };
      await insertInvitation(tx, row);
      const invitation = presentOrganisationInvitation(row);
      await audit({ action: 'invitation.create', recordType: 'invitation', recordId: row.id, organisationId: orgId, before: null, after: invitation });
      return invitation;
    });
  }

  async mine(p: Principal): Promise<MyInvitation[]> {
    const now = this.deps.clock.now();
    authorize(p, 'invitation.list-mine', null, now);
    const rows = await invitationsForInvitee(this.deps.db, { userId: p.userId ?? '', email: p.email }, now.toISOString());
    return rows.map(presentMyInvitation);
  }

  async ofOrganisation(p: Principal, orgId: string): Promise<OrganisationInvitation[]> {
    guardFor(p, 'invitation.list');
    const now = this.deps.clock.now();
    const org = await this.organisations.get(p, orgId);
    authorize(p, 'invitation.list', org, now);
    return (await invitationsOfOrganisation(this.deps.db, orgId, now.toISOString())).map(presentOrganisationInvitation);
  }

  async revoke(p: Principal, orgId: string, id: string): Promise<void> {
    guardFor(p, 'invitation.revoke');
    const now = this.deps.clock.now();
    const org = await this.organisations.get(p, orgId);
    authorize(p, 'invitation.revoke', org, now);
    await writeTx(this.deps, p, async (tx, audit) => {
      const row = await findInvitation(tx, id, now.toISOString());
      if (!row || row.organisation_id !== orgId) throw new NotFoundError('invitation');
      await deleteInvitation(tx, id);
      await audit({ action: 'invitation.revoke', recordType: 'invitation', recordId: id, organisationId: orgId, before: presentOrganisationInvitation(row), after: null });
    });
  }

  /** The invitee joins with the invited roles (added to any they already hold there). */
  async accept(p: Principal, id: string): Promise<void> {
    await this.respond(p, id, async (tx, audit, at, row) => {
      const userId = p.userId!;
      const before = await rolesOf(tx, row.organisation_id, userId);
      const roles = [...new Set([...before, ...(JSON.parse(row.roles) as string[])])].sort();
      await replaceRoles(tx, row.organisation_id, userId, roles, at);
      await deleteInvitation(tx, id);
      await audit({ action: 'invitation.accept', recordType: 'invitation', recordId: id, organisationId: row.organisation_id, before: presentOrganisationInvitation(row), after: null });
      await audit({
        action: before.length ? 'membership.update' : 'membership.create',
        recordType: 'membership',
        recordId: `${row.organisation_id}/${userId}`,
        organisationId: row.organisation_id,
        before: before.length ? { roles: before } : null,
        after: { roles },
      });
    });
  }

  async decline(p: Principal, id: string): Promise<void> {
    await this.respond(p, id, async (tx, audit, at, row) => {
      await markDeclined(tx, id, at);
      // Filed under no organisation (site administrators only): the inviters must not learn that someone declined.
      await audit({ action: 'invitation.decline', recordType: 'invitation', recordId: id, organisationId: null, before: presentOrganisationInvitation(row), after: null });
    });
  }

  /**
   * Accept and decline start alike, in the answer's own transaction: the invitation must still be open (not expired,
   * not declined) and addressed to the caller; anything else reads as not found, so nobody learns of others' invitations.
   */
  private async respond(
    p: Principal,
    id: string,
    answer: (tx: Tx, audit: (e: AuditInput) => Promise<void>, at: string, row: InvitationTable) => Promise<void>,
  ): Promise<void> {
    guardFor(p, 'invitation.respond');
    const now = this.deps.clock.now();
    await writeTx(this.deps, p, async (tx, audit, at) => {
      const row = await findInvitation(tx, id, now.toISOString());
      if (!row || row.declined_at !== null) throw new NotFoundError('invitation');
      authorize(p, 'invitation.respond', inviteeOf(row), now);
      await answer(tx, audit, at, row);
    });
  }
}
