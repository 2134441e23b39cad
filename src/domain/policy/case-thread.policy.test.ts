import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Membership, OrganisationKind, Principal } from './access-label.ts';
import { ATTACH_WINDOW_MS, coordinatesOn, postingOrganisations, type MessageRecord, type ThreadName, type ThreadRecord } from './case-thread.policy.ts';
import type { CaseRecord, ParticipantRole } from './case.policy.ts';
import { ACTORS, label, NOW, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const EMBARGOED = { embargoUntil: '2027-01-01T00:00:00.000Z' };

function kase(owner: string, tlp: Parameters<typeof label>[1], parts: [string, ParticipantRole][], extra: Parameters<typeof label>[2] = {}): CaseRecord {
  const participants = new Map<string, ParticipantRole>(parts);
  return { label: label(owner, tlp, { ...extra, sharedWith: [...participants.keys()] }), participants };
}

// The coordinators' AMBER case with A as vendor (embargoed until its public date); a vendor's RED case with B reporting;
// the same RED case with the coordinators' organisation taking part.
const govCase = (tlp: Parameters<typeof label>[1] = 'AMBER', extra = {}) => kase(ORG.gov, tlp, [[ORG.gov, 'coordinator'], [ORG.a, 'vendor']], { ...EMBARGOED, ...extra });
const redCase = () => kase(ORG.a, 'RED', [[ORG.a, 'vendor'], [ORG.b, 'reporter']], EMBARGOED);
const redWithGov = () => kase(ORG.a, 'RED', [[ORG.a, 'vendor'], [ORG.b, 'reporter'], [ORG.gov, 'coordinator']], EMBARGOED);
const in_ = (c: CaseRecord, thread: ThreadName): ThreadRecord => ({ case: c, thread });
const msg = (t: ThreadRecord, authorUserId: string | null, agoMs: number): MessageRecord => ({ thread: t, authorUserId, createdAt: new Date(NOW.getTime() - agoMs).toISOString() });

/** Someone in A's vendor organisation and in the coordinators' government organisation at once. */
function person(userId: string, memberships: [string, OrganisationKind, string[]][]): Principal {
  return { ...ACTORS.memberA, userId, memberships: new Map<string, Membership>(memberships.map(([id, kind, roles]) => [id, { organisationId: id, kind, roles: new Set(roles) }])) };
}
const vendorAndGov = person('vendor-and-gov', [[ORG.a, 'vendor', ['member']], [ORG.gov, 'government', ['member']]]);

it('case thread rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    // Reading: the participants' thread follows the case; the internal thread is the coordinators'.
    ['anonymous', 'read the participants\' thread of a CLEAR case', () => outcome('anonymous', 'case-thread.read', in_(kase(ORG.a, 'CLEAR', [[ORG.a, 'vendor']]), 'participants')), 'unauthenticated'],
    ['memberA', 'read the participants\' thread of its case', () => outcome('memberA', 'case-thread.read', in_(govCase(), 'participants')), 'allow'],
    ['memberA', 'read the internal thread of a case it is vendor in', () => outcome('memberA', 'case-thread.read', in_(govCase(), 'internal')), 'not-found'],
    ['memberB', 'read the participants\' thread of a case it is not in', () => outcome('memberB', 'case-thread.read', in_(govCase(), 'participants')), 'not-found'],
    ['memberB', 'read the internal thread of a RED case it reports in', () => outcome('memberB', 'case-thread.read', in_(redCase(), 'internal')), 'not-found'],
    ['coordinator', 'read the internal thread of its own case', () => outcome('coordinator', 'case-thread.read', in_(govCase(), 'internal')), 'allow'],
    ['coordinator', 'read the internal thread of an AMBER case it reads without taking part', () => outcome('coordinator', 'case-thread.read', in_(kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']], EMBARGOED), 'internal')), 'allow'],
    ['coordinator', 'read the internal thread of a RED case it is not in', () => outcome('coordinator', 'case-thread.read', in_(redCase(), 'internal')), 'not-found'],
    ['coordinator', 'read the internal thread of a RED case it takes part in', () => outcome('coordinator', 'case-thread.read', in_(redWithGov(), 'internal')), 'allow'],
    ['coordinator', 'read the internal thread of a restricted case without the role', () => outcome('coordinator', 'case-thread.read', in_(govCase('AMBER', { restricted: ROLE }), 'internal')), 'not-found'],
    ['siteAdmin', 'read the internal thread of a RED case it is not in (labels exempt nobody)', () => outcome('siteAdmin', 'case-thread.read', in_(redCase(), 'internal')), 'not-found'],
    ['system', 'read the internal thread of a RED case (the server\'s own work)', () => outcome('system', 'case-thread.read', in_(redCase(), 'internal')), 'allow'],
    ['readTokenA', 'read its case\'s participants\' thread with a read token', () => outcome('readTokenA', 'case-thread.read', in_(govCase(), 'participants')), 'allow'],
    // Posting: participants in theirs, coordinators in the internal one.
    ['memberA', 'post in the participants\' thread as vendor', () => outcome('memberA', 'case-thread.post', in_(govCase(), 'participants')), 'allow'],
    ['memberA', 'post in the internal thread', () => outcome('memberA', 'case-thread.post', in_(govCase(), 'internal')), 'not-found'],
    ['memberB', 'post in a case it reads (GREEN, public date passed) without taking part', () => outcome('memberB', 'case-thread.post', in_(kase(ORG.a, 'GREEN', [[ORG.a, 'vendor']]), 'participants')), 'forbidden'],
    ['coordinator', 'post in the participants\' thread of a case it reads without taking part', () => outcome('coordinator', 'case-thread.post', in_(kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']], EMBARGOED), 'participants')), 'forbidden'],
    ['coordinator', 'post an internal note on a case it reads without taking part', () => outcome('coordinator', 'case-thread.post', in_(kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']], EMBARGOED), 'internal')), 'allow'],
    ['readTokenA', 'post with a read token', () => outcome('readTokenA', 'case-thread.post', in_(govCase(), 'participants')), 'forbidden'],
    ['pendingA', 'post before replacing a one-time password', () => outcome('pendingA', 'case-thread.post', in_(govCase(), 'participants')), 'password-change-required'],
    // Marking seen: any reader of the thread, with a write-capable credential.
    ['memberB', 'mark seen a RED case\'s participants\' thread it reports in', () => outcome('memberB', 'case-thread.seen', in_(redCase(), 'participants')), 'allow'],
    ['memberB', 'mark seen that case\'s internal thread', () => outcome('memberB', 'case-thread.seen', in_(redCase(), 'internal')), 'not-found'],
    ['readTokenA', 'mark seen with a read token', () => outcome('readTokenA', 'case-thread.seen', in_(govCase(), 'participants')), 'forbidden'],
    // Attaching: the author, within the window, to a message of a thread they read.
    ['memberA', 'attach to its own message just posted', () => outcome('memberA', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-a', 60_000)), 'allow'],
    ['memberA', 'attach to its own message at the end of the window', () => outcome('memberA', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-a', ATTACH_WINDOW_MS)), 'allow'],
    ['memberA', 'attach to its own message after the window', () => outcome('memberA', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-a', ATTACH_WINDOW_MS + 1)), 'forbidden'],
    ['reviewerA', 'attach to a colleague\'s message', () => outcome('reviewerA', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-a', 60_000)), 'forbidden'],
    ['coordinator', 'attach to a vendor\'s message on its case', () => outcome('coordinator', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-a', 60_000)), 'forbidden'],
    ['memberA', 'attach to an internal note (its own, somehow)', () => outcome('memberA', 'case-thread.attach', msg(in_(govCase(), 'internal'), 'member-a', 60_000)), 'not-found'],
    ['memberB', 'attach to a message of a case it cannot read', () => outcome('memberB', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-b', 60_000)), 'not-found'],
    ['readTokenA', 'attach with a read token', () => outcome('readTokenA', 'case-thread.attach', msg(in_(govCase(), 'participants'), 'member-a', 60_000)), 'forbidden'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});

it('coordinators of a case: government memberships that read it by themselves, not a person\'s other memberships', () => {
  // Reads the RED case through A (vendor), but the government organisation is not on it: no internal thread.
  assert.equal(coordinatesOn(vendorAndGov, redCase(), NOW), false);
  assert.equal(coordinatesOn(vendorAndGov, redWithGov(), NOW), true);
  assert.equal(coordinatesOn(vendorAndGov, govCase(), NOW), true);
  assert.equal(coordinatesOn(ACTORS.memberA, govCase(), NOW), false, 'no government membership');
  assert.equal(coordinatesOn(ACTORS.coordinator, govCase('AMBER', { restricted: ROLE }), NOW), false, 'the need-to-know applies to coordinators too');
});

it('who one posts as: participant organisations in the participants\' thread, reading government organisations in the internal one', () => {
  assert.deepEqual(postingOrganisations(vendorAndGov, in_(redWithGov(), 'participants'), NOW), [{ organisationId: ORG.a, role: 'vendor' }, { organisationId: ORG.gov, role: 'coordinator' }]);
  assert.deepEqual(postingOrganisations(vendorAndGov, in_(redWithGov(), 'internal'), NOW), [{ organisationId: ORG.gov, role: 'coordinator' }]);
  assert.deepEqual(postingOrganisations(vendorAndGov, in_(redCase(), 'participants'), NOW), [{ organisationId: ORG.a, role: 'vendor' }]);
  assert.deepEqual(postingOrganisations(ACTORS.coordinator, in_(kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']]), 'internal'), NOW), [{ organisationId: ORG.gov, role: null }], 'a coordinator not on the case');
  assert.deepEqual(postingOrganisations(ACTORS.coordinator, in_(kase(ORG.a, 'AMBER', [[ORG.a, 'vendor']]), 'participants'), NOW), []);
});
