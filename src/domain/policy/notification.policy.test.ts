import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AccessLabel, Principal } from './access-label.ts';
import { authorize } from './authorize.ts';
import { mayReceive, notificationScope, type NotificationRecord, type RecipientOrganisation } from './notification.policy.ts';
import { ACTORS, label, NOW, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const EMBARGOED = { embargoUntil: '2027-01-01T00:00:00.000Z' };
const LAPSED = { embargoUntil: '2026-01-01T00:00:00.000Z' };
const note = (organisationId: string, l: AccessLabel, ownerOnly = false): NotificationRecord => ({ organisationId, label: l, ownerOnly });

/** A member of organisation B who is also a government coordinator (through ORG.gov). */
const memberBAndCoordinator: Principal = {
  ...ACTORS.memberB,
  userId: 'member-b-and-gov',
  memberships: new Map([...ACTORS.memberB.memberships, ...ACTORS.coordinator.memberships]),
};

function outcomeOf(actor: Principal, action: 'notification.read' | 'notification.mark', record: NotificationRecord): Outcome {
  try {
    authorize(actor, action, record, NOW);
    return 'allow';
  } catch (err) {
    return (err as { code: Outcome }).code;
  }
}

it('notification rules, as a table: members of the recipient organisation, while the subject is readable through it', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    // Reading: recipients' members only, nobody else (site administrators and coordinators included).
    ['memberA', 'read A\'s notification of its own RED record', () => outcome('memberA', 'notification.read', note(ORG.a, label(ORG.a, 'RED'))), 'allow'],
    ['adminA', 'read A\'s notification', () => outcome('adminA', 'notification.read', note(ORG.a, label(ORG.a, 'AMBER'))), 'allow'],
    ['memberB', 'read A\'s notification of a CLEAR record', () => outcome('memberB', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'not-found'],
    ['coordinator', 'read A\'s notification of a CLEAR record', () => outcome('coordinator', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'not-found'],
    ['siteAdmin', 'read A\'s notification of a CLEAR record', () => outcome('siteAdmin', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'not-found'],
    ['anonymous', 'read any notification', () => outcome('anonymous', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'unauthenticated'],
    ['system', 'read a notification (the server has no inbox)', () => outcome('system', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'not-found'],
    ['cli', 'read a notification', () => outcome('cli', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'not-found'],
    ['pendingA', 'read before settling the password', () => outcome('pendingA', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'))), 'password-change-required'],
    // The subject's label, read through the recipient organisation.
    ['memberB', 'B\'s notification of A\'s AMBER record shared with B', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'AMBER', { sharedWith: [ORG.b] }))), 'allow'],
    ['memberB', 'B\'s notification of A\'s AMBER record, share removed', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'AMBER'))), 'not-found'],
    ['memberB', 'B\'s notification of A\'s RED record shared with B', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'RED', { sharedWith: [ORG.b] }))), 'allow'],
    ['memberB', 'B\'s notification of A\'s GREEN record', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'GREEN'))), 'allow'],
    ['memberB', 'B\'s notification of A\'s GREEN record under embargo', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'GREEN', EMBARGOED))), 'not-found'],
    ['memberB', 'B\'s notification of A\'s GREEN record, embargo lapsed', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'GREEN', LAPSED))), 'allow'],
    ['memberB', 'B\'s notification of A\'s embargoed record shared with B', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'CLEAR', { ...EMBARGOED, sharedWith: [ORG.b] }))), 'allow'],
    ['coordinator', 'gov\'s notification of A\'s embargoed AMBER record', () => outcome('coordinator', 'notification.read', note(ORG.gov, label(ORG.a, 'AMBER', EMBARGOED))), 'allow'],
    ['coordinator', 'gov\'s notification of A\'s RED record', () => outcome('coordinator', 'notification.read', note(ORG.gov, label(ORG.a, 'RED'))), 'not-found'],
    ['memberA', 'A\'s notification of a restricted record, without the role', () => outcome('memberA', 'notification.read', note(ORG.a, label(ORG.a, 'RED', { restricted: ROLE }))), 'not-found'],
    ['reviewerA', 'A\'s notification of a restricted record, with the role', () => outcome('reviewerA', 'notification.read', note(ORG.a, label(ORG.a, 'RED', { restricted: ROLE }))), 'allow'],
    ['memberA', 'A\'s notification of A\'s own draft', () => outcome('memberA', 'notification.read', note(ORG.a, label(ORG.a, 'CLEAR'), true)), 'allow'],
    ['memberB', 'B\'s notification of A\'s draft shared with B', () => outcome('memberB', 'notification.read', note(ORG.b, label(ORG.a, 'AMBER', { sharedWith: [ORG.b] }), true)), 'not-found'],
    // Marking read or acknowledging: one's own state, a write.
    ['memberA', 'mark A\'s notification', () => outcome('memberA', 'notification.mark', note(ORG.a, label(ORG.a, 'AMBER'))), 'allow'],
    ['writeTokenA', 'mark with a write token', () => outcome('writeTokenA', 'notification.mark', note(ORG.a, label(ORG.a, 'AMBER'))), 'allow'],
    ['readTokenA', 'mark with a read token', () => outcome('readTokenA', 'notification.mark', note(ORG.a, label(ORG.a, 'AMBER'))), 'forbidden'],
    ['readTokenA', 'read with a read token', () => outcome('readTokenA', 'notification.read', note(ORG.a, label(ORG.a, 'AMBER'))), 'allow'],
    ['memberB', 'mark A\'s notification', () => outcome('memberB', 'notification.mark', note(ORG.a, label(ORG.a, 'CLEAR'))), 'not-found'],
    ['memberB', 'mark B\'s notification after its share was removed', () => outcome('memberB', 'notification.mark', note(ORG.b, label(ORG.a, 'AMBER'))), 'not-found'],
    ['anonymous', 'mark', () => outcome('anonymous', 'notification.mark', note(ORG.a, label(ORG.a, 'CLEAR'))), 'unauthenticated'],
    ['memberA', 'list', () => outcome('memberA', 'notification.list', null), 'allow'],
    ['anonymous', 'list', () => outcome('anonymous', 'notification.list', null), 'unauthenticated'],
    ['readTokenA', 'mark all read with a read token', () => outcome('readTokenA', 'notification.mark-all', null), 'forbidden'],
    ['writeTokenA', 'mark all read with a write token', () => outcome('writeTokenA', 'notification.mark-all', null), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});

it('reads through the recipient organisation only: a coordinator elsewhere does not keep another organisation\'s notification', () => {
  const sharedGone = note(ORG.b, label(ORG.a, 'AMBER'));
  assert.equal(outcomeOf(memberBAndCoordinator, 'notification.read', sharedGone), 'not-found');
  assert.equal(outcomeOf(memberBAndCoordinator, 'notification.read', note(ORG.gov, label(ORG.a, 'AMBER'))), 'allow');
  assert.equal(outcomeOf(memberBAndCoordinator, 'notification.mark', note(ORG.b, label(ORG.a, 'AMBER', EMBARGOED))), 'not-found');
  // The SQL scope carries one set of facts per membership, each naming that organisation alone.
  const scope = notificationScope(memberBAndCoordinator, NOW);
  assert.deepEqual(
    scope.recipients.map((r) => [r.organisationId, r.facts.organisationIds, r.facts.coordinator]).sort(),
    [[ORG.b, [ORG.b], false], [ORG.gov, [ORG.gov], true]].sort(),
  );
  assert.deepEqual(notificationScope(ACTORS.cli, NOW).recipients, [], 'the operator has no inbox');
});

it('who may receive a notification, as a table: some member could read the subject through the organisation', () => {
  const vendorB: RecipientOrganisation = { id: ORG.b, kind: 'vendor', memberRoles: [] };
  const vendorBWithRole: RecipientOrganisation = { ...vendorB, memberRoles: [ROLE] };
  const gov: RecipientOrganisation = { id: ORG.gov, kind: 'government', memberRoles: [] };
  const owner: RecipientOrganisation = { id: ORG.a, kind: 'vendor', memberRoles: [] };
  const table: [string, RecipientOrganisation, AccessLabel, boolean][] = [
    ['CLEAR to anyone', vendorB, label(ORG.a, 'CLEAR'), true],
    ['GREEN to any organisation', vendorB, label(ORG.a, 'GREEN'), true],
    ['AMBER not shared', vendorB, label(ORG.a, 'AMBER'), false],
    ['AMBER+STRICT not shared', vendorB, label(ORG.a, 'AMBER+STRICT'), false],
    ['AMBER shared with it', vendorB, label(ORG.a, 'AMBER', { sharedWith: [ORG.b] }), true],
    ['AMBER to a coordinator', gov, label(ORG.a, 'AMBER'), true],
    ['RED to a coordinator', gov, label(ORG.a, 'RED'), false],
    ['RED to its owner', owner, label(ORG.a, 'RED'), true],
    ['RED shared with it', vendorB, label(ORG.a, 'RED', { sharedWith: [ORG.b] }), true],
    ['GREEN under a running embargo', vendorB, label(ORG.a, 'GREEN', EMBARGOED), false],
    ['GREEN under a lapsed embargo', vendorB, label(ORG.a, 'GREEN', LAPSED), true],
    ['embargoed, shared with it', vendorB, label(ORG.a, 'GREEN', { ...EMBARGOED, sharedWith: [ORG.b] }), true],
    ['embargoed, to a coordinator', gov, label(ORG.a, 'CLEAR', EMBARGOED), true],
    ['restricted, nobody holds the role', vendorB, label(ORG.a, 'CLEAR', { restricted: ROLE }), false],
    ['restricted, a member holds the role', vendorBWithRole, label(ORG.a, 'CLEAR', { restricted: ROLE }), true],
    ['restricted and RED, shared, a member holds the role', vendorBWithRole, label(ORG.a, 'RED', { restricted: ROLE, sharedWith: [ORG.b] }), true],
    ['restricted and AMBER, not shared, a member holds the role', vendorBWithRole, label(ORG.a, 'AMBER', { restricted: ROLE }), false],
  ];
  for (const [what, org, l, want] of table) assert.equal(mayReceive(org, l, NOW), want, what);
  assert.equal(mayReceive(vendorB, label(ORG.a, 'CLEAR'), NOW, true), false, 'an owner-only draft goes to its owner only');
  assert.equal(mayReceive(owner, label(ORG.a, 'CLEAR'), NOW, true), true);
});
