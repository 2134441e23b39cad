/**
 * Authorisation matrix entries for the triage routes of issue 9: the queue (GET /findings), a finding's triage history,
 * the three triage writes, and the KEV catalogue (import, entry, an advisory's marks). The rules are written out by hand
 * here (`seesFinding`, `triageWriteStatus`, `importsKev`), never by calling the policy under test.
 *
 * Targets: findings of two reporter organisations at every label (LABELS), and a few shared with the infrastructure
 * operator's organisation (as a case shares them with its participants), created through the FindingService as the
 * system principal and then triaged (states, CVSS, SSVC) so that the queue's order has something to get right. The KEV
 * entries use their own findings and advisories carrying the matrix's own CVEs, so importing the matrix catalogue
 * changes nothing the other entries look at.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Principal } from '../../src/domain/policy/access-label.ts';
import type { SsvcPoints } from '../../src/domain/ssvc/ssvc-coordinator.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Res } from './api-client.ts';
import { advisoryTargets, hiddenAdvisoryMarkers, seesAdvisory, type AdvisoryTarget } from './authz-matrix-advisories.ts';
import { ABSENT_ID, EMBARGO, LABELS, ROLE, assertLikeAbsent, assertNoLeak, seesRecord, walk, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

const SYSTEM: Principal = systemPrincipal('system');
const WORD = 'mxtriage';
let markerSeq = 0;
const marker = () => `trgmx${String(markerSeq++).padStart(3, '0')}z`;

/** SSVC answers with their decision's queue rank and exploitation rank, written out by hand from CISA's tree. */
const SSVC: ({ points: SsvcPoints; rank: number; exploitation: number } | null)[] = [
  { points: { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' }, rank: 4, exploitation: 2 }, // Act
  { points: { exploitation: 'poc', automatable: 'no', technicalImpact: 'total', missionWellbeing: 'high' }, rank: 3, exploitation: 1 }, // Attend
  { points: { exploitation: 'none', automatable: 'no', technicalImpact: 'total', missionWellbeing: 'high' }, rank: 2, exploitation: 0 }, // Track*
  { points: { exploitation: 'none', automatable: 'no', technicalImpact: 'partial', missionWellbeing: 'low' }, rank: 1, exploitation: 0 }, // Track
  null,
];
/** CVSS vectors and the queue rank of their base score (x10). */
const CVSS = [
  { cvss4: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', rank: 93 },
  { cvss3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', rank: 98 },
  { cvss3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N', rank: 53 },
  null,
] as const;
/** The moves that bring a new finding to each state. */
const STATES = [[], ['triaging'], ['triaging', 'reproduced'], ['out-of-scope']] as const;
const PRODUCTS = ['pkg:npm/mxtriage-gateway', 'pkg:pypi/mxtriage-model'] as const;

export interface FindingTarget extends Label {
  id: string;
  owner: string;
  sharedWith: string[];
  marker: string;
  state: string;
  product: string;
  sector: boolean;
  ssvcRank: number;
  exploitationRank: number;
  cvssRank: number;
  /** Creation order: the queue's last keys (age, then seq) follow it, as the world's clock does not move. */
  order: number;
  /** Triage history events written for it. */
  events: number;
}

/**
 * The finding read rule, by hand: signed-in readers only (a finding is a report to the clearinghouse, never public,
 * whatever its TLP), then the label, where the organisations it is shared with read it as its owner's members.
 */
export function seesFinding(r: Reader, f: { owner: string; sharedWith: string[] } & Label): boolean {
  if (r.anonymous) return false;
  const via = r.orgs.find((o) => o === f.owner || f.sharedWith.includes(o));
  return seesRecord(r, { ...f, owner: via ?? f.owner });
}

/** Triage writes: coordinators (members of a government organisation) who read the finding; other readers 403; hidden 404. */
export function triageWriteStatus(r: Reader, f: FindingTarget, allowed: number): number {
  if (r.anonymous) return 401;
  if (!seesFinding(r, f)) return 404;
  return r.coordinator ? allowed : 403;
}

/** KEV import: site administrators and coordinators. */
const importsKev = (r: Reader) => r.siteAdmin || r.coordinator;

async function makeFinding(w: World, owner: string, l: Label, extra: { word?: string; aliases?: string[]; product?: string; productOrg?: string | null; sharedWith?: string[] } = {}) {
  const m = marker();
  const services = w.server.container.services;
  const res = await services.findings.create(SYSTEM, {
    organisationId: owner,
    title: `${extra.word ?? WORD} ${m} finding`,
    description: `Evidence of ${m}.`,
    product: { purl: extra.product ?? PRODUCTS[0], name: `Product ${m}`, organisationId: extra.productOrg ?? null },
    location: `src/${m}.ts:1`,
    aliases: extra.aliases ?? [],
    label: { tlp: l.tlp, embargoUntil: EMBARGO[l.embargo] },
  });
  assert.ok(res.created, `${m} is a new finding`);
  const db = w.server.container.deps.db;
  // The API takes no need-to-know role on a finding (a case's label brings one); the column is set here so that the
  // role part of the read rule is exercised on every route.
  if (l.restricted) await db.updateTable('findings').set({ restricted_role: ROLE }).where('id', '=', res.finding.id).execute();
  const seq = Number((await db.selectFrom('findings').select('seq').where('id', '=', res.finding.id).executeTakeFirstOrThrow()).seq);
  // Sharing is what a case does for its participants (finding_shares, the label's sharedWith list).
  for (const o of extra.sharedWith ?? []) await db.insertInto('finding_shares').values({ finding_seq: seq, organisation_id: o }).execute();
  return { id: res.finding.id, version: res.finding.version, marker: m };
}

const cache = new WeakMap<World, Promise<FindingTarget[]>>();

export function findingTargets(w: World): Promise<FindingTarget[]> {
  let p = cache.get(w);
  if (!p) {
    p = (async () => {
      const triage = w.server.container.services.triage;
      const researcher = w.homes.get('researcher')!;
      const lab = w.homes.get('ai-developer')!;
      const operator = w.homes.get('infrastructure-operator')!;
      const open = (tlp: Label['tlp'], embargo: Label['embargo'] = 'none', restricted = false): Label => ({ tlp, embargo, restricted });
      const plan: { owner: string; label: Label; sharedWith: string[] }[] = [
        ...LABELS.map((l) => ({ owner: researcher, label: l, sharedWith: [] })),
        ...LABELS.filter((l) => l.embargo === 'none' && !l.restricted).map((l) => ({ owner: lab, label: l, sharedWith: [] })),
        { owner: lab, label: open('AMBER', 'running'), sharedWith: [operator] },
        { owner: lab, label: open('RED'), sharedWith: [operator] },
        { owner: researcher, label: open('GREEN', 'running', true), sharedWith: [operator] },
      ];
      const out: FindingTarget[] = [];
      for (const [i, p] of plan.entries()) {
        const product = PRODUCTS[i % 2]!;
        // Every third finding is about a product of the infrastructure operator, whose sector is energy.
        const sector = i % 3 === 0;
        const f = await makeFinding(w, p.owner, p.label, { product, productOrg: sector ? operator : null, sharedWith: p.sharedWith });
        let version = f.version;
        const moves = STATES[i % STATES.length]!;
        for (const to of moves) version = (await triage.setState(SYSTEM, f.id, { state: to, note: `matrix ${to}`, version })).version;
        const ssvc = SSVC[(i >> 1) % SSVC.length] ?? null;
        if (ssvc) version = (await triage.setSsvc(SYSTEM, f.id, { ...ssvc.points, version })).version;
        const cvss = CVSS[i % CVSS.length] ?? null;
        if (cvss) {
          const { rank: _rank, ...vectors } = cvss;
          version = (await triage.setScores(SYSTEM, f.id, { ...vectors, version })).version;
        }
        out.push({
          id: f.id,
          owner: p.owner,
          sharedWith: p.sharedWith,
          marker: f.marker,
          state: moves.at(-1) ?? 'new',
          product,
          sector,
          ssvcRank: ssvc?.rank ?? 0,
          exploitationRank: ssvc?.exploitation ?? 0,
          cvssRank: cvss?.rank ?? 0,
          order: i,
          events: moves.length + (ssvc ? 1 : 0) + (cvss ? 1 : 0),
          ...p.label,
        });
      }
      return out;
    })();
    cache.set(w, p);
  }
  return p;
}

/** The queue's order, by hand: SSVC decision, exploitation, CVSS (each highest first), then oldest first. */
const queueOrder = (a: FindingTarget, b: FindingTarget) =>
  b.ssvcRank - a.ssvcRank || b.exploitationRank - a.exploitationRank || b.cvssRank - a.cvssRank || a.order - b.order;

const hiddenMarkers = (targets: FindingTarget[], r: Reader) => targets.filter((t) => !seesFinding(r, t)).flatMap((t) => [t.id, t.marker]);

const describe = (t: FindingTarget) => `${t.marker} (${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''}${t.sharedWith.length ? ' shared' : ''})`;

/** A walk of the queue: exactly `want`, in that order, full pages until the last, and nothing of a hidden target. */
async function walkQueue(w: World, r: Reader, query: string, want: FindingTarget[], targets: FindingTarget[], limit: number): Promise<void> {
  const { items, pages } = await walk(w, `/findings?q=${WORD}${query}`, r, limit);
  const mine = new Set(targets.map((t) => t.id));
  assert.deepEqual(items.map((f: { id: string }) => f.id).filter((id: string) => mine.has(id)), want.map((t) => t.id), `${r.name} queue${query}: exactly the readable findings, in queue order`);
  assert.equal(items.length, want.length, `${r.name} queue${query}: nothing but the matrix targets match ${WORD}`);
  // A short page before the last one would say that rows were dropped after the query, i.e. that hidden ones exist.
  pages.slice(0, -1).forEach((p, i) => assert.equal(p.body.items.length, limit, `${r.name} queue${query}: page ${i + 1} is full`));
  for (const p of pages) assertNoLeak(p, hiddenMarkers(targets, r), `${r.name} GET /findings${query}`);
}

async function probeFindingReads(w: World, path: (id: string) => string, check: (r: Reader, t: FindingTarget, res: Res) => void): Promise<void> {
  const targets = await findingTargets(w);
  for (const r of w.readers) {
    const none = await w.api.get(path(ABSENT_ID), r.caller);
    await Promise.all(targets.map(async (t) => {
      const res = await w.api.get(path(t.id), r.caller);
      if (seesFinding(r, t)) check(r, t, res);
      else assertLikeAbsent(res, none, `${r.name} must not read ${describe(t)}`);
      assertNoLeak(res, hiddenMarkers(targets, r), `${r.name} ${path(t.id)}`);
    }));
  }
}

/** Every reader against every target with a stale If-Match: a permitted writer gets 412 and nothing changes. */
async function probeTriageWrites(w: World, method: 'POST' | 'PUT', path: (id: string) => string, body: unknown): Promise<void> {
  const targets = await findingTargets(w);
  const db = w.server.container.deps.db;
  const before = await db.selectFrom('finding_triage_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  for (const r of w.readers) {
    const none = await w.api.call(method, path(ABSENT_ID), r.caller, body, { 'if-match': '"999"' });
    await Promise.all(targets.map(async (t) => {
      const res = await w.api.call(method, path(t.id), r.caller, body, { 'if-match': '"999"' });
      const want = triageWriteStatus(r, t, 412);
      assert.equal(res.status, want, `${r.name} ${method} ${path('…')} on ${describe(t)}: ${JSON.stringify(res.body)}`);
      if (want === 404) assertLikeAbsent(res, none, `${r.name} ${method} on hidden ${describe(t)}`);
      assertNoLeak(res, hiddenMarkers(targets, r), `${r.name} ${method} ${path(t.id)}`);
    }));
  }
  const after = await db.selectFrom('finding_triage_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(after.n), Number(before.n), 'no refused or stale write left a history event');
}

// ---- KEV ----

const KEV_FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/kev/kev-small.json', import.meta.url), 'utf8')) as { vulnerabilities: Record<string, unknown>[] } & Record<string, unknown>;
/** One CVE per KEV target: findings sharing an alias would be one finding (de-duplication). */
const kevCve = (i: number) => `CVE-2026-${String(990100 + i)}`;

interface KevWorld {
  catalogue: Record<string, unknown>;
  findings: FindingTarget[];
  advisories: AdvisoryTarget[];
}

const kevCache = new WeakMap<World, Promise<KevWorld>>();

/** Findings and advisories carrying the matrix's CVEs at every label, and the matrix catalogue imported once as the server. */
function kevWorld(w: World): Promise<KevWorld> {
  let p = kevCache.get(w);
  if (!p) {
    p = (async () => {
      const researcher = w.homes.get('researcher')!;
      const vendor = w.homes.get('vendor')!;
      const operator = w.homes.get('infrastructure-operator')!;
      const findings: FindingTarget[] = [];
      const advisories: AdvisoryTarget[] = [];
      let n = 0;
      const plan: { label: Label; sharedWith: string[] }[] = [
        ...LABELS.map((l) => ({ label: l, sharedWith: [] })),
        { label: { tlp: 'RED', embargo: 'none', restricted: false }, sharedWith: [operator] },
      ];
      for (const { label: l, sharedWith } of plan) {
        const cve = kevCve(n++);
        const f = await makeFinding(w, researcher, l, { word: 'mxkevfinding', aliases: [cve], product: 'pkg:npm/mxkev-gateway', sharedWith });
        findings.push({ id: f.id, owner: researcher, sharedWith, marker: f.marker, state: 'new', product: 'pkg:npm/mxkev-gateway', sector: false, ssvcRank: 0, exploitationRank: 2, cvssRank: 0, order: n, events: 1, ...l });
      }
      const advisoryService = w.server.container.services.advisories;
      for (const [l, state, sharedWith] of [
        ...LABELS.map((l) => [l, 'published', []] as const),
        [{ tlp: 'CLEAR', embargo: 'none', restricted: false }, 'draft', []] as const,
        [{ tlp: 'AMBER', embargo: 'running', restricted: false }, 'published', [operator]] as const,
      ]) {
        const cve = kevCve(n++);
        const m = marker();
        let v = await advisoryService.create(SYSTEM, {
          organisationId: vendor,
          record: {
            schema_version: '1.6.0',
            summary: `mxkevadv ${m}`,
            details: `Details of ${m}.`,
            aliases: [cve],
            affected: [{ package: { ecosystem: 'npm', name: 'mxkev-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
          },
          label: { tlp: l.tlp, embargoUntil: EMBARGO[l.embargo], restricted: l.restricted ? ROLE : null, sharedWith: [...sharedWith] },
        });
        if (state === 'published') v = await advisoryService.publish(SYSTEM, v.id, v.version);
        advisories.push({ id: v.id, owner: vendor, state, sharedWith: [...sharedWith], marker: m, version: v.version, ...l });
      }
      const template = KEV_FIXTURE.vulnerabilities[0]!;
      const vulnerabilities = Array.from({ length: n }, (_x, i) => ({ ...template, cveID: kevCve(i), vendorProject: 'Matrix', product: `mxkev ${i}`, dateAdded: '2026-11-20', dueDate: '2026-12-11' }));
      const catalogue = { ...KEV_FIXTURE, catalogVersion: '2026.11.26', count: n, vulnerabilities };
      const summary = await w.server.container.services.triage.importKev(SYSTEM, JSON.stringify(catalogue));
      assert.deepEqual(summary, { entries: n, findings: findings.length, advisories: advisories.length }, 'the server itself is told about every mark');
      return { catalogue, findings, advisories };
    })();
    kevCache.set(w, p);
  }
  return p;
}

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/findings', rule: 'the triage queue: exactly the readable findings in queue order, page by page, each filter too; anonymous 401',
    async check(w) {
      const targets = await findingTargets(w);
      const lab = w.homes.get('ai-developer')!;
      for (const r of w.readers) {
        if (r.anonymous) {
          const res = await w.api.get(`/findings?q=${WORD}`, r.caller);
          assert.equal(res.status, 401);
          continue;
        }
        const visible = targets.filter((t) => seesFinding(r, t)).sort(queueOrder);
        await walkQueue(w, r, '', visible, targets, 4);
        await walkQueue(w, r, '&state=triaging', visible.filter((t) => t.state === 'triaging'), targets, 3);
        await walkQueue(w, r, '&state=new', visible.filter((t) => t.state === 'new'), targets, 3);
        await walkQueue(w, r, '&sector=energy', visible.filter((t) => t.sector), targets, 3);
        await walkQueue(w, r, `&product=${encodeURIComponent(PRODUCTS[1])}`, visible.filter((t) => t.product === PRODUCTS[1]), targets, 3);
        await walkQueue(w, r, `&reporter=${lab}`, visible.filter((t) => t.owner === lab), targets, 3);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/findings/:id/history', rule: 'the triage history of a readable finding, newest first; hidden reads as absent',
    async check(w) {
      await probeFindingReads(w, (id) => `/findings/${id}/history`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} history of ${describe(t)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.items.length, t.events, `${r.name} history of ${describe(t)}`);
      });
    },
  },
  {
    method: 'POST', url: '/api/v1/findings/:id/state', rule: 'coordinators who read the finding; other readers 403; hidden reads as absent; anonymous 401',
    async check(w) {
      await probeTriageWrites(w, 'POST', (id) => `/findings/${id}/state`, { state: 'triaging', note: 'matrix probe' });
    },
  },
  {
    method: 'PUT', url: '/api/v1/findings/:id/scores', rule: 'coordinators who read the finding; other readers 403; hidden reads as absent; anonymous 401',
    async check(w) {
      await probeTriageWrites(w, 'PUT', (id) => `/findings/${id}/scores`, { cvss3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' });
    },
  },
  {
    method: 'PUT', url: '/api/v1/findings/:id/ssvc', rule: 'coordinators who read the finding; other readers 403; hidden reads as absent; anonymous 401',
    async check(w) {
      await probeTriageWrites(w, 'PUT', (id) => `/findings/${id}/ssvc`, { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' });
    },
  },
  {
    method: 'POST', url: '/api/v1/kev/import', rule: 'site administrators and coordinators; the summary counts only the marked findings and advisories the caller reads; others 403, anonymous 401',
    async check(w) {
      const k = await kevWorld(w);
      const db = w.server.container.deps.db;
      for (const r of w.readers) {
        const res = await w.api.post('/kev/import', r.caller, k.catalogue);
        if (r.anonymous) assert.equal(res.status, 401, r.name);
        else if (!importsKev(r)) assert.equal(res.status, 403, `${r.name}: ${JSON.stringify(res.body)}`);
        else {
          assert.equal(res.status, 200, `${r.name}: ${JSON.stringify(res.body)}`);
          assert.deepEqual(res.body, {
            entries: k.catalogue.count,
            findings: k.findings.filter((f) => seesFinding(r, f)).length,
            advisories: k.advisories.filter((a) => seesAdvisory(r, a)).length,
          }, `${r.name}: the summary counts what ${r.name} reads`);
        }
        assertNoLeak(res, [...hiddenMarkers(k.findings, r), ...hiddenAdvisoryMarkers(k.advisories, r)], `${r.name} POST /kev/import`);
      }
      // Refused callers are refused before the body is read: an invalid one gets the same 403.
      for (const r of w.readers.filter((x) => !x.anonymous && !importsKev(x))) assert.equal((await w.api.post('/kev/import', r.caller, { not: 'a catalogue' })).status, 403, r.name);
      const marked = await db.selectFrom('findings').select(['id', 'exploitation_rank', 'kev_due_date']).where('id', 'in', k.findings.map((f) => f.id)).execute();
      assert.ok(marked.every((f) => Number(f.exploitation_rank) === 2 && f.kev_due_date === '2026-12-11'), 'every finding with a KEV CVE is actively exploited with the KEV due date');
    },
  },
  {
    method: 'GET', url: '/api/v1/kev', rule: 'the stored catalogue\'s version and size, for any signed-in reader; anonymous 401',
    async check(w) {
      const k = await kevWorld(w);
      for (const r of w.readers) {
        const res = await w.api.get('/kev', r.caller);
        if (r.anonymous) assert.equal(res.status, 401, r.name);
        else assert.deepEqual([res.status, res.body.catalogVersion, res.body.entries], [200, k.catalogue.catalogVersion, k.catalogue.count], r.name);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/kev/:cve', rule: 'any signed-in reader (CISA publishes the catalogue); absent CVEs 404; anonymous 401',
    async check(w) {
      await kevWorld(w);
      for (const r of w.readers) {
        const res = await w.api.get(`/kev/${kevCve(3).toLowerCase()}`, r.caller);
        const none = await w.api.get('/kev/CVE-1999-0001', r.caller);
        if (r.anonymous) {
          assert.deepEqual([res.status, none.status], [401, 401], r.name);
          continue;
        }
        assert.equal(res.status, 200, `${r.name}: ${JSON.stringify(res.body)}`);
        assert.deepEqual([res.body.cve, res.body.vendor, res.body.dueDate], [kevCve(3), 'Matrix', '2026-12-11']);
        assert.equal(none.status, 404, r.name);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/advisories/:id/kev', rule: 'the KEV marks of an advisory the caller may read (drafts for the owner\'s members); hidden reads as absent',
    async check(w) {
      const k = await kevWorld(w);
      const targets = [...(await advisoryTargets(w)), ...k.advisories];
      const kevOf = new Map(k.advisories.map((a) => [a.id, a]));
      for (const r of w.readers) {
        const none = await w.api.get('/advisories/CHA-1999-0000/kev', r.caller);
        await Promise.all(targets.map(async (t) => {
          const res = await w.api.get(`/advisories/${t.id}/kev`, r.caller);
          if (seesAdvisory(r, t)) {
            assert.equal(res.status, 200, `${r.name} KEV of ${t.marker}: ${JSON.stringify(res.body)}`);
            assert.equal(res.body.kev.length, kevOf.has(t.id) ? 1 : 0, `${r.name} KEV of ${t.marker}`);
            if (kevOf.has(t.id)) assert.equal(res.body.kev[0].dueDate, '2026-12-11');
          } else assertLikeAbsent(res, none, `${r.name} must not read the KEV marks of ${t.marker} (${t.state} ${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''})`);
          assertNoLeak(res, hiddenAdvisoryMarkers(targets, r), `${r.name} GET /advisories/${t.id}/kev`);
        }));
      }
    },
  },
);
