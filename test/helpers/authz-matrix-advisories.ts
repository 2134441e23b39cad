/**
 * Authorisation matrix entries for the advisory routes (issue 8). The rule is written out by hand here
 * (`seesAdvisory`, `advisoryWriteStatus`), never by calling the policy under test.
 *
 * The targets: published advisories of the vendor home organisation at every label, a withdrawn one, drafts (seen only
 * by the owner's members), and advisories shared with the infrastructure operator's organisation under a running
 * embargo (its members read them as the owner's do, and cannot change them). Built once per world and shared by every
 * advisory entry (advisoryTargets); entries that change an advisory make their own scratch ones.
 */
import assert from 'node:assert/strict';
import type { Principal } from '../../src/domain/policy/access-label.ts';
import type { AdvisoryView } from '../../src/services/advisory.service.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Res } from './api-client.ts';
import { EMBARGO, LABELS, ROLE, assertLikeAbsent, assertNoLeak, seesRecord, sorted, walk, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

export interface AdvisoryTarget extends Label {
  id: string;
  owner: string;
  state: 'draft' | 'published' | 'withdrawn';
  sharedWith: string[];
  marker: string;
  version: number;
}

const SYSTEM: Principal = systemPrincipal('system');
let markerSeq = 0;
const marker = () => `advmx${String(markerSeq++).padStart(3, '0')}z`;

/** `word` keeps advisories made by write entries out of the read entries' `q=matrixadv` lists. */
export const osvRecord = (m: string, word = 'matrixadv') => ({
  schema_version: '1.6.0',
  summary: `${word} ${m}`,
  details: `Details of ${m}.`,
  affected: [{ package: { ecosystem: 'npm', name: 'matrix-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
});

/** Creates (and optionally publishes or withdraws) one advisory as the server itself. */
export async function makeAdvisory(w: World, owner: string, l: Label, state: AdvisoryTarget['state'], sharedWith: string[] = []): Promise<AdvisoryTarget> {
  const advisories = w.server.container.services.advisories;
  const m = marker();
  let v: AdvisoryView = await advisories.create(SYSTEM, {
    organisationId: owner,
    record: osvRecord(m),
    label: { tlp: l.tlp, embargoUntil: EMBARGO[l.embargo], restricted: l.restricted ? ROLE : null, sharedWith },
  });
  if (state !== 'draft') v = await advisories.publish(SYSTEM, v.id, v.version);
  if (state === 'withdrawn') v = await advisories.withdraw(SYSTEM, v.id, v.version);
  return { id: v.id, owner, state, sharedWith, marker: m, version: v.version, ...l };
}

const cache = new WeakMap<World, Promise<AdvisoryTarget[]>>();

export function advisoryTargets(w: World): Promise<AdvisoryTarget[]> {
  let p = cache.get(w);
  if (!p) {
    p = (async () => {
      const vendor = w.homes.get('vendor')!;
      const operator = w.homes.get('infrastructure-operator')!;
      const out: AdvisoryTarget[] = [];
      for (const l of LABELS) out.push(await makeAdvisory(w, vendor, l, 'published'));
      const open = (tlp: Label['tlp'], embargo: Label['embargo'] = 'none', restricted = false): Label => ({ tlp, embargo, restricted });
      out.push(await makeAdvisory(w, vendor, open('CLEAR'), 'withdrawn'));
      out.push(await makeAdvisory(w, vendor, open('CLEAR'), 'draft'));
      out.push(await makeAdvisory(w, vendor, open('RED', 'none', true), 'draft'));
      out.push(await makeAdvisory(w, vendor, open('AMBER', 'running'), 'draft', [operator]));
      out.push(await makeAdvisory(w, vendor, open('AMBER', 'running'), 'published', [operator]));
      out.push(await makeAdvisory(w, vendor, open('RED'), 'published', [operator]));
      out.push(await makeAdvisory(w, vendor, open('GREEN', 'running', true), 'published', [operator]));
      return out;
    })();
    cache.set(w, p);
  }
  return p;
}

/** The advisory read rule, by hand: the label (sharing makes the shared organisations' members read as owners), and drafts only for the owner's members. */
export function seesAdvisory(r: Reader, a: AdvisoryTarget): boolean {
  const ownerLike = r.orgs.includes(a.owner) || a.sharedWith.some((o) => r.orgs.includes(o));
  const byLabel = seesRecord(r, { ...a, owner: ownerLike ? (r.orgs.find((o) => o === a.owner || a.sharedWith.includes(o)) ?? a.owner) : a.owner });
  return byLabel && (a.state !== 'draft' || r.orgs.includes(a.owner));
}

/** Writes: members of the owner who can read it; visible to others 403; hidden 404; anonymous 401. */
export function advisoryWriteStatus(r: Reader, a: AdvisoryTarget, allowed: number): number {
  if (r.anonymous) return 401;
  if (!seesAdvisory(r, a)) return 404;
  return r.orgs.includes(a.owner) ? allowed : 403;
}

const ABSENT_ADVISORY = 'CHA-1999-0000';

async function absent(w: World, path: string, r: Reader, method = 'GET', headers: Record<string, string> = {}): Promise<Res> {
  return w.api.call(method, path.replace(':id', ABSENT_ADVISORY), r.caller, undefined, headers);
}

export function hiddenAdvisoryMarkers(targets: AdvisoryTarget[], r: Reader): string[] {
  return targets.filter((t) => !seesAdvisory(r, t)).flatMap((t) => [t.id, t.marker]);
}

async function probeReads(w: World, path: (t: AdvisoryTarget) => string, absentPath: string, check: (r: Reader, t: AdvisoryTarget, res: Res) => void): Promise<void> {
  const targets = await advisoryTargets(w);
  for (const r of w.readers) {
    const none = await absent(w, absentPath, r);
    await Promise.all(targets.map(async (t) => {
      const res = await w.api.get(path(t), r.caller);
      if (seesAdvisory(r, t)) check(r, t, res);
      else assertLikeAbsent(res, none, `${r.name} must not read ${t.marker} (${t.state} ${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''})`);
      assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} ${path(t)}`);
    }));
  }
}

async function probeWrites(w: World, send: (r: Reader, t: AdvisoryTarget) => Promise<Res>, what: string): Promise<void> {
  const targets = await advisoryTargets(w);
  for (const r of w.readers) {
    await Promise.all(targets.map(async (t) => {
      // A stale If-Match: a permitted writer gets 412 (nothing changes), everyone else their refusal.
      const res = await send(r, t);
      assert.equal(res.status, advisoryWriteStatus(r, t, 412), `${r.name} ${what} ${t.marker} (${t.state} ${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''}): ${JSON.stringify(res.body)}`);
      assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} ${what} ${t.marker}`);
    }));
  }
}

const STALE = { 'if-match': '"999"' };

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/advisories', rule: 'exactly the readable advisories (drafts for the owner\'s members only), page by page, also when filtered',
    async check(w) {
      const targets = await advisoryTargets(w);
      for (const r of w.readers) {
        const want = sorted(targets.filter((t) => seesAdvisory(r, t)).map((t) => t.id));
        const { items, pages } = await walk(w, '/advisories?q=matrixadv', r, 7);
        assert.deepEqual(sorted(items.map((a: any) => a.id)), want, r.name);
        for (const p of pages) assertNoLeak(p, hiddenAdvisoryMarkers(targets, r), `${r.name} GET /advisories`);
        const { items: drafts } = await walk(w, '/advisories?q=matrixadv&state=draft', r, 3);
        assert.deepEqual(sorted(drafts.map((a: any) => a.id)), sorted(targets.filter((t) => t.state === 'draft' && seesAdvisory(r, t)).map((t) => t.id)), `${r.name} drafts`);
        const { items: npm } = await walk(w, '/advisories?q=matrixadv&ecosystem=npm', r, 50);
        assert.deepEqual(sorted(npm.map((a: any) => a.id)), want, `${r.name} by ecosystem`);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/advisories', rule: 'members of the owning organisation (write scope); a restriction only by a holder; others 403; anonymous 401',
    async check(w) {
      const owner = w.homes.get('vendor')!;
      for (const r of w.readers) {
        for (const restricted of [false, true]) {
          const res = await w.api.post('/advisories', r.caller, { organisationId: owner, record: osvRecord(marker(), 'scratchadv'), label: { tlp: 'AMBER', ...(restricted ? { restricted: ROLE } : {}) } });
          const member = r.orgs.includes(owner);
          const want = r.anonymous ? 401 : !member ? 403 : restricted && !r.role ? 403 : 201;
          assert.equal(res.status, want, `${r.name} creates ${restricted ? 'a restricted' : 'an'} advisory: ${JSON.stringify(res.body)}`);
        }
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/advisories/:id', rule: 'readable by label and state; hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/advisories/${t.id}`, '/advisories/:id', (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} reads ${t.marker}`);
        assert.equal(res.body.state, t.state);
        assert.equal(res.headers.etag, `"${res.body.version}"`);
      });
    },
  },
  {
    method: 'PUT', url: '/api/v1/advisories/:id', rule: 'members of the owner who can read it; visible to others 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, (r, t) => w.api.call('PUT', `/advisories/${t.id}`, r.caller, { record: osvRecord('changed', 'scratchadv') }, STALE), 'PUT');
    },
  },
  {
    method: 'POST', url: '/api/v1/advisories/:id/publish', rule: 'members of the owner who can read it; visible to others 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, (r, t) => w.api.post(`/advisories/${t.id}/publish`, r.caller, undefined, STALE), 'publish');
    },
  },
  {
    method: 'POST', url: '/api/v1/advisories/:id/withdraw', rule: 'members of the owner who can read it; visible to others 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, (r, t) => w.api.post(`/advisories/${t.id}/withdraw`, r.caller, {}, STALE), 'withdraw');
    },
  },
  {
    method: 'GET', url: '/api/v1/advisories/:id/revisions', rule: 'the revisions of a readable advisory; hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/advisories/${t.id}/revisions`, '/advisories/:id/revisions', (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} revisions of ${t.marker}`);
        assert.equal(res.body.items.length, t.state === 'draft' ? 0 : t.state === 'published' ? 1 : 2);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/advisories/:id/revisions/:revision', rule: 'a revision of a readable advisory; hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/advisories/${t.id}/revisions/1`, '/advisories/:id/revisions/1', (r, t, res) => {
        assert.equal(res.status, t.state === 'draft' ? 404 : 200, `${r.name} revision 1 of ${t.marker}`);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/advisories/:id/diff', rule: 'differences between revisions of a readable advisory; hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/advisories/${t.id}/diff?from=1&to=1`, '/advisories/:id/diff?from=1&to=1', (r, t, res) => {
        assert.equal(res.status, t.state === 'draft' ? 404 : 200, `${r.name} diff of ${t.marker}`);
        if (res.status === 200) assert.deepEqual(res.body.changes, []);
      });
    },
  },
);
