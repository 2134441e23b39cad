import { ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/policy/access-label.ts';

/** Guards shared by every service: signed in, scope held, password settled. */
export function requireUser(p: Principal, scope: Scope = 'read'): asserts p is Principal & { userId: string; email: string } {
  if (p.via === 'system' || p.via === 'cli') return;
  if (!p.userId) throw new UnauthenticatedError();
  if (p.mustChangePassword) throw new PasswordChangeRequiredError();
  if (!p.scopes.has(scope)) throw new ForbiddenError(`this token lacks the "${scope}" scope`);
}

export function requireSiteAdmin(p: Principal): void {
  requireUser(p, 'admin');
  if (!p.siteAdmin) throw new ForbiddenError('only site administrators can do this');
}

export function isOrgAdmin(p: Principal, organisationId: string): boolean {
  return p.memberships.get(organisationId)?.roles.has('admin') ?? false;
}

/** Organisation ids where the principal is an administrator. */
export function adminOrgIds(p: Principal): string[] {
  return [...p.memberships.values()].filter((m) => m.roles.has('admin')).map((m) => m.organisationId);
}
