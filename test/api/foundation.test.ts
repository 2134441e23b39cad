import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeEachDriver('foundation API', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let admin: Caller;
  const clock = new ManualClock('2026-11-26T12:00:00.000Z');

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
  });
  after(() => server.close());

  it('first sign-in with the one-time password forces a password change before anything else', async () => {
    const first = await api.signIn(server.admin.email, server.admin.oneTimePassword);
    assert.equal(first.body.user.mustChangePassword, true);
    assert.equal(first.body.user.siteAdmin, true);
    const blocked = await api.get('/organisations', first);
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.type, PROBLEM + 'password-change-required');
    const short = await api.post('/me/password', first, { currentPassword: server.admin.oneTimePassword, newPassword: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.body.detail, /at least 15/);
    const changed = await api.post('/me/password', first, { currentPassword: server.admin.oneTimePassword, newPassword: 'a much better passphrase' });
    assert.equal(changed.status, 204);
    const me = await api.get('/session', first);
    assert.equal(me.body.user.mustChangePassword, false);
    const orgs = await api.get('/organisations', first);
    assert.equal(orgs.status, 200);
    admin = first;
    // the one-time password no longer works
    const again = await api.post('/session', {}, { email: server.admin.email, password: server.admin.oneTimePassword });
    assert.equal(again.status, 401);
  });

  it('session cookie is HttpOnly and SameSite=Lax; writes without the CSRF token are refused', async () => {
    const res = await api.post('/session', {}, { email: server.admin.email, password: 'a much better passphrase' });
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/, 'plain HTTP in tests: no Secure flag');
    const noCsrf = await api.post('/organisations', { cookie: admin.cookie! }, { name: 'Should Not Exist', kind: 'vendor' });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.type, PROBLEM + 'csrf');
    const list = await api.get('/organisations', admin);
    assert.ok(!list.body.items.some((o: any) => o.name === 'Should Not Exist'));
  });

  let orgId = '';
  it('creates and updates an organisation with optimistic concurrency', async () => {
    const created = await api.post('/organisations', admin, { name: 'Metro Water', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'], label: { tlp: 'AMBER' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.etag, '"1"');
    assert.deepEqual(created.body.sectors, ['water-and-wastewater']);
    assert.equal(created.body.label.tlp, 'AMBER');
    assert.equal(created.body.label.owner, created.body.id);
    orgId = created.body.id;

    const noSector = await api.post('/organisations', admin, { name: 'Power Co', kind: 'infrastructure-operator' });
    assert.equal(noSector.status, 400);
    assert.match(noSector.body.detail, /sector/);
    const dup = await api.post('/organisations', admin, { name: 'metro water', kind: 'vendor' });
    assert.equal(dup.status, 409);

    const missing = await api.patch(`/organisations/${orgId}`, admin, { name: 'Metro Water Authority' });
    assert.equal(missing.status, 428);
    const ok = await api.patch(`/organisations/${orgId}`, admin, { name: 'Metro Water Authority' }, { 'if-match': '"1"' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.version, 2);
    const stale = await api.patch(`/organisations/${orgId}`, admin, { name: 'Lost Update' }, { 'if-match': '"1"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.type, PROBLEM + 'stale-write');
    const staleBody = await api.patch(`/organisations/${orgId}`, admin, { name: 'Lost Update', version: 1 });
    assert.equal(staleBody.status, 409);
    const now = await api.get(`/organisations/${orgId}`, admin);
    assert.equal(now.body.name, 'Metro Water Authority');
  });

  let userId = '';
  let userCaller: Caller;
  it('creates a user with a one-time password and a membership', async () => {
    const res = await api.post('/users', admin, { email: 'Operator@Metro.example', name: 'Olu Operator', memberships: [{ organisationId: orgId, roles: ['member'] }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.user.email, 'operator@metro.example');
    assert.equal(res.body.user.mustChangePassword, true);
    assert.match(res.body.oneTimePassword, /^[\w]{5}(-[\w]{5}){3}$/);
    assert.equal(res.headers['cache-control'], 'no-store');
    userId = res.body.user.id;
    userCaller = await api.signInFresh('operator@metro.example', res.body.oneTimePassword);
    const members = await api.get(`/organisations/${orgId}/members`, userCaller);
    assert.deepEqual(members.body.map((m: any) => [m.email, m.roles]), [['operator@metro.example', ['member']]]);
    // a plain member cannot create organisations or users
    assert.equal((await api.post('/organisations', userCaller, { name: 'Rogue', kind: 'vendor' })).status, 403);
    assert.equal((await api.post('/users', userCaller, { email: 'x@y.example', name: 'X' })).status, 403);
    // ...and sees only themselves in the user list
    const users = await api.get('/users', userCaller);
    assert.deepEqual(users.body.items.map((u: any) => u.id), [userId]);
  });

  it('a failed user creation leaves nothing half-written', async () => {
    const before = await api.get('/users?limit=200', admin);
    const bad = await api.post('/users', admin, { email: 'half@metro.example', name: 'Half', memberships: [{ organisationId: '00000000-0000-4000-8000-000000000000', roles: ['member'] }] });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /unknown organisation/);
    const afterList = await api.get('/users?limit=200', admin);
    assert.equal(afterList.body.items.length, before.body.items.length);
    const audit = await api.get('/audit?recordType=user&limit=200', admin);
    assert.ok(!JSON.stringify(audit.body).includes('half@metro.example'));
  });

  it('API tokens: shown once, hashed, scoped, expiring, revocable, and every failure is the same 401', async () => {
    const created = await api.post('/tokens', userCaller, { name: 'scanner', scopes: ['read'], expiresInDays: 1 });
    assert.equal(created.status, 201);
    const secret: string = created.body.secret;
    assert.match(secret, /^chk_/);
    const rows = await server.container.handle.db.selectFrom('api_tokens').select('secret_hash').execute();
    assert.ok(rows.every((r) => r.secret_hash !== secret && !r.secret_hash.includes(secret)));
    const listed = await api.get('/tokens', userCaller);
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'the secret is never shown again');

    const me = await api.get(`/organisations/${orgId}`, { bearer: secret });
    assert.equal(me.status, 200);
    const write = await api.post('/tokens', { bearer: secret }, { name: 'breed', scopes: ['read'] });
    assert.equal(write.status, 403, 'a read-only token cannot write');

    const wrong = await api.get('/organisations', { bearer: secret.slice(0, -2) + 'xx' });
    const garbage = await api.get('/organisations', { bearer: 'not-a-token' });
    clock.advance(2 * 86_400_000);
    const expired = await api.get('/organisations', { bearer: secret });
    clock.advance(-2 * 86_400_000);
    for (const r of [wrong, garbage, expired]) {
      assert.equal(r.status, 401);
      assert.equal(r.body.type, PROBLEM + 'unauthenticated');
      assert.equal(r.body.detail, wrong.body.detail, 'the 401 never says which part was wrong');
    }
    const revoked = await api.delete(`/tokens/${created.body.token.id}`, userCaller);
    assert.equal(revoked.status, 204);
    const after = await api.get('/organisations', { bearer: secret });
    assert.equal(after.status, 401);
    assert.equal(after.body.detail, wrong.body.detail);
  });

  it('bad input gets a clear problem document', async () => {
    const malformed = await api.post('/organisations', admin, '{"name": "x",', { 'content-type': 'application/json' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.match(malformed.body.detail, /JSON/);
    const unknownField = await api.post('/organisations', admin, { name: 'Fine Name', kind: 'vendor', colour: 'red' });
    assert.equal(unknownField.status, 400);
    assert.deepEqual(unknownField.body.errors, [{ path: 'body/colour', message: 'unknown field' }]);
    const badEnum = await api.post('/organisations', admin, { name: 'Fine Name', kind: 'pirate' });
    assert.equal(badEnum.status, 400);
    assert.match(badEnum.body.detail, /kind/);
    const badTlp = await api.post('/organisations', admin, { name: 'Fine Name', kind: 'vendor', label: { tlp: 'PURPLE' } });
    assert.equal(badTlp.status, 400);
    assert.match(badTlp.body.detail, /tlp/);
    const wrongType = await api.post('/organisations', admin, 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(wrongType.status, 415);
    assert.equal(wrongType.body.type, PROBLEM + 'unsupported-media-type');
    const huge = await api.post('/organisations', admin, JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), kind: 'vendor' }), { 'content-type': 'application/json' });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.type, PROBLEM + 'payload-too-large');
    const badCursor = await api.get('/organisations?cursor=garbage', admin);
    assert.equal(badCursor.status, 400);
    assert.match(badCursor.body.detail, /cursor/);
    const badLimit = await api.get('/organisations?limit=1000', admin);
    assert.equal(badLimit.status, 400);
    const badId = await api.get('/organisations/not-a-uuid', admin);
    assert.equal(badId.status, 400);
    const unknownRoute = await api.get('/nothing-here', admin);
    assert.equal(unknownRoute.status, 404);
    assert.equal(unknownRoute.body.type, PROBLEM + 'not-found');
    const list = await api.get('/organisations?limit=200', admin);
    assert.ok(!list.body.items.some((o: any) => o.name === 'Fine Name'), 'nothing was written');
  });

  it('pagination walks every visible record once with opaque cursors', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await api.post('/organisations', admin, { name: `Paging Vendor ${i}`, kind: 'vendor' });
      assert.equal(r.status, 201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.get(`/organisations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((o: any) => o.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await api.get('/organisations?limit=200', admin);
    assert.deepEqual(seen, all.body.items.map((o: any) => o.name));
    assert.equal(new Set(seen).size, seen.length);
  });

  it('repeated failed sign-ins back off with 429 and Retry-After', async () => {
    const email = 'operator@metro.example';
    // Successes no longer clear this address's counter: let the earlier tests' failed sign-ins go quiet first.
    clock.advance(61 * 60_000);
    for (let i = 0; i < 5; i++) {
      const r = await api.post('/session', {}, { email, password: 'wrong password ' + i });
      assert.equal(r.status, 401);
    }
    const limited = await api.post('/session', {}, { email, password: 'correct horse battery staple' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.type, PROBLEM + 'rate-limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    clock.advance(2000);
    const ok = await api.post('/session', {}, { email, password: 'correct horse battery staple' });
    assert.equal(ok.status, 200, 'after the wait the right password works again');
  });

  it('sign out everywhere ends every session of the user', async () => {
    const a = await api.signIn('operator@metro.example', 'correct horse battery staple');
    const b = await api.signIn('operator@metro.example', 'correct horse battery staple');
    assert.equal((await api.get('/session', a)).status, 200);
    const out = await api.post('/session/revoke-all', a);
    assert.equal(out.status, 200);
    assert.ok(out.body.ended >= 2);
    assert.equal((await api.get('/session', a)).status, 401);
    assert.equal((await api.get('/session', b)).status, 401);
    assert.equal((await api.get('/session', userCaller)).status, 401);
    const stale = await api.get('/organisations', { cookie: a.cookie! });
    assert.equal(stale.status, 401, 'an ended session is told so, not served as the public');
    assert.match(String(stale.headers['set-cookie']), /ch_session=;/, 'and its cookie is cleared');
    const again = await api.post('/session', { cookie: a.cookie! }, { email: 'operator@metro.example', password: 'correct horse battery staple' });
    assert.equal(again.status, 200, 'a stale cookie never stops signing in again');
  });

  it('the audit trail records every change with its actor, and verification finds a hand-edited row', async () => {
    const trail = await api.get('/audit?limit=200', admin);
    assert.equal(trail.status, 200);
    const actions = trail.body.items.map((e: any) => e.action);
    for (const a of ['organisation.create', 'organisation.update', 'user.create', 'membership.create', 'token.create', 'token.revoke', 'user.password-change']) {
      assert.ok(actions.includes(a), `audit has ${a}`);
    }
    const orgUpdate = trail.body.items.find((e: any) => e.action === 'organisation.update');
    assert.equal(orgUpdate.actor.email, server.admin.email);
    assert.equal(orgUpdate.via, 'session');
    assert.notEqual(orgUpdate.beforeDigest, orgUpdate.afterDigest);
    const seqs = trail.body.items.map((e: any) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((x: number, y: number) => y - x), 'newest first');

    assert.deepEqual(await server.container.services.audit.verify().then((r) => r.ok), true);
    const victim = trail.body.items[trail.body.items.length - 3];
    await server.container.handle.db.updateTable('audit_log').set({ action: 'organisation.delete' }).where('seq', '=', victim.seq).execute();
    const broken = await server.container.services.audit.verify();
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && broken.firstBadSeq, victim.seq);
  });

  it('serves OpenAPI 3.1, the docs, health and readiness', async () => {
    const spec = await api.get('/openapi.json');
    assert.equal(spec.status, 200);
    assert.equal(spec.body.openapi, '3.1.0');
    assert.ok(spec.body.paths['/api/v1/organisations'].post);
    assert.ok(spec.body.paths['/api/v1/tokens'].post);
    const docs = await server.app.inject({ method: 'GET', url: '/docs/' });
    assert.ok([200, 302].includes(docs.statusCode));
    assert.equal((await api.get('/healthz')).body.status, 'ok');
    const ready = await api.get('/readyz');
    assert.deepEqual(ready.body, { status: 'ready', database: driver });
    const orgs = await api.get('/organisations', admin);
    assert.equal(orgs.headers['cache-control'], 'no-store', 'labelled data is never cached');
    const headers = (await api.get('/healthz')).headers;
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.ok(headers['content-security-policy']);
    assert.ok(headers['x-request-id']);
  });
});
