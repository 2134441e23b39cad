// Scanning campaigns through the API (issue 9; docs/campaigns.md): operators declare named assets; labs register
// campaigns; each kind of target makes a campaign touch an operator, who then reads it (only what concerns them);
// edits re-compute who is touched; opt-outs from one campaign and from all, seen by the campaign's owner; bad input.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const sbom = (components: [string, string][]) =>
  JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: components.map(([name, version]) => ({ type: 'library', name, version, purl: `pkg:npm/${name}@${version}` })) });

describeEachDriver('scanning campaigns', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-01T12:00:00.000Z');
  const org = { lab: '', lab2: '', vendor: '', water: '', energy: '', gov: '' };
  const inv = { scada: '', billing: '' };
  const asset = { plant: '', website: '', substation: '' };
  let lab: Caller;
  let lab2: Caller;
  let labRead: Caller;
  let vendor: Caller;
  let waterAdmin: Caller;
  let waterMember: Caller;
  let energyAdmin: Caller;
  let gov: Caller;

  const count = async (table: 'campaigns' | 'org_assets' | 'campaign_opt_outs' | 'audit_log') =>
    Number((await server.container.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const night = { start: '2026-12-01T22:00:00+01:00', end: '2026-12-02T04:00:00+01:00' };
  const body = (scope: object, extra: object = {}) => ({ name: 'Night scan', scope, window: night, tool: 'fuzzbot 2.1', model: 'frontier-7b', contact: 'soc@lab.example', label: { tlp: 'RED' }, ...extra });
  async function register(caller: Caller, scope: object, extra: object = {}): Promise<any> {
    const res = await api.post('/campaigns', caller, body(scope, extra));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const s = server.container.services;
    org.lab = (await s.organisations.create(sys, { name: 'Frontier Lab', kind: 'ai-developer' })).id;
    org.lab2 = (await s.organisations.create(sys, { name: 'Research Institute', kind: 'researcher' })).id;
    org.vendor = (await s.organisations.create(sys, { name: 'Widget Vendor', kind: 'vendor' })).id;
    org.water = (await s.organisations.create(sys, { name: 'Riverside Water', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'] })).id;
    org.energy = (await s.organisations.create(sys, { name: 'Northern Grid', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    org.gov = (await s.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    async function caller(name: string, organisationId: string, roles: string[], scopes: ('read' | 'write')[] = ['read', 'write']): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@campaigns.example`).executeTakeFirst();
      const userId = existing?.id ?? (await s.users.create(sys, { email: `${name}@campaigns.example`, name, password: 'campaigns test passphrase', memberships: [{ organisationId, roles }] } as never)).user.id;
      return { bearer: (await s.tokens.create(sys, { name: 'test', scopes, forUserId: userId })).secret };
    }
    lab = await caller('lab', org.lab, ['member']);
    labRead = await caller('lab', org.lab, ['member'], ['read']);
    lab2 = await caller('lab2', org.lab2, ['member']);
    vendor = await caller('vendor', org.vendor, ['member']);
    waterAdmin = await caller('water-admin', org.water, ['admin']);
    waterMember = await caller('water-member', org.water, ['member']);
    energyAdmin = await caller('energy-admin', org.energy, ['admin']);
    gov = await caller('gov', org.gov, ['member']);
    // The water utility's SCADA inventory is community-readable (labs can name it); its billing system is its own.
    inv.scada = (await s.inventories.create(sys, { name: 'SCADA HMI', organisationId: org.water, label: { tlp: 'GREEN' }, body: sbom([['modbus-js', '1.2.3']]), media: 'json' } as never)).id;
    inv.billing = (await s.inventories.create(sys, { name: 'Billing', organisationId: org.water, label: { tlp: 'RED' }, body: sbom([['ledger-js', '2.0.0']]), media: 'json' } as never)).id;
  });
  after(() => server.close());

  describe('named assets', () => {
    it('the organisation\'s administrators declare assets with ranges and an optional inventory; audited', async () => {
      const audits = await count('audit_log');
      const plant = await api.post(`/organisations/${org.water}/assets`, waterAdmin, { name: 'Treatment plant', ranges: ['10.20.0.0/16', '2001:DB8:20::/48'], inventoryId: inv.scada });
      assert.equal(plant.status, 201, JSON.stringify(plant.body));
      assert.deepEqual([plant.body.name, plant.body.ranges, plant.body.inventoryId, plant.body.inventoryName, plant.body.label.tlp], ['Treatment plant', ['10.20.0.0/16', '2001:db8:20::/48'], inv.scada, 'SCADA HMI', 'AMBER']);
      asset.plant = plant.body.id;
      const website = await api.post(`/organisations/${org.water}/assets`, waterAdmin, { name: 'Public website', ranges: ['198.51.100.0/24'], label: { tlp: 'GREEN' } });
      assert.equal(website.status, 201);
      asset.website = website.body.id;
      const substation = await api.post(`/organisations/${org.energy}/assets`, energyAdmin, { name: 'Substation 7', ranges: ['10.30.0.0/16'] });
      assert.equal(substation.status, 201);
      asset.substation = substation.body.id;
      assert.equal(await count('audit_log'), audits + 3);
      const entries = await server.container.deps.db.selectFrom('audit_log').select(['action', 'record_id']).where('record_type', '=', 'asset').execute();
      assert.deepEqual(entries.map((e) => e.action), ['asset.create', 'asset.create', 'asset.create']);
    });

    it('members who are not administrators, and other organisations, cannot declare or change them', async () => {
      const before = await count('org_assets');
      assert.equal((await api.post(`/organisations/${org.water}/assets`, waterMember, { name: 'Mine', ranges: [] })).status, 403);
      assert.equal((await api.post(`/organisations/${org.water}/assets`, energyAdmin, { name: 'Theirs', ranges: [] })).status, 403);
      assert.equal((await api.call('PUT', `/organisations/${org.water}/assets/${asset.website}`, energyAdmin, { name: 'x', ranges: [] }, { 'if-match': '"1"' })).status, 403, 'a GREEN asset is readable, not writable');
      assert.equal((await api.call('PUT', `/organisations/${org.water}/assets/${asset.plant}`, energyAdmin, { name: 'x', ranges: [] }, { 'if-match': '"1"' })).status, 404, 'an AMBER asset is hidden from another operator');
      assert.equal(await count('org_assets'), before);
    });

    it('who reads them: the organisation, coordinators for AMBER, everyone signed in for GREEN', async () => {
      const names = async (c: Caller) => (await api.get(`/organisations/${org.water}/assets`, c)).body.items.map((a: any) => a.name).sort();
      assert.deepEqual(await names(waterMember), ['Public website', 'Treatment plant']);
      assert.deepEqual(await names(gov), ['Public website', 'Treatment plant']);
      assert.deepEqual(await names(lab), ['Public website']);
      const hidden = await api.get(`/organisations/${org.water}/assets/${asset.plant}`, lab);
      const absent = await api.get(`/organisations/${org.water}/assets/00000000-0000-4000-8000-00000000dead`, lab);
      assert.deepEqual([hidden.status, hidden.body.detail], [absent.status, absent.body.detail]);
      assert.equal(hidden.status, 404);
      assert.equal((await api.get(`/organisations/${org.energy}/assets/${asset.plant}`, waterMember)).status, 404, 'an asset is found under its own organisation only');
      assert.equal((await api.get(`/organisations/${org.water}/assets`, {})).status, 401);
    });

    it('bad ranges, too many ranges and a foreign inventory are refused naming the field, and nothing is written', async () => {
      const before = await count('org_assets');
      const hostBits = await api.post(`/organisations/${org.water}/assets`, waterAdmin, { name: 'Pumps', ranges: ['10.40.0.0/16', '10.41.0.1/16'] });
      assert.equal(hostBits.status, 400);
      assert.equal(hostBits.body.field, 'ranges[1]');
      assert.match(hostBits.body.detail, /ranges\[1\]: "10\.41\.0\.1\/16" has host bits set: the network is 10\.41\.0\.0\/16/);
      const many = await api.post(`/organisations/${org.water}/assets`, waterAdmin, { name: 'Pumps', ranges: Array.from({ length: 33 }, (_, i) => `10.50.${i}.0/24`) });
      assert.equal(many.status, 400);
      assert.match(JSON.stringify(many.body), /ranges/);
      const foreign = await api.post(`/organisations/${org.energy}/assets`, energyAdmin, { name: 'Borrowed', ranges: [], inventoryId: inv.scada });
      assert.deepEqual([foreign.status, foreign.body.field], [400, 'inventoryId']);
      const noPrefix = await api.post(`/organisations/${org.water}/assets`, waterAdmin, { name: 'Pumps', ranges: ['10.40.0.1'] });
      assert.match(noPrefix.body.detail, /no prefix length.*10\.40\.0\.1\/32/);
      assert.equal(await count('org_assets'), before);
    });
  });

  describe('registration and who it touches', () => {
    it('a lab registers a campaign with its scope, window (with its zone), tool, model, contact and label', async () => {
      const audits = await count('audit_log');
      const c = await register(lab, { organisations: [org.water], cidrs: ['192.0.2.0/24'], sectors: ['chemical'], purls: ['pkg:npm/left-pad'] }, { description: 'Fuzzing exposed HMIs', label: { tlp: 'AMBER' } });
      assert.deepEqual(c.window, { start: '2026-12-01T22:00:00+01:00', end: '2026-12-02T04:00:00+01:00', startUtc: '2026-12-01T21:00:00.000Z', endUtc: '2026-12-02T03:00:00.000Z' });
      assert.deepEqual([c.state, c.access, c.tool, c.model, c.contact, c.label.tlp, c.organisationId, c.version], ['scheduled', 'full', 'fuzzbot 2.1', 'frontier-7b', 'soc@lab.example', 'AMBER', org.lab, 1]);
      assert.deepEqual(c.scope, { organisations: [{ id: org.water, name: 'Riverside Water' }], inventories: [], assets: [], purls: ['pkg:npm/left-pad'], cidrs: ['192.0.2.0/24'], sectors: ['chemical'] });
      const entry = await server.container.deps.db.selectFrom('audit_log').selectAll().where('record_id', '=', c.id).executeTakeFirstOrThrow();
      assert.deepEqual([entry.action, entry.organisation_id, entry.label_tlp], ['campaign.create', org.lab, 'AMBER']);
      assert.equal(await count('audit_log'), audits + 1);
      assert.equal((await api.get(`/campaigns/${c.id}`, lab)).headers.etag, '"1"');
      clock.set('2026-12-01T21:30:00.000Z');
      assert.equal((await api.get(`/campaigns/${c.id}`, lab)).body.state, 'active');
      clock.set('2026-12-01T12:00:00.000Z');
    });

    it('researchers register too; vendors, operators and read-only tokens do not', async () => {
      await register(lab2, { cidrs: ['203.0.113.0/24'] });
      for (const [who, c] of [['vendor', vendor], ['operator', waterAdmin], ['read token', labRead]] as const) {
        const res = await api.post('/campaigns', c, body({ cidrs: ['203.0.113.0/24'] }));
        assert.equal(res.status, 403, `${who}: ${JSON.stringify(res.body)}`);
      }
      assert.equal((await api.post('/campaigns', vendor, { ...body({ cidrs: ['203.0.113.0/24'] }), organisationId: org.lab })).status, 403);
      assert.equal((await api.post('/campaigns', {}, body({ cidrs: ['203.0.113.0/24'] }))).status, 401);
    });

    // Each campaign below is RED: only the lab reads it by label, so the water utility reads it only if it touches it.
    const touching: [string, () => object, string[]][] = [
      ['names the organisation', () => ({ organisations: [org.water] }), ['organisation']],
      ['names its sector', () => ({ sectors: ['water-and-wastewater'] }), ['sector']],
      ['names one of its inventories', () => ({ inventories: [inv.scada] }), ['inventory']],
      ['names one of its named assets', () => ({ assets: [asset.website] }), ['asset']],
      ['has a range over one of its assets', () => ({ cidrs: ['10.20.128.0/17'] }), ['cidr']],
      ['has an IPv6 range over one of its assets', () => ({ cidrs: ['2001:db8::/32'] }), ['cidr']],
      ['names a purl in one of its inventories (any version)', () => ({ purls: ['pkg:npm/modbus-js'] }), ['purl']],
      ['names a purl at the installed version', () => ({ purls: ['pkg:npm/modbus-js@1.2.3'] }), ['purl']],
      ['names a purl of an inventory the lab cannot read', () => ({ purls: ['pkg:npm/ledger-js@2.0.0'] }), ['purl']],
    ];
    for (const [what, scope, kinds] of touching) {
      it(`an operator sees a campaign that ${what}, and only what concerns it`, async () => {
        const own = scope() as { cidrs?: string[]; purls?: string[]; sectors?: string[] };
        // Every campaign also aims at the grid operator (its sector, a range over its substation) and at no one.
        const c = await register(lab, { ...own, cidrs: [...(own.cidrs ?? []), '192.0.2.0/24', '10.30.5.0/24'], purls: [...(own.purls ?? []), 'pkg:npm/unrelated'], sectors: [...(own.sectors ?? []), 'chemical', 'energy'] });
        const seen = await api.get(`/campaigns/${c.id}`, waterMember);
        assert.equal(seen.status, 200, JSON.stringify(seen.body));
        assert.equal(seen.body.access, 'touched');
        assert.deepEqual([seen.body.name, seen.body.window, seen.body.tool, seen.body.model, seen.body.contact, seen.body.organisationName], [c.name, c.window, c.tool, c.model, c.contact, 'Frontier Lab']);
        assert.deepEqual(seen.body.touches.map((t: any) => t.organisationId), [org.water]);
        assert.deepEqual(seen.body.touches[0].concerns.map((x: any) => x.kind), kinds);
        const text = JSON.stringify(seen.body);
        for (const leak of ['192.0.2.0/24', '10.30.5.0/24', 'pkg:npm/unrelated', 'chemical', '"energy"', 'Northern Grid', org.energy, asset.substation]) assert.ok(!text.includes(leak), `${what}: the water utility's view mentions ${leak}`);
        const listed = await api.get('/campaigns?touching=true&limit=200', waterMember);
        assert.ok(listed.body.items.some((x: any) => x.id === c.id && x.access === 'touched'), 'listed as touching');
        // The grid operator reads it too, and nothing of the water utility.
        const grid = await api.get(`/campaigns/${c.id}`, energyAdmin);
        assert.equal(grid.body.access, 'touched');
        assert.deepEqual(grid.body.scope.cidrs, ['10.30.5.0/24']);
        assert.deepEqual(grid.body.scope.sectors, ['energy']);
        const gridText = JSON.stringify(grid.body);
        for (const leak of [org.water, 'Riverside', inv.scada, inv.billing, asset.website, asset.plant, ...Object.values(own).flat()]) assert.ok(!gridText.includes(leak), `${what}: the grid's view mentions ${leak}`);
        assert.equal((await api.get(`/campaigns/${c.id}`, gov)).status, 404, 'RED: coordinators are not touched');
        assert.equal((await api.get(`/campaigns/${c.id}`, vendor)).status, 404);
      });
    }

    it('the reaching asset or inventory is named for the operator, so it knows what to watch', async () => {
      const c = await register(lab, { cidrs: ['10.20.1.0/24'], purls: ['pkg:npm/modbus-js'] });
      const seen = (await api.get(`/campaigns/${c.id}`, waterMember)).body;
      assert.deepEqual(seen.touches[0].concerns, [
        { kind: 'purl', value: 'pkg:npm/modbus-js', assets: [], inventories: [{ id: inv.scada, name: 'SCADA HMI' }] },
        { kind: 'cidr', value: '10.20.1.0/24', assets: [{ id: asset.plant, name: 'Treatment plant' }], inventories: [] },
      ]);
      assert.deepEqual(seen.scope, { organisations: [], inventories: [], assets: [], purls: ['pkg:npm/modbus-js'], cidrs: ['10.20.1.0/24'], sectors: [] });
    });

    it('a campaign near the operator but not on it is not shown: another version, a neighbouring range, another sector', async () => {
      for (const scope of [{ purls: ['pkg:npm/modbus-js@9.9.9'] }, { cidrs: ['10.21.0.0/16'] }, { cidrs: ['2001:db8:21::/48'] }, { sectors: ['energy'] }, { organisations: [org.energy] }]) {
        const c = await register(lab, scope);
        const res = await api.get(`/campaigns/${c.id}`, waterMember);
        assert.equal(res.status, 404, JSON.stringify(scope));
        const listed = await api.get('/campaigns?limit=200', waterMember);
        assert.ok(!listed.body.items.some((x: any) => x.id === c.id), `${JSON.stringify(scope)} is not listed`);
      }
    });

    it('the full view leaves out references the reader may not read', async () => {
      const c = await register(lab, { assets: [asset.website], organisations: [org.water] }, { label: { tlp: 'GREEN' } });
      // The water utility makes its website AMBER: the lab (and every GREEN reader outside it) no longer reads it.
      const cur = (await api.get(`/organisations/${org.water}/assets/${asset.website}`, waterAdmin)).body;
      assert.equal((await api.call('PUT', `/organisations/${org.water}/assets/${asset.website}`, waterAdmin, { name: cur.name, ranges: cur.ranges, label: { tlp: 'AMBER' } }, { 'if-match': `"${cur.version}"` })).status, 200);
      const asVendor = (await api.get(`/campaigns/${c.id}`, vendor)).body;
      assert.equal(asVendor.access, 'full');
      assert.deepEqual(asVendor.scope.assets, []);
      assert.ok(!JSON.stringify(asVendor).includes(asset.website));
      const asWater = (await api.get(`/campaigns/${c.id}`, waterMember)).body;
      assert.deepEqual(asWater.scope.assets, [{ id: asset.website, name: 'Public website', organisationId: org.water }]);
      const back = (await api.get(`/organisations/${org.water}/assets/${asset.website}`, waterAdmin)).body;
      assert.equal((await api.call('PUT', `/organisations/${org.water}/assets/${asset.website}`, waterAdmin, { name: back.name, ranges: back.ranges, label: { tlp: 'GREEN' } }, { 'if-match': `"${back.version}"` })).status, 200);
    });

    it('filters: mine, touching, active now', async () => {
      const ids = async (c: Caller, q: string) => (await api.get(`/campaigns?limit=200${q}`, c)).body.items.map((x: any) => x.id);
      const mine = await ids(lab2, '&mine=true');
      assert.ok(mine.length >= 1);
      for (const id of mine) assert.equal((await api.get(`/campaigns/${id}`, lab2)).body.organisationId, org.lab2);
      const running = await register(lab, { cidrs: ['100.64.0.0/24'] }, { window: { start: '2026-12-01T11:00:00Z', end: '2026-12-01T13:00:00Z' }, label: { tlp: 'GREEN' } });
      assert.deepEqual(await ids(vendor, '&active=true'), [running.id], 'only the campaign running now');
      assert.ok((await ids(vendor, '')).length > 1);
      assert.deepEqual(await ids(vendor, '&touching=true'), [], 'a vendor with no assets is touched by nothing');
      // Paged: the same items, page by page.
      const all = await ids(waterMember, '');
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (await api.get(`/campaigns?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, waterMember)).body;
        walked.push(...page.items.map((x: any) => x.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(walked, all);
    });
  });

  describe('edits, cancelling and opt-outs', () => {
    let camp: any;
    it('an edit re-computes who is touched; If-Match is required and checked', async () => {
      camp = await register(lab, { cidrs: ['10.20.5.0/24'] }, { label: { tlp: 'AMBER' } });
      assert.equal((await api.get(`/campaigns/${camp.id}`, waterMember)).status, 200);
      assert.equal((await api.get(`/campaigns/${camp.id}`, energyAdmin)).status, 404);
      const change = body({ cidrs: ['10.30.5.0/24'] }, { label: { tlp: 'AMBER' }, name: 'Night scan, moved' });
      assert.equal((await api.call('PUT', `/campaigns/${camp.id}`, lab, change)).status, 428);
      assert.equal((await api.call('PUT', `/campaigns/${camp.id}`, lab, change, { 'if-match': '"7"' })).status, 412);
      assert.equal((await api.call('PUT', `/campaigns/${camp.id}`, waterAdmin, change, { 'if-match': '"1"' })).status, 403, 'a touched operator reads it but cannot change it');
      assert.equal((await api.call('PUT', `/campaigns/${camp.id}`, energyAdmin, change, { 'if-match': '"1"' })).status, 404);
      const ok = await api.call('PUT', `/campaigns/${camp.id}`, lab, change, { 'if-match': '"1"' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual([ok.body.version, ok.body.name, ok.body.scope.cidrs], [2, 'Night scan, moved', ['10.30.5.0/24']]);
      assert.equal((await api.get(`/campaigns/${camp.id}`, waterMember)).status, 404, 'no longer touching the water utility');
      assert.equal((await api.get(`/campaigns/${camp.id}`, energyAdmin)).body.access, 'touched', 'now touching the grid');
      camp = ok.body;
    });

    it('an asset edit re-computes it too', async () => {
      const cur = (await api.get(`/organisations/${org.water}/assets/${asset.plant}`, waterAdmin)).body;
      const moved = await api.call('PUT', `/organisations/${org.water}/assets/${asset.plant}`, waterAdmin, { name: cur.name, ranges: [...cur.ranges, '10.30.5.0/24'] }, { 'if-match': `"${cur.version}"` });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.inventoryId, inv.scada, 'the inventory link stays when not sent');
      assert.equal((await api.get(`/campaigns/${camp.id}`, waterMember)).body.access, 'touched');
      const back = await api.call('PUT', `/organisations/${org.water}/assets/${asset.plant}`, waterAdmin, { name: cur.name, ranges: cur.ranges }, { 'if-match': `"${moved.body.version}"` });
      assert.equal(back.status, 200);
      assert.equal((await api.get(`/campaigns/${camp.id}`, waterMember)).status, 404);
    });

    it('an inventory upload or a change of sectors re-computes it too', async () => {
      const c = await register(lab, { purls: ['pkg:npm/pump-ctl'], sectors: ['dams'] });
      assert.equal((await api.get(`/campaigns/${c.id}`, waterMember)).status, 404);
      await server.container.services.inventories.create(sys, { name: 'Pumps', organisationId: org.water, label: { tlp: 'RED' }, body: sbom([['pump-ctl', '0.4.0']]), media: 'json' } as never);
      const seen = await api.get(`/campaigns/${c.id}`, waterMember);
      assert.deepEqual([seen.status, seen.body.touches[0]?.concerns.map((x: any) => x.kind)], [200, ['purl']]);
      assert.equal((await api.get(`/campaigns/${c.id}`, energyAdmin)).status, 404);
      const grid = await server.container.services.organisations.get(sys, org.energy);
      await server.container.services.organisations.update(sys, org.energy, { sectors: ['energy', 'dams'] }, grid.version);
      assert.deepEqual((await api.get(`/campaigns/${c.id}`, energyAdmin)).body.scope.sectors, ['dams']);
      await server.container.services.organisations.update(sys, org.energy, { sectors: ['energy'] }, grid.version + 1);
      assert.equal((await api.get(`/campaigns/${c.id}`, energyAdmin)).status, 404);
    });

    it('operators opt an asset out of one campaign or all; the owner sees the opt-outs that apply; withdrawn again', async () => {
      const a = await register(lab, { organisations: [org.water] }, { label: { tlp: 'AMBER' } });
      const b = await register(lab2, { sectors: ['water-and-wastewater'] }, { label: { tlp: 'AMBER' } });
      const elsewhere = await register(lab2, { cidrs: ['10.30.0.0/24'] }, { label: { tlp: 'AMBER' } });
      const audits = await count('audit_log');
      assert.equal((await api.post(`/organisations/${org.water}/opt-outs`, waterMember, { assetId: asset.plant, campaignId: a.id })).status, 403, 'members are not administrators');
      assert.equal((await api.post(`/organisations/${org.energy}/opt-outs`, energyAdmin, { assetId: asset.plant, campaignId: a.id })).status, 404, 'another organisation\'s asset');
      const one = await api.post(`/organisations/${org.water}/opt-outs`, waterAdmin, { assetId: asset.plant, campaignId: a.id, note: 'chlorine dosing; call us first' });
      assert.equal(one.status, 201, JSON.stringify(one.body));
      assert.deepEqual(one.body.campaign, { id: a.id, name: a.name });
      assert.equal((await api.post(`/organisations/${org.water}/opt-outs`, waterAdmin, { assetId: asset.plant, campaignId: a.id })).status, 409);
      const all = await api.post(`/organisations/${org.water}/opt-outs`, waterAdmin, { assetId: asset.website });
      assert.equal(all.status, 201);
      assert.equal(all.body.campaign, null);
      assert.equal(await count('audit_log'), audits + 2);

      const seenBy = async (c: Caller, id: string) => {
        const res = await api.get(`/campaigns/${id}/opt-outs`, c);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body.items.map((o: any) => `${o.asset.name}:${o.campaign ? 'this' : 'all'}`).sort();
      };
      assert.deepEqual(await seenBy(lab, a.id), ['Public website:all', 'Treatment plant:this']);
      const detail = (await api.get(`/campaigns/${a.id}/opt-outs`, lab)).body.items.find((o: any) => o.asset.name === 'Treatment plant');
      assert.deepEqual([detail.organisationName, detail.asset.ranges, detail.asset.inventoryName, detail.note], ['Riverside Water', ['10.20.0.0/16', '2001:db8:20::/48'], 'SCADA HMI', 'chlorine dosing; call us first']);
      assert.deepEqual(await seenBy(lab2, b.id), ['Public website:all'], 'the sector reaches the website; the plant\'s opt-out was for another campaign');
      assert.deepEqual(await seenBy(lab2, elsewhere.id), [], 'a campaign that does not reach the assets');
      assert.deepEqual(await seenBy(waterMember, a.id), ['Public website:all', 'Treatment plant:this'], 'the operator sees its own');
      assert.deepEqual(await seenBy(gov, a.id), [], 'a coordinator reads the campaign, not the opt-outs');
      assert.equal((await api.get(`/campaigns/${a.id}/opt-outs`, vendor)).status, 404, 'AMBER: the vendor does not read the campaign');

      const mineList = await api.get(`/organisations/${org.water}/opt-outs`, waterMember);
      assert.equal(mineList.body.items.length, 2);
      assert.equal((await api.get(`/organisations/${org.water}/opt-outs`, lab)).status, 403, 'the organisation is readable, its opt-outs are not');

      const audits2 = await count('audit_log');
      assert.equal((await api.delete(`/organisations/${org.water}/opt-outs/${one.body.id}`, waterMember)).status, 403);
      assert.equal((await api.delete(`/organisations/${org.energy}/opt-outs/${one.body.id}`, energyAdmin)).status, 404);
      assert.equal((await api.delete(`/organisations/${org.water}/opt-outs/${one.body.id}`, waterAdmin)).status, 204);
      assert.equal(await count('audit_log'), audits2 + 1);
      assert.deepEqual(await seenBy(lab, a.id), ['Public website:all']);
      assert.equal((await api.delete(`/organisations/${org.water}/opt-outs/${all.body.id}`, waterAdmin)).status, 204);
      assert.deepEqual(await seenBy(lab, a.id), []);
    });

    it('cancelling: the owner, with If-Match, once; audited; the campaign stays readable as cancelled', async () => {
      assert.equal((await api.post(`/campaigns/${camp.id}/cancel`, energyAdmin, {}, { 'if-match': `"${camp.version}"` })).status, 403);
      assert.equal((await api.post(`/campaigns/${camp.id}/cancel`, lab, {})).status, 428);
      const done = await api.post(`/campaigns/${camp.id}/cancel`, lab, { reason: 'model update' }, { 'if-match': `"${camp.version}"` });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.deepEqual([done.body.state, done.body.cancelReason, done.body.cancelledAt], ['cancelled', 'model update', '2026-12-01T12:00:00.000Z']);
      assert.equal((await api.post(`/campaigns/${camp.id}/cancel`, lab, {}, { 'if-match': `"${done.body.version}"` })).status, 409);
      assert.equal((await api.call('PUT', `/campaigns/${camp.id}`, lab, body({ cidrs: ['10.30.5.0/24'] }), { 'if-match': `"${done.body.version}"` })).status, 409);
      assert.equal((await api.get(`/campaigns/${camp.id}`, energyAdmin)).body.state, 'cancelled');
      const actions = await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', '=', camp.id).orderBy('seq').execute();
      assert.deepEqual(actions.map((a) => a.action), ['campaign.create', 'campaign.update', 'campaign.cancel']);
    });
  });

  describe('bad input', () => {
    const problem = async (b: object, status = 400) => {
      const before = await count('campaigns');
      const res = await api.post('/campaigns', lab, b);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.type, `${PROBLEM}invalid-input`);
      assert.equal(await count('campaigns'), before, 'nothing written');
      return res.body;
    };
    it('windows: a zone is required, the end follows the start, at most 92 days, not over', async () => {
      assert.equal((await problem(body({ sectors: ['energy'] }, { window: { start: '2026-12-01T22:00:00', end: night.end } }))).field, 'window.start');
      assert.match((await problem(body({ sectors: ['energy'] }, { window: { start: night.end, end: night.start } }))).detail, /window\.end must come after window\.start/);
      assert.match((await problem(body({ sectors: ['energy'] }, { window: { start: '2026-12-02T00:00:00Z', end: '2027-03-15T00:00:00Z' } }))).detail, /at most 92 days/);
      assert.equal((await problem(body({ sectors: ['energy'] }, { window: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' } }))).field, 'window.end');
      assert.match((await problem(body({ sectors: ['energy'] }, { window: { start: '2026-02-30T00:00:00Z', end: '2026-12-02T00:00:00Z' } }))).detail, /does not exist/);
    });
    it('scope: strict CIDR naming the range, purls, sectors, caps, references the lab cannot read', async () => {
      const cidr = await problem(body({ cidrs: ['192.0.2.0/24', '10.0.0.1/8'] }));
      assert.equal(cidr.field, 'scope.cidrs[1]');
      assert.match(cidr.detail, /"10\.0\.0\.1\/8" has host bits set: the network is 10\.0\.0\.0\/8/);
      assert.equal((await problem(body({ cidrs: ['0x7f.0.0.0/8'] }))).field, 'scope.cidrs[0]');
      assert.equal((await problem(body({ purls: ['not a purl'] }))).field, 'scope.purls[0]');
      assert.match(JSON.stringify(await problem(body({ sectors: ['water'] }))), /scope\/sectors\/0/);
      assert.match(JSON.stringify(await problem(body({ cidrs: Array.from({ length: 257 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`) }))), /scope\/cidrs/);
      assert.match((await problem(body({}))).detail, /at least one target/);
      assert.equal((await problem(body({ inventories: [inv.billing] }))).field, 'scope.inventories[0]', 'a RED inventory of another organisation');
      assert.equal((await problem(body({ assets: [asset.plant] }))).field, 'scope.assets[0]', 'an AMBER asset of another organisation');
      const hidden = await problem(body({ assets: [asset.plant] }));
      const absent = await problem(body({ assets: ['00000000-0000-4000-8000-00000000dead'] }));
      assert.equal(hidden.detail, absent.detail, 'a hidden asset is refused like an absent one');
    });
    it('texts: required, capped, no unknown fields', async () => {
      assert.equal((await problem(body({ sectors: ['energy'] }, { contact: '  ' }))).field, 'contact');
      assert.match(JSON.stringify(await problem(body({ sectors: ['energy'] }, { name: 'x'.repeat(201) }))), /name/);
      assert.match(JSON.stringify(await problem(body({ sectors: ['energy'] }, { colour: 'red' }))), /colour: unknown field/);
      assert.match(JSON.stringify(await problem({ ...body({ sectors: ['energy'] }), window: undefined })), /window: is required/);
    });
    it('lists and overlaps: bad cursors and limits, and overlaps for coordinators only', async () => {
      assert.equal((await api.get('/campaigns?cursor=nope', lab)).status, 400);
      assert.equal((await api.get('/campaigns?limit=500', lab)).status, 400);
      assert.equal((await api.get('/campaigns/overlaps', lab)).status, 403);
      assert.equal((await api.get('/campaigns/overlaps', {})).status, 401);
      assert.equal((await api.get('/campaigns/not-a-uuid', lab)).status, 400);
    });
  });
});
