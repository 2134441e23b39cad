import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import { MIN_PASSWORD_LENGTH, passwordShapeProblem, strengthProblem, userInputsFor } from '../../src/domain/auth/password-policy.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { checkNewPassword } from '../../src/services/secrets.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'passwords test passphrase';

describe('password policy (NIST SP 800-63B)', () => {
  it('refuses whitespace-only passwords whatever their length, counting code points of the NFKC form', () => {
    assert.match(passwordShapeProblem(' '.repeat(12))!, /whitespace/);
    assert.match(passwordShapeProblem('\u3000'.repeat(40))!, /whitespace/, 'ideographic spaces are whitespace too');
    assert.match(passwordShapeProblem('x'.repeat(MIN_PASSWORD_LENGTH - 1))!, new RegExp(`at least ${MIN_PASSWORD_LENGTH}`));
    assert.match(passwordShapeProblem('🔐'.repeat(MIN_PASSWORD_LENGTH - 1))!, /at least/, 'emoji count once, not per UTF-16 unit');
    assert.equal(passwordShapeProblem('x'.repeat(MIN_PASSWORD_LENGTH)), null);
    assert.match(passwordShapeProblem('x'.repeat(1025))!, /too long/);
  });

  it('has no composition rules: a long lowercase passphrase passes', async () => {
    await checkNewPassword('correct horse battery staple', userInputsFor({ email: 'a@example.org', name: 'A' }));
    await checkNewPassword('matrix test passphrase', []);
  });

  it('refuses common and breached passwords with zxcvbn\'s advice', async () => {
    for (const pw of ['password1234567', 'qwertyuiopasdfghjkl', '123456789012345', 'iloveyouiloveyou']) {
      await assert.rejects(checkNewPassword(pw, []), (e: any) => {
        assert.equal(e.code, 'invalid-input', pw);
        assert.match(e.message, /too easy to guess/, pw);
        assert.ok(e.details.suggestions.length > 0 || e.details.warning, `${pw}: zxcvbn's feedback is passed on`);
        return true;
      });
    }
  });

  it('scores a password built from the user\'s own e-mail and name as weak', async () => {
    // Invented names, so only the context (not the dictionaries) can make them guessable.
    const inputs = userInputsFor({ email: 'zorbulonquix@apollo.example', name: 'Zorbulon Quixwell' });
    for (const pw of ['Zorbulon Quixwell', 'zorbulonquixapollo', 'zorbulonquix@apollo.example']) {
      await assert.rejects(checkNewPassword(pw, inputs), /too easy to guess/, pw);
      await checkNewPassword(pw, []).catch(() => assert.fail(`${pw}: without the context the same password passes`));
    }
  });

  it('words zxcvbn\'s verdict as the problem detail', () => {
    assert.equal(strengthProblem({ score: 3, warning: null, suggestions: [] }), null);
    assert.equal(strengthProblem({ score: 1, warning: 'W.', suggestions: ['S1.', 'S2.'] }), 'the new password is too easy to guess: W. S1. S2.');
  });
});

describeEachDriver('passwords through the API', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let n = 0;

  async function person(password = PASSWORD): Promise<{ email: string; session: Caller }> {
    const email = `pw-${++n}@passwords.example`;
    await server.container.services.users.create(systemPrincipal('cli'), { email, name: `Pat Example ${n}`, password });
    return { email, session: await api.signIn(email, password) };
  }

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
  });
  after(() => server.close());

  it('twelve spaces, a short password and a common one are refused with a clear 400 naming the problem', async () => {
    const p = await person();
    const cases: [string, RegExp][] = [
      [' '.repeat(12), /whitespace/],
      [' '.repeat(40), /whitespace/],
      ['short one', new RegExp(`at least ${MIN_PASSWORD_LENGTH} characters`)],
      ['password1234567', /too easy to guess.*common/i],
      [`${p.email} pw`, /too easy to guess/],
    ];
    for (const [newPassword, detail] of cases) {
      const r = await api.post('/me/password', p.session, { currentPassword: PASSWORD, newPassword });
      assert.equal(r.status, 400, JSON.stringify(newPassword));
      assert.equal(r.body.type, PROBLEM + 'invalid-input');
      assert.match(r.body.detail, detail);
    }
    assert.equal((await api.post('/session', {}, { email: p.email, password: PASSWORD })).status, 200, 'the password is unchanged');
  });

  it('normalises to NFKC: a passphrase set in full-width letters signs in typed in ASCII, and the other way round', async () => {
    const p = await person();
    const wide = 'ｆｕｌｌ ｗｉｄｔｈ ｌｅｔｔｅｒｓ ｐａｓｓｐｈｒａｓｅ';
    const r = await api.post('/me/password', p.session, { currentPassword: PASSWORD, newPassword: wide });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    assert.equal((await api.post('/session', {}, { email: p.email, password: 'full width letters passphrase' })).status, 200);
    assert.equal((await api.post('/session', {}, { email: p.email, password: wide })).status, 200);
    const same = await api.post('/me/password', p.session, { currentPassword: wide, newPassword: 'full width letters passphrase' });
    assert.equal(same.status, 400, 'the same password in another form is not a new one');
    assert.match(same.body.detail, /differ/);
  });

  it('a password hashed before normalisation still signs in as typed', async () => {
    const p = await person();
    const legacy = 'ﬁne ﬂour ﬁrst ﬂight'; // ligatures: NFKC turns them into "fi" and "fl"
    assert.notEqual(legacy.normalize('NFKC'), legacy);
    const rawHash = await argon2.hash(legacy, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    await server.container.deps.db.updateTable('users').set({ password_hash: rawHash }).where('email', '=', p.email).execute();
    assert.equal((await api.post('/session', {}, { email: p.email, password: legacy })).status, 200);
  });
});
