import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Issue 6, "other tenants' traces": what an organisation administrator must not learn about records and people
 * outside their reach, through the audit view, membership changes and user creation.
 */
const SBOM = readFileSync(new URL('../fixtures/inventories/operator-a.cdx.json', import.meta.url));
const ROLE = 'incident-handler';
const NOBODY = '00000000-0000-4000-8000-0000000000ab';

describeEachDriver("other tenants' traces", (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const org = { a: '', b: '' };
  const user = { adminA: '', handlerA: '', memberB: '', site: '' };
  const call = {} as Record<'adminA' | 'handlerA' | 'memberB' | 'site', Caller>;

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    org.a = (await services.organisations.create(sys, { name: 'Operator A', kind: 'vendor', label: { tlp: 'RED' } })).id;
    org.b = (await services.organisations.create(sys, { name: 'Operator B', kind: 'vendor', label: { tlp: 'RED' } })).id;
    const make = async (key: keyof typeof user, email: string, memberships: { organisationId: string; roles: string[] }[], siteAdmin = false) => {
      const { user: u } = await services.users.create(sys, { email, name: `Name of ${key}`, password: 'tenant traces passphrase', siteAdmin, memberships });
      user[key] = u.id;
      call[key] = { bearer: (await services.tokens.create(sys, { name: 't', scopes: ['read', 'write', 'admin'], forUserId: u.id })).secret };
    };
    await make('adminA', 'admin-a@a.example', [{ organisationId: org.a, roles: ['admin'] }]);
    await make('handlerA', 'handler-a@a.example', [{ organisationId: org.a, roles: ['member', ROLE] }]);
    await make('memberB', 'member-b@b.example', [{ organisationId: org.b, roles: ['member'] }]);
    await make('site', 'site@ops.example', [], true);
  });
  after(() => server.close());

  it("an organisation admin's audit view hides every entry of a record they cannot read", async () => {
    const up = await api.call('POST', `/inventories?name=restricted-grid&organisationId=${org.a}&restricted=${ROLE}`, call.handlerA, SBOM, { 'content-type': 'application/json' });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const id = up.body.id as string;
    const version = up.body.version as number;
    assert.equal((await api.patch(`/inventories/${id}`, call.handlerA, { name: 'restricted-grid-2' }, { 'if-match': `"${version}"` })).status, 200);
    assert.equal((await api.get(`/inventories/${id}`, call.adminA)).status, 404, 'the inventory itself is hidden from the admin');

    const all = await api.get('/audit?limit=200', call.adminA);
    assert.equal(all.status, 200);
    assert.ok(all.body.items.length > 0, 'the admin still sees their organisation\'s other entries');
    assert.ok(!all.body.items.some((e: any) => e.recordId === id), 'no entry names the hidden inventory');
    const one = await api.get(`/audit?recordId=${id}`, call.adminA);
    assert.deepEqual(one.body.items, [], 'not even when asked for by id');

    const holder = await api.get(`/audit?recordId=${id}`, call.handlerA);
    assert.equal(holder.status, 403, 'members who are not admins have no audit view at all');
    // Site administrators get no exemption from labels (they cannot read the inventory either), so none from its history.
    assert.equal((await api.get(`/inventories/${id}`, call.site)).status, 404, 'the inventory is hidden from the site admin too');
    const site = await api.get(`/audit?recordId=${id}`, call.site);
    assert.deepEqual([site.status, site.body.items], [200, []], "the site admin's view has no entry of it either");
    const siteAll = await api.get('/audit?limit=200', call.site);
    assert.ok(siteAll.body.items.some((e: any) => e.organisationId === org.a), "the site admin still sees Operator A's other entries");
    assert.ok(!siteAll.body.items.some((e: any) => e.recordId === id), 'no entry in the whole view names the hidden inventory');
    await server.container.services.organisations.setMember(systemPrincipal('cli'), org.a, user.handlerA, ['admin', 'member', ROLE]);
    assert.deepEqual((await api.get(`/audit?recordId=${id}`, call.handlerA)).body.items.map((e: any) => e.action).sort(), ['inventory.create', 'inventory.update'], 'an admin holding the role reads its history');
    await server.container.services.organisations.setMember(systemPrincipal('cli'), org.a, user.handlerA, ['member', ROLE]);
    assert.equal((await server.container.services.audit.verify()).ok, true, 'the hash chain still verifies');
  });

  it('restricting an inventory later hides its earlier history too', async () => {
    const up = await api.call('POST', `/inventories?name=open-then-restricted&organisationId=${org.a}`, call.handlerA, SBOM, { 'content-type': 'application/json' });
    assert.equal(up.status, 201);
    const id = up.body.id as string;
    assert.deepEqual((await api.get(`/audit?recordId=${id}`, call.adminA)).body.items.map((e: any) => e.action), ['inventory.create'], 'visible while the inventory is');
    const patched = await api.patch(`/inventories/${id}`, call.handlerA, { label: { restricted: ROLE } }, { 'if-match': `"${up.body.version}"` });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual((await api.get(`/audit?recordId=${id}`, call.adminA)).body.items, [], 'no entry of it is left in their view');
    assert.deepEqual((await api.get(`/audit?recordId=${id}`, call.site)).body.items, [], 'nor in the site admin\'s, who holds no such role');
    const verified = await server.container.services.audit.verify();
    assert.equal(verified.ok, true, 'relabelling does not touch the hash chain');
    const total = await server.container.deps.db.selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(verified.entries, Number(total.n), 'audit verify checks the whole chain, hidden entries included');
  });

  it('PUT members of an outside user is an invitation that reveals nothing, and the invitee decides', async () => {
    const toOutsider = await api.put(`/organisations/${org.a}/members/${user.memberB}`, call.adminA, { roles: ['member'] });
    const toNobody = await api.put(`/organisations/${org.a}/members/${NOBODY}`, call.adminA, { roles: ['member'] });
    const site = { id: user.site };
    const toSiteAdmin = await api.put(`/organisations/${org.a}/members/${site.id}`, call.adminA, { roles: ['member'] });
    for (const r of [toOutsider, toNobody, toSiteAdmin]) {
      assert.equal(r.status, 202);
      assert.deepEqual(Object.keys(r.body).sort(), ['createdAt', 'email', 'expiresAt', 'id', 'organisationId', 'roles', 'userId']);
      assert.equal(r.body.email, null);
      assert.doesNotMatch(JSON.stringify(r.body), /member-b@b\.example|Name of memberB|@/);
    }
    assert.equal(toNobody.body.userId, NOBODY, 'an unknown id is answered exactly like a known one');
    const members = await api.get(`/organisations/${org.a}/members`, call.adminA);
    assert.ok(!members.body.some((m: any) => m.userId === user.memberB), 'nobody joined yet');
    const pending = await api.get(`/organisations/${org.a}/invitations`, call.adminA);
    assert.deepEqual(pending.body.items.map((i: any) => i.userId).sort(), [user.memberB, NOBODY, site.id].sort());

    const mine = await api.get('/me/invitations', call.memberB);
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body.items.map((i: any) => [i.organisationName, i.roles]), [['Operator A', ['member']]]);
    assert.equal((await api.get('/me/invitations', call.handlerA)).body.items.length, 0, 'an invitation exists only for its invitee');
    assert.equal((await api.post(`/me/invitations/${mine.body.items[0].id}/accept`, call.handlerA)).status, 404, 'nobody else can accept it');
    assert.equal((await api.post(`/me/invitations/${mine.body.items[0].id}/accept`, call.memberB)).status, 204);
    const after = await api.get(`/organisations/${org.a}/members`, call.adminA);
    assert.deepEqual(after.body.find((m: any) => m.userId === user.memberB)?.roles, ['member'], 'accepting makes the membership');
    assert.equal((await api.get('/me/invitations', call.memberB)).body.items.length, 0);

    // Declining leaves the inviters' list as it was until the invitation expires: its vanishing would say "exists".
    const siteMine = await api.get('/me/invitations', call.site);
    assert.equal((await api.post(`/me/invitations/${siteMine.body.items[0].id}/decline`, call.site)).status, 204);
    const stillPending = await api.get(`/organisations/${org.a}/invitations`, call.adminA);
    assert.deepEqual(stillPending.body.items.map((i: any) => i.userId).sort(), [NOBODY, site.id].sort());
    const withdrawn = await api.delete(`/organisations/${org.a}/invitations/${toNobody.body.id}`, call.adminA);
    assert.equal(withdrawn.status, 204);
    assert.equal((await api.get(`/organisations/${org.a}/invitations`, call.memberB)).status, 403, 'members do not manage invitations');
    assert.equal((await api.get(`/organisations/${org.b}/invitations`, call.adminA)).status, 404, "another organisation's list does not exist for them");

    const direct = await api.put(`/organisations/${org.b}/members/${user.adminA}`, call.site, { roles: ['member'] });
    assert.equal(direct.status, 200, 'site administrators still add directly');
    assert.equal(direct.body.email, 'admin-a@a.example');
    assert.equal((await api.put(`/organisations/${org.b}/members/${NOBODY}`, call.site, { roles: ['member'] })).status, 404);
  });

  it('POST /users by an organisation admin answers the same whether or not the e-mail exists elsewhere', async () => {
    const body = (email: string) => ({ email, name: 'Someone', memberships: [{ organisationId: org.a, roles: ['member'] }] });
    const taken = await api.post('/users', call.adminA, body('member-b@b.example'));
    const fresh = await api.post('/users', call.adminA, body('fresh@c.example'));
    for (const r of [taken, fresh]) {
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['email', 'invitations']);
      assert.deepEqual(Object.keys(r.body.invitations[0]).sort(), ['createdAt', 'email', 'expiresAt', 'id', 'organisationId', 'roles', 'userId']);
      assert.equal(r.body.invitations[0].userId, null);
    }
    assert.doesNotMatch(JSON.stringify(taken.body), /Name of memberB|already|exists/);
    assert.equal(await server.container.services.users.findByEmail('fresh@c.example'), undefined, 'no account is made behind the answer');
    const invited = await api.get('/me/invitations', call.memberB);
    assert.deepEqual(invited.body.items.map((i: any) => i.organisationId), [org.a], 'the e-mail invitation reaches the existing account');
    const siteDup = await api.post('/users', call.site, body('member-b@b.example'));
    assert.equal(siteDup.status, 409, 'site administrators, who see every user, are told');
  });

  it('the same organisation twice in one user\'s memberships is a clear 400 that writes nothing', async () => {
    const res = await api.post('/users', call.site, {
      email: 'twice@a.example',
      name: 'Twice',
      memberships: [{ organisationId: org.a, roles: ['member'] }, { organisationId: org.a, roles: ['admin'] }],
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.detail, /listed twice/);
    assert.equal(await server.container.services.users.findByEmail('twice@a.example'), undefined);
  });
});
