import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addsDirectly } from './membership.policy.ts';
import { ACTORS, label, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const A = { id: ORG.a, label: label(ORG.a, 'RED') };
const B = { id: ORG.b, label: label(ORG.b, 'GREEN') };

it('membership rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['memberA', 'list members of A', () => outcome('memberA', 'membership.list', A), 'allow'],
    ['memberB', 'list members of GREEN B', () => outcome('memberB', 'membership.list', B), 'allow'],
    ['memberA', 'list members of GREEN B (visible, not theirs)', () => outcome('memberA', 'membership.list', B), 'not-found'],
    ['siteAdmin', 'list members of A', () => outcome('siteAdmin', 'membership.list', A), 'allow'],
    ['anonymous', 'list members of A', () => outcome('anonymous', 'membership.list', A), 'unauthenticated'],
    ['adminA', 'manage A', () => outcome('adminA', 'membership.manage', A), 'allow'],
    ['memberA', 'manage A', () => outcome('memberA', 'membership.manage', A), 'forbidden'],
    ['writeTokenA', 'manage A (no admin scope)', () => outcome('writeTokenA', 'membership.manage', A), 'forbidden'],
    ['adminB', 'manage RED A', () => outcome('adminB', 'membership.manage', A), 'not-found'],
    ['adminA', 'manage GREEN B', () => outcome('adminA', 'membership.manage', B), 'forbidden'],
    ['siteAdmin', 'manage A', () => outcome('siteAdmin', 'membership.manage', A), 'allow'],
    ['adminA', 'grant member, admin in A', () => outcome('adminA', 'membership.grant', { organisationId: ORG.a, roles: ['admin', 'member'] }), 'allow'],
    ['adminA', 'grant a restricted role they lack', () => outcome('adminA', 'membership.grant', { organisationId: ORG.a, roles: ['member', ROLE] }), 'forbidden'],
    ['reviewerAdminA', 'grant a restricted role they hold in A', () => outcome('reviewerAdminA', 'membership.grant', { organisationId: ORG.a, roles: [ROLE] }), 'allow'],
    ['reviewerAdminA', 'grant it in B', () => outcome('reviewerAdminA', 'membership.grant', { organisationId: ORG.b, roles: [ROLE] }), 'forbidden'],
    ['siteAdmin', 'grant any role', () => outcome('siteAdmin', 'membership.grant', { organisationId: ORG.a, roles: [ROLE] }), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});

it('who is added directly and who is invited', () => {
  const table: [ActorName, string, { id: string; organisationIds: string[] } | null, boolean][] = [
    ['adminA', 'a member of A', { id: 'member-a', organisationIds: [ORG.a] }, true],
    ['adminA', 'a member of B only', { id: 'member-b', organisationIds: [ORG.b] }, false],
    ['adminA', 'the site administrator', { id: 'site-admin', organisationIds: [ORG.ops] }, false],
    ['adminA', 'an id that exists nowhere', null, false],
    ['adminA', 'a member of A and B', { id: 'both', organisationIds: [ORG.a, ORG.b] }, true],
    ['siteAdmin', 'a member of B only', { id: 'member-b', organisationIds: [ORG.b] }, true],
    ['siteAdmin', 'an id that exists nowhere', null, false],
  ];
  for (const [actor, what, user, want] of table) assert.equal(addsDirectly(ACTORS[actor], user), want, `${actor}: ${what}`);
});
