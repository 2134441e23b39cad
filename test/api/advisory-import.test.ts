import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { strToU8, zipSync } from 'fflate';
import { buildApp } from '../../src/http/app.ts';
import { advisoryImportRoutes, IMPORT_LIMITS } from '../../src/http/advisory-import.routes.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

const sys = systemPrincipal('cli');
const rec = (n: number, modified = '2026-01-01T00:00:00Z') => ({
  id: `GO-2026-${8000 + n}`,
  modified,
  summary: `http import ${n}`,
  affected: [{ package: { ecosystem: 'Go', name: `example.com/import-${n}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
});

describeEachDriver('POST /api/v1/advisories/import', (driver) => {
  let container: TestContainer;
  let app: FastifyInstance;
  let api: ApiClient;
  let admin: Caller;
  let member: Caller;
  let adminRead: Caller;

  before(async () => {
    container = await testContainer(driver, { sbomWorkers: false });
    app = await buildApp(container, { logger: false });
    // Until app.ts registers the plugin (the lead wires it), register it here the same way: prefix /api/v1.
    if (!app.hasRoute({ method: 'POST', url: '/api/v1/advisories/import' })) await app.register(advisoryImportRoutes, { prefix: '/api/v1', services: container.services });
    await app.ready();
    api = new ApiClient(app);
    const s = container.services;
    const gov = await s.organisations.create(sys, { name: 'Coordinator', kind: 'government' });
    const adminUser = (await s.users.create(sys, { email: 'admin@import.example', name: 'A', siteAdmin: true, password: 'import test passphrase', memberships: [{ organisationId: gov.id, roles: ['admin', 'member'] }] })).user;
    admin = { bearer: (await s.tokens.create(sys, { name: 't', scopes: ['read', 'write', 'admin'], forUserId: adminUser.id })).secret };
    adminRead = { bearer: (await s.tokens.create(sys, { name: 't', scopes: ['read', 'write'], forUserId: adminUser.id })).secret };
    const org = await s.organisations.create(sys, { name: 'Some Vendor', kind: 'vendor' });
    const { user } = await s.users.create(sys, { email: 'm@import.example', name: 'M', password: 'import test passphrase', memberships: [{ organisationId: org.id, roles: ['admin', 'member'] }] });
    member = { bearer: (await s.tokens.create(sys, { name: 't', scopes: ['read', 'write', 'admin'], forUserId: user.id })).secret };
  });
  after(async () => {
    await app.close();
    await container.destroy();
  });

  it('takes one record, an array or { records }, and answers the summary; idempotent', async () => {
    const one = await api.post('/advisories/import', admin, rec(1));
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual(one.body, { added: 1, updated: 0, unchanged: 0, rejected: [] });
    const arr = await api.post('/advisories/import', admin, [rec(1), rec(2)]);
    assert.deepEqual(arr.body, { added: 1, updated: 0, unchanged: 1, rejected: [] });
    const wrapped = await api.post('/advisories/import', admin, { records: [rec(2, '2026-05-01T00:00:00Z'), { id: 'GO-2026-8999' }] });
    assert.deepEqual({ ...wrapped.body, rejected: wrapped.body.rejected.map((r: { path: string }) => r.path) }, { added: 0, updated: 1, unchanged: 0, rejected: ['body/records[1]'] });
    const got = await api.get(`/advisories/${rec(2).id}`, admin);
    assert.equal(got.body.revision, 2);
  });

  it('takes a ZIP archive, naming entries in rejections', async () => {
    const zip = zipSync({ 'a/3.json': strToU8(JSON.stringify(rec(3))), 'a/bad.json': strToU8('{nope'), 'a/4.json': strToU8(JSON.stringify(rec(4))) });
    const res = await api.call('POST', '/advisories/import', admin, Buffer.from(zip), { 'content-type': 'application/zip' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.added, 2);
    assert.deepEqual(res.body.rejected.map((r: { path: string }) => r.path), ['body!a/bad.json']);
    const junk = await api.call('POST', '/advisories/import', admin, Buffer.from('PK\u0003\u0004 not really'), { 'content-type': 'application/zip' });
    assert.equal(junk.status, 200);
    assert.equal(junk.body.rejected.length, 1);
    assert.equal(junk.body.rejected[0].path, 'body');
  });

  it('is for site administrators with the admin scope only', async () => {
    assert.equal((await api.post('/advisories/import', {}, rec(5))).status, 401);
    const m = await api.post('/advisories/import', member, rec(5));
    assert.equal(m.status, 403);
    assert.equal(m.body.type, `${PROBLEM}forbidden`);
    assert.equal((await api.post('/advisories/import', adminRead, rec(5))).status, 403, 'a token without the admin scope');
    assert.equal((await api.get(`/advisories/${rec(5).id}`, admin)).status, 404, 'nothing written');
  });

  it('answers problems for other media types and bodies over the caps', async () => {
    const text = await api.call('POST', '/advisories/import', admin, 'hello', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    const big = await api.call('POST', '/advisories/import', admin, JSON.stringify({ records: [{ details: 'x'.repeat(IMPORT_LIMITS.jsonBytes) }] }), { 'content-type': 'application/json' });
    assert.equal(big.status, 413);
    assert.match(big.body.detail, /ZIP/);
    const bad = await api.call('POST', '/advisories/import', admin, '{"records": [', { 'content-type': 'application/json' });
    assert.equal(bad.status, 200);
    assert.match(bad.body.rejected[0].reason, /not valid JSON/);
  });
});
