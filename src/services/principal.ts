import type { Membership, OrganisationKind, Principal, Scope } from '../domain/policy/access-label.ts';
import type { Db } from '../store/db.ts';
import { membershipsOfUser } from '../store/membership.repository.ts';
import { findUserById } from '../store/user.repository.ts';

/** Loads who a user is for this request: flags and every membership with its organisation's kind. */
export async function loadPrincipal(
  db: Db,
  userId: string,
  via: Principal['via'],
  extra: { tokenId?: string; sessionId?: string; scopes?: Scope[] } = {},
): Promise<Principal | null> {
  const user = await findUserById(db, userId);
  if (!user || user.disabled) return null;
  const memberships = new Map<string, Membership & { roles: Set<string> }>();
  for (const r of await membershipsOfUser(db, userId)) {
    let m = memberships.get(r.organisationId);
    if (!m) {
      m = { organisationId: r.organisationId, kind: r.kind as OrganisationKind, roles: new Set() };
      memberships.set(r.organisationId, m);
    }
    m.roles.add(r.role);
  }
  return {
    userId: user.id,
    email: user.email,
    siteAdmin: user.site_admin === 1,
    via,
    tokenId: extra.tokenId ?? null,
    sessionId: extra.sessionId ?? null,
    scopes: new Set(extra.scopes ?? ['read', 'write', 'admin']),
    memberships,
    mustChangePassword: user.must_change_password === 1,
  };
}

/** The actor for work the server does by itself (bootstrap, CLI administration). */
export function systemPrincipal(via: 'system' | 'cli' = 'system'): Principal {
  return {
    userId: null,
    email: null,
    siteAdmin: true,
    via,
    tokenId: null,
    sessionId: null,
    scopes: new Set(['read', 'write', 'admin']),
    memberships: new Map(),
    mustChangePassword: false,
  };
}
