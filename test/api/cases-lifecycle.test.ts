import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const sys = systemPrincipal('system');
const DAY = 86_400_000;

/**
 * A case's life after opening (issue 9): vendor statuses with statements and unread markers, the public date and its
 * history, extension requests, suggested vendors from declared products, the advisory drafted from the case, and the
 * outbox's reminders and publication at the public date, driven by an injected clock.
 */
describeEachDriver('cases: statuses, public date, extensions, suggestions, advisory and publication', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const clock = new ManualClock('2026-12-02T12:00:00.000Z');
  const org = { gov: '', lab: '', vendor: '', vendor2: '', maker: '' };
  const who: Record<string, Caller> = {};
  const userId: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock });
    api = new ApiClient(server.app);
    const { services } = server.container;
    org.gov = (await services.organisations.create(sys, { name: 'National CERT', kind: 'government' })).id;
    org.lab = (await services.organisations.create(sys, { name: 'Scanner Lab', kind: 'ai-developer' })).id;
    org.vendor = (await services.organisations.create(sys, { name: 'Acme Widgets', kind: 'vendor' })).id;
    org.vendor2 = (await services.organisations.create(sys, { name: 'Bolt Systems', kind: 'vendor' })).id;
    org.maker = (await services.organisations.create(sys, { name: 'Open Gadget Project', kind: 'researcher' })).id;
    for (const [name, o, roles] of [
      ['gov', org.gov, ['member']], ['gov2', org.gov, ['member']], ['lab', org.lab, ['member']], ['vendor', org.vendor, ['member']],
      ['vendoradmin', org.vendor, ['admin']], ['vendor2', org.vendor2, ['member']], ['makeradmin', org.maker, ['admin']],
    ] as const) {
      const { user } = await services.users.create(sys, { email: `${name}@lifecycle.example`, name, password: 'cases test passphrase', memberships: [{ organisationId: o, roles: [...roles] }] });
      userId[name] = user.id;
      who[name] = { bearer: (await services.tokens.create(sys, { name: 'test', scopes: ['read', 'write', 'admin'], forUserId: user.id })).secret };
    }
  });
  after(() => server.close());

  let n = 0;
  async function finding(extra: Record<string, unknown> = {}): Promise<string> {
    n++;
    const r = await server.container.services.findings.create(sys, {
      organisationId: org.lab, title: `Lifecycle finding ${n}`, description: 'd', product: { purl: `pkg:npm/@acme/widget-${n}` }, location: `src/${n}.ts:1`, ...extra,
    } as never);
    return r.finding.id;
  }
  async function openCase(vendors: string[] = [org.vendor], extra: Record<string, unknown> = {}): Promise<any> {
    const res = await api.post('/cases', who.gov!, { title: `Lifecycle case ${++n}`, findingIds: [await finding()], participants: vendors.map((v) => ({ organisationId: v, role: 'vendor' })), ...extra });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }
  const notifications = async (caseId: string, kind: string) =>
    (await server.container.deps.db.selectFrom('notifications').select(['organisation_id']).where('subject_id', '=', caseId).where('kind', '=', kind).execute()).map((r) => r.organisation_id).sort();
  const runOutbox = async () => {
    let total = 0;
    for (let ran = await server.container.outbox.runOnce(); ran > 0; ran = await server.container.outbox.runOnce()) total += ran;
    return total;
  };

  it('the vendor states its status with a statement; coordinators may too; others may not; bad statuses write nothing', async () => {
    const c = await openCase([org.vendor, org.vendor2]);
    const url = `/cases/${c.id}/statuses/${org.vendor}`;
    const bad = await api.put(url, who.vendor!, { status: 'patched' });
    assert.equal(bad.status, 400);
    const noFix = await api.put(url, who.vendor!, { status: 'fixed', statement: 'done' });
    assert.equal(noFix.status, 400);
    assert.equal(noFix.body.field, 'fixedVersions');
    const badPurl = await api.put(url, who.vendor!, { status: 'fixed', fixedVersions: [{ purl: 'widget', fixed: '2.1.0' }] });
    assert.equal(badPurl.status, 400);
    assert.equal(badPurl.body.field, 'fixedVersions[0].purl');
    assert.equal(Number((await server.container.deps.db.selectFrom('case_status_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing written');
    const ok = await api.put(url, who.vendor!, { status: 'fixed', statement: 'Fixed in 2.1.0.', fixedVersions: [{ purl: 'pkg:npm/@acme/widget-1', fixed: '2.1.0' }] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual([ok.body.status, ok.body.statement, ok.body.fixedVersions, ok.body.updatedBy, ok.body.version], ['fixed', 'Fixed in 2.1.0.', [{ purl: 'pkg:npm/%40acme/widget-1', fixed: '2.1.0' }], 'vendor@lifecycle.example', 2]);
    assert.equal((await api.put(`/cases/${c.id}/statuses/${org.vendor}`, who.vendor2!, { status: 'affected' })).status, 403, 'one vendor does not speak for another');
    assert.equal((await api.put(`/cases/${c.id}/statuses/${org.vendor}`, who.lab!, { status: 'affected' })).status, 403, 'the reporter does not either');
    assert.equal((await api.put(`/cases/${c.id}/statuses/${org.lab}`, who.gov!, { status: 'affected' })).status, 404, 'the reporter has no vendor status');
    const byCoordinator = await api.put(`/cases/${c.id}/statuses/${org.vendor2}`, who.gov!, { status: 'under-investigation', statement: 'Vendor acknowledged by phone.' });
    assert.equal(byCoordinator.status, 200);
    const stale = await api.put(url, who.vendor!, { status: 'fixed', mitigations: 'x', version: 1 });
    assert.equal(stale.status, 409);
    const one = await api.get(url, who.lab!);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.history.map((h: { status: string }) => h.status), ['fixed']);
    const audit = await server.container.deps.db.selectFrom('audit_log').select(['action', 'label_owner', 'label_tlp']).where('record_id', '=', c.id).where('action', '=', 'case.status').execute();
    assert.equal(audit.length, 2);
    assert.deepEqual([audit[0]!.label_owner, audit[0]!.label_tlp], [org.gov, 'AMBER']);
  });

  it('unread markers: a status changed by someone else since my last visit is new to me, not to its author; marks only move forward', async () => {
    const c = await openCase();
    const table = async (name: string) => (await api.get(`/cases/${c.id}/statuses`, who[name]!)).body;
    assert.equal((await table('gov')).items[0].unread, false, 'the coordinator added the vendor: nothing new to them');
    assert.equal((await table('vendor')).items[0].unread, true, 'new to the vendor');
    clock.advance(1000);
    const mark = await api.post(`/cases/${c.id}/seen`, who.gov!, { key: 'statuses' });
    assert.equal(mark.status, 200);
    assert.equal(mark.body.seenAt, clock.now().toISOString());
    clock.advance(60_000);
    assert.equal((await api.put(`/cases/${c.id}/statuses/${org.vendor}`, who.vendor!, { status: 'affected', statement: 'Confirmed.' })).status, 200);
    const mine = await table('gov');
    assert.equal(mine.items[0].unread, true, 'changed since the coordinator looked');
    assert.equal(mine.seenAt, mark.body.seenAt);
    assert.equal((await table('gov2')).items[0].unread, true, 'per user: a colleague never looked');
    assert.equal((await table('vendor')).items[0].unread, false, 'not new to its author');
    const listed = (await api.get('/cases?limit=200', who.gov!)).body.items.find((x: { id: string }) => x.id === c.id);
    assert.deepEqual(listed.unread, { statuses: 1 });
    clock.advance(1000);
    await api.post(`/cases/${c.id}/seen`, who.gov!, { key: 'statuses' });
    assert.equal((await table('gov')).items[0].unread, false);
    assert.equal((await table('gov2')).items[0].unread, true);
    assert.equal((await api.post(`/cases/${c.id}/seen`, who.gov!, { key: 'nonsense' })).status, 400);
    assert.equal((await api.post(`/cases/${c.id}/seen`, who.vendor2!, { key: 'statuses' })).status, 404, 'not a reader of the case');
  });

  it('moves the public date with a reason and keeps its whole history; a past date is a 400; participants are notified', async () => {
    const c = await openCase();
    const url = `/cases/${c.id}/public-date`;
    const past = await api.put(url, who.gov!, { publicDate: '2026-11-30T00:00:00Z', reason: 'oops', version: c.version });
    assert.equal(past.status, 400);
    assert.equal(past.body.field, 'publicDate');
    assert.equal((await api.put(url, who.gov!, { publicDate: '2027-02-01T00:00:00Z', reason: 'no version' })).status, 428);
    assert.equal((await api.put(url, who.vendor!, { publicDate: '2027-02-01T00:00:00Z', reason: 'vendor', version: c.version })).status, 403);
    const moved = await api.put(url, who.gov!, { publicDate: '2027-02-01T00:00:00Z', reason: 'Vendor needs a release window', version: c.version });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.publicDate, '2027-02-01T00:00:00.000Z');
    assert.equal(moved.body.label.embargoUntil, '2027-02-01T00:00:00.000Z', 'the embargo follows the public date');
    const h = (await api.get(url, who.vendor!)).body;
    assert.deepEqual(h.history.map((x: { kind: string; from: string | null; to: string; reason: string }) => [x.kind, x.from, x.to]), [
      ['changed', c.publicDate, '2027-02-01T00:00:00.000Z'],
      ['opened', null, c.publicDate],
    ]);
    assert.deepEqual(await notifications(c.id, 'case.public-date-changed'), [org.gov, org.lab, org.vendor].sort());
    const relabelled = await server.container.deps.db.selectFrom('audit_log').select('label_embargo_until').where('record_id', '=', c.id).execute();
    assert.ok(relabelled.every((r) => r.label_embargo_until === '2027-02-01T00:00:00.000Z'), 'earlier entries follow the label');
  });

  it('extension requests: a participant asks for a later date, the coordinator accepts (the date moves) or refuses; decisions are final', async () => {
    const c = await openCase();
    const url = `/cases/${c.id}/extension-requests`;
    const earlier = await api.post(url, who.vendor!, { publicDate: new Date(Date.parse(c.publicDate) - DAY).toISOString(), reason: 'x' });
    assert.equal(earlier.status, 400, 'an extension moves the date out');
    assert.equal((await api.post(url, who.vendor2!, { publicDate: '2027-06-01T00:00:00Z', reason: 'x' })).status, 404);
    const asked = await api.post(url, who.vendor!, { publicDate: '2027-06-01T00:00:00Z', reason: 'Fix ships in May' });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    assert.equal(asked.body.state, 'pending');
    assert.equal(asked.body.organisationId, org.vendor);
    assert.deepEqual(await notifications(c.id, 'case.extension-requested'), [org.gov]);
    const decide = `${url}/${asked.body.id}/decision`;
    assert.equal((await api.post(decide, who.vendor!, { accept: true })).status, 403, 'the vendor does not decide its own request');
    const accepted = await api.post(decide, who.gov!, { accept: true, note: 'Agreed' });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.state, 'accepted');
    assert.equal((await api.post(decide, who.gov!, { accept: false })).status, 409);
    const view = (await api.get(`/cases/${c.id}`, who.vendor!)).body;
    assert.equal(view.publicDate, '2027-06-01T00:00:00.000Z');
    assert.equal(view.publicDateInfo.history[0].kind, 'extension');
    const second = await api.post(url, who.lab!, { publicDate: '2027-07-01T00:00:00Z', reason: 'More time' });
    const refused = await api.post(`${url}/${second.body.id}/decision`, who.gov!, { accept: false, note: 'No' });
    assert.equal(refused.body.state, 'refused');
    assert.equal((await api.get(`/cases/${c.id}`, who.gov!)).body.publicDate, '2027-06-01T00:00:00.000Z', 'a refusal leaves the date');
    assert.deepEqual(await notifications(c.id, 'case.extension-decided'), [org.lab, org.vendor].sort());
    const list = (await api.get(url, who.lab!)).body.items.map((r: { state: string }) => r.state);
    assert.deepEqual(list, ['refused', 'accepted']);
    assert.equal((await api.post(`${url}/00000000-0000-4000-8000-00000000dead/decision`, who.gov!, { accept: true })).status, 404);
  });

  it('vendors are suggested from declared products (admins declare, audited), never from findings the caller cannot read', async () => {
    const decl = `/organisations/${org.vendor}/products`;
    assert.equal((await api.post(decl, who.vendor!, { purlPrefix: 'pkg:npm/@acme/' })).status, 403, 'members are not administrators');
    const bad = await api.post(decl, who.vendoradmin!, { purlPrefix: 'pkg:npm/@acme/widget@1.0.0' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'purlPrefix');
    const p = await api.post(decl, who.vendoradmin!, { purlPrefix: 'pkg:npm/@acme/' });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.purlPrefix, 'pkg:npm/%40acme/');
    assert.equal((await api.post(decl, who.vendoradmin!, { purlPrefix: 'pkg:npm/@acme/' })).status, 409);
    const cpe = await api.post(`/organisations/${org.maker}/products`, who.makeradmin!, { cpe: { vendor: 'opengadget', product: 'gadget' } });
    assert.equal(cpe.status, 201);
    assert.deepEqual((await api.get(decl, who.lab!)).body.items.map((x: { purlPrefix: string }) => x.purlPrefix), ['pkg:npm/%40acme/']);
    const audited = await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', '=', org.vendor).where('action', 'like', 'organisation.product%').execute();
    assert.equal(audited.length, 1);

    const fNpm = await finding();
    const fCpe = await finding({ product: { cpe: 'cpe:2.3:a:opengadget:gadget:1.0:*:*:*:*:*:*:*' } });
    const fRed = await finding({ product: { purl: 'pkg:npm/@acme/secret' }, label: { tlp: 'RED' } });
    const c = (await api.post('/cases', who.gov!, { title: 'Suggest', findingIds: [fNpm, fCpe] })).body;
    const s = await api.get(`/cases/${c.id}/suggestions`, who.gov!);
    assert.equal(s.status, 200);
    assert.deepEqual(s.body.items.map((x: { organisationId: string }) => x.organisationId).sort(), [org.vendor, org.maker].sort());
    const acme = s.body.items.find((x: { organisationId: string }) => x.organisationId === org.vendor);
    assert.deepEqual(acme.reasons, [{ findingId: fNpm, match: 'declared-product', declaration: 'pkg:npm/%40acme/' }]);
    // The lab opens a RED case from its RED finding: a reader without the finding is suggested nothing from it.
    const redCase = (await api.post('/cases', who.lab!, { title: 'Lab only', findingIds: [fRed], label: { tlp: 'GREEN' } })).body;
    assert.deepEqual((await api.get(`/cases/${redCase.id}/suggestions`, who.lab!)).body.items.map((x: { organisationId: string }) => x.organisationId), [org.vendor]);
    const other = await api.get(`/cases/${redCase.id}`, who.vendor2!);
    assert.equal(other.status, 404, 'GREEN but under embargo: participants and coordinators only');
    assert.deepEqual((await api.get(`/cases/${redCase.id}/suggestions`, who.gov!)).body.items, [], 'the coordinator reads the case, not the RED finding');
    // Added vendors are not suggested again; withdrawing a declaration stops suggesting.
    await api.post(`/cases/${c.id}/participants`, who.gov!, { organisationId: org.vendor, role: 'vendor' });
    assert.deepEqual((await api.get(`/cases/${c.id}/suggestions`, who.gov!)).body.items.map((x: { organisationId: string }) => x.organisationId), [org.maker]);
    assert.equal((await api.delete(`/organisations/${org.maker}/products/${cpe.body.id}`, who.makeradmin!)).status, 204);
    assert.deepEqual((await api.get(`/cases/${c.id}/suggestions`, who.gov!)).body.items, []);
  });

  it('drafts an advisory from the case (fixes from statements, reporters credited, aliases), then at the public date publishes it and closes the case in one go', async () => {
    const f = await finding({ aliases: ['CVE-2026-4242'] });
    const c = (await api.post('/cases', who.gov!, { title: 'Publish me', summary: 'Widget flaw.', findingIds: [f], participants: [{ organisationId: org.vendor, role: 'vendor' }], publicDate: '2027-01-31T12:00:00Z' })).body;
    await api.put(`/cases/${c.id}/statuses/${org.vendor}`, who.vendor!, { status: 'fixed', statement: 'Fixed.', fixedVersions: [{ purl: `pkg:npm/@acme/widget-${n}`, fixed: '3.0.1' }] });
    assert.equal((await api.post(`/cases/${c.id}/advisory`, who.vendor!, {})).status, 403);
    const d = await api.post(`/cases/${c.id}/advisory`, who.gov!, {});
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const a = d.body.advisory;
    assert.equal(a.state, 'draft');
    assert.equal(a.organisationId, org.gov);
    assert.deepEqual(a.record.aliases, ['CVE-2026-4242']);
    assert.deepEqual(a.record.affected[0].ranges[0].events, [{ introduced: '0' }, { fixed: '3.0.1' }]);
    assert.deepEqual(a.record.credits, [{ name: 'Scanner Lab', type: 'FINDER' }, { name: 'National CERT', type: 'COORDINATOR' }]);
    assert.deepEqual(d.body.case.advisory, { id: a.id, state: 'draft' });
    assert.equal((await api.post(`/cases/${c.id}/advisory`, who.gov!, {})).status, 409, 'drafted once');
    assert.equal((await api.get(`/cases/${c.id}`, who.vendor!)).body.advisory, null, 'the draft is the coordinator\'s until published');

    // Reminders go out at 14, 7 and 1 days before; none earlier.
    const at = (days: number) => new Date(Date.parse('2027-01-31T12:00:00Z') - days * DAY);
    clock.set(new Date(at(14).getTime() - 1000));
    await runOutbox();
    assert.deepEqual(await notifications(c.id, 'case.reminder'), []);
    clock.set(at(14));
    await runOutbox();
    assert.deepEqual(await notifications(c.id, 'case.reminder'), [org.gov, org.lab, org.vendor].sort());
    clock.set(at(7));
    await runOutbox();
    assert.equal((await notifications(c.id, 'case.reminder')).length, 6);
    clock.set(at(1));
    await runOutbox();
    assert.equal((await notifications(c.id, 'case.reminder')).length, 9);

    // At the public date: the advisory is published and the case closed in one transaction. A failure anywhere in
    // it (here: the inbox) leaves both as they were, and the retry does it all.
    clock.set('2027-01-31T12:00:00.000Z');
    const notifier = server.container.services.notifications;
    const real = notifier.notify.bind(notifier);
    notifier.notify = async () => {
      throw new Error('inbox unavailable');
    };
    try {
      await runOutbox();
    } finally {
      notifier.notify = real;
    }
    assert.equal((await server.container.services.advisories.get(sys, a.id)).state, 'draft', 'not published without the closing');
    assert.equal((await api.get(`/cases/${c.id}`, who.gov!)).body.state, 'open');
    clock.advance(5_000);
    await runOutbox();
    const closed = (await api.get(`/cases/${c.id}`, who.vendor!)).body;
    assert.equal(closed.state, 'closed');
    assert.equal(closed.closedAt, clock.now().toISOString());
    const published = await api.get(`/advisories/${a.id}`, {});
    assert.equal(published.status, 200, 'published TLP:CLEAR: the public reads it');
    assert.equal(published.body.state, 'published');
    assert.deepEqual(closed.advisory, { id: a.id, state: 'published' });
    assert.deepEqual(await notifications(c.id, 'case.published'), [org.gov, org.lab, org.vendor].sort());
    const actions = (await server.container.deps.db.selectFrom('audit_log').select('action').where('record_id', 'in', [c.id, a.id]).orderBy('seq').execute()).map((r) => r.action);
    assert.deepEqual(actions.slice(-3), ['case.reminder', 'advisory.publish', 'case.close']);
    assert.equal((await api.put(`/cases/${c.id}/statuses/${org.vendor}`, who.vendor!, { status: 'affected' })).status, 409, 'a closed case takes no more changes');
  });

  it('a reminder or publication whose date has since moved does nothing; the new date gets its own', async () => {
    clock.set('2026-12-02T12:00:00.000Z');
    await runOutbox();
    const c = await openCase([org.vendor], { publicDate: '2027-01-10T00:00:00Z' });
    await api.post(`/cases/${c.id}/advisory`, who.gov!, {});
    const version = (await api.get(`/cases/${c.id}`, who.gov!)).body.version;
    assert.equal((await api.put(`/cases/${c.id}/public-date`, who.gov!, { publicDate: '2027-01-20T00:00:00Z', reason: 'later', version })).status, 200);
    clock.set('2026-12-27T00:00:00.000Z');
    await runOutbox();
    assert.deepEqual(await notifications(c.id, 'case.reminder'), [], 'the old 14-day reminder found its date moved');
    clock.set('2027-01-10T00:00:00.000Z');
    await runOutbox();
    assert.equal((await api.get(`/cases/${c.id}`, who.gov!)).body.state, 'open', 'the old publication did nothing');
    assert.equal((await notifications(c.id, 'case.reminder')).length, 3, 'the new date\'s 14-day reminder went out');
    clock.set('2027-01-20T00:00:00.000Z');
    await runOutbox();
    const done = (await api.get(`/cases/${c.id}`, who.gov!)).body;
    assert.equal(done.state, 'closed');
    assert.equal(done.advisory.state, 'published');
  });
});
