import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ORGANISATION_KINDS, TLP_LEVELS, type OrganisationKind, type Tlp } from '../../src/domain/policy/access-label.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { ApiClient, PROBLEM, type Caller } from '../helpers/api-client.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Route x role x organisation kind x TLP x embargo x restriction -> allowed or denied. The expectations are the
 * product's rule table written out here, not computed by the code under test.
 */
const ROLE = 'designation-reviewer';
const EMBARGO = { none: null, running: '2027-01-01T00:00:00.000Z', lapsed: '2026-01-01T00:00:00.000Z' } as const;
type Embargo = keyof typeof EMBARGO;

interface Reader {
  name: string;
  caller: Caller;
  kind: OrganisationKind | null;
  admin: boolean;
  siteAdmin: boolean;
  role: boolean;
  owner: boolean;
  anonymous: boolean;
  orgId: string | null;
  userId: string | null;
}
interface Target {
  id: string;
  name: string;
  tlp: Tlp;
  embargo: Embargo;
  restricted: boolean;
}

function seesTarget(r: Reader, t: Target): boolean {
  if (r.siteAdmin || r.owner) return true; // administrators of the directory, and the organisation's own members
  const coordinator = r.kind === 'government';
  const audience: Record<Tlp, boolean> = {
    CLEAR: true,
    GREEN: !r.anonymous,
    AMBER: coordinator,
    'AMBER+STRICT': coordinator,
    RED: false,
  };
  if (!audience[t.tlp]) return false;
  if (t.embargo === 'running' && !coordinator) return false;
  if (t.restricted && !r.role) return false;
  return true;
}

describeEachDriver('authorization matrix', (driver) => {
  let server: TestServer;
  let api: ApiClient;
  const readers: Reader[] = [];
  const targets: Target[] = [];

  before(async () => {
    server = await startTestServer({ driver, listen: false });
    api = new ApiClient(server.app);
    const { services } = server.container;
    const sys = systemPrincipal('cli');
    const password = 'matrix test passphrase';
    async function reader(name: string, opts: Partial<Reader> & { memberships?: { organisationId: string; roles: string[] }[] }): Promise<Reader> {
      const { user } = await services.users.create(sys, { email: `${name}@matrix.example`, name, password, siteAdmin: !!opts.siteAdmin, memberships: opts.memberships ?? [] });
      const { secret } = await services.tokens.create(sys, { name: 'matrix', scopes: ['read', 'write', 'admin'], forUserId: user.id });
      return {
        name, caller: { bearer: secret }, kind: null, admin: false, siteAdmin: false, role: false, owner: false, anonymous: false, orgId: null, userId: user.id, ...opts,
      };
    }
    for (const tlp of TLP_LEVELS) {
      for (const embargo of Object.keys(EMBARGO) as Embargo[]) {
        for (const restricted of [false, true]) {
          const name = `Target ${tlp} ${embargo} ${restricted ? 'restricted' : 'open'}`;
          const o = await services.organisations.create(sys, { name, kind: 'vendor', label: { tlp, embargoUntil: EMBARGO[embargo], restricted: restricted ? ROLE : null } });
          targets.push({ id: o.id, name, tlp, embargo, restricted });
        }
      }
    }
    readers.push({ name: 'anonymous', caller: {}, kind: null, admin: false, siteAdmin: false, role: false, owner: false, anonymous: true, orgId: null, userId: null });
    readers.push(await reader('site-admin', { siteAdmin: true }));
    readers.push(await reader('owner', { owner: true, admin: true, memberships: targets.map((t) => ({ organisationId: t.id, roles: ['admin'] })) }));
    for (const kind of ORGANISATION_KINDS) {
      const org = await services.organisations.create(sys, { name: `Home ${kind}`, kind, ...(kind === 'infrastructure-operator' ? { sectors: ['energy' as const] } : {}), label: { tlp: 'RED' } });
      readers.push(await reader(`${kind}-member`, { kind, orgId: org.id, memberships: [{ organisationId: org.id, roles: ['member'] }] }));
      readers.push(await reader(`${kind}-admin`, { kind, admin: true, orgId: org.id, memberships: [{ organisationId: org.id, roles: ['admin'] }] }));
      readers.push(await reader(`${kind}-reviewer`, { kind, role: true, orgId: org.id, memberships: [{ organisationId: org.id, roles: ['member', ROLE] }] }));
    }
  });
  after(() => server.close());

  it('GET /organisations lists exactly the visible organisations, page by page', async () => {
    for (const r of readers) {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await api.get(`/organisations?limit=7${cursor ? `&cursor=${cursor}` : ''}`, r.caller);
        assert.equal(res.status, 200, `${r.name}: ${JSON.stringify(res.body)}`);
        names.push(...res.body.items.map((o: any) => o.name));
        cursor = res.body.nextCursor;
      } while (cursor);
      const wantTargets = targets.filter((t) => seesTarget(r, t)).map((t) => t.name);
      const gotTargets = names.filter((n) => n.startsWith('Target '));
      assert.deepEqual(gotTargets.sort(), wantTargets.sort(), r.name);
      const homes = names.filter((n) => n.startsWith('Home '));
      // Home organisations are RED: only their members (and site admins) see them.
      const wantHomes = r.siteAdmin ? ORGANISATION_KINDS.map((k) => `Home ${k}`) : r.kind ? [`Home ${r.kind}`] : [];
      assert.deepEqual(homes.sort(), wantHomes.sort(), `${r.name} homes`);
    }
  });

  it('GET /organisations/{id}: hidden is indistinguishable from absent', async () => {
    const absent = await api.get('/organisations/00000000-0000-4000-8000-00000000dead', readers[1]!.caller);
    for (const r of readers) {
      for (const t of targets) {
        const res = await api.get(`/organisations/${t.id}`, r.caller);
        if (seesTarget(r, t)) {
          assert.equal(res.status, 200, `${r.name} reads ${t.name}`);
        } else {
          assert.equal(res.status, 404, `${r.name} must not read ${t.name}`);
          assert.equal(res.body.detail, absent.body.detail);
          assert.equal(res.body.type, absent.body.type);
        }
      }
    }
  });

  it('PATCH /organisations/{id}: site admins and the organisation\'s admins; others 403 if visible, 404 if hidden', async () => {
    const t = targets.find((x) => x.tlp === 'GREEN' && x.embargo === 'none' && !x.restricted)!;
    const hidden = targets.find((x) => x.tlp === 'RED' && x.embargo === 'none' && !x.restricted)!;
    for (const r of readers) {
      const current = await api.get(`/organisations/${t.id}`, readers[1]!.caller);
      const res = await api.patch(`/organisations/${t.id}`, r.caller, { name: t.name }, { 'if-match': `"${current.body.version}"` });
      const want = r.anonymous ? 401 : r.siteAdmin || r.owner ? 200 : 403;
      assert.equal(res.status, want, `${r.name} patches a visible organisation`);
      if (!r.siteAdmin && !r.owner && !r.anonymous) {
        const h = await api.patch(`/organisations/${hidden.id}`, r.caller, { name: 'x' + hidden.name }, { 'if-match': '"1"' });
        assert.equal(h.status, 404, `${r.name} patches a hidden organisation`);
      }
    }
  });

  it('renaming is for site admins: a name clash must not reveal a hidden organisation to anyone else', async () => {
    const mine = targets.find((x) => x.tlp === 'GREEN' && x.embargo === 'none' && !x.restricted)!;
    const hidden = targets.find((x) => x.tlp === 'RED' && x.embargo === 'none' && !x.restricted)!;
    const version = (await api.get(`/organisations/${mine.id}`, readers[1]!.caller)).body.version;
    const admin = readers.find((x) => x.name === 'vendor-admin')!;
    const ownOrg = await api.get(`/organisations/${admin.orgId}`, admin.caller);
    for (const name of [hidden.name, 'A Fresh Name']) {
      const res = await api.patch(`/organisations/${admin.orgId}`, admin.caller, { name }, { 'if-match': `"${ownOrg.body.version}"` });
      assert.equal(res.status, 403, `the same answer whether or not "${name}" is taken`);
      assert.doesNotMatch(res.body.detail, /exists/);
    }
    const clash = await api.patch(`/organisations/${mine.id}`, readers[1]!.caller, { name: hidden.name }, { 'if-match': `"${version}"` });
    assert.equal(clash.status, 409, 'site administrators, who see every organisation, are told of the clash');
  });

  it('POST /organisations: site admins only', async () => {
    let i = 0;
    for (const r of readers) {
      const res = await api.post('/organisations', r.caller, { name: `Made by ${r.name} ${i++}`, kind: 'researcher' });
      assert.equal(res.status, r.anonymous ? 401 : r.siteAdmin ? 201 : 403, r.name);
    }
  });

  it('members: visible to the organisation\'s members and site admins; managed by its admins and site admins', async () => {
    for (const r of readers.filter((x) => x.kind)) {
      for (const other of readers.filter((x) => x.kind)) {
        const res = await api.get(`/organisations/${other.orgId}/members`, r.caller);
        assert.equal(res.status, r.orgId === other.orgId ? 200 : 404, `${r.name} lists members of ${other.name}'s organisation`);
      }
      const target = readers.find((x) => x.name === 'researcher-member')!;
      const put = await api.put(`/organisations/${r.orgId}/members/${target.userId}`, r.caller, { roles: ['member'] });
      assert.equal(put.status, r.admin ? 200 : 403, `${r.name} adds a member to their own organisation`);
      if (r.admin && r.orgId !== target.orgId) {
        assert.equal((await api.delete(`/organisations/${r.orgId}/members/${target.userId}`, r.caller)).status, 204);
      }
    }
    // Restricted roles open restricted records: an organisation admin cannot hand out one they do not hold.
    const admin = readers.find((x) => x.name === 'vendor-admin')!;
    const colleague = readers.find((x) => x.name === 'vendor-member')!;
    const grant = await api.put(`/organisations/${admin.orgId}/members/${colleague.userId}`, admin.caller, { roles: ['member', 'designation-reviewer'] });
    assert.equal(grant.status, 403);
    const self = await api.put(`/organisations/${admin.orgId}/members/${admin.userId}`, admin.caller, { roles: ['admin', 'designation-reviewer'] });
    assert.equal(self.status, 403, 'not even to themselves');
    const viaCreate = await api.post('/users', admin.caller, { email: 'sneaky@matrix.example', name: 'S', memberships: [{ organisationId: admin.orgId, roles: ['designation-reviewer'] }] });
    assert.equal(viaCreate.status, 403, 'nor through user creation');
    const bySiteAdmin = await api.put(`/organisations/${admin.orgId}/members/${colleague.userId}`, readers[1]!.caller, { roles: ['member', 'designation-reviewer'] });
    assert.equal(bySiteAdmin.status, 200, 'site administrators grant restricted roles');
    const reviewerAdmin = readers.find((x) => x.name === 'government-reviewer')!;
    await server.container.services.organisations.setMember(systemPrincipal('cli'), reviewerAdmin.orgId!, reviewerAdmin.userId!, ['admin', 'member', 'designation-reviewer']);
    const govColleague = readers.find((x) => x.name === 'government-member')!;
    const passOn = await api.put(`/organisations/${reviewerAdmin.orgId}/members/${govColleague.userId}`, reviewerAdmin.caller, { roles: ['member', 'designation-reviewer'] });
    assert.equal(passOn.status, 200, 'an admin holding the role may pass it on within the organisation');
    await server.container.services.organisations.setMember(systemPrincipal('cli'), reviewerAdmin.orgId!, reviewerAdmin.userId!, ['member', 'designation-reviewer']);
    await server.container.services.organisations.setMember(systemPrincipal('cli'), govColleague.orgId!, govColleague.userId!, ['member']);
    await server.container.services.organisations.setMember(systemPrincipal('cli'), admin.orgId!, colleague.userId!, ['member']);
    const anon = await api.get(`/organisations/${readers[3]!.orgId}/members`, {});
    assert.equal(anon.status, 401);
  });

  it('GET /users and POST /users follow administration rights', async () => {
    for (const r of readers) {
      const res = await api.get('/users?limit=200', r.caller);
      if (r.anonymous) {
        assert.equal(res.status, 401);
        continue;
      }
      const ids = res.body.items.map((u: any) => u.id).sort();
      const db = server.container.handle.db;
      const membersOf = async (orgIds: string[]) =>
        [...new Set((await db.selectFrom('memberships').select('user_id').where('organisation_id', 'in', orgIds).execute()).map((m) => m.user_id))];
      // site admins: everyone; organisation admins: their organisations' members (themselves included); others: themselves
      const want = r.siteAdmin
        ? (await db.selectFrom('users').select('id').execute()).map((u) => u.id)
        : r.owner
          ? await membersOf(targets.map((t) => t.id))
          : r.admin && r.orgId
            ? await membersOf([r.orgId])
            : [r.userId!];
      assert.deepEqual(ids, want.sort(), r.name);
      const create = await api.post('/users', r.caller, { email: `new-by-${r.name}@matrix.example`, name: 'New', memberships: r.orgId ? [{ organisationId: r.orgId, roles: ['member'] }] : [] });
      assert.equal(create.status, r.siteAdmin || (r.admin && r.kind) ? 201 : 403, `${r.name} creates a user`);
      if (r.admin && r.kind) {
        const elsewhere = await api.post('/users', r.caller, { email: `elsewhere-by-${r.name}@matrix.example`, name: 'New', memberships: [{ organisationId: targets[0]!.id, roles: ['member'] }] });
        assert.equal(elsewhere.status, 403, `${r.name} cannot create users in organisations they do not administer`);
      }
    }
  });

  it('GET /audit: site admins everything, organisation admins their own organisation, others 403', async () => {
    for (const r of readers) {
      const res = await api.get('/audit?limit=200', r.caller);
      if (r.anonymous) assert.equal(res.status, 401);
      else if (r.siteAdmin) assert.equal(res.status, 200);
      else if (r.admin) {
        assert.equal(res.status, 200, r.name);
        const allowed = r.owner ? targets.map((t) => t.id) : [r.orgId];
        assert.ok(res.body.items.length > 0);
        assert.ok(res.body.items.every((e: any) => allowed.includes(e.organisationId)), `${r.name} sees only their organisations' entries`);
      } else {
        assert.equal(res.status, 403, r.name);
        assert.equal(res.body.type, PROBLEM + 'forbidden');
      }
    }
  });

  it('tokens: each user sees and revokes only their own', async () => {
    const a = readers.find((x) => x.name === 'vendor-member')!;
    const b = readers.find((x) => x.name === 'evaluator-member')!;
    const aTokens = await api.get('/tokens', a.caller);
    assert.equal(aTokens.body.items.length, 1);
    const other = await api.get(`/tokens?userId=${a.userId}`, b.caller);
    assert.equal(other.status, 404);
    const revoke = await api.delete(`/tokens/${aTokens.body.items[0].id}`, b.caller);
    assert.equal(revoke.status, 404);
    assert.equal((await api.get('/tokens', a.caller)).status, 200, 'the token still works');
    const mint = await api.post('/tokens', a.caller, { name: 'child', scopes: ['read'] });
    assert.equal(mint.status, 403, 'a token cannot mint tokens');
  });
});
