import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller, type Res } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const FIXTURES = new URL('../fixtures/inventories/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));

const CDX_JSON = fixture('operator-a.cdx.json');
const CDX_XML = fixture('operator-b.cdx.xml');
const SPDX_JSON = fixture('operator-b.spdx.json');

const EMBARGO_UNTIL = '2027-01-01T00:00:00.000Z';

/** Hand-written OSV records; the expected outcomes in the tests below were worked out by hand from them. */
function osv(id: string, affected: unknown[], extra: Record<string, unknown> = {}) {
  return { schema_version: '1.6.0', id, modified: '2026-11-20T00:00:00Z', summary: `test advisory ${id}`, affected, ...extra };
}
const range = (type: string, introduced: string, fixed: string) => ({ type, events: [{ introduced }, { fixed }] });

const LODASH = osv('TEST-LODASH', [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [range('SEMVER', '0', '4.17.21')] }]);
const LOG4J = osv('TEST-LOG4J', [{ package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' }, ranges: [range('ECOSYSTEM', '2.0-beta9', '2.15.0')] }]);
const OPENSSL_DEB12 = osv('TEST-OPENSSL', [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [range('ECOSYSTEM', '0', '3.0.11-1~deb12u2')] }]);
const ZLIB = osv('TEST-ZLIB', [{ package: { ecosystem: 'Debian', name: 'zlib' }, ranges: [range('ECOSYSTEM', '0', '1.3')] }]);
// The advisory spells the name unnormalised; PEP 503 makes it the stored `django-rest`. 3.9.0 < 3.10.0 in PEP 440.
const DJANGO = osv('TEST-DJANGO', [{ package: { ecosystem: 'PyPI', name: 'Django.Rest' }, ranges: [range('ECOSYSTEM', '0', '3.10.0')] }]);
const WITHDRAWN = osv('TEST-WITHDRAWN', LODASH.affected, { withdrawn: '2026-11-21T00:00:00Z' });

describeEachDriver('inventories and the reverse query', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-11-26T12:00:00.000Z');
  let alice: Caller; // member of operator A
  let aliceReadOnly: Caller;
  let bob: Caller; // member of operator B
  let gina: Caller; // member of a government organisation: a coordinator
  let outsider: Caller; // a vendor, member of nothing relevant
  const org = { a: '', b: '', gov: '', vendor: '' };
  const inv = { a1: '', b1: '', b2: '' };

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    org.a = (await services.organisations.create(sys, { name: 'Grid Operator A', kind: 'infrastructure-operator', sectors: ['energy'], label: { tlp: 'RED' } })).id;
    org.b = (await services.organisations.create(sys, { name: 'Water Operator B', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'], label: { tlp: 'RED' } })).id;
    org.gov = (await services.organisations.create(sys, { name: 'National Coordinator', kind: 'government', label: { tlp: 'GREEN' } })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'Some Vendor', kind: 'vendor', label: { tlp: 'GREEN' } })).id;
    async function caller(name: string, organisationId: string, scopes: ('read' | 'write' | 'admin')[] = ['read', 'write']): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@inv.example`).executeTakeFirst();
      const userId = existing?.id ?? (await services.users.create(sys, { email: `${name}@inv.example`, name, password: 'inventory test passphrase', memberships: [{ organisationId, roles: ['member'] }] })).user.id;
      const { secret } = await services.tokens.create(sys, { name: 'test', scopes, forUserId: userId });
      return { bearer: secret };
    }
    alice = await caller('alice', org.a);
    aliceReadOnly = await caller('alice', org.a, ['read']);
    bob = await caller('bob', org.b);
    gina = await caller('gina', org.gov);
    outsider = await caller('olga', org.vendor);
  });
  after(() => server.close());

  function upload(c: Caller, query: string, body: Buffer | string, contentType: string): Promise<Res> {
    return api.call('POST', `/inventories?${query}`, c, body, { 'content-type': contentType });
  }
  async function counts() {
    const db = server.container.deps.db;
    const n = async (t: 'inventories' | 'components' | 'audit_log') => Number((await db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { inventories: await n('inventories'), components: await n('components'), audit: await n('audit_log') };
  }
  async function affected(c: Caller, advisory: unknown) {
    const res = await api.post('/advisories/affected', c, advisory);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { advisory: { id: string }; affected: any[]; problems: string[] };
  }
  /** `inventory purl -> fixed`, sorted, so a failure shows exactly which component differs. */
  function hits(body: { affected: any[] }): string[] {
    const name = Object.fromEntries(Object.entries(inv).map(([k, v]) => [v, k]));
    return body.affected.map((x) => `${name[x.inventoryId] ?? x.inventoryId} ${x.component.purl} -> ${x.fixed}`).sort();
  }

  it('uploads CycloneDX JSON: 201 with counts, reasons, an AMBER label by default, and canonical components', async () => {
    const res = await upload(alice, `name=grid-control&organisationId=${org.a}`, CDX_JSON, 'application/json');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.etag, '"1"');
    assert.equal(res.headers.location, `/api/v1/inventories/${res.body.id}`);
    inv.a1 = res.body.id;
    assert.equal(res.body.name, 'grid-control');
    assert.equal(res.body.format, 'cyclonedx-json');
    assert.equal(res.body.organisationId, org.a);
    assert.deepEqual(res.body.label, { owner: org.a, tlp: 'AMBER', embargoUntil: null, restricted: null });
    assert.equal(res.body.componentCount, 5, 'lodash listed twice counts once');
    assert.equal(res.body.unmatchedCount, 3);
    const reasons = Object.fromEntries(res.body.unmatched.map((u: any) => [u.ref, u.reason]));
    assert.equal(reasons.os, 'no purl');
    assert.equal(reasons.firmware, 'no purl');
    assert.match(reasons['vendor-blob'], /no OSV ecosystem/);
    assert.match(res.body.sbomSha256, /^[0-9a-f]{64}$/);

    // Listed page by page, in upload order, in canonical form.
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const page: Res = await api.get(`/inventories/${inv.a1}/components?limit=2${cursor ? `&cursor=${cursor}` : ''}`, alice);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen.map((c) => [c.ecosystem, c.release, c.name, c.sourceName, c.version, c.bomRef]),
      [
        ['npm', null, 'lodash', null, '4.17.20', 'lodash'],
        ['PyPI', null, 'django-rest', null, '3.9.0', 'django-rest'],
        ['Maven', null, 'org.apache.logging.log4j:log4j-core', null, '2.14.1', 'log4j'],
        ['Debian', '12', 'libssl3', 'openssl', '3.0.11-1~deb12u1', 'libssl3'],
        ['Debian', '12', 'zlib1g', 'zlib', '1:1.2.13.dfsg-1', 'zlib1g'],
      ],
    );
    assert.equal(seen[1].purl, 'pkg:pypi/django-rest@3.9.0');
  });

  it('uploads CycloneDX XML (RED) and SPDX JSON (GREEN, embargoed) for another operator', async () => {
    const xml = await upload(bob, `name=water-scada&organisationId=${org.b}&tlp=RED`, CDX_XML, 'application/vnd.cyclonedx+xml');
    assert.equal(xml.status, 201, JSON.stringify(xml.body));
    assert.equal(xml.body.format, 'cyclonedx-xml');
    assert.equal(xml.body.componentCount, 3);
    assert.equal(xml.body.label.tlp, 'RED');
    inv.b1 = xml.body.id;
    const comps = await api.get(`/inventories/${inv.b1}/components`, bob);
    const zlib = comps.body.items.find((c: any) => c.name === 'zlib1g');
    assert.equal(zlib.release, '12', 'distro=bookworm is Debian 12');

    // bob is a member of exactly one organisation: organisationId may be left out.
    const spdx = await upload(bob, `name=water-billing&tlp=GREEN&embargoUntil=${EMBARGO_UNTIL}`, SPDX_JSON, 'application/spdx+json');
    assert.equal(spdx.status, 201, JSON.stringify(spdx.body));
    assert.equal(spdx.body.format, 'spdx-json');
    assert.equal(spdx.body.componentCount, 4);
    assert.equal(spdx.body.unmatchedCount, 0);
    assert.deepEqual(spdx.body.label, { owner: org.b, tlp: 'GREEN', embargoUntil: EMBARGO_UNTIL, restricted: null });
    inv.b2 = spdx.body.id;
  });

  it('lists and reads only the inventories the label policy allows', async () => {
    const names = async (c: Caller) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await api.get(`/inventories?limit=1${cursor ? `&cursor=${cursor}` : ''}`, c);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        out.push(...res.body.items.map((i: any) => i.name));
        cursor = res.body.nextCursor;
      } while (cursor);
      return out;
    };
    assert.deepEqual(await names(alice), ['grid-control']);
    assert.deepEqual(await names(bob), ['water-billing', 'water-scada']);
    assert.deepEqual(await names(gina), ['grid-control', 'water-billing'], 'a coordinator sees AMBER and embargoed, never RED');
    assert.deepEqual(await names(outsider), []);
    assert.deepEqual(await names({}), []);
    const byOrg = await api.get(`/inventories?organisationId=${org.b}`, gina);
    assert.deepEqual(byOrg.body.items.map((i: any) => i.name), ['water-billing']);
    // Hidden reads exactly like absent.
    const hidden = await api.get(`/inventories/${inv.b1}`, gina);
    const absent = await api.get('/inventories/00000000-0000-4000-8000-00000000dead', gina);
    assert.equal(hidden.status, 404);
    assert.deepEqual({ ...hidden.body, instance: null }, { ...absent.body, instance: null });
    assert.equal((await api.get(`/inventories/${inv.b1}/components`, gina)).status, 404);
    assert.equal((await api.get(`/inventories/${inv.a1}`, gina)).status, 200);
  });

  it('reverse query: exactly the affected components each caller may read, with the lowest fix', async () => {
    assert.deepEqual(hits(await affected(alice, LODASH)), ['a1 pkg:npm/lodash@4.17.20 -> 4.17.21']);
    assert.deepEqual(hits(await affected(bob, LODASH)), ['b1 pkg:npm/lodash@4.17.4 -> 4.17.21', 'b2 pkg:npm/lodash@4.17.20 -> 4.17.21']);
    assert.deepEqual(hits(await affected(gina, LODASH)), ['a1 pkg:npm/lodash@4.17.20 -> 4.17.21', 'b2 pkg:npm/lodash@4.17.20 -> 4.17.21']);
    assert.deepEqual(hits(await affected(outsider, LODASH)), []);

    const body = await affected(gina, LODASH);
    assert.equal(body.advisory.id, 'TEST-LODASH');
    const first = body.affected.find((x) => x.inventoryId === inv.a1);
    assert.deepEqual(first, {
      organisationId: org.a,
      inventoryId: inv.a1,
      inventoryName: 'grid-control',
      component: { purl: 'pkg:npm/lodash@4.17.20', ecosystem: 'npm', name: 'lodash', version: '4.17.20' },
      fixed: '4.17.21',
    });
  });

  it('reverse query follows each ecosystem\'s own version rules, names and releases', async () => {
    // Maven: 2.14.1 and 2.10.0 are below 2.15.0; 2.15.0 is the fix itself.
    assert.deepEqual(hits(await affected(bob, LOG4J)), ['b2 pkg:maven/org.apache.logging.log4j/log4j-core@2.10.0 -> 2.15.0']);
    assert.deepEqual(hits(await affected(gina, LOG4J)), [
      'a1 pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 -> 2.15.0',
      'b2 pkg:maven/org.apache.logging.log4j/log4j-core@2.10.0 -> 2.15.0',
    ]);
    // PyPI: found through PEP 503 (Django.Rest = django-rest), and 3.9.0 < 3.10.0 although "3.9.0" > "3.10.0" as text.
    assert.deepEqual(hits(await affected(alice, DJANGO)), ['a1 pkg:pypi/django-rest@3.9.0 -> 3.10.0']);
    // Debian: matched through the source package; `~deb12u1` sorts before `~deb12u2`; the Debian 11 copy in b2 is out
    // of a Debian:12 advisory's scope.
    assert.deepEqual(hits(await affected(bob, OPENSSL_DEB12)), []);
    assert.deepEqual(hits(await affected(gina, OPENSSL_DEB12)), ['a1 pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&source=openssl -> 3.0.11-1~deb12u2']);
    // Debian epochs: 1:1.2.13.dfsg-1 (a1) is newer than 1.3, 1.2.13.dfsg-1 (b1) is older.
    assert.deepEqual(hits(await affected(alice, ZLIB)), []);
    assert.deepEqual(hits(await affected(bob, ZLIB)), ['b1 pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=bookworm&source=zlib -> 1.3']);
  });

  it('a withdrawn advisory affects nothing', async () => {
    const body = await affected(gina, WITHDRAWN);
    assert.deepEqual(body.affected, []);
    assert.equal((body as any).advisory.withdrawn, '2026-11-21T00:00:00Z');
  });

  it('an embargo keeps an inventory from non-owners until it lapses', async () => {
    // b2 is GREEN: any signed-in user may read it, once its embargo has passed.
    assert.deepEqual(hits(await affected(alice, LODASH)), ['a1 pkg:npm/lodash@4.17.20 -> 4.17.21']);
    clock.set('2027-01-02T00:00:00.000Z');
    try {
      assert.deepEqual(hits(await affected(alice, LODASH)), ['a1 pkg:npm/lodash@4.17.20 -> 4.17.21', 'b2 pkg:npm/lodash@4.17.20 -> 4.17.21']);
      assert.equal((await api.get(`/inventories/${inv.b2}`, alice)).status, 200);
    } finally {
      clock.set('2026-11-26T12:00:00.000Z');
    }
    assert.equal((await api.get(`/inventories/${inv.b2}`, alice)).status, 404);
  });

  it('the service answers without HTTP; the system principal sees every inventory', async () => {
    const report = await server.container.services.affected.affectedBy(systemPrincipal('system'), LODASH);
    assert.deepEqual(hits(report), [
      'a1 pkg:npm/lodash@4.17.20 -> 4.17.21',
      'b1 pkg:npm/lodash@4.17.4 -> 4.17.21',
      'b2 pkg:npm/lodash@4.17.20 -> 4.17.21',
    ]);
  });

  it('bad input gets a clear problem and writes nothing', async () => {
    const start = await counts();
    const cases: [string, Promise<Res>, number, string, RegExp][] = [
      ['malformed JSON', upload(alice, 'name=x', '{"bomFormat": "CycloneDX", ', 'application/json'), 400, 'invalid-sbom', /not valid JSON/],
      ['not an SBOM', upload(alice, 'name=x', '{"hello": 1}', 'application/json'), 400, 'invalid-sbom', /neither CycloneDX/],
      ['old CycloneDX', upload(alice, 'name=x', '{"bomFormat": "CycloneDX", "specVersion": "1.2", "components": []}', 'application/json'), 400, 'invalid-sbom', /specVersion/],
      ['XML sent as JSON', upload(alice, 'name=x', CDX_XML, 'application/json'), 400, 'invalid-sbom', /XML but was sent as JSON/],
      ['empty body', upload(alice, 'name=x', '', 'application/json'), 400, 'invalid-sbom', /empty/],
      ['unknown content type', upload(alice, 'name=x', CDX_JSON, 'text/plain'), 415, 'unsupported-media-type', /application\/vnd\.cyclonedx\+xml/],
      ['oversized', upload(alice, 'name=x', Buffer.alloc(50 * 1024 * 1024 + 1, 0x20), 'application/json'), 413, 'payload-too-large', /50 MiB/],
      ['unknown organisation', upload(alice, 'name=x&organisationId=00000000-0000-4000-8000-00000000beef', CDX_JSON, 'application/json'), 400, 'invalid-input', /organisationId|organisation/],
      ['someone else\'s organisation', upload(gina, `name=x&organisationId=${org.a}`, CDX_JSON, 'application/json'), 400, 'invalid-input', /not visible/],
      ['no name', upload(alice, '', CDX_JSON, 'application/json'), 400, 'invalid-input', /name/],
      ['bad TLP', upload(alice, 'name=x&tlp=PURPLE', CDX_JSON, 'application/json'), 400, 'invalid-input', /tlp/],
      ['read-only token', upload(aliceReadOnly, 'name=x', CDX_JSON, 'application/json'), 403, 'forbidden', /write/],
      ['anonymous', upload({}, 'name=x', CDX_JSON, 'application/json'), 401, 'unauthenticated', /authentication/],
    ];
    for (const [what, pending, status, type, detail] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.type, PROBLEM + type, what);
      assert.match(res.body.detail, detail, what);
    }
    assert.deepEqual(await counts(), start);

    const noId = await api.post('/advisories/affected', gina, { affected: LODASH.affected });
    assert.equal(noId.status, 400);
    assert.equal(noId.body.type, PROBLEM + 'invalid-advisory');
    assert.match(noId.body.detail, /no string id/);
    const notObject = await api.post('/advisories/affected', gina, '[1, 2]', { 'content-type': 'application/json' });
    assert.equal(notObject.status, 400);
    assert.equal(notObject.body.type, PROBLEM + 'invalid-advisory');
    const broken = await api.post('/advisories/affected', gina, '{"id": ', { 'content-type': 'application/json' });
    assert.equal(broken.status, 400);
    // A record whose ranges are partly broken still answers, and says what it skipped.
    const partly = await affected(gina, osv('TEST-PARTLY', [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }, range('SEMVER', '0', '4.17.21')] }]));
    assert.equal(partly.affected.length, 2);
    assert.ok(partly.problems.some((p) => /no introduced event/.test(p)), JSON.stringify(partly.problems));
    assert.deepEqual(await counts(), start);
  });

  it('only members of the owning organisation write; every write is audited', async () => {
    const before = await counts();
    // A coordinator can read grid-control but not change it; bob cannot even see it.
    assert.equal((await api.delete(`/inventories/${inv.a1}`, gina)).status, 403);
    assert.equal((await api.delete(`/inventories/${inv.a1}`, bob)).status, 404);
    assert.equal((await api.patch(`/inventories/${inv.a1}`, gina, { name: 'renamed' }, { 'if-match': '"1"' })).status, 403);
    const put = await api.call('PUT', `/inventories/${inv.a1}/sbom`, gina, CDX_JSON, { 'content-type': 'application/json', 'if-match': '"1"' });
    assert.equal(put.status, 403);
    assert.deepEqual(await counts(), before);

    const renamed = await api.patch(`/inventories/${inv.a1}`, alice, { name: 'grid-control-prod', label: { tlp: 'RED' } }, { 'if-match': '"1"' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.version, 2);
    assert.equal(renamed.body.label.tlp, 'RED');
    // Now RED: the coordinator loses sight of it, in lists and in the reverse query.
    assert.equal((await api.get(`/inventories/${inv.a1}`, gina)).status, 404);
    assert.deepEqual(hits(await affected(gina, LODASH)), ['b2 pkg:npm/lodash@4.17.20 -> 4.17.21']);

    const audit = await server.container.deps.db.selectFrom('audit_log').select(['action', 'record_id', 'organisation_id']).where('record_type', '=', 'inventory').orderBy('seq').execute();
    assert.deepEqual(audit.map((a) => [a.action, a.record_id, a.organisation_id]), [
      ['inventory.create', inv.a1, org.a],
      ['inventory.create', inv.b1, org.b],
      ['inventory.create', inv.b2, org.b],
      ['inventory.update', inv.a1, org.a],
    ]);
  });

  it('PUT /sbom replaces the contents under If-Match; DELETE removes the inventory and its components', async () => {
    const put = (body: Buffer, headers: Record<string, string>) => api.call('PUT', `/inventories/${inv.a1}/sbom`, alice, body, { 'content-type': 'application/json', ...headers });
    const missing = await put(SPDX_JSON, {});
    assert.equal(missing.status, 428);
    const stale = await put(SPDX_JSON, { 'if-match': '"1"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.type, PROBLEM + 'stale-write');
    const bad = await put(Buffer.from('{"spdxVersion": "SPDX-2.3", "packages": 7}'), { 'if-match': '"2"' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, PROBLEM + 'invalid-sbom');
    assert.equal((await api.get(`/inventories/${inv.a1}`, alice)).body.componentCount, 5, 'a refused replace leaves the old contents');

    const ok = await put(SPDX_JSON, { 'if-match': '"2"' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.version, 3);
    assert.equal(ok.body.format, 'spdx-json');
    assert.equal(ok.body.componentCount, 4);
    assert.equal(ok.body.name, 'grid-control-prod', 'name and label survive a replace');
    assert.equal(ok.body.label.tlp, 'RED');
    assert.equal(ok.headers.etag, '"3"');
    // The reverse query sees the new contents only: log4j 2.10.0 now, 2.14.1 gone; no more PyPI.
    assert.deepEqual(hits(await affected(alice, LOG4J)), ['a1 pkg:maven/org.apache.logging.log4j/log4j-core@2.10.0 -> 2.15.0']);
    assert.deepEqual(hits(await affected(alice, DJANGO)), []);

    const staleDelete = await api.call('DELETE', `/inventories/${inv.a1}`, alice, undefined, { 'if-match': '"2"' });
    assert.equal(staleDelete.status, 412);
    const before = await counts();
    const del = await api.delete(`/inventories/${inv.a1}`, alice);
    assert.equal(del.status, 204);
    const afterDelete = await counts();
    assert.equal(afterDelete.inventories, before.inventories - 1);
    assert.equal(afterDelete.components, before.components - 4);
    assert.equal((await api.get(`/inventories/${inv.a1}`, alice)).status, 404);
    assert.deepEqual(hits(await affected(alice, LOG4J)), []);
    const actions = await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', '=', inv.a1).orderBy('seq').execute();
    assert.deepEqual(actions.map((a) => a.action), ['inventory.create', 'inventory.update', 'inventory.replace', 'inventory.delete']);
  });
});
