import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { blobChunkCount } from '../../src/store/attachment.repository.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LIMIT = 1024 * 1024;
const sys = systemPrincipal('system');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Content that is not all one byte, so a chunk out of order would change the hash. */
const content = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 10)) % 251));

describeEachDriver('findings: evidence attachments', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  // Uploads are staged in the temporary folder; this suite's own, so that "nothing left behind" is checkable.
  const staging = mkdtempSync(join(tmpdir(), 'attach-staging-'));
  const clock = new ManualClock('2026-12-03T09:00:00.000Z');
  const org = { lab: '', lab2: '', gov: '' };
  let lab: Caller;
  let labRead: Caller;
  let lab2: Caller;
  let gov: Caller;
  let amber = '';
  let green = '';
  let red = '';

  before(async () => {
    process.env.TMPDIR = staging;
    server = await startTestServer({ driver, listen: false, clock, env: { CLEARINGHOUSE_ATTACHMENT_LIMIT: String(LIMIT) } });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.lab = (await services.organisations.create(sys, { name: 'Evidence Lab', kind: 'ai-developer' })).id;
    org.lab2 = (await services.organisations.create(sys, { name: 'Other Lab', kind: 'ai-developer' })).id;
    org.gov = (await services.organisations.create(sys, { name: 'Evidence CERT', kind: 'government' })).id;
    async function caller(name: string, organisationId: string, scopes: ('read' | 'write')[] = ['read', 'write']): Promise<Caller> {
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', `${name}@attach.example`).executeTakeFirst();
      const userId = existing?.id ?? (await services.users.create(sys, { email: `${name}@attach.example`, name, password: 'attachment test passphrase', memberships: [{ organisationId, roles: ['member'] }] })).user.id;
      return { bearer: (await services.tokens.create(sys, { name: 'test', scopes, forUserId: userId })).secret };
    }
    lab = await caller('lab', org.lab);
    labRead = await caller('lab', org.lab, ['read']);
    lab2 = await caller('lab2', org.lab2);
    gov = await caller('gov', org.gov);
    const make = async (tlp: 'AMBER' | 'GREEN' | 'RED', n: number) =>
      (await services.findings.create(sys, { organisationId: org.lab, title: `Evidence ${n}`, description: 'd', product: { name: `Product ${n}` }, label: { tlp } })).finding.id;
    amber = await make('AMBER', 1);
    green = await make('GREEN', 2);
    red = await make('RED', 3);
  });
  after(() => server.close());

  const rows = async (table: 'attachments' | 'attachment_blobs' | 'attachment_chunks') =>
    Number((await server.container.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const staged = () => readdirSync(staging).filter((f) => f.startsWith('clearinghouse-upload-'));
  const upload = (id: string, c: Caller, body: Buffer | Readable, q = 'filename=poc.bin', headers: Record<string, string> = { 'content-type': 'application/octet-stream' }) =>
    api.call('POST', `/findings/${id}/attachments?${q}`, c, body, headers);

  it('streams an upload into 256 KiB chunks, answers metadata only, and serves it back as a download', async () => {
    const body = content(600 * 1024);
    const res = await upload(amber, lab, body, 'filename=crash%20dump.bin');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['createdAt', 'filename', 'id', 'mediaType', 'sha256', 'size', 'url']);
    assert.equal(res.body.filename, 'crash dump.bin');
    assert.equal(res.body.size, body.length);
    assert.equal(res.body.sha256, sha(body));
    assert.equal(res.body.url, `/api/v1/findings/${amber}/attachments/${res.body.id}`);
    assert.equal(res.headers.location, res.body.url);
    assert.equal(await blobChunkCount(server.container.deps.db, sha(body)), 3, '600 KiB is three 256 KiB chunks');

    const list = await api.get(`/findings/${amber}/attachments`, gov);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((a: any) => a.id), [res.body.id]);

    const raw = await server.app.inject({ method: 'GET', url: res.body.url, headers: { authorization: `Bearer ${gov.bearer}` } });
    assert.equal(raw.statusCode, 200);
    assert.equal(sha(raw.rawPayload), sha(body), 'the same bytes come back, in order');
    assert.equal(raw.headers['content-type'], 'application/octet-stream');
    assert.equal(raw.headers['content-length'], String(body.length));
    assert.match(String(raw.headers['content-disposition']), /^attachment; filename="crash dump.bin"; filename\*=UTF-8''crash%20dump.bin$/);
    assert.equal(raw.headers['x-content-type-options'], 'nosniff');
    assert.equal(raw.headers.etag, `"${sha(body)}"`);
    const again = await server.app.inject({ method: 'GET', url: res.body.url, headers: { authorization: `Bearer ${gov.bearer}`, 'if-none-match': `"${sha(body)}"` } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.rawPayload.length, 0);

    const entry = await server.container.deps.db.selectFrom('audit_log').select(['action', 'record_id', 'label_tlp']).where('action', '=', 'finding.attach').executeTakeFirstOrThrow();
    assert.deepEqual(entry, { action: 'finding.attach', record_id: amber, label_tlp: 'AMBER' });
  });

  it('stores the same content once (SHA-256-addressed) however often and wherever it is attached', async () => {
    const body = content(300 * 1024, 2);
    const blobs = await rows('attachment_blobs');
    const chunks = await rows('attachment_chunks');
    const a = await upload(amber, lab, body, 'filename=a.bin');
    const b = await upload(green, gov, body, 'filename=b.bin');
    assert.equal(a.status, 201);
    assert.equal(b.status, 201, 'coordinators attach evidence too');
    assert.notEqual(a.body.id, b.body.id);
    assert.equal(await rows('attachment_blobs'), blobs + 1);
    assert.equal(await rows('attachment_chunks'), chunks + 2);
  });

  it('keeps only safe media types and sanitises file names', async () => {
    const html = await upload(amber, lab, Buffer.from('<script>alert(1)</script>'), `filename=${encodeURIComponent('../../etc/"evil";.html')}`, { 'content-type': 'text/html' });
    assert.equal(html.status, 201, JSON.stringify(html.body));
    assert.equal(html.body.mediaType, 'application/octet-stream');
    assert.equal(html.body.filename, '_evil__.html');
    const png = await upload(amber, lab, content(100), '', { 'content-type': 'image/png', 'x-filename': encodeURIComponent('schéma.png') });
    assert.equal(png.body.mediaType, 'image/png');
    assert.equal(png.body.filename, 'schéma.png');
    const served = await server.app.inject({ method: 'GET', url: png.body.url, headers: { authorization: `Bearer ${lab.bearer}` } });
    assert.equal(served.headers['content-type'], 'image/png');
    assert.match(String(served.headers['content-disposition']), /filename="sch_ma.png"; filename\*=UTF-8''sch%C3%A9ma.png/);
    const none = await upload(amber, lab, content(10), '', {});
    assert.equal(none.status, 201);
    assert.equal(none.body.filename, 'attachment');
  });

  it('refuses an attachment over the limit with 413 naming it, and leaves nothing behind (declared or streamed)', async () => {
    const before = [await rows('attachments'), await rows('attachment_blobs'), await rows('attachment_chunks')];
    const declared = await upload(amber, lab, content(LIMIT + 1));
    assert.equal(declared.status, 413, JSON.stringify(declared.body));
    assert.equal(declared.body.type, `${PROBLEM}payload-too-large`);
    assert.equal(declared.body.limit, LIMIT);
    assert.match(declared.body.detail, /1 MiB/);
    // Without a Content-Length the cap is met while streaming.
    const chunks = function* () {
      for (let i = 0; i < 20; i++) yield content(128 * 1024, i);
    };
    const streamed = await upload(amber, lab, Readable.from(chunks()));
    assert.equal(streamed.status, 413, JSON.stringify(streamed.body));
    assert.equal(streamed.body.limit, LIMIT);
    assert.deepEqual([await rows('attachments'), await rows('attachment_blobs'), await rows('attachment_chunks')], before);
    assert.deepEqual(staged(), [], 'no temporary file is left');
    const exact = await upload(amber, lab, content(LIMIT, 9));
    assert.equal(exact.status, 201, 'exactly the limit is accepted');
    assert.deepEqual(staged(), []);
  });

  it('refuses an empty body, and answers hidden findings like absent ones, before reading the body', async () => {
    const empty = await upload(amber, lab, Buffer.alloc(0));
    assert.equal(empty.status, 400);
    assert.match(empty.body.detail, /empty/);
    const absent = await upload('00000000-0000-4000-8000-000000000000', lab2, content(10));
    const hidden = await upload(amber, lab2, content(10));
    assert.deepEqual([hidden.status, hidden.body.detail], [absent.status, absent.body.detail]);
    assert.equal(hidden.status, 404);
    const redByGov = await upload(red, gov, content(10));
    assert.deepEqual([redByGov.status, redByGov.body.detail], [404, absent.body.detail], 'RED is the reporter\'s alone');
    assert.equal((await upload(green, lab2, content(10))).status, 403, 'reading is not attaching');
    assert.equal((await upload(amber, labRead, content(10))).status, 403, 'a read-only token');
    assert.equal((await upload(amber, {}, content(10))).status, 401);
    assert.deepEqual(staged(), []);
  });

  it('reads attachments under the finding\'s label: hidden or another finding\'s attachment is absent', async () => {
    const a = await upload(amber, lab, content(50, 5), 'filename=x.bin');
    const list = await api.get(`/findings/${amber}/attachments`, lab2);
    const absentList = await api.get('/findings/00000000-0000-4000-8000-000000000000/attachments', lab2);
    assert.deepEqual([list.status, list.body.detail], [404, absentList.body.detail]);
    const dl = await api.get(a.body.url, lab2);
    const absentDl = await api.get(`/findings/00000000-0000-4000-8000-000000000000/attachments/${a.body.id}`, lab2);
    assert.deepEqual([dl.status, dl.body.detail], [404, absentDl.body.detail]);
    const elsewhere = await api.get(`/findings/${green}/attachments/${a.body.id}`, lab);
    assert.equal(elsewhere.status, 404, 'an attachment is reached only through the record it hangs on');
    assert.equal(elsewhere.body.detail, 'attachment not found');
    const f = await api.get(`/findings/${amber}`, lab);
    assert.ok(!JSON.stringify(f.body).includes('attachment'), 'the finding itself carries no attachment content');
  });
});
