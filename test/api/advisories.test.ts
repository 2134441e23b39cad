import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** A hand-written OSV record without id (the server assigns it); the expectations below were worked out by hand. */
const record = (extra: Record<string, unknown> = {}) => ({
  schema_version: '1.6.0',
  summary: 'Heap overflow in libexample image decoder',
  details: 'A crafted PNG overflows the decoder buffer.',
  aliases: ['CVE-2026-12345'],
  affected: [{ package: { ecosystem: 'npm', name: 'libexample' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.4.1' }] }] }],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  references: [{ type: 'ADVISORY', url: 'https://example.org/advisories/1' }],
  ...extra,
});

describeEachDriver('advisories: lifecycle, revisions, diff, visibility', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const org = { dev: '', other: '', gov: '', partner: '' };
  let dev: Caller; // member of the authoring AI developer
  let devRead: Caller; // same person, read-only token
  let other: Caller; // member of an unrelated organisation
  let gov: Caller; // government coordinator
  let partner: Caller; // member of an organisation the embargoed advisory is shared with

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    org.dev = (await services.organisations.create(sys, { name: 'Frontier Lab', kind: 'ai-developer' })).id;
    org.other = (await services.organisations.create(sys, { name: 'Other Vendor', kind: 'vendor' })).id;
    org.gov = (await services.organisations.create(sys, { name: 'Coordinator', kind: 'government' })).id;
    org.partner = (await services.organisations.create(sys, { name: 'Grid Operator', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    async function caller(name: string, organisationId: string, scopes: ('read' | 'write')[] = ['read', 'write']): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@adv.example`).executeTakeFirst();
      const userId = existing?.id ?? (await services.users.create(sys, { email: `${name}@adv.example`, name, password: 'advisory test passphrase', memberships: [{ organisationId, roles: ['member'] }] })).user.id;
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes, forUserId: userId })).secret };
    }
    dev = await caller('dev', org.dev);
    devRead = await caller('dev', org.dev, ['read']);
    other = await caller('other', org.other);
    gov = await caller('gov', org.gov);
    partner = await caller('partner', org.partner);
  });
  after(() => server.close());

  const count = async () => Number((await server.container.deps.db.selectFrom('advisories').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('creates a draft with a server-assigned id, publishes it, revises it and withdraws it', async () => {
    const created = await api.post('/advisories', dev, { record: record(), label: { tlp: 'CLEAR' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.match(id, /^CHA-2026-\d{4,}$/);
    assert.equal(created.body.state, 'draft');
    assert.equal(created.body.revision, 0);
    assert.equal(created.body.record.id, id);
    assert.equal(created.body.record.modified, '2026-12-02T12:00:00.000Z');
    assert.equal(created.body.label.tlp, 'CLEAR');
    assert.equal(created.headers.etag, `"${created.body.version}"`);
    assert.deepEqual(created.body.severity.map((s: { score: number; rating: string }) => [s.score, s.rating]), [[9.8, 'critical']]);
    assert.equal(created.body.rating, 'critical');

    // A draft is the owner's: nobody else sees it, not even in lists.
    assert.equal((await api.get(`/advisories/${id}`)).status, 404);
    assert.equal((await api.get(`/advisories/${id}`, gov)).status, 404);
    assert.ok(!(await api.get('/advisories?limit=200', other)).body.items.some((a: { id: string }) => a.id === id));
    assert.equal((await api.get(`/advisories/${id}`, dev)).status, 200);

    assert.equal((await api.post(`/advisories/${id}/publish`, dev)).status, 428, 'If-Match is required');
    assert.equal((await api.post(`/advisories/${id}/publish`, dev, undefined, { 'if-match': '"99"' })).status, 412);
    assert.equal((await api.post(`/advisories/${id}/publish`, devRead, undefined, { 'if-match': `"${created.body.version}"` })).status, 403, 'a read token cannot publish');
    assert.equal((await api.post(`/advisories/${id}/publish`, other, undefined, { 'if-match': `"${created.body.version}"` })).status, 404, 'an outsider cannot see the draft');

    clock.advance(60_000);
    const published = await api.post(`/advisories/${id}/publish`, dev, undefined, { 'if-match': created.headers.etag as string });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.state, 'published');
    assert.equal(published.body.revision, 1);
    assert.equal(published.body.record.published, '2026-12-02T12:01:00.000Z');
    assert.equal((await api.get(`/advisories/${id}`)).status, 200, 'the public reads a published TLP:CLEAR advisory');
    assert.equal((await api.post(`/advisories/${id}/publish`, dev, undefined, { 'if-match': published.headers.etag as string })).status, 409);

    clock.advance(60_000);
    const revised = await api.call('PUT', `/advisories/${id}`, dev, { record: { ...published.body.record, summary: 'Heap overflow in libexample PNG decoder', affected: [{ ...record().affected[0], ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.4.2' }] }] }] } }, { 'if-match': published.headers.etag as string });
    assert.equal(revised.status, 200, JSON.stringify(revised.body));
    assert.equal(revised.body.revision, 2);
    assert.equal(revised.body.record.modified, '2026-12-02T12:02:00.000Z');
    assert.equal(revised.body.record.published, '2026-12-02T12:01:00.000Z', 'the publication date stays');
    assert.equal((await api.call('PUT', `/advisories/${id}`, dev, { record: published.body.record }, { 'if-match': published.headers.etag as string })).status, 412, 'a stale version is refused');
    assert.equal((await api.call('PUT', `/advisories/${id}`, other, { record: published.body.record }, { 'if-match': revised.headers.etag as string })).status, 403, 'an outsider reads but cannot change it');

    const revisions = await api.get(`/advisories/${id}/revisions`);
    assert.deepEqual(revisions.body.items.map((r: { revision: number }) => r.revision), [2, 1]);
    const first = await api.get(`/advisories/${id}/revisions/1`);
    assert.equal(first.body.record.summary, 'Heap overflow in libexample image decoder', 'published revisions are immutable');
    const diff = await api.get(`/advisories/${id}/diff?from=1&to=2`);
    assert.equal(diff.status, 200);
    const paths = diff.body.changes.map((c: { path: string }) => c.path).sort();
    assert.deepEqual(paths, ['/affected/0/ranges/0/events/1/fixed', '/modified', '/summary']);
    const fixed = diff.body.changes.find((c: { path: string }) => c.path.endsWith('/fixed'));
    assert.deepEqual([fixed.kind, fixed.before, fixed.after], ['changed', '2.4.1', '2.4.2']);
    assert.equal((await api.get(`/advisories/${id}/diff?from=1&to=7`)).status, 404);

    clock.advance(60_000);
    const withdrawn = await api.post(`/advisories/${id}/withdraw`, dev, { reason: 'duplicate of CVE-2026-12345 advisory' }, { 'if-match': revised.headers.etag as string });
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    assert.equal(withdrawn.body.state, 'withdrawn');
    assert.equal(withdrawn.body.record.withdrawn, '2026-12-02T12:03:00.000Z');
    assert.equal(withdrawn.body.revision, 3);
    const publicView = await api.get(`/advisories/${id}`);
    assert.equal(publicView.body.state, 'withdrawn', 'withdrawn advisories stay readable');
    assert.equal((await api.call('PUT', `/advisories/${id}`, dev, { record: published.body.record }, { 'if-match': withdrawn.headers.etag as string })).status, 409);

    // The audit trail holds every step.
    const actions = await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', '=', id).orderBy('seq').execute();
    assert.deepEqual(actions.map((a) => a.action), ['advisory.create', 'advisory.publish', 'advisory.revise', 'advisory.withdraw']);
  });

  it('hands out distinct ids and refuses ids of its own form chosen by the caller', async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await api.post('/advisories', dev, { record: record() })).body.id as string));
    assert.equal(new Set(ids).size, 3);
    const own = await api.post('/advisories', dev, { record: record({ id: 'CHA-2026-9999' }) });
    assert.equal(own.status, 400);
    const custom = await api.post('/advisories', dev, { record: record({ id: 'x_LAB-2026-7' }) });
    assert.equal(custom.status, 201);
    assert.equal((await api.post('/advisories', dev, { record: record({ id: 'x_LAB-2026-7' }) })).status, 409);
  });

  it('an embargoed advisory is read by its owner, coordinators and the organisations it is shared with, until the embargo ends', async () => {
    const created = await api.post('/advisories', dev, { record: record({ summary: 'embargoed one' }), label: { tlp: 'CLEAR', embargoUntil: '2026-12-20T00:00:00Z', sharedWith: [org.partner] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.label.sharedWith, [org.partner]);
    const id = created.body.id;
    assert.equal((await api.get(`/advisories/${id}`, partner)).status, 404, 'a draft is not shared yet');
    const pub = await api.post(`/advisories/${id}/publish`, dev, undefined, { 'if-match': created.headers.etag as string });
    assert.equal(pub.body.record.published, '2026-12-20T00:00:00.000Z', 'the public date is the end of the embargo');
    for (const [who, c, want] of [['public', {}, 404], ['other', other, 404], ['gov', gov, 200], ['partner', partner, 200], ['dev', dev, 200]] as const) {
      assert.equal((await api.get(`/advisories/${id}`, c)).status, want, who);
      const listed = (await api.get(`/advisories?q=${encodeURIComponent('embargoed one')}`, c)).body.items.some((a: { id: string }) => a.id === id);
      assert.equal(listed, want === 200, `${who} in the list`);
    }
    assert.equal((await api.call('PUT', `/advisories/${id}`, partner, { record: pub.body.record }, { 'if-match': pub.headers.etag as string })).status, 403, 'sharing gives reading, not editing');
    clock.set('2026-12-21T00:00:00.000Z');
    try {
      assert.equal((await api.get(`/advisories/${id}`)).status, 200, 'after the embargo the public reads it');
    } finally {
      clock.set('2026-12-02T12:10:00.000Z');
    }
  });

  it('lists with search and filters, paged, within what the reader may read', async () => {
    const mk = async (summary: string, affected: unknown[], severity: unknown[], tlp = 'CLEAR') => {
      const c = await api.post('/advisories', dev, { record: record({ summary, affected, severity }), label: { tlp } });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const p = await api.post(`/advisories/${c.body.id}/publish`, dev, undefined, { 'if-match': c.headers.etag as string });
      return p.body.id as string;
    };
    const deb = await mk('zebra openssl issue', [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1' }] }] }], [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N' }]);
    const amber = await mk('zebra amber', [{ package: { ecosystem: 'PyPI', name: 'zebra-lib' }, versions: ['1.0'] }], [], 'AMBER');
    const all = async (c: Caller, query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api.get(`/advisories?${query}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, c);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        ids.push(...res.body.items.map((a: { id: string }) => a.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids.sort();
    };
    assert.deepEqual(await all({}, 'q=zebra'), [deb]);
    assert.deepEqual(await all(gov, 'q=zebra'), [amber, deb].sort());
    assert.deepEqual(await all(gov, 'q=zebra&ecosystem=Debian'), [deb], 'Debian matches Debian:12');
    assert.deepEqual(await all(gov, 'q=zebra&severity=low'), [deb]);
    assert.deepEqual(await all(gov, 'q=zebra-lib'), [amber], 'search covers package names');
    assert.deepEqual(await all(gov, `q=${deb.toLowerCase()}`), [deb], 'search covers ids, in any case');
    assert.equal((await all({}, 'q=CVE-2026-12345&state=withdrawn')).length, 1);
    assert.equal((await api.get('/advisories?severity=bad')).status, 400);
    assert.equal((await api.get('/advisories?q=%25')).status, 200, 'a LIKE wildcard is searched for, not expanded');
    assert.deepEqual((await api.get('/advisories?q=%25')).body.items, []);
  });

  it('answers hostile input with a clear problem and writes nothing', async () => {
    const before = await count();
    const cases: [string, unknown, number, RegExp][] = [
      ['not an object', { record: [1, 2] }, 400, /JSON object/],
      ['a string', { record: 'x' }, 400, /JSON object/],
      ['schema error', { record: record({ affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'BOGUS', events: [] }] }] }) }, 400, /affected\/0\/ranges\/0/],
      ['bad vector', { record: record({ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:X' }] }) }, 400, /CVSS:3\.1\/AV:X/],
      ['id with path characters', { record: record({ id: '../../etc/passwd' }) }, 400, /id/],
      ['date that does not parse', { record: record({ published: 'yesterday', modified: 'soon' }) }, 201, /./], // server-set fields are replaced
      ['unknown body field', { record: record(), extra: 1 }, 400, /extra/],
    ];
    let created = 0;
    for (const [what, body, status, message] of cases) {
      const res = await api.post('/advisories', dev, body);
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`);
      if (status === 201) {
        created++;
        continue;
      }
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', what);
      assert.ok(res.body.type.startsWith(PROBLEM), what);
      assert.match(JSON.stringify(res.body), message, what);
    }
    // Built as text: a structure this deep cannot even be serialised by JSON.stringify on the client side.
    const deep = await api.call('POST', '/advisories', dev, `{"record":{"summary":"deep","database_specific":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`, { 'content-type': 'application/json' });
    assert.equal(deep.status, 400, JSON.stringify(deep.body).slice(0, 300));
    assert.match(deep.body.detail, /nested more than 32 levels/);
    const big = await api.call('POST', '/advisories', dev, JSON.stringify({ record: record({ details: 'x'.repeat(10 * 1024 * 1024) }) }), { 'content-type': 'application/json' });
    assert.equal(big.status, 413, 'a 10 MB string is refused before parsing');
    const vector = await api.post('/advisories', dev, { record: record({ severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N' }] }) });
    assert.equal(vector.status, 400);
    assert.ok(vector.body.errors.some((e: { path: string }) => e.path.startsWith('/severity/0')), JSON.stringify(vector.body));
    assert.equal(await count(), before + created, 'nothing else was written');
    assert.equal((await api.get('/advisories/..%2F..%2Fetc')).status, 400);
  });
});
