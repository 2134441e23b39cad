import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { loadPrincipal, systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const DAY = 86_400_000;
const ABSENT = '00000000-0000-4000-8000-00000000dead';

/**
 * Coordinated disclosure cases (issue 9): opening, participants and the read rule they carry to the case and its
 * findings, and the bad input that must leave nothing half-written. Statuses, dates, advisories: cases-*.test.ts.
 */
describeEachDriver('cases: opening, participants and who reads them', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const org = { gov: '', gov2: '', lab: '', vendor: '', vendor2: '', stranger: '' };
  const user: Record<string, string> = {};
  const who: Record<string, Caller> = {};

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.gov = (await services.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.gov2 = (await services.organisations.create(sys, { name: 'Regional CERT', kind: 'government' })).id;
    org.lab = (await services.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'Acme Widgets', kind: 'vendor' })).id;
    org.vendor2 = (await services.organisations.create(sys, { name: 'Bolt Systems', kind: 'vendor' })).id;
    org.stranger = (await services.organisations.create(sys, { name: 'Elsewhere Research', kind: 'researcher' })).id;
    for (const [name, o, scopes] of [
      ['gov', org.gov, ['read', 'write']], ['govread', org.gov, ['read']], ['gov2', org.gov2, ['read', 'write']], ['lab', org.lab, ['read', 'write']],
      ['vendor', org.vendor, ['read', 'write']], ['vendor2', org.vendor2, ['read', 'write']], ['stranger', org.stranger, ['read', 'write']],
    ] as const) {
      const email = `${name.replace('read', '')}@cases.example`;
      const existing = await server.container.deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      const id = existing?.id ?? (await services.users.create(sys, { email, name, password: 'cases test passphrase', memberships: [{ organisationId: o, roles: ['member'] }] })).user.id;
      user[name] = id;
      who[name] = { bearer: (await services.tokens.create(sys, { name: 'test', scopes: [...scopes], forUserId: id })).secret };
    }
  });
  after(() => server.close());

  let n = 0;
  async function finding(extra: Record<string, unknown> = {}, reporter = org.lab, tlp = 'AMBER'): Promise<string> {
    n++;
    const r = await server.container.services.findings.create(sys, {
      organisationId: reporter,
      title: `Case finding ${n}`,
      description: `Description ${n}`,
      product: { purl: `pkg:npm/acme-widget-${n}`, name: `Widget ${n}` },
      location: `src/w${n}.ts:1`,
      label: { tlp },
      ...extra,
    } as never);
    return r.finding.id;
  }
  const count = async (table: 'cases' | 'case_participants' | 'outbox' | 'audit_log' | 'finding_shares') =>
    Number((await server.container.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const principal = async (name: string) => (await loadPrincipal(server.container.deps.db, user[name]!, 'token'))!;
  const readsFinding = async (name: string, id: string) => {
    try {
      await server.container.services.findings.get(await principal(name), id);
      return true;
    } catch {
      return false;
    }
  };

  it('a coordinator opens a case from a finding: reporter joins, public date 90 days out, embargo until then, reminders and publication queued, audited with its label', async () => {
    const f = await finding();
    const jobs = await count('outbox');
    const res = await api.post('/cases', who.gov!, { title: 'Widget gateway RCE', summary: 'Remote code execution in the widget gateway.', findingIds: [f] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const c = res.body;
    assert.equal(res.headers.location, `/api/v1/cases/${c.id}`);
    assert.equal(c.state, 'open');
    assert.equal(c.publicDate, new Date(clock.now().getTime() + 90 * DAY).toISOString());
    assert.deepEqual(c.label, { owner: org.gov, tlp: 'AMBER', embargoUntil: c.publicDate, restricted: null, sharedWith: [org.gov, org.lab].sort() });
    assert.deepEqual(c.participantList.map((p: { organisationId: string; role: string }) => [p.organisationId, p.role]).sort(), [[org.gov, 'coordinator'], [org.lab, 'reporter']].sort());
    assert.deepEqual(c.findings.map((x: { id: string }) => x.id), [f]);
    assert.deepEqual(c.myRoles, ['coordinator']);
    assert.equal(c.permissions.manage, true);
    assert.deepEqual(c.publicDateInfo.history.map((h: { kind: string; to: string }) => [h.kind, h.to]), [['opened', c.publicDate]]);
    assert.equal(await count('outbox'), jobs + 4, 'three reminders and the publication');
    const entry = await server.container.deps.db.selectFrom('audit_log').selectAll().where('record_id', '=', c.id).executeTakeFirstOrThrow();
    assert.deepEqual([entry.action, entry.organisation_id, entry.label_owner, entry.label_tlp, entry.label_embargo_until], ['case.open', org.gov, org.gov, 'AMBER', c.publicDate]);
    // The reporter's members read it, as JSON with its label.
    const lab = await api.get(`/cases/${c.id}`, who.lab!);
    assert.equal(lab.status, 200);
    assert.deepEqual(lab.body.myRoles, ['reporter']);
    assert.equal(lab.body.permissions.manage, false);
  });

  it('a known-exploited finding makes the default public date 7 days out; a date in the past is a 400 that writes nothing', async () => {
    const f = await finding();
    await server.container.deps.db.updateTable('findings').set({ exploitation_rank: 2 }).where('id', '=', f).execute();
    const res = await api.post('/cases', who.gov!, { title: 'Exploited', findingIds: [f] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.activelyExploited, true);
    assert.equal(res.body.publicDate, new Date(clock.now().getTime() + 7 * DAY).toISOString());
    const before = [await count('cases'), await count('case_participants'), await count('outbox'), await count('audit_log')];
    const past = await api.post('/cases', who.gov!, { title: 'Past', findingIds: [f], publicDate: '2026-12-01T00:00:00Z' });
    assert.equal(past.status, 400);
    assert.equal(past.body.type, `${PROBLEM}invalid-input`);
    assert.equal(past.body.field, 'publicDate');
    assert.match(past.body.detail, /must be in the future/);
    const zoneless = await api.post('/cases', who.gov!, { title: 'No zone', findingIds: [f], publicDate: '2027-02-01T09:00:00' });
    assert.equal(zoneless.status, 400);
    assert.match(zoneless.body.detail, /time zone/);
    assert.deepEqual([await count('cases'), await count('case_participants'), await count('outbox'), await count('audit_log')], before, 'nothing half-written');
    const chosen = await api.post('/cases', who.gov!, { title: 'Chosen date', findingIds: [f], publicDate: '2027-01-15T10:00:00+01:00' });
    assert.equal(chosen.status, 201);
    assert.equal(chosen.body.publicDate, '2027-01-15T09:00:00.000Z');
  });

  it('refuses an unknown participant organisation, a finding the caller cannot read (like an absent one), and openers without standing', async () => {
    const f = await finding();
    const red = await finding({}, org.lab, 'RED');
    const green = await finding({}, org.lab, 'GREEN');
    const before = [await count('cases'), await count('case_participants'), await count('audit_log'), await count('finding_shares')];
    const unknown = await api.post('/cases', who.gov!, { title: 'x', findingIds: [f], participants: [{ organisationId: ABSENT, role: 'vendor' }] });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.field, 'participants[0].organisationId');
    assert.match(unknown.body.detail, /does not exist/);
    const hidden = await api.post('/cases', who.gov!, { title: 'x', findingIds: [f, red] });
    const absent = await api.post('/cases', who.gov!, { title: 'x', findingIds: [f, ABSENT] });
    assert.equal(hidden.status, 400);
    assert.equal(hidden.body.field, 'findingIds[1]');
    assert.equal(hidden.body.detail, absent.body.detail.replace(ABSENT, red), 'a hidden finding answers like an absent one');
    const stranger = await api.post('/cases', who.stranger!, { title: 'x', organisationId: org.stranger, findingIds: [green] });
    assert.equal(stranger.status, 403, 'a researcher that neither reported nor makes the product has no standing');
    const notMember = await api.post('/cases', who.vendor!, { title: 'x', organisationId: org.gov, findingIds: [f] });
    assert.equal(notMember.status, 403);
    const readOnly = await api.post('/cases', who.govread!, { title: 'x', findingIds: [f] });
    assert.equal(readOnly.status, 403);
    assert.deepEqual([await count('cases'), await count('case_participants'), await count('audit_log'), await count('finding_shares')], before, 'nothing half-written');
  });

  it('a reporter opens a case and chooses its audience (TLP:RED with a vendor): coordinators outside it read nothing', async () => {
    const f = await finding({}, org.lab, 'RED');
    const res = await api.post('/cases', who.lab!, { title: 'Lab-run case', findingIds: [f], label: { tlp: 'RED' }, participants: [{ organisationId: org.vendor, role: 'vendor' }] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.myRoles, ['reporter']);
    const id = res.body.id;
    assert.equal((await api.get(`/cases/${id}`, who.vendor!)).status, 200);
    assert.equal(await readsFinding('vendor', f), true, 'the vendor reads the RED finding through the case');
    const absent = await api.get(`/cases/${ABSENT}`, who.gov!);
    for (const name of ['gov', 'stranger', 'vendor2']) {
      const hidden = await api.get(`/cases/${id}`, who[name]!);
      assert.deepEqual([hidden.status, hidden.body.type, hidden.body.detail], [absent.status, absent.body.type, absent.body.detail], `${name}: hidden == absent`);
      assert.equal((await api.get(`/cases/${id}/statuses`, who[name]!)).status, 404);
      const list = await api.get('/cases?limit=200', who[name]!);
      assert.ok(!list.body.items.some((c: { id: string }) => c.id === id), `${name} does not list it`);
    }
    assert.equal(await readsFinding('gov', f), false);
    // A coordinator can join only what they can read.
    assert.equal((await api.post(`/cases/${id}/participants`, who.gov!, { organisationId: org.gov, role: 'coordinator' })).status, 404);
  });

  it('adding a vendor notifies it and shares the case and its findings; removing it takes both away, unless another case shares the finding', async () => {
    const f = await finding();
    const a = (await api.post('/cases', who.gov!, { title: 'Case A', findingIds: [f] })).body;
    const b = (await api.post('/cases', who.gov!, { title: 'Case B', findingIds: [f] })).body;
    assert.equal((await api.get(`/cases/${a.id}`, who.vendor!)).status, 404);
    assert.equal(await readsFinding('vendor', f), false);
    const forbidden = await api.post(`/cases/${a.id}/participants`, who.lab!, { organisationId: org.vendor, role: 'vendor' });
    assert.equal(forbidden.status, 403, 'the reporter does not add participants');
    const add = await api.post(`/cases/${a.id}/participants`, who.gov!, { organisationId: org.vendor, role: 'vendor' });
    assert.equal(add.status, 200, JSON.stringify(add.body));
    assert.ok(add.body.label.sharedWith.includes(org.vendor));
    assert.deepEqual(add.body.statuses.items.map((s: { organisationId: string; status: string }) => [s.organisationId, s.status]), [[org.vendor, 'unknown']]);
    assert.equal((await api.post(`/cases/${a.id}/participants`, who.gov!, { organisationId: org.vendor, role: 'observer' })).status, 409, 'already taking part');
    const unknown = await api.post(`/cases/${a.id}/participants`, who.gov!, { organisationId: ABSENT, role: 'vendor' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /does not exist/);
    const seen = await api.get(`/cases/${a.id}`, who.vendor!);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.myRoles, ['vendor']);
    assert.deepEqual(seen.body.permissions.setStatusFor, [org.vendor]);
    assert.equal(await readsFinding('vendor', f), true);
    const listed = (await api.get(`/cases?participant=${org.vendor}&limit=200`, who.gov!)).body.items.map((c: { id: string }) => c.id);
    assert.ok(listed.includes(a.id) && !listed.includes(b.id), 'filtered by participant');
    assert.deepEqual((await api.get(`/cases?finding=${f}`, who.vendor!)).body.items.map((c: { id: string }) => c.id), [a.id]);

    // In case B too; leaving A keeps the finding readable through B, leaving B takes it away.
    assert.equal((await api.post(`/cases/${b.id}/participants`, who.gov!, { organisationId: org.vendor, role: 'vendor' })).status, 200);
    assert.equal((await api.delete(`/cases/${a.id}/participants/${org.vendor}`, who.gov!)).status, 204);
    assert.equal((await api.get(`/cases/${a.id}`, who.vendor!)).status, 404);
    assert.equal(await readsFinding('vendor', f), true, 'still shared through case B');
    // The vendor leaves B by itself.
    assert.equal((await api.delete(`/cases/${b.id}/participants/${org.vendor}`, who.vendor!)).status, 204);
    assert.equal((await api.get(`/cases/${b.id}`, who.vendor!)).status, 404);
    assert.equal(await readsFinding('vendor', f), false, 'no case shares it any more');
    assert.equal((await api.delete(`/cases/${b.id}/participants/${org.gov}`, who.gov!)).status, 409, 'the owner cannot leave');
    const actions = (await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', '=', a.id).orderBy('seq').execute()).map((r) => r.action);
    assert.deepEqual(actions, ['case.open', 'case.participant-add', 'case.participant-remove']);
  });

  it('another coordinator joins a case it reads with its own organisation, and nothing else', async () => {
    const c = (await api.post('/cases', who.gov!, { title: 'Joinable', findingIds: [await finding()] })).body;
    const view = await api.get(`/cases/${c.id}`, who.gov2!);
    assert.equal(view.status, 200, 'AMBER: coordinators read it');
    assert.equal(view.body.permissions.join, true);
    assert.equal((await api.post(`/cases/${c.id}/participants`, who.gov2!, { organisationId: org.vendor, role: 'vendor' })).status, 403);
    assert.equal((await api.post(`/cases/${c.id}/participants`, who.gov2!, { organisationId: org.gov2, role: 'observer' })).status, 403);
    const join = await api.post(`/cases/${c.id}/participants`, who.gov2!, { organisationId: org.gov2, role: 'coordinator' });
    assert.equal(join.status, 200, JSON.stringify(join.body));
    assert.equal(join.body.permissions.manage, true, 'a coordinator participant manages the case');
  });

  it('the owner changes title and label with If-Match, and brings in more findings, whose reporters join and read them', async () => {
    const c = (await api.post('/cases', who.gov!, { title: 'Editable', findingIds: [await finding()] })).body;
    const more = await finding({}, org.stranger, 'AMBER');
    assert.equal((await api.patch(`/cases/${c.id}`, who.gov!, { title: 'No version' })).status, 428);
    assert.equal((await api.patch(`/cases/${c.id}`, who.gov!, { title: 'Stale' }, { 'if-match': `"${c.version + 7}"` })).status, 412);
    assert.equal((await api.patch(`/cases/${c.id}`, who.lab!, { title: 'Reporter' }, { 'if-match': `"${c.version}"` })).status, 403);
    const res = await api.patch(`/cases/${c.id}`, who.gov!, { title: 'Edited', label: { tlp: 'RED' }, addFindingIds: [more] }, { 'if-match': `"${c.version}"` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.title, 'Edited');
    assert.equal(res.body.label.tlp, 'RED');
    assert.deepEqual(res.body.participantList.map((p: { organisationId: string; role: string }) => [p.organisationId, p.role]).sort(), [[org.gov, 'coordinator'], [org.lab, 'reporter'], [org.stranger, 'reporter']].sort());
    assert.equal(await readsFinding('lab', more), true, 'the first reporter reads the finding brought in');
    assert.equal((await api.get(`/cases/${c.id}`, who.stranger!)).status, 200, 'the new reporter reads the case');
    assert.equal((await api.get(`/cases/${c.id}`, who.gov2!)).status, 404, 'RED now: another coordinator does not');
    const labels = await server.container.deps.db.selectFrom('audit_log').select('label_tlp').where('record_id', '=', c.id).execute();
    assert.ok(labels.length >= 2 && labels.every((l) => l.label_tlp === 'RED'), 'earlier entries follow the new label');
  });

  it('lists page by page, filtered by state and title', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await api.post('/cases', who.gov!, { title: `Paging marker ${i}`, findingIds: [await finding()] })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.get(`/cases?q=paging%20marker&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, who.gov!);
      assert.equal(page.status, 200);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen.sort(), [...mine].sort());
    assert.equal((await api.get('/cases?q=paging%20marker&state=closed', who.gov!)).body.items.length, 0);
    assert.equal((await api.get('/cases?cursor=bogus', who.gov!)).status, 400);
    assert.equal((await api.get('/cases', {})).status, 401);
  });
});
