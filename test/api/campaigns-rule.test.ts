// The campaign read rule exists twice (docs/campaigns.md, "Who reads a campaign"): as the policy
// (src/domain/policy/campaign.policy.ts, `campaignAccess` over src/domain/campaigns/scope.ts) and as SQL
// (src/store/campaign.repository.ts, `campaignVisible` / `touches`). Here both are asked about every campaign of a
// grid of labels x kinds of target, for readers in every position, and must agree: the policy is fed holdings this
// test writes down by hand from its own fixtures (never read back through the repository), the SQL answers through
// the list route, and the detail route (policy over holdings the repository loads) must answer the same.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { parseCidr } from '../../src/domain/campaigns/cidr.ts';
import { cidrTarget, purlTarget, referenceTarget, sectorTarget, type CampaignTarget, type OrgHolding } from '../../src/domain/campaigns/scope.ts';
import type { AccessLabel, Principal } from '../../src/domain/policy/access-label.ts';
import { campaignAccess, touchedOrganisations } from '../../src/domain/policy/campaign.policy.ts';
import { loadPrincipal, systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const NOW = '2026-12-01T12:00:00.000Z';
const ROLE = 'ot-reviewer';
const sbom = (name: string, version: string) => JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name, version, purl: `pkg:npm/${name}@${version}` }] });

describeEachDriver('campaign read rule: the policy and the SQL agree', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const org = { lab: '', water: '', energy: '', gov: '', vendor: '' };
  const inv = { scada: '', secret: '' };
  const asset = { plant: '', office: '', substation: '' };
  const readers: { name: string; caller: Caller; principal: Principal; holdings: OrgHolding[] }[] = [];
  const campaigns: { id: string; what: string; label: AccessLabel; targets: CampaignTarget[] }[] = [];

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock: new ManualClock(NOW) });
    api = new ApiClient(server.app);
    const s = server.container.services;
    org.lab = (await s.organisations.create(sys, { name: 'Lab', kind: 'ai-developer' })).id;
    org.water = (await s.organisations.create(sys, { name: 'Water', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'] })).id;
    org.energy = (await s.organisations.create(sys, { name: 'Energy', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    org.gov = (await s.organisations.create(sys, { name: 'Gov', kind: 'government' })).id;
    org.vendor = (await s.organisations.create(sys, { name: 'Vendor', kind: 'vendor' })).id;
    inv.scada = (await s.inventories.create(sys, { name: 'scada', organisationId: org.water, label: { tlp: 'RED' }, body: sbom('modbus-js', '1.2.3'), media: 'json' } as never)).id;
    inv.secret = (await s.inventories.create(sys, { name: 'secret', organisationId: org.water, label: { tlp: 'RED', restricted: ROLE }, body: sbom('ledger-js', '2.0.0'), media: 'json' } as never)).id;
    asset.plant = (await s.campaigns.createAsset(sys, org.water, { name: 'plant', ranges: ['10.20.0.0/16'], inventoryId: inv.scada })).id;
    asset.office = (await s.campaigns.createAsset(sys, org.water, { name: 'office', ranges: ['2001:db8:20::/48'], label: { tlp: 'RED' } })).id;
    asset.substation = (await s.campaigns.createAsset(sys, org.energy, { name: 'substation', ranges: ['10.30.0.0/16'] })).id;

    // What each organisation holds, written down from the fixtures above: the policy's input, by hand.
    const waterHolding = (withRole: boolean): OrgHolding => ({
      organisationId: org.water,
      organisationName: 'Water',
      sectors: ['water-and-wastewater'],
      inventories: [{ id: inv.scada, name: 'scada' }, ...(withRole ? [{ id: inv.secret, name: 'secret' }] : [])],
      assets: [
        { id: asset.plant, name: 'plant', inventoryId: inv.scada, ranges: [parseCidr('10.20.0.0/16')] },
        { id: asset.office, name: 'office', inventoryId: null, ranges: [parseCidr('2001:db8:20::/48')] },
      ],
      packages: [{ ecosystem: 'npm', name: 'modbus-js', version: '1.2.3', inventoryId: inv.scada }, ...(withRole ? [{ ecosystem: 'npm', name: 'ledger-js', version: '2.0.0', inventoryId: inv.secret }] : [])],
    });
    const bare = (id: string, name: string): OrgHolding => ({ organisationId: id, organisationName: name, sectors: [], inventories: [], assets: [], packages: [] });
    const people: [string, string, string[], OrgHolding][] = [
      ['lab-member', org.lab, ['member'], bare(org.lab, 'Lab')],
      ['water-member', org.water, ['member'], waterHolding(false)],
      ['water-reviewer', org.water, ['member', ROLE], waterHolding(true)],
      ['energy-admin', org.energy, ['admin'], { ...bare(org.energy, 'Energy'), sectors: ['energy'], assets: [{ id: asset.substation, name: 'substation', inventoryId: null, ranges: [parseCidr('10.30.0.0/16')] }] }],
      ['gov-member', org.gov, ['member'], bare(org.gov, 'Gov')],
      ['vendor-reviewer', org.vendor, ['member', ROLE], bare(org.vendor, 'Vendor')],
    ];
    for (const [name, o, roles, holding] of people) {
      const { user } = await s.users.create(sys, { email: `${name}@rule.example`, name, password: 'rule test passphrase', memberships: [{ organisationId: o, roles }] } as never);
      const token = await s.tokens.create(sys, { name: 't', scopes: ['read'], forUserId: user.id });
      readers.push({ name, caller: { bearer: token.secret }, principal: (await loadPrincipal(server.container.deps.db, user.id, 'token', { scopes: ['read'] }))!, holdings: [holding] });
    }

    const labels: [string, Partial<AccessLabel> & { tlp: AccessLabel['tlp'] }][] = [
      ['RED', { tlp: 'RED' }],
      ['AMBER', { tlp: 'AMBER' }],
      ['AMBER+STRICT', { tlp: 'AMBER+STRICT' }],
      ['GREEN', { tlp: 'GREEN' }],
      ['CLEAR', { tlp: 'CLEAR' }],
      ['AMBER embargoed', { tlp: 'AMBER', embargoUntil: '2027-01-01T00:00:00.000Z' }],
      ['GREEN embargoed', { tlp: 'GREEN', embargoUntil: '2027-01-01T00:00:00.000Z' }],
      ['RED embargo lapsed', { tlp: 'RED', embargoUntil: '2026-06-01T00:00:00.000Z' }],
      ['RED restricted', { tlp: 'RED', restricted: ROLE }],
      ['GREEN restricted', { tlp: 'GREEN', restricted: ROLE }],
    ];
    const scopes: [string, object, () => CampaignTarget[]][] = [
      ['the water org', { organisations: [org.water] }, () => [referenceTarget('organisation', org.water, org.water)]],
      ['the water sector', { sectors: ['water-and-wastewater'] }, () => [sectorTarget('water-and-wastewater', 's')]],
      ['the energy sector', { sectors: ['energy'] }, () => [sectorTarget('energy', 's')]],
      ['the scada inventory', { inventories: [inv.scada] }, () => [referenceTarget('inventory', inv.scada, org.water)]],
      ['the restricted inventory', { inventories: [inv.secret] }, () => [referenceTarget('inventory', inv.secret, org.water)]],
      ['the plant asset', { assets: [asset.plant] }, () => [referenceTarget('asset', asset.plant, org.water)]],
      ['a range over the plant', { cidrs: ['10.20.1.0/24'] }, () => [cidrTarget('10.20.1.0/24', 'c')]],
      ['a range over the substation and the office', { cidrs: ['10.30.1.0/24', '2001:db8::/32'] }, () => [cidrTarget('10.30.1.0/24', 'c'), cidrTarget('2001:db8::/32', 'c')]],
      ['a range next to the plant', { cidrs: ['10.21.0.0/16'] }, () => [cidrTarget('10.21.0.0/16', 'c')]],
      ['modbus, any version', { purls: ['pkg:npm/modbus-js'] }, () => [purlTarget('pkg:npm/modbus-js', 'p')]],
      ['modbus, another version', { purls: ['pkg:npm/modbus-js@9.9.9'] }, () => [purlTarget('pkg:npm/modbus-js@9.9.9', 'p')]],
      ['a package of the restricted inventory', { purls: ['pkg:npm/ledger-js@2.0.0'] }, () => [purlTarget('pkg:npm/ledger-js@2.0.0', 'p')]],
      ['nobody', { cidrs: ['192.0.2.0/24'] }, () => [cidrTarget('192.0.2.0/24', 'c')]],
    ];
    for (const [ln, l] of labels) {
      for (const [sn, scope, targets] of scopes) {
        const v = await s.campaigns.create(sys, {
          organisationId: org.lab, name: `${ln} / ${sn}`, scope, window: { start: '2026-12-02T00:00:00Z', end: '2026-12-03T00:00:00Z' }, tool: 't', model: 'm', contact: 'c', label: l,
        } as never);
        campaigns.push({ id: v.id, what: v.name, label: { owner: org.lab, embargoUntil: null, restricted: null, ...l }, targets: targets() });
      }
    }
  });
  after(() => server.close());

  const listed = async (c: Caller, query = '') => {
    const out = new Map<string, string>();
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/campaigns?limit=37${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, c);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      for (const x of res.body.items) out.set(x.id, x.access);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  };

  it('the list (SQL) holds exactly the campaigns the policy lets each reader read, with the same access', async () => {
    const now = new Date(NOW);
    let touched = 0;
    for (const r of readers) {
      const want = new Map(campaigns.flatMap((c) => {
        const access = campaignAccess(r.principal, { label: c.label, targets: c.targets, holdings: r.holdings }, now);
        return access ? [[c.id, access] as const] : [];
      }));
      touched += [...want.values()].filter((a) => a === 'touched').length;
      const got = await listed(r.caller);
      const name = (id: string) => campaigns.find((c) => c.id === id)?.what;
      assert.deepEqual([...got.keys()].map(name).sort(), [...want.keys()].map(name).sort(), r.name);
      for (const [id, access] of want) assert.equal(got.get(id), access, `${r.name}: ${name(id)}`);
    }
    assert.ok(touched > 20, `the grid exercises the touch rule (${touched} touched reads)`);
  });

  it('`touching` (SQL) is exactly where the policy finds concerns', async () => {
    for (const r of readers) {
      const want = campaigns.filter((c) => touchedOrganisations(r.principal, { targets: c.targets, holdings: r.holdings }).length > 0 && campaignAccess(r.principal, { label: c.label, targets: c.targets, holdings: r.holdings }, new Date(NOW)) !== null).map((c) => c.id).sort();
      assert.deepEqual([...(await listed(r.caller, '&touching=true')).keys()].sort(), want, r.name);
    }
  });

  it('the detail route (policy over the holdings the repository loads) answers as the list does', async () => {
    for (const r of readers) {
      const got = await listed(r.caller);
      const absent = await api.get('/campaigns/00000000-0000-4000-8000-00000000dead', r.caller);
      await Promise.all(campaigns.map(async (c) => {
        const res = await api.get(`/campaigns/${c.id}`, r.caller);
        if (got.has(c.id)) assert.deepEqual([res.status, res.body.access], [200, got.get(c.id)], `${r.name}: ${c.what}`);
        else assert.deepEqual([res.status, res.body.detail], [absent.status, absent.body.detail], `${r.name}: ${c.what} reads as absent`);
      }));
    }
  });
});
