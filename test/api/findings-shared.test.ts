// Real documents through the upload route: every AVID report of ../shared/data/avid (1,700+) and every SARIF log of
// ../shared/data/sarif. They must all read, or the ones that cannot be findings must say why. The shared data is not
// in a fresh clone: without it this suite skips saying so, and fails instead when CLEARINGHOUSE_REQUIRE_SHARED=1.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const SHARED = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const AVID = join(SHARED, 'avid');
const SARIF = join(SHARED, 'sarif');
const present = existsSync(AVID) && existsSync(SARIF);
if (!present && process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1') throw new Error(`the shared data is missing at ${SHARED} and CLEARINGHOUSE_REQUIRE_SHARED=1 demands it`);
const skip = present ? false : `the shared data is absent at ${SHARED}: real AVID and SARIF documents not read (CLEARINGHOUSE_REQUIRE_SHARED=1 makes this fail)`;
if (skip) console.warn(`\n*** ${skip} ***\n`);

const sys = systemPrincipal('system');

function files(dir: string, test: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const json = (p: string): any => JSON.parse(readFileSync(p, 'utf8').replace(/^\uFEFF/, ''));

describeEachDriver('findings: the real AVID and SARIF documents of ../shared/data', (driver) => {
  if (skip) {
    it('skipped', { skip }, () => {});
    return;
  }
  let server: TestServer;
  let api: ApiClient;
  let lab: Caller;
  let org = '';

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org = (await services.organisations.create(sys, { name: 'Shared Data Lab', kind: 'researcher' })).id;
    const { user } = await services.users.create(sys, { email: 'shared@findings.example', name: 'Shared', password: 'shared data test passphrase', memberships: [{ organisationId: org, roles: ['member'] }] });
    lab = { bearer: (await services.tokens.create(sys, { name: 't', scopes: ['read', 'write'], forUserId: user.id })).secret };
  });
  after(() => server?.close());

  it('reads every AVID report in one ZIP upload; the reports that cannot be findings say why', async () => {
    const paths = files(AVID, (n) => n.endsWith('.json'));
    assert.ok(paths.length >= 1700, `${paths.length} AVID documents`);
    // Independently of the parser: a report names no product when it has no artifact name, developer or deployer.
    const productless = new Set(
      paths
        .filter((p) => {
          const a = json(p).affects ?? {};
          return !(a.artifacts?.[0]?.name ?? '').trim() && !(a.developer?.[0] ?? '').trim() && !(a.deployer?.[0] ?? '').trim();
        })
        .map((p) => `avid.zip!${p.slice(AVID.length + 1)}`),
    );
    const zip = Buffer.from(zipSync(Object.fromEntries(paths.map((p) => [p.slice(AVID.length + 1), readFileSync(p)]))));
    const res = await api.call('POST', `/findings/import?organisationId=${org}&filename=avid.zip`, lab, zip, { 'content-type': 'application/zip' });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    assert.equal(res.body.received, paths.length, 'one entry per report, every report read');
    assert.deepEqual(new Set(res.body.rejected.map((r: any) => r.path)), productless);
    for (const r of res.body.rejected) assert.match(r.reason, /names no affected artifact, developer or deployer/);
    assert.equal(res.body.created + res.body.duplicates + res.body.rejected.length, res.body.received);
    // Reports of the same CVE (AVID carries many CVE entries twice) are linked rather than stored twice.
    const stored = Number((await server.container.deps.db.selectFrom('findings').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(stored, res.body.created);
  });

  it('reads every SARIF 2.1.0 log; any other document is refused whole with the reason, never a server error', async () => {
    const paths = files(SARIF, (n) => /\.(sarif|json)$/.test(n));
    let read = 0;
    for (const p of paths) {
      const name = p.slice(SARIF.length + 1);
      const res = await api.call('POST', `/findings/import?organisationId=${org}&filename=${encodeURIComponent(name.slice(-200))}`, lab, readFileSync(p), { 'content-type': 'application/json' });
      if (res.status === 200) {
        read++;
        // Counted independently: one entry per result of every run.
        const doc = json(p);
        const results = (doc.runs as any[]).reduce((n, run) => n + (run.results?.length ?? 0), 0);
        assert.equal(res.body.received, results, name);
        assert.equal(res.body.created + res.body.duplicates + res.body.rejected.length, res.body.received, name);
        for (const r of res.body.rejected) assert.match(r.reason, /no message text/, `${name}: ${r.reason}`);
        continue;
      }
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.rejected.length, 1, name);
      assert.match(res.body.rejected[0].reason, /^(not JSON: |SARIF version ".*" is not 2\.1\.0|not valid SARIF 2\.1\.0: \/\S*|not a SARIF 2\.1\.0 log, OSV record, CSAF 2\.0 document or AVID report)/, `${name}: ${res.body.rejected[0].reason}`);
      let version: unknown = null;
      try {
        version = json(p).version;
      } catch {
        // not JSON: refused as such above
      }
      if (version === '2.1.0' && !/not valid SARIF/.test(res.body.rejected[0].reason)) assert.fail(`${name}: a 2.1.0 log refused for another reason than its schema: ${res.body.rejected[0].reason}`);
    }
    assert.ok(read >= paths.length / 2, `${read} of ${paths.length} shared SARIF documents read`);
  });
});
