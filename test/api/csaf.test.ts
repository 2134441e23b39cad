import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import * as openpgp from 'openpgp';
// @ts-expect-error the validator library ships JavaScript without type declarations
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js';
// @ts-expect-error the validator library ships JavaScript without type declarations
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js';
// @ts-expect-error the validator library ships JavaScript without type declarations
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js';
import { exportCsafTree } from '../../src/cli/csaf.command.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { csafFileName } from '../../src/formats/csaf.ts';
import { CsafService } from '../../src/services/csaf.service.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { AdvisoryView } from '../../src/services/advisory.service.ts';
import { getServerKey } from '../../src/store/server-key.repository.ts';
import type { Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const record = (summary: string) => ({
  summary,
  details: `Details of ${summary}`,
  aliases: ['CVE-2026-44444'],
  affected: [{ package: { ecosystem: 'npm', name: 'csaf-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }] }],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  references: [{ type: 'ADVISORY', url: 'https://example.org/advisories/csaf' }],
  database_specific: { cwe_ids: ['CWE-79'] },
});

const docPath = (v: AdvisoryView, dir = 'white') => `/.well-known/csaf/${dir}/${(v.publishedAt ?? v.createdAt).slice(0, 4)}/${csafFileName(v.id)}`;

describeEachDriver('CSAF 2.0 provider', (driver) => {
  let server: TestServer;
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const sys = systemPrincipal('cli');
  const system = systemPrincipal('system');
  let owner: Caller;
  let outsider: Caller;
  const adv: Record<string, AdvisoryView> = {};

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    const { services } = server.container;
    const org = (await services.organisations.create(sys, { name: 'CSAF Lab', kind: 'ai-developer' })).id;
    const otherOrg = (await services.organisations.create(sys, { name: 'CSAF Outsider', kind: 'vendor' })).id;
    async function caller(name: string, organisationId: string): Promise<Caller> {
      const { user } = await services.users.create(sys, { email: `${name}@csaf.example`, name, password: 'csaf test passphrase', memberships: [{ organisationId, roles: ['member'] }] });
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes: ['read'], forUserId: user.id })).secret };
    }
    owner = await caller('owner', org);
    outsider = await caller('outsider', otherOrg);
    const make = async (name: string, label: { tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'RED'; embargoUntil?: string }, publish: boolean) => {
      clock.advance(1000);
      let v = await services.advisories.create(system, { organisationId: org, record: record(name), label });
      if (publish) v = await services.advisories.publish(system, v.id, v.version);
      adv[name] = v;
    };
    await make('clear-old', { tlp: 'CLEAR' }, true);
    await make('clear-new', { tlp: 'CLEAR' }, true);
    await make('draft', { tlp: 'CLEAR' }, false);
    await make('amber', { tlp: 'AMBER' }, true);
    await make('green', { tlp: 'GREEN' }, true);
    await make('red', { tlp: 'RED' }, true);
    await make('embargoed', { tlp: 'CLEAR', embargoUntil: '2027-06-01T00:00:00.000Z' }, true);
    await make('withdrawn', { tlp: 'CLEAR' }, true);
    clock.advance(1000);
    adv.withdrawn = await services.advisories.withdraw(system, adv.withdrawn!.id, adv.withdrawn!.version, 'not a vulnerability');
    clock.advance(1000);
    await services.advisories.importRecords(system, [{ path: 'GHSA.json', json: { ...record('imported'), id: 'GHSA-csaf-test-0001', modified: '2026-11-01T00:00:00Z', published: '2026-11-01T00:00:00Z' } }]);
  });
  after(() => server.close());

  // ApiClient puts paths under /api/v1; the CSAF tree is at the root.
  async function get(url: string, c: Caller = {}) {
    const res = await server.app.inject({ method: 'GET', url, headers: c.bearer ? { authorization: `Bearer ${c.bearer}` } : {} });
    let body: any = res.body;
    if (String(res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(res.body);
    assert.ok(res.statusCode < 300 || res.statusCode >= 400, `${url}: no redirects`);
    return { status: res.statusCode, body, headers: res.headers };
  }

  const tests = [csaf_2_0_strict, ...Object.values(mandatory as Record<string, unknown>)];

  it('serves provider metadata naming the key, the feeds and the role; open to every origin, no redirects', async () => {
    const res = await get('/.well-known/csaf/provider-metadata.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.body.role, 'csaf_trusted_provider');
    assert.equal(res.body.metadata_version, '2.0');
    assert.deepEqual(res.body.distributions[1].rolie.feeds.map((f: any) => f.tlp_label), ['WHITE', 'GREEN', 'AMBER']);
    const key = res.body.public_openpgp_keys[0];
    const path = new URL(key.url).pathname;
    const k = await get(path);
    assert.equal(k.status, 200);
    const pub = await openpgp.readKey({ armoredKey: String(k.body) });
    assert.equal(pub.getFingerprint().toUpperCase(), key.fingerprint);
    assert.equal((await get('/.well-known/csaf/openpgp/0123456789ABCDEF0123.asc')).status, 404);
  });

  it('lists the published TLP:CLEAR authored advisories in index.txt and changes.csv (newest first); no drafts, embargoes, other labels or imports', async () => {
    const index = await get('/.well-known/csaf/white/index.txt');
    assert.equal(index.status, 200);
    assert.equal(index.headers['access-control-allow-origin'], '*');
    const lines = String(index.body).trim().split('\n');
    const expected = ['withdrawn', 'clear-new', 'clear-old'].map((n) => docPath(adv[n]!).replace('/.well-known/csaf/white/', ''));
    assert.deepEqual(lines, expected);
    const changes = await get('/.well-known/csaf/white/changes.csv', owner);
    assert.deepEqual(String(changes.body).trim().split('\n').map((l) => JSON.parse(l.split(',')[0]!)), expected);
    assert.equal((await get(docPath(adv.draft!))).status, 404);
    assert.equal((await get(docPath(adv.embargoed!))).status, 404);
    assert.equal((await get(`/.well-known/csaf/white/2026/${csafFileName('GHSA-csaf-test-0001')}`)).status, 404);
  });

  it('serves a document that validates, with hashes over its exact bytes and a signature the public key verifies', async () => {
    const res = await server.app.inject({ method: 'GET', url: docPath(adv['clear-new']!) });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const doc = JSON.parse(res.body);
    const result = await validateStrict(tests, doc);
    assert.ok(result.isValid, JSON.stringify(result.tests.filter((t: any) => !t.isValid)));
    assert.equal(doc.document.publisher.name, 'CSAF Lab');
    assert.equal(doc.document.tracking.id, adv['clear-new']!.id);
    assert.equal(doc.vulnerabilities[0].cve, 'CVE-2026-44444');
    const bytes = res.rawPayload;
    const sha256 = await get(`${docPath(adv['clear-new']!)}.sha256`);
    assert.equal(String(sha256.body).split(' ')[0], createHash('sha256').update(bytes).digest('hex'));
    const sha512 = await get(`${docPath(adv['clear-new']!)}.sha512`);
    assert.equal(String(sha512.body).split(' ')[0], createHash('sha512').update(bytes).digest('hex'));
    const asc = await get(`${docPath(adv['clear-new']!)}.asc`);
    const { armored } = await server.container.services.csaf.publicKey();
    const verified = await openpgp.verify({
      message: await openpgp.createMessage({ binary: bytes }),
      signature: await openpgp.readSignature({ armoredSignature: String(asc.body) }),
      verificationKeys: await openpgp.readKey({ armoredKey: armored }),
    });
    await verified.signatures[0]!.verified;
  });

  it('a withdrawn advisory stays served, final, with a withdrawal note', async () => {
    const res = await get(docPath(adv.withdrawn!));
    assert.equal(res.status, 200);
    assert.equal(res.body.document.tracking.status, 'final');
    assert.ok(res.body.document.notes.some((n: any) => n.title === 'Withdrawn'));
    assert.equal((await validateStrict(tests, res.body)).isValid, true);
  });

  it('GREEN and AMBER need sign-in and follow the label policy', async () => {
    assert.equal((await get('/.well-known/csaf/green/index.txt')).status, 401);
    assert.equal((await get(docPath(adv.green!, 'green'))).status, 401);
    assert.equal((await get('/.well-known/csaf/feed-tlp-amber.json')).status, 401);
    const green = await get(docPath(adv.green!, 'green'), outsider);
    assert.equal(green.status, 200);
    assert.equal(green.body.document.distribution.tlp.label, 'GREEN');
    assert.equal(green.headers['access-control-allow-origin'], undefined);
    assert.equal((await get(docPath(adv.amber!, 'amber'), outsider)).status, 404);
    const amber = await get(docPath(adv.amber!, 'amber'), owner);
    assert.equal(amber.status, 200);
    assert.equal(amber.body.document.distribution.tlp.label, 'AMBER');
    assert.equal(String((await get('/.well-known/csaf/amber/index.txt', owner)).body).trim().split('\n').length, 1);
    assert.equal(String((await get('/.well-known/csaf/amber/index.txt', outsider)).body), '');
    // A document is only at its own label's path, and RED is never distributed through CSAF.
    assert.equal((await get(docPath(adv.green!, 'white'), owner)).status, 404);
    assert.equal((await get(docPath(adv.red!, 'amber'), owner)).status, 404);
  });

  it('ROLIE feeds list the entries with hash and signature links', async () => {
    const res = await get('/.well-known/csaf/feed-tlp-white.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.deepEqual(res.body.feed.entry.map((e: any) => e.id), [adv.withdrawn!.id, adv['clear-new']!.id, adv['clear-old']!.id]);
    assert.deepEqual(res.body.feed.entry[0].link.map((l: any) => l.rel), ['self', 'hash', 'hash', 'signature']);
    const green = await get('/.well-known/csaf/feed-tlp-green.json', owner);
    assert.deepEqual(green.body.feed.entry.map((e: any) => e.id), [adv.green!.id]);
  });

  it('security.txt carries the CSAF field', async () => {
    const res = await get('/.well-known/security.txt');
    assert.equal(res.status, 200);
    assert.match(String(res.body), /^CSAF: https?:\/\/.+\/\.well-known\/csaf\/provider-metadata\.json$/m);
    assert.match(String(res.body), /^Expires: /m);
  });

  it('csaf export writes the public tree as served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csaf-export-'));
    try {
      const r = await exportCsafTree(server.container, dir);
      assert.equal(r.documents, 3);
      const index = readFileSync(join(dir, 'white', 'index.txt'), 'utf8');
      assert.equal(index, String((await get('/.well-known/csaf/white/index.txt')).body));
      const rel = docPath(adv['clear-new']!).replace('/.well-known/csaf/', '');
      const served = await server.app.inject({ method: 'GET', url: docPath(adv['clear-new']!) });
      assert.equal(readFileSync(join(dir, rel), 'utf8'), served.body);
      assert.equal(readFileSync(join(dir, `${rel}.sha256`), 'utf8'), String((await get(`${docPath(adv['clear-new']!)}.sha256`)).body));
      assert.equal(JSON.parse(readFileSync(join(dir, 'provider-metadata.json'), 'utf8')).role, 'csaf_trusted_provider');
      assert.ok(!index.includes(csafFileName(adv.green!.id)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two instances starting at once end with one signing key', async () => {
    const { deps, services } = server.container;
    await deps.db.deleteFrom('server_keys').execute();
    const cfg = { baseUrl: 'https://a.example', providerName: 'x', contact: 'mailto:x@example.org' };
    const a = new CsafService(deps, services.advisories, cfg);
    const b = new CsafService(deps, services.advisories, cfg);
    const [ka, kb] = await Promise.all([a.publicKey(), b.publicKey()]);
    assert.equal(ka.fingerprint, kb.fingerprint);
    assert.ok(await getServerKey(deps.db, 'csaf-openpgp'));
  });
});
