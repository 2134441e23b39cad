/**
 * Authorisation matrix entries for scanning campaigns, named assets and opt-outs (issue 9; docs/campaigns.md). The
 * rules are written out by hand here (`accessOf`, `touchedBy`, `expectedScope`...), never by calling the code under
 * test.
 *
 * The world (built once per world, `campaignWorld`): the ai-developer home owns every campaign. Set A: one campaign at
 * every label, touching nobody. Set B: campaigns at three labels (RED, AMBER under a running embargo, RED restricted)
 * that touch an organisation through each kind of target: the infrastructure operator's home (by name, its sector,
 * its named asset, a range over that asset), the vendor home (one of its inventories, or a purl only in that
 * inventory, so only those who may read the inventory are touched), and every one also names a RED target
 * organisation and its RED asset (so the readers administering the target organisations are touched too, and nobody
 * else may learn those targets). Set C: campaigns on one GREEN or one RED target organisation, in two windows, at
 * labels coordinators do and do not read: the overlaps. Opt-outs: the operator's AMBER asset out of one campaign,
 * its GREEN asset out of all, the RED target's asset out of all.
 */
import assert from 'node:assert/strict';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Res } from './api-client.ts';
import { ABSENT_ID, LABELS, EMBARGO, ROLE, assertLikeAbsent, assertNoLeak, seesOrganisation, seesRecord, sorted, type InventoryTarget, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

const SYSTEM = systemPrincipal('system');
type Windows = Record<'W0' | 'W1' | 'W2', { start: string; end: string }>;
/** W0 runs at the world's clock; W1 and W2 are later nights a week apart. */
function windowsFrom(now: Date): Windows {
  const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { W0: { start: at(-12), end: at(72) }, W1: { start: at(24 * 9), end: at(24 * 9 + 8) }, W2: { start: at(24 * 16), end: at(24 * 16 + 8) } };
}
const STALE = { 'if-match': '"999"' };

interface OrgRef extends Label {
  id: string;
  name: string;
}

interface AssetFixture {
  id: string;
  name: string;
  owner: string;
  tlp: Label['tlp'];
  ranges: string[];
}

interface ScopeView {
  organisations: string[];
  inventories: string[];
  assets: string[];
  purls: string[];
  cidrs: string[];
  sectors: string[];
}

/** One way a campaign touches an organisation: whose members, as far as they may read what it goes through, and what they are shown. */
interface Touch {
  org: string;
  reads: (r: Reader) => boolean;
  scope: Partial<ScopeView>;
}

interface CampaignFixture extends Label {
  id: string;
  name: string;
  marker: string;
  set: 'A' | 'B' | 'C';
  owner: string;
  scope: ScopeView;
  touches: Touch[];
  /** Named assets it reaches (for the opt-outs that apply to it). */
  reaches: string[];
  window: 'W0' | 'W1' | 'W2';
  /** Set C: the organisation both campaigns of an overlap aim at. */
  overlapOrg: string | null;
}

interface OptOutFixture {
  id: string;
  asset: AssetFixture;
  campaign: string | null;
}

interface CampaignWorld {
  windows: Windows;
  lab: string;
  operator: OrgRef;
  vendor: OrgRef;
  green: OrgRef;
  red: OrgRef;
  assets: { operator: AssetFixture; operatorGreen: AssetFixture; red: AssetFixture };
  campaigns: CampaignFixture[];
  optOuts: OptOutFixture[];
}

let seq = 0;
const marker = () => `cmx${String(seq++).padStart(3, '0')}k`;
const services = (w: World) => w.server.container.services;
const home = (w: World, kind: Parameters<World['homes']['get']>[0]): OrgRef => ({ id: w.homes.get(kind)!, name: `Home ${kind}`, tlp: 'RED', embargo: 'none', restricted: false });
const open = (tlp: Label['tlp'], embargo: Label['embargo'] = 'none', restricted = false): Label => ({ tlp, embargo, restricted });
const labelInput = (l: Label) => ({ tlp: l.tlp, embargoUntil: EMBARGO[l.embargo], restricted: l.restricted ? ROLE : null });
const emptyScope = (): ScopeView => ({ organisations: [], inventories: [], assets: [], purls: [], cidrs: [], sectors: [] });

const cache = new WeakMap<World, Promise<CampaignWorld>>();

export function campaignWorld(w: World): Promise<CampaignWorld> {
  let p = cache.get(w);
  if (!p) {
    p = build(w);
    cache.set(w, p);
  }
  return p;
}

async function build(w: World): Promise<CampaignWorld> {
  const s = services(w);
  const windows = windowsFrom(w.clock.now());
  const lab = w.homes.get('ai-developer')!;
  const operator = home(w, 'infrastructure-operator');
  const vendor = home(w, 'vendor');
  const green = w.orgTargets.find((t) => t.tlp === 'GREEN' && t.embargo === 'none' && !t.restricted)!;
  const red = w.orgTargets.find((t) => t.tlp === 'RED' && t.embargo === 'none' && !t.restricted)!;
  const asset = async (owner: string, name: string, tlp: Label['tlp'], ranges: string[]): Promise<AssetFixture> => {
    const v = await s.campaigns.createAsset(SYSTEM, owner, { name, ranges, label: { tlp } });
    return { id: v.id, name, owner, tlp, ranges };
  };
  const assets = {
    operator: await asset(operator.id, 'campmxOPamber', 'AMBER', ['10.77.0.0/16']),
    operatorGreen: await asset(operator.id, 'campmxOPgreen', 'GREEN', ['10.79.0.0/16']),
    red: await asset(red.id, 'campmxREDasset', 'RED', ['10.88.0.0/16']),
  };
  const inv = (l: Label) => w.inventories.find((i) => i.owner === vendor.id && i.tlp === l.tlp && i.embargo === l.embargo && i.restricted === l.restricted)!;
  const invRed = inv(open('RED'));
  const invRestricted = inv(open('RED', 'none', true));
  const invRunning = inv(open('AMBER', 'running'));
  const readsInventory = (i: InventoryTarget) => (r: Reader) => r.orgs.includes(i.owner) && seesRecord(r, i);
  const operatorMember = (r: Reader) => r.orgs.includes(operator.id);
  const redMember = (r: Reader) => r.orgs.includes(red.id);
  const greenMember = (r: Reader) => r.orgs.includes(green.id);

  const campaigns: CampaignFixture[] = [];
  async function make(set: CampaignFixture['set'], l: Label, what: string, scope: Partial<ScopeView>, touches: Touch[], reaches: string[], window: CampaignFixture['window'], overlapOrg: string | null = null) {
    const m = marker();
    const name = `campmx ${set} ${what} ${l.tlp} ${l.embargo}${l.restricted ? ' restricted' : ''} ${m}`;
    const full = { ...emptyScope(), ...scope };
    const v = await s.campaigns.create(SYSTEM, {
      organisationId: lab, name, scope: full, window: windows[window], tool: `tool ${m}`, model: 'matrix-model', contact: `soc-${m}@lab.example`, label: labelInput(l),
    });
    campaigns.push({ id: v.id, name, marker: m, set, owner: lab, scope: full, touches, reaches, window, overlapOrg, ...l });
  }

  let i = 0;
  for (const l of LABELS) await make('A', l, 'label', { cidrs: [`198.18.${i++}.0/24`] }, [], [], 'W0');

  i = 0;
  const kinds: [string, Partial<ScopeView>, Touch | null, string[]][] = [
    ['by name', { organisations: [operator.id] }, { org: operator.id, reads: operatorMember, scope: { organisations: [operator.id] } }, [assets.operator.id, assets.operatorGreen.id]],
    ['by sector', { sectors: ['energy'] }, { org: operator.id, reads: operatorMember, scope: { sectors: ['energy'] } }, [assets.operator.id, assets.operatorGreen.id]],
    ['by asset', { assets: [assets.operator.id] }, { org: operator.id, reads: operatorMember, scope: { assets: [assets.operator.id] } }, [assets.operator.id]],
    ['by range', { cidrs: ['10.77.1.0/24'] }, { org: operator.id, reads: operatorMember, scope: { cidrs: ['10.77.1.0/24'] } }, [assets.operator.id]],
    ['by inventory', { inventories: [invRed.id] }, { org: vendor.id, reads: readsInventory(invRed), scope: { inventories: [invRed.id] } }, []],
    ['by restricted inventory', { inventories: [invRestricted.id] }, { org: vendor.id, reads: readsInventory(invRestricted), scope: { inventories: [invRestricted.id] } }, []],
    ['by purl', { purls: [`pkg:npm/matrix-pkg@bogus-${invRed.marker}`] }, { org: vendor.id, reads: readsInventory(invRed), scope: { purls: [`pkg:npm/matrix-pkg@bogus-${invRed.marker}`] } }, []],
    ['by purl of an embargoed inventory', { purls: [`pkg:npm/matrix-pkg@bogus-${invRunning.marker}`] }, { org: vendor.id, reads: readsInventory(invRunning), scope: { purls: [`pkg:npm/matrix-pkg@bogus-${invRunning.marker}`] } }, []],
    ['elsewhere', { cidrs: ['198.19.0.0/24'], purls: ['pkg:npm/campmx-nothing'] }, null, []],
  ];
  for (const l of [open('RED'), open('AMBER', 'running'), open('RED', 'none', true)]) {
    for (const [what, scope, touch, reaches] of kinds) {
      const other = `10.88.${i++}.0/24`;
      const withOthers: Partial<ScopeView> = { ...scope, organisations: [...(scope.organisations ?? []), red.id], assets: [...(scope.assets ?? []), assets.red.id], cidrs: [...(scope.cidrs ?? []), other] };
      const redTouch: Touch = { org: red.id, reads: redMember, scope: { organisations: [red.id], assets: [assets.red.id], cidrs: [other] } };
      await make('B', l, what, withOthers, [...(touch ? [touch] : []), redTouch], [...reaches, assets.red.id], 'W0');
    }
  }

  const onGreen = (): [Partial<ScopeView>, Touch[]] => [{ organisations: [green.id] }, [{ org: green.id, reads: greenMember, scope: { organisations: [green.id] } }]];
  const onRed = (): [Partial<ScopeView>, Touch[]] => [{ organisations: [red.id] }, [{ org: red.id, reads: redMember, scope: { organisations: [red.id] } }]];
  await make('C', open('AMBER'), 'first on green', ...onGreen(), [], 'W1', green.id);
  await make('C', open('AMBER'), 'second on green', ...onGreen(), [], 'W1', green.id);
  await make('C', open('AMBER'), 'on green next week', ...onGreen(), [], 'W2', green.id);
  await make('C', open('RED'), 'red on green', ...onGreen(), [], 'W1', green.id);
  await make('C', open('AMBER', 'none', true), 'restricted on green', ...onGreen(), [], 'W1', green.id);
  await make('C', open('AMBER'), 'first on red', ...onRed(), [assets.red.id], 'W1', red.id);
  await make('C', open('AMBER'), 'second on red', ...onRed(), [assets.red.id], 'W1', red.id);

  const byName = campaigns.find((c) => c.set === 'B' && c.name.startsWith('campmx B by name RED none '))!;
  const optOut = async (a: AssetFixture, campaign: string | null): Promise<OptOutFixture> => {
    const v = await s.campaigns.optOut(SYSTEM, a.owner, { assetId: a.id, campaignId: campaign });
    return { id: v.id, asset: a, campaign };
  };
  const optOuts = [await optOut(assets.operator, byName.id), await optOut(assets.operatorGreen, null), await optOut(assets.red, null)];
  return { windows, lab, operator, vendor, green, red, assets, campaigns, optOuts };
}

// ---- The rules, by hand ----

/** Organisations of the reader the campaign touches, as far as the reader may read what it goes through. */
function touchedBy(r: Reader, c: CampaignFixture): Touch[] {
  return c.touches.filter((t) => r.orgs.includes(t.org) && t.reads(r));
}

/** full: the label lets the reader in; touched: only as if shared with a touched organisation (a need-to-know role still applies). */
function accessOf(r: Reader, c: CampaignFixture): 'full' | 'touched' | null {
  if (r.anonymous) return null;
  if (seesRecord(r, c)) return 'full';
  return touchedBy(r, c).some((t) => seesRecord(r, { ...c, owner: t.org })) ? 'touched' : null;
}

const seesAsset = (r: Reader, a: AssetFixture) => seesRecord(r, { owner: a.owner, tlp: a.tlp, embargo: 'none', restricted: false });

function orgsOf(cw: CampaignWorld): OrgRef[] {
  return [cw.operator, cw.vendor, cw.green, cw.red];
}

/** What the reader is shown of the scope: everything (references they may not read left out), or only what concerns them. */
function expectedScope(w: World, cw: CampaignWorld, r: Reader, c: CampaignFixture): ScopeView {
  const how = accessOf(r, c);
  if (how === 'touched') {
    const out = emptyScope();
    for (const t of touchedBy(r, c)) for (const [k, v] of Object.entries(t.scope) as [keyof ScopeView, string[]][]) out[k].push(...v);
    return out;
  }
  const allAssets = Object.values(cw.assets);
  return {
    organisations: c.scope.organisations.filter((id) => seesOrganisation(r, orgsOf(cw).find((o) => o.id === id)!)),
    inventories: c.scope.inventories.filter((id) => seesRecord(r, w.inventories.find((i) => i.id === id)!)),
    assets: c.scope.assets.filter((id) => seesAsset(r, allAssets.find((a) => a.id === id)!)),
    purls: c.scope.purls,
    cidrs: c.scope.cidrs,
    sectors: c.scope.sectors,
  };
}

function viewScope(body: any): ScopeView {
  return {
    organisations: body.scope.organisations.map((o: any) => o.id),
    inventories: body.scope.inventories.map((o: any) => o.id),
    assets: body.scope.assets.map((o: any) => o.id),
    purls: body.scope.purls,
    cidrs: body.scope.cidrs,
    sectors: body.scope.sectors,
  };
}

const sortScope = (s: ScopeView): ScopeView => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, sorted(v as string[])])) as unknown as ScopeView;

/** Everything the reader must not learn from campaign answers: campaigns, organisations' names, assets and inventories hidden from them. */
function hiddenFor(w: World, cw: CampaignWorld, r: Reader): string[] {
  return [
    ...cw.campaigns.filter((c) => !accessOf(r, c)).flatMap((c) => [c.id, c.marker]),
    // Names only: a record the reader may read carries its owner's id (as every labelled record's view does).
    ...orgsOf(cw).filter((o) => !seesOrganisation(r, o)).map((o) => o.name),
    ...Object.values(cw.assets).filter((a) => !seesAsset(r, a)).flatMap((a) => [a.id, a.name]),
    ...w.inventories.filter((i) => !seesRecord(r, i)).flatMap((i) => [i.id, i.name]),
  ];
}

/** What a touched view must never carry: the targets that concern someone else, and other organisations' names. */
function othersOf(cw: CampaignWorld, r: Reader, c: CampaignFixture): string[] {
  const mine = new Set(touchedBy(r, c).flatMap((t) => Object.values(t.scope).flat()));
  return [
    ...Object.values(c.scope).flat().filter((x) => !mine.has(x)),
    ...orgsOf(cw).filter((o) => !r.orgs.includes(o.id)).map((o) => o.name),
    ...Object.values(cw.assets).filter((a) => !r.orgs.includes(a.owner)).map((a) => a.name),
  ];
}

/** Writes to a campaign: its owner's members who can read it; readers who can read it otherwise 403; hidden 404. */
function campaignWriteStatus(r: Reader, c: CampaignFixture, allowed: number): number {
  if (r.anonymous) return 401;
  if (!accessOf(r, c)) return 404;
  return r.orgs.includes(c.owner) ? allowed : 403;
}

/** Opt-outs that apply to a campaign: those naming it, and those from every campaign for an asset it reaches. */
function applying(cw: CampaignWorld, c: CampaignFixture): OptOutFixture[] {
  return cw.optOuts.filter((o) => o.campaign === c.id || (o.campaign === null && c.reaches.includes(o.asset.id)));
}

async function walkAll(w: World, path: string, r: Reader, limit: number): Promise<{ items: any[]; pages: Res[] }> {
  const items: any[] = [];
  const pages: Res[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  for (let n = 0; n < 500; n++) {
    const res: Res = await w.api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, r.caller);
    assert.equal(res.status, 200, `${r.name} GET ${path}: ${JSON.stringify(res.body).slice(0, 300)}`);
    assert.ok(res.body.items.length <= limit);
    pages.push(res);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return { items, pages };
  }
  throw new Error(`${path}: too many pages`);
}

const fixtureItems = (items: any[]) => items.filter((x) => typeof x.name === 'string' && x.name.startsWith('campmx '));

/**
 * The campaigns write and opt-out probes go through: sets B and C whole, and of set A (label only) one campaign per
 * branch of the label rule, which keeps the entries quick.
 */
function probed(cw: CampaignWorld): CampaignFixture[] {
  const keep = ['CLEAR none false', 'GREEN none false', 'AMBER running false', 'AMBER+STRICT lapsed false', 'RED none false', 'GREEN none true'];
  return cw.campaigns.filter((c) => c.set !== 'A' || keep.includes(`${c.tlp} ${c.embargo} ${c.restricted}`));
}

async function probeCampaignWrites(w: World, send: (r: Reader, c: CampaignFixture) => Promise<Res>, what: string): Promise<void> {
  const cw = await campaignWorld(w);
  for (const r of w.readers) {
    const absent = await send(r, { ...cw.campaigns[0]!, id: ABSENT_ID });
    const hidden = hiddenFor(w, cw, r);
    await Promise.all(probed(cw).map(async (c) => {
      const res = await send(r, c);
      const want = campaignWriteStatus(r, c, 412);
      if (want === 404) assertLikeAbsent(res, absent, `${r.name} ${what} hidden ${c.name}`);
      else assert.equal(res.status, want, `${r.name} ${what} ${c.name}: ${JSON.stringify(res.body)}`);
      assertNoLeak(res, hidden, `${r.name} ${what} ${c.name}`);
    }));
  }
}

const FAR = { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' };
const CHANGE = { name: 'scratchcampmx changed', scope: { cidrs: ['198.18.250.0/24'] }, window: FAR, tool: 't', model: 'm', contact: 'c' };

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/campaigns',
    rule: 'signed in; exactly the campaigns readable by label (full) or touching the reader\'s organisations (touched, only what concerns them), page by page; filters inside that',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const r of w.readers) {
        if (r.anonymous) {
          assert.equal((await w.api.get('/campaigns', r.caller)).status, 401);
          continue;
        }
        const hidden = hiddenFor(w, cw, r);
        const { items, pages } = await walkAll(w, '/campaigns', r, 9);
        const want = cw.campaigns.filter((c) => accessOf(r, c));
        assert.deepEqual(sorted(fixtureItems(items).map((x) => x.id)), sorted(want.map((c) => c.id)), r.name);
        for (const x of fixtureItems(items)) {
          const c = cw.campaigns.find((y) => y.id === x.id)!;
          assert.equal(x.access, accessOf(r, c), `${r.name}: access to ${c.name}`);
          assert.deepEqual(sortScope(viewScope(x)), sortScope(expectedScope(w, cw, r, c)), `${r.name}: scope of ${c.name} in the list`);
          if (x.access === 'touched') assertNoLeak({ status: 200, body: x, headers: {} }, othersOf(cw, r, c), `${r.name}: touched ${c.name} in the list`);
        }
        for (const p of pages) assertNoLeak(p, hidden, `${r.name} GET /campaigns`);
        const touching = fixtureItems((await walkAll(w, '/campaigns?touching=true', r, 50)).items).map((x) => x.id);
        assert.deepEqual(sorted(touching), sorted(want.filter((c) => touchedBy(r, c).length > 0).map((c) => c.id)), `${r.name} touching`);
        const mine = fixtureItems((await walkAll(w, '/campaigns?mine=true', r, 50)).items).map((x) => x.id);
        assert.deepEqual(sorted(mine), sorted(want.filter((c) => r.orgs.includes(c.owner)).map((c) => c.id)), `${r.name} mine`);
        const active = fixtureItems((await walkAll(w, '/campaigns?active=true', r, 50)).items).map((x) => x.id);
        const now = w.clock.now().toISOString();
        const running = (c: CampaignFixture) => new Date(cw.windows[c.window].start).toISOString() <= now && now < new Date(cw.windows[c.window].end).toISOString();
        assert.deepEqual(sorted(active), sorted(want.filter(running).map((c) => c.id)), `${r.name} active`);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/campaigns',
    rule: 'members of an AI developer or researcher organisation, for it (write scope); a restriction only by a holder; others 403; anonymous 401',
    async check(w) {
      const cw = await campaignWorld(w);
      const body = (extra: object = {}) => ({ name: 'scratchcampmx', scope: { cidrs: ['198.18.251.0/24'] }, window: FAR, tool: 't', model: 'm', contact: 'c', label: { tlp: 'RED' }, ...extra });
      try {
        for (const r of w.readers) {
          const forLab = await w.api.post('/campaigns', r.caller, body({ organisationId: cw.lab }));
          assert.equal(forLab.status, r.anonymous ? 401 : r.orgs.includes(cw.lab) ? 201 : 403, `${r.name} registers for the lab: ${JSON.stringify(forLab.body)}`);
          const restricted = await w.api.post('/campaigns', r.caller, body({ organisationId: cw.lab, label: { tlp: 'RED', restricted: ROLE } }));
          assert.equal(restricted.status, r.anonymous ? 401 : !r.orgs.includes(cw.lab) ? 403 : r.role ? 201 : 403, `${r.name} registers a restricted campaign`);
          // Without organisationId: your only lab; a member of one other organisation is refused by the policy.
          const own = await w.api.post('/campaigns', r.caller, body());
          const lab = r.kind === 'ai-developer' || r.kind === 'researcher';
          assert.equal(own.status, r.anonymous ? 401 : lab ? 201 : r.orgs.length === 1 ? 403 : 400, `${r.name} registers for their own organisation`);
          for (const res of [forLab, restricted, own]) assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} POST /campaigns`);
        }
      } finally {
        // Campaigns have no delete route (they are cancelled); the matrix removes its scratch ones itself.
        await w.server.container.deps.db.deleteFrom('campaigns').where('name', '=', 'scratchcampmx').execute();
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/campaigns/overlaps',
    rule: 'coordinators only (others 403, anonymous 401); exactly the pairs of campaigns they read by label sharing a target they may see in overlapping windows',
    async check(w) {
      const cw = await campaignWorld(w);
      const setC = cw.campaigns.filter((c) => c.set === 'C');
      for (const r of w.readers) {
        const res = await w.api.get('/campaigns/overlaps', r.caller);
        if (!r.coordinator) {
          assert.equal(res.status, r.anonymous ? 401 : 403, r.name);
          assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} GET /campaigns/overlaps`);
          continue;
        }
        const { items, pages } = await walkAll(w, '/campaigns/overlaps', r, 1);
        const got = items.filter((p) => p.a.name.startsWith('campmx ') && p.b.name.startsWith('campmx ')).map((p) => sorted([p.a.id, p.b.id]).join('|'));
        const want: string[] = [];
        for (const [n, a] of setC.entries()) {
          for (const b of setC.slice(n + 1)) {
            if (seesRecord(r, a) && seesRecord(r, b) && a.window === b.window && a.overlapOrg === b.overlapOrg && seesOrganisation(r, orgsOf(cw).find((o) => o.id === a.overlapOrg)!)) want.push(sorted([a.id, b.id]).join('|'));
          }
        }
        assert.ok(want.length > 0, `${r.name}: the fixtures hold overlaps this coordinator reads`);
        assert.deepEqual(sorted(got), sorted(want), r.name);
        for (const p of pages) assertNoLeak(p, hiddenFor(w, cw, r), `${r.name} GET /campaigns/overlaps`);
        for (const c of setC) {
          const one = await walkAll(w, `/campaigns/overlaps?campaignId=${c.id}`, r, 50);
          assert.deepEqual(sorted(one.items.map((p) => sorted([p.a.id, p.b.id]).join('|'))), sorted(want.filter((k) => k.includes(c.id))), `${r.name} overlaps of ${c.name}`);
        }
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/campaigns/:id',
    rule: 'readable by label (whole scope, references they may not read left out) or as a touched organisation (only what concerns it); hidden reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const r of w.readers) {
        const absent = await w.api.get(`/campaigns/${ABSENT_ID}`, r.caller);
        const hidden = hiddenFor(w, cw, r);
        await Promise.all(cw.campaigns.map(async (c) => {
          const res = await w.api.get(`/campaigns/${c.id}`, r.caller);
          const how = accessOf(r, c);
          if (!how) assertLikeAbsent(res, absent, `${r.name} must not read ${c.name}`);
          else {
            assert.equal(res.status, 200, `${r.name} reads ${c.name}`);
            assert.equal(res.body.access, how, `${r.name}: access to ${c.name}`);
            assert.deepEqual([res.body.name, res.body.tool, res.body.contact, res.body.window.start], [c.name, `tool ${c.marker}`, `soc-${c.marker}@lab.example`, cw.windows[c.window].start]);
            assert.deepEqual(sortScope(viewScope(res.body)), sortScope(expectedScope(w, cw, r, c)), `${r.name}: scope of ${c.name}`);
            assert.deepEqual(sorted(res.body.touches.map((t: any) => t.organisationId)), sorted(touchedBy(r, c).map((t) => t.org)), `${r.name}: touches of ${c.name}`);
            if (how === 'touched') assertNoLeak(res, othersOf(cw, r, c), `${r.name}: touched ${c.name}`);
          }
          assertNoLeak(res, hidden, `${r.name} GET ${c.name}`);
        }));
      }
    },
  },
  {
    method: 'PUT', url: '/api/v1/campaigns/:id', rule: 'the owner\'s members who can read it; touched operators and other readers 403; hidden reads as absent',
    async check(w) {
      await probeCampaignWrites(w, (r, c) => w.api.call('PUT', `/campaigns/${c.id}`, r.caller, CHANGE, STALE), 'PUT');
    },
  },
  {
    method: 'POST', url: '/api/v1/campaigns/:id/cancel', rule: 'the owner\'s members who can read it; touched operators and other readers 403; hidden reads as absent',
    async check(w) {
      await probeCampaignWrites(w, (r, c) => w.api.post(`/campaigns/${c.id}/cancel`, r.caller, {}, STALE), 'cancel');
    },
  },
  {
    method: 'GET', url: '/api/v1/campaigns/:id/opt-outs',
    rule: 'of a readable campaign: every opt-out that applies for the owner\'s members, only their own organisations\' for anyone else; hidden reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const r of w.readers) {
        const absent = await w.api.get(`/campaigns/${ABSENT_ID}/opt-outs`, r.caller);
        const hidden = hiddenFor(w, cw, r);
        await Promise.all(probed(cw).map(async (c) => {
          const res = await w.api.get(`/campaigns/${c.id}/opt-outs?limit=200`, r.caller);
          if (!accessOf(r, c)) {
            assertLikeAbsent(res, absent, `${r.name} opt-outs of hidden ${c.name}`);
            assertNoLeak(res, hidden, `${r.name} opt-outs of ${c.name}`);
            return;
          }
          assert.equal(res.status, 200);
          const want = applying(cw, c).filter((o) => r.orgs.includes(c.owner) || r.orgs.includes(o.asset.owner));
          assert.deepEqual(sorted(res.body.items.map((o: any) => o.id)), sorted(want.map((o) => o.id)), `${r.name}: opt-outs of ${c.name}`);
          // The owner is told which targets to leave alone; nobody else learns another organisation's assets.
          if (!r.orgs.includes(c.owner)) assertNoLeak(res, hidden, `${r.name} opt-outs of ${c.name}`);
          else assertNoLeak(res, [...cw.campaigns.filter((x) => !accessOf(r, x)).flatMap((x) => [x.id, x.marker]), ...cw.optOuts.filter((o) => !want.includes(o)).flatMap((o) => [o.id, o.asset.name])], `${r.name} opt-outs of ${c.name}`);
        }));
      }
    },
  },

  // ---- Named assets ----
  {
    method: 'GET', url: '/api/v1/organisations/:id/assets',
    rule: 'of an organisation the reader sees: exactly its assets they may read (by TLP); a hidden organisation reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      const all = Object.values(cw.assets);
      for (const r of w.readers) {
        const absent = await w.api.get(`/organisations/${ABSENT_ID}/assets`, r.caller);
        for (const o of orgsOf(cw)) {
          const res = await w.api.get(`/organisations/${o.id}/assets?limit=1`, r.caller);
          if (r.anonymous) assert.equal(res.status, 401);
          else if (!seesOrganisation(r, o)) assertLikeAbsent(res, absent, `${r.name} assets of hidden ${o.name}`);
          else {
            const { items, pages } = await walkAll(w, `/organisations/${o.id}/assets`, r, 1);
            assert.deepEqual(sorted(items.map((a) => a.id)), sorted(all.filter((a) => a.owner === o.id && seesAsset(r, a)).map((a) => a.id)), `${r.name} assets of ${o.name}`);
            for (const p of pages) assertNoLeak(p, hiddenFor(w, cw, r), `${r.name} assets of ${o.name}`);
          }
          assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} assets of ${o.name}`);
        }
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/organisations/:id/assets', rule: 'the organisation\'s administrators; members and other readers who see it 403; hidden organisation 404; anonymous 401',
    async check(w) {
      const cw = await campaignWorld(w);
      const made: { org: string; id: string }[] = [];
      try {
        for (const r of w.readers) {
          const absent = await w.api.post(`/organisations/${ABSENT_ID}/assets`, r.caller, { name: 'scratch', ranges: ['198.18.252.0/24'] });
          for (const o of orgsOf(cw)) {
            const res = await w.api.post(`/organisations/${o.id}/assets`, r.caller, { name: 'scratch', ranges: ['198.18.252.0/24'] });
            if (r.anonymous) assert.equal(res.status, 401);
            else if (!seesOrganisation(r, o)) assertLikeAbsent(res, absent, `${r.name} declares for hidden ${o.name}`);
            else assert.equal(res.status, r.adminOf.includes(o.id) ? 201 : 403, `${r.name} declares for ${o.name}: ${JSON.stringify(res.body)}`);
            if (res.status === 201) made.push({ org: o.id, id: res.body.id });
            assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} POST assets of ${o.name}`);
          }
        }
        assert.ok(made.length >= 2, 'the operator\'s and the target\'s administrators declared assets');
      } finally {
        for (const m of made) await services(w).campaigns.removeAsset(SYSTEM, m.org, m.id);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/organisations/:id/assets/:assetId', rule: 'readable by its TLP within an organisation the reader sees; hidden reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const r of w.readers) {
        for (const a of Object.values(cw.assets)) {
          const absent = await w.api.get(`/organisations/${a.owner}/assets/${ABSENT_ID}`, r.caller);
          const res = await w.api.get(`/organisations/${a.owner}/assets/${a.id}`, r.caller);
          const org = orgsOf(cw).find((o) => o.id === a.owner)!;
          if (r.anonymous) assert.equal(res.status, 401);
          else if (!seesOrganisation(r, org) || !seesAsset(r, a)) {
            const orgAbsent = await w.api.get(`/organisations/${ABSENT_ID}/assets/${a.id}`, r.caller);
            assertLikeAbsent(res, seesOrganisation(r, org) ? absent : orgAbsent, `${r.name} reads hidden ${a.name}`);
          } else assert.deepEqual([res.status, res.body.name, res.body.ranges], [200, a.name, a.ranges], `${r.name} reads ${a.name}`);
          assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} GET ${a.name}`);
          // Under another organisation's path an asset does not exist.
          if (!r.anonymous) assert.equal((await w.api.get(`/organisations/${cw.vendor.id === a.owner ? cw.operator.id : cw.vendor.id}/assets/${a.id}`, r.caller)).status, 404);
        }
      }
    },
  },
  {
    method: 'PUT', url: '/api/v1/organisations/:id/assets/:assetId', rule: 'the organisation\'s administrators who can read it; others who read it 403; hidden reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const r of w.readers) {
        for (const a of Object.values(cw.assets)) {
          const org = orgsOf(cw).find((o) => o.id === a.owner)!;
          const res = await w.api.call('PUT', `/organisations/${a.owner}/assets/${a.id}`, r.caller, { name: a.name, ranges: a.ranges }, STALE);
          const want = r.anonymous ? 401 : !seesOrganisation(r, org) || !seesAsset(r, a) ? 404 : r.adminOf.includes(a.owner) ? 412 : 403;
          assert.equal(res.status, want, `${r.name} changes ${a.name}: ${JSON.stringify(res.body)}`);
          assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} PUT ${a.name}`);
        }
      }
    },
  },
  {
    method: 'DELETE', url: '/api/v1/organisations/:id/assets/:assetId', rule: 'the organisation\'s administrators; others who read it 403; hidden reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const [o, tlp] of [[cw.operator, 'AMBER'], [cw.red, 'RED']] as const) {
        const scratch = await services(w).campaigns.createAsset(SYSTEM, o.id, { name: 'scratchassetcampmx', ranges: ['198.18.253.0/24'], label: { tlp } });
        const a: AssetFixture = { id: scratch.id, name: 'scratchassetcampmx', owner: o.id, tlp, ranges: [] };
        try {
          // Everyone who may not delete it first, then an administrator.
          for (const r of [...w.readers].sort((x, y) => Number(x.adminOf.includes(o.id)) - Number(y.adminOf.includes(o.id)))) {
            const res = await w.api.delete(`/organisations/${o.id}/assets/${a.id}`, r.caller);
            const gone = res.status === 204;
            const want = r.anonymous ? 401 : !seesOrganisation(r, o) || !seesAsset(r, a) ? 404 : r.adminOf.includes(o.id) ? 204 : 403;
            assert.equal(res.status, want, `${r.name} deletes an asset of ${o.name}: ${JSON.stringify(res.body)}`);
            assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} DELETE asset`);
            if (gone) break;
          }
          assert.equal((await services(w).campaigns.listAssets(SYSTEM, o.id, {})).items.some((x) => x.id === a.id), false, 'deleted by an administrator');
        } finally {
          await services(w).campaigns.removeAsset(SYSTEM, o.id, a.id).catch(() => {});
        }
      }
    },
  },

  // ---- Opt-outs ----
  {
    method: 'GET', url: '/api/v1/organisations/:id/opt-outs', rule: 'the organisation\'s members only (others who see it 403); a hidden organisation reads as absent',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const r of w.readers) {
        const absent = await w.api.get(`/organisations/${ABSENT_ID}/opt-outs`, r.caller);
        for (const o of orgsOf(cw)) {
          const res = await w.api.get(`/organisations/${o.id}/opt-outs`, r.caller);
          if (r.anonymous) assert.equal(res.status, 401);
          else if (!seesOrganisation(r, o)) assertLikeAbsent(res, absent, `${r.name} opt-outs of hidden ${o.name}`);
          else if (!r.orgs.includes(o.id)) assert.equal(res.status, 403, `${r.name} opt-outs of ${o.name}`);
          else {
            const want = cw.optOuts.filter((x) => x.asset.owner === o.id && (x.campaign === null || accessOf(r, cw.campaigns.find((c) => c.id === x.campaign)!)));
            assert.deepEqual(sorted(res.body.items.map((x: any) => x.id)), sorted(want.map((x) => x.id)), `${r.name} opt-outs of ${o.name}`);
          }
          assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} opt-outs of ${o.name}`);
        }
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/organisations/:id/opt-outs',
    rule: 'the organisation\'s administrators, for an asset they read, out of a campaign they read or of all; others 403; hidden organisation, asset or campaign 404',
    async check(w) {
      const cw = await campaignWorld(w);
      const made: { org: string; id: string }[] = [];
      // A campaign touching each organisation that no fixture opt-out names.
      const forOperator = cw.campaigns.find((c) => c.name.startsWith('campmx B by sector RED none '))!;
      const hiddenFromAll = cw.campaigns.find((c) => c.name.startsWith('campmx A label RED none restricted'))!;
      try {
        for (const r of w.readers) {
          for (const [o, a] of [[cw.operator, cw.assets.operator], [cw.red, cw.assets.red]] as const) {
            const absent = await w.api.post(`/organisations/${ABSENT_ID}/opt-outs`, r.caller, { assetId: a.id, campaignId: forOperator.id });
            const res = await w.api.post(`/organisations/${o.id}/opt-outs`, r.caller, { assetId: a.id, campaignId: forOperator.id, note: 'scratch' });
            let want: number;
            if (r.anonymous) want = 401;
            else if (!seesOrganisation(r, o) || !seesAsset(r, a)) want = 404;
            else if (!r.adminOf.includes(o.id)) want = 403;
            else want = accessOf(r, forOperator) ? 201 : 404;
            if (want === 404 && !seesOrganisation(r, o)) assertLikeAbsent(res, absent, `${r.name} opts out for hidden ${o.name}`);
            else assert.equal(res.status, want, `${r.name} opts ${a.name} out: ${JSON.stringify(res.body)}`);
            if (res.status === 201) made.push({ org: o.id, id: res.body.id });
            assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} POST opt-outs`);
            if (r.adminOf.includes(o.id)) {
              // Out of a campaign the administrator may not read: as if it did not exist.
              const hiddenCampaign = await w.api.post(`/organisations/${o.id}/opt-outs`, r.caller, { assetId: a.id, campaignId: hiddenFromAll.id });
              const absentCampaign = await w.api.post(`/organisations/${o.id}/opt-outs`, r.caller, { assetId: a.id, campaignId: ABSENT_ID });
              if (!accessOf(r, hiddenFromAll)) assertLikeAbsent(hiddenCampaign, absentCampaign, `${r.name} opts out of a hidden campaign`);
            }
          }
        }
        assert.ok(made.length >= 1, 'the operator\'s administrator opted an asset out');
      } finally {
        for (const m of made) await services(w).campaigns.withdrawOptOut(SYSTEM, m.org, m.id);
      }
    },
  },
  {
    method: 'DELETE', url: '/api/v1/organisations/:id/opt-outs/:optOutId', rule: 'the organisation\'s administrators; others who see the organisation 403; hidden 404',
    async check(w) {
      const cw = await campaignWorld(w);
      for (const [o, a] of [[cw.operator, cw.assets.operator], [cw.red, cw.assets.red]] as const) {
        const scratch = await services(w).campaigns.optOut(SYSTEM, o.id, { assetId: a.id, campaignId: cw.campaigns.find((c) => c.set === 'A')!.id });
        try {
          for (const r of [...w.readers].sort((x, y) => Number(x.adminOf.includes(o.id)) - Number(y.adminOf.includes(o.id)))) {
            const res = await w.api.delete(`/organisations/${o.id}/opt-outs/${scratch.id}`, r.caller);
            const want = r.anonymous ? 401 : !seesOrganisation(r, o) || !seesAsset(r, a) ? 404 : r.adminOf.includes(o.id) ? 204 : 403;
            assert.equal(res.status, want, `${r.name} withdraws an opt-out of ${o.name}: ${JSON.stringify(res.body)}`);
            if (want === 404) assertLikeAbsent(res, await w.api.delete(`/organisations/${seesOrganisation(r, o) ? o.id : ABSENT_ID}/opt-outs/${ABSENT_ID}`, r.caller), `${r.name} withdraws a hidden opt-out`);
            assertNoLeak(res, hiddenFor(w, cw, r), `${r.name} DELETE opt-out`);
            if (res.status === 204) break;
          }
        } finally {
          await services(w).campaigns.withdrawOptOut(SYSTEM, o.id, scratch.id).catch(() => {});
        }
      }
    },
  },
);
