import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { AdvisoryView } from '../../src/services/advisory.service.ts';
import { checkSbomSchema } from '../../src/formats/sbom-schema.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const record = (summary: string) => ({
  summary,
  details: `Details of ${summary}`,
  aliases: ['CVE-2026-55555'],
  affected: [{ package: { ecosystem: 'npm', name: 'feed-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }] }],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  references: [{ type: 'ADVISORY', url: 'https://example.org/advisories/feed' }],
});

describeEachDriver('advisory VEX and Atom feed', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const sys = systemPrincipal('cli');
  // The server's own principal: the CLI reads within labels, and these fixtures include embargoed and AMBER ones.
  const system = systemPrincipal('system');
  let owner: Caller;
  let outsider: Caller;
  const adv: Record<string, AdvisoryView> = {};

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const org = (await services.organisations.create(sys, { name: 'Feed Lab', kind: 'ai-developer' })).id;
    const otherOrg = (await services.organisations.create(sys, { name: 'Feed Outsider', kind: 'vendor' })).id;
    async function caller(name: string, organisationId: string): Promise<Caller> {
      const { user } = await services.users.create(sys, { email: `${name}@feed.example`, name, password: 'feed test passphrase', memberships: [{ organisationId, roles: ['member'] }] });
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
    await make('embargoed', { tlp: 'CLEAR', embargoUntil: '2027-06-01T00:00:00.000Z' }, true);
    await make('withdrawn', { tlp: 'CLEAR' }, true);
    adv.withdrawn = await services.advisories.withdraw(system, adv.withdrawn!.id, adv.withdrawn!.version, 'not a vulnerability');
  });
  after(() => server.close());

  const vex = (name: string, c: Caller = {}, format?: string) => api.get(`/advisories/${adv[name]!.id}/vex${format ? `?format=${format}` : ''}`, c);

  it('serves a published advisory as CycloneDX 1.6 VEX that validates, to anyone who may read it', async () => {
    const res = await vex('clear-new');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Fastify quotes the parameter and adds the charset: both are the same media type.
    assert.match(String(res.headers['content-type']), /^application\/vnd\.cyclonedx\+json; version="?1\.6"?(;|$)/);
    const r = checkSbomSchema('cyclonedx-json', res.body, JSON.stringify(res.body).length);
    assert.deepEqual(r.warnings, []);
    assert.equal(res.body.vulnerabilities[0].id, adv['clear-new']!.id);
    assert.equal(res.body.vulnerabilities[0].analysis.state, 'exploitable');
    assert.equal(res.body.version, 1);
    assert.equal(res.body.vulnerabilities[0].source.name, 'Feed Lab');
    assert.deepEqual(res.body.vulnerabilities[0].affects[0].versions, [{ range: 'vers:npm/<1.2.3', status: 'affected' }, { version: '1.2.3', status: 'unaffected' }]);
  });

  it('serves OpenVEX on request', async () => {
    const res = await vex('clear-new', {}, 'openvex');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.body['@context'], 'https://openvex.dev/ns/v0.2.0');
    assert.deepEqual(res.body.statements.map((s: any) => s.status), ['affected', 'fixed']);
    assert.equal((await vex('clear-new', {}, 'spdx')).status, 400);
  });

  it('answers drafts, AMBER and embargoed advisories 404 to outsiders, like an absent id', async () => {
    const absent = await api.get('/advisories/CHA-2026-9999/vex', outsider);
    assert.equal(absent.status, 404);
    assert.equal(absent.body.type, `${PROBLEM}not-found`);
    for (const name of ['draft', 'amber', 'embargoed']) {
      const res = await vex(name, outsider);
      assert.equal(res.status, 404, name);
      assert.equal(res.body.detail, absent.body.detail, name);
    }
    assert.equal((await vex('green')).status, 404, 'GREEN is not for the anonymous public');
    assert.equal((await vex('green', outsider)).status, 200, 'GREEN is for every signed-in user');
    assert.equal((await vex('amber', owner)).status, 200);
    assert.equal((await vex('embargoed', owner)).status, 200);
    assert.equal((await vex('draft', owner)).status, 404, 'a draft never leaves through VEX, even to its owner');
  });

  it('states a withdrawn advisory as withdrawn', async () => {
    const cdx = await vex('withdrawn');
    assert.equal(cdx.status, 200);
    assert.equal(cdx.body.vulnerabilities[0].analysis.state, 'false_positive');
    assert.ok(cdx.body.vulnerabilities[0].rejected);
    assert.deepEqual(checkSbomSchema('cyclonedx-json', cdx.body, 1).warnings, []);
    const ov = await vex('withdrawn', {}, 'openvex');
    assert.ok(ov.body.statements.every((s: any) => s.status === 'not_affected'));
  });

  it('lists published TLP:CLEAR advisories in the Atom feed, newest first, whoever asks', async () => {
    for (const headers of [{}, { authorization: `Bearer ${owner.bearer}` }]) {
      const res = await server.app.inject({ method: 'GET', url: '/feeds/advisories.atom', headers });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/atom\+xml/);
      const ids = [...res.body.matchAll(/<id>[^<]*\/advisories\/([^<]+)<\/id>/g)].map((m) => decodeURIComponent(m[1]!));
      assert.deepEqual(ids, [adv['clear-new']!.id, adv['clear-old']!.id], res.body);
      for (const hidden of ['draft', 'amber', 'green', 'embargoed']) assert.ok(!res.body.includes(`Details of ${hidden}`), hidden);
    }
  });
});
