import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSWORD = 'credentials test passphrase';
const NEXT = 'a different credentials passphrase';

describeEachDriver('tokens and scopes around passwords', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let admin: Caller;
  let n = 0;

  /** A user with a settled password, signed in, with a read+write token and a read-only token. */
  async function person(): Promise<{ id: string; email: string; session: Caller; rw: string; ro: string }> {
    const email = `person-${++n}@credentials.example`;
    const { user } = await server.container.services.users.create(systemPrincipal('cli'), { email, name: `Person ${n}`, password: PASSWORD });
    const session = await api.signIn(email, PASSWORD);
    const mint = async (scopes: string[]) => {
      const r = await api.post('/tokens', session, { name: scopes.join('+'), scopes });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.secret as string;
    };
    return { id: user.id, email, session, rw: await mint(['read', 'write']), ro: await mint(['read']) };
  }

  const works = async (bearer: string) => (await api.get('/session', { bearer })).status === 200;

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    admin = await api.signInFresh(server.admin.email, server.admin.oneTimePassword);
  });
  after(() => server.close());

  it('an administrator\'s password reset revokes every API token of the user, audited per token', async () => {
    const p = await person();
    assert.ok(await works(p.rw));
    const reset = await api.post(`/users/${p.id}/reset-password`, admin);
    assert.equal(reset.status, 200);
    assert.equal(await works(p.rw), false, 'the read+write token stopped working');
    assert.equal(await works(p.ro), false, 'the read-only token stopped working');
    const tokens = await api.get(`/tokens?userId=${p.id}`, admin);
    assert.ok(tokens.body.items.every((t: any) => t.revokedAt !== null));
    const audit = await server.container.deps.db.selectFrom('audit_log').select(['action', 'record_id']).where('action', '=', 'token.revoke').execute();
    for (const t of tokens.body.items) assert.ok(audit.some((a) => a.record_id === t.id), `token ${t.id} has a token.revoke audit entry`);
    // The new one-time password works, and the user can mint new tokens after setting their own password.
    const fresh = await api.signInFresh(p.email, reset.body.oneTimePassword, NEXT);
    assert.equal((await api.post('/tokens', fresh, { name: 'after reset', scopes: ['read'] })).status, 201);
  });

  it('changing one\'s password revokes one\'s API tokens by default', async () => {
    const p = await person();
    const r = await api.post('/me/password', p.session, { currentPassword: PASSWORD, newPassword: NEXT });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    assert.equal(await works(p.rw), false);
    assert.equal(await works(p.ro), false);
    assert.equal((await api.get('/session', p.session)).status, 200, 'the session that changed the password stays');
  });

  it('revokeTokens: false keeps the tokens, and says so in the audit trail', async () => {
    const p = await person();
    const r = await api.post('/me/password', p.session, { currentPassword: PASSWORD, newPassword: NEXT, revokeTokens: false });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    assert.ok(await works(p.rw));
    assert.ok(await works(p.ro));
    const entry = await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', '=', p.id).where('action', '=', 'user.password-change').execute();
    assert.equal(entry.length, 1);
  });

  it('a read-only token can neither sign out everywhere nor change the password', async () => {
    const p = await person();
    const out = await api.post('/session/revoke-all', { bearer: p.ro });
    assert.equal(out.status, 403);
    assert.equal(out.body.type, PROBLEM + 'forbidden');
    assert.equal((await api.get('/session', p.session)).status, 200, 'the session survived');
    const change = await api.post('/me/password', { bearer: p.ro }, { currentPassword: PASSWORD, newPassword: NEXT });
    assert.equal(change.status, 403);
    assert.equal(change.body.type, PROBLEM + 'forbidden');
    assert.equal((await api.post('/session', {}, { email: p.email, password: PASSWORD })).status, 200, 'the password is unchanged');
    // A write token may do both: they are the user's own state.
    assert.equal((await api.post('/session/revoke-all', { bearer: p.rw })).status, 200);
    assert.equal((await api.get('/session', p.session)).status, 401);
  });

  it('signing out everywhere needs a settled password', async () => {
    const email = `pending-${++n}@credentials.example`;
    const created = await api.post('/users', admin, { email, name: 'Pending' });
    assert.equal(created.status, 201);
    const pending = await api.signIn(email, created.body.oneTimePassword);
    const out = await api.post('/session/revoke-all', pending);
    assert.equal(out.status, 403);
    assert.equal(out.body.type, PROBLEM + 'password-change-required');
    assert.equal((await api.get('/session', pending)).status, 200, 'nothing ended');
  });
});
