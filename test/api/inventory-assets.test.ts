/**
 * The asset an inventory describes (issue 10): sector, criticality and environment set at upload, edited with
 * If-Match and audited, filtered in the list (inside the reader's visibility), and refused by name when wrong.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { digestOf } from '../../src/domain/canonical-json.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller, type Res } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SBOM = JSON.stringify({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  version: 1,
  components: [{ type: 'library', name: 'left-pad', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0' }],
});

describeEachDriver('inventory assets: sector, criticality, environment', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-06T10:00:00.000Z');
  let alice: Caller; // member of operator A
  let aliceReadOnly: Caller;
  let bob: Caller; // member of operator B
  let gina: Caller; // a coordinator
  const org = { a: '', b: '', gov: '' };

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    org.a = (await services.organisations.create(sys, { name: 'Grid A', kind: 'infrastructure-operator', sectors: ['energy'], label: { tlp: 'RED' } })).id;
    org.b = (await services.organisations.create(sys, { name: 'Water B', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'], label: { tlp: 'RED' } })).id;
    org.gov = (await services.organisations.create(sys, { name: 'Coordinator', kind: 'government', label: { tlp: 'GREEN' } })).id;
    async function caller(name: string, organisationId: string, scopes: ('read' | 'write')[] = ['read', 'write']): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@assets.example`).executeTakeFirst();
      const userId = existing?.id ?? (await services.users.create(sys, { email: `${name}@assets.example`, name, password: 'asset test passphrase', memberships: [{ organisationId, roles: ['member'] }] })).user.id;
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes, forUserId: userId })).secret };
    }
    alice = await caller('alice', org.a);
    aliceReadOnly = await caller('alice', org.a, ['read']);
    bob = await caller('bob', org.b);
    gina = await caller('gina', org.gov);
  });
  after(() => server.close());

  const upload = (c: Caller, query: string) => api.call('POST', `/inventories?${query}`, c, SBOM, { 'content-type': 'application/json' });
  const ids = (res: Res) => (res.body.items as { id: string }[]).map((i) => i.id).sort();
  async function auditOf(id: string) {
    return server.container.deps.db.selectFrom('audit_log').select(['action', 'actor_email', 'before_digest', 'after_digest']).where('record_id', '=', id).orderBy('seq').execute();
  }
  async function rowCount(table: 'inventories' | 'audit_log') {
    return Number((await server.container.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }

  it('the fields are set at upload, answered on every read, and null when left out', async () => {
    const res = await upload(alice, `organisationId=${org.a}&name=SCADA%20historian&sector=energy&criticality=critical&environment=%20OT%20`);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.sector, res.body.criticality, res.body.environment], ['energy', 'critical', 'OT'], 'the environment is stored trimmed');
    const got = await api.get(`/inventories/${res.body.id}`, alice);
    assert.deepEqual([got.body.sector, got.body.criticality, got.body.environment], ['energy', 'critical', 'OT']);
    const bare = await upload(alice, `organisationId=${org.a}&name=bare`);
    assert.equal(bare.status, 201);
    assert.deepEqual([bare.body.sector, bare.body.criticality, bare.body.environment], [null, null, null]);
  });

  it('bad values are a 400 naming the field, and nothing is written', async () => {
    const before = { inventories: await rowCount('inventories'), audit: await rowCount('audit_log') };
    const cases: [string, string][] = [
      ['sector=energetics', 'sector'],
      ['criticality=extreme', 'criticality'],
      [`environment=${'x'.repeat(65)}`, 'environment'],
      ['colour=blue', 'colour'],
    ];
    for (const [q, field] of cases) {
      const res = await upload(alice, `organisationId=${org.a}&name=bad&${q}`);
      assert.equal(res.status, 400, `${q}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.detail, new RegExp(field), `${q}: the problem names ${field}`);
    }
    const inv = (await upload(alice, `organisationId=${org.a}&name=patch-me`)).body;
    const mid = { inventories: await rowCount('inventories'), audit: await rowCount('audit_log') };
    const patches: [unknown, string][] = [
      [{ sector: 'space' }, 'sector'],
      [{ criticality: 'CRITICAL' }, 'criticality'],
      [{ environment: 'e'.repeat(65) }, 'environment'],
      [{ environment: 'line\nbreak' }, 'environment'],
      [{ environment: 42 }, 'environment'],
    ];
    for (const [body, field] of patches) {
      const res = await api.patch(`/inventories/${inv.id}`, alice, body, { 'if-match': `"${inv.version}"` });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.detail, new RegExp(field), `${JSON.stringify(body)}: the problem names ${field}`);
    }
    assert.equal((await api.get(`/inventories/${inv.id}`, alice)).body.version, inv.version, 'no refused patch changed the inventory');
    assert.deepEqual({ inventories: await rowCount('inventories'), audit: await rowCount('audit_log') }, mid, 'nothing written by refused patches');
    assert.equal(mid.inventories, before.inventories + 1, 'no refused upload created an inventory');
  });

  it('edits need If-Match, are audited with their before and after, and clear with null', async () => {
    const inv = (await upload(alice, `organisationId=${org.a}&name=pump%20station&sector=water-and-wastewater`)).body;
    const noMatch = await api.patch(`/inventories/${inv.id}`, alice, { criticality: 'high' });
    assert.equal(noMatch.status, 428);
    const stale = await api.patch(`/inventories/${inv.id}`, alice, { criticality: 'high' }, { 'if-match': '"99"' });
    assert.equal(stale.status, 412);
    const ro = await api.patch(`/inventories/${inv.id}`, aliceReadOnly, { criticality: 'high' }, { 'if-match': `"${inv.version}"` });
    assert.equal(ro.status, 403, 'a read-only token does not edit');

    const res = await api.patch(`/inventories/${inv.id}`, alice, { criticality: 'high', environment: 'production' }, { 'if-match': `"${inv.version}"` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.sector, res.body.criticality, res.body.environment, res.body.version], ['water-and-wastewater', 'high', 'production', inv.version + 1], 'fields left out stay');
    assert.equal(res.headers.etag, `"${inv.version + 1}"`);

    const entries = await auditOf(inv.id);
    const last = entries.at(-1)!;
    assert.equal(last.action, 'inventory.update');
    assert.equal(last.actor_email, 'alice@assets.example');
    const view = (i: any) => {
      const { unmatched: _u, schemaWarnings: _w, organisationId: _o, ...rest } = i;
      return rest;
    };
    assert.equal(last.before_digest, digestOf(view(inv)), 'the entry digests the asset before the edit');
    assert.equal(last.after_digest, digestOf(view(res.body)), 'and after it');

    const cleared = await api.patch(`/inventories/${inv.id}`, alice, { sector: null, environment: '' }, { 'if-match': `"${res.body.version}"` });
    assert.equal(cleared.status, 200);
    assert.deepEqual([cleared.body.sector, cleared.body.criticality, cleared.body.environment], [null, 'high', null]);
    assert.equal((await auditOf(inv.id)).length, entries.length + 1, 'one entry per edit');
  });

  it('only the owner\'s members edit; a coordinator who reads it is refused, another operator is told it does not exist', async () => {
    const inv = (await upload(alice, `organisationId=${org.a}&name=amber%20asset&tlp=AMBER`)).body;
    const red = (await upload(alice, `organisationId=${org.a}&name=red%20asset&tlp=RED`)).body;
    const body = { sector: 'energy' };
    const headers = { 'if-match': `"${inv.version}"` };
    assert.equal((await api.patch(`/inventories/${inv.id}`, gina, body, headers)).status, 403);
    assert.equal((await api.patch(`/inventories/${red.id}`, gina, body, headers)).status, 404);
    assert.equal((await api.patch(`/inventories/${inv.id}`, bob, body, headers)).status, 404);
    assert.equal((await api.get(`/inventories/${inv.id}`, alice)).body.sector, null, 'unchanged');
  });

  it('the list filters by sector, criticality and environment, inside what the reader may see, page by page', async () => {
    const mk = async (c: Caller, owner: string, name: string, q: string) => (await upload(c, `organisationId=${owner}&name=${encodeURIComponent(name)}&${q}`)).body.id as string;
    const a1 = await mk(alice, org.a, 'f-a1', 'sector=dams&criticality=low&environment=Lab&tlp=AMBER');
    const a2 = await mk(alice, org.a, 'f-a2', 'sector=dams&criticality=critical&environment=Plant-OT&tlp=AMBER');
    const a3 = await mk(alice, org.a, 'f-a3', 'sector=dams&criticality=critical&environment=plant-ot&tlp=RED');
    const a4 = await mk(alice, org.a, 'f-a4', 'sector=nuclear&criticality=critical&environment=PLANT-OT&tlp=AMBER');
    const b1 = await mk(bob, org.b, 'f-b1', 'sector=dams&criticality=critical&environment=Plant-OT&tlp=AMBER');

    const list = async (c: Caller, q: string) => {
      const all: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Res = await api.get(`/inventories?${q}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, c);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        all.push(...ids(res));
        cursor = res.body.nextCursor;
      } while (cursor);
      return all.sort();
    };
    assert.deepEqual(await list(alice, 'sector=dams'), [a1, a2, a3].sort());
    assert.deepEqual(await list(alice, 'sector=dams&criticality=critical'), [a2, a3].sort());
    assert.deepEqual(await list(alice, 'environment=Plant-OT'), [a2, a3, a4].sort(), 'environment ignores case');
    assert.deepEqual(await list(alice, 'criticality=critical&environment=plant-ot&sector=nuclear'), [a4]);
    assert.deepEqual(await list(bob, 'sector=dams'), [b1], 'another operator sees only its own');
    assert.deepEqual(await list(gina, 'sector=dams&criticality=critical'), [a2, b1].sort(), 'a coordinator sees AMBER assets, never RED ones');
    assert.deepEqual(await list(alice, 'sector=dams&organisationId=' + org.b), [], 'filters combine with the owner filter');

    const bad = await api.get('/inventories?criticality=severe', alice);
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /criticality/);
  });
});
