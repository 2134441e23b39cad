/**
 * The authorisation matrix: one entry per route of the server's route table (test/api/authz-matrix.<driver>.test.ts fail
 * when a route has none, or an entry names a route that does not exist).
 *
 * Adding a route? Add one entry to MATRIX (or push to it from your workflow's own file imported by the test):
 * `method` and `url` exactly as Fastify prints them (`/api/v1/things/:id`; HEAD is covered by the GET entry), `rule`
 * in words, and `check(w)` that runs every reader in `w.readers` against records at every label (`LABELS`,
 * `w.scratchInventories`) and asserts the rule written out by hand (`seesRecord`, `seesOrganisation`), never by
 * calling the code under test: 200 for visible, `assertLikeAbsent` for hidden, lists walked page by page with a
 * small limit (`walk`) and compared exactly, and `assertNoLeak` over every answer, diagnostics included. An entry
 * leaves the world as it found it (throwaway users, scratch records dropped in `finally`).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ORGANISATION_KINDS } from '../../src/domain/policy/access-label.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { PROBLEM, type Caller, type Res } from './api-client.ts';
import {
  ABSENT_ID,
  MATRIX_ADVISORY,
  PASSWORD,
  ROLE,
  assertLikeAbsent,
  assertNoLeak,
  dropScratch,
  inventoryWriteStatus,
  sbomFor,
  seesOrganisation,
  seesRecord,
  sorted,
  walk,
  type InventoryTarget,
  type Reader,
  type World,
} from './authz-fixtures.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface MatrixEntry {
  method: Method;
  /** The route as the route table prints it. */
  url: string;
  /** For a family of routes served alike (Swagger UI assets, static web files): which table urls this entry covers. */
  covers?: (url: string, w: World) => boolean;
  /** The rule, in words. */
  rule: string;
  check(w: World): Promise<void>;
  /** Further parts of the same route's rule, each its own test, so that one failing part does not hide another. */
  also?: Record<string, (w: World) => Promise<void>>;
}

const sys = systemPrincipal('cli');
const signedIn = (w: World) => w.readers.filter((r) => !r.anonymous);
const kindReaders = (w: World) => w.readers.filter((r) => r.kind);
const services = (w: World) => w.server.container.services;
let seq = 0;
const unique = (what: string) => `${what}-${process.pid}-${seq++}`;

/** A user outside the fixture readers, for entries that sign in, change passwords or end sessions. */
interface Throwaway {
  id: string;
  email: string;
  readToken: Caller;
  writeToken: Caller;
}
async function throwaway(w: World, memberships: { organisationId: string; roles: string[] }[] = []): Promise<Throwaway> {
  const email = `${unique('throwaway')}@matrix.example`;
  const { user } = await services(w).users.create(sys, { email, name: 'Throwaway', password: PASSWORD, memberships });
  const read = await services(w).tokens.create(sys, { name: 'read', scopes: ['read'], forUserId: user.id });
  const write = await services(w).tokens.create(sys, { name: 'write', scopes: ['read', 'write', 'admin'], forUserId: user.id });
  return { id: user.id, email, readToken: { bearer: read.secret }, writeToken: { bearer: write.secret } };
}
/** Sign-in is rate limited per route (30 a minute), so only entries about sessions sign in. */
async function sessionOf(w: World, u: Throwaway): Promise<Caller> {
  const s = await w.api.signIn(u.email, PASSWORD);
  return { cookie: s.cookie!, csrf: s.csrf! };
}

function isOk(res: Res) {
  return res.status >= 200 && res.status < 400;
}

async function publicEverywhere(w: World, path: string, want: (res: Res) => void): Promise<void> {
  for (const r of w.readers) {
    const res = await w.api.get(path, r.caller);
    want(res);
    assertNoLeak(res, w.hiddenMarkers(r), `${r.name} GET ${path}`);
  }
}

/** Inventories as the API shows them to `r` (fixtures only: scratch ones are gone by the time lists are checked). */
const visibleInventories = (w: World, r: Reader, owner?: string) => w.inventories.filter((i) => !i.deleted && seesRecord(r, i) && (!owner || i.owner === owner));

/** Stale If-Match probes: the rule decides before the version does, so allowed callers get 412 and nothing changes. */
async function probeInventoryWrite(w: World, targets: InventoryTarget[], send: (r: Reader, t: InventoryTarget) => Promise<Res>, what: string): Promise<void> {
  for (const r of w.readers) {
    const absent = await send(r, { ...targets[0]!, id: ABSENT_ID });
    // One reader's probes side by side: each is independent, and PostgreSQL answers them on several connections.
    await Promise.all(targets.map(async (t) => {
      const res = await send(r, t);
      const want = inventoryWriteStatus(r, t, 412);
      if (want === 404) assertLikeAbsent(res, absent, `${r.name} ${what} hidden ${t.name}`);
      else assert.equal(res.status, want, `${r.name} ${what} ${t.name}: ${JSON.stringify(res.body)}`);
      assertNoLeak(res, w.hiddenMarkers(r), `${r.name} ${what} ${t.name}`);
    }));
  }
}

/** The first reader the rule lets write `t` (a member of the owner who can read it), for the one real write. */
function writerOf(w: World, t: InventoryTarget): Reader {
  const r = w.readers.find((x) => !x.anonymous && x.orgs.includes(t.owner) && seesRecord(x, t));
  assert.ok(r, `some fixture reader may write ${t.name}`);
  return r;
}

const docsRoute = (url: string) => url === '/docs' || url.startsWith('/docs/');

/** An organisation admin's PUT of someone outside their organisation: an invitation into their home (the 202 answer). */
async function invite(w: World, adminName: string, userId: string): Promise<any> {
  const admin = w.reader(adminName);
  const res = await w.api.put(`/organisations/${admin.homeOrg}/members/${userId}`, admin.caller, { roles: ['member'] });
  assert.equal(res.status, 202, `${adminName} invites ${userId}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export const MATRIX: MatrixEntry[] = [
  // ---- Not the API: public, and carry nothing labelled ----
  {
    method: 'GET', url: '/healthz', rule: 'public',
    check: (w) => publicEverywhere(w, '/healthz', (res) => assert.deepEqual([res.status, res.body], [200, { status: 'ok' }])),
  },
  {
    method: 'GET', url: '/readyz', rule: 'public; names the driver only',
    check: (w) => publicEverywhere(w, '/readyz', (res) => assert.deepEqual([res.status, res.body], [200, { status: 'ready', database: w.driver }])),
  },
  {
    method: 'GET', url: '/openapi.json', rule: 'public; the API description, no records',
    check: (w) => publicEverywhere(w, '/openapi.json', (res) => assert.equal(res.status, 200)),
  },
  {
    method: 'GET', url: '/docs/static/*', covers: docsRoute, rule: 'public; Swagger UI and its assets',
    async check(w) {
      for (const path of ['/docs', '/docs/', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/docs/static/swagger-ui.css', '/docs/json', '/docs/yaml']) {
        await publicEverywhere(w, path, (res) => assert.ok(isOk(res), `${path}: ${res.status}`));
      }
    },
  },
  {
    method: 'GET', url: '/', covers: (url, w) => url === '/' || (!url.startsWith('/api/') && !url.includes('..') && existsSync(join(w.server.container.config.webRoot, url))),
    rule: 'public; the web UI\'s static files (routes exist only when web/dist is built)',
    async check(w) {
      const built = existsSync(join(w.server.container.config.webRoot, 'index.html'));
      // Without a build the page explains how to build it; with one it is the UI. Either way it is public.
      const res = await w.server.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, built ? 200 : 503);
      for (const r of w.routes().filter((x) => x.method === 'GET' && this.covers!(x.url, w) && !x.url.includes('*') && !x.url.includes(':'))) {
        const file = await w.server.app.inject({ method: 'GET', url: r.url });
        assert.equal(file.statusCode, 200, `${r.url} is served to anyone`);
      }
    },
  },

  // ---- Session and the signed-in user ----
  {
    method: 'POST', url: '/api/v1/session', rule: 'public sign-in; a wrong password and an unknown e-mail answer alike',
    async check(w) {
      const u = await throwaway(w);
      const ok = await w.api.post('/session', {}, { email: u.email, password: PASSWORD });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.user.id, u.id);
      const wrong = await w.api.post('/session', {}, { email: u.email, password: 'not the passphrase at all' });
      const unknown = await w.api.post('/session', {}, { email: `${unique('nobody')}@matrix.example`, password: 'not the passphrase at all' });
      assert.equal(wrong.status, 401);
      assert.deepEqual([unknown.status, unknown.body.type, unknown.body.detail], [wrong.status, wrong.body.type, wrong.body.detail], 'existence of an account is not revealed');
    },
  },
  {
    method: 'GET', url: '/api/v1/session', rule: 'signed in: yourself and exactly your own memberships',
    async check(w) {
      for (const r of w.readers) {
        const res = await w.api.get('/session', r.caller);
        if (r.anonymous) {
          assert.equal(res.status, 401);
          continue;
        }
        assert.equal(res.status, 200, r.name);
        assert.equal(res.body.user.id, r.userId);
        assert.deepEqual(sorted(res.body.memberships.map((m: any) => m.organisationId)), sorted(r.orgs), r.name);
        assertNoLeak(res, w.hiddenMarkers(r), `${r.name} GET /session`);
      }
    },
  },
  {
    method: 'DELETE', url: '/api/v1/session', rule: 'ends the caller\'s own session only; harmless for anyone else',
    async check(w) {
      for (const r of w.readers) assert.equal((await w.api.delete('/session', r.caller)).status, 204, r.name);
      const u = await throwaway(w);
      const one = await sessionOf(w, u);
      const other = await sessionOf(w, u);
      assert.equal((await w.api.delete('/session', one)).status, 204);
      assert.equal((await w.api.get('/session', one)).status, 401, 'the session ended');
      assert.equal((await w.api.get('/session', other)).status, 200, 'the user\'s other session did not');
      assert.equal((await w.api.get('/session', u.writeToken)).status, 200, 'nor did their tokens');
    },
  },
  {
    method: 'POST', url: '/api/v1/session/revoke-all', rule: 'signed in with a write-capable credential; ends only your own sessions',
    async check(w) {
      assert.equal((await w.api.post('/session/revoke-all', {})).status, 401);
      const u = await throwaway(w);
      const bystander = await throwaway(w);
      const mine = await sessionOf(w, u);
      const theirs = await sessionOf(w, bystander);
      assert.equal((await w.api.post('/session/revoke-all', mine)).status, 200);
      assert.equal((await w.api.get('/session', mine)).status, 401);
      assert.equal((await w.api.get('/session', theirs)).status, 200, 'other users keep their sessions');
    },
    also: {
      // A state change: a read-only token must not do it (issue 6, "A read-only token changes things").
      async 'a read-only token cannot end sessions'(w) {
        const u = await throwaway(w);
        const session = await sessionOf(w, u);
        const ro = await w.api.post('/session/revoke-all', u.readToken);
        assert.equal(ro.status, 403, `a read token cannot end sessions: ${JSON.stringify(ro.body)}`);
        assert.equal((await w.api.get('/session', session)).status, 200, 'the session survived the refused call');
      },
    },
  },
  {
    method: 'POST', url: '/api/v1/me/password', rule: 'signed in with a write-capable credential; your own password only',
    async check(w) {
      const body = { currentPassword: PASSWORD, newPassword: 'an entirely new matrix passphrase' };
      assert.equal((await w.api.post('/me/password', {}, body)).status, 401);
      const u = await throwaway(w);
      assert.equal((await w.api.post('/me/password', await sessionOf(w, u), body)).status, 204);
      assert.equal((await w.api.post('/session', {}, { email: u.email, password: body.newPassword })).status, 200, 'the new password works');
    },
    also: {
      // A state change: a read-only token must not do it (issue 6, "A read-only token changes things").
      async 'a read-only token cannot change the password'(w) {
        const body = { currentPassword: PASSWORD, newPassword: 'an entirely new matrix passphrase' };
        const v = await throwaway(w);
        const ro = await w.api.post('/me/password', v.readToken, body);
        assert.equal(ro.status, 403, `a read token cannot change the password: ${JSON.stringify(ro.body)}`);
        assert.equal((await w.api.post('/session', {}, { email: v.email, password: PASSWORD })).status, 200, 'the password is unchanged');
      },
    },
  },

  // ---- Organisations ----
  {
    method: 'GET', url: '/api/v1/organisations', rule: 'exactly the visible organisations, page by page',
    async check(w) {
      for (const r of w.readers) {
        const { items } = await walk(w, '/organisations', r, 7);
        const names = items.map((o: any) => o.name);
        const want = w.orgTargets.filter((t) => seesOrganisation(r, t)).map((t) => t.name);
        assert.deepEqual(sorted(names.filter((n) => n.startsWith('Target '))), sorted(want), r.name);
        // Home organisations are RED: only their members (and site admins) see them.
        const wantHomes = r.siteAdmin ? ORGANISATION_KINDS.map((k) => `Home ${k}`) : r.kind ? [`Home ${r.kind}`] : [];
        assert.deepEqual(sorted(names.filter((n) => n.startsWith('Home '))), sorted(wantHomes), `${r.name} homes`);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/organisations', rule: 'site admins only',
    async check(w) {
      for (const r of w.readers) {
        const res = await w.api.post('/organisations', r.caller, { name: `Made by ${unique(r.name)}`, kind: 'researcher' });
        assert.equal(res.status, r.anonymous ? 401 : r.siteAdmin ? 201 : 403, r.name);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/organisations/:id', rule: 'visible by label (members and site admins always); hidden reads as absent',
    async check(w) {
      for (const r of w.readers) {
        const absent = await w.absent('/organisations/:id', r);
        const all = [...w.orgTargets, ...ORGANISATION_KINDS.map((k) => ({ id: w.homes.get(k)!, name: `Home ${k}`, tlp: 'RED' as const, embargo: 'none' as const, restricted: false }))];
        await Promise.all(all.map(async (t) => {
          const res = await w.api.get(`/organisations/${t.id}`, r.caller);
          if (seesOrganisation(r, t)) assert.equal(res.status, 200, `${r.name} reads ${t.name}`);
          else assertLikeAbsent(res, absent, `${r.name} must not read ${t.name}`);
        }));
      }
    },
  },
  {
    method: 'PATCH', url: '/api/v1/organisations/:id', rule: 'site admins and the organisation\'s admins; others 403 if visible, 404 if hidden; renaming is for site admins',
    async check(w) {
      const siteAdmin = w.reader('site-admin');
      const t = w.orgTargets.find((x) => x.tlp === 'GREEN' && x.embargo === 'none' && !x.restricted)!;
      const hidden = w.orgTargets.find((x) => x.tlp === 'RED' && x.embargo === 'none' && !x.restricted)!;
      for (const r of w.readers) {
        const current = await w.api.get(`/organisations/${t.id}`, siteAdmin.caller);
        const res = await w.api.patch(`/organisations/${t.id}`, r.caller, { name: t.name }, { 'if-match': `"${current.body.version}"` });
        assert.equal(res.status, r.anonymous ? 401 : r.siteAdmin || r.owner ? 200 : 403, `${r.name} patches a visible organisation`);
        if (!r.siteAdmin && !r.owner && !r.anonymous) {
          const h = await w.api.patch(`/organisations/${hidden.id}`, r.caller, { name: 'x' + hidden.name }, { 'if-match': '"1"' });
          const absent = await w.api.patch(`/organisations/${ABSENT_ID}`, r.caller, { name: 'x' + hidden.name }, { 'if-match': '"1"' });
          assertLikeAbsent(h, absent, `${r.name} patches a hidden organisation`);
        }
      }
      // A name clash must not reveal a hidden organisation to anyone but site admins, who see every organisation.
      const admin = w.reader('vendor-admin');
      const own = await w.api.get(`/organisations/${admin.homeOrg}`, admin.caller);
      for (const name of [hidden.name, 'A Fresh Name']) {
        const res = await w.api.patch(`/organisations/${admin.homeOrg}`, admin.caller, { name }, { 'if-match': `"${own.body.version}"` });
        assert.equal(res.status, 403, `the same answer whether or not "${name}" is taken`);
        assert.doesNotMatch(res.body.detail, /exists/);
      }
      const version = (await w.api.get(`/organisations/${t.id}`, siteAdmin.caller)).body.version;
      const clash = await w.api.patch(`/organisations/${t.id}`, siteAdmin.caller, { name: hidden.name }, { 'if-match': `"${version}"` });
      assert.equal(clash.status, 409, 'site administrators are told of the clash');
    },
  },
  {
    method: 'GET', url: '/api/v1/organisations/:id/members', rule: 'the organisation\'s members and site admins; hidden or not a member reads as absent',
    async check(w) {
      for (const r of w.readers) {
        for (const kind of ORGANISATION_KINDS) {
          const orgId = w.homes.get(kind)!;
          const res = await w.api.get(`/organisations/${orgId}/members`, r.caller);
          if (r.anonymous) {
            assert.equal(res.status, 401);
            continue;
          }
          if (r.siteAdmin || r.orgs.includes(orgId)) {
            assert.equal(res.status, 200, `${r.name} lists members of Home ${kind}`);
            const want = w.readers.filter((x) => x.orgs.includes(orgId)).map((x) => x.userId);
            for (const id of want) assert.ok(res.body.some((m: any) => m.userId === id), `${r.name}: Home ${kind} lists its member ${id}`);
          } else {
            assertLikeAbsent(res, await w.api.get(`/organisations/${ABSENT_ID}/members`, r.caller), `${r.name} lists members of Home ${kind}`);
          }
        }
      }
    },
  },
  {
    method: 'PUT', url: '/api/v1/organisations/:id/members/:userId',
    rule: 'admins of the organisation and site admins: 200 for a user they can see, 202 (an invitation) for anyone else; non-admins 403; a hidden organisation reads as absent; restricted roles only from site admins or an admin holding them',
    async check(w) {
      const siteAdmin = w.reader('site-admin');
      const outsider = await throwaway(w, [{ organisationId: w.homes.get('researcher')!, roles: ['member'] }]);
      for (const r of kindReaders(w)) {
        const admin = r.adminOf.includes(r.homeOrg!);
        // A colleague's roles: the organisation's admins may change them.
        const colleague = await throwaway(w, [{ organisationId: r.homeOrg!, roles: ['member'] }]);
        const put = await w.api.put(`/organisations/${r.homeOrg}/members/${colleague.id}`, r.caller, { roles: ['member'] });
        assert.equal(put.status, admin ? 200 : 403, `${r.name} sets a colleague's roles`);
        if (admin) assert.deepEqual([put.body.userId, put.body.email, put.body.roles], [colleague.id, colleague.email, ['member']], `${r.name} reads back their own member`);
        assertNoLeak(put, w.hiddenMarkers(r), `${r.name} PUT a colleague`);
        // Someone from outside (unless they are a colleague already): an admin's PUT is an invitation, answered alike for an id that exists nowhere.
        if (!r.orgs.includes(w.homes.get('researcher')!)) {
          const invite = await w.api.put(`/organisations/${r.homeOrg}/members/${outsider.id}`, r.caller, { roles: ['member'] });
          const nobody = await w.api.put(`/organisations/${r.homeOrg}/members/${ABSENT_ID}`, r.caller, { roles: ['member'] });
          assert.equal(invite.status, admin ? 202 : 403, `${r.name} adds an outsider: ${JSON.stringify(invite.body)}`);
          assert.equal(nobody.status, invite.status, `${r.name}: an absent id answers like an outsider`);
          if (admin) {
            assert.deepEqual(Object.keys(invite.body).sort(), Object.keys(nobody.body).sort());
            assert.deepEqual([invite.body.organisationId, invite.body.userId, invite.body.email, invite.body.roles], [r.homeOrg, outsider.id, null, ['member']]);
            assert.ok(!JSON.stringify(invite.body).includes(outsider.email) && !JSON.stringify(invite.body).includes('Throwaway'), `${r.name}: the invitation does not reveal the outsider`);
          }
          assertNoLeak(invite, w.hiddenMarkers(r), `${r.name} PUT an outsider`);
        }
        // Another organisation: hidden (every home is RED) reads as absent.
        for (const kind of ORGANISATION_KINDS) {
          const orgId = w.homes.get(kind)!;
          if (r.orgs.includes(orgId)) continue;
          const res = await w.api.put(`/organisations/${orgId}/members/${r.userId}`, r.caller, { roles: ['member'] });
          const absent = await w.api.put(`/organisations/${ABSENT_ID}/members/${r.userId}`, r.caller, { roles: ['member'] });
          assertLikeAbsent(res, absent, `${r.name} adds themselves to Home ${kind}`);
          assertNoLeak(res, w.hiddenMarkers(r), `${r.name} PUT into Home ${kind}`);
        }
      }
      // Nobody joined by invitation alone.
      assert.deepEqual((await w.api.get('/session', outsider.readToken)).body.memberships.map((m: any) => m.organisationId), [w.homes.get('researcher')], 'the outsider is a member only where they were');
      // Site administrators see everyone, so they add directly; an id that exists nowhere is 404 to them.
      const direct = await w.api.put(`/organisations/${w.homes.get('vendor')}/members/${outsider.id}`, siteAdmin.caller, { roles: ['member'] });
      assert.deepEqual([direct.status, direct.body.userId], [200, outsider.id], 'site administrators add directly');
      await services(w).organisations.removeMember(sys, w.homes.get('vendor')!, outsider.id);
      assert.equal((await w.api.put(`/organisations/${w.homes.get('vendor')}/members/${ABSENT_ID}`, siteAdmin.caller, { roles: ['member'] })).status, 404);
      // The owner administers every target organisation, whatever its label: outsiders are invited there too.
      const owner = w.reader('owner');
      for (const t of w.orgTargets) {
        const res = await w.api.put(`/organisations/${t.id}/members/${outsider.id}`, owner.caller, { roles: ['member'] });
        assert.equal(res.status, 202, `${owner.name} invites into ${t.name}`);
      }
      assert.equal((await w.api.put(`/organisations/${w.homes.get('vendor')}/members/${w.reader('vendor-member').userId}`, {}, { roles: ['member'] })).status, 401);

      // Restricted roles open restricted records: an organisation admin cannot hand out one they do not hold.
      const admin = w.reader('vendor-admin');
      const colleague = w.reader('vendor-member');
      assert.equal((await w.api.put(`/organisations/${admin.homeOrg}/members/${colleague.userId}`, admin.caller, { roles: ['member', ROLE] })).status, 403);
      assert.equal((await w.api.put(`/organisations/${admin.homeOrg}/members/${admin.userId}`, admin.caller, { roles: ['admin', ROLE] })).status, 403, 'not even to themselves');
      const viaCreate = await w.api.post('/users', admin.caller, { email: `${unique('sneaky')}@matrix.example`, name: 'S', memberships: [{ organisationId: admin.homeOrg, roles: [ROLE] }] });
      assert.equal(viaCreate.status, 403, 'nor through user creation');
      assert.equal((await w.api.put(`/organisations/${admin.homeOrg}/members/${colleague.userId}`, siteAdmin.caller, { roles: ['member', ROLE] })).status, 200, 'site administrators grant restricted roles');
      const reviewer = w.reader('government-reviewer');
      const govColleague = w.reader('government-member');
      await services(w).organisations.setMember(sys, reviewer.homeOrg!, reviewer.userId!, ['admin', 'member', ROLE]);
      try {
        const passOn = await w.api.put(`/organisations/${reviewer.homeOrg}/members/${govColleague.userId}`, reviewer.caller, { roles: ['member', ROLE] });
        assert.equal(passOn.status, 200, 'an admin holding the role may pass it on within the organisation');
      } finally {
        await services(w).organisations.setMember(sys, reviewer.homeOrg!, reviewer.userId!, ['member', ROLE]);
        await services(w).organisations.setMember(sys, govColleague.homeOrg!, govColleague.userId!, ['member']);
        await services(w).organisations.setMember(sys, admin.homeOrg!, colleague.userId!, ['member']);
      }
    },
    also: {
      // Membership of someone from outside the organisation is an invitation the invitee accepts (issue 6): the
      // inviting admin learns neither their e-mail nor their name, and they are not a member until they accept.
      async 'an outsider is invited, never pulled in'(w) {
        const admin = w.reader('vendor-admin');
        for (const outsider of [w.reader('researcher-member'), w.reader('site-admin')]) {
          try {
            const res = await w.api.put(`/organisations/${admin.homeOrg}/members/${outsider.userId}`, admin.caller, { roles: ['member'] });
            const text = JSON.stringify(res.body);
            assert.equal(res.status, 202, `${outsider.name}: ${text}`);
            assert.ok(!text.includes(outsider.email!) && !text.includes(`"${outsider.name}"`), `inviting ${outsider.name} must not reveal their e-mail or name: ${text}`);
            const members = await w.api.get(`/organisations/${admin.homeOrg}/members`, admin.caller);
            assert.ok(!members.body.some((m: any) => m.userId === outsider.userId), `${outsider.name} is not a member before accepting`);
            assert.ok(!JSON.stringify(members.body).includes(outsider.email!), `the member list does not show ${outsider.name}'s e-mail`);
          } finally {
            // Undo the pull-in today's code makes, so later entries see the fixture memberships.
            await services(w).organisations.removeMember(sys, admin.homeOrg!, outsider.userId!).catch(() => {});
          }
        }
      },
    },
  },
  {
    method: 'DELETE', url: '/api/v1/organisations/:id/members/:userId', rule: 'admins of the organisation and site admins; hidden organisation reads as absent',
    async check(w) {
      for (const r of w.readers) {
        const orgId = w.homes.get('vendor')!;
        const victim = await throwaway(w, [{ organisationId: orgId, roles: ['member'] }]);
        const res = await w.api.delete(`/organisations/${orgId}/members/${victim.id}`, r.caller);
        if (r.anonymous) assert.equal(res.status, 401);
        else if (r.siteAdmin || r.adminOf.includes(orgId)) assert.equal(res.status, 204, r.name);
        else if (r.orgs.includes(orgId)) assert.equal(res.status, 403, r.name);
        else assertLikeAbsent(res, await w.api.delete(`/organisations/${ABSENT_ID}/members/${victim.id}`, r.caller), `${r.name} removes a member of a hidden organisation`);
      }
    },
  },

  // ---- Invitations ----
  // An invitation exists only for its invitee; the inviting organisation's admins (and site admins) manage it; nothing
  // in any answer tells whether the invitee exists.
  {
    method: 'GET', url: '/api/v1/me/invitations', rule: 'signed in: exactly the invitations addressed to you (by user id or e-mail), nobody else\'s',
    async check(w) {
      const u = await throwaway(w);
      const byId = await invite(w, 'vendor-admin', u.id);
      const byEmail = await w.api.post('/users', w.reader('researcher-admin').caller, { email: u.email, name: 'Whoever', memberships: [{ organisationId: w.homes.get('researcher'), roles: ['member'] }] });
      assert.equal(byEmail.status, 202);
      const mine = await w.api.get('/me/invitations', u.readToken);
      assert.equal(mine.status, 200);
      assert.deepEqual(
        sorted(mine.body.items.map((i: any) => `${i.id} ${i.organisationId} ${i.organisationName} ${i.roles}`)),
        sorted([`${byId.id} ${w.homes.get('vendor')} Home vendor member`, `${byEmail.body.invitations[0].id} ${w.homes.get('researcher')} Home researcher member`]),
        'the invitee sees both, by id and by e-mail',
      );
      for (const r of w.readers) {
        const res = await w.api.get('/me/invitations', r.caller);
        if (r.anonymous) {
          assert.equal(res.status, 401);
          continue;
        }
        assert.equal(res.status, 200, r.name);
        const text = JSON.stringify(res.body);
        assert.ok(!text.includes(byId.id) && !text.includes(byEmail.body.invitations[0].id), `${r.name} does not see someone else's invitation`);
        assertNoLeak(res, w.hiddenMarkers(r), `${r.name} GET /me/invitations`);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/me/invitations/:id/accept', rule: 'the invitee only (write scope), which makes the membership; anyone else reads it as absent',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      const u = await throwaway(w);
      const inv = await invite(w, 'vendor-admin', u.id);
      try {
        for (const r of w.readers) {
          const res = await w.api.post(`/me/invitations/${inv.id}/accept`, r.caller);
          if (r.anonymous) assert.equal(res.status, 401);
          else assertLikeAbsent(res, await w.api.post(`/me/invitations/${ABSENT_ID}/accept`, r.caller), `${r.name} accepts someone else's invitation`);
          assertNoLeak(res, [...w.hiddenMarkers(r), u.email], `${r.name} accept`);
        }
        assert.equal((await w.api.post(`/me/invitations/${inv.id}/accept`, u.readToken)).status, 403, 'a read token does not accept');
        assert.equal((await w.api.get('/session', u.readToken)).body.memberships.length, 0, 'nobody joined yet');
        assert.equal((await w.api.post(`/me/invitations/${inv.id}/accept`, u.writeToken)).status, 204);
        const members = await w.api.get(`/organisations/${vendor}/members`, w.reader('vendor-admin').caller);
        assert.deepEqual(members.body.find((m: any) => m.userId === u.id)?.roles, ['member'], 'accepting makes the membership');
        assert.deepEqual((await w.api.get('/session', u.readToken)).body.memberships.map((m: any) => m.organisationId), [vendor]);
        assert.equal((await w.api.post(`/me/invitations/${inv.id}/accept`, u.writeToken)).status, 404, 'an accepted invitation is gone');
        assert.equal((await w.api.get(`/organisations/${vendor}/invitations`, w.reader('vendor-admin').caller)).body.items.some((i: any) => i.id === inv.id), false);
      } finally {
        await services(w).organisations.removeMember(sys, vendor, u.id).catch(() => {});
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/me/invitations/:id/decline', rule: 'the invitee only (write scope); anyone else reads it as absent; the inviters\' list does not change',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      const u = await throwaway(w);
      const inv = await invite(w, 'vendor-admin', u.id);
      for (const r of w.readers) {
        const res = await w.api.post(`/me/invitations/${inv.id}/decline`, r.caller);
        if (r.anonymous) assert.equal(res.status, 401);
        else assertLikeAbsent(res, await w.api.post(`/me/invitations/${ABSENT_ID}/decline`, r.caller), `${r.name} declines someone else's invitation`);
        assertNoLeak(res, [...w.hiddenMarkers(r), u.email], `${r.name} decline`);
      }
      assert.equal((await w.api.post(`/me/invitations/${inv.id}/decline`, u.readToken)).status, 403, 'a read token does not decline');
      assert.equal((await w.api.get('/me/invitations', u.readToken)).body.items.length, 1, 'the refused declines changed nothing');
      assert.equal((await w.api.post(`/me/invitations/${inv.id}/decline`, u.writeToken)).status, 204);
      assert.equal((await w.api.get('/me/invitations', u.readToken)).body.items.length, 0);
      assert.equal((await w.api.post(`/me/invitations/${inv.id}/accept`, u.writeToken)).status, 404, 'a declined invitation cannot be accepted');
      assert.equal((await w.api.get('/session', u.readToken)).body.memberships.length, 0, 'declining joins nothing');
      // Its vanishing would tell the inviters that the invitee exists.
      const pending = await w.api.get(`/organisations/${vendor}/invitations`, w.reader('vendor-admin').caller);
      assert.ok(pending.body.items.some((i: any) => i.id === inv.id), 'the inviters still see it pending');
    },
  },
  {
    method: 'GET', url: '/api/v1/organisations/:id/invitations',
    rule: 'the organisation\'s admins and site admins; visible to others 403; hidden organisation reads as absent; items carry nothing about the invitee',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      const u = await throwaway(w);
      const known = await invite(w, 'vendor-admin', u.id);
      const nobody = await invite(w, 'vendor-admin', ABSENT_ID);
      assert.deepEqual(Object.keys(known).sort(), Object.keys(nobody).sort(), 'an invitation of an existing user and of an id that exists nowhere look alike');
      const orgs = [{ id: vendor, name: 'Home vendor', tlp: 'RED' as const, embargo: 'none' as const, restricted: false }, ...w.orgTargets];
      for (const r of w.readers) {
        const absent = await w.api.get(`/organisations/${ABSENT_ID}/invitations`, r.caller);
        for (const o of orgs) {
          const res = await w.api.get(`/organisations/${o.id}/invitations`, r.caller);
          assertNoLeak(res, [...w.hiddenMarkers(r), u.email], `${r.name} lists ${o.name}'s invitations`);
          if (r.anonymous) assert.equal(res.status, 401);
          else if (!seesOrganisation(r, o)) assertLikeAbsent(res, absent, `${r.name} lists hidden ${o.name}'s invitations`);
          else if (!(r.siteAdmin || r.adminOf.includes(o.id))) assert.equal(res.status, 403, `${r.name} lists ${o.name}'s invitations`);
          else {
            assert.equal(res.status, 200, `${r.name} lists ${o.name}'s invitations`);
            assert.ok(res.body.items.every((i: any) => i.organisationId === o.id), 'only that organisation\'s');
            if (o.id !== vendor) continue;
            const ids = res.body.items.map((i: any) => i.id);
            assert.ok(ids.includes(known.id) && ids.includes(nobody.id), `${r.name} sees both pending invitations`);
            for (const i of res.body.items) assert.deepEqual(Object.keys(i).sort(), ['createdAt', 'email', 'expiresAt', 'id', 'organisationId', 'roles', 'userId']);
            assert.ok(!JSON.stringify(res.body).includes('Throwaway'), 'nor the invitee\'s name');
          }
        }
      }
    },
  },
  {
    method: 'DELETE', url: '/api/v1/organisations/:id/invitations/:invitationId',
    rule: 'the organisation\'s admins and site admins; visible to others 403; hidden organisation, or another organisation\'s invitation, reads as absent',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      const u = await throwaway(w);
      const inv = await invite(w, 'vendor-admin', u.id);
      const orgs = [{ id: vendor, name: 'Home vendor', tlp: 'RED' as const, embargo: 'none' as const, restricted: false }, ...w.orgTargets];
      for (const r of w.readers) {
        for (const o of orgs) {
          const manages = r.siteAdmin || r.adminOf.includes(o.id);
          if (manages) continue;
          // An invitation id of the vendor home's (or of none, elsewhere): the decision comes before the lookup.
          const res = await w.api.delete(`/organisations/${o.id}/invitations/${o.id === vendor ? inv.id : ABSENT_ID}`, r.caller);
          assertNoLeak(res, [...w.hiddenMarkers(r), u.email], `${r.name} withdraws from ${o.name}`);
          if (r.anonymous) assert.equal(res.status, 401);
          else if (!seesOrganisation(r, o)) assertLikeAbsent(res, await w.api.delete(`/organisations/${ABSENT_ID}/invitations/${inv.id}`, r.caller), `${r.name} withdraws from hidden ${o.name}`);
          else assert.equal(res.status, 403, `${r.name} withdraws from ${o.name}`);
        }
        // An admin of another organisation naming this invitation under their own: as if it did not exist.
        if (r.kind && r.adminOf.includes(r.homeOrg!) && r.homeOrg !== vendor) {
          const res = await w.api.delete(`/organisations/${r.homeOrg}/invitations/${inv.id}`, r.caller);
          assertLikeAbsent(res, await w.api.delete(`/organisations/${r.homeOrg}/invitations/${ABSENT_ID}`, r.caller), `${r.name} withdraws another organisation's invitation`);
        }
      }
      assert.equal((await w.api.get('/me/invitations', u.readToken)).body.items.length, 1, 'the refused withdrawals changed nothing');
      assert.equal((await w.api.delete(`/organisations/${vendor}/invitations/${inv.id}`, w.reader('vendor-admin').caller)).status, 204, 'the organisation\'s admin withdraws it');
      assert.equal((await w.api.get('/me/invitations', u.readToken)).body.items.length, 0, 'the invitee no longer sees it');
      assert.equal((await w.api.delete(`/organisations/${vendor}/invitations/${inv.id}`, w.reader('vendor-admin').caller)).status, 404, 'withdrawn once');
      const again = await invite(w, 'vendor-admin', u.id);
      assert.equal((await w.api.delete(`/organisations/${vendor}/invitations/${again.id}`, w.reader('site-admin').caller)).status, 204, 'site admins withdraw too');
      assert.equal((await w.api.post(`/me/invitations/${again.id}/accept`, u.writeToken)).status, 404, 'a withdrawn invitation cannot be accepted');
    },
  },

  // ---- Users ----
  {
    method: 'GET', url: '/api/v1/users', rule: 'site admins everyone; organisation admins their organisations\' members; others themselves; page by page',
    async check(w) {
      const db = w.server.container.handle.db;
      const membersOf = async (orgIds: string[]) =>
        [...new Set((await db.selectFrom('memberships').select('user_id').where('organisation_id', 'in', orgIds).execute()).map((m) => m.user_id))];
      for (const r of w.readers) {
        if (r.anonymous) {
          assert.equal((await w.api.get('/users', r.caller)).status, 401);
          continue;
        }
        const { items } = await walk(w, '/users', r, 9);
        const want = r.siteAdmin
          ? (await db.selectFrom('users').select('id').execute()).map((u) => u.id)
          : r.adminOf.length
            ? [...new Set([r.userId!, ...(await membersOf(r.adminOf))])]
            : [r.userId!];
        assert.deepEqual(sorted(items.map((u: any) => u.id)), sorted(want), r.name);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/users',
    rule: 'site admins create (201; 409 for a taken e-mail); organisation admins into organisations they administer get 202 { email, invitations } whether or not the e-mail exists, and no account; others 403',
    async check(w) {
      const outsider = w.reader('researcher-member');
      for (const r of w.readers) {
        const email = `${unique('new-by')}@matrix.example`;
        const memberships = r.homeOrg ? [{ organisationId: r.homeOrg, roles: ['member'] }] : [];
        const create = await w.api.post('/users', r.caller, { email, name: 'New', memberships });
        const invites = r.kind !== null && r.adminOf.includes(r.homeOrg!);
        assert.equal(create.status, r.anonymous ? 401 : r.siteAdmin ? 201 : invites ? 202 : 403, `${r.name} creates a user: ${JSON.stringify(create.body)}`);
        assertNoLeak(create, w.hiddenMarkers(r), `${r.name} POST /users`);
        if (r.siteAdmin) {
          assert.equal(create.body.user.email, email);
          const taken = await w.api.post('/users', r.caller, { email: outsider.email, name: 'Again', memberships: [] });
          assert.equal(taken.status, 409, 'site administrators, who see every user, are told the e-mail is taken');
        }
        if (!invites) continue;
        // The invitation by e-mail: only what the admin supplied, and no account behind it.
        assert.deepEqual(Object.keys(create.body).sort(), ['email', 'invitations']);
        assert.equal(create.body.email, email);
        assert.deepEqual(create.body.invitations.map((i: any) => [i.organisationId, i.userId, i.email, i.roles]), [[r.homeOrg, null, email, ['member']]], r.name);
        assert.equal(await services(w).users.findByEmail(email), undefined, `${r.name}: the 202 made no account`);
        // An address that has an account (another tenant's member) answers alike and reveals nothing about them.
        const taken = await w.api.post('/users', r.caller, { email: outsider.email, name: 'New', memberships });
        assert.equal(taken.status, 202, `${r.name}: a taken e-mail answers like a fresh one`);
        assert.deepEqual(Object.keys(taken.body).sort(), ['email', 'invitations']);
        assert.deepEqual(taken.body.invitations.map((i: any) => [i.organisationId, i.userId, i.email, i.roles]), [[r.homeOrg, null, outsider.email, ['member']]]);
        assert.ok(!JSON.stringify(taken.body).includes(outsider.userId!) && !JSON.stringify(taken.body).includes(`"${outsider.name}"`), `${r.name}: the answer does not say who holds the e-mail`);
        const elsewhere = await w.api.post('/users', r.caller, { email: `${unique('elsewhere-by')}@matrix.example`, name: 'New', memberships: [{ organisationId: w.orgTargets[0]!.id, roles: ['member'] }] });
        assert.equal(elsewhere.status, 403, `${r.name} cannot invite into organisations they do not administer`);
      }
      // The e-mail invitations reach the existing account; nobody joined behind the inviters' backs.
      const mine = (await w.api.get('/me/invitations', outsider.caller)).body.items;
      assert.ok(mine.length > 0, 'the invitations by e-mail reach the account that holds the address');
      for (const i of mine) await w.api.post(`/me/invitations/${i.id}/decline`, outsider.caller);
      assert.deepEqual(sorted(outsider.orgs), sorted((await w.api.get('/session', outsider.caller)).body.memberships.map((m: any) => m.organisationId)), 'no membership was made');
    },
    also: {
      // An organisation admin naming another tenant's e-mail gets the answer a fresh e-mail gets (issue 6).
      async 'an e-mail taken in another tenant is not revealed'(w) {
        const admin = w.reader('vendor-admin');
        const outsider = w.reader('researcher-member');
        const fresh = await w.api.post('/users', admin.caller, { email: `${unique('fresh')}@matrix.example`, name: 'Fresh', memberships: [{ organisationId: admin.homeOrg, roles: ['member'] }] });
        try {
          const taken = await w.api.post('/users', admin.caller, { email: outsider.email, name: 'Fresh', memberships: [{ organisationId: admin.homeOrg, roles: ['member'] }] });
          const text = JSON.stringify(taken.body);
          assert.ok(!text.includes(outsider.userId!) && !text.includes(`"${outsider.name}"`), 'the answer does not reveal who holds the e-mail');
          assert.equal(taken.status, fresh.status, `an e-mail taken in another tenant answers like a fresh one: ${text}`);
        } finally {
          // An invitation flow may not make them a member yet; whatever it did, later entries need the fixture memberships.
          await services(w).organisations.removeMember(sys, admin.homeOrg!, outsider.userId!).catch(() => {});
        }
      },
    },
  },
  {
    method: 'GET', url: '/api/v1/users/:id', rule: 'yourself, site admins anyone, organisation admins their members; hidden reads as absent',
    async check(w) {
      for (const r of w.readers) {
        const absent = await w.absent('/users/:id', r);
        await Promise.all(signedIn(w).map(async (target) => {
          const res = await w.api.get(`/users/${target.userId}`, r.caller);
          if (r.anonymous) assert.equal(res.status, 401);
          else if (r.siteAdmin || r.userId === target.userId || target.orgs.some((o) => r.adminOf.includes(o))) assert.equal(res.status, 200, `${r.name} reads ${target.name}`);
          else assertLikeAbsent(res, absent, `${r.name} must not read ${target.name}`);
        }));
      }
    },
  },
  {
    method: 'PATCH', url: '/api/v1/users/:id', rule: 'yourself (name) and site admins; a visible other 403; hidden reads as absent',
    async check(w) {
      // A stale If-Match: allowed callers get 412, so nothing changes.
      const send = (r: Reader, id: string) => w.api.patch(`/users/${id}`, r.caller, { name: 'Renamed' }, { 'if-match': '"999"' });
      for (const r of w.readers) {
        const absent = await send(r, ABSENT_ID);
        await Promise.all(signedIn(w).map(async (target) => {
          const res = await send(r, target.userId!);
          if (r.anonymous) assert.equal(res.status, 401);
          else if (r.siteAdmin || r.userId === target.userId) assert.equal(res.status, 412, `${r.name} changes ${target.name}`);
          else if (target.orgs.some((o) => r.adminOf.includes(o))) assert.equal(res.status, 403, `${r.name} changes ${target.name}`);
          else assertLikeAbsent(res, absent, `${r.name} changes hidden ${target.name}`);
        }));
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/users/:id/reset-password',
    rule: 'site admins only; a user the caller cannot see reads as absent (404); one they can see but may not reset 403',
    async check(w) {
      // A member of the vendor home: its admins see them, nobody else but site admins does.
      const u = await throwaway(w, [{ organisationId: w.homes.get('vendor')!, roles: ['member'] }]);
      const session = await sessionOf(w, u);
      for (const r of w.readers.filter((x) => !x.siteAdmin)) {
        const res = await w.api.post(`/users/${u.id}/reset-password`, r.caller);
        const absent = await w.api.post(`/users/${ABSENT_ID}/reset-password`, r.caller);
        if (r.anonymous) assert.equal(res.status, 401);
        else if (r.adminOf.includes(w.homes.get('vendor')!)) assert.equal(res.status, 403, `${r.name} sees the member but may not reset them`);
        else assertLikeAbsent(res, absent, `${r.name} resets a user they cannot see`);
        if (!r.anonymous) {
          const self = await w.api.post(`/users/${r.userId}/reset-password`, r.caller);
          assert.equal(self.status, 403, `${r.name} resets themselves: visible, not allowed`);
        }
        assertNoLeak(res, [u.email], `${r.name} reset-password`);
      }
      assert.equal((await w.api.get('/session', session)).status, 200, 'the refused resets changed nothing');
      const res = await w.api.post(`/users/${u.id}/reset-password`, w.reader('site-admin').caller);
      assert.equal(res.status, 200);
      assert.equal((await w.api.get('/session', session)).status, 401, 'the reset ends the user\'s sessions');
      assert.equal((await w.api.post(`/users/${ABSENT_ID}/reset-password`, w.reader('site-admin').caller)).status, 404, 'an absent id is 404 to site admins too');
    },
  },

  // ---- Tokens ----
  {
    method: 'GET', url: '/api/v1/tokens', rule: 'your own tokens; site admins anyone\'s with userId; others\' read as absent',
    async check(w) {
      for (const r of w.readers) {
        const own = await w.api.get('/tokens', r.caller);
        if (r.anonymous) {
          assert.equal(own.status, 401);
          continue;
        }
        assert.equal(own.status, 200);
        assert.ok(own.body.items.length >= 1 && own.body.items.every((t: any) => t.userId === r.userId), `${r.name} sees only their own tokens`);
        for (const other of signedIn(w).filter((x) => x !== r).slice(0, 4)) {
          const res = await w.api.get(`/tokens?userId=${other.userId}`, r.caller);
          if (r.siteAdmin) assert.ok(res.status === 200 && res.body.items.every((t: any) => t.userId === other.userId), r.name);
          else assertLikeAbsent(res, await w.api.get(`/tokens?userId=${ABSENT_ID}`, r.caller), `${r.name} lists ${other.name}'s tokens`);
        }
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/tokens', rule: 'a signed-in person mints their own; a token never mints',
    async check(w) {
      for (const r of w.readers) {
        const res = await w.api.post('/tokens', r.caller, { name: 'child', scopes: ['read'] });
        assert.equal(res.status, r.anonymous ? 401 : 403, `${r.name} (a bearer token) mints`);
      }
      const u = await throwaway(w);
      const mint = await w.api.post('/tokens', await sessionOf(w, u), { name: 'by session', scopes: ['read'] });
      assert.equal(mint.status, 201);
      assert.equal(mint.body.token.userId, u.id);
    },
  },
  {
    method: 'DELETE', url: '/api/v1/tokens/:id', rule: 'your own tokens and site admins; others\' read as absent',
    async check(w) {
      const victim = await throwaway(w);
      const spare = await services(w).tokens.create(sys, { name: 'spare', scopes: ['read'], forUserId: victim.id });
      for (const r of w.readers.filter((x) => !x.siteAdmin)) {
        const res = await w.api.delete(`/tokens/${spare.token.id}`, r.caller);
        if (r.anonymous) assert.equal(res.status, 401);
        else assertLikeAbsent(res, await w.api.delete(`/tokens/${ABSENT_ID}`, r.caller), `${r.name} revokes another user's token`);
      }
      assert.equal((await w.api.get('/session', { bearer: spare.secret })).status, 200, 'the token still works');
      const readToken = (await w.api.get('/tokens', victim.writeToken)).body.items.find((t: any) => t.name === 'read');
      assert.equal((await w.api.delete(`/tokens/${readToken.id}`, victim.writeToken)).status, 204, 'owners revoke their own');
      assert.equal((await w.api.get('/session', victim.readToken)).status, 401, 'the revoked token no longer works');
      assert.equal((await w.api.delete(`/tokens/${spare.token.id}`, w.reader('site-admin').caller)).status, 204, 'site admins revoke anyone\'s');
      assert.equal((await w.api.get('/session', { bearer: spare.secret })).status, 401);
    },
  },

  // ---- Audit ----
  {
    method: 'GET', url: '/api/v1/audit',
    rule: 'site admins every organisation\'s entries, organisation admins their organisations\'; for both only entries of records they may read; others 403',
    async check(w) {
      for (const r of w.readers) {
        if (r.anonymous || !(r.siteAdmin || r.adminOf.length)) {
          const res = await w.api.get('/audit', r.caller);
          assert.equal(res.status, r.anonymous ? 401 : 403, r.name);
          if (!r.anonymous) assert.equal(res.body.type, PROBLEM + 'forbidden');
          continue;
        }
        const { items } = await walk(w, '/audit', r, 40);
        if (!r.siteAdmin) assert.ok(items.every((e: any) => r.adminOf.includes(e.organisationId)), `${r.name} sees only their organisations' entries`);
        // Audit entries obey the record's label (issue 6): every readable inventory's entries are there (site
        // admins: of every organisation), and none of one that is 404 to the reader (checked in `also`).
        const inventoryIds = new Set(items.filter((e: any) => e.recordType === 'inventory').map((e: any) => e.recordId));
        const want = visibleInventories(w, r).filter((i) => r.siteAdmin || r.adminOf.includes(i.owner)).map((i) => i.id);
        if (r.siteAdmin || r.adminOf.includes(w.homes.get('vendor')!)) assert.ok(want.length > 0, `${r.name} has readable inventories to find`);
        for (const id of want) assert.ok(inventoryIds.has(id), `${r.name} sees the entries of their readable inventory ${id}`);
      }
    },
    also: {
      // Audit entries obey the record's label (issue 6): none for an inventory that is 404 to the reader, whether
      // their own organisation's (restricted to a role they lack) or another's. Labels exempt no one: site
      // administrators cannot read another organisation's RED or restricted inventory, nor its history.
      async 'site and organisation admins see no entry of a record that is 404 to them'(w) {
        const admins = w.readers.filter((x) => x.siteAdmin || x.adminOf.length);
        assert.ok(admins.some((x) => x.siteAdmin) && w.inventories.some((i) => !seesRecord(w.reader('site-admin'), i) && i.tlp === 'RED'), 'the site admin is checked against RED inventories');
        for (const r of admins) {
          const { items, pages } = await walk(w, '/audit', r, 40);
          const inventoryIds = new Set(items.filter((e: any) => e.recordType === 'inventory').map((e: any) => e.recordId));
          const hidden = w.inventories.filter((i) => inventoryIds.has(i.id) && !seesRecord(r, i)).map((i) => i.name);
          assert.deepEqual(hidden, [], `${r.name} sees audit entries of inventories that are 404 to them`);
          for (const p of pages) assertNoLeak(p, w.hiddenMarkers(r), `${r.name} GET /audit`);
          for (const i of w.inventories.filter((x) => !seesRecord(r, x))) {
            const one = await w.api.get(`/audit?recordId=${i.id}`, r.caller);
            assert.deepEqual([one.status, one.body.items], [200, []], `${r.name} GET /audit?recordId= of hidden ${i.name}`);
          }
        }
      },
    },
  },

  // ---- Inventories ----
  {
    method: 'GET', url: '/api/v1/inventories', rule: 'exactly the readable inventories, page by page, also per organisation',
    async check(w) {
      for (const r of w.readers) {
        const { items, pages } = await walk(w, '/inventories', r, 4);
        assert.deepEqual(sorted(items.map((i: any) => i.id)), sorted(visibleInventories(w, r).map((i) => i.id)), r.name);
        for (const p of pages) assertNoLeak(p, w.hiddenMarkers(r), `${r.name} GET /inventories`);
        for (const owner of [w.homes.get('vendor')!, w.homes.get('researcher')!]) {
          const { items: mine } = await walk(w, `/inventories?organisationId=${owner}`, r, 3);
          assert.deepEqual(sorted(mine.map((i: any) => i.id)), sorted(visibleInventories(w, r, owner).map((i) => i.id)), `${r.name} per organisation`);
        }
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/inventories',
    rule: 'members of the owning organisation; a restriction only by a holder; a hidden organisation reads as an absent one',
    async check(w) {
      const owner = w.homes.get('vendor')!;
      const made: string[] = [];
      try {
        for (const r of w.readers) {
          for (const restricted of [false, true]) {
            const upload = (org: string) => w.api.call('POST', `/inventories?name=${encodeURIComponent(unique('Upload'))}&organisationId=${org}&tlp=AMBER${restricted ? `&restricted=${ROLE}` : ''}`, r.caller, sbomFor(unique('up')), { 'content-type': 'application/json' });
            const res = await upload(owner);
            if (res.status === 201) made.push(res.body.id);
            const member = r.orgs.includes(owner);
            if (r.anonymous) assert.equal(res.status, 401);
            else if (member) assert.equal(res.status, restricted && !r.role ? 403 : 201, `${r.name} uploads (restricted: ${restricted})`);
            else if (r.siteAdmin) assert.equal(res.status, 403, `${r.name}: the organisation is visible, the upload is not theirs`);
            else {
              const absent = await upload(ABSENT_ID);
              assert.equal(res.status, absent.status, `${r.name} uploads into a hidden organisation`);
              assert.equal(res.body.type, absent.body.type);
              assert.equal(res.body.detail.replace(owner, ABSENT_ID), absent.body.detail, 'a hidden organisation reads as an absent one');
            }
          }
        }
      } finally {
        for (const id of made) await services(w).inventories.remove(systemPrincipal('system'), id);
      }
    },
    also: {
      async 'a read-only token changes no inventory'(w) {
        const member = await throwaway(w, [{ organisationId: w.homes.get('vendor')!, roles: ['member'] }]);
        const scratch = await w.scratchInventories(w.homes.get('vendor')!, 'scope');
        const t = scratch.find((x) => x.tlp === 'AMBER' && x.embargo === 'none' && !x.restricted);
        try {
          const json = { 'content-type': 'application/json' };
          const tries: [string, Res][] = [
            ['upload', await w.api.call('POST', `/inventories?name=ro&organisationId=${w.homes.get('vendor')}`, member.readToken, sbomFor('ro'), json)],
            ['patch', await w.api.patch(`/inventories/${t!.id}`, member.readToken, { name: 'ro' }, { 'if-match': '"1"' })],
            ['replace', await w.api.call('PUT', `/inventories/${t!.id}/sbom`, member.readToken, sbomFor(t!.marker), { ...json, 'if-match': '"1"' })],
            ['delete', await w.api.delete(`/inventories/${t!.id}`, member.readToken)],
          ];
          for (const [what, res] of tries) assert.equal(res.status, 403, `${what} with a read token: ${JSON.stringify(res.body)}`);
          const still = await w.api.get(`/inventories/${t!.id}`, member.writeToken);
          assert.deepEqual([still.status, still.body.version], [200, 1], 'the inventory is unchanged');
        } finally {
          await dropScratch(w, scratch);
        }
      },
    },
  },
  {
    method: 'GET', url: '/api/v1/inventories/:id', rule: 'readable by label (no one exempt); hidden reads as absent',
    async check(w) {
      for (const r of w.readers) {
        const absent = await w.absent('/inventories/:id', r);
        await Promise.all(w.inventories.map(async (t) => {
          const res = await w.api.get(`/inventories/${t.id}`, r.caller);
          if (seesRecord(r, t)) {
            assert.equal(res.status, 200, `${r.name} reads ${t.name}`);
            assert.deepEqual([res.body.componentCount, res.body.unmatchedCount, res.body.unmatched.map((u: any) => u.ref)], [3, 1, [`ref-${t.marker}`]]);
            // Schema findings are the inventory's own diagnostics: there for a reader, absent (404 above) for others.
            assert.deepEqual([res.body.schema, res.body.schemaWarnings, res.body.schemaWarningCount], [{ checked: true, name: 'CycloneDX 1.6' }, [], 0]);
          } else {
            assertLikeAbsent(res, absent, `${r.name} must not read ${t.name}`);
            // HEAD runs the GET handler: it must not tell a hidden record from an absent one either.
            const head = await w.server.app.inject({ method: 'HEAD', url: `/api/v1/inventories/${t.id}`, headers: r.caller.bearer ? { authorization: `Bearer ${r.caller.bearer}` } : {} });
            assert.equal(head.statusCode, 404, `${r.name} HEAD ${t.name}`);
          }
          assertNoLeak(res, w.hiddenMarkers(r), `${r.name} GET ${t.name}`);
        }));
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/inventories/:id/components', rule: 'the components of a readable inventory, page by page; hidden reads as absent',
    async check(w) {
      for (const r of w.readers) {
        const absent = await w.api.get(`/inventories/${ABSENT_ID}/components`, r.caller);
        await Promise.all(w.inventories.map(async (t) => {
          if (seesRecord(r, t)) {
            const { items, pages } = await walk(w, `/inventories/${t.id}/components`, r, 2);
            assert.deepEqual(items.map((c: any) => c.purl), t.purls, `${r.name} reads ${t.name}'s components in upload order`);
            for (const p of pages) assertNoLeak(p, w.hiddenMarkers(r), `${r.name} components of ${t.name}`);
          } else {
            assertLikeAbsent(await w.api.get(`/inventories/${t.id}/components`, r.caller), absent, `${r.name} lists ${t.name}'s components`);
            assertLikeAbsent(await w.api.get(`/inventories/${t.id}/components?limit=1&cursor=WzFd`, r.caller), absent, `${r.name} pages ${t.name}'s components`);
          }
        }));
      }
    },
  },
  {
    method: 'PATCH', url: '/api/v1/inventories/:id', rule: 'members of the owner who can read it; visible to others 403; hidden reads as absent',
    async check(w) {
      await probeInventoryWrite(w, w.inventories, (r, t) => w.api.patch(`/inventories/${t.id}`, r.caller, { name: 'Renamed' }, { 'if-match': '"999"' }), 'PATCH');
      const scratch = await w.scratchInventories(w.homes.get('vendor')!, 'patch');
      try {
        for (const t of scratch) {
          const r = writerOf(w, t);
          const res = await w.api.patch(`/inventories/${t.id}`, r.caller, { name: `${t.name} renamed` }, { 'if-match': '"1"' });
          assert.equal(res.status, 200, `${r.name} renames ${t.name}`);
        }
        // A member may not restrict to a role they do not hold.
        const member = w.reader('vendor-member');
        const open = scratch.find((t) => t.tlp === 'GREEN' && t.embargo === 'none' && !t.restricted)!;
        const res = await w.api.patch(`/inventories/${open.id}`, member.caller, { label: { tlp: 'GREEN', restricted: ROLE } }, { 'if-match': '"2"' });
        assert.equal(res.status, 403);
      } finally {
        await dropScratch(w, scratch);
      }
    },
  },
  {
    method: 'PUT', url: '/api/v1/inventories/:id/sbom', rule: 'members of the owner who can read it; visible to others 403; hidden reads as absent',
    async check(w) {
      const put = (r: Reader, id: string, version: string, marker: string) =>
        w.api.call('PUT', `/inventories/${id}/sbom`, r.caller, sbomFor(marker), { 'content-type': 'application/json', 'if-match': version });
      await probeInventoryWrite(w, w.inventories, (r, t) => put(r, t.id, '"999"', t.marker), 'PUT sbom');
      const scratch = await w.scratchInventories(w.homes.get('vendor')!, 'sbom');
      try {
        for (const t of scratch) {
          const r = writerOf(w, t);
          assert.equal((await put(r, t.id, '"1"', t.marker)).status, 200, `${r.name} replaces ${t.name}`);
        }
      } finally {
        await dropScratch(w, scratch);
      }
    },
  },
  {
    method: 'DELETE', url: '/api/v1/inventories/:id', rule: 'members of the owner who can read it; visible to others 403; hidden reads as absent',
    async check(w) {
      await probeInventoryWrite(w, w.inventories, (r, t) => w.api.call('DELETE', `/inventories/${t.id}`, r.caller, undefined, { 'if-match': '"999"' }), 'DELETE');
      const scratch = await w.scratchInventories(w.homes.get('vendor')!, 'delete');
      try {
        for (const t of scratch) {
          const r = writerOf(w, t);
          assert.equal((await w.api.delete(`/inventories/${t.id}`, r.caller)).status, 204, `${r.name} deletes ${t.name}`);
          t.deleted = true;
          assert.equal((await w.api.get(`/inventories/${t.id}`, r.caller)).status, 404);
        }
      } finally {
        await dropScratch(w, scratch);
      }
    },
  },

  // ---- The reverse query ----
  {
    method: 'POST', url: '/api/v1/advisories/affected',
    rule: 'signed in; exactly the affected components of readable inventories; problems, counts and paging derived from those alone',
    async check(w) {
      for (const r of signedIn(w)) {
        const pages = await affectedPages(w, r);
        const affected = pages.flatMap((p) => p.body.affected);
        const visible = visibleInventories(w, r);
        assert.deepEqual(sorted(affected.map((a: any) => a.inventoryId)), sorted(visible.map((i) => i.id)), `${r.name}: one affected component per readable inventory`);
        assert.ok(affected.every((a: any) => a.component.purl === 'pkg:npm/matrix-pkg@1.0.0' && a.fixed === '2.0.0'));
        // Never "clean" without looking: every readable inventory's unevaluable version is reported.
        const problems = JSON.stringify(pages.map((p) => p.body.problems));
        for (const i of visible) assert.ok(problems.includes(`bogus-${i.marker}`), `${r.name}: the problem in readable ${i.name} is reported`);
      }
    },
    also: {
      // The known leak (issue 6): `problems` quoted versions stored in inventories the caller cannot read.
      async 'nothing in the answer (affected, problems, counts) comes from an inventory the reader cannot read'(w) {
        for (const r of signedIn(w)) {
          for (const [n, p] of (await affectedPages(w, r)).entries()) assertNoLeak(p, w.hiddenMarkers(r), `${r.name} POST /advisories/affected page ${n + 1}`);
        }
      },
      async 'anonymous callers get 401'(w) {
        const res = await w.api.post('/advisories/affected', {}, MATRIX_ADVISORY);
        assert.equal(res.status, 401, `anonymous callers may not run the reverse query: ${JSON.stringify(res.body).slice(0, 300)}`);
      },
    },
  },
];

/** Every page of the reverse query's answer; the cursor is walked when the answer offers one. */
async function affectedPages(w: World, r: Reader): Promise<Res[]> {
  const first = await w.api.post('/advisories/affected?limit=5', r.caller, MATRIX_ADVISORY);
  assert.equal(first.status, 200, `${r.name}: ${JSON.stringify(first.body).slice(0, 300)}`);
  const pages: Res[] = [first];
  for (let cursor = first.body.nextCursor; cursor; cursor = pages.at(-1)!.body.nextCursor) {
    assert.ok(pages.length < 100, 'the cursor walk ends');
    const next = await w.api.post(`/advisories/affected?limit=5&cursor=${encodeURIComponent(cursor)}`, r.caller, MATRIX_ADVISORY);
    assert.equal(next.status, 200, `${r.name} page ${pages.length + 1}: ${JSON.stringify(next.body).slice(0, 300)}`);
    assert.ok(next.body.affected.length <= 5, 'a page holds at most limit rows');
    pages.push(next);
  }
  return pages;
}
