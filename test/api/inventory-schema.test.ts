import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { MAX_SCHEMA_WARNINGS } from '../../src/formats/sbom-schema.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller, type Res } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** A CycloneDX 1.6 document that follows its schema; `extra` fields are merged in to break it on purpose. */
function cdx16(components: unknown[], extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: { timestamp: '2026-11-01T00:00:00Z' },
    components,
    ...extra,
  });
}
const lib = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ type: 'library', 'bom-ref': name, name, version, purl: `pkg:npm/${name}@${version}`, ...extra });

function spdx(version: string) {
  return JSON.stringify({
    spdxVersion: version,
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'schema-test',
    documentNamespace: 'https://clearinghouse.example/spdx/schema-test',
    creationInfo: { created: '2026-11-01T00:00:00Z', creators: ['Tool: hand-written'] },
    packages: [{ SPDXID: 'SPDXRef-lodash', name: 'lodash', versionInfo: '4.17.20', downloadLocation: 'NOASSERTION', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/lodash@4.17.20' }] }],
  });
}

const CDX_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library" bom-ref="lodash"><name>lodash</name><version>4.17.20</version><purl>pkg:npm/lodash@4.17.20</purl></component></components></bom>`;

describeEachDriver('SBOM schema check at intake', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  let alice: Caller;
  let orgId = '';

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock: new ManualClock('2026-12-02T12:00:00.000Z') });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    orgId = (await services.organisations.create(sys, { name: 'Schema Operator', kind: 'infrastructure-operator', sectors: ['energy'], label: { tlp: 'GREEN' } })).id;
    const userId = (await services.users.create(sys, { email: 'alice@schema.example', name: 'alice', password: 'schema test passphrase', memberships: [{ organisationId: orgId, roles: ['member'] }] })).user.id;
    alice = { bearer: (await services.tokens.create(sys, { name: 'test', scopes: ['read', 'write'], forUserId: userId })).secret };
  });
  after(() => server.close());

  const upload = (name: string, body: string, contentType = 'application/json'): Promise<Res> =>
    api.call('POST', `/inventories?name=${name}&organisationId=${orgId}`, alice, body, { 'content-type': contentType });

  /** The inventory as a later reader sees it: the findings must be stored, not only echoed by the upload. */
  async function stored(res: Res) {
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const got = await api.get(`/inventories/${res.body.id}`, alice);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    return got.body;
  }

  it('a CycloneDX 1.6 document that follows its schema: checked against CycloneDX 1.6, no warnings', async () => {
    const inv = await stored(await upload('valid-cdx', cdx16([lib('lodash', '4.17.20'), lib('left-pad', '1.3.0')])));
    assert.deepEqual(inv.schema, { checked: true, name: 'CycloneDX 1.6' });
    assert.deepEqual(inv.schemaWarnings, []);
    assert.equal(inv.schemaWarningCount, 0);
  });

  it('a readable CycloneDX document that breaks its schema is stored, with warnings naming the paths', async () => {
    const body = cdx16([lib('lodash', '4.17.20'), lib('left-pad', '1.3.0', { type: 'gadget' }), lib('minimist', '1.2.5', { hashes: [{ alg: 'SHA-999', content: 'ab' }] })], { serialNumber: 'not-a-urn' });
    const inv = await stored(await upload('invalid-cdx', body));
    assert.equal(inv.componentCount, 3, 'every component is kept: schema findings do not refuse a readable SBOM');
    assert.deepEqual(inv.schema, { checked: true, name: 'CycloneDX 1.6' });
    const paths = inv.schemaWarnings.map((w: { path: string }) => w.path);
    for (const p of ['/serialNumber', '/components/1/type', '/components/2/hashes/0/alg']) assert.ok(paths.includes(p), `${p} in ${JSON.stringify(inv.schemaWarnings)}`);
    assert.ok(inv.schemaWarnings.every((w: { message: string }) => w.message.length > 0));
    assert.equal(inv.schemaWarningCount, inv.schemaWarnings.length);
  });

  it('keeps the first findings and counts them all', async () => {
    const many = Array.from({ length: 80 }, (_, i) => lib(`pkg-${i}`, '1.0.0', { type: 'gadget' }));
    const inv = await stored(await upload('many-findings', cdx16(many)));
    assert.equal(inv.schemaWarnings.length, MAX_SCHEMA_WARNINGS);
    assert.ok(inv.schemaWarningCount >= 80, `count ${inv.schemaWarningCount}`);
    assert.equal(inv.schemaWarnings[0].path, '/components/0/type');
  });

  it('replacing the SBOM replaces its findings', async () => {
    const first = await upload('replace-me', cdx16([lib('lodash', '4.17.20', { type: 'gadget' })]));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.schemaWarningCount, 1);
    const res = await api.call('PUT', `/inventories/${first.body.id}/sbom`, alice, cdx16([lib('lodash', '4.17.21')]), { 'content-type': 'application/json', 'if-match': '"1"' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const got = await api.get(`/inventories/${first.body.id}`, alice);
    assert.deepEqual([got.body.schemaWarningCount, got.body.schemaWarnings], [0, []]);
  });

  it('a spec version without a bundled schema is stored and reported as not checked, with the reason', async () => {
    const inv = await stored(await upload('spdx-22', spdx('SPDX-2.2'), 'application/spdx+json'));
    assert.equal(inv.schema.checked, false);
    assert.match(inv.schema.reason, /SPDX-2\.2/);
    assert.deepEqual([inv.schemaWarnings, inv.schemaWarningCount], [[], 0]);
  });

  it('CycloneDX XML is reported as not schema-checked, with the reason', async () => {
    const inv = await stored(await upload('cdx-xml', CDX_XML, 'application/vnd.cyclonedx+xml'));
    assert.equal(inv.componentCount, 1);
    assert.equal(inv.schema.checked, false);
    assert.match(inv.schema.reason, /XML is not schema-checked/);
  });
});
