import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DomainError } from '../errors.ts';
import type { Principal } from './access-label.ts';
import { authorize } from './authorize.ts';
import { ACTORS, label, NOW, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const finding = (tlp: Parameters<typeof label>[1], extra: Parameters<typeof label>[2] = {}) => ({ label: label(ORG.a, tlp, extra) });
const EMBARGOED = { embargoUntil: '2027-01-01T00:00:00.000Z' };
const LAPSED = { embargoUntil: '2026-01-01T00:00:00.000Z' };
const SHARED_B = { sharedWith: [ORG.b] };

/** A site administrator who belongs to no organisation: administers the site, coordinates nothing. */
const plainSiteAdmin: Principal = { ...ACTORS.siteAdmin, userId: 'plain-site-admin', memberships: new Map() };
/** A coordinator who also holds the need-to-know role. */
const reviewerCoordinator: Principal = {
  ...ACTORS.coordinator,
  userId: 'reviewer-coordinator',
  memberships: new Map([[ORG.gov, { organisationId: ORG.gov, kind: 'government', roles: new Set(['member', ROLE]) }]]),
};
/** A coordinator's read-only token. */
const readTokenCoordinator: Principal = { ...ACTORS.coordinator, via: 'token', tokenId: 'token-of-coordinator', sessionId: null, scopes: new Set(['read']) };

function outcomeOf(actor: Principal, action: Parameters<typeof authorize>[1], record: never): Outcome {
  try {
    authorize(actor, action, record, NOW);
    return 'allow';
  } catch (err) {
    if (err instanceof DomainError) return err.code as Outcome;
    throw err;
  }
}

it('triage rules, as a table', () => {
  const table: [ActorName | string, string, () => Outcome, Outcome][] = [
    // The queue: every signed-in reader (the repository lists only what they read); never the anonymous public.
    ['anonymous', 'read the queue', () => outcome('anonymous', 'triage.queue', null), 'unauthenticated'],
    ['memberB', 'read the queue', () => outcome('memberB', 'triage.queue', null), 'allow'],
    ['readTokenA', 'read the queue with a read token', () => outcome('readTokenA', 'triage.queue', null), 'allow'],
    ['pendingA', 'read the queue before settling the password', () => outcome('pendingA', 'triage.queue', null), 'password-change-required'],

    // History: under the finding's own label.
    ['anonymous', 'history of a CLEAR finding', () => outcome('anonymous', 'triage.history', finding('CLEAR')), 'unauthenticated'],
    ['memberB', 'history of a GREEN finding', () => outcome('memberB', 'triage.history', finding('GREEN')), 'allow'],
    ['memberB', 'history of an AMBER finding of A', () => outcome('memberB', 'triage.history', finding('AMBER')), 'not-found'],
    ['memberB', 'history of an AMBER finding shared with B', () => outcome('memberB', 'triage.history', finding('AMBER', SHARED_B)), 'allow'],
    ['memberB', 'history of a RED finding shared with B', () => outcome('memberB', 'triage.history', finding('RED', SHARED_B)), 'allow'],
    ['memberB', 'history of an embargoed GREEN finding', () => outcome('memberB', 'triage.history', finding('GREEN', EMBARGOED)), 'not-found'],
    ['memberB', 'history of a GREEN finding whose embargo lapsed', () => outcome('memberB', 'triage.history', finding('GREEN', LAPSED)), 'allow'],
    ['memberA', 'history of own RED finding', () => outcome('memberA', 'triage.history', finding('RED')), 'allow'],
    ['memberA', 'history of own restricted finding without the role', () => outcome('memberA', 'triage.history', finding('AMBER', { restricted: ROLE })), 'not-found'],
    ['reviewerA', 'history of own restricted finding', () => outcome('reviewerA', 'triage.history', finding('AMBER', { restricted: ROLE })), 'allow'],
    ['coordinator', 'history of an embargoed AMBER finding', () => outcome('coordinator', 'triage.history', finding('AMBER', EMBARGOED)), 'allow'],
    ['coordinator', 'history of a RED finding of A', () => outcome('coordinator', 'triage.history', finding('RED')), 'not-found'],
    ['siteAdmin', 'history of a RED finding of A (labels exempt nobody)', () => outcome('siteAdmin', 'triage.history', finding('RED')), 'not-found'],
    ['system', 'history of a RED restricted finding', () => outcome('system', 'triage.history', finding('RED', { restricted: ROLE })), 'allow'],
    ['cli', 'history of a RED finding of A', () => outcome('cli', 'triage.history', finding('RED')), 'not-found'],

    // Writes (state, scores, SSVC): coordinators on findings they read.
    ['coordinator', 'triage an AMBER finding', () => outcome('coordinator', 'triage.write', finding('AMBER')), 'allow'],
    ['coordinator', 'triage an embargoed AMBER+STRICT finding', () => outcome('coordinator', 'triage.write', finding('AMBER+STRICT', EMBARGOED)), 'allow'],
    ['coordinator', 'triage a RED finding of A (hidden)', () => outcome('coordinator', 'triage.write', finding('RED')), 'not-found'],
    ['coordinator', 'triage a restricted finding without the role (hidden)', () => outcome('coordinator', 'triage.write', finding('AMBER', { restricted: ROLE })), 'not-found'],
    ['reviewer-coordinator', 'triage a restricted finding holding the role', () => outcomeOf(reviewerCoordinator, 'triage.write', finding('AMBER', { restricted: ROLE }) as never), 'allow'],
    ['read-token coordinator', 'triage with a read token', () => outcomeOf(readTokenCoordinator, 'triage.write', finding('AMBER') as never), 'forbidden'],
    ['memberA', 'triage own finding (reporters do not triage)', () => outcome('memberA', 'triage.write', finding('AMBER')), 'forbidden'],
    ['adminA', 'triage own finding', () => outcome('adminA', 'triage.write', finding('RED')), 'forbidden'],
    ['memberB', 'triage a GREEN finding of A', () => outcome('memberB', 'triage.write', finding('GREEN')), 'forbidden'],
    ['memberB', 'triage an AMBER finding of A (hidden)', () => outcome('memberB', 'triage.write', finding('AMBER')), 'not-found'],
    ['memberB', 'triage a RED finding shared with B', () => outcome('memberB', 'triage.write', finding('RED', SHARED_B)), 'forbidden'],
    ['plain site admin', 'triage a CLEAR finding', () => outcomeOf(plainSiteAdmin, 'triage.write', finding('CLEAR') as never), 'forbidden'],
    ['siteAdmin', 'triage an AMBER finding as a member of a government organisation', () => outcome('siteAdmin', 'triage.write', finding('AMBER')), 'allow'],
    ['anonymous', 'triage a CLEAR finding', () => outcome('anonymous', 'triage.write', finding('CLEAR')), 'unauthenticated'],
    ['pendingA', 'triage before settling the password', () => outcome('pendingA', 'triage.write', finding('GREEN')), 'password-change-required'],
    ['system', 'triage a RED finding', () => outcome('system', 'triage.write', finding('RED')), 'allow'],
    ['cli', 'triage a CLEAR finding', () => outcome('cli', 'triage.write', finding('CLEAR')), 'allow'],
    ['cli', 'triage an AMBER finding of A (the CLI is no coordinator: labels bind it)', () => outcome('cli', 'triage.write', finding('AMBER')), 'not-found'],
    ['cli', 'triage a RED finding of A', () => outcome('cli', 'triage.write', finding('RED')), 'not-found'],

    // Who made a change, by e-mail: coordinators, the operator and the person themself; everyone else reads "coordinator".
    ['memberB', 'see who triaged', () => outcome('memberB', 'triage.actor', { userId: 'coordinator' }), 'not-found'],
    ['memberA', 'see who triaged own finding', () => outcome('memberA', 'triage.actor', { userId: 'coordinator' }), 'not-found'],
    ['plain site admin', 'see who triaged', () => outcomeOf(plainSiteAdmin, 'triage.actor', { userId: 'coordinator' } as never), 'not-found'],
    ['coordinator', 'see who triaged (a colleague)', () => outcome('coordinator', 'triage.actor', { userId: 'reviewer-coordinator' }), 'allow'],
    ['memberA', 'see own name', () => outcome('memberA', 'triage.actor', { userId: 'member-a' }), 'allow'],
    ['system', 'see who triaged', () => outcome('system', 'triage.actor', { userId: 'coordinator' }), 'allow'],
    ['anonymous', 'see who triaged', () => outcome('anonymous', 'triage.actor', { userId: 'coordinator' }), 'unauthenticated'],

    // The KEV catalogue: imported by site administrators and coordinators, read by every signed-in user.
    ['plain site admin', 'import KEV', () => outcomeOf(plainSiteAdmin, 'kev.import', null as never), 'allow'],
    ['coordinator', 'import KEV', () => outcome('coordinator', 'kev.import', null), 'allow'],
    ['read-token coordinator', 'import KEV with a read token', () => outcomeOf(readTokenCoordinator, 'kev.import', null as never), 'forbidden'],
    ['adminA', 'import KEV', () => outcome('adminA', 'kev.import', null), 'forbidden'],
    ['memberB', 'import KEV', () => outcome('memberB', 'kev.import', null), 'forbidden'],
    ['anonymous', 'import KEV', () => outcome('anonymous', 'kev.import', null), 'unauthenticated'],
    ['pendingA', 'import KEV before settling the password', () => outcome('pendingA', 'kev.import', null), 'password-change-required'],
    ['cli', 'import KEV', () => outcome('cli', 'kev.import', null), 'allow'],
    ['memberB', 'read a KEV entry', () => outcome('memberB', 'kev.read', null), 'allow'],
    ['readTokenA', 'read a KEV entry with a read token', () => outcome('readTokenA', 'kev.read', null), 'allow'],
    ['anonymous', 'read a KEV entry', () => outcome('anonymous', 'kev.read', null), 'unauthenticated'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
