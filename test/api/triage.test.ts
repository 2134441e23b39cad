import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const KEV = readFileSync(new URL('../fixtures/kev/kev-small.json', import.meta.url));
const sys = systemPrincipal('system');
const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V3 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

describeEachDriver('triage: states, scores, SSVC, KEV and the queue', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const org = { lab: '', lab2: '', gov: '', vendor: '' };
  let lab: Caller;
  let gov: Caller;
  let govRead: Caller;
  let admin: Caller;

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.lab = (await services.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    org.lab2 = (await services.organisations.create(sys, { name: 'Second Lab', kind: 'ai-developer' })).id;
    org.gov = (await services.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'Water Widgets', kind: 'vendor' })).id;
    async function caller(name: string, organisationId: string, scopes: ('read' | 'write')[] = ['read', 'write'], siteAdmin = false): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@triage.example`).executeTakeFirst();
      const userId = existing?.id ?? (await services.users.create(sys, { email: `${name}@triage.example`, name, password: 'triage test passphrase', siteAdmin, memberships: [{ organisationId, roles: ['member'] }] } as never)).user.id;
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes, forUserId: userId })).secret };
    }
    lab = await caller('lab', org.lab);
    gov = await caller('gov', org.gov);
    govRead = await caller('gov', org.gov, ['read']);
    admin = await caller('lab2', org.lab2);
  });
  after(() => server.close());

  let n = 0;
  async function finding(extra: Record<string, unknown> = {}, reporter = org.lab): Promise<{ id: string; version: number }> {
    n++;
    clock.advance(1000);
    const r = await server.container.services.findings.create(sys, {
      organisationId: reporter,
      title: `Finding ${n} in the widget gateway`,
      description: `Description ${n}`,
      product: { purl: `pkg:npm/widget-${n}`, name: `Widget ${n}` },
      location: `src/file${n}.ts:1`,
      ...extra,
    } as never);
    return { id: r.finding.id, version: r.finding.version };
  }
  const events = async () => Number((await server.container.deps.db.selectFrom('finding_triage_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('moves a finding through allowed states with a note, refuses bad moves naming both states, keeps the history', async () => {
    const f = await finding();
    const bad = await api.post(`/findings/${f.id}/state`, gov, { state: 'reproduced', note: 'skipping', version: f.version });
    assert.equal(bad.status, 409, JSON.stringify(bad.body));
    assert.equal(bad.body.type, `${PROBLEM}conflict`);
    assert.match(bad.body.detail, /from new to reproduced/);
    assert.equal((await api.post(`/findings/${f.id}/state`, gov, { state: 'triaging', note: '', version: f.version })).status, 400, 'the note is required');
    assert.equal((await api.post(`/findings/${f.id}/state`, gov, { state: 'triaging', note: 'x'.repeat(4001), version: f.version })).status, 400, 'the note is capped');
    assert.equal((await api.post(`/findings/${f.id}/state`, gov, { state: 'triaging', note: 'looking' })).status, 428, 'the version is required');
    assert.equal((await api.post(`/findings/${f.id}/state`, gov, { state: 'triaging', note: 'looking', version: f.version + 5 })).status, 409, 'a stale version');
    assert.equal((await api.post(`/findings/${f.id}/state`, gov, { state: 'triaging', note: 'looking' }, { 'if-match': '"99"' })).status, 412);
    assert.equal((await api.post(`/findings/${f.id}/state`, lab, { state: 'triaging', note: 'mine', version: f.version })).status, 403, 'reporters do not triage');
    assert.equal((await api.post(`/findings/${f.id}/state`, govRead, { state: 'triaging', note: 'read token', version: f.version })).status, 403);
    const before = await events();
    const t = await api.post(`/findings/${f.id}/state`, gov, { state: 'triaging', note: 'looking at it', version: f.version });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.body.state, 'triaging');
    assert.equal(t.body.version, f.version + 1);
    const r = await api.post(`/findings/${f.id}/state`, gov, { state: 'reproduced', note: 'reproduced on 2.1' }, { 'if-match': `"${t.body.version}"` });
    assert.equal(r.status, 200);
    assert.equal(r.body.state, 'reproduced');
    assert.equal(await events(), before + 2);
    const h = await api.get(`/findings/${f.id}/history`, gov);
    assert.equal(h.status, 200);
    assert.deepEqual(h.body.items.map((e: { from: string; to: string; note: string; actor: string }) => [e.from, e.to, e.note, e.actor]), [
      ['triaging', 'reproduced', 'reproduced on 2.1', 'gov@triage.example'],
      ['new', 'triaging', 'looking at it', 'gov@triage.example'],
    ]);
    // The reporter reads the history too, but learns that a coordinator moved it, not which person (their e-mail).
    const seen = await api.get(`/findings/${f.id}/history`, lab);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.items.map((e: { to: string; actor: string }) => [e.to, e.actor]), [['reproduced', 'coordinator'], ['triaging', 'coordinator']]);
    assert.ok(!JSON.stringify(seen.body).includes('gov@triage.example'));
    assert.equal((await api.get('/findings/00000000-0000-4000-8000-00000000dead/history', gov)).status, 404);
  });

  it('scores CVSS 4.0 and 3.1, sets the rank, and writes nothing for a vector that does not parse', async () => {
    const f = await finding();
    const bad = await api.call('PUT', `/findings/${f.id}/scores`, gov, { cvss4: V4, cvss3: 'CVSS:3.1/AV:N/AC:L', version: f.version });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'cvss3');
    assert.match(bad.body.detail, /^cvss3: .*base metrics missing/);
    const v30 = await api.call('PUT', `/findings/${f.id}/scores`, gov, { cvss3: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', version: f.version });
    assert.equal(v30.status, 400);
    assert.equal(v30.body.field, 'cvss3');
    assert.match(v30.body.detail, /3\.1/);
    const wrong = await api.call('PUT', `/findings/${f.id}/scores`, gov, { cvss4: V3, version: f.version });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.field, 'cvss4');
    let v = (await server.container.services.findings.get(sys, f.id));
    assert.equal(v.cvss4, null, 'nothing half-written');
    assert.equal(v.version, f.version);
    const ok = await api.call('PUT', `/findings/${f.id}/scores`, gov, { cvss4: V4, cvss3: V3, version: f.version });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.cvss4, { vector: V4, score: 9.3 });
    assert.deepEqual(ok.body.cvss3, { vector: V3, score: 9.8 });
    const row = await server.container.deps.db.selectFrom('findings').select(['cvss_rank']).where('id', '=', f.id).executeTakeFirstOrThrow();
    assert.equal(Number(row.cvss_rank), 98);
    const cleared = await api.call('PUT', `/findings/${f.id}/scores`, gov, { cvss3: null, version: ok.body.version });
    assert.equal(cleared.body.cvss3, null);
    assert.deepEqual(cleared.body.cvss4, { vector: V4, score: 9.3 }, 'an absent vector is left alone');
    v = await server.container.services.findings.get(sys, f.id);
    const row2 = await server.container.deps.db.selectFrom('findings').select(['cvss_rank']).where('id', '=', f.id).executeTakeFirstOrThrow();
    assert.equal(Number(row2.cvss_rank), 93);
    assert.equal((await api.call('PUT', `/findings/${f.id}/scores`, lab, { cvss4: V4, version: v.version })).status, 403);
  });

  it('records an SSVC decision from the CISA tree with its rank and exploitation', async () => {
    const f = await finding();
    const res = await api.call('PUT', `/findings/${f.id}/ssvc`, gov, { exploitation: 'poc', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'medium', version: f.version });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ssvc.decision, 'Track*');
    assert.equal(res.body.ssvc.decidedAt, clock.now().toISOString());
    assert.ok(!JSON.stringify(res.body).includes('gov@triage.example'), 'who decided is in the history, under its own rule, not on the finding every reader sees');
    const h = await api.get(`/findings/${f.id}/history`, gov);
    assert.deepEqual([h.body.items[0].kind, h.body.items[0].actor, h.body.items[0].detail.decision], ['ssvc', 'gov@triage.example', 'Track*']);
    assert.equal(res.body.exploitation, 'poc');
    const row = await server.container.deps.db.selectFrom('findings').select(['ssvc_rank', 'exploitation_rank']).where('id', '=', f.id).executeTakeFirstOrThrow();
    assert.deepEqual([Number(row.ssvc_rank), Number(row.exploitation_rank)], [2, 1]);
    const likely = await api.call('PUT', `/findings/${f.id}/ssvc`, gov, { exploitation: 'likely', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'medium', version: res.body.version });
    assert.equal(likely.status, 400);
    assert.match(JSON.stringify(likely.body), /exploitation/);
    assert.equal((await server.container.services.findings.get(sys, f.id)).version, res.body.version, 'nothing written');
  });

  it('imports KEV: marks findings and advisories with a KEV CVE, later findings too, and SSVC never lowers it', async () => {
    const marked = await finding({ aliases: ['cve-2021-44228'] });
    const plain = await finding({ aliases: ['CVE-2020-0001'] });
    const adv = await server.container.services.advisories.create(sys, {
      organisationId: org.vendor,
      record: { schema_version: '1.6.0', summary: 'log4j again', details: 'x', aliases: ['CVE-2021-44228'], affected: [{ package: { ecosystem: 'npm', name: 'kev-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] },
      label: { tlp: 'CLEAR' },
    });
    await server.container.services.advisories.publish(sys, adv.id, adv.version);
    assert.equal((await api.post('/kev/import', lab, JSON.parse(KEV.toString()))).status, 403, 'reporters do not import KEV');
    const badBody = await api.post('/kev/import', gov, { catalogVersion: 'x' });
    assert.equal(badBody.status, 400);
    assert.equal(Number((await server.container.deps.db.selectFrom('kev_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing written');
    assert.deepEqual((await api.get('/kev', lab)).body, { catalogVersion: null, importedAt: null, entries: 0 }, 'no catalogue yet, and the answer says so');
    const res = await api.post('/kev/import', gov, JSON.parse(KEV.toString()));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { entries: 3, findings: 1, advisories: 1 });
    assert.deepEqual((await api.get('/kev', lab)).body, { catalogVersion: '2025.08.25', importedAt: clock.now().toISOString(), entries: 3 });
    const m = await server.container.services.findings.get(sys, marked.id);
    assert.equal(m.exploitation, 'active');
    assert.deepEqual(m.kev, { dateAdded: '2021-12-10', dueDate: '2021-12-24' });
    assert.equal((await server.container.services.findings.get(sys, plain.id)).exploitation, 'none');
    const ak = await api.get(`/advisories/${adv.id}/kev`, lab);
    assert.equal(ak.status, 200);
    assert.deepEqual(ak.body.kev.map((k: { cve: string }) => k.cve), ['CVE-2021-44228']);
    const entry = await api.get('/kev/cve-2021-44228', lab);
    assert.equal(entry.status, 200);
    assert.equal(entry.body.vendor, 'Apache');
    assert.equal((await api.get('/kev/CVE-1999-0001', lab)).status, 404);
    const hist = await api.get(`/findings/${marked.id}/history`, gov);
    assert.equal(hist.body.items[0].kind, 'kev');

    // A coordinator's SSVC "none" does not undo CISA's evidence of exploitation.
    const s = await api.call('PUT', `/findings/${marked.id}/ssvc`, gov, { exploitation: 'none', automatable: 'no', technicalImpact: 'partial', missionWellbeing: 'low', version: m.version });
    assert.equal(s.status, 200);
    assert.equal(s.body.exploitation, 'active');

    // Findings created after the import are marked through the hook intake calls.
    // An advisory published after the import carries a KEV CVE: it is marked as soon as it exists.
    const late = await server.container.services.advisories.create(sys, {
      organisationId: org.vendor,
      record: { schema_version: '1.6.0', summary: 'citrix bleed', details: 'x', aliases: ['CVE-2023-4966', 'CVE-2020-0001'], affected: [{ package: { ecosystem: 'npm', name: 'kev-pkg-2' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] },
      label: { tlp: 'GREEN' },
    });
    await server.container.services.advisories.publish(sys, late.id, late.version);
    const lk = await api.get(`/advisories/${late.id}/kev`, lab);
    assert.deepEqual(lk.body.kev.map((k: { cve: string; dueDate: string }) => [k.cve, k.dueDate]), [['CVE-2023-4966', '2023-11-08']]);
    assert.equal((await api.get(`/advisories/${late.id}/kev`)).status, 404, 'GREEN: the anonymous public reads it as absent');

    const later = await finding({ aliases: ['CVE-2023-4966'] });
    await server.container.deps.db.transaction().execute(async (tx) => {
      const seq = Number((await tx.selectFrom('findings').select('seq').where('id', '=', later.id).executeTakeFirstOrThrow()).seq);
      await server.container.services.triage.markKnownExploited(tx, [seq]);
    });
    assert.equal((await server.container.services.findings.get(sys, later.id)).exploitation, 'active');
  });

  it('reads a catalogue over 256 KiB off the request thread, and refuses a large invalid one naming where, writing nothing', async () => {
    const doc = JSON.parse(KEV.toString()) as { count: number; vulnerabilities: Record<string, unknown>[] };
    const template = doc.vulnerabilities[0]!;
    doc.vulnerabilities = Array.from({ length: 1200 }, (_x, i) => ({ ...template, cveID: `CVE-2024-${String(700000 + i)}`, shortDescription: 'x'.repeat(200) }));
    doc.count = doc.vulnerabilities.length;
    assert.ok(JSON.stringify(doc).length > 256 * 1024);
    const big = await finding({ aliases: ['CVE-2024-700123'] });
    const res = await api.post('/kev/import', gov, doc);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.entries, 1200);
    assert.equal(res.body.findings, 1);
    assert.deepEqual((await server.container.services.findings.get(sys, big.id)).kev, { dateAdded: template.dateAdded, dueDate: template.dueDate });

    const kevCount = async () => Number((await server.container.deps.db.selectFrom('kev_entries').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    (doc.vulnerabilities[1100] as { cveID: string }).cveID = 'CVE-24-1';
    const bad = await api.post('/kev/import', gov, doc);
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /\/vulnerabilities\/1100\/cveID/);
    assert.equal(await kevCount(), 1200, 'the stored catalogue is the one before');
    const notJson = await api.call('POST', '/kev/import', gov, '{"catalogVersion": ', { 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body.detail, /not JSON/);
    const text = await api.call('POST', '/kev/import', gov, 'catalogue', { 'content-type': 'text/plain' });
    assert.equal(text.status, 415);
    // The fixture again, so the queue test below sees the catalogue it expects.
    assert.equal((await api.post('/kev/import', gov, JSON.parse(KEV.toString()))).status, 200);
    assert.equal(await kevCount(), 3);
  });

  it('orders the queue by SSVC, exploitation, CVSS, then age, pages it with a cursor and filters it', async () => {
    const reporterOnly = await finding({ title: 'queue-marker second lab' }, org.lab2);
    // The first lab's finding, reported again by the second lab (same CVE): both are its reporters.
    // GREEN, so the second lab reads it and its report is linked to it (de-duplication runs over what the reporter reads).
    const shared = await finding({ title: 'queue-dup first report', aliases: ['CVE-2019-5555'], label: { tlp: 'GREEN' } });
    const dup = await server.container.services.findings.create(sys, { organisationId: org.lab2, title: 'queue-dup second report', description: 'again', product: { name: 'Other' }, aliases: ['CVE-2019-5555'] } as never);
    assert.equal(dup.created, false);
    assert.equal(dup.finding.id, shared.id);
    const utility = (await server.container.services.organisations.create(sys, { name: 'Water Utility', kind: 'infrastructure-operator', sectors: ['water-and-wastewater'] } as never)).id;
    const water = await finding({ title: 'queue-water pump controller', product: { name: 'Pump controller', organisationId: utility } });
    const page = await api.get('/findings?limit=3', gov);
    assert.equal(page.status, 200);
    const all = [...page.body.items];
    let cursor = page.body.nextCursor as string | null;
    while (cursor) {
      const p = await api.get(`/findings?limit=3&cursor=${encodeURIComponent(cursor)}`, gov);
      all.push(...p.body.items);
      cursor = p.body.nextCursor;
    }
    const rows = await server.container.deps.db.selectFrom('findings').select(['id', 'ssvc_rank', 'exploitation_rank', 'cvss_rank', 'created_at', 'seq']).execute();
    const key = new Map(rows.map((r) => [r.id, r]));
    const want = [...rows].sort((a, b) => b.ssvc_rank - a.ssvc_rank || b.exploitation_rank - a.exploitation_rank || b.cvss_rank - a.cvss_rank || a.created_at.localeCompare(b.created_at) || Number(a.seq) - Number(b.seq)).map((r) => r.id);
    assert.deepEqual(all.map((f: { id: string }) => f.id), want);
    assert.ok(key.size === all.length);
    const reproduced = await api.get('/findings?state=reproduced', gov);
    assert.ok(reproduced.body.items.length >= 1 && reproduced.body.items.every((f: { state: string }) => f.state === 'reproduced'));
    const byReporter = await api.get(`/findings?reporter=${org.lab2}&limit=200`, gov);
    assert.deepEqual(byReporter.body.items.map((f: { id: string }) => f.id).sort(), [reporterOnly.id, shared.id].sort(), 'findings the organisation reported, duplicates included');
    const bySector = await api.get('/findings?sector=water-and-wastewater', gov);
    assert.deepEqual(bySector.body.items.map((f: { id: string }) => f.id), [water.id]);
    assert.deepEqual((await api.get('/findings?sector=energy', gov)).body.items, []);
    const badSector = await api.get('/findings?sector=water', gov);
    assert.equal(badSector.status, 400);
    assert.match(JSON.stringify(badSector.body), /sector/);
    const byCve = await api.get('/findings?q=cve-2019-5555', gov);
    assert.deepEqual(byCve.body.items.map((f: { id: string }) => f.id), [shared.id], 'a CVE id is looked up among the aliases, in any case');
    assert.deepEqual((await api.get('/findings?q=CVE-2019-555', gov)).body.items.map((f: { id: string }) => f.id), [shared.id], 'part of an id is a substring search');
    assert.deepEqual((await api.get('/findings?q=CVE-2019-5555', admin)).body.items.map((f: { id: string }) => f.id), [shared.id], 'the second lab finds it by its id too');
    const hidden = await finding({ title: 'queue-hidden', aliases: ['CVE-2019-7777'] });
    assert.deepEqual((await api.get('/findings?q=CVE-2019-7777', admin)).body.items, [], 'the id search obeys the read rule: an AMBER finding of the first lab stays out');
    assert.deepEqual((await api.get('/findings?q=CVE-2019-7777', gov)).body.items.map((f: { id: string }) => f.id), [hidden.id]);
    const combined = await api.get(`/findings?reporter=${org.lab}&state=new&q=queue-dup`, gov);
    assert.deepEqual(combined.body.items.map((f: { id: string }) => f.id), [shared.id]);
    const byProduct = await api.get('/findings?product=pkg:npm/widget-1', gov);
    assert.ok(byProduct.body.items.length >= 1 && byProduct.body.items.every((f: { product: { purl: string } }) => f.product.purl.startsWith('pkg:npm/widget-1')));
    assert.deepEqual((await api.get('/findings?product=pkg:npm/WIDGET-1', gov)).body.items, [], 'a purl prefix is matched exactly');
    const byName = await api.get('/findings?product=PUMP%20CONTROL', gov);
    assert.deepEqual(byName.body.items.map((f: { id: string }) => f.id), [water.id], 'a part of the name, in any case');
    const byQ = await api.get('/findings?q=queue-marker', gov);
    assert.deepEqual(byQ.body.items.map((f: { id: string }) => f.id), [reporterOnly.id]);
    // The first lab reads only its own AMBER findings, never the second lab's.
    const mine = await api.get('/findings?limit=200', lab);
    assert.ok(mine.body.items.every((f: { reporter: { organisationId: string } }) => f.reporter.organisationId === org.lab));
    assert.ok(!mine.body.items.some((f: { id: string }) => f.id === reporterOnly.id));
    assert.equal((await api.get('/findings')).status, 401);
    assert.equal((await api.get('/findings?cursor=bogus', gov)).status, 400);
    void admin;
  });
});
