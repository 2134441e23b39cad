import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { SCOPE_CASES, SCOPE_NOT_GUARDED, type ScopeCase } from '../helpers/scope-cases.ts';
import '../helpers/scope-cases-findings.ts';
import '../helpers/scope-cases-campaigns.ts';
import '../helpers/scope-cases-triage.ts';
import '../helpers/scope-cases-cases.ts';
import '../helpers/scope-cases-threads.ts';
import '../helpers/scope-cases-notifications.ts';
import '../helpers/scope-cases-inventory-findings.ts';
import '../helpers/scope-cases-dashboards.ts';

const ID = '00000000-0000-4000-8000-000000000000';
const SBOM = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [] });

/**
 * One request per state-changing operation in the server's own OpenAPI document. A new write route without a case
 * here fails the test, so nobody can add one without deciding its scope.
 */
const CASES: Record<string, ScopeCase> = {
  ...SCOPE_CASES,
  'POST /api/v1/organisations': { url: '/organisations', body: { name: 'Scope Test Org', kind: 'vendor' } },
  'PATCH /api/v1/organisations/{id}': { url: `/organisations/${ID}`, body: { name: 'Renamed' }, headers: { 'if-match': '"1"' } },
  'PUT /api/v1/organisations/{id}/members/{userId}': { url: `/organisations/${ID}/members/${ID}`, body: { roles: ['member'] } },
  'DELETE /api/v1/organisations/{id}/members/{userId}': { url: `/organisations/${ID}/members/${ID}` },
  'POST /api/v1/users': { url: '/users', body: { email: 'scope-new@scopes.example', name: 'New' } },
  'PATCH /api/v1/users/{id}': { url: `/users/${ID}`, body: { name: 'Renamed' }, headers: { 'if-match': '"1"' } },
  'POST /api/v1/users/{id}/reset-password': { url: `/users/${ID}/reset-password` },
  'POST /api/v1/tokens': { url: '/tokens', body: { name: 'bred', scopes: ['read'] } },
  'DELETE /api/v1/tokens/{id}': { url: `/tokens/${ID}` },
  'POST /api/v1/inventories': { url: '/inventories?name=scope-test', body: SBOM, headers: { 'content-type': 'application/vnd.cyclonedx+json' } },
  'PUT /api/v1/inventories/{id}/sbom': { url: `/inventories/${ID}/sbom`, body: SBOM, headers: { 'content-type': 'application/vnd.cyclonedx+json', 'if-match': '"1"' } },
  'PATCH /api/v1/inventories/{id}': { url: `/inventories/${ID}`, body: { name: 'Renamed' }, headers: { 'if-match': '"1"' } },
  'DELETE /api/v1/inventories/{id}': { url: `/inventories/${ID}` },
  'POST /api/v1/session/revoke-all': { url: '/session/revoke-all' },
  'POST /api/v1/me/invitations/{id}/accept': { url: `/me/invitations/${ID}/accept` },
  'POST /api/v1/me/invitations/{id}/decline': { url: `/me/invitations/${ID}/decline` },
  'DELETE /api/v1/organisations/{id}/invitations/{invitationId}': { url: `/organisations/${ID}/invitations/${ID}` },
  'POST /api/v1/advisories': { url: '/advisories', body: { record: { summary: 'scope test' } } },
  'PUT /api/v1/advisories/{id}': { url: '/advisories/CHA-2026-0001', body: { record: { summary: 'scope test' } }, headers: { 'if-match': '"1"' } },
  'POST /api/v1/advisories/{id}/publish': { url: '/advisories/CHA-2026-0001/publish', headers: { 'if-match': '"1"' } },
  'POST /api/v1/advisories/{id}/withdraw': { url: '/advisories/CHA-2026-0001/withdraw', headers: { 'if-match': '"1"' } },
  'POST /api/v1/advisories/import': { url: '/advisories/import', body: { records: [] } },
  'POST /api/v1/me/password': { url: '/me/password', body: { currentPassword: 'scopes test passphrase', newPassword: 'another scopes passphrase' } },
};

/** Not state changes a scope guards: signing in (no caller yet), ending one's own session, and a query sent as POST. */
const NOT_GUARDED = new Set([...SCOPE_NOT_GUARDED, 'POST /api/v1/session', 'DELETE /api/v1/session', 'POST /api/v1/advisories/affected', 'POST /v1/query', 'POST /v1/querybatch']);

describeEachDriver('every state change checks the token scope', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let readToken = '';
  let writeToken = '';
  let writeTokenId = '';
  let rootId = '';
  let writes: string[] = [];

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    const sys = systemPrincipal('cli');
    // A site administrator, so that nothing but the token's scope stands in the way.
    const { user } = await server.container.services.users.create(sys, { email: 'root@scopes.example', name: 'Root', password: 'scopes test passphrase', siteAdmin: true });
    readToken = (await server.container.services.tokens.create(sys, { name: 'read only', scopes: ['read'], forUserId: user.id })).secret;
    const minted = await server.container.services.tokens.create(sys, { name: 'write only', scopes: ['read', 'write'], forUserId: user.id });
    writeToken = minted.secret;
    writeTokenId = minted.token.id;
    rootId = user.id;
    const spec = (await api.get('/openapi.json')).body;
    writes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
  });
  after(() => server.close());

  it('every write operation in the OpenAPI document has a scope case', () => {
    assert.ok(writes.length >= Object.keys(CASES).length);
    const missing = writes.filter((w) => !CASES[w] && !NOT_GUARDED.has(w));
    assert.deepEqual(missing, [], 'add these operations to CASES in test/api/scopes.test.ts');
  });

  it('a read-only token is refused with 403 on every state change, and nothing changes', async () => {
    const before = await server.container.deps.db.selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    for (const op of writes.filter((w) => CASES[w])) {
      const c = CASES[op]!;
      const method = op.split(' ')[0]!;
      const res = await api.call(method, c.url, { bearer: readToken }, c.body, c.headers);
      assert.equal(res.status, 403, `${op} answered ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.type, PROBLEM + 'forbidden', op);
    }
    const afterCount = await server.container.deps.db.selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n), 'no audit entry: nothing was written');
  });

  it('administrative changes need the admin scope, even from a site administrator; changing oneself stays a write', async () => {
    const sys = systemPrincipal('cli');
    const org = await server.container.services.organisations.create(sys, { name: 'Scopes Admin Org', kind: 'vendor' });
    const { user: other } = await server.container.services.users.create(sys, { email: 'other@scopes.example', name: 'Other', password: 'scopes test passphrase' });
    const othersToken = (await server.container.services.tokens.create(sys, { name: 'theirs', scopes: ['read'], forUserId: other.id })).token;
    const w = { bearer: writeToken };
    const count = async () =>
      Number((await server.container.deps.db.selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const start = await count();

    const refused = [
      await api.patch(`/organisations/${org.id}`, w, { sectors: [] }, { 'if-match': `"${org.version}"` }),
      await api.patch(`/organisations/${org.id}`, w, { name: 'Renamed By Write' }, { 'if-match': `"${org.version}"` }),
      await api.patch(`/users/${other.id}`, w, { name: 'Renamed By Write' }, { 'if-match': `"${other.version}"` }),
      await api.patch(`/users/${other.id}`, w, { disabled: true }, { 'if-match': `"${other.version}"` }),
      await api.delete(`/tokens/${othersToken.id}`, w),
    ];
    for (const res of refused) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.type, PROBLEM + 'forbidden');
      assert.match(res.body.detail, /admin/);
    }
    assert.equal(await count(), start, 'nothing was written');
    assert.equal((await server.container.services.organisations.get(sys, org.id)).name, 'Scopes Admin Org');
    assert.equal((await server.container.services.tokens.list(sys, other.id))[0]!.revokedAt, null);

    const me = await api.get(`/users/${rootId}`, w);
    const renamed = await api.patch(`/users/${rootId}`, w, { name: 'Root Renamed' }, { 'if-match': `"${me.body.version}"` });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, 'Root Renamed');
    const revoked = await api.delete(`/tokens/${writeTokenId}`, w);
    assert.equal(revoked.status, 204, JSON.stringify(revoked.body));
    assert.equal((await api.get(`/users/${rootId}`, w)).status, 401, 'the revoked token no longer works');
  });
});
