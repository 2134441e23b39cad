import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auditScope } from './audit.policy.ts';
import { ACTORS, NOW, ORG, outcome, type ActorName, type Outcome } from './policy-test-actors.ts';

it('audit rules, as a table', () => {
  const table: [ActorName, Outcome][] = [
    ['anonymous', 'unauthenticated'],
    ['memberA', 'forbidden'],
    ['reviewerA', 'forbidden'],
    ['adminA', 'allow'],
    ['siteAdmin', 'allow'],
    ['pendingA', 'password-change-required'],
  ];
  for (const [actor, want] of table) assert.equal(outcome(actor, 'audit.list', null), want, `${actor} lists the audit trail`);
});

it('whose entries each reader is scoped to', () => {
  const table: [ActorName, boolean, string[]][] = [
    ['siteAdmin', true, [ORG.ops]],
    ['adminA', false, [ORG.a]],
    ['memberA', false, []],
  ];
  for (const [actor, all, orgs] of table) {
    const s = auditScope(ACTORS[actor], NOW);
    assert.equal(s.everyOrganisation, all, actor);
    assert.deepEqual(s.organisationIds, orgs, actor);
  }
});
