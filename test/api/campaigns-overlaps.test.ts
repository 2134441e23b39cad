// Coordinators see overlapping campaigns flagged (issue 9; docs/campaigns.md, "Overlaps"): the same target (same
// organisation however named, overlapping ranges, the same package, the same sector) in overlapping windows, among
// campaigns they read by label; not flagged when windows or targets differ, when one is cancelled or hidden, or when
// the shared organisation is one they may not see. Its own server, so the set of pairs is exact.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const W1 = { start: '2026-12-03T22:00:00+01:00', end: '2026-12-04T04:00:00+01:00' }; // 21:00Z to 03:00Z
const W1b = { start: '2026-12-04T02:00:00Z', end: '2026-12-04T06:00:00Z' };
const AFTER_A = { start: '2026-12-04T03:00:00Z', end: '2026-12-04T05:00:00Z' }; // starts as A ends: half-open, no overlap with A
const W2 = { start: '2026-12-10T22:00:00Z', end: '2026-12-11T04:00:00Z' };

describeEachDriver('overlapping campaigns', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-01T12:00:00.000Z');
  const org = { lab1: '', lab2: '', water: '', hidden: '', gov: '' };
  let gov: Caller;
  let lab1: Caller;
  let lab2: Caller;
  const ids = new Map<string, string>();
  const nameOf = (id: string) => [...ids].find(([, v]) => v === id)?.[0] ?? id;

  async function campaign(name: string, owner: string, scope: object, window: object, tlp = 'AMBER'): Promise<any> {
    // Registered as the server itself so that scopes may name what the labs could not (the hidden organisation).
    const v = await server.container.services.campaigns.create(sys, { organisationId: owner, name, scope, window, tool: 'fuzzbot', model: 'm', contact: 'c@example.org', label: { tlp } } as never);
    ids.set(name, v.id);
    return v;
  }
  async function pairs(query = '', limit = 2): Promise<{ pairs: string[]; items: any[] }> {
    const items: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/campaigns/overlaps?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, gov);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.items.length <= limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return { pairs: items.map((p) => [nameOf(p.a.id), nameOf(p.b.id)].sort().join('|')).sort(), items };
  }

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const s = server.container.services;
    org.lab1 = (await s.organisations.create(sys, { name: 'Lab One', kind: 'ai-developer' })).id;
    org.lab2 = (await s.organisations.create(sys, { name: 'Lab Two', kind: 'researcher' })).id;
    org.water = (await s.organisations.create(sys, { name: 'Riverside Water', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'] })).id;
    org.hidden = (await s.organisations.create(sys, { name: 'Hidden Utility', kind: 'infrastructure-operator', sectors: ['energy'], label: { tlp: 'RED' } })).id;
    org.gov = (await s.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    const caller = async (name: string, organisationId: string): Promise<Caller> => {
      const { user } = await s.users.create(sys, { email: `${name}@overlaps.example`, name, password: 'overlaps test passphrase', memberships: [{ organisationId, roles: ['member'] }] } as never);
      return { bearer: (await s.tokens.create(sys, { name: 't', scopes: ['read', 'write'], forUserId: user.id })).secret };
    };
    gov = await caller('gov', org.gov);
    lab1 = await caller('lab1', org.lab1);
    lab2 = await caller('lab2', org.lab2);
    const website = await s.campaigns.createAsset(sys, org.water, { name: 'Public website', ranges: ['198.51.100.0/24'], label: { tlp: 'GREEN' } });

    await campaign('A', org.lab1, { organisations: [org.water], cidrs: ['10.20.0.0/16'] }, W1);
    await campaign('B', org.lab2, { assets: [website.id] }, W1b); // the same water utility, through its asset
    await campaign('C', org.lab2, { organisations: [org.water] }, W2); // same target, another week
    await campaign('D', org.lab2, { cidrs: ['10.20.128.0/17'] }, W1b); // inside A's range
    await campaign('E', org.lab2, { cidrs: ['10.21.0.0/16'] }, W1b); // the next range along
    await campaign('F', org.lab1, { purls: ['pkg:npm/modbus-js@1.2.3'] }, W1);
    await campaign('G', org.lab2, { purls: ['pkg:npm/modbus-js'] }, W1b); // every version: meets F and H
    await campaign('H', org.lab2, { purls: ['pkg:npm/modbus-js@2.0.0'] }, W1b);
    await campaign('I', org.lab1, { sectors: ['chemical'] }, W1);
    await campaign('J', org.lab2, { sectors: ['chemical'] }, W1b);
    await campaign('K', org.lab2, { organisations: [org.water] }, W1b, 'RED'); // coordinators cannot read it
    await campaign('L', org.lab2, { organisations: [org.water] }, W1b); // cancelled below
    await campaign('M', org.lab2, { organisations: [org.water] }, AFTER_A);
    await campaign('N', org.lab1, { organisations: [org.hidden] }, W1); // an organisation coordinators may not see
    await campaign('O', org.lab2, { organisations: [org.hidden] }, W1b);
  });
  after(() => server.close());

  it('flags pairs with a shared target and overlapping windows, page by page', async () => {
    const before = await pairs();
    assert.deepEqual(before.pairs, ['A|B', 'A|D', 'A|L', 'B|L', 'B|M', 'F|G', 'G|H', 'I|J', 'L|M']);
  });

  it('says what they share and when', async () => {
    const { items } = await pairs('', 50);
    const find = (x: string, y: string) => items.find((p) => [nameOf(p.a.id), nameOf(p.b.id)].sort().join('|') === [x, y].sort().join('|'));
    assert.deepEqual(find('A', 'B').shared, [{ kind: 'organisation', organisationId: org.water, organisationName: 'Riverside Water' }]);
    assert.deepEqual(find('A', 'B').overlap, { startUtc: '2026-12-04T02:00:00.000Z', endUtc: '2026-12-04T03:00:00.000Z' });
    assert.deepEqual(find('A', 'D').shared, [{ kind: 'cidr', a: '10.20.0.0/16', b: '10.20.128.0/17' }]);
    assert.deepEqual(find('F', 'G').shared, [{ kind: 'purl', a: 'pkg:npm/modbus-js@1.2.3', b: 'pkg:npm/modbus-js' }]);
    assert.deepEqual(find('I', 'J').shared, [{ kind: 'sector', sector: 'chemical' }]);
    const a = find('A', 'B').a.id === ids.get('A') ? find('A', 'B').a : find('A', 'B').b;
    assert.deepEqual([a.name, a.organisationName, a.window.start, a.tool, a.contact, a.state], ['A', 'Lab One', W1.start, 'fuzzbot', 'c@example.org', 'scheduled']);
    const text = JSON.stringify(items);
    for (const hidden of [ids.get('K'), ids.get('N'), ids.get('O'), org.hidden, 'Hidden Utility']) assert.ok(!text.includes(hidden!), `the overlaps mention ${hidden}`);
  });

  it('one campaign\'s overlaps', async () => {
    assert.deepEqual((await pairs(`&campaignId=${ids.get('A')}`)).pairs, ['A|B', 'A|D', 'A|L']);
    const hidden = await pairs(`&campaignId=${ids.get('K')}`);
    const absent = await pairs('&campaignId=00000000-0000-4000-8000-00000000dead');
    assert.deepEqual([hidden.pairs, absent.pairs], [[], []], 'a campaign the coordinator cannot read answers like an absent one');
  });

  it('cancelling and editing re-compute the flags', async () => {
    const l = await server.container.services.campaigns.get(sys, ids.get('L')!);
    await server.container.services.campaigns.cancel(sys, l.id, l.version, 'called off');
    const d = await server.container.services.campaigns.get(sys, ids.get('D')!);
    await server.container.services.campaigns.update(sys, d.id, d.version, { name: 'D', scope: { cidrs: ['10.22.0.0/16'] }, window: W1b, tool: 'fuzzbot', model: 'm', contact: 'c@example.org' });
    const e = await server.container.services.campaigns.get(sys, ids.get('E')!);
    await server.container.services.campaigns.update(sys, e.id, e.version, { name: 'E', scope: { cidrs: ['10.20.0.0/24'] }, window: W2, tool: 'fuzzbot', model: 'm', contact: 'c@example.org' });
    assert.deepEqual((await pairs()).pairs, ['A|B', 'B|M', 'F|G', 'G|H', 'I|J'], 'L cancelled; D moved off A\'s range; E moved onto it but to another week');
    const c = await server.container.services.campaigns.get(sys, ids.get('C')!);
    await server.container.services.campaigns.update(sys, c.id, c.version, { name: 'C', scope: { organisations: [org.water] }, window: W1b, tool: 'fuzzbot', model: 'm', contact: 'c@example.org' });
    assert.deepEqual((await pairs()).pairs, ['A|B', 'A|C', 'B|C', 'B|M', 'C|M', 'F|G', 'G|H', 'I|J'], 'C moved to the same night');
  });

  it('campaigns registered at the same moment still find each other', async () => {
    const window = { start: '2026-12-20T22:00:00Z', end: '2026-12-21T04:00:00Z' };
    await Promise.all(['P', 'Q', 'R'].map((n) => campaign(n, org.lab2, { cidrs: [`10.99.${n.charCodeAt(0)}.0/24`, '10.99.0.0/16'] }, window)));
    assert.deepEqual((await pairs()).pairs.filter((p) => /[PQR]/.test(p)), ['P|Q', 'P|R', 'Q|R']);
  });

  it('only coordinators', async () => {
    for (const c of [lab1, lab2]) {
      const res = await api.get('/campaigns/overlaps', c);
      assert.equal(res.status, 403);
      assert.match(res.body.detail, /coordinators/);
    }
  });
});
