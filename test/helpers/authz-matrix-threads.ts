/**
 * Authorisation matrix entries for the case-thread routes (issue 9). The rule is written out by hand here
 * (`seesCase`, `seesInternal`, `postsIn`), never by calling the policy under test.
 *
 * Targets, made afresh by each entry and removed again when it ends (so no other entry ever sees them): cases owned by
 * the vendor home organisation at a spread of labels, with the infrastructure operator's organisation taking part as a
 * vendor, and some with the government organisation taking part as coordinator (a RED case among them: only then do
 * the coordinators read it). Each case holds one message in each thread, each with one file; the participants'
 * message is the vendor member's, the internal note the government member's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RENDER_VERSION, renderMessage } from '../../src/domain/case-threads/markdown.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { benchMessageRow, insertCaseMessages } from '../../src/store/case-thread.repository.ts';
import type { Res } from './api-client.ts';
import { ABSENT_ID, EMBARGO, ROLE, assertLikeAbsent, assertNoLeak, seesRecord, sorted, walk, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

type Thread = 'participants' | 'internal';
const THREADS: Thread[] = ['participants', 'internal'];

interface ThreadTarget extends Label {
  id: string;
  seq: number;
  owner: string;
  sharedWith: string[];
  marker: string;
  messages: Record<Thread, { id: string; marker: string; attachment: string; sha256: string }>;
}

let markerSeq = 0;
const marker = () => `thrmx${String(markerSeq++).padStart(3, '0')}z`;

const LABELS_A: Label[] = [
  { tlp: 'CLEAR', embargo: 'none', restricted: false },
  { tlp: 'GREEN', embargo: 'running', restricted: false },
  { tlp: 'GREEN', embargo: 'lapsed', restricted: true },
  { tlp: 'AMBER', embargo: 'none', restricted: false },
  { tlp: 'AMBER+STRICT', embargo: 'running', restricted: false },
  { tlp: 'RED', embargo: 'none', restricted: false },
  { tlp: 'RED', embargo: 'lapsed', restricted: true },
];
/** With the government organisation taking part. */
const LABELS_B: Label[] = [
  { tlp: 'AMBER', embargo: 'running', restricted: false },
  { tlp: 'RED', embargo: 'running', restricted: false },
  { tlp: 'RED', embargo: 'none', restricted: true },
];

/** The case's read rule by hand: its label, the participants reading as the owner does. */
function seesCase(r: Reader, t: ThreadTarget): boolean {
  const through = r.orgs.find((o) => o === t.owner || t.sharedWith.includes(o));
  return seesRecord(r, { ...t, owner: through ?? t.owner });
}

/** The internal thread: the case's label read through the reader's government memberships alone. */
function seesInternal(w: World, r: Reader, t: ThreadTarget): boolean {
  const gov = r.orgs.filter((o) => o === w.homes.get('government'));
  if (!gov.length) return false;
  return seesCase({ ...r, orgs: gov, coordinator: true }, t);
}

const seesThread = (w: World, r: Reader, t: ThreadTarget, thread: Thread) => seesCase(r, t) && (thread === 'participants' || seesInternal(w, r, t));

/** Who posts: a member of a participant organisation in the participants' thread; whoever reads the internal thread in it. */
const postsIn = (w: World, r: Reader, t: ThreadTarget, thread: Thread) =>
  thread === 'internal' ? seesInternal(w, r, t) : seesCase(r, t) && r.orgs.some((o) => o === t.owner || t.sharedWith.includes(o));

function hiddenMarkers(w: World, targets: ThreadTarget[], r: Reader): string[] {
  return targets.flatMap((t) => [
    ...(seesCase(r, t) ? [] : [t.id, t.marker]),
    ...THREADS.filter((th) => !seesThread(w, r, t, th)).flatMap((th) => [t.messages[th].id, t.messages[th].marker, t.messages[th].attachment, t.messages[th].sha256]),
  ]);
}

async function withTargets(w: World, fn: (targets: ThreadTarget[]) => Promise<void>): Promise<void> {
  const { db } = w.server.container.deps;
  const { attachments } = w.server.container.services;
  const sys = systemPrincipal('system');
  const vendor = w.homes.get('vendor')!;
  const operator = w.homes.get('infrastructure-operator')!;
  const government = w.homes.get('government')!;
  const authors: Record<Thread, Reader> = { participants: w.reader('vendor-member'), internal: w.reader('government-member') };
  const targets: ThreadTarget[] = [];
  const specs = [...LABELS_A.map((l) => ({ l, shares: [operator] })), ...LABELS_B.map((l) => ({ l, shares: [operator, government] }))];
  try {
    for (const { l, shares } of specs) {
      const at = w.clock.now().toISOString();
      const m = marker();
      const id = randomUUID();
      const r = await db
        .insertInto('cases')
        .values({
          id, owner_org_id: vendor, tlp: l.tlp, embargo_until: EMBARGO[l.embargo], restricted_role: l.restricted ? ROLE : null, title: `Matrix thread case ${m}`, summary: m,
          state: 'open', public_date: '2027-06-01T00:00:00.000Z', actively_exploited: 0, advisory_id: null, opened_by: null, closed_at: null, version: 1, created_at: at, updated_at: at,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      const seq = Number(r.seq);
      const participants: [string, string][] = [[vendor, 'vendor'], ...shares.map((o): [string, string] => [o, o === government ? 'coordinator' : 'vendor'])];
      for (const [o, role] of participants) await db.insertInto('case_participants').values({ case_seq: seq, organisation_id: o, role, added_by: null, added_at: at }).execute();
      const messages = {} as ThreadTarget['messages'];
      for (const thread of THREADS) {
        const mm = marker();
        const a = authors[thread];
        const row = benchMessageRow(seq, thread, { userId: a.userId, name: a.name, organisationId: a.homeOrg!, organisationName: a.name, role: thread === 'internal' ? null : 'vendor' }, `message ${mm}`, renderMessage(`message ${mm}`), RENDER_VERSION, at);
        await db.transaction().execute((tx) => insertCaseMessages(tx, [row]));
        const file = await attachments.withStaged(Buffer.from(`matrix file ${mm}`), { filename: `${mm}.txt`, mediaType: 'text/plain' }, (staged) =>
          db.transaction().execute((tx) => attachments.store(tx, staged, { caseMessageId: row.id }, sys, at)));
        messages[thread] = { id: row.id, marker: mm, attachment: file.id, sha256: file.sha256 };
      }
      targets.push({ id, seq, owner: vendor, sharedWith: shares, marker: m, messages, ...l });
    }
    await fn(targets);
  } finally {
    const seqs = targets.map((t) => t.seq);
    if (seqs.length) {
      const ids = (await db.selectFrom('case_messages').select('id').where('case_seq', 'in', seqs).execute()).map((x) => x.id);
      const shas = ids.length ? (await db.selectFrom('attachments').select('sha256').where('case_message_id', 'in', ids).execute()).map((x) => x.sha256) : [];
      if (ids.length) await db.deleteFrom('attachments').where('case_message_id', 'in', ids).execute();
      for (const s of new Set(shas)) {
        const used = await db.selectFrom('attachments').select('id').where('sha256', '=', s).executeTakeFirst();
        if (!used) await db.deleteFrom('attachment_blobs').where('sha256', '=', s).execute();
      }
      await db.deleteFrom('cases').where('seq', 'in', seqs).execute();
    }
  }
}

/**
 * Every reader against every target case and thread: visible ones `check`ed; a case the reader may not read answers
 * as an absent case, a thread it may not read (the internal one) as an absent thread of that case.
 */
async function probe(
  w: World,
  send: (r: Reader, caseId: string, thread: string, t: ThreadTarget) => Promise<Res>,
  check: (r: Reader, t: ThreadTarget, thread: Thread, res: Res) => void | Promise<void>,
  what: string,
): Promise<void> {
  await withTargets(w, async (targets) => {
    assert.ok(w.readers.some((r) => targets.some((t) => seesInternal(w, r, t))), 'some readers read an internal thread');
    assert.ok(w.readers.some((r) => targets.some((t) => seesCase(r, t) && !seesInternal(w, r, t))), 'some readers read a case but not its internal thread');
    for (const r of w.readers) {
      const markers = hiddenMarkers(w, targets, r);
      const absentCase = await send(r, ABSENT_ID, 'participants', targets[0]!);
      await Promise.all(targets.flatMap((t) => THREADS.map(async (thread) => {
        const res = await send(r, t.id, thread, t);
        const label = `${r.name} ${what} ${thread} of ${t.marker} (${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''}${t.sharedWith.length > 1 ? ', coordinators on it' : ''})`;
        if (r.anonymous) assert.equal(res.status, 401, label);
        else if (!seesCase(r, t)) assertLikeAbsent(res, absentCase, `${label}: an absent case`);
        else if (!seesThread(w, r, t, thread)) assertLikeAbsent(res, await send(r, t.id, 'nonesuch', t), `${label}: an absent thread`);
        else await check(r, t, thread, res);
        assertNoLeak(res, markers, label);
      })));
    }
  });
}

const upload = (w: World, r: Reader, path: string) => w.api.call('POST', path, r.caller, Buffer.from('matrix upload'), { 'content-type': 'text/plain' });

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/cases/:id/threads',
    rule: 'readers of the case: the participants\' thread, and the internal one for coordinators who read the case through their government organisation; counts over those only; others: an absent case',
    async check(w) {
      await withTargets(w, async (targets) => {
        for (const r of w.readers) {
          const markers = hiddenMarkers(w, targets, r);
          const absent = await w.api.get(`/cases/${ABSENT_ID}/threads`, r.caller);
          await Promise.all(targets.map(async (t) => {
            const res = await w.api.get(`/cases/${t.id}/threads`, r.caller);
            if (r.anonymous) assert.equal(res.status, 401);
            else if (!seesCase(r, t)) assertLikeAbsent(res, absent, `${r.name} threads of hidden ${t.marker}`);
            else {
              assert.equal(res.status, 200, `${r.name} threads of ${t.marker}: ${JSON.stringify(res.body)}`);
              const want = THREADS.filter((th) => seesThread(w, r, t, th));
              assert.deepEqual(res.body.items.map((x: any) => x.name), want, `${r.name} threads of ${t.marker}`);
              for (const x of res.body.items) {
                assert.equal(x.total, 1, `${r.name} ${x.name} of ${t.marker}: one message`);
                assert.equal(x.canPost, postsIn(w, r, t, x.name), `${r.name} may post in ${x.name} of ${t.marker}`);
              }
            }
            assertNoLeak(res, markers, `${r.name} GET threads of ${t.marker}`);
          }));
        }
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/threads/:thread/messages',
    rule: 'readers of the thread: exactly its messages, page by page; a hidden case reads as absent, the internal thread as an absent thread to non-coordinators',
    async check(w) {
      await probe(w, (r, id, thread) => w.api.get(`/cases/${id}/threads/${thread}/messages`, r.caller), async (r, t, thread, res) => {
        assert.equal(res.status, 200, `${r.name} reads ${thread} of ${t.marker}: ${JSON.stringify(res.body)}`);
        const { items } = await walk(w, `/cases/${t.id}/threads/${thread}/messages`, r, 1);
        assert.deepEqual(sorted(items.map((m: any) => m.id)), [t.messages[thread].id], `${r.name} ${thread} of ${t.marker}`);
        assert.deepEqual(items[0].attachments.map((a: any) => a.id), [t.messages[thread].attachment]);
      }, 'GET messages');
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/threads/:thread/messages',
    rule: 'write scope; members of participant organisations in the participants\' thread (other readers 403), coordinators who read the case in the internal one; hidden reads as absent and writes nothing',
    async check(w) {
      const { db } = w.server.container.deps;
      await probe(w, (r, id, thread) => w.api.post(`/cases/${id}/threads/${thread}/messages`, r.caller, { body: 'matrix post' }), (r, t, thread, res) => {
        assert.equal(res.status, postsIn(w, r, t, thread) ? 201 : 403, `${r.name} posts in ${thread} of ${t.marker}: ${JSON.stringify(res.body)}`);
      }, 'POST message');
      // withTargets removed the cases and all their messages; nothing was written anywhere else.
      const stray = await db.selectFrom('case_messages').select('id').where('body', '=', 'matrix post').execute();
      assert.deepEqual(stray, []);
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/threads/:thread/seen',
    rule: 'write scope; any reader of the thread marks it for themselves; hidden reads as absent and marks nothing',
    async check(w) {
      const { db } = w.server.container.deps;
      await probe(w, (r, id, thread) => w.api.post(`/cases/${id}/threads/${thread}/seen`, r.caller, {}), async (r, t, thread, res) => {
        assert.equal(res.status, 200, `${r.name} marks ${thread} of ${t.marker} seen: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.unread, 0);
        const marks = await db.selectFrom('case_seen_marks').select('key').where('user_id', '=', r.userId!).where('case_seq', '=', t.seq).execute();
        assert.ok(marks.some((m) => m.key === `thread:${thread}`));
        const hiddenKeys = marks.filter((m) => m.key === 'thread:internal' && !seesInternal(w, r, t));
        assert.deepEqual(hiddenKeys, [], `${r.name} left no mark on a hidden internal thread`);
      }, 'POST seen');
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/threads/:thread/preview',
    rule: 'readers of the thread (a query: nothing is stored); hidden reads as absent',
    async check(w) {
      await probe(w, (r, id, thread) => w.api.post(`/cases/${id}/threads/${thread}/preview`, r.caller, { body: '**matrix**' }), (r, _t, _thread, res) => {
        assert.deepEqual([res.status, res.body], [200, { html: '<p><strong>matrix</strong></p>\n' }], r.name);
      }, 'preview');
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/threads/:thread/messages/:messageId/attachments',
    rule: 'write scope; the message\'s author, within 30 minutes of posting (other readers 403); hidden reads as absent and stores nothing',
    async check(w) {
      const { db } = w.server.container.deps;
      const before = Number((await db.selectFrom('attachments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      let made = 0;
      await probe(w, (r, id, thread, t) => upload(w, r, `/cases/${id}/threads/${thread}/messages/${t.messages[thread === 'nonesuch' ? 'participants' : thread as Thread].id}/attachments?filename=m.txt`), (r, t, thread, res) => {
        const author = thread === 'participants' ? 'vendor-member' : 'government-member';
        const want = r.name === author ? 201 : 403;
        assert.equal(res.status, want, `${r.name} attaches to ${thread} of ${t.marker}: ${JSON.stringify(res.body)}`);
        if (want === 201) made++;
      }, 'upload');
      assert.ok(made > 0, 'the authors attached files');
      const afterCount = Number((await db.selectFrom('attachments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      assert.equal(afterCount, before, 'every file went with its case');
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/threads/:thread/messages/:messageId/attachments/:attachmentId',
    rule: 'readers of the thread download its messages\' files; hidden reads as absent',
    async check(w) {
      await probe(w, (r, id, thread, t) => {
        const m = t.messages[thread === 'nonesuch' ? 'participants' : thread as Thread];
        return w.api.get(`/cases/${id}/threads/${thread}/messages/${m.id}/attachments/${m.attachment}`, r.caller);
      }, (r, t, thread, res) => {
        assert.equal(res.status, 200, `${r.name} downloads from ${thread} of ${t.marker}`);
        assert.equal(res.body, `matrix file ${t.messages[thread].marker}`);
        assert.equal(res.headers.etag, `"${t.messages[thread].sha256}"`);
      }, 'download');
    },
  },
);
