import { BASE_ROLES, canRead, readerFacts, type AccessLabel, type Principal, type Scope } from './access-label.ts';

/**
 * The small facts every policy file composes its rules from. Each answers one question about an actor and nothing
 * else, so a rule reads like its sentence in docs/ARCHITECTURE.md.
 */

/** The server acting by itself (bootstrap, background work): it reads everything, then filters per recipient. */
export const isSystem = (a: Principal): boolean => a.via === 'system';

/** Whoever runs the server: its own work and the operator's CLI on the machine. Guards do not apply to them. */
export const isOperator = (a: Principal): boolean => a.via === 'system' || a.via === 'cli';

export const isSignedIn = (a: Principal): boolean => a.userId !== null;

export const isSiteAdmin = (a: Principal): boolean => a.siteAdmin;

export const isSelf = (a: Principal, userId: string): boolean => a.userId !== null && a.userId === userId;

export const isMemberOf = (a: Principal, organisationId: string): boolean => a.memberships.has(organisationId);

export const isAdminOf = (a: Principal, organisationId: string): boolean => a.memberships.get(organisationId)?.roles.has('admin') ?? false;

/** Organisation ids where the actor is an administrator. */
export function administeredOrgIds(a: Principal): string[] {
  return [...a.memberships.values()].filter((m) => m.roles.has('admin')).map((m) => m.organisationId);
}

/** Member of a government organisation: the clearinghouse's coordinators, who receive what is shared with it. */
export const isCoordinator = (a: Principal): boolean => [...a.memberships.values()].some((m) => m.kind === 'government');

/** Holds the role in some membership (need-to-know roles open restricted records wherever they were granted). */
export const holdsRole = (a: Principal, role: string): boolean => [...a.memberships.values()].some((m) => m.roles.has(role));

/** Holds the role in this organisation. */
export const holdsRoleIn = (a: Principal, organisationId: string, role: string): boolean => a.memberships.get(organisationId)?.roles.has(role) ?? false;

export const hasScope = (a: Principal, scope: Scope): boolean => isOperator(a) || a.scopes.has(scope);

export const viaToken = (a: Principal): boolean => a.via === 'token';

/** The label's read rule (TLP, embargo, need-to-know) for this actor. */
export const labelAllows = (a: Principal, label: AccessLabel, now: Date): boolean => canRead(readerFacts(a), label, now);

export const isBaseRole = (role: string): boolean => (BASE_ROLES as readonly string[]).includes(role);
