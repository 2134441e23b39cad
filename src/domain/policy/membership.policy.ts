import type { Principal } from './access-label.ts';
import { seesOrganisation, type OrganisationRecord } from './organisation.policy.ts';
import { holdsRoleIn, isAdminOf, isBaseRole, isMemberOf, isSiteAdmin } from './predicates.ts';
import { rule } from './rule.ts';
import { seesUser, type UserRecord } from './user.policy.ts';

export interface GrantRecord {
  organisationId: string;
  roles: readonly string[];
}

/** The member list is for the organisation's own members and site administrators; to others it does not exist. */
const seesMembers = (a: Principal, o: OrganisationRecord, now: Date) => seesOrganisation(a, o, now) && (isSiteAdmin(a) || isMemberOf(a, o.id));
const seesOrg = seesOrganisation;
const manages = (a: Principal, o: { id: string }) =>
  isSiteAdmin(a) || isAdminOf(a, o.id) || "only site administrators and the organisation's administrators manage its members";

/**
 * Adding someone directly (rather than inviting them) is only for people the actor can already see: site
 * administrators see everyone, organisation administrators the members of organisations they administer. Anyone
 * else becomes an invitation, so the answer never tells whether that user exists.
 */
export function addsDirectly(a: Principal, user: UserRecord | null): boolean {
  return user !== null && seesUser(a, user);
}

export const membershipPolicy = {
  'membership.list': rule<OrganisationRecord>({ what: 'organisation', need: 'read', visible: seesMembers }),
  'membership.manage': rule<OrganisationRecord>({ what: 'organisation', need: 'admin', visible: seesOrg, allow: manages }),
  /**
   * Need-to-know roles open restricted records, so handing one out is itself restricted: site administrators may
   * grant any role; an organisation's administrator only `admin`, `member`, and restricted roles they hold in that
   * organisation themselves. Otherwise any organisation admin could grant themselves `designation-reviewer`.
   */
  'membership.grant': rule<GrantRecord>({
    what: 'organisation',
    need: 'admin',
    allow: (a, g) => {
      if (isSiteAdmin(a)) return true;
      const denied = g.roles.filter((r) => !isBaseRole(r) && !holdsRoleIn(a, g.organisationId, r));
      return denied.length === 0 || `only site administrators, or administrators holding it themselves, can grant the restricted role ${denied.join(', ')}`;
    },
  }),
};
