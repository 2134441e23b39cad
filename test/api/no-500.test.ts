/**
 * Issue 6 section 3: input that used to reach the database as a 500 is a clear 4xx. NUL characters (PostgreSQL
 * text cannot hold them) are refused at the HTTP boundary, and concurrent creates that both pass the service's
 * uniqueness check end as one success and 409s, on both databases.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describeEachDriver('no 500s from hostile text or races', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let admin: Caller;
  let orgId = '';

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    orgId = (await services.organisations.create(sys, { name: 'Home Org', kind: 'vendor' })).id;
    const { user } = await services.users.create(sys, { email: 'root@no500.example', name: 'root', password: 'no five hundred passphrase', siteAdmin: true, memberships: [{ organisationId: orgId, roles: ['admin'] }] });
    admin = { bearer: (await services.tokens.create(sys, { name: 'admin', scopes: ['read', 'write', 'admin'], forUserId: user.id })).secret };
  });
  after(() => server.close());

  const expect400 = (res: { status: number; body: any }, field: RegExp) => {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.type, 'https://clearinghouse.dev/problems/invalid-input');
    assert.match(res.body.detail, /NUL character/);
    assert.match(res.body.detail, field);
  };

  it('a NUL character in a JSON body field, query string or path parameter is a 400 naming where', async () => {
    expect400(await api.post('/organisations', admin, { name: 'Bad\u0000Name', kind: 'vendor' }), /body\/name/);
    expect400(await api.post('/session', {}, { email: 'a\u0000@b.example', password: 'whatever it is' }), /body\/email/);
    expect400(await api.get('/audit?recordType=inventory%00', admin), /query\/recordType/);
    expect400(await api.get(`/organisations/${orgId}%00`, admin), /params\/id/);
    expect400(await api.post('/users', admin, { email: 'n@no500.example', name: 'x', memberships: [{ organisationId: orgId, roles: ['member'] }], ['k\u0000']: 1 }), /field name/);
    const count = await server.container.deps.db.selectFrom('organisations').select((eb) => eb.fn.countAll().as('n')).where('name', 'like', 'Bad%').executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0, 'nothing half-written');
  });

  it('a NUL character inside an uploaded SBOM is an invalid-sbom 400', async () => {
    const sbom = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ 'bom-ref': 'x\u0000', type: 'library', name: 'x', purl: 'pkg:npm/x@1.0.0' }] });
    const res = await api.call('POST', `/inventories?name=nul&organisationId=${orgId}`, admin, sbom, { 'content-type': 'application/json' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.type, 'https://clearinghouse.dev/problems/invalid-sbom');
    assert.match(res.body.detail, /NUL character in its reference/);
  });

  it('concurrent creates of organisations whose names differ only in case: one 201, the rest 409', async () => {
    const names = ['Race Org', 'RACE ORG', 'race org', 'Race ORG'];
    const res = await Promise.all(names.map((name) => api.post('/organisations', admin, { name, kind: 'vendor' })));
    assert.deepEqual(res.map((r) => r.status).sort(), [201, 409, 409, 409], JSON.stringify(res.map((r) => r.body)));
    for (const r of res.filter((x) => x.status === 409)) assert.equal(r.body.type, 'https://clearinghouse.dev/problems/conflict');
    const rows = await server.container.deps.db.selectFrom('organisations').select('id').where((eb) => eb(eb.fn('lower', ['name']), '=', 'race org')).execute();
    assert.equal(rows.length, 1);
  });

  it('concurrent creates of users with one e-mail: one 201, the rest 409', async () => {
    const res = await Promise.all([1, 2, 3, 4].map((i) => api.post('/users', admin, { email: 'twin@no500.example', name: `twin ${i}`, memberships: [{ organisationId: orgId, roles: ['member'] }] })));
    assert.deepEqual(res.map((r) => r.status).sort(), [201, 409, 409, 409], JSON.stringify(res.map((r) => r.body)));
    for (const r of res.filter((x) => x.status === 409)) assert.equal(r.body.type, 'https://clearinghouse.dev/problems/conflict');
  });
});
