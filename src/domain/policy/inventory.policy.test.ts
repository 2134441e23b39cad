import assert from 'node:assert/strict';
import { it } from 'node:test';
import { label, ORG, outcome, ROLE, type ActorName, type Outcome } from './policy-test-actors.ts';

const inv = (tlp: Parameters<typeof label>[1], extra: Parameters<typeof label>[2] = {}) => ({ label: label(ORG.a, tlp, extra) });
const EMBARGOED = { embargoUntil: '2027-01-01T00:00:00.000Z' };

it('inventory rules, as a table', () => {
  const table: [ActorName, string, () => Outcome, Outcome][] = [
    ['anonymous', 'read CLEAR', () => outcome('anonymous', 'inventory.read', inv('CLEAR')), 'allow'],
    ['anonymous', 'read GREEN', () => outcome('anonymous', 'inventory.read', inv('GREEN')), 'not-found'],
    ['memberB', 'read GREEN', () => outcome('memberB', 'inventory.read', inv('GREEN')), 'allow'],
    ['memberB', 'read AMBER', () => outcome('memberB', 'inventory.read', inv('AMBER')), 'not-found'],
    ['coordinator', 'read AMBER+STRICT', () => outcome('coordinator', 'inventory.read', inv('AMBER+STRICT')), 'allow'],
    ['coordinator', 'read RED', () => outcome('coordinator', 'inventory.read', inv('RED')), 'not-found'],
    ['memberA', 'read RED (owner)', () => outcome('memberA', 'inventory.read', inv('RED')), 'allow'],
    ['memberB', 'read GREEN under embargo', () => outcome('memberB', 'inventory.read', inv('GREEN', EMBARGOED)), 'not-found'],
    ['coordinator', 'read GREEN under embargo', () => outcome('coordinator', 'inventory.read', inv('GREEN', EMBARGOED)), 'allow'],
    ['adminA', 'read own restricted without the role', () => outcome('adminA', 'inventory.read', inv('RED', { restricted: ROLE })), 'not-found'],
    ['reviewerA', 'read own restricted with the role', () => outcome('reviewerA', 'inventory.read', inv('RED', { restricted: ROLE })), 'allow'],
    ['siteAdmin', 'read RED of A (no exception)', () => outcome('siteAdmin', 'inventory.read', inv('RED')), 'not-found'],
    ['system', 'read RED of A (own background work)', () => outcome('system', 'inventory.read', inv('RED')), 'allow'],
    ['anonymous', 'ask the reverse query', () => outcome('anonymous', 'inventory.affected-by', null), 'unauthenticated'],
    ['memberB', 'ask the reverse query', () => outcome('memberB', 'inventory.affected-by', null), 'allow'],
    ['readTokenA', 'ask the reverse query with a read token', () => outcome('readTokenA', 'inventory.affected-by', null), 'allow'],
    ['pendingA', 'ask the reverse query before settling the password', () => outcome('pendingA', 'inventory.affected-by', null), 'password-change-required'],
    ['memberA', 'upload into A', () => outcome('memberA', 'inventory.create', { owner: ORG.a }), 'allow'],
    ['readTokenA', 'upload into A with a read token', () => outcome('readTokenA', 'inventory.create', { owner: ORG.a }), 'forbidden'],
    ['memberB', 'upload into A', () => outcome('memberB', 'inventory.create', { owner: ORG.a }), 'forbidden'],
    ['anonymous', 'upload into A', () => outcome('anonymous', 'inventory.create', { owner: ORG.a }), 'unauthenticated'],
    ['cli', 'upload into A', () => outcome('cli', 'inventory.create', { owner: ORG.a }), 'allow'],
    ['memberA', 'change own GREEN', () => outcome('memberA', 'inventory.write', inv('GREEN')), 'allow'],
    ['memberB', 'change GREEN of A (visible)', () => outcome('memberB', 'inventory.write', inv('GREEN')), 'forbidden'],
    ['memberB', 'change RED of A (hidden)', () => outcome('memberB', 'inventory.write', inv('RED')), 'not-found'],
    ['adminA', 'change own restricted without the role', () => outcome('adminA', 'inventory.write', inv('RED', { restricted: ROLE })), 'not-found'],
  ];
  for (const [actor, what, run, want] of table) assert.equal(run(), want, `${actor}: ${what}`);
});
