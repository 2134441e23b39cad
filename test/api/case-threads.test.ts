import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { renderMessage, RENDER_VERSION } from '../../src/domain/case-threads/markdown.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { blobChunkCount } from '../../src/store/attachment.repository.ts';
import { benchMessageRow, insertCaseMessages } from '../../src/store/case-thread.repository.ts';
import { ApiClient, PROBLEM, type Caller, type Res } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const ABSENT = '00000000-0000-4000-8000-00000000dead';
const LIMIT = 64 * 1024;
const MINUTE = 60_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Case threads (issue 9): posting with Markdown rendered and sanitised, the coordinators' internal thread hidden from
 * everyone else exactly like an absent thread, unread counts per user and thread, attachments through the evidence
 * store, paging over many messages, and bad input that leaves nothing written.
 */
describeEachDriver('case threads', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const staging = mkdtempSync(join(tmpdir(), 'thread-staging-'));
  const clock = new ManualClock('2026-12-04T09:00:00.000Z');
  const org = { gov: '', gov2: '', lab: '', vendor: '', vendor2: '', stranger: '' };
  const who: Record<string, Caller> = {};
  let caseId = '';
  let redCaseId = '';

  const count = async (table: 'case_messages' | 'audit_log' | 'attachments' | 'attachment_blobs' | 'case_seen_marks') =>
    Number((await server.container.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const tick = () => clock.advance(MINUTE);
  const thread = (id: string, name: string) => `/cases/${id}/threads/${name}`;
  const post = async (c: Caller, name: string, body: unknown, id = caseId) => {
    tick();
    return api.post(`${thread(id, name)}/messages`, c, body);
  };
  const upload = (c: Caller, url: string, data: Buffer, filename: string, type = 'text/plain') =>
    server.app.inject({ method: 'POST', url: `/api/v1${url}?filename=${encodeURIComponent(filename)}`, headers: { authorization: `Bearer ${c.bearer}`, 'content-type': type }, payload: data });
  const summaries = async (c: Caller, id = caseId) => {
    const res = await api.get(`/cases/${id}/threads`, c);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return Object.fromEntries(res.body.items.map((t: any) => [t.name, t]));
  };
  function likeAbsent(res: Res, absent: Res, what: string) {
    assert.equal(res.status, absent.status, `${what}: ${JSON.stringify(res.body)}`);
    assert.deepEqual([res.body.type, res.body.title, res.body.detail], [absent.body.type, absent.body.title, absent.body.detail], what);
  }

  before(async () => {
    process.env.TMPDIR = staging;
    server = await startTestServer({ driver, listen: false, clock, env: { CLEARINGHOUSE_ATTACHMENT_LIMIT: String(LIMIT) } });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.gov = (await services.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.gov2 = (await services.organisations.create(sys, { name: 'Regional CERT', kind: 'government' })).id;
    org.lab = (await services.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'Acme Widgets', kind: 'vendor' })).id;
    org.vendor2 = (await services.organisations.create(sys, { name: 'Bolt Systems', kind: 'vendor' })).id;
    org.stranger = (await services.organisations.create(sys, { name: 'Elsewhere Research', kind: 'researcher' })).id;
    const people: [string, string[], string[]][] = [
      ['gov', [org.gov], ['read', 'write']], ['gov2', [org.gov2], ['read', 'write']], ['lab', [org.lab], ['read', 'write']],
      ['vendor', [org.vendor], ['read', 'write']], ['vendorb', [org.vendor], ['read', 'write']], ['vendor2', [org.vendor2], ['read', 'write']],
      ['stranger', [org.stranger], ['read', 'write']], ['both', [org.gov2, org.vendor], ['read', 'write']],
    ];
    for (const [name, orgs, scopes] of people) {
      const { user } = await services.users.create(sys, { email: `${name}@threads.example`, name: `${name[0]!.toUpperCase()}${name.slice(1)} Person`, password: 'threads test passphrase', memberships: orgs.map((o) => ({ organisationId: o, roles: ['member'] })) });
      who[name] = { bearer: (await services.tokens.create(sys, { name: 'test', scopes: scopes as never, forUserId: user.id })).secret };
      if (name === 'vendor') who.vendorRead = { bearer: (await services.tokens.create(sys, { name: 'ro', scopes: ['read'], forUserId: user.id })).secret };
    }
    const finding = async (n: number) =>
      (await services.findings.create(sys, { organisationId: org.lab, title: `Thread finding ${n}`, description: 'd', product: { purl: `pkg:npm/thread-widget-${n}`, name: 'Widget' }, location: `src/a${n}.ts:1`, label: { tlp: 'AMBER' } } as never)).finding.id;
    const open = async (n: number, tlp: string) => {
      const res = await api.post('/cases', who.gov!, { title: `Threaded case ${n}`, findingIds: [await finding(n)], label: { tlp } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      for (const o of [org.vendor, org.vendor2]) assert.equal((await api.post(`/cases/${res.body.id}/participants`, who.gov!, { organisationId: o, role: 'vendor' })).status, 200);
      return res.body.id as string;
    };
    caseId = await open(1, 'AMBER');
    redCaseId = await open(2, 'RED');
  });
  after(() => server.close());

  it('a coordinator posts; every participant reads it with its author, organisation, role and time; audited under the case\'s label', async () => {
    const audits = await count('audit_log');
    const res = await post(who.gov!, 'participants', { body: 'We have **reproduced** the issue.\n\nPlease confirm the affected versions.' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const m = res.body;
    assert.equal(m.thread, 'participants');
    assert.deepEqual(m.author, { name: 'Gov Person', organisationId: org.gov, organisationName: 'National CERT', role: 'coordinator', you: true });
    assert.equal(m.createdAt, clock.now().toISOString());
    assert.equal(m.html, '<p>We have <strong>reproduced</strong> the issue.</p>\n<p>Please confirm the affected versions.</p>\n');
    assert.equal(m.unread, false);
    assert.equal(m.canAttach, true);
    for (const reader of ['vendor', 'vendor2', 'lab', 'gov2']) {
      const page = await api.get(`${thread(caseId, 'participants')}/messages`, who[reader]!);
      assert.equal(page.status, 200, `${reader}: ${JSON.stringify(page.body)}`);
      const seen = page.body.items.find((x: any) => x.id === m.id);
      assert.ok(seen, `${reader} reads the message`);
      assert.equal(seen.author.you, false);
      assert.equal(seen.canAttach, false);
    }
    assert.equal((await api.get(`${thread(caseId, 'participants')}/messages`, who.stranger!)).status, 404, 'not a participant: the case is absent');
    assert.equal(await count('audit_log'), audits + 1);
    const entry = await server.container.deps.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.deepEqual([entry.action, entry.record_type, entry.record_id, entry.organisation_id, entry.label_owner, entry.label_tlp], ['case.message.post', 'case', caseId, org.gov, org.gov, 'AMBER']);
    assert.ok(entry.label_embargo_until, 'the case\'s embargo (its public date) is on the entry');
  });

  it('Markdown is rendered and sanitised: script tags, event handlers, javascript: and data: links, raw HTML and images are neutralised', async () => {
    const nasty = [
      '# Heading',
      '<script>alert("x")</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(2)" onclick="steal()">raw link</a>',
      '[click](javascript:alert(3)) [case](JaVaScRiPt:alert(4)) [tab](java\tscript:alert(5)) [data](data:text/html;base64,PHNjcmlwdD4=)',
      '<javascript:alert(6)> [proto](//evil.example/x)',
      '![pixel](https://tracker.example/p.png)',
      '[ok](https://example.com/advisory "Advisory") and https://example.org/auto',
      '<div style="position:fixed" onmouseover="x()">styled</div>',
      '```\n<b>kept as code</b>\n```',
    ].join('\n\n');
    const res = await post(who.vendor!, 'participants', { body: nasty });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const html: string = res.body.html;
    assert.equal(res.body.body, nasty, 'the source is kept as written');
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<div/i);
    // Inside real tags (text is escaped, so every "<" in the HTML opens one):
    assert.doesNotMatch(html, /<[a-z][^>]*\son[a-z]+=/i, 'no event handler attribute');
    assert.doesNotMatch(html, /<a\s[^>]*href="(?:javascript|data|vbscript):/i);
    assert.doesNotMatch(html, /<a\s[^>]*href="\/\//, 'no protocol-relative link');
    assert.doesNotMatch(html, /<[a-z][^>]*\sstyle=/i, 'no style attribute');
    assert.deepEqual([...new Set((html.match(/<[a-z0-9]+/g) ?? []).map((t) => t.slice(1)))].sort(), ['a', 'code', 'h4', 'p', 'pre'], 'only allowed tags');
    assert.match(html, /&lt;script&gt;alert\(/, 'raw HTML is shown as text');
    assert.match(html, /<h4>Heading<\/h4>/, 'headings start below the page\'s own');
    assert.match(html, /<a href="https:\/\/example.com\/advisory" title="Advisory" rel="noopener noreferrer nofollow">ok<\/a>/);
    assert.match(html, /<a href="https:\/\/example.org\/auto" rel="noopener noreferrer nofollow">/);
    assert.match(html, /<pre><code>&lt;b&gt;kept as code&lt;\/b&gt;/);
    for (const a of html.match(/<a [^>]*>/g) ?? []) assert.match(a, /rel="noopener noreferrer nofollow"/, a);
    // The preview is the same rendering, and stores nothing.
    const before = await count('case_messages');
    const preview = await api.post(`${thread(caseId, 'participants')}/preview`, who.vendor!, { body: nasty });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.html, html);
    assert.equal(await count('case_messages'), before);
  });

  it('the internal thread: coordinators who read the case read and write it; vendors and reporters get exactly the answer of an absent thread', async () => {
    const note = await post(who.gov!, 'internal', { body: 'Vendor 2 has not answered in 30 days; consider publishing without them.' });
    assert.equal(note.status, 201, JSON.stringify(note.body));
    assert.equal(note.body.thread, 'internal');
    const entry = await server.container.deps.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.deepEqual([entry.action, entry.record_type, entry.record_id, entry.organisation_id, entry.label_owner, entry.label_tlp], ['case.message.post', 'case-message', note.body.id, org.gov, org.gov, 'RED'], 'only the writing coordinators\' organisation reads the entry');
    // A coordinator of another government organisation reads the AMBER case, so its internal thread too.
    const gov2 = await api.get(`${thread(caseId, 'internal')}/messages`, who.gov2!);
    assert.equal(gov2.status, 200);
    assert.deepEqual(gov2.body.items.map((m: any) => m.id), [note.body.id]);
    assert.equal(gov2.body.items[0].author.role, 'coordinator');
    const answer = await post(who.gov2!, 'internal', { body: 'Agreed.', replyTo: note.body.id });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.author.role, null, 'Regional CERT writes without taking part in the case');
    assert.deepEqual(Object.keys(await summaries(who.gov!)).sort(), ['internal', 'participants']);

    for (const name of ['vendor', 'vendor2', 'lab']) {
      const c = who[name]!;
      assert.deepEqual(Object.keys(await summaries(c)), ['participants'], `${name} lists only the participants' thread`);
      const pairs: [string, () => Promise<Res>, () => Promise<Res>][] = [
        ['list', () => api.get(`${thread(caseId, 'internal')}/messages`, c), () => api.get(`${thread(caseId, 'nonesuch')}/messages`, c)],
        ['post', () => api.post(`${thread(caseId, 'internal')}/messages`, c, { body: 'hello?' }), () => api.post(`${thread(caseId, 'nonesuch')}/messages`, c, { body: 'hello?' })],
        ['seen', () => api.post(`${thread(caseId, 'internal')}/seen`, c, {}), () => api.post(`${thread(caseId, 'nonesuch')}/seen`, c, {})],
        ['preview', () => api.post(`${thread(caseId, 'internal')}/preview`, c, { body: 'x' }), () => api.post(`${thread(caseId, 'nonesuch')}/preview`, c, { body: 'x' })],
        ['upload', async () => toRes(await upload(c, `${thread(caseId, 'internal')}/messages/${note.body.id}/attachments`, Buffer.from('x'), 'x.txt')), async () => toRes(await upload(c, `${thread(caseId, 'nonesuch')}/messages/${note.body.id}/attachments`, Buffer.from('x'), 'x.txt'))],
      ];
      for (const [what, hidden, absent] of pairs) {
        const h = await hidden();
        assert.equal(h.status, 404, `${name} ${what}`);
        likeAbsent(h, await absent(), `${name} ${what} internal`);
        assert.doesNotMatch(JSON.stringify(h.body), /30 days|Agreed/);
      }
      // Through the participants' thread an internal message is an absent message.
      const via = await api.get(`${thread(caseId, 'participants')}/messages?limit=200`, c);
      assert.ok(!via.body.items.some((m: any) => m.thread === 'internal' || m.id === note.body.id), `${name}: no internal message in the participants' thread`);
      likeAbsent(
        toRes(await upload(c, `${thread(caseId, 'participants')}/messages/${note.body.id}/attachments`, Buffer.from('x'), 'x.txt')),
        toRes(await upload(c, `${thread(caseId, 'participants')}/messages/${ABSENT}/attachments`, Buffer.from('x'), 'x.txt')),
        `${name} uploads to an internal message through the participants' thread`,
      );
    }
    // A participant who also belongs to a government organisation that is not on a RED case reads the case (through
    // the vendor) but not its internal thread; that organisation's own members do not read the case at all.
    const red = await post(who.gov!, 'internal', { body: 'RED internal note' }, redCaseId);
    assert.equal(red.status, 201);
    assert.deepEqual(Object.keys(await summaries(who.both!, redCaseId)), ['participants']);
    likeAbsent(await api.get(`${thread(redCaseId, 'internal')}/messages`, who.both!), await api.get(`${thread(redCaseId, 'nonesuch')}/messages`, who.both!), 'RED case internal thread, through a vendor');
    assert.deepEqual(Object.keys(await summaries(who.both!)).sort(), ['internal', 'participants'], 'the AMBER case\'s internal thread: Regional CERT reads the case itself');
    const stranger = await api.get(`${thread(redCaseId, 'internal')}/messages`, who.gov2!);
    likeAbsent(stranger, await api.get(`${thread(ABSENT, 'internal')}/messages`, who.gov2!), 'a RED case Regional CERT is not on');
  });

  it('unread counts per user and per thread, over what each may read; marking a thread seen up to the newest message shown', async () => {
    const start = { vendor: (await summaries(who.vendor!)).participants, vendorb: (await summaries(who.vendorb!)).participants, gov: await summaries(who.gov!) };
    const posted: string[] = [];
    for (let i = 0; i < 3; i++) posted.push((await post(who.gov!, 'participants', { body: `Update ${i}` })).body.id);
    const internal = await post(who.gov!, 'internal', { body: 'internal only' });
    assert.equal(internal.status, 201);
    const vendor = (await summaries(who.vendor!)).participants;
    assert.equal(vendor.unread, start.vendor.unread + 3, 'three new messages for the vendor; the internal note is not counted');
    assert.equal(vendor.total, start.vendor.total + 3);
    // The vendor reads the newest page and marks it seen up to the newest message it was shown.
    const page = await api.get(`${thread(caseId, 'participants')}/messages?limit=2`, who.vendor!);
    assert.deepEqual(page.body.items.map((m: any) => m.id), [posted[2], posted[1]], 'newest first');
    assert.ok(page.body.items.every((m: any) => m.unread));
    assert.equal(page.body.unread, vendor.unread);
    const seen = await api.post(`${thread(caseId, 'participants')}/seen`, who.vendor!, { upTo: page.body.items[0].id });
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.deepEqual([seen.body.thread, seen.body.seenAt, seen.body.unread], ['participants', page.body.items[0].createdAt, 0]);
    assert.equal((await summaries(who.vendor!)).participants.unread, 0);
    assert.equal((await summaries(who.vendorb!)).participants.unread, start.vendorb.unread + 3, 'marks are per user, even in the same organisation');
    const after = await api.get(`${thread(caseId, 'participants')}/messages?limit=2`, who.vendor!);
    assert.ok(after.body.items.every((m: any) => !m.unread));
    // The vendor replies: new for the coordinator, never for its author.
    tick();
    const reply = await post(who.vendor!, 'participants', { body: 'Confirmed: 2.x is affected.', replyTo: posted[2] });
    assert.equal(reply.status, 201);
    assert.equal(reply.body.replyTo, posted[2]);
    assert.equal((await summaries(who.vendor!)).participants.unread, 0, 'your own message is not unread');
    const gov = await summaries(who.gov!);
    assert.equal(gov.participants.unread, start.gov.participants.unread + 1, 'the coordinator has the reply to read (its own posts never count)');
    assert.equal(gov.internal.unread, start.gov.internal.unread, 'its own internal note is not unread for it');
    const gov2 = (await summaries(who.gov2!)).internal;
    assert.ok(gov2.unread >= 1, 'the other coordinator has the internal note to read');
    // A mark never moves back; an unknown upTo is a 400 that writes nothing.
    const marks = await count('case_seen_marks');
    const back = await api.post(`${thread(caseId, 'participants')}/seen`, who.vendor!, { upTo: posted[0] });
    assert.equal(back.body.seenAt, seen.body.seenAt);
    const bad = await api.post(`${thread(caseId, 'participants')}/seen`, who.vendor!, { upTo: internal.body.id });
    assert.deepEqual([bad.status, bad.body.field], [400, 'upTo']);
    assert.equal(await count('case_seen_marks'), marks);
    assert.equal((await api.post(`${thread(caseId, 'participants')}/seen`, who.vendorRead!, {})).status, 403, 'a read-only token does not mark');
  });

  it('attachments: the author attaches right after posting, readers of the thread download, over the limit is a 413 that stores nothing', async () => {
    const m = (await post(who.gov!, 'participants', { body: 'Proof of concept attached.' })).body;
    const data = Buffer.from('GET /admin HTTP/1.1\r\nCookie: session=forged\r\n\r\n');
    const url = `${thread(caseId, 'participants')}/messages/${m.id}/attachments`;
    const up = await upload(who.gov!, url, data, 'poc.http');
    assert.equal(up.statusCode, 201, up.body);
    const a = JSON.parse(up.body);
    assert.deepEqual([a.filename, a.size, a.sha256, a.url], ['poc.http', data.length, sha(data), `/api/v1${url}/${a.id}`]);
    assert.equal('content' in a, false, 'never inlined');
    const page = await api.get(`${thread(caseId, 'participants')}/messages?limit=1`, who.vendor2!);
    assert.deepEqual(page.body.items[0].attachments.map((x: any) => x.id), [a.id]);
    const down = await server.app.inject({ method: 'GET', url: a.url, headers: { authorization: `Bearer ${who.vendor2!.bearer}` } });
    assert.equal(down.statusCode, 200);
    assert.equal(sha(down.rawPayload), sha(data));
    assert.match(String(down.headers['content-disposition']), /^attachment/);
    assert.equal(down.headers['x-content-type-options'], 'nosniff');
    assert.equal((await server.app.inject({ method: 'GET', url: a.url, headers: { authorization: `Bearer ${who.stranger!.bearer}` } })).statusCode, 404);
    // Another attachment id on this message, or this attachment under another message: absent.
    const other = (await post(who.gov!, 'participants', { body: 'no files here' })).body;
    const wrongMessage = await api.get(`${thread(caseId, 'participants')}/messages/${other.id}/attachments/${a.id}`, who.vendor!);
    likeAbsent(wrongMessage, await api.get(`${thread(caseId, 'participants')}/messages/${other.id}/attachments/${ABSENT}`, who.vendor!), 'an attachment of another message');

    // Only the author; only within the window.
    const notMine = await upload(who.vendor!, url, data, 'x.txt');
    assert.equal(notMine.statusCode, 403, notMine.body);
    const before = [await count('attachments'), await count('attachment_blobs'), await count('audit_log')];
    const big = Buffer.alloc(LIMIT + 1, 7);
    const tooBig = await upload(who.gov!, url, big, 'big.bin', 'application/octet-stream');
    assert.equal(tooBig.statusCode, 413, tooBig.body);
    assert.equal(JSON.parse(tooBig.body).type, `${PROBLEM}payload-too-large`);
    assert.equal(await blobChunkCount(server.container.deps.db, sha(big)), null);
    assert.deepEqual([await count('attachments'), await count('attachment_blobs'), await count('audit_log')], before, 'nothing written');
    assert.deepEqual(readdirSync(staging).filter((f) => f.startsWith('clearinghouse-upload-')), [], 'no staged file left behind');
    clock.advance(31 * MINUTE);
    const late = await upload(who.gov!, url, data, 'late.txt');
    assert.equal(late.statusCode, 403, late.body);
    assert.match(JSON.parse(late.body).detail, /within 30 minutes/);
    // Internal notes' files are the internal thread's: coordinators only.
    const note = (await post(who.gov!, 'internal', { body: 'internal evidence' })).body;
    const secret = await upload(who.gov!, `${thread(caseId, 'internal')}/messages/${note.id}/attachments`, Buffer.from('coordinators only'), 'notes.txt');
    assert.equal(secret.statusCode, 201);
    const s = JSON.parse(secret.body);
    assert.equal((await server.app.inject({ method: 'GET', url: s.url, headers: { authorization: `Bearer ${who.gov2!.bearer}` } })).statusCode, 200);
    for (const name of ['vendor', 'lab']) {
      const hidden = await api.get(s.url, who[name]!);
      likeAbsent(hidden, await api.get(`${thread(caseId, 'nonesuch')}/messages/${note.id}/attachments/${s.id}`, who[name]!), `${name} downloads an internal file`);
      const viaParticipants = await api.get(`${thread(caseId, 'participants')}/messages/${note.id}/attachments/${s.id}`, who[name]!);
      likeAbsent(viaParticipants, await api.get(`${thread(caseId, 'participants')}/messages/${ABSENT}/attachments/${s.id}`, who[name]!), `${name} downloads an internal file through the participants' thread`);
    }
    const entry = await server.container.deps.db.selectFrom('audit_log').selectAll().where('action', '=', 'case.message.attach').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.deepEqual([entry.record_type, entry.label_tlp, entry.organisation_id], ['case-message', 'RED', org.gov]);
  });

  it('paging over many messages: newest or oldest first, every message exactly once, with a cursor', async () => {
    const { db } = server.container.deps;
    const c = await server.container.services.cases.readable(sys, redCaseId);
    const author = { userId: null, name: 'Bench', organisationId: org.vendor, organisationName: 'Acme Widgets', role: 'vendor' };
    const base = clock.now().getTime();
    // 460 messages, two at each instant, so the keyset's tie-break (seq) is exercised at every page boundary.
    const rows = Array.from({ length: 460 }, (_, i) => benchMessageRow(c.seq, 'participants', author, `bulk ${i}`, renderMessage(`bulk ${i}`), RENDER_VERSION, new Date(base - (460 - i) * 1000 + (i % 2)).toISOString()));
    for (let i = 0; i < rows.length; i += 2) rows[i + 1]!.created_at = rows[i]!.created_at;
    await db.transaction().execute((tx) => insertCaseMessages(tx, rows));
    const all = (await api.get(`${thread(redCaseId, 'participants')}/messages?limit=1`, who.vendor!)).body.total;
    for (const order of ['newest', 'oldest']) {
      const seen: any[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Res = await api.get(`${thread(redCaseId, 'participants')}/messages?order=${order}&limit=37${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, who.vendor!);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.ok(res.body.items.length <= 37);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(seen.length, all, `${order}: every message`);
      assert.equal(new Set(seen.map((m) => m.id)).size, all, `${order}: none twice`);
      assert.equal(pages, Math.ceil(all / 37));
      const times = seen.map((m) => m.createdAt);
      const sortedTimes = [...times].sort();
      assert.deepEqual(times, order === 'oldest' ? sortedTimes : sortedTimes.reverse(), `${order}: in order`);
      const bulk = seen.filter((m) => m.body.startsWith('bulk ')).map((m) => Number(m.body.slice(5)));
      const want = Array.from({ length: 460 }, (_, i) => i);
      assert.deepEqual(bulk, order === 'oldest' ? want : want.reverse(), `${order}: messages of one instant in posting order`);
    }
    assert.equal((await summaries(who.vendor!, redCaseId)).participants.total, all);
  });

  it('bad input: a clear problem naming the field, and nothing written', async () => {
    const url = `${thread(caseId, 'participants')}/messages`;
    const before = [await count('case_messages'), await count('audit_log')];
    const cases: [unknown, string | RegExp, string][] = [
      [{ body: '   \n  ' }, 'body', 'blank'],
      [{ body: 'x'.repeat(20_001) }, 'body', 'too long'],
      [{ body: 'ok', extra: 1 }, /extra|additional/i, 'unknown field'],
      [{ body: 'ok', replyTo: ABSENT }, 'replyTo', 'absent parent'],
      [{ body: 'ok', organisationId: org.lab }, 'organisationId', 'not my organisation'],
      [{}, 'body', 'missing'],
    ];
    for (const [body, field, what] of cases) {
      const res = await post(who.vendor!, 'participants', body);
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.type, `${PROBLEM}invalid-input`, what);
      assert.match(JSON.stringify(res.body), typeof field === 'string' ? new RegExp(field) : field, what);
    }
    // A reply to a message of the internal thread reads as a reply to an absent message.
    const internal = (await api.get(`${thread(caseId, 'internal')}/messages?limit=1`, who.gov!)).body.items[0].id;
    const crossed = await post(who.gov!, 'participants', { body: 'leak?', replyTo: internal });
    const absent = await post(who.gov!, 'participants', { body: 'leak?', replyTo: ABSENT });
    assert.equal(crossed.status, 400);
    assert.equal(crossed.body.detail.replace(internal, 'ID'), absent.body.detail.replace(ABSENT, 'ID'));
    for (const q of ['order=sideways', 'limit=0', 'limit=201', 'cursor=not-a-cursor']) {
      const res = await api.get(`${url}?${q}`, who.vendor!);
      assert.equal(res.status, 400, `${q}: ${JSON.stringify(res.body)}`);
    }
    assert.equal((await post(who.vendorRead!, 'participants', { body: 'read-only' })).status, 403);
    assert.equal((await post(who.stranger!, 'participants', { body: 'hello' })).status, 404);
    assert.deepEqual([await count('case_messages'), await count('audit_log')], before, 'nothing written');
    // A closed case keeps its threads as they are.
    await server.container.deps.db.updateTable('cases').set({ state: 'closed' }).where('id', '=', caseId).execute();
    try {
      const closed = await post(who.vendor!, 'participants', { body: 'too late' });
      assert.equal(closed.status, 409, JSON.stringify(closed.body));
      assert.equal((await summaries(who.vendor!)).participants.canPost, false);
    } finally {
      await server.container.deps.db.updateTable('cases').set({ state: 'open' }).where('id', '=', caseId).execute();
    }
    assert.deepEqual([await count('case_messages'), await count('audit_log')], before, 'nothing written');
  });
});

// The server started by bin/clearinghouse.mjs registers tsx in-process (no --import tsx for workers to inherit): the
// render thread must still load there, and render exactly what the in-process renderer does.
it('the Markdown render thread loads in a process that registered tsx in-process, as bin/clearinghouse.mjs does', () => {
  const pool = new URL('../../src/services/workers/message-render.pool.ts', import.meta.url).href;
  const script = `
    import { register } from 'tsx/esm/api';
    register();
    const { renderMessages } = await import(${JSON.stringify(pool)});
    console.log(JSON.stringify(await renderMessages(['**bold** <script>x</script>', '[x](javascript:alert(1))'])));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' }, cwd: new URL('../../', import.meta.url).pathname });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), [renderMessage('**bold** <script>x</script>'), renderMessage('[x](javascript:alert(1))')]);
});

function toRes(r: { statusCode: number; body: string; headers: any }): Res {
  let body: unknown = r.body;
  try {
    body = JSON.parse(r.body);
  } catch {
    // not JSON
  }
  return { status: r.statusCode, body, headers: r.headers };
}
