import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { AdvisoryIndex } from '../../src/domain/matching/advisory-index.ts';
import { scanComponents } from '../../src/domain/matching/scan.ts';
import { canonicalPurl } from '../../src/domain/purl/purl.ts';
import { loadAdvisories } from '../../src/formats/advisory-source.ts';
import { validateOsvRecord } from '../../src/formats/osv-schema.ts';
import { DEFAULT_ZIP_LIMITS, listZip, readZipEntry } from '../../src/formats/zip-reader.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startOsvTestServer } from '../helpers/osv-api-server.ts';
import type { TestServer } from '../helpers/server.ts';
import type { OsvApiService } from '../../src/services/osv-api.service.ts';

const SYS = systemPrincipal('system');
const HASH_IN = 'a'.repeat(40);
const HASH_FIXED = 'b'.repeat(40);
const CRATES = '../shared/data/osv/crates.io.zip';

const npm = (name: string, fixed: string, extra: Record<string, unknown> = {}) => ({
  schema_version: '1.6.0',
  summary: `${name} before ${fixed}`,
  details: 'Worked out by hand for the OSV API suite.',
  affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
  ...extra,
});

function assertOsv(records: unknown[], what: string): void {
  for (const r of records) {
    const v = validateOsvRecord(r, { ownIdPrefixes: ['CHA'] });
    assert.ok(v.ok, `${what}: ${JSON.stringify(v.ok ? null : v.errors)}`);
  }
}

describeEachDriver('OSV.dev-compatible API', (driver) => {
  let server: TestServer & { osv: OsvApiService };
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const ids = { clear: '', jinja: '', embargoed: '', withdrawn: '', draft: '', git: '' };
  const org = { dev: '', other: '', gov: '', partner: '' };
  let dev: Caller, other: Caller, gov: Caller, partner: Caller;

  // ApiClient puts paths under /api/v1; the OSV API lives at osv.dev's paths, at the root.
  const call = async (method: 'GET' | 'POST', url: string, c: Caller, body?: unknown) => {
    const res = await server.app.inject({ method, url, headers: c.bearer ? { authorization: `Bearer ${c.bearer}` } : {}, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, body: res.body ? res.json() : undefined, headers: res.headers };
  };
  const post = (path: string, body: unknown, c: Caller = {}) => call('POST', path, c, body);
  const get = (path: string, c: Caller = {}) => call('GET', path, c);
  const idsOf = (body: { vulns?: { id: string }[] }) => (body.vulns ?? []).map((v) => v.id);

  before(async () => {
    server = await startOsvTestServer({ driver, listen: false, clock });
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    org.dev = (await services.organisations.create(sys, { name: 'Frontier Lab', kind: 'ai-developer' })).id;
    org.other = (await services.organisations.create(sys, { name: 'Other Vendor', kind: 'vendor' })).id;
    org.gov = (await services.organisations.create(sys, { name: 'Coordinator', kind: 'government' })).id;
    org.partner = (await services.organisations.create(sys, { name: 'Grid Operator', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    const caller = async (name: string, organisationId: string): Promise<Caller> => {
      const userId = (await services.users.create(sys, { email: `${name}@osv.example`, name, password: 'osv api test passphrase', memberships: [{ organisationId, roles: ['member'] }] })).user.id;
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes: ['read'], forUserId: userId })).secret };
    };
    dev = await caller('dev', org.dev);
    other = await caller('other', org.other);
    gov = await caller('gov', org.gov);
    partner = await caller('partner', org.partner);

    const adv = services.advisories;
    const make = async (record: unknown, label: Record<string, unknown>, state: 'draft' | 'published' | 'withdrawn') => {
      let v = await adv.create(SYS, { organisationId: org.dev, record, label: label as never });
      if (state !== 'draft') v = await adv.publish(SYS, v.id, v.version);
      if (state === 'withdrawn') v = await adv.withdraw(SYS, v.id, v.version);
      return v.id;
    };
    ids.clear = await make(npm('left-pad', '1.3.0'), { tlp: 'CLEAR' }, 'published');
    ids.embargoed = await make(npm('left-pad', '2.0.0'), { tlp: 'AMBER', embargoUntil: '2027-01-01T00:00:00.000Z', sharedWith: [org.partner] }, 'published');
    ids.withdrawn = await make(npm('left-pad', '1.3.0'), { tlp: 'CLEAR' }, 'withdrawn');
    ids.draft = await make(npm('left-pad', '1.3.0'), { tlp: 'CLEAR' }, 'draft');
    ids.jinja = await make({
      schema_version: '1.6.0', summary: 'jinja2 sandbox escape', details: 'By hand.',
      affected: [{ package: { ecosystem: 'PyPI', name: 'Jinja2' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.11.3' }] }] }],
    }, { tlp: 'CLEAR' }, 'published');
    ids.git = await make({
      schema_version: '1.6.0', summary: 'libgit example', details: 'By hand.',
      affected: [{ ranges: [{ type: 'GIT', repo: 'https://github.com/example/libgit', events: [{ introduced: HASH_IN }, { fixed: HASH_FIXED }] }] }],
    }, { tlp: 'CLEAR' }, 'published');
    await server.osv.settled();
  });
  after(() => server.close());

  it('answers a package query with the readable, matching, published advisories as full OSV records', async () => {
    const q = { package: { name: 'left-pad', ecosystem: 'npm' }, version: '1.2.0' };
    const anon = await post('/v1/query', q);
    assert.equal(anon.status, 200, JSON.stringify(anon.body));
    assert.deepEqual(idsOf(anon.body), [ids.clear], 'anonymous: TLP:CLEAR only; no draft, no withdrawn, no embargo');
    assertOsv(anon.body.vulns, 'query response');
    assert.equal(anon.body.next_page_token, undefined);
    const want = [ids.clear, ids.embargoed].sort();
    assert.deepEqual(idsOf((await post('/v1/query', q, dev)).body), want, 'the owner reads its embargoed advisory');
    assert.deepEqual(idsOf((await post('/v1/query', q, partner)).body), want, 'an organisation it is shared with reads it');
    assert.deepEqual(idsOf((await post('/v1/query', q, gov)).body), want, 'a coordinator reads it');
    assert.deepEqual(idsOf((await post('/v1/query', q, other)).body), [ids.clear], 'an outsider does not');
    // Fixed in 1.3.0; the embargoed one fixed in 2.0.0.
    assert.deepEqual(idsOf((await post('/v1/query', { ...q, version: '1.5.0' }, dev)).body), [ids.embargoed]);
    assert.deepEqual((await post('/v1/query', { ...q, version: '2.0.0' }, dev)).body, {}, 'nothing matched: an empty object, as osv.dev');
  });

  it('reads purls, PyPI names as PEP 503, versionless queries and commits', async () => {
    assert.deepEqual(idsOf((await post('/v1/query', { package: { purl: 'pkg:npm/left-pad@1.2.0' } })).body), [ids.clear]);
    assert.deepEqual(idsOf((await post('/v1/query', { package: { purl: 'pkg:npm/left-pad' }, version: '1.2.0' })).body), [ids.clear]);
    assert.deepEqual(idsOf((await post('/v1/query', { package: { name: 'jinja2', ecosystem: 'PyPI' }, version: '2.4.1' })).body), [ids.jinja]);
    assert.deepEqual(idsOf((await post('/v1/query', { package: { name: 'left-pad', ecosystem: 'npm' } }, dev)).body), [ids.clear, ids.embargoed].sort(), 'versionless: every advisory of the package');
    assert.deepEqual(idsOf((await post('/v1/query', { commit: HASH_IN })).body), [ids.git]);
    assert.deepEqual(idsOf((await post('/v1/query', { commit: HASH_IN.toUpperCase() })).body), [ids.git]);
    assert.deepEqual((await post('/v1/query', { commit: HASH_FIXED })).body, {}, 'the fixing commit is not affected');
  });

  it('refuses what osv.dev refuses, as problems with osv.dev\'s wording', async () => {
    const both = await post('/v1/query', { package: { purl: 'pkg:npm/left-pad@1.2.0' }, version: '1.2.0' });
    assert.equal(both.status, 400);
    assert.equal(both.body.type, `${PROBLEM}invalid-input`);
    assert.equal(both.body.detail, 'version specified in params and PURL query');
    assert.equal((await post('/v1/query', { package: { purl: 'pkg:npm/left-pad@1', name: 'x' } })).body.detail, 'name specified in a PURL query');
    assert.equal((await post('/v1/query', { package: { purl: 'pkg:npm/left-pad@1', ecosystem: 'npm' } })).body.detail, 'ecosystem specified in a PURL query');
    assert.equal((await post('/v1/query', { page_token: 'nonsense', package: { name: 'a', ecosystem: 'npm' }, version: '1' })).body.detail, 'Invalid page token.');
    assert.equal((await post('/v1/query', {})).status, 400);
    assert.equal((await post('/v1/query', { package: { purl: 'not a purl' } })).status, 400);
    assert.equal((await post('/v1/query', { package: { name: 'x'.repeat(1001), ecosystem: 'npm' }, version: '1' })).status, 400, 'names are capped');
    const many = await post('/v1/querybatch', { queries: Array.from({ length: 1001 }, () => ({ package: { name: 'left-pad', ecosystem: 'npm' }, version: '1.2.0' })) });
    assert.equal(many.status, 400);
    assert.equal(many.body.detail, 'Too many queries.');
    const bad = await post('/v1/querybatch', { queries: [{ commit: HASH_IN }, { page_token: '!!' }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.detail, 'Invalid page token at index: 1.');
  });

  it('answers curl -d (a form content type) as JSON, like osv.dev', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/v1/query', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: JSON.stringify({ package: { purl: 'pkg:npm/left-pad@1.2.0' } }) });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(idsOf(res.json()), [ids.clear]);
  });

  it('answers a batch in query order with ids and modified only, 1,000 queries at once', async () => {
    const queries = [
      { package: { name: 'left-pad', ecosystem: 'npm' }, version: '1.2.0' },
      { package: { name: 'jinja2', ecosystem: 'PyPI' }, version: '2.0' },
      { package: { name: 'left-pad', ecosystem: 'npm' }, version: '9.9.9' },
      { commit: HASH_IN },
    ];
    const res = await post('/v1/querybatch', { queries }, dev);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.results.length, 4);
    assert.deepEqual(res.body.results[0].vulns.map((v: { id: string }) => v.id), [ids.clear, ids.embargoed].sort());
    for (const v of res.body.results[0].vulns) assert.deepEqual(Object.keys(v).sort(), ['id', 'modified']);
    assert.deepEqual(res.body.results[1].vulns.map((v: { id: string }) => v.id), [ids.jinja]);
    assert.deepEqual(res.body.results[2], {});
    assert.deepEqual(res.body.results[3].vulns.map((v: { id: string }) => v.id), [ids.git]);

    const full = Array.from({ length: 1000 }, (_, i) => ({ package: { purl: `pkg:npm/left-pad@1.${i % 4}.0` } }));
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    const big = await post('/v1/querybatch', { queries: full });
    const ms = performance.now() - t0;
    loop.disable();
    const blocked = loop.max / 1e6;
    assert.ok(blocked < 250, `the event loop was held for ${blocked.toFixed(0)} ms`);
    assert.equal(big.status, 200);
    assert.equal(big.body.results.length, 1000);
    assert.deepEqual(big.body.results[0].vulns.map((v: { id: string }) => v.id), [ids.clear]);
    assert.deepEqual(big.body.results[3], {}, 'left-pad 1.3.0 is fixed');
    console.log(`osv-api [${driver}]: querybatch of 1,000 purl queries in ${ms.toFixed(0)} ms; longest event-loop delay ${blocked.toFixed(0)} ms`);
  });

  it('returns withdrawn advisories by id, and hides drafts and what the caller may not read', async () => {
    const w = await get(`/v1/vulns/${ids.withdrawn}`);
    assert.equal(w.status, 200);
    assert.ok(w.body.withdrawn, 'withdrawn is set');
    assertOsv([w.body], 'GET withdrawn');
    const c = await get(`/v1/vulns/${ids.clear}`);
    assert.equal(c.status, 200);
    assert.equal(c.body.id, ids.clear);
    assertOsv([c.body], 'GET clear');
    assert.equal((await get(`/v1/vulns/${ids.draft}`, dev)).status, 404, 'drafts never leave through the OSV API');
    const hidden = await get(`/v1/vulns/${ids.embargoed}`);
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.detail, 'Bug not found.');
    assert.equal((await get(`/v1/vulns/${ids.embargoed}`, other)).status, 404);
    assert.equal((await get(`/v1/vulns/${ids.embargoed}`, partner)).status, 200);
    assert.equal((await get('/v1/vulns/NOPE-1')).status, 404);
  });

  it('follows publish, revision and withdrawal', async () => {
    const adv = server.container.services.advisories;
    const q = { package: { name: 'fresh-pkg', ecosystem: 'npm' }, version: '1.0.0' };
    let v = await adv.create(SYS, { organisationId: org.dev, record: npm('fresh-pkg', '1.1.0'), label: { tlp: 'CLEAR' } });
    await server.osv.settled();
    assert.deepEqual((await post('/v1/query', q)).body, {}, 'a draft does not match');
    v = await adv.publish(SYS, v.id, v.version);
    await server.osv.settled();
    assert.deepEqual(idsOf((await post('/v1/query', q)).body), [v.id]);
    v = await adv.update(SYS, v.id, v.version, { record: { ...npm('fresh-pkg', '0.9.0'), id: v.id } });
    await server.osv.settled();
    assert.deepEqual((await post('/v1/query', q)).body, {}, 'the revision moved the fix below 1.0.0');
    assert.deepEqual(idsOf((await post('/v1/query', { ...q, version: '0.8.0' })).body), [v.id]);
    v = await adv.withdraw(SYS, v.id, v.version);
    await server.osv.settled();
    assert.deepEqual((await post('/v1/query', { ...q, version: '0.8.0' })).body, {}, 'withdrawn advisories stop matching');
  });

  it('rebuilds its base index in the background once many advisories changed, answering the same throughout', async () => {
    const { services } = server.container;
    const item = (i: number, fixed: string) => ({
      path: `many/${i}.json`,
      json: { id: `PYSEC-2098-${String(i).padStart(4, '0')}`, modified: `2026-0${fixed === '1.0.0' ? 1 : 2}-01T00:00:00Z`, schema_version: '1.6.0', summary: 'many', affected: [{ package: { ecosystem: 'npm', name: `many-${i % 7}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }] },
    });
    // Batches of at most 100 announce each record (larger ones collapse into one reindex event).
    for (let b = 0; b < 3; b++) await services.advisories.importRecords(SYS, Array.from({ length: 100 }, (_, k) => item(b * 100 + k, '1.0.0')));
    await server.osv.settled();
    assert.ok(server.osv.stats.delta < 256, `the delta was folded into a new base (delta ${server.osv.stats.delta})`);
    const q = (name: string, version: string) => ({ package: { name, ecosystem: 'npm' }, version });
    const before = await post('/v1/querybatch', { queries: Array.from({ length: 7 }, (_, i) => q(`many-${i}`, '0.5.0')) });
    assert.deepEqual(before.body.results.map((r: { vulns: unknown[] }) => r.vulns.length), [43, 43, 43, 43, 43, 43, 42]);
    // A newer revision of 50 of them moves the fix below 0.5.0: answered from the delta over the new base.
    await services.advisories.importRecords(SYS, Array.from({ length: 50 }, (_, k) => item(k * 6, '0.4.0')));
    await server.osv.settled();
    const after = await post('/v1/query', q('many-0', '0.5.0'));
    const moved = new Set(Array.from({ length: 50 }, (_, k) => k * 6).filter((i) => i % 7 === 0).map((i) => `PYSEC-2098-${String(i).padStart(4, '0')}`));
    assert.deepEqual(idsOf(after.body), idsOf(before.body.results[0]).filter((id) => !moved.has(id)));
  });

  it('pages as osv.dev: 1,000 per query, and after 3,000 in a batch 5 per query', async () => {
    const { services } = server.container;
    const items = Array.from({ length: 1005 }, (_, i) => ({
      path: `bulk/${i}.json`,
      json: { id: `PYSEC-2099-${String(i).padStart(4, '0')}`, modified: '2026-01-01T00:00:00Z', schema_version: '1.6.0', summary: 'bulk', affected: [{ package: { ecosystem: 'npm', name: 'bulk-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] },
    }));
    const summary = await services.advisories.importRecords(SYS, items);
    assert.equal(summary.added, 1005, JSON.stringify(summary.rejected.slice(0, 3)));
    await server.osv.settled();
    const q = { package: { name: 'bulk-pkg', ecosystem: 'npm' }, version: '1.0.0' };
    const first = await post('/v1/query', q);
    assert.equal(first.body.vulns.length, 1000);
    assert.ok(first.body.next_page_token);
    const second = await post('/v1/query', { ...q, page_token: first.body.next_page_token });
    assert.equal(second.body.vulns.length, 5);
    assert.equal(second.body.next_page_token, undefined);
    assert.equal(new Set([...idsOf(first.body), ...idsOf(second.body)]).size, 1005, 'the pages cover every advisory once');

    const batch = await post('/v1/querybatch', { queries: Array.from({ length: 5 }, () => q) });
    assert.deepEqual(batch.body.results.map((r: { vulns: unknown[] }) => r.vulns.length), [1000, 1000, 1000, 1000, 5], 'the limit drops once the batch has returned more than 3,000');
    assert.ok(batch.body.results.every((r: { next_page_token?: string }) => r.next_page_token));
  });

  it('answers exactly as `clearinghouse scan` does over the same records (crates.io from the shared data)', async (t) => {
    if (!existsSync(CRATES)) {
      console.warn(`!!! OSV API scan-equivalence SKIPPED: ${CRATES} absent`);
      t.skip(`${CRATES} absent`);
      return;
    }
    const bytes = new Uint8Array(readFileSync(CRATES));
    const entries = listZip(bytes).filter((e) => e.name.endsWith('.json'));
    let budget = DEFAULT_ZIP_LIMITS.maxTotalBytes;
    const jsons = entries.map((e) => {
      const b = readZipEntry(bytes, e, DEFAULT_ZIP_LIMITS, budget);
      budget -= b.length;
      return { path: e.name, json: JSON.parse(Buffer.from(b).toString('utf8')) };
    });
    const summary = await server.container.services.advisories.importRecords(SYS, jsons);
    await server.osv.settled();
    const accepted = new Set(jsons.map((j) => j.json.id as string));
    for (const r of summary.rejected) accepted.delete(r.path.replace(/^.*\//, '').replace(/\.json$/, ''));

    // The scan side: the CLI's own loader and index over the zip, the records the server refused left out.
    const index = new AdvisoryIndex();
    await loadAdvisories(CRATES, (record) => {
      if (accepted.has(record.id)) index.add(record);
    });
    // Every boundary and listed version of every package, and one below: where answers change.
    const purls = new Set<string>();
    for (const { json } of jsons) {
      for (const a of json.affected ?? []) {
        if (a.package?.ecosystem !== 'crates.io') continue;
        const versions = new Set<string>(a.versions ?? []);
        for (const r of a.ranges ?? []) for (const ev of r.events ?? []) for (const v of Object.values(ev)) if (typeof v === 'string' && v !== '0') versions.add(v);
        versions.add('0.0.1');
        for (const v of versions) purls.add(`pkg:cargo/${a.package.name}@${v}`);
      }
    }
    const list = [...purls].sort().slice(0, 3000);
    const scan = scanComponents(index, list.map((p) => ({ purl: canonicalPurl(p), ecosystem: 'crates.io', name: '', version: '' })));
    const want = new Map<string, Set<string>>();
    for (const r of scan.results) {
      let s = want.get(r.canonicalPurl);
      if (!s) want.set(r.canonicalPurl, (s = new Set()));
      s.add(r.advisory);
    }
    let compared = 0, affected = 0;
    for (let i = 0; i < list.length; i += 1000) {
      const chunk = list.slice(i, i + 1000);
      const res = await post('/v1/querybatch', { queries: chunk.map((p) => ({ package: { purl: p } })) });
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
      chunk.forEach((p, k) => {
        const got = (res.body.results[k].vulns ?? []).map((v: { id: string }) => v.id).sort();
        const exp = [...(want.get(canonicalPurl(p)) ?? [])].sort();
        assert.deepEqual(got, exp, p);
        compared++;
        if (exp.length) affected++;
      });
    }
    assert.ok(compared > 500 && affected > 100, `compared ${compared}, affected ${affected}`);
  });
});
