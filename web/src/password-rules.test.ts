import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_PASSWORD_LENGTH, passwordProblems, passwordProblemsBeforeSubmit, userInputsFor } from './password-rules.ts';

describe('password rules', () => {
  it('accepts a long enough new password typed twice that differs from the current one', () => {
    const next = 'x'.repeat(MIN_PASSWORD_LENGTH);
    assert.deepEqual(passwordProblems('one-time', next, next), []);
  });

  it('needs at least 15 characters, counting characters rather than UTF-16 units', () => {
    assert.equal(MIN_PASSWORD_LENGTH, 15);
    const short = 'x'.repeat(14);
    assert.match(passwordProblems('a', short, short).join(), /at least 15 characters/);
    // Fourteen emoji are 28 UTF-16 units but only fourteen characters.
    const emoji = '🔐'.repeat(14);
    assert.match(passwordProblems('a', emoji, emoji).join(), /at least 15 characters/);
  });

  it('refuses a password made only of whitespace, however long', () => {
    for (const blank of [' '.repeat(12), ' '.repeat(40), '\u3000'.repeat(20)]) {
      assert.deepEqual(passwordProblems('a', blank, blank), ['The new password must not consist only of spaces or other whitespace.']);
    }
  });

  it('reports a mismatch and reuse of the current password (also in another Unicode form), each once', () => {
    const next = 'correct horse battery staple';
    assert.deepEqual(passwordProblems('a', next, `${next}!`), ['The two new passwords do not match.']);
    assert.deepEqual(passwordProblems(next, next, next), ['The new password must differ from the current one.']);
    const wide = 'ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ ｓｔａｐｌｅ';
    assert.deepEqual(passwordProblems(next, wide, wide), ['The new password must differ from the current one.']);
  });

  it('refuses common passwords and ones built from the user\'s own details with zxcvbn\'s advice, as the server does', async () => {
    const inputs = userInputsFor({ email: 'zorbulonquix@apollo.example', name: 'Zorbulon Quixwell' });
    const common = await passwordProblemsBeforeSubmit('a', 'password1234567', 'password1234567', inputs);
    assert.equal(common.length, 1);
    assert.match(common[0]!, /^The new password is too easy to guess: .*common/);
    assert.match((await passwordProblemsBeforeSubmit('a', 'Zorbulon Quixwell', 'Zorbulon Quixwell', inputs)).join(), /too easy to guess/);
    assert.deepEqual(await passwordProblemsBeforeSubmit('a', 'correct horse battery staple', 'correct horse battery staple', inputs), []);
  });
});
