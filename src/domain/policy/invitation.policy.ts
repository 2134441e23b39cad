import type { Principal } from './access-label.ts';
import { seesOrganisation, type OrganisationRecord } from './organisation.policy.ts';
import { isAdminOf, isSelf, isSiteAdmin } from './predicates.ts';
import { rule } from './rule.ts';

export interface InvitationRecord {
  organisationId: string;
  inviteeUserId: string | null;
  inviteeEmail: string | null;
}

/** An invitation exists only for its invitee (named by user id or by e-mail address). */
export const isInvitee = (a: Principal, i: InvitationRecord): boolean =>
  (i.inviteeUserId !== null && isSelf(a, i.inviteeUserId)) || (i.inviteeEmail !== null && a.email !== null && a.email === i.inviteeEmail);

const manages = (a: Principal, o: { id: string }) =>
  isSiteAdmin(a) || isAdminOf(a, o.id) || "only site administrators and the organisation's administrators manage its invitations";

export const invitationPolicy = {
  'invitation.list-mine': rule<null>({ what: 'invitation', need: 'read' }),
  'invitation.respond': rule<InvitationRecord>({ what: 'invitation', need: 'write', visible: isInvitee }),
  'invitation.list': rule<OrganisationRecord>({ what: 'organisation', need: 'read', visible: seesOrganisation, allow: manages }),
  'invitation.revoke': rule<OrganisationRecord>({ what: 'organisation', need: 'admin', visible: seesOrganisation, allow: manages }),
};
