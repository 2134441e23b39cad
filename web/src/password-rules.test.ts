import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_PASSWORD_LENGTH, passwordProblems } from './password-rules.ts';

describe('password rules', () => {
  it('accepts a long enough new password typed twice that differs from the current one', () => {
    const next = 'x'.repeat(MIN_PASSWORD_LENGTH);
    assert.deepEqual(passwordProblems('one-time', next, next), []);
  });

  it('needs at least 12 characters, counting characters rather than UTF-16 units', () => {
    assert.equal(MIN_PASSWORD_LENGTH, 12);
    const short = 'x'.repeat(11);
    assert.match(passwordProblems('a', short, short).join(), /at least 12 characters/);
    // Six emoji are twelve UTF-16 units but only six characters.
    const emoji = '🔐'.repeat(6);
    assert.match(passwordProblems('a', emoji, emoji).join(), /at least 12 characters/);
  });

  it('reports a mismatch and reuse of the current password, each once', () => {
    const next = 'correct horse battery staple';
    assert.deepEqual(passwordProblems('a', next, `${next}!`), ['The two new passwords do not match.']);
    assert.deepEqual(passwordProblems(next, next, next), ['The new password must differ from the current one.']);
  });
});
