/**
 * Authorisation matrix entries for the advisory distribution routes: VEX per advisory and the public Atom feed.
 * Targets are the advisory matrix's own (advisoryTargets: every label in LABELS, published, withdrawn, drafts,
 * shared under embargo), so no entry adds records other entries' exact lists would have to know about. The rules are
 * written out by hand: VEX follows the advisory read rule minus drafts; the feed is the same for everyone and holds
 * exactly the published advisories the anonymous public may read.
 */
import assert from 'node:assert/strict';
import type { Res } from './api-client.ts';
import { assertLikeAbsent, assertNoLeak, type Reader, type World } from './authz-fixtures.ts';
import { advisoryTargets, hiddenAdvisoryMarkers, seesAdvisory, type AdvisoryTarget } from './authz-matrix-advisories.ts';
import { MATRIX } from './authz-matrix.ts';

const ABSENT_ADVISORY = 'CHA-1999-0000';

/** VEX never carries a draft, not even to the owner: distribution channels serve published and withdrawn only. */
const seesVex = (r: Reader, t: AdvisoryTarget) => t.state !== 'draft' && seesAdvisory(r, t);

/** The public feed by hand: published (not withdrawn), TLP:CLEAR, no running embargo, no need-to-know role. */
const inFeed = (t: AdvisoryTarget) => t.state === 'published' && t.tlp === 'CLEAR' && t.embargo !== 'running' && !t.restricted;

const describeTarget = (t: AdvisoryTarget) => `${t.marker} (${t.state} ${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''}${t.sharedWith.length ? ' shared' : ''})`;

async function feedAs(w: World, r: Reader): Promise<Res> {
  // Injected directly: the feed lives at the root, outside the /api/v1 prefix the client adds.
  const headers: Record<string, string> = {};
  if (r.caller.bearer) headers.authorization = `Bearer ${r.caller.bearer}`;
  if (r.caller.cookie) headers.cookie = r.caller.cookie;
  const res = await w.server.app.inject({ method: 'GET', url: '/feeds/advisories.atom', headers });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/advisories/:id/vex', rule: 'readable advisories except drafts (the advisory read rule); drafts and hidden ones read as absent',
    async check(w) {
      const targets = await advisoryTargets(w);
      for (const r of w.readers) {
        const none = await w.api.get(`/advisories/${ABSENT_ADVISORY}/vex`, r.caller);
        assert.equal(none.status, 404, `${r.name} absent`);
        await Promise.all(targets.map(async (t) => {
          const res = await w.api.get(`/advisories/${t.id}/vex`, r.caller);
          if (seesVex(r, t)) {
            assert.equal(res.status, 200, `${r.name} reads VEX of ${describeTarget(t)}: ${JSON.stringify(res.body).slice(0, 300)}`);
            assert.equal(res.body.vulnerabilities[0].id, t.id);
            assert.equal(res.body.vulnerabilities[0].analysis.state, t.state === 'withdrawn' ? 'false_positive' : 'exploitable');
          } else {
            assertLikeAbsent(res, none, `${r.name} must not read VEX of ${describeTarget(t)}`);
          }
          assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} VEX ${t.marker}`);
        }));
      }
    },
    also: {
      'OpenVEX follows the same rule': async (w) => {
        const targets = await advisoryTargets(w);
        for (const r of w.readers) {
          const none = await w.api.get(`/advisories/${ABSENT_ADVISORY}/vex?format=openvex`, r.caller);
          await Promise.all(targets.map(async (t) => {
            const res = await w.api.get(`/advisories/${t.id}/vex?format=openvex`, r.caller);
            if (seesVex(r, t)) {
              assert.equal(res.status, 200, `${r.name} reads OpenVEX of ${describeTarget(t)}`);
              assert.ok(res.body.statements.every((s: any) => s.vulnerability.name === t.id));
            } else {
              assertLikeAbsent(res, none, `${r.name} must not read OpenVEX of ${describeTarget(t)}`);
            }
            assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} OpenVEX ${t.marker}`);
          }));
        }
      },
    },
  },
  {
    method: 'GET', url: '/feeds/advisories.atom', rule: 'public and the same for every caller: exactly the published TLP:CLEAR advisories with no running embargo and no need-to-know role',
    async check(w) {
      const targets = await advisoryTargets(w);
      const want = targets.filter(inFeed);
      const hidden = targets.filter((t) => !inFeed(t)).flatMap((t) => [t.id, t.marker]);
      assert.ok(want.length > 0 && hidden.length > 0, 'the targets cover both sides of the rule');
      let first: string | null = null;
      for (const r of w.readers) {
        const res = await feedAs(w, r);
        assert.equal(res.status, 200, r.name);
        assert.match(String(res.headers['content-type']), /^application\/atom\+xml/);
        const xml = String(res.body);
        for (const t of want) assert.ok(xml.includes(t.marker), `${r.name}: the feed lists ${describeTarget(t)}`);
        // A signed-in reader's GREEN/AMBER/shared advisories must not ride along: the feed is anonymous by construction.
        assertNoLeak(res, hidden, `${r.name} GET /feeds/advisories.atom`);
        // `updated` is the newest entry's modified time, so the document is identical for everyone.
        if (first === null) first = xml;
        else assert.equal(xml, first, `${r.name} gets the same feed as everyone`);
      }
    },
  },
);
