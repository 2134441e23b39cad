/**
 * Authorisation matrix entries for the notification inbox (issue 9). The rule is written out by hand here
 * (`receives`, `seesNotification`), never by calling the policy under test.
 *
 * Targets, made afresh by each entry and removed again when it ends (so no other entry ever sees them): cases owned by
 * the vendor home organisation at every label, shared with the infrastructure operator's organisation, each notified
 * to every home organisation (the inbox drops those that may not read it, and that choice is checked too); subjects
 * without a table of their own (read under the label kept with the notification) at a few labels; a TLP:CLEAR case
 * notified to the target organisations at every label (only the reader who belongs to them sees those); and a case
 * whose share with the operator is removed after the notification was sent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AccessLabel } from '../../src/domain/policy/access-label.ts';
import type { Res } from './api-client.ts';
import { ABSENT_ID, EMBARGO, LABELS, ROLE, assertLikeAbsent, assertNoLeak, seesRecord, sorted, walk, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

interface Subject extends Label {
  id: string;
  type: 'case' | 'matrix-thing';
  owner: string;
  /** The share list as it is now (after any change made once the notification was sent). */
  sharedWith: string[];
  marker: string;
}

interface NotificationTarget {
  id: string;
  seq: number;
  recipient: string;
  subject: Subject;
}

let markerSeq = 0;
const marker = () => `ntfmx${String(markerSeq++).padStart(3, '0')}z`;

const isGovernment = (w: World, org: string) => org === w.homes.get('government');
/** Every home organisation has a member holding ROLE (its reviewer); the target organisations have none. */
const holdsRoleSomewhere = (w: World, org: string) => [...w.homes.values()].includes(org);

/** The label read rule through one organisation: its own membership, coordinator if it is the government one. */
function readsThrough(w: World, org: string, subject: Subject, role: boolean): boolean {
  const asOwner = org === subject.owner || subject.sharedWith.includes(org);
  const reader = { anonymous: false, orgs: [org], coordinator: isGovernment(w, org), role } as Reader;
  return seesRecord(reader, { ...subject, owner: asOwner ? org : subject.owner });
}

/** Who `notify` keeps: organisations where some member could read the subject through it at that moment. */
const receives = (w: World, org: string, subject: Subject) => readsThrough(w, org, subject, holdsRoleSomewhere(w, org));

/** A member of the recipient organisation, while the subject is readable through that organisation (and their own roles). */
export function seesNotification(w: World, r: Reader, n: NotificationTarget): boolean {
  return !r.anonymous && r.orgs.includes(n.recipient) && readsThrough(w, n.recipient, n.subject, r.role);
}

function hiddenMarkers(w: World, targets: NotificationTarget[], r: Reader): string[] {
  const visible = targets.filter((t) => seesNotification(w, r, t));
  const seenSubjects = new Set(visible.map((t) => t.subject.id));
  return targets
    .filter((t) => !seesNotification(w, r, t))
    .flatMap((t) => [t.id, ...(seenSubjects.has(t.subject.id) ? [] : [t.subject.id, t.subject.marker])]);
}

async function insertCase(w: World, s: Subject): Promise<number> {
  const db = w.server.container.deps.db;
  const at = w.clock.now().toISOString();
  const row = await db
    .insertInto('cases')
    .values({
      id: s.id, owner_org_id: s.owner, tlp: s.tlp, embargo_until: EMBARGO[s.embargo], restricted_role: s.restricted ? ROLE : null,
      title: `Matrix case ${s.marker}`, summary: s.marker, state: 'open', public_date: '2027-06-01T00:00:00.000Z', actively_exploited: 0,
      advisory_id: null, opened_by: null, closed_at: null, version: 1, created_at: at, updated_at: at,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  const seq = Number(row.seq);
  for (const o of s.sharedWith) await db.insertInto('case_participants').values({ case_seq: seq, organisation_id: o, role: 'vendor', added_by: null, added_at: at }).execute();
  return seq;
}

const labelOf = (s: Subject): AccessLabel => ({ owner: s.owner, tlp: s.tlp, embargoUntil: EMBARGO[s.embargo], restricted: s.restricted ? ROLE : null, sharedWith: [...s.sharedWith] });

/**
 * Labels for the entries that probe every reader against every notification one by one: one of each outcome the rule
 * can give (public, community, owner and shares, coordinators, embargo running and lapsed, need-to-know), so those
 * entries stay fast; the list entries use every label.
 */
const PROBE_LABELS: Label[] = [
  { tlp: 'CLEAR', embargo: 'none', restricted: false },
  { tlp: 'GREEN', embargo: 'running', restricted: false },
  { tlp: 'GREEN', embargo: 'lapsed', restricted: true },
  { tlp: 'AMBER', embargo: 'none', restricted: false },
  { tlp: 'AMBER+STRICT', embargo: 'running', restricted: false },
  { tlp: 'RED', embargo: 'none', restricted: false },
  { tlp: 'RED', embargo: 'lapsed', restricted: true },
];

/** Makes the targets, runs `fn`, and removes them (and any state or share rows hanging off them) whatever happens. */
async function withTargets(w: World, fn: (targets: NotificationTarget[]) => Promise<void>, opts: { labels: Label[]; targetOrgs: number } = { labels: LABELS, targetOrgs: Infinity }): Promise<void> {
  const { db } = w.server.container.deps;
  const notifications = w.server.container.services.notifications;
  const vendor = w.homes.get('vendor')!;
  const operator = w.homes.get('infrastructure-operator')!;
  const researcher = w.homes.get('researcher')!;
  const homes = [...w.homes.values()];
  const subjects: { s: Subject; to: string[]; seq?: number }[] = [];
  for (const l of opts.labels) subjects.push({ s: { id: randomUUID(), type: 'case', owner: vendor, sharedWith: [operator], marker: marker(), ...l }, to: homes });
  const kept: Label[] = [
    { tlp: 'AMBER', embargo: 'none', restricted: false },
    { tlp: 'RED', embargo: 'running', restricted: true },
    { tlp: 'GREEN', embargo: 'running', restricted: false },
    { tlp: 'AMBER+STRICT', embargo: 'lapsed', restricted: false },
  ];
  for (const l of kept) subjects.push({ s: { id: randomUUID(), type: 'matrix-thing', owner: vendor, sharedWith: [researcher], marker: marker(), ...l }, to: homes });
  subjects.push({ s: { id: randomUUID(), type: 'case', owner: vendor, sharedWith: [], marker: marker(), tlp: 'CLEAR', embargo: 'none', restricted: false }, to: w.orgTargets.slice(0, opts.targetOrgs).map((t) => t.id) });
  const unshared: { s: Subject; to: string[]; seq?: number } = { s: { id: randomUUID(), type: 'case', owner: vendor, sharedWith: [operator], marker: marker(), tlp: 'AMBER', embargo: 'none', restricted: false }, to: [operator, vendor] };
  subjects.push(unshared);
  try {
    for (const x of subjects) {
      if (x.s.type === 'case') x.seq = await insertCase(w, x.s);
      const made = await db.transaction().execute((tx) =>
        notifications.notify(tx, { organisationIds: x.to, kind: 'case.participant-added', subject: { type: x.s.type, id: x.s.id, title: `Matrix subject ${x.s.marker}` }, label: labelOf(x.s), detail: { marker: x.s.marker } }, w.clock.now().toISOString()));
      assert.equal(made, x.to.filter((o) => receives(w, o, x.s)).length, `notify keeps exactly the recipients that may read ${x.s.marker} (${x.s.tlp} ${x.s.embargo}${x.s.restricted ? ' restricted' : ''})`);
    }
    // The share is removed after the notification was sent: the operator's notification must disappear.
    await db.deleteFrom('case_participants').where('case_seq', '=', unshared.seq!).where('organisation_id', '=', operator).execute();
    unshared.s.sharedWith = [];
    const rows = await db.selectFrom('notifications').select(['id', 'seq', 'organisation_id', 'subject_id']).where('subject_id', 'in', subjects.map((x) => x.s.id)).execute();
    const byId = new Map(subjects.map((x) => [x.s.id, x.s]));
    const targets = rows.map((r) => ({ id: r.id, seq: Number(r.seq), recipient: r.organisation_id, subject: byId.get(r.subject_id)! }));
    assert.ok(targets.some((t) => t.subject === unshared.s && t.recipient === operator), 'the unshared case was notified to the operator before the change');
    await fn(targets);
  } finally {
    await db.deleteFrom('notifications').where('subject_id', 'in', subjects.map((x) => x.s.id)).execute();
    await db.deleteFrom('cases').where('id', 'in', subjects.map((x) => x.s.id)).execute();
  }
}

async function absentAnswer(w: World, r: Reader, method: 'GET' | 'POST', suffix: string): Promise<Res> {
  return w.api.call(method, `/notifications/${ABSENT_ID}${suffix}`, r.caller);
}

/**
 * Every reader against every target: visible ones `check`ed, hidden ones answered exactly as an absent one;
 * `afterReader` then checks, in one query, that nothing was written for the reader's hidden ones.
 */
async function probe(w: World, method: 'GET' | 'POST', suffix: string, check: (r: Reader, t: NotificationTarget, res: Res) => void, afterReader?: (r: Reader, hidden: NotificationTarget[]) => Promise<void>): Promise<void> {
  await withTargets(w, async (targets) => {
    assert.ok(w.readers.some((r) => targets.some((t) => seesNotification(w, r, t))) && w.readers.some((r) => !r.anonymous && targets.some((t) => r.orgs.includes(t.recipient) && !seesNotification(w, r, t))), 'some readers see their organisation\'s notifications and some of those are hidden from them');
    for (const r of w.readers) {
      const none = await absentAnswer(w, r, method, suffix);
      const markers = hiddenMarkers(w, targets, r);
      await Promise.all(targets.map(async (t) => {
        const res = await w.api.call(method, `/notifications/${t.id}${suffix}`, r.caller);
        if (seesNotification(w, r, t)) check(r, t, res);
        else assertLikeAbsent(res, none, `${r.name} ${method} ${suffix || 'read'} hidden notification of ${t.subject.marker} to ${t.recipient}`);
        assertNoLeak(res, markers, `${r.name} ${method} /notifications/${t.id}${suffix}`);
      }));
      await afterReader?.(r, targets.filter((t) => !seesNotification(w, r, t)));
    }
  }, { labels: PROBE_LABELS, targetOrgs: 3 });
}

/** Removes the state rows an entry made, so every entry leaves the world as it found it. */
async function keepStates(w: World, fn: () => Promise<void>): Promise<void> {
  const { db } = w.server.container.deps;
  const before = new Set((await db.selectFrom('notification_states').select(['notification_seq', 'user_id']).execute()).map((s) => `${s.notification_seq} ${s.user_id}`));
  try {
    await fn();
  } finally {
    const now = await db.selectFrom('notification_states').select(['notification_seq', 'user_id']).execute();
    for (const s of now.filter((x) => !before.has(`${x.notification_seq} ${x.user_id}`))) {
      await db.deleteFrom('notification_states').where('notification_seq', '=', s.notification_seq).where('user_id', '=', s.user_id).execute();
    }
  }
}

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/notifications',
    rule: 'signed in; exactly the notifications of your organisations whose subject that organisation may read now, newest first, page by page',
    async check(w) {
      await withTargets(w, async (targets) => {
        const mine = new Set(targets.map((t) => t.id));
        for (const r of w.readers) {
          if (r.anonymous) {
            assert.equal((await w.api.get('/notifications', r.caller)).status, 401);
            continue;
          }
          for (const query of ['/notifications', '/notifications?unread=true']) {
            const { items, pages } = await walk(w, query, r, 7);
            assert.deepEqual(sorted(items.filter((n: any) => mine.has(n.id)).map((n: any) => n.id)), sorted(targets.filter((t) => seesNotification(w, r, t)).map((t) => t.id)), `${r.name} ${query}`);
            assert.ok(items.every((n: any) => r.orgs.includes(n.organisationId)), `${r.name} sees only their organisations' notifications`);
            const times = items.map((n: any) => n.createdAt);
            assert.deepEqual(times, [...times].sort().reverse(), `${r.name}: newest first`);
            for (const p of pages) assertNoLeak(p, hiddenMarkers(w, targets, r), `${r.name} GET ${query}`);
          }
        }
        assert.ok(w.readers.filter((r) => targets.some((t) => seesNotification(w, r, t))).length >= 4, 'several readers have notifications to find');
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/notifications/unread-count',
    rule: 'signed in; counts exactly what the unread list shows: nothing of other organisations or of subjects you may not read',
    async check(w) {
      await withTargets(w, async (targets) => {
        for (const r of w.readers) {
          const res = await w.api.get('/notifications/unread-count', r.caller);
          if (r.anonymous) {
            assert.equal(res.status, 401);
            continue;
          }
          assert.equal(res.status, 200, `${r.name}: ${JSON.stringify(res.body)}`);
          const { items } = await walk(w, '/notifications?unread=true', r, 50);
          const mine = targets.filter((t) => seesNotification(w, r, t)).map((t) => t.id);
          assert.ok(mine.every((id) => items.some((n: any) => n.id === id)));
          assert.deepEqual(res.body, { unread: items.length, capped: false }, `${r.name}: the count is the list's length`);
          assert.ok(items.every((n: any) => r.orgs.includes(n.organisationId)));
        }
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/notifications/:id',
    rule: 'a member of the recipient organisation while its subject is readable through it; everything else reads as absent',
    async check(w) {
      await probe(w, 'GET', '', (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} reads the notification of ${t.subject.marker}: ${JSON.stringify(res.body)}`);
        assert.deepEqual([res.body.id, res.body.organisationId, res.body.subject.id], [t.id, t.recipient, t.subject.id]);
      });
    },
  },
  {
    method: 'POST', url: '/api/v1/notifications/:id/read',
    rule: 'write scope; marks it read for you alone, where you may read it; everything else reads as absent and writes nothing',
    async check(w) {
      const { db } = w.server.container.deps;
      await keepStates(w, () => probe(w, 'POST', '/read', (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} marks the notification of ${t.subject.marker} read: ${JSON.stringify(res.body)}`);
        assert.deepEqual([res.body.id, typeof res.body.readAt], [t.id, 'string']);
      }, async (r, hidden) => {
        if (r.userId === null || hidden.length === 0) return;
        const states = await db.selectFrom('notification_states').select('notification_seq').where('user_id', '=', r.userId).where('notification_seq', 'in', hidden.map((t) => t.seq)).execute();
        assert.deepEqual(states, [], `${r.name} left no state on a hidden notification`);
      }));
    },
  },
  {
    method: 'POST', url: '/api/v1/notifications/:id/acknowledge',
    rule: 'write scope; acknowledges it for you alone (audited), where you may read it; everything else reads as absent and writes nothing',
    async check(w) {
      const { db } = w.server.container.deps;
      await keepStates(w, () => probe(w, 'POST', '/acknowledge', (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} acknowledges the notification of ${t.subject.marker}: ${JSON.stringify(res.body)}`);
        assert.deepEqual([res.body.id, typeof res.body.acknowledgedAt], [t.id, 'string']);
      }, async (r, hidden) => {
        if (r.userId === null || hidden.length === 0) return;
        const entries = await db.selectFrom('audit_log').select('record_id').where('action', '=', 'notification.acknowledge').where('actor_user_id', '=', r.userId).where('record_id', 'in', hidden.map((t) => t.id)).execute();
        assert.deepEqual(entries, [], `${r.name}: no audit entry for a refused acknowledgement`);
        const states = await db.selectFrom('notification_states').select('notification_seq').where('user_id', '=', r.userId).where('notification_seq', 'in', hidden.map((t) => t.seq)).execute();
        assert.deepEqual(states, [], `${r.name} left no state on a hidden notification`);
      }));
    },
  },
  {
    method: 'POST', url: '/api/v1/notifications/read-all',
    rule: 'write scope; marks read exactly the notifications your list shows as unread, for you alone',
    async check(w) {
      const { db } = w.server.container.deps;
      await withTargets(w, (targets) => keepStates(w, async () => {
        for (const r of w.readers) {
          if (r.anonymous) {
            assert.equal((await w.api.post('/notifications/read-all', r.caller)).status, 401);
            continue;
          }
          const { items } = await walk(w, '/notifications?unread=true', r, 50);
          const res = await w.api.post('/notifications/read-all', r.caller);
          assert.deepEqual([res.status, res.body], [200, { marked: items.length, more: false }], r.name);
          assert.deepEqual((await w.api.get('/notifications/unread-count', r.caller)).body, { unread: 0, capped: false });
          const states = await db.selectFrom('notification_states').select('notification_seq').where('user_id', '=', r.userId!).execute();
          const marked = new Set(states.map((s) => Number(s.notification_seq)));
          for (const t of targets) assert.equal(marked.has(t.seq), seesNotification(w, r, t), `${r.name}: ${t.subject.marker} to ${t.recipient} marked only if visible`);
        }
      }));
    },
  },
);
