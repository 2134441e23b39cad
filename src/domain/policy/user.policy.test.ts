import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ORG, outcome, type ActorName, type Outcome } from './policy-test-actors.ts';

const MEMBER_A = { id: 'member-a', organisationIds: [ORG.a] };
const MEMBER_B = { id: 'member-b', organisationIds: [ORG.b] };
const SITE_ADMIN = { id: 'site-admin', organisationIds: [ORG.ops] };
const change = (u: { id: string; organisationIds: string[] }, changesFlags: boolean) => ({ ...u, changesFlags });

it('user rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['anonymous', 'list', () => outcome('anonymous', 'user.list', null), 'unauthenticated'],
    ['memberA', 'read self', () => outcome('memberA', 'user.read', MEMBER_A), 'allow'],
    ['memberA', 'read a member of B', () => outcome('memberA', 'user.read', MEMBER_B), 'not-found'],
    ['adminA', 'read a member of A', () => outcome('adminA', 'user.read', MEMBER_A), 'allow'],
    ['adminA', 'read a member of B', () => outcome('adminA', 'user.read', MEMBER_B), 'not-found'],
    ['siteAdmin', 'read a member of B', () => outcome('siteAdmin', 'user.read', MEMBER_B), 'allow'],
    ['adminA', 'create into A', () => outcome('adminA', 'user.create', { siteAdmin: false, organisationIds: [ORG.a] }), 'allow'],
    ['adminA', 'create into B', () => outcome('adminA', 'user.create', { siteAdmin: false, organisationIds: [ORG.b] }), 'forbidden'],
    ['adminA', 'create into no organisation', () => outcome('adminA', 'user.create', { siteAdmin: false, organisationIds: [] }), 'forbidden'],
    ['adminA', 'create a site admin', () => outcome('adminA', 'user.create', { siteAdmin: true, organisationIds: [ORG.a] }), 'forbidden'],
    ['memberA', 'create into A', () => outcome('memberA', 'user.create', { siteAdmin: false, organisationIds: [ORG.a] }), 'forbidden'],
    ['siteAdmin', 'create a site admin', () => outcome('siteAdmin', 'user.create', { siteAdmin: true, organisationIds: [] }), 'allow'],
    ['adminA', 'learn whether an e-mail exists', () => outcome('adminA', 'user.learn-existence', null), 'forbidden'],
    ['siteAdmin', 'learn whether an e-mail exists', () => outcome('siteAdmin', 'user.learn-existence', null), 'allow'],
    ['cli', 'learn whether an e-mail exists', () => outcome('cli', 'user.learn-existence', null), 'allow'],
    ['memberA', 'rename self', () => outcome('memberA', 'user.update', change(MEMBER_A, false)), 'allow'],
    ['memberA', 'disable self', () => outcome('memberA', 'user.update', change(MEMBER_A, true)), 'forbidden'],
    ['adminA', 'rename a member of A', () => outcome('adminA', 'user.update', change(MEMBER_A, false)), 'forbidden'],
    ['adminA', 'rename a member of B', () => outcome('adminA', 'user.update', change(MEMBER_B, false)), 'not-found'],
    ['siteAdmin', 'disable a member of B', () => outcome('siteAdmin', 'user.update', change(MEMBER_B, true)), 'allow'],
    ['siteAdmin', 'rename a member of B', () => outcome('siteAdmin', 'user.update', change(MEMBER_B, false)), 'allow'],
    // changing someone else is administration: a site admin's write-only token may rename only its own holder
    ['writeTokenSiteAdmin', 'rename a member of B through a write token', () => outcome('writeTokenSiteAdmin', 'user.update', change(MEMBER_B, false)), 'forbidden'],
    ['writeTokenSiteAdmin', 'disable a member of B through a write token', () => outcome('writeTokenSiteAdmin', 'user.update', change(MEMBER_B, true)), 'forbidden'],
    ['writeTokenSiteAdmin', 'rename self through a write token', () => outcome('writeTokenSiteAdmin', 'user.update', change(SITE_ADMIN, false)), 'allow'],
    ['writeTokenA', 'rename self through a write token', () => outcome('writeTokenA', 'user.update', change(MEMBER_A, false)), 'allow'],
    ['readTokenA', 'rename self through a read token', () => outcome('readTokenA', 'user.update', change(MEMBER_A, false)), 'forbidden'],
    ['adminA', 'reset the password of a member of A', () => outcome('adminA', 'user.reset-password', MEMBER_A), 'forbidden'],
    ['adminA', 'reset the password of a member of B', () => outcome('adminA', 'user.reset-password', MEMBER_B), 'not-found'],
    ['siteAdmin', 'reset the password of a member of B', () => outcome('siteAdmin', 'user.reset-password', MEMBER_B), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
