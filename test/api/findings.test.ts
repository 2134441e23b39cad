import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { zipSync } from 'fflate';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/findings/${name}`, import.meta.url));
const KEV = readFileSync(new URL('../fixtures/kev/kev-small.json', import.meta.url));
const sys = systemPrincipal('system');
const ABSENT = '00000000-0000-4000-8000-000000000000';
const SUMMARY_KEYS = ['created', 'duplicates', 'received', 'rejected'];

describeEachDriver('findings: intake, de-duplication, merge and split', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-03T09:00:00.000Z');
  const org = { lab: '', lab2: '', gov: '', vendor: '' };
  let lab: Caller;
  let labRead: Caller;
  let lab2: Caller;
  let gov: Caller;
  let vendor: Caller;

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.lab = (await services.organisations.create(sys, { name: 'Frontier Scan Lab', kind: 'ai-developer' })).id;
    org.lab2 = (await services.organisations.create(sys, { name: 'Second Scan Lab', kind: 'ai-developer' })).id;
    org.gov = (await services.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'Water Widgets', kind: 'vendor' })).id;
    async function caller(name: string, organisationId: string, scopes: ('read' | 'write')[] = ['read', 'write']): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@findings.example`).executeTakeFirst();
      const userId = existing?.id ?? (await services.users.create(sys, { email: `${name}@findings.example`, name, password: 'findings test passphrase', memberships: [{ organisationId, roles: ['member'] }] })).user.id;
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes, forUserId: userId })).secret };
    }
    lab = await caller('lab', org.lab);
    labRead = await caller('lab', org.lab, ['read']);
    lab2 = await caller('lab2', org.lab2);
    gov = await caller('gov', org.gov);
    vendor = await caller('vendor', org.vendor);
  });
  after(() => server.close());

  const count = async (table: 'findings' | 'finding_reports' | 'finding_keys' | 'audit_log') =>
    Number((await server.container.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => [await count('findings'), await count('finding_reports'), await count('finding_keys'), await count('audit_log')];
  const importDoc = (c: Caller, body: Buffer | string, q: string, type = 'application/json') =>
    api.call('POST', `/findings/import?${q}`, c, body, { 'content-type': type });
  const reportsOf = async (id: string, c: Caller = gov) => {
    const res = await api.get(`/findings/${id}/reports?limit=200`, c);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items as any[];
  };
  let n = 0;
  const draft = (extra: Record<string, unknown> = {}) => {
    n++;
    return { organisationId: org.lab, title: `Finding ${n}`, description: `Details of finding ${n}.`, product: { name: `Product ${n}` }, ...extra };
  };

  it('takes one finding by API: 201, the finding under its label, the reporter credited with the first report', async () => {
    const before = await count('audit_log');
    const res = await api.post('/findings', lab, {
      organisationId: org.lab,
      title: 'Unauthenticated pump control',
      description: 'POST /api/pump needs no session.',
      cwe: '306',
      product: { purl: 'pkg:npm/pump-ui@1.2.3', versions: '< 1.3.0', organisationId: org.vendor },
      location: 'src/api/pump.ts:12',
      aliases: ['cve-2026-50001'],
      label: { tlp: 'GREEN' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.created, true);
    assert.equal(res.body.duplicate, null);
    const f = res.body.finding;
    assert.equal(res.headers.location, `/api/v1/findings/${f.id}`);
    assert.deepEqual([f.cwe, f.product.purl, f.product.versions, f.product.organisationName, f.aliases, f.state, f.source], ['CWE-306', 'pkg:npm/pump-ui', '< 1.3.0', 'Water Widgets', ['CVE-2026-50001'], 'new', 'api']);
    assert.deepEqual(f.label, { tlp: 'GREEN', embargoUntil: null, owner: org.lab });
    assert.deepEqual(f.reporter, { organisationId: org.lab, organisationName: 'Frontier Scan Lab' });
    assert.equal(f.reports, 1);
    assert.equal(f.mergedInto, null);
    const got = await api.get(`/findings/${f.id}`, vendor);
    assert.equal(got.status, 200, 'GREEN: every signed-in user reads it');
    assert.equal(got.headers.etag, `"${f.version}"`);
    const reports = await reportsOf(f.id);
    assert.deepEqual(reports.map((r) => [r.reporter.organisationName, r.reason, r.matched, r.source]), [['Frontier Scan Lab', 'first', null, 'api']]);
    assert.equal(await count('audit_log'), before + 1);
  });

  it('names the maker organisation only to readers who may see it in the directory', async () => {
    const { services } = server.container;
    // A maker whose directory entry is RED: its own members (the reporter here) see it, a coordinator does not.
    const hidden = (await services.organisations.create(sys, { name: 'Quiet Maker', kind: 'vendor', label: { tlp: 'RED' } })).id;
    const insider = await services.users.create(sys, { email: 'insider@findings.example', name: 'Insider', password: 'findings test passphrase', memberships: [{ organisationId: org.lab, roles: ['member'] }, { organisationId: hidden, roles: ['member'] }] });
    const insiderCaller = { bearer: (await services.tokens.create(sys, { name: 'test', scopes: ['read', 'write'], forUserId: insider.user.id })).secret };
    const res = await api.post('/findings', insiderCaller, { ...draft(), product: { name: 'Quiet gateway', organisationId: hidden } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.finding.product.organisationId, res.body.finding.product.organisationName], [hidden, 'Quiet Maker']);
    const seen = await api.get(`/findings/${res.body.finding.id}`, gov);
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.deepEqual([seen.body.product.organisationId, seen.body.product.organisationName], [null, null]);
    assert.ok(!JSON.stringify(seen.body).includes('Quiet Maker') && !JSON.stringify(seen.body).includes(hidden));
    const queue = await api.get(`/findings?q=${encodeURIComponent('quiet gateway')}`, gov);
    assert.equal(queue.status, 200, JSON.stringify(queue.body));
    assert.equal(queue.body.items.length, 1);
    assert.ok(!JSON.stringify(queue.body).includes('Quiet Maker') && !JSON.stringify(queue.body).includes(hidden));
  });

  it('answers bad fields with a problem naming the field, and writes nothing', async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, RegExp][] = [
      [draft({ cwe: 'not-a-cwe' }), /cwe/],
      [draft({ product: {} }), /product/],
      [draft({ product: { purl: 'pkg:' } }), /product\.purl/],
      [draft({ product: { cpe: 'cpe:2.3:a:*:*' } }), /product\.cpe/],
      [draft({ aliases: ['not an alias!'] }), /alias/],
      [draft({ title: '' }), /title/],
      [draft({ extra: 1 }), /extra/],
      [draft({ product: { name: 'x', organisationId: ABSENT } }), /product\.organisationId/],
    ];
    for (const [body, field] of cases) {
      const res = await api.post('/findings', lab, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.type, `${PROBLEM}invalid-input`);
      assert.match(res.body.detail, field);
    }
    assert.deepEqual(await counts(), before);
  });

  it('a finding for an organisation that does not exist: refused like one the caller does not belong to, nothing written', async () => {
    const before = await counts();
    const absent = await api.post('/findings', lab, draft({ organisationId: ABSENT }));
    const foreign = await api.post('/findings', lab, draft({ organisationId: org.vendor }));
    assert.equal(absent.status, 403);
    assert.deepEqual([absent.status, absent.body.detail], [foreign.status, foreign.body.detail], 'existence of organisations is not revealed');
    // The operator may report for any organisation: for it, an absent one is a 400 naming the field.
    await assert.rejects(server.container.services.findings.create(sys, draft({ organisationId: ABSENT }) as never), /organisation .* does not exist/);
    assert.equal((await api.post('/findings', labRead, draft())).status, 403, 'a read-only token');
    assert.equal((await api.post('/findings', {}, draft())).status, 401);
    assert.deepEqual(await counts(), before);
  });

  it('links a duplicate across uploads by fingerprint, alias, and product+CWE+location, crediting each reporter and saying why', async () => {
    const imported = await importDoc(lab, fixture('scan.sarif'), `organisationId=${org.lab}&tlp=GREEN&filename=scan.sarif`);
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.deepEqual(Object.keys(imported.body).sort(), SUMMARY_KEYS);
    // Five results: one repeats another's fingerprint (a duplicate within the upload), one has no message.
    assert.deepEqual([imported.body.received, imported.body.created, imported.body.duplicates], [5, 3, 1]);
    assert.deepEqual(imported.body.rejected, [{ path: 'scan.sarif#/runs/0/results/3', reason: 'the result has no message text, and its rule no description to stand in for it' }]);
    const csaf = await importDoc(lab, fixture('csaf-widget.json'), `organisationId=${org.lab}&tlp=GREEN`);
    assert.deepEqual([csaf.status, csaf.body.created, csaf.body.rejected.length], [200, 1, 1], JSON.stringify(csaf.body));

    const byFingerprint = await api.post('/findings', lab2, { ...draft({ organisationId: org.lab2 }), tool: { name: 'deepscan' }, fingerprints: ['primaryLocationLineHash=aaa111'] });
    assert.equal(byFingerprint.status, 201, JSON.stringify(byFingerprint.body));
    assert.equal(byFingerprint.body.created, false);
    assert.deepEqual(byFingerprint.body.duplicate, { reason: 'fingerprint', matched: 'deepscan|primaryLocationLineHash=aaa111' });
    const sqli = byFingerprint.body.finding;
    assert.equal(sqli.title, 'SQL injection through a query parameter');
    assert.equal(sqli.reports, 3);

    const byAlias = await api.post('/findings', lab2, draft({ organisationId: org.lab2, aliases: ['cve-2026-40001'] }));
    assert.deepEqual([byAlias.body.created, byAlias.body.duplicate], [false, { reason: 'alias', matched: 'CVE-2026-40001' }]);
    assert.equal(byAlias.body.finding.title, 'Unauthenticated pump control endpoint');

    const byLocus = await api.post('/findings', lab2, draft({ organisationId: org.lab2, product: { purl: 'pkg:pypi/water-portal@3.0.0' }, cwe: 'CWE-22', location: 'APP/files.py:7' }));
    assert.deepEqual([byLocus.body.created, byLocus.body.duplicate], [false, { reason: 'product-cwe-location', matched: 'purl:pkg:pypi/water-portal|CWE-22|app/files.py:7' }]);

    const reports = await reportsOf(sqli.id, lab2);
    assert.deepEqual(reports.map((r) => [r.reporter.organisationName, r.reason, r.matched, r.source]), [
      ['Frontier Scan Lab', 'first', null, 'sarif'],
      ['Frontier Scan Lab', 'fingerprint', 'deepscan|primaryLocationLineHash=aaa111', 'sarif'],
      ['Second Scan Lab', 'fingerprint', 'deepscan|primaryLocationLineHash=aaa111', 'api'],
    ]);
    assert.deepEqual(reports[0].tool, { name: 'DeepScan', version: '2.1.0', model: 'frontier-model-x' });
    // The same upload again: every finding is a duplicate, nothing new.
    const again = await importDoc(lab, fixture('scan.sarif'), `organisationId=${org.lab}&tlp=GREEN`);
    assert.deepEqual([again.body.received, again.body.created, again.body.duplicates], [5, 0, 4]);
    // Reports page by page: the three above and the two results of the upload repeated.
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.get(`/findings/${sqli.id}/reports?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, gov);
      pages.push(page.body.items.length);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(pages, [2, 2, 1]);
  });

  it('a duplicate\'s new aliases join its finding, so a later report carrying only those is linked too', async () => {
    const first = await api.post('/findings', lab, draft({ tool: { name: 'fuzz' }, fingerprints: ['h=alias-growth'], label: { tlp: 'GREEN' } }));
    const second = await api.post('/findings', lab, draft({ tool: { name: 'fuzz' }, fingerprints: ['h=alias-growth'], aliases: ['GHSA-aaaa-bbbb-cccc'] }));
    assert.equal(second.body.finding.id, first.body.finding.id);
    assert.deepEqual(second.body.finding.aliases, ['GHSA-AAAA-BBBB-CCCC']);
    const third = await api.post('/findings', lab2, draft({ organisationId: org.lab2, aliases: ['GHSA-aaaa-bbbb-cccc'] }));
    assert.deepEqual([third.body.finding.id, third.body.duplicate.reason], [first.body.finding.id, 'alias']);
  });

  it('matches only findings the reporter may read: a duplicate of a hidden finding answers exactly as a new finding', async () => {
    const hidden = await api.post('/findings', lab, draft({ tool: { name: 'probe' }, fingerprints: ['h=secret-1'], aliases: ['CVE-2026-60001'], label: { tlp: 'AMBER' } }));
    assert.equal(hidden.body.created, true);
    const mkDup = () => draft({ organisationId: org.lab2, tool: { name: 'probe' }, fingerprints: ['h=secret-1'], aliases: ['CVE-2026-60001'], label: { tlp: 'AMBER' } });
    const mkFresh = () => draft({ organisationId: org.lab2, tool: { name: 'probe' }, fingerprints: ['h=fresh-1'], aliases: ['CVE-2026-60002'], label: { tlp: 'AMBER' } });
    const dup = await api.post('/findings', lab2, mkDup());
    const fresh = await api.post('/findings', lab2, mkFresh());
    assert.equal(dup.status, 201);
    const shape = (r: any) => ({ ...r.body, finding: { ...r.body.finding, id: 'x', title: 'x', description: 'x', aliases: 'x', product: 'x' } });
    assert.deepEqual(shape(dup), shape(fresh), 'the answers differ only in what the reporter sent');
    assert.equal(dup.body.created, true);
    assert.equal(dup.body.finding.reports, 1);
    assert.deepEqual((await reportsOf(dup.body.finding.id, lab2)).map((r) => r.reason), ['first']);
    assert.ok(!JSON.stringify(dup.body).includes(hidden.body.finding.id));
    // Imports likewise count it as created, never as a duplicate.
    const doc = JSON.stringify({ schema_version: '1.6.0', id: 'CVE-2026-60001', modified: '2026-11-01T00:00:00Z', summary: 'hidden twin', details: 'd', affected: [{ package: { ecosystem: 'npm', name: 'twin' } }] });
    const imp = await importDoc(lab2, doc, `organisationId=${org.lab2}`);
    assert.deepEqual([imp.body.created, imp.body.duplicates], [0, 1], 'linked to its own earlier finding, which it reads');
    const other = await api.post('/findings', vendor, draft({ organisationId: org.vendor, aliases: ['CVE-2026-60001'] }));
    assert.deepEqual([other.body.created, other.body.duplicate], [true, null]);

    // Candidates: the coordinator reads both and sees them side by side; each reporter sees none of the other's.
    const forGov = await api.get(`/findings/${dup.body.finding.id}/candidates`, gov);
    assert.equal(forGov.status, 200);
    const hit = forGov.body.items.find((c: any) => c.finding.id === hidden.body.finding.id);
    assert.deepEqual(hit.shared, [{ kind: 'alias', value: 'CVE-2026-60001' }, { kind: 'fingerprint', value: 'probe|h=secret-1' }]);
    const forLab2 = await api.get(`/findings/${dup.body.finding.id}/candidates`, lab2);
    assert.deepEqual(forLab2.body.items, [], 'AMBER of another lab: not a candidate for this reader');
    const forLab = await api.get(`/findings/${hidden.body.finding.id}/candidates`, lab);
    assert.deepEqual(forLab.body.items, []);
    // The vendor's GREEN finding shares the alias: every signed-in reader sees that one.
    const forLab2b = await api.get(`/findings/${hidden.body.finding.id}/candidates`, gov);
    assert.deepEqual(forLab2b.body.items.map((c: any) => c.finding.id).sort(), [dup.body.finding.id, other.body.finding.id].sort());
    const absent = await api.get(`/findings/${ABSENT}/candidates`, lab2);
    const notYours = await api.get(`/findings/${hidden.body.finding.id}/candidates`, lab2);
    assert.deepEqual([notYours.status, notYours.body.detail], [absent.status, absent.body.detail]);

    // A coordinator merges the second lab's finding into the first: its report moves, with the reason, note and key.
    assert.equal((await api.post(`/findings/${dup.body.finding.id}/merge`, lab2, { into: hidden.body.finding.id, note: 'same bug' })).status, 403, 'reporters do not merge');
    assert.equal((await api.post(`/findings/${dup.body.finding.id}/merge`, lab, { into: hidden.body.finding.id, note: 'same bug' })).status, 404, 'nor does anyone who cannot read the finding');
    const greenOwn = await api.post('/findings', lab2, draft({ organisationId: org.lab2, label: { tlp: 'GREEN' } }));
    assert.equal((await api.post(`/findings/${greenOwn.body.finding.id}/merge`, lab2, { into: other.body.finding.id, note: 'x' })).status, 403, 'reporters do not merge');
    assert.equal((await api.post(`/findings/${dup.body.finding.id}/merge`, gov, { into: hidden.body.finding.id, note: '' })).status, 400);
    assert.equal((await api.post(`/findings/${dup.body.finding.id}/merge`, gov, { into: dup.body.finding.id, note: 'self' })).status, 400);
    const merged = await api.post(`/findings/${dup.body.finding.id}/merge`, gov, { into: hidden.body.finding.id, note: 'same probe fingerprint' });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual([merged.body.finding.state, merged.body.finding.mergedInto, merged.body.finding.reports], ['duplicate', hidden.body.finding.id, 0]);
    assert.equal(merged.body.into.reports, 3, 'the first report, and the second lab\'s two (its finding and the OSV upload linked to it)');
    const reports = await reportsOf(hidden.body.finding.id);
    assert.deepEqual(reports.map((r) => [r.reporter.organisationName, r.reason, r.matched, r.note]), [
      ['Frontier Scan Lab', 'first', null, null],
      ['Second Scan Lab', 'merged', 'probe|h=secret-1', 'same probe fingerprint'],
      ['Second Scan Lab', 'merged', 'probe|h=secret-1', 'same probe fingerprint'],
    ]);
    // The merged reporter keeps reading what it reported: the finding is shared with it.
    assert.equal((await api.get(`/findings/${hidden.body.finding.id}`, lab2)).status, 200);
    assert.equal((await api.get(`/findings/${dup.body.finding.id}`, lab2)).body.mergedInto, hidden.body.finding.id);
    assert.equal((await api.post(`/findings/${dup.body.finding.id}/merge`, gov, { into: hidden.body.finding.id, note: 'again' })).status, 409);
    const audit = await server.container.deps.db.selectFrom('audit_log').select(['action', 'record_id']).where('action', 'in', ['finding.merge', 'finding.merged-in']).execute();
    assert.deepEqual(audit.map((a) => [a.action, a.record_id]).sort(), [['finding.merge', dup.body.finding.id], ['finding.merged-in', hidden.body.finding.id]].sort());

    // Splitting it back restores the report's own finding, and its keys go with it.
    const r2 = reports[1];
    assert.equal((await api.post(`/findings/${hidden.body.finding.id}/reports/${r2.id}/split`, lab, { note: 'x' })).status, 403, 'owners do not split');
    assert.equal((await api.post(`/findings/${hidden.body.finding.id}/reports/${reports[0].id}/split`, gov, { note: 'x' })).status, 409, 'the report that created the finding stays');
    const split = await api.post(`/findings/${hidden.body.finding.id}/reports/${r2.id}/split`, gov, { note: 'different root cause after all' });
    assert.equal(split.status, 200, JSON.stringify(split.body));
    assert.equal(split.body.findingId, dup.body.finding.id, 'back to the finding it came from');
    assert.deepEqual([split.body.finding.state, split.body.finding.mergedInto, split.body.finding.reports], ['new', null, 1]);
    assert.equal(split.body.from.reports, 2);
    assert.deepEqual((await reportsOf(dup.body.finding.id)).map((r) => [r.reason, r.note]), [['split', 'different root cause after all']]);
    const keys = await server.container.deps.db.selectFrom('finding_keys').innerJoin('findings', 'findings.seq', 'finding_keys.finding_seq').select(['findings.id', 'finding_keys.kind']).where('finding_keys.value', '=', 'probe|h=secret-1').execute();
    assert.deepEqual(keys.map((k) => k.id).sort(), [dup.body.finding.id, hidden.body.finding.id].sort(), 'each finding holds its own report\'s key again');
  });

  it('merges a duplicate intake could not link (no shared key), and splits a report linked at intake into a finding of its own', async () => {
    const a = await api.post('/findings', lab, draft({ label: { tlp: 'GREEN' }, tool: { name: 't' }, fingerprints: ['h=split-me'] }));
    const b = await api.post('/findings', lab2, draft({ organisationId: org.lab2, label: { tlp: 'AMBER' } }));
    const merged = await api.post(`/findings/${b.body.finding.id}/merge`, gov, { into: a.body.finding.id, note: 'same crash, different words' });
    assert.equal(merged.status, 200);
    const rs = await reportsOf(a.body.finding.id);
    assert.deepEqual(rs.map((r) => [r.reason, r.matched]), [['first', null], ['merged', null]]);

    const linked = await api.post('/findings', lab2, draft({ organisationId: org.lab2, tool: { name: 't' }, fingerprints: ['h=split-me'], label: { tlp: 'RED' } }));
    assert.equal(linked.body.duplicate.reason, 'fingerprint');
    const report = (await reportsOf(a.body.finding.id)).find((r) => r.reason === 'fingerprint');
    const split = await api.post(`/findings/${a.body.finding.id}/reports/${report.id}/split`, gov, { note: 'another bug' });
    assert.equal(split.status, 200, JSON.stringify(split.body));
    assert.notEqual(split.body.findingId, a.body.finding.id);
    assert.equal(split.body.finding, null, 'the reporter asked for TLP:RED: the coordinator learns the new id only');
    const own = await api.get(`/findings/${split.body.findingId}`, lab2);
    assert.equal(own.status, 200);
    assert.deepEqual([own.body.label.tlp, own.body.label.owner, own.body.reporter.organisationId, own.body.state], ['RED', org.lab2, org.lab2, 'new']);
    assert.deepEqual((await reportsOf(split.body.findingId, lab2)).map((r) => [r.reason, r.note]), [['split', 'another bug']]);
    assert.equal((await api.get(`/findings/${split.body.findingId}`, gov)).status, 404);
    assert.equal((await api.post(`/findings/${a.body.finding.id}/reports/${ABSENT}/split`, gov, { note: 'x' })).status, 404);
  });

  it('imports several documents in a ZIP, and refuses unreadable documents with a problem carrying the summary, writing nothing', async () => {
    const zip = Buffer.from(zipSync({
      'scans/osv.json': fixture('osv-water-portal.json'),
      'avid/AVID-2026-R0002.json': fixture('avid/AVID-2026-R0002.json'),
      'avid/AVID-2022-V007.json': fixture('avid/AVID-2022-V007.json'),
      'notes.txt': Buffer.from('not a document'),
    }));
    const res = await importDoc(lab, zip, `organisationId=${org.lab}`, 'application/zip');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), SUMMARY_KEYS);
    assert.deepEqual([res.body.received, res.body.created, res.body.duplicates], [3, 2, 0]);
    assert.deepEqual(res.body.rejected.map((r: any) => r.path).sort(), ['body!avid/AVID-2022-V007.json', 'body!notes.txt']);

    const before = await counts();
    const sarif = await importDoc(lab, fixture('missing-message.sarif'), `organisationId=${org.lab}&filename=scan.sarif`);
    assert.equal(sarif.status, 400, JSON.stringify(sarif.body));
    assert.match(sarif.body.detail, /\/runs\/0\/results\/0 must have required property 'message'/);
    assert.deepEqual(sarif.body.rejected, [{ path: 'scan.sarif', reason: "not valid SARIF 2.1.0: /runs/0/results/0 must have required property 'message'" }]);
    assert.deepEqual([sarif.body.received, sarif.body.created, sarif.body.duplicates], [0, 0, 0]);
    const csaf = await importDoc(lab, fixture('csaf-invalid.json'), `organisationId=${org.lab}`);
    assert.equal(csaf.status, 400);
    assert.match(csaf.body.detail, /not a valid CSAF 2\.0 document: mandatoryTest_6_1_1: \/vulnerabilities\/0\/product_status\/known_affected\/0/);
    const mixed = Buffer.from(zipSync({ 'good.json': fixture('osv-water-portal.json'), 'bad.json': Buffer.from('{ nope') }));
    const mixedRes = await importDoc(lab, mixed, `organisationId=${org.lab}`, 'application/zip');
    assert.equal(mixedRes.status, 400);
    assert.deepEqual(mixedRes.body.rejected.map((r: any) => r.path), ['body!bad.json']);
    assert.equal((await importDoc(lab, 'plain text', `organisationId=${org.lab}`, 'text/plain')).status, 415);
    assert.equal((await importDoc(lab, '{}', `organisationId=${org.lab}`)).status, 400);
    assert.deepEqual(await counts(), before, 'nothing half-written');

    assert.equal((await importDoc(labRead, fixture('scan.sarif'), `organisationId=${org.lab}`)).status, 403);
    assert.equal((await importDoc(lab2, fixture('scan.sarif'), `organisationId=${org.lab}`)).status, 403, 'only members report for an organisation');
    assert.equal((await importDoc(lab, fixture('scan.sarif'), 'tlp=GREEN')).status, 400, 'organisationId is required');
  });

  it('a NUL character inside a document rejects that entry, saying so, and the rest load (PostgreSQL text cannot hold it)', async () => {
    const doc = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'NulScan' } }, properties: { product: 'nul-target' }, results: [
      { ruleId: 'R', message: { text: 'clean result' }, partialFingerprints: { h: 'nul-1' } },
      { ruleId: 'R', message: { text: 'a \u0000 inside' }, partialFingerprints: { h: 'nul-2' } },
    ] }] });
    const res = await importDoc(lab, doc, `organisationId=${org.lab}&filename=nul.sarif`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.received, res.body.created], [2, 1]);
    assert.deepEqual(res.body.rejected, [{ path: 'nul.sarif#/runs/0/results/1', reason: 'description contains a NUL character, which is not accepted in text' }]);
  });

  it('refuses an upload over the per-request cap with 413 naming it, and writes nothing', async () => {
    const result = (i: number) => ({ ruleId: 'R', message: { text: `result ${i}` }, partialFingerprints: { h: `cap-${i}` } });
    const big = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'Flood' } }, properties: { product: 'flood' }, results: Array.from({ length: 20_001 }, (_, i) => result(i)) }] });
    const before = await counts();
    const res = await importDoc(lab, big, `organisationId=${org.lab}`);
    assert.equal(res.status, 413, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.type, `${PROBLEM}payload-too-large`);
    assert.equal(res.body.limit, 20_000);
    assert.match(res.body.detail, /more than 20000 findings/);
    assert.deepEqual(await counts(), before);
    const huge = await importDoc(lab, Buffer.alloc(33 * 1024 * 1024, 0x20), `organisationId=${org.lab}`);
    assert.equal(huge.status, 413);
    assert.match(huge.body.detail, /32 MiB/);
  });

  it('marks new findings with a KEV-listed alias as actively exploited, in the creating transaction', async () => {
    const admin = await (async () => {
      const { user } = await server.container.services.users.create(sys, { email: 'kev-admin@findings.example', name: 'kev', password: 'findings test passphrase', siteAdmin: true });
      return { bearer: (await server.container.services.tokens.create(sys, { name: 't', scopes: ['read', 'write', 'admin'], forUserId: user.id })).secret };
    })();
    const kev = await api.call('POST', '/kev/import', admin, KEV, { 'content-type': 'application/json' });
    assert.equal(kev.status, 200, JSON.stringify(kev.body));
    const f = await api.post('/findings', lab, draft({ aliases: ['CVE-2021-44228'] }));
    assert.equal(f.body.created, true);
    assert.equal(f.body.finding.exploitation, 'active');
    assert.ok(f.body.finding.kev?.dueDate, JSON.stringify(f.body.finding.kev));
    const plain = await api.post('/findings', lab, draft({ aliases: ['CVE-2021-1'] }));
    assert.deepEqual([plain.body.finding.exploitation, plain.body.finding.kev], ['none', null]);
    // A duplicate whose new alias is KEV-listed marks the finding it joins.
    const grown = await api.post('/findings', lab, draft({ tool: { name: 'kevt' }, fingerprints: ['h=kev'] }));
    const dup = await api.post('/findings', lab, draft({ tool: { name: 'kevt' }, fingerprints: ['h=kev'], aliases: ['CVE-2023-4966'] }));
    assert.equal(dup.body.finding.id, grown.body.finding.id);
    assert.equal(dup.body.finding.exploitation, 'active');
  });
});
