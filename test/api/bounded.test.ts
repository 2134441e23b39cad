/**
 * Issue 6: the reverse query leaks nothing about rows the caller may not read, and one request's work is bounded
 * (caps answered 413/400, paging), on both databases.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { AFFECTED_LIMITS } from '../../src/services/affected.service.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

function osv(id: string, affected: unknown[]) {
  return { schema_version: '1.6.0', id, modified: '2026-11-20T00:00:00Z', affected };
}
const semver = (name: string) => ({ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] });

function cyclonedx(purls: string[]): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: purls.map((purl, i) => ({ 'bom-ref': `c${i}`, type: 'library', name: `c${i}`, purl })) });
}

describeEachDriver('bounded reverse query', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-11-26T12:00:00.000Z');
  let owner: Caller;
  let outsider: Caller;
  const org = { red: '', vendor: '' };

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    org.red = (await services.organisations.create(sys, { name: 'Red Operator', kind: 'infrastructure-operator', sectors: ['energy'], label: { tlp: 'RED' } })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'A Vendor', kind: 'vendor', label: { tlp: 'GREEN' } })).id;
    async function caller(name: string, organisationId: string): Promise<Caller> {
      const { user } = await services.users.create(sys, { email: `${name}@bounded.example`, name, password: 'bounded test passphrase', memberships: [{ organisationId, roles: ['member'] }] });
      const { secret } = await services.tokens.create(sys, { name: 'test', scopes: ['read', 'write'], forUserId: user.id });
      return { bearer: secret };
    }
    owner = await caller('rita', org.red);
    outsider = await caller('otto', org.vendor);
    // Stored only in the RED inventory: a package with a version string SemVer cannot parse, and one good version.
    await services.inventories.create(systemPrincipal('system'), {
      name: 'red-estate',
      organisationId: org.red,
      label: { tlp: 'RED' },
      body: cyclonedx(['pkg:npm/secret-internal-lib@not.a.version', 'pkg:npm/secret-internal-lib@1.0.0']),
      media: 'json',
    });
    // A GREEN inventory everyone signed in may read, with many affected rows for paging.
    await services.inventories.create(systemPrincipal('system'), {
      name: 'green-estate',
      organisationId: org.vendor,
      label: { tlp: 'GREEN' },
      body: cyclonedx(Array.from({ length: 25 }, (_, i) => `pkg:npm/pager-${i % 5}@1.${i}.0`)),
      media: 'json',
    });
  });
  after(() => server.close());

  const SECRET = osv('TEST-SECRET', [semver('secret-internal-lib')]);

  it('anonymous callers get 401', async () => {
    const res = await api.post('/advisories/affected', {}, SECRET);
    assert.equal(res.status, 401);
    assert.equal(res.body.type, 'https://clearinghouse.dev/problems/unauthenticated');
  });

  it('an outsider learns nothing about a package stored only in another organisation\'s RED inventory', async () => {
    const res = await api.post('/advisories/affected', outsider, SECRET);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.affected, []);
    assert.deepEqual(res.body.problems, [], 'no problems line, no count');
    assert.equal(res.body.nextCursor, null);
    assert.doesNotMatch(JSON.stringify(res.body), /not\.a\.version|stored version/);
    // Same answer as for a package nobody stores at all.
    const absent = await api.post('/advisories/affected', outsider, { ...SECRET, affected: [semver('nobody-has-this')] });
    assert.deepEqual({ ...res.body, advisory: null }, { ...absent.body, advisory: null });
  });

  it('the owner sees the affected row and the problem with their own stored version', async () => {
    const res = await api.post('/advisories/affected', owner, SECRET);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.affected.map((a: any) => a.component.purl), ['pkg:npm/secret-internal-lib@1.0.0']);
    assert.equal(res.body.problems.length, 1);
    assert.match(res.body.problems[0], /^1 stored version not evaluated: .*not\.a\.version/);
  });

  it('problems about the advisory itself are still reported to anyone signed in', async () => {
    const res = await api.post('/advisories/affected', outsider, osv('TEST-BAD', [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: 'nope' }] }] }]));
    assert.equal(res.status, 200);
    assert.ok(res.body.problems.length > 0);
  });

  it('pages through every affected row exactly once, in a stable order', async () => {
    const advisory = osv('TEST-PAGER', [0, 1, 2, 3, 4].map((i) => semver(`pager-${i}`)));
    const all = await api.post('/advisories/affected', outsider, advisory);
    assert.equal(all.body.affected.length, 25);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.post(`/advisories/affected?limit=4${cursor ? `&cursor=${cursor}` : ''}`, outsider, advisory);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.affected.length <= 4);
      seen.push(...res.body.affected.map((a: any) => a.component.purl));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 7);
    assert.deepEqual(seen, all.body.affected.map((a: any) => a.component.purl));
    // A cursor from one advisory is refused for another, and garbage is a 400, never a 500.
    const first = await api.post('/advisories/affected?limit=4', outsider, advisory);
    const other = await api.post(`/advisories/affected?limit=4&cursor=${first.body.nextCursor}`, outsider, SECRET);
    assert.equal(other.status, 400);
    assert.equal((await api.post('/advisories/affected?cursor=%%%', outsider, advisory)).status, 400);
    assert.equal((await api.post(`/advisories/affected?limit=${AFFECTED_LIMITS.maxLimit + 1}`, outsider, advisory)).status, 400);
  });

  it('an advisory naming too many packages is a 413 naming the cap, before any query', async () => {
    // 40,000 names: a 500 ("too many SQL variables") on SQLite and a frozen server before.
    const names = Array.from({ length: 40_000 }, (_, i) => semver(`many-${i}`));
    const res = await api.post('/advisories/affected', outsider, osv('TEST-MANY', names));
    assert.equal(res.status, 413, JSON.stringify(res.body).slice(0, 300));
    assert.match(res.body.detail, new RegExp(`at most ${AFFECTED_LIMITS.affectedEntries}`));
    const justOver = Array.from({ length: AFFECTED_LIMITS.packages + 1 }, (_, i) => semver(`many-${i}`));
    const res2 = await api.post('/advisories/affected', outsider, osv('TEST-OVER', justOver));
    assert.equal(res2.status, 413);
    assert.match(res2.body.detail, new RegExp(`${AFFECTED_LIMITS.packages + 1} distinct packages; at most ${AFFECTED_LIMITS.packages}`));
  });

  it('an advisory at the package cap is answered, batched, with the hits among them', async () => {
    const names = Array.from({ length: AFFECTED_LIMITS.packages - 1 }, (_, i) => semver(`absent-${i}`));
    names.push(semver('pager-3'));
    const res = await api.post('/advisories/affected', outsider, osv('TEST-CAP', names));
    assert.equal(res.status, 200);
    assert.equal(res.body.affected.length, 5);
  });

  it('hostile nesting in an OSV record is an invalid-advisory naming the depth accepted', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 3000; i++) deep = { d: deep };
    const res = await api.post('/advisories/affected', outsider, { ...SECRET, database_specific: deep });
    assert.equal(res.status, 400);
    assert.equal(res.body.type, 'https://clearinghouse.dev/problems/invalid-advisory');
    assert.match(res.body.detail, new RegExp(`deeper than ${AFFECTED_LIMITS.depth} levels`));
  });

  it('an uploaded SBOM nested 3,000 levels deep is invalid-sbom naming the depth, parsed off the request thread', async () => {
    const open = '{"type":"library","name":"c","components":['.repeat(3000);
    const deep = `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[${open}{"type":"library","name":"leaf"}${']}'.repeat(3000)}]}`;
    const res = await api.call('POST', `/inventories?name=deep&organisationId=${org.red}`, owner, deep, { 'content-type': 'application/json' });
    assert.equal(res.status, 400, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.type, 'https://clearinghouse.dev/problems/invalid-sbom');
    assert.match(res.body.detail, /deeper than 128 levels/);
    const xml = `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">${'<components><component type="library"><name>x</name>'.repeat(3000)}${'</component></components>'.repeat(3000)}</bom>`;
    const res2 = await api.call('POST', `/inventories?name=deep-xml&organisationId=${org.red}`, owner, xml, { 'content-type': 'application/vnd.cyclonedx+xml' });
    assert.equal(res2.status, 400);
    assert.match(res2.body.detail, /deeper than 128 levels/);
  });
});

// The server started by bin/clearinghouse.mjs registers tsx in-process (no --import tsx in execArgv for workers to
// inherit): the pool's worker must still load there.
it('the SBOM worker pool loads in a process that registered tsx in-process, as bin/clearinghouse.mjs does', () => {
  const pool = new URL('../../src/services/sbom-pool.ts', import.meta.url).href;
  const script = `
    import { register } from 'tsx/esm/api';
    register();
    const { SbomWorkerPool } = await import(${JSON.stringify(pool)});
    const p = new SbomWorkerPool({ threads: 1 });
    const ok = await p.prepare({ body: JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name: 'x', purl: 'pkg:npm/x@1.0.0' }] }), media: 'json' });
    let code = null;
    try { await p.prepare({ body: '{', media: 'json' }); } catch (e) { code = e.code; }
    await p.close();
    console.log(JSON.stringify({ purls: ok.purl, code }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' }, cwd: new URL('../../', import.meta.url).pathname });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { purls: ['pkg:npm/x@1.0.0'], code: 'invalid-sbom' });
});
