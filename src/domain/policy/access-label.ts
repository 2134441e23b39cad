/**
 * Access labels and the read rule of a labelled record. Every other decision (writes, administration, guards) is
 * in the `<record>.policy.ts` files beside this one, reached through `authorize` (authorize.ts).
 *
 * The same rules exist twice: `canRead` here for a record in hand, and `visibleTo` in src/store/visibility.ts as a
 * SQL condition so that lists, counts and cursors are filtered inside the query. policy.test.ts checks that both
 * agree on every combination.
 */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export const ORGANISATION_KINDS = [
  'government',
  'ai-developer',
  'infrastructure-operator',
  'vendor',
  'evaluator',
  'researcher',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** The 16 CISA critical-infrastructure sectors (PPD-21). */
export const CI_SECTORS = [
  'chemical',
  'commercial-facilities',
  'communications',
  'critical-manufacturing',
  'dams',
  'defense-industrial-base',
  'emergency-services',
  'energy',
  'financial-services',
  'food-and-agriculture',
  'government-facilities',
  'healthcare-and-public-health',
  'information-technology',
  'nuclear',
  'transportation-systems',
  'water-and-wastewater',
] as const;
export type CiSector = (typeof CI_SECTORS)[number];

/** Membership roles. `admin` and `member` are general; the rest name a need-to-know that labels can require. */
export const BASE_ROLES = ['admin', 'member'] as const;
export const RESTRICTED_ROLE_PATTERN = '^[a-z][a-z0-9-]{1,62}$';

export interface AccessLabel {
  owner: string;
  tlp: Tlp;
  /** ISO timestamp; while in the future only the owner and government coordinators can read. */
  embargoUntil: string | null;
  /** A role name every reader must hold (need-to-know), or null. */
  restricted: string | null;
  /**
   * Organisations the record is explicitly shared with: their members read it as the owner's do (TLP, embargo), but
   * only the owner changes it. Absent on record types that cannot be shared.
   */
  sharedWith?: readonly string[];
}

export type Scope = 'read' | 'write' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

export interface Membership {
  organisationId: string;
  kind: OrganisationKind;
  roles: ReadonlySet<string>;
}

export interface Principal {
  /** null for the anonymous public. */
  userId: string | null;
  email: string | null;
  siteAdmin: boolean;
  via: 'session' | 'token' | 'cli' | 'system' | 'anonymous';
  tokenId: string | null;
  sessionId: string | null;
  scopes: ReadonlySet<Scope>;
  memberships: ReadonlyMap<string, Membership>;
  mustChangePassword: boolean;
}

export const ANONYMOUS: Principal = Object.freeze({
  userId: null,
  email: null,
  siteAdmin: false,
  via: 'anonymous',
  tokenId: null,
  sessionId: null,
  scopes: new Set<Scope>(['read']),
  memberships: new Map(),
  mustChangePassword: false,
});

/** What the SQL filter and `canRead` need to know about a reader, computed once per request. */
export interface ReaderFacts {
  authenticated: boolean;
  organisationIds: string[];
  /** Member of at least one government organisation: the clearinghouse's coordinators. */
  coordinator: boolean;
  roles: string[];
}

export function readerFacts(p: Principal): ReaderFacts {
  const roles = new Set<string>();
  let coordinator = false;
  for (const m of p.memberships.values()) {
    if (m.kind === 'government') coordinator = true;
    for (const r of m.roles) roles.add(r);
  }
  return {
    authenticated: p.userId !== null,
    organisationIds: [...p.memberships.keys()],
    coordinator,
    roles: [...roles],
  };
}

/**
 * Read rule, all three parts must allow ("owner" below includes the organisations the record is shared with):
 * - TLP: CLEAR everyone (also the public); GREEN every signed-in user; AMBER and AMBER+STRICT the owner's members and
 *   government coordinators (the recipients of what is shared with the clearinghouse); RED the owner's members only.
 * - Embargo: while it runs, only the owner's members and government coordinators.
 * - Restricted: the reader holds the named role in some membership.
 */
export function canRead(facts: ReaderFacts, label: AccessLabel, now: Date): boolean {
  const isOwner = facts.organisationIds.includes(label.owner) || (label.sharedWith?.some((o) => facts.organisationIds.includes(o)) ?? false);
  if (label.restricted !== null && !facts.roles.includes(label.restricted)) return false;
  if (label.embargoUntil !== null && label.embargoUntil > now.toISOString() && !(isOwner || facts.coordinator)) return false;
  switch (label.tlp) {
    case 'CLEAR':
      return true;
    case 'GREEN':
      return facts.authenticated;
    case 'AMBER':
    case 'AMBER+STRICT':
      return isOwner || facts.coordinator;
    case 'RED':
      return isOwner;
  }
}
