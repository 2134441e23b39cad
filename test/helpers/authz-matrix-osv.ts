/**
 * Authorisation matrix entries for the OSV.dev-compatible API (issue 8): `/v1/query`, `/v1/querybatch`,
 * `/v1/vulns/:id`. The rule, by hand: what a reader gets is exactly the advisories they may read (seesAdvisory, the
 * advisory entries' hand-written rule) that are published — drafts never leave through the OSV API, withdrawn ones
 * are readable by id and match nothing. The targets are the advisory entries' (authz-matrix-advisories.ts): every
 * label, shared and embargoed ones, a withdrawn one and drafts, all for npm `matrix-pkg` before 1.0.1.
 */
import assert from 'node:assert/strict';
import type { OsvApiService } from '../../src/services/osv-api.service.ts';
import type { Caller, Res } from './api-client.ts';
import { advisoryTargets, hiddenAdvisoryMarkers, seesAdvisory, type AdvisoryTarget } from './authz-matrix-advisories.ts';
import { assertLikeAbsent, assertNoLeak, sorted, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

/** The OSV API lives at osv.dev's paths, outside /api/v1 (where ApiClient puts relative paths). */
async function call(w: World, method: 'GET' | 'POST', url: string, c: Caller, body?: unknown): Promise<Res> {
  const headers: Record<string, string> = {};
  if (c.cookie) headers.cookie = c.cookie;
  if (c.csrf) headers['x-csrf-token'] = c.csrf;
  if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
  const res = await w.server.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
}

/** The index follows changes through the event bus: wait until what the targets' creation announced is applied. */
async function settled(w: World): Promise<void> {
  const osv = (w.server.container.services as unknown as { osvApi: OsvApiService }).osvApi;
  await osv.start();
  await osv.settled();
}

const QUERY = { package: { name: 'matrix-pkg', ecosystem: 'npm' }, version: '1.0.0' };
const PURL = { package: { purl: 'pkg:npm/matrix-pkg@1.0.0' } };
const VERSIONLESS = { package: { name: 'matrix-pkg', ecosystem: 'npm' } };

/** What a query for matrix-pkg 1.0.0 must answer to `r`, among the targets (other entries make scratch advisories). */
function expected(r: Reader, targets: AdvisoryTarget[]): string[] {
  return sorted(targets.filter((t) => t.state === 'published' && seesAdvisory(r, t)).map((t) => t.id));
}

function answered(targets: AdvisoryTarget[], vulns: { id: string }[] | undefined): string[] {
  const ids = new Set(targets.map((t) => t.id));
  return sorted((vulns ?? []).map((v) => v.id).filter((id) => ids.has(id)));
}

MATRIX.push(
  {
    method: 'POST', url: '/v1/query', rule: 'exactly the published advisories the caller may read (embargoed and shared ones by label); no drafts, no withdrawn',
    async check(w) {
      const targets = await advisoryTargets(w);
      await settled(w);
      for (const r of w.readers) {
        for (const q of [QUERY, PURL, VERSIONLESS]) {
          const res = await call(w, 'POST', '/v1/query', r.caller, q);
          assert.equal(res.status, 200, `${r.name} ${JSON.stringify(q)}: ${JSON.stringify(res.body)}`);
          assert.deepEqual(answered(targets, res.body.vulns), expected(r, targets), `${r.name} ${JSON.stringify(q)}`);
          assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} POST /v1/query`);
        }
      }
    },
  },
  {
    method: 'POST', url: '/v1/querybatch', rule: 'per query, exactly the published advisories the caller may read, as ids and modified',
    async check(w) {
      const targets = await advisoryTargets(w);
      await settled(w);
      for (const r of w.readers) {
        const res = await call(w, 'POST', '/v1/querybatch', r.caller, { queries: [QUERY, PURL, { ...QUERY, version: '1.0.1' }] });
        assert.equal(res.status, 200, `${r.name}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(answered(targets, res.body.results[0].vulns), expected(r, targets), `${r.name} by name`);
        assert.deepEqual(answered(targets, res.body.results[1].vulns), expected(r, targets), `${r.name} by purl`);
        assert.deepEqual(answered(targets, res.body.results[2].vulns), [], `${r.name} fixed version`);
        assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} POST /v1/querybatch`);
      }
    },
  },
  {
    method: 'GET', url: '/v1/vulns/:id', rule: 'a published or withdrawn advisory the caller may read; drafts and hidden ones read as absent',
    async check(w) {
      const targets = await advisoryTargets(w);
      for (const r of w.readers) {
        const none = await call(w, 'GET', '/v1/vulns/CHA-1999-0000', r.caller);
        assert.equal(none.status, 404);
        await Promise.all(targets.map(async (t) => {
          const res = await call(w, 'GET', `/v1/vulns/${t.id}`, r.caller);
          if (t.state !== 'draft' && seesAdvisory(r, t)) {
            assert.equal(res.status, 200, `${r.name} reads ${t.marker}`);
            assert.equal(res.body.id, t.id);
            assert.equal(Boolean(res.body.withdrawn), t.state === 'withdrawn');
          } else {
            assertLikeAbsent(res, none, `${r.name} must not read ${t.marker} (${t.state} ${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''})`);
          }
          assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} GET /v1/vulns/${t.id}`);
        }));
      }
    },
  },
);
