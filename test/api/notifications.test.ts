import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { AccessLabel } from '../../src/domain/policy/access-label.ts';
import type { NotifyInput } from '../../src/services/notification.service.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const ROLE = 'embargo-team';
const START = '2026-12-02T12:00:00.000Z';
type Name = 'vendor1' | 'vendor2' | 'vendorReviewer' | 'operator1' | 'gov1' | 'other1' | 'both';
const FIELDS = ['acknowledgedAt', 'advisoryId', 'createdAt', 'detail', 'id', 'inventories', 'kev', 'kind', 'organisationId', 'readAt', 'severity', 'subject'];

describeEachDriver('notification inbox: who receives, who reads, per-user state, labels that change', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock(START);
  const sys = systemPrincipal('cli');
  const org = { vendor: '', operator: '', gov: '', other: '' };
  const who = {} as Record<Name | `${Name}-read`, Caller>;
  const userIds = {} as Record<Name, string>;

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.vendor = (await services.organisations.create(sys, { name: 'Acme Controls', kind: 'vendor' })).id;
    org.operator = (await services.organisations.create(sys, { name: 'Grid Operator', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
    org.gov = (await services.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.other = (await services.organisations.create(sys, { name: 'Bystander Lab', kind: 'researcher' })).id;
    async function person(name: Name, memberships: { organisationId: string; roles: string[] }[]) {
      const { user } = await services.users.create(sys, { email: `${name}@notify.example`, name, password: 'notification test passphrase', memberships });
      userIds[name] = user.id;
      who[name] = { bearer: (await services.tokens.create(sys, { name: 'test', scopes: ['read', 'write'], expiresInDays: null, forUserId: user.id })).secret };
      who[`${name}-read`] = { bearer: (await services.tokens.create(sys, { name: 'read', scopes: ['read'], expiresInDays: null, forUserId: user.id })).secret };
    }
    await person('vendor1', [{ organisationId: org.vendor, roles: ['member'] }]);
    await person('vendor2', [{ organisationId: org.vendor, roles: ['member'] }]);
    await person('vendorReviewer', [{ organisationId: org.vendor, roles: ['member', ROLE] }]);
    await person('operator1', [{ organisationId: org.operator, roles: ['member'] }]);
    await person('gov1', [{ organisationId: org.gov, roles: ['member'] }]);
    await person('other1', [{ organisationId: org.other, roles: ['member'] }]);
    // In the vendor organisation and a coordinator through the government one.
    await person('both', [{ organisationId: org.vendor, roles: ['member'] }, { organisationId: org.gov, roles: ['member'] }]);
  });
  after(() => server?.close());

  const db = () => server.container.deps.db;

  /** A case row as the cases workflow stores it (cases + case_participants, the label's share table). */
  async function makeCase(owner: string, label: Partial<AccessLabel>, participants: string[] = []): Promise<{ id: string; seq: number; title: string }> {
    const id = randomUUID();
    const title = `Case ${id.slice(0, 8)}`;
    const row = await db()
      .insertInto('cases')
      .values({
        id, owner_org_id: owner, tlp: label.tlp ?? 'AMBER', embargo_until: label.embargoUntil ?? null, restricted_role: label.restricted ?? null,
        title, summary: 'summary', state: 'open', public_date: '2027-03-01T00:00:00.000Z', actively_exploited: 0, advisory_id: null,
        opened_by: null, closed_at: null, version: 1, created_at: clock.now().toISOString(), updated_at: clock.now().toISOString(),
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = Number(row.seq);
    for (const p of participants) await share(seq, p);
    return { id, seq, title };
  }
  const share = (seq: number, organisationId: string) =>
    db().insertInto('case_participants').values({ case_seq: seq, organisation_id: organisationId, role: 'vendor', added_by: null, added_at: clock.now().toISOString() }).execute();
  const unshare = (seq: number, organisationId: string) => db().deleteFrom('case_participants').where('case_seq', '=', seq).where('organisation_id', '=', organisationId).execute();

  async function caseLabel(seq: number): Promise<AccessLabel> {
    const c = await db().selectFrom('cases').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
    const shares = await db().selectFrom('case_participants').select('organisation_id').where('case_seq', '=', seq).execute();
    return { owner: c.owner_org_id, tlp: c.tlp as AccessLabel['tlp'], embargoUntil: c.embargo_until, restricted: c.restricted_role, sharedWith: shares.map((s) => s.organisation_id) };
  }

  /** Calls notify inside a transaction of its own, as a workflow would inside its change. */
  async function notify(input: Omit<NotifyInput, 'kind'> & { kind?: string }): Promise<number> {
    clock.advance(1000);
    return db().transaction().execute((tx) => server.container.services.notifications.notify(tx, { kind: 'case.participant-added', ...input }, clock.now().toISOString()));
  }
  async function notifyCase(c: { id: string; seq: number; title: string }, organisationIds: string[], kind = 'case.participant-added', detail: Record<string, unknown> = {}) {
    return notify({ organisationIds, kind, subject: { type: 'case', id: c.id, title: c.title }, label: await caseLabel(c.seq), detail });
  }

  async function inbox(name: Name, query = ''): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await api.get(`/notifications?limit=3${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, who[name]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.items.length <= 3);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('the cursor walk did not end');
  }
  const subjects = async (name: Name, query = '') => (await inbox(name, query)).map((n) => n.subject.id);
  const unread = async (name: Name) => {
    const res = await api.get('/notifications/unread-count', who[name]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.capped, false);
    return res.body.unread as number;
  };
  const auditCount = async (action: string) => Number((await db().selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).where('action', '=', action).executeTakeFirstOrThrow()).n);

  it('notifies only recipient organisations that may read the subject, one notification each, with the contract fields', async () => {
    // AMBER, owned by the coordinator, shared with the vendor: the operator and the bystander may not read it.
    const amber = await makeCase(org.gov, { tlp: 'AMBER' }, [org.vendor]);
    assert.equal(await notifyCase(amber, [org.vendor, org.operator, org.other, org.gov, org.vendor, randomUUID()], 'case.participant-added', { role: 'vendor' }), 2);
    const [n] = await inbox('vendor1');
    assert.deepEqual(Object.keys(n).sort(), FIELDS);
    assert.deepEqual(
      { ...n, id: undefined, createdAt: undefined },
      {
        id: undefined, createdAt: undefined, kind: 'case.participant-added', organisationId: org.vendor,
        subject: { type: 'case', id: amber.id, title: amber.title }, detail: { role: 'vendor' },
        advisoryId: null, inventories: [], severity: null, kev: false, readAt: null, acknowledgedAt: null,
      },
    );
    assert.equal(n.createdAt, clock.now().toISOString());
    assert.deepEqual(await subjects('gov1'), [amber.id]);
    assert.deepEqual(await subjects('operator1'), []);
    assert.deepEqual(await subjects('other1'), []);
    const rows = await db().selectFrom('notifications').select(['organisation_id']).where('subject_id', '=', amber.id).execute();
    assert.deepEqual(rows.map((r) => r.organisation_id).sort(), [org.gov, org.vendor].sort(), 'nothing was stored for those who may not read it');

    // A running embargo: only the owner and coordinators (the operator is neither, and the case is not shared with it).
    const embargoed = await makeCase(org.vendor, { tlp: 'CLEAR', embargoUntil: '2027-01-01T00:00:00.000Z' });
    assert.equal(await notifyCase(embargoed, [org.operator, org.gov, org.vendor]), 2);
    assert.deepEqual(await subjects('operator1'), []);

    // A need-to-know role: only organisations where someone holds it, and there only those who hold it.
    const restricted = await makeCase(org.gov, { tlp: 'GREEN', restricted: ROLE }, [org.vendor]);
    assert.equal(await notifyCase(restricted, [org.vendor, org.operator]), 1);
    assert.ok((await subjects('vendorReviewer')).includes(restricted.id));
    assert.ok(!(await subjects('vendor1')).includes(restricted.id));
    assert.deepEqual(await subjects('operator1'), []);
    assert.equal(await notifyCase(restricted, []), 0);
  });

  it('lists newest first page by page, filters unread, and caps limit and cursor', async () => {
    const c = await makeCase(org.gov, { tlp: 'AMBER' }, [org.operator]);
    for (const days of [14, 7, 1]) await notifyCase(c, [org.operator], 'case.reminder', { daysLeft: days });
    const items = await inbox('operator1');
    assert.deepEqual(items.map((n) => n.detail.daysLeft), [1, 7, 14]);
    assert.deepEqual(items.map((n) => n.createdAt), [...items.map((n) => n.createdAt)].sort().reverse());
    assert.equal((await api.get('/notifications?limit=0', who.operator1)).status, 400);
    assert.equal((await api.get('/notifications?limit=201', who.operator1)).status, 400);
    const bad = await api.get('/notifications?cursor=bm90LWEtY3Vyc29y', who.operator1);
    assert.deepEqual([bad.status, bad.body.type], [400, PROBLEM + 'invalid-input']);
    assert.equal((await api.get('/notifications?unread=maybe', who.operator1)).status, 400);
    assert.equal((await api.get('/notifications')).status, 401);
    assert.equal((await api.get('/notifications/unread-count')).status, 401);
    const one = await api.get(`/notifications/${items[1].id}`, who.operator1);
    assert.deepEqual([one.status, one.body.detail], [200, { daysLeft: 7 }]);
  });

  it('keeps read and acknowledged state per user, audits acknowledgements once, and counts what the list shows', async () => {
    const c = await makeCase(org.vendor, { tlp: 'RED' });
    await notifyCase(c, [org.vendor], 'case.public-date-changed', { publicDate: '2027-02-01T00:00:00.000Z' });
    const before1 = await unread('vendor1');
    const before2 = await unread('vendor2');
    assert.equal(before1, (await inbox('vendor1', '&unread=true')).length);
    const [n] = await inbox('vendor1');
    assert.equal(n.subject.id, c.id);

    // A read-only token changes nothing.
    const ro = await api.post(`/notifications/${n.id}/read`, who['vendor1-read']);
    assert.deepEqual([ro.status, ro.body.type], [403, PROBLEM + 'forbidden']);
    assert.equal((await api.post(`/notifications/${n.id}/acknowledge`, who['vendor1-read'])).status, 403);
    assert.equal((await api.post('/notifications/read-all', who['vendor1-read'])).status, 403);
    assert.equal(await unread('vendor1'), before1);

    clock.advance(60_000);
    const read = await api.post(`/notifications/${n.id}/read`, who.vendor1);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.deepEqual([read.body.readAt, read.body.acknowledgedAt], [clock.now().toISOString(), null]);
    const readAt = read.body.readAt;
    clock.advance(60_000);
    assert.equal((await api.post(`/notifications/${n.id}/read`, who.vendor1)).body.readAt, readAt, 'the first reading counts');
    assert.equal(await unread('vendor1'), before1 - 1);
    assert.equal(await unread('vendor2'), before2, 'another member\'s state is their own');
    assert.ok(!(await inbox('vendor1', '&unread=true')).some((x) => x.id === n.id));
    assert.ok((await inbox('vendor2', '&unread=true')).some((x) => x.id === n.id));

    const acks = await auditCount('notification.acknowledge');
    const ack = await api.post(`/notifications/${n.id}/acknowledge`, who.vendor2);
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.deepEqual([ack.body.readAt, ack.body.acknowledgedAt], [clock.now().toISOString(), clock.now().toISOString()], 'acknowledging reads it too');
    clock.advance(60_000);
    const again = await api.post(`/notifications/${n.id}/acknowledge`, who.vendor2);
    assert.equal(again.body.acknowledgedAt, ack.body.acknowledgedAt);
    assert.equal(await auditCount('notification.acknowledge'), acks + 1, 'one audit entry for the one acknowledgement');
    const entry = await db().selectFrom('audit_log').selectAll().where('action', '=', 'notification.acknowledge').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    assert.deepEqual([entry.record_id, entry.organisation_id, entry.actor_user_id, entry.label_owner, entry.label_tlp], [n.id, org.vendor, userIds.vendor2, org.vendor, 'RED']);
    assert.equal(await unread('vendor2'), before2 - 1);
    assert.equal((await api.get(`/notifications/${n.id}`, who.vendor1)).body.acknowledgedAt, null, 'vendor1 has not acknowledged it');
  });

  it('answers for someone else\'s notification exactly as for an absent one', async () => {
    const c = await makeCase(org.vendor, { tlp: 'CLEAR' });
    await notifyCase(c, [org.vendor]);
    const [n] = await inbox('vendor1');
    const absent = randomUUID();
    for (const [method, suffix] of [['GET', ''], ['POST', '/read'], ['POST', '/acknowledge']] as const) {
      for (const outsider of ['operator1', 'gov1', 'other1'] as const) {
        const hidden = await api.call(method, `/notifications/${n.id}${suffix}`, who[outsider]);
        const none = await api.call(method, `/notifications/${absent}${suffix}`, who[outsider]);
        assert.equal(hidden.status, 404, `${outsider} ${method} ${suffix}`);
        assert.deepEqual([hidden.body.type, hidden.body.title, hidden.body.detail], [none.body.type, none.body.title, none.body.detail]);
        assert.ok(!JSON.stringify(hidden.body).replace(hidden.body.instance, '').includes(c.id));
      }
    }
    assert.equal((await api.get('/notifications/not-a-uuid', who.vendor1)).status, 400);
    assert.equal((await db().selectFrom('notification_states').select('user_id').where('user_id', 'in', [userIds.operator1, userIds.gov1, userIds.other1]).execute()).length, 0, 'outsiders left no state');
  });

  it('hides a notification from lists, counts and reads once its subject\'s label no longer lets the organisation read it', async () => {
    // A share removed: the vendor organisation is no longer a participant.
    const shared = await makeCase(org.gov, { tlp: 'AMBER' }, [org.vendor]);
    await notifyCase(shared, [org.vendor, org.gov]);
    const [n] = (await inbox('vendor1')).filter((x) => x.subject.id === shared.id);
    assert.ok(n);
    const count = await unread('vendor1');
    assert.ok((await subjects('both')).includes(shared.id));
    await unshare(shared.seq, org.vendor);
    assert.ok(!(await subjects('vendor1')).includes(shared.id), 'gone from the list');
    assert.equal(await unread('vendor1'), count - 1, 'and from the count');
    assert.equal((await api.get(`/notifications/${n.id}`, who.vendor1)).status, 404);
    assert.equal((await api.post(`/notifications/${n.id}/read`, who.vendor1)).status, 404);
    assert.equal((await api.post(`/notifications/${n.id}/acknowledge`, who.vendor1)).status, 404);
    // A member who can still read the case as a coordinator does not keep the vendor organisation's notification...
    const both = await inbox('both');
    assert.ok(!both.some((x) => x.id === n.id));
    // ...but keeps the government organisation's own.
    assert.ok(both.some((x) => x.subject.id === shared.id && x.organisationId === org.gov));
    const marked = await api.post('/notifications/read-all', who.vendor1);
    assert.equal(marked.status, 200);
    assert.equal((await db().selectFrom('notification_states').select('user_id').where('notification_seq', '=', (await db().selectFrom('notifications').select('seq').where('id', '=', n.id).executeTakeFirstOrThrow()).seq).execute()).length, 0, 'mark-all-read does not touch what is hidden');
    await share(shared.seq, org.vendor);
    assert.ok((await subjects('vendor1')).includes(shared.id), 'shared again, it is back');

    // An embargo starting: the operator read a CLEAR case it does not take part in; now only owner and coordinators.
    const open = await makeCase(org.vendor, { tlp: 'CLEAR' });
    await notifyCase(open, [org.operator, org.gov]);
    assert.ok((await subjects('operator1')).includes(open.id));
    const opCount = await unread('operator1');
    await db().updateTable('cases').set({ embargo_until: '2027-06-01T00:00:00.000Z' }).where('seq', '=', open.seq).execute();
    assert.ok(!(await subjects('operator1')).includes(open.id));
    assert.equal(await unread('operator1'), opCount - 1);
    assert.ok((await subjects('gov1')).includes(open.id), 'coordinators still read it');
    // The embargo ends (the injected clock passes it): it is back.
    clock.set('2027-06-01T00:00:01.000Z');
    assert.ok((await subjects('operator1')).includes(open.id));

    // TLP raised to RED, then the case deleted.
    await db().updateTable('cases').set({ tlp: 'RED' }).where('seq', '=', open.seq).execute();
    assert.ok(!(await subjects('operator1')).includes(open.id));
    assert.ok(!(await subjects('gov1')).includes(open.id));
    assert.equal(await unread('gov1'), (await inbox('gov1', '&unread=true')).length);

    // A restriction added later: only holders of the role keep it.
    const later = await makeCase(org.vendor, { tlp: 'RED' });
    await notifyCase(later, [org.vendor]);
    await db().updateTable('cases').set({ restricted_role: ROLE }).where('seq', '=', later.seq).execute();
    assert.ok(!(await subjects('vendor1')).includes(later.id));
    assert.ok((await subjects('vendorReviewer')).includes(later.id));
    await db().deleteFrom('cases').where('seq', '=', later.seq).execute();
    assert.ok(!(await subjects('vendorReviewer')).includes(later.id), 'a deleted subject takes its notifications with it');
  });

  it('marks everything read for the caller only, newest first, and says whether more remain', async () => {
    const c = await makeCase(org.other, { tlp: 'GREEN' });
    for (let i = 0; i < 4; i++) await notifyCase(c, [org.other, org.operator], 'case.reminder', { n: i });
    assert.ok(await unread('other1') >= 4);
    const res = await api.post('/notifications/read-all', who.other1);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.marked >= 4);
    assert.equal(res.body.more, false);
    assert.equal(await unread('other1'), 0);
    assert.ok((await inbox('other1')).every((n) => n.readAt !== null && n.acknowledgedAt === null));
    assert.ok(await unread('operator1') >= 4, 'other organisations\' members are untouched');
    assert.deepEqual((await api.post('/notifications/read-all', who.other1)).body, { marked: 0, more: false });
  });

  it('reads a subject type without a table of its own under the label kept with the notification', async () => {
    const label: AccessLabel = { owner: org.other, tlp: 'AMBER', embargoUntil: '2027-09-01T00:00:00.000Z', restricted: null, sharedWith: [org.operator] };
    clock.set('2027-07-01T00:00:00.000Z');
    const id = randomUUID();
    assert.equal(await notify({ organisationIds: [org.operator, org.vendor, org.other], kind: 'campaign.overlap', subject: { type: 'campaign', id, title: 'Night scan' }, label }), 2);
    assert.ok((await subjects('operator1')).includes(id));
    assert.ok((await subjects('other1')).includes(id));
    assert.ok(!(await subjects('vendor1')).includes(id));
    assert.ok(!(await subjects('gov1')).includes(id), 'coordinators get only what is sent to their organisation');
  });

  it('carries issue 10\'s fields: the advisory, severity, KEV, and only the recipient\'s own readable inventories', async () => {
    const { services } = server.container;
    const system = systemPrincipal('system');
    const sbom = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' }] });
    const plant = await services.inventories.create(system, { name: 'Plant A', organisationId: org.operator, label: { tlp: 'AMBER' }, body: sbom, media: 'json' });
    const secret = await services.inventories.create(system, { name: 'Plant B', organisationId: org.operator, label: { tlp: 'RED', restricted: ROLE }, body: sbom, media: 'json' });
    const theirs = await services.inventories.create(system, { name: 'Vendor lab', organisationId: org.vendor, label: { tlp: 'AMBER' }, body: sbom, media: 'json' });
    let adv = await services.advisories.create(system, { organisationId: org.gov, record: { schema_version: '1.6.0', summary: 'lodash prototype pollution', affected: [] }, label: { tlp: 'GREEN' } });
    adv = await services.advisories.publish(system, adv.id, adv.version);
    const components = [{ purl: 'pkg:npm/lodash@4.17.20', version: '4.17.20', fixed: '4.17.21' }];
    const made = await notify({
      organisationIds: [org.operator], kind: 'advisory.affected', subject: { type: 'advisory', id: adv.id, title: 'lodash prototype pollution' },
      label: { owner: org.gov, tlp: 'GREEN', embargoUntil: null, restricted: null, sharedWith: [] }, severity: 'critical', kev: true,
      inventories: [{ id: plant.id, components }, { id: secret.id, components }, { id: theirs.id, components }],
    });
    assert.equal(made, 1);
    const [n] = (await inbox('operator1')).filter((x) => x.subject.id === adv.id);
    assert.deepEqual([n.advisoryId, n.severity, n.kev, n.kind], [adv.id, 'critical', true, 'advisory.affected']);
    assert.deepEqual(n.inventories, [{ id: plant.id, name: 'Plant A', components }], 'the restricted inventory is not named to a reader without the role, nor another organisation\'s');
    const stored = await db().selectFrom('notification_inventories').select('inventory_id').where('notification_seq', '=', (await db().selectFrom('notifications').select('seq').where('id', '=', n.id).executeTakeFirstOrThrow()).seq).execute();
    assert.deepEqual(stored.map((s) => s.inventory_id).sort(), [plant.id, secret.id].sort(), 'another organisation\'s inventory was never attached');
    assert.equal((await api.get(`/notifications/${n.id}`, who.operator1)).body.advisoryId, adv.id);
    // The advisory's label is read live too: an embargo on it hides the notification from the operator.
    await db().updateTable('advisories').set({ embargo_until: '2099-01-01T00:00:00.000Z' }).where('id', '=', adv.id).execute();
    assert.ok(!(await subjects('operator1')).includes(adv.id));
    assert.equal((await api.get(`/notifications/${n.id}`, who.operator1)).status, 404);
    assert.equal((await api.post(`/notifications/${n.id}/acknowledge`, who.operator1)).status, 404);
  });

  it('refuses malformed notify calls from a workflow, writing nothing', async () => {
    const c = await makeCase(org.vendor, { tlp: 'RED' });
    const before = Number((await db().selectFrom('notifications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const label = await caseLabel(c.seq);
    const subject = { type: 'case', id: c.id, title: c.title };
    const bad: [string, Omit<NotifyInput, 'kind'> & { kind?: string }][] = [
      ['kind', { organisationIds: [org.vendor], kind: 'Participant Added', subject, label }],
      ['subject.type', { organisationIds: [org.vendor], subject: { ...subject, type: 'Case!' }, label }],
      ['detail', { organisationIds: [org.vendor], subject, label, detail: { text: 'x'.repeat(9000) } }],
      ['label.tlp', { organisationIds: [org.vendor], subject, label: { ...label, tlp: 'PURPLE' as AccessLabel['tlp'] } }],
    ];
    for (const [field, input] of bad) {
      await assert.rejects(notify(input), (err: unknown) => err instanceof DomainError && err.code === 'invalid-input' && err.details.field === field, field);
    }
    const after = Number((await db().selectFrom('notifications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(after, before);
    // A long title is cut, not refused.
    await notify({ organisationIds: [org.vendor], subject: { ...subject, title: 'T'.repeat(500) }, label });
    const [n] = await inbox('vendor1');
    assert.equal([...n.subject.title].length, 300);
    assert.ok(n.subject.title.endsWith('…'));
  });
});
