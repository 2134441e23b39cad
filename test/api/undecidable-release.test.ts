import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * A purl whose `distro` qualifier names no release we can decide is stored with a null release (matched against
 * every release) and must be named in the inventory's `unmatched`, never left to look like a decided one.
 */
const SBOM = JSON.stringify({
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  components: [
    { type: 'library', 'bom-ref': 'zlib-odd', name: 'zlib', version: '1.2.11-40.el9', purl: 'pkg:rpm/redhat/zlib@1.2.11-40.el9?distro=rhel-banana' },
    { type: 'library', 'bom-ref': 'zlib-ok', name: 'zlib', version: '1.2.11-39.el9', purl: 'pkg:rpm/redhat/zlib@1.2.11-39.el9?distro=rhel-9.2' },
    { type: 'library', 'bom-ref': 'lodash', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20?distro=whatever' },
  ],
});

describeEachDriver('an undecidable distro release at upload', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let alice: Caller;
  let orgId = '';

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    const sys = systemPrincipal('cli');
    orgId = (await server.container.services.organisations.create(sys, { name: 'Release Operator', kind: 'vendor' })).id;
    const { user } = await server.container.services.users.create(sys, {
      email: 'alice@release.example', name: 'Alice', password: 'release test passphrase', memberships: [{ organisationId: orgId, roles: ['member'] }],
    });
    alice = { bearer: (await server.container.services.tokens.create(sys, { name: 't', scopes: ['read', 'write'], forUserId: user.id })).secret };
  });
  after(() => server.close());

  it('is stored, listed in unmatched with a reason that says it is matched against every release, and still matched', async () => {
    const res = await api.call('POST', `/inventories?name=rpm-host&organisationId=${orgId}`, alice, SBOM, { 'content-type': 'application/json' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.componentCount, 3, 'the component is stored');
    assert.equal(res.body.unmatchedCount, 1, 'only the undecidable release is named; a decided one and a non-distro purl are not');
    assert.equal(res.body.unmatched[0].ref, 'zlib-odd');
    assert.match(res.body.unmatched[0].reason, /cannot tell which Red Hat release distro="rhel-banana"/);
    assert.match(res.body.unmatched[0].reason, /every release/);
    assert.match(res.body.unmatched[0].reason, /stored/);

    const read = await api.get(`/inventories/${res.body.id}`, alice);
    assert.deepEqual(read.body.unmatched, res.body.unmatched, 'the reason is kept with the inventory');
    const comps = await api.get(`/inventories/${res.body.id}/components`, alice);
    assert.ok(comps.body.items.some((c: any) => c.purl.includes('distro=rhel-banana')), JSON.stringify(comps.body));

    // Matched against every release: a Red Hat 9 advisory reaches it, as it reaches the decided rhel-9.2 one.
    const advisory = {
      id: 'TEST-RH-ZLIB', modified: '2026-11-20T00:00:00Z',
      affected: [{ package: { ecosystem: 'Red Hat:enterprise_linux:9::baseos', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3-1.el9' }] }] }],
    };
    const hit = await api.post('/advisories/affected', alice, advisory);
    assert.equal(hit.status, 200, JSON.stringify(hit.body));
    assert.deepEqual(hit.body.affected.map((a: any) => a.component.version).sort(), ['1.2.11-39.el9', '1.2.11-40.el9']);
  });
});
