import assert from 'node:assert/strict';
import { it } from 'node:test';
import { label, ORG, outcome, type ActorName, type Outcome } from './policy-test-actors.ts';

const TO_MEMBER_B = { organisationId: ORG.a, inviteeUserId: 'member-b', inviteeEmail: null };
const TO_B_BY_MAIL = { organisationId: ORG.a, inviteeUserId: null, inviteeEmail: 'member-b@example.test' };
const A = { id: ORG.a, label: label(ORG.a, 'RED') };

it('invitation rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['memberB', 'answer an invitation by id', () => outcome('memberB', 'invitation.respond', TO_MEMBER_B), 'allow'],
    ['memberB', 'answer an invitation by e-mail', () => outcome('memberB', 'invitation.respond', TO_B_BY_MAIL), 'allow'],
    ['memberA', "answer member B's invitation", () => outcome('memberA', 'invitation.respond', TO_MEMBER_B), 'not-found'],
    ['adminA', "answer member B's invitation", () => outcome('adminA', 'invitation.respond', TO_MEMBER_B), 'not-found'],
    ['siteAdmin', "answer member B's invitation", () => outcome('siteAdmin', 'invitation.respond', TO_MEMBER_B), 'not-found'],
    ['anonymous', 'list my invitations', () => outcome('anonymous', 'invitation.list-mine', null), 'unauthenticated'],
    ['adminA', "list A's invitations", () => outcome('adminA', 'invitation.list', A), 'allow'],
    ['memberA', "list A's invitations", () => outcome('memberA', 'invitation.list', A), 'forbidden'],
    ['adminB', "list RED A's invitations", () => outcome('adminB', 'invitation.list', A), 'not-found'],
    ['adminA', 'withdraw one of A', () => outcome('adminA', 'invitation.revoke', A), 'allow'],
    ['siteAdmin', 'withdraw one of A', () => outcome('siteAdmin', 'invitation.revoke', A), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
