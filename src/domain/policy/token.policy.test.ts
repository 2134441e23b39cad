import assert from 'node:assert/strict';
import { it } from 'node:test';
import { outcome, type ActorName, type Outcome } from './policy-test-actors.ts';

it('token rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['memberA', 'list own', () => outcome('memberA', 'token.list', { userId: 'member-a' }), 'allow'],
    ['readTokenA', 'list own through a read token', () => outcome('readTokenA', 'token.list', { userId: 'member-a' }), 'allow'],
    ['memberB', "list member A's", () => outcome('memberB', 'token.list', { userId: 'member-a' }), 'not-found'],
    ['adminA', "list a member's", () => outcome('adminA', 'token.list', { userId: 'member-a' }), 'not-found'],
    ['siteAdmin', "list anyone's", () => outcome('siteAdmin', 'token.list', { userId: 'member-a' }), 'allow'],
    ['memberA', 'mint own, signed in', () => outcome('memberA', 'token.create', { userId: 'member-a' }), 'allow'],
    ['writeTokenA', 'mint own through a token', () => outcome('writeTokenA', 'token.create', { userId: 'member-a' }), 'forbidden'],
    ['siteAdmin', 'mint for someone else', () => outcome('siteAdmin', 'token.create', { userId: 'member-a' }), 'forbidden'],
    ['cli', 'mint for anyone', () => outcome('cli', 'token.create', { userId: 'member-a' }), 'allow'],
    ['memberA', 'revoke own', () => outcome('memberA', 'token.revoke', { userId: 'member-a' }), 'allow'],
    ['readTokenA', 'revoke own through a read token', () => outcome('readTokenA', 'token.revoke', { userId: 'member-a' }), 'forbidden'],
    ['memberB', "revoke member A's", () => outcome('memberB', 'token.revoke', { userId: 'member-a' }), 'not-found'],
    ['siteAdmin', "revoke anyone's", () => outcome('siteAdmin', 'token.revoke', { userId: 'member-a' }), 'allow'],
    // revoking someone else's token is administration; one's own stays a write
    ['writeTokenSiteAdmin', "revoke anyone's through a write token", () => outcome('writeTokenSiteAdmin', 'token.revoke', { userId: 'member-a' }), 'forbidden'],
    ['writeTokenSiteAdmin', 'revoke own through a write token', () => outcome('writeTokenSiteAdmin', 'token.revoke', { userId: 'site-admin' }), 'allow'],
    ['writeTokenA', 'revoke own through a write token', () => outcome('writeTokenA', 'token.revoke', { userId: 'member-a' }), 'allow'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
