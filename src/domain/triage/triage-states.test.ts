import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRIAGE_STATES, allowedNext, transitionProblem } from './triage-states.ts';

describe('triage transitions', () => {
  it('allows new -> triaging -> every outcome, and reopening an outcome', () => {
    assert.equal(transitionProblem('new', 'triaging'), null);
    for (const o of ['reproduced', 'not-reproduced', 'duplicate', 'out-of-scope']) {
      assert.equal(transitionProblem('triaging', o), null);
      assert.equal(transitionProblem(o, 'triaging'), null);
    }
    assert.equal(transitionProblem('new', 'duplicate'), null);
  });

  it('refuses skipping the look, outcome to outcome, staying put and unknown states, naming both states', () => {
    assert.match(transitionProblem('new', 'reproduced')!, /from new to reproduced/);
    assert.match(transitionProblem('reproduced', 'duplicate')!, /from reproduced to duplicate/);
    assert.match(transitionProblem('triaging', 'triaging')!, /already triaging/);
    assert.match(transitionProblem('triaging', 'new')!, /from triaging to new/);
    assert.match(transitionProblem('new', 'fixed')!, /not a triage state/);
  });

  it('never leads back to new and every state has a way forward', () => {
    for (const s of TRIAGE_STATES) {
      assert.ok(!allowedNext(s).includes('new'));
      assert.ok(allowedNext(s).length > 0);
    }
  });
});
