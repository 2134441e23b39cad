import { DomainError } from '../errors.ts';
import { ANONYMOUS, type AccessLabel, type Membership, type OrganisationKind, type Principal, type Scope } from './access-label.ts';
import { authorize, type Action, type RecordOf } from './authorize.ts';

/**
 * The cast of the policy rule tables (`*.policy.test.ts`): a few organisations and the people in them. Pure data,
 * shared so that every table speaks of the same actors.
 */
export const ORG = { a: 'org-a', b: 'org-b', gov: 'org-gov', ops: 'org-ops' } as const;
export const ROLE = 'designation-reviewer';
export const NOW = new Date('2026-11-26T12:00:00.000Z');

function person(
  userId: string,
  memberships: [string, OrganisationKind, string[]][],
  extra: Partial<Pick<Principal, 'siteAdmin' | 'via' | 'mustChangePassword'>> & { scopes?: Scope[] } = {},
): Principal {
  const m = new Map<string, Membership>(memberships.map(([id, kind, roles]) => [id, { organisationId: id, kind, roles: new Set(roles) }]));
  return {
    userId,
    email: `${userId}@example.test`,
    siteAdmin: extra.siteAdmin ?? false,
    via: extra.via ?? 'session',
    tokenId: extra.via === 'token' ? `token-of-${userId}` : null,
    sessionId: extra.via === 'token' ? null : `session-of-${userId}`,
    scopes: new Set(extra.scopes ?? ['read', 'write', 'admin']),
    memberships: m,
    mustChangePassword: extra.mustChangePassword ?? false,
  };
}

export const ACTORS = {
  anonymous: ANONYMOUS,
  system: { ...ANONYMOUS, via: 'system', siteAdmin: true, scopes: new Set<Scope>(['read', 'write', 'admin']) } as Principal,
  cli: { ...ANONYMOUS, via: 'cli', siteAdmin: true, scopes: new Set<Scope>(['read', 'write', 'admin']) } as Principal,
  siteAdmin: person('site-admin', [[ORG.ops, 'government', ['admin', 'member']]], { siteAdmin: true }),
  adminA: person('admin-a', [[ORG.a, 'vendor', ['admin']]]),
  memberA: person('member-a', [[ORG.a, 'vendor', ['member']]]),
  reviewerA: person('reviewer-a', [[ORG.a, 'vendor', ['member', ROLE]]]),
  reviewerAdminA: person('reviewer-admin-a', [[ORG.a, 'vendor', ['admin', ROLE]]]),
  memberB: person('member-b', [[ORG.b, 'vendor', ['member']]]),
  adminB: person('admin-b', [[ORG.b, 'vendor', ['admin']]]),
  coordinator: person('coordinator', [[ORG.gov, 'government', ['member']]]),
  readTokenA: person('member-a', [[ORG.a, 'vendor', ['member']]], { via: 'token', scopes: ['read'] }),
  writeTokenA: person('member-a', [[ORG.a, 'vendor', ['member']]], { via: 'token', scopes: ['read', 'write'] }),
  writeTokenAdminA: person('admin-a', [[ORG.a, 'vendor', ['admin']]], { via: 'token', scopes: ['read', 'write'] }),
  writeTokenSiteAdmin: person('site-admin', [[ORG.ops, 'government', ['admin', 'member']]], { siteAdmin: true, via: 'token', scopes: ['read', 'write'] }),
  pendingA: person('pending-a', [[ORG.a, 'vendor', ['member']]], { mustChangePassword: true }),
} satisfies Record<string, Principal>;

export type ActorName = keyof typeof ACTORS;

export function label(owner: string, tlp: AccessLabel['tlp'], extra: Partial<AccessLabel> = {}): AccessLabel {
  return { owner, tlp, embargoUntil: null, restricted: null, ...extra };
}

export type Outcome = 'allow' | 'not-found' | 'forbidden' | 'unauthenticated' | 'password-change-required';

/** What `authorize` answers, as one word per row of a rule table. */
export function outcome<A extends Action>(actor: ActorName, action: A, record: RecordOf<A>, now = NOW): Outcome {
  try {
    authorize(ACTORS[actor], action, record, now);
    return 'allow';
  } catch (err) {
    if (err instanceof DomainError && err.code !== 'invalid-input') return err.code as Outcome;
    throw err;
  }
}
