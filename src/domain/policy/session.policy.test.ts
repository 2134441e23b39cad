import assert from 'node:assert/strict';
import { it } from 'node:test';
import { outcome, type ActorName, type Outcome } from './policy-test-actors.ts';

it('the guards and the self-service rules, as a table', () => {
  const table: [ActorName, Parameters<typeof outcome>[1], Outcome][] = [
    ['anonymous', 'session.read', 'unauthenticated'],
    ['anonymous', 'session.sign-out', 'allow'],
    ['pendingA', 'session.read', 'allow'],
    ['pendingA', 'self.change-password', 'allow'],
    ['pendingA', 'session.sign-out', 'allow'],
    ['pendingA', 'session.revoke-all', 'password-change-required'],
    ['readTokenA', 'session.revoke-all', 'forbidden'],
    ['readTokenA', 'self.change-password', 'forbidden'],
    ['writeTokenA', 'session.revoke-all', 'allow'],
    ['memberA', 'session.revoke-all', 'allow'],
    ['cli', 'session.revoke-all', 'allow'],
  ];
  for (const [actor, action, want] of table) assert.equal(outcome(actor, action, null as never), want, `${actor}: ${action}`);
});
