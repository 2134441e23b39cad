/**
 * Authorisation matrix entries for the findings intake routes of issue 9 (reads, reports, candidates, attachments,
 * intake by API and upload, coordinators' merge and split). The rules are written out by hand here (`sees`,
 * `attachStatus`, `dedupStatus`), never by calling the policy under test.
 *
 * Targets: findings of the researcher organisation at every label (LABELS), and three shared with the infrastructure
 * operator's organisation (as a case or a merge shares them), each with a second report (a duplicate), an attachment,
 * an alias of its own (`MXF-<marker>`) and one alias they all share (`MXF-SHARED`, added to the keys directly: intake
 * itself would have linked them), so that candidates have something to show and to hide. Built once per world;
 * entries that write clean up what they made.
 */
import assert from 'node:assert/strict';
import type { Principal } from '../../src/domain/policy/access-label.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Res } from './api-client.ts';
import { ABSENT_ID, EMBARGO, LABELS, ROLE, assertLikeAbsent, assertNoLeak, seesRecord, sorted, walk, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

const SYSTEM: Principal = systemPrincipal('system');
const SHARED_ALIAS = 'MXF-SHARED';
let markerSeq = 0;
const marker = () => `fndmx${String(markerSeq++).padStart(3, '0')}z`;

interface Target extends Label {
  id: string;
  seq: number;
  owner: string;
  sharedWith: string[];
  marker: string;
  alias: string;
  reportIds: string[];
  attachmentId: string;
}

/** The finding read rule, by hand: signed in, then the label, where organisations it is shared with read as its owner. */
function sees(r: Reader, f: { owner: string; sharedWith: string[] } & Label): boolean {
  if (r.anonymous) return false;
  const via = r.orgs.find((o) => o === f.owner || f.sharedWith.includes(o));
  return seesRecord(r, { ...f, owner: via ?? f.owner });
}

/** Attaching evidence: members of the owning organisation and coordinators, among those who read it. */
function attachStatus(r: Reader, t: Target, allowed: number): number {
  if (r.anonymous) return 401;
  if (!sees(r, t)) return 404;
  return r.orgs.includes(t.owner) || r.coordinator ? allowed : 403;
}

/** Merge and split: coordinators (members of a government organisation) who read the finding. */
function dedupStatus(r: Reader, t: Target, allowed: number): number {
  if (r.anonymous) return 401;
  if (!sees(r, t)) return 404;
  return r.coordinator ? allowed : 403;
}

/**
 * What intake matches an upload against: findings the reporting organisation's members read by the label alone (no
 * need-to-know role), a government organisation reaching as far as coordinators do.
 */
function organisationSees(org: string, government: boolean, t: Target): boolean {
  const owner = t.owner === org || t.sharedWith.includes(org);
  if (t.restricted) return false;
  if (t.embargo === 'running' && !(owner || government)) return false;
  return t.tlp === 'CLEAR' || t.tlp === 'GREEN' || (t.tlp === 'RED' ? owner : owner || government);
}

const hidden = (targets: Target[], r: Reader) => targets.filter((t) => !sees(r, t)).flatMap((t) => [t.id, t.marker, t.alias, t.attachmentId, ...t.reportIds]);
const describe = (t: Target) => `${t.marker} (${t.tlp} ${t.embargo}${t.restricted ? ' restricted' : ''}${t.sharedWith.length ? ' shared' : ''})`;

async function makeTarget(w: World, owner: string, l: Label, sharedWith: string[]): Promise<Target> {
  const { services, deps } = w.server.container;
  const m = marker();
  const alias = `MXF-${m.toUpperCase()}`;
  const base = { organisationId: owner, description: `Evidence of ${m}.`, product: { name: `Product ${m}` }, tool: { name: 'mxscan' }, fingerprints: [`h=${m}`] };
  // Intake matches what the reporting organisation reads without any need-to-know role, so the restriction is set
  // once both reports are in (as a coordinator's relabelling would).
  const label = { tlp: l.tlp, embargoUntil: EMBARGO[l.embargo] };
  const first = await services.findings.create(SYSTEM, { ...base, title: `mxfind ${m}`, aliases: [alias], label });
  assert.ok(first.created, `${m} is new`);
  const second = await services.findings.create(SYSTEM, { ...base, title: `mxfind ${m} again`, label });
  assert.equal(second.finding.id, first.finding.id, `${m}'s second report is linked`);
  const db = deps.db;
  if (l.restricted) await db.updateTable('findings').set({ restricted_role: ROLE }).where('id', '=', first.finding.id).execute();
  const seq = Number((await db.selectFrom('findings').select('seq').where('id', '=', first.finding.id).executeTakeFirstOrThrow()).seq);
  for (const o of sharedWith) await db.insertInto('finding_shares').values({ finding_seq: seq, organisation_id: o }).execute();
  const reports = await db.selectFrom('finding_reports').select(['id', 'seq']).where('finding_seq', '=', seq).orderBy('seq').execute();
  await db.insertInto('finding_keys').values({ finding_seq: seq, report_seq: Number(reports[0]!.seq), kind: 'alias', value: SHARED_ALIAS }).execute();
  const a = await services.findings.attach(SYSTEM, first.finding.id, { body: Buffer.from(`attachment of ${m}`), filename: `${m}.txt`, mediaType: 'text/plain' });
  return { id: first.finding.id, seq, owner, sharedWith, marker: m, alias, reportIds: reports.map((r) => r.id), attachmentId: a.id, ...l };
}

const cache = new WeakMap<World, Promise<Target[]>>();

function targets(w: World): Promise<Target[]> {
  let p = cache.get(w);
  if (!p) {
    p = (async () => {
      const researcher = w.homes.get('researcher')!;
      const operator = w.homes.get('infrastructure-operator')!;
      const open = (tlp: Label['tlp'], embargo: Label['embargo'] = 'none', restricted = false): Label => ({ tlp, embargo, restricted });
      const out: Target[] = [];
      for (const l of LABELS) out.push(await makeTarget(w, researcher, l, []));
      out.push(await makeTarget(w, researcher, open('AMBER', 'running'), [operator]));
      out.push(await makeTarget(w, researcher, open('RED'), [operator]));
      out.push(await makeTarget(w, researcher, open('GREEN', 'running', true), [operator]));
      return out;
    })();
    cache.set(w, p);
  }
  return p;
}

async function probeReads(w: World, path: (t: Target | null) => string, check: (r: Reader, t: Target, res: Res) => void | Promise<void>): Promise<void> {
  const ts = await targets(w);
  for (const r of w.readers) {
    const none = await w.api.get(path(null), r.caller);
    await Promise.all(ts.map(async (t) => {
      const res = await w.api.get(path(t), r.caller);
      if (sees(r, t)) await check(r, t, res);
      else assertLikeAbsent(res, none, `${r.name} must not read ${describe(t)} through ${path(null)}`);
      assertNoLeak(res, hidden(ts, r), `${r.name} ${path(t)}`);
    }));
  }
}

/** Every reader against every target: allowed callers get `allowed` (a refusal after the rule, so nothing is written). */
async function probeWrites(w: World, send: (r: Reader, t: Target | null) => Promise<Res>, status: (r: Reader, t: Target) => number, what: string): Promise<void> {
  const ts = await targets(w);
  const db = w.server.container.deps.db;
  const count = async () => Number((await db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = await count();
  for (const r of w.readers) {
    const none = await send(r, null);
    await Promise.all(ts.map(async (t) => {
      const res = await send(r, t);
      const want = status(r, t);
      if (want === 404) assertLikeAbsent(res, none, `${r.name} ${what} hidden ${describe(t)}`);
      else assert.equal(res.status, want, `${r.name} ${what} ${describe(t)}: ${JSON.stringify(res.body)}`);
      assertNoLeak(res, hidden(ts, r), `${r.name} ${what} ${describe(t)}`);
    }));
  }
  assert.equal(await count(), before, `${what}: nothing was written`);
}

/** A reader's own reporting organisation, if any (where it may submit findings). */
const homeOf = (r: Reader) => r.homeOrg ?? r.orgs[0] ?? null;

/**
 * Removes what a write entry's submissions made (findings titled with `word`, and the reports they added to targets),
 * and restores the targets' alias lists, so the world is as it was.
 */
async function dropSubmissions(w: World, word: string, ts: Target[], aliases: Map<number, string>): Promise<void> {
  const db = w.server.container.deps.db;
  const made = await db.selectFrom('findings').select('seq').where('title', 'like', `${word}%`).execute();
  const reports = await db.selectFrom('finding_reports').select('seq').where('submitted', 'like', `%"title":"${word}%`).execute();
  if (reports.length) await db.deleteFrom('finding_reports').where('seq', 'in', reports.map((r) => Number(r.seq))).execute();
  for (const f of made) {
    await db.deleteFrom('finding_triage_events').where('finding_seq', '=', Number(f.seq)).execute();
    await db.deleteFrom('findings').where('seq', '=', Number(f.seq)).execute();
  }
  for (const t of ts) await db.updateTable('findings').set({ aliases: aliases.get(t.seq)! }).where('seq', '=', t.seq).execute();
}

async function aliasSnapshot(w: World, ts: Target[]): Promise<Map<number, string>> {
  const rows = await w.server.container.deps.db.selectFrom('findings').select(['seq', 'aliases']).where('seq', 'in', ts.map((t) => t.seq)).execute();
  return new Map(rows.map((r) => [Number(r.seq), r.aliases]));
}

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/findings/:id', rule: 'signed-in readers the label allows (shared organisations read as the owner); hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/findings/${t?.id ?? ABSENT_ID}`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} reads ${describe(t)}`);
        assert.deepEqual([res.body.id, res.body.reports, res.body.label.owner], [t.id, 2, t.owner]);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/findings/:id/reports', rule: 'the reports of a readable finding; hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/findings/${t?.id ?? ABSENT_ID}/reports`, async (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} reports of ${describe(t)}`);
        assert.deepEqual(res.body.items.map((x: any) => [x.id, x.reason]), [[t.reportIds[0], 'first'], [t.reportIds[1], 'fingerprint']]);
        const { items } = await walk(w, `/findings/${t.id}/reports`, r, 1);
        assert.deepEqual(items.map((x: any) => x.id), t.reportIds, `${r.name} reports page by page`);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/findings/:id/candidates', rule: 'exactly the other readable findings sharing a key, page by page; hidden finding reads as absent',
    async check(w) {
      const ts = await targets(w);
      await probeReads(w, (t) => `/findings/${t?.id ?? ABSENT_ID}/candidates?limit=200`, async (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} candidates of ${describe(t)}`);
        const want = sorted(ts.filter((o) => o.id !== t.id && sees(r, o)).map((o) => o.id));
        assert.deepEqual(sorted(res.body.items.map((c: any) => c.finding.id)), want, `${r.name} candidates of ${describe(t)}`);
        for (const c of res.body.items) assert.deepEqual(c.shared, [{ kind: 'alias', value: SHARED_ALIAS }]);
      });
      // One target per reader page by page (a short page before the last would betray rows dropped after the query).
      for (const r of w.readers.filter((x) => !x.anonymous)) {
        const t = ts.find((x) => sees(r, x));
        if (!t) continue;
        const { items, pages } = await walk(w, `/findings/${t.id}/candidates`, r, 3);
        assert.deepEqual(sorted(items.map((c: any) => c.finding.id)), sorted(ts.filter((o) => o.id !== t.id && sees(r, o)).map((o) => o.id)), `${r.name} walks candidates`);
        pages.slice(0, -1).forEach((p) => assert.equal(p.body.items.length, 3));
        for (const p of pages) assertNoLeak(p, hidden(ts, r), `${r.name} candidates pages`);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/findings/:id/attachments', rule: 'the attachments of a readable finding (metadata); hidden reads as absent',
    async check(w) {
      await probeReads(w, (t) => `/findings/${t?.id ?? ABSENT_ID}/attachments`, (r, t, res) => {
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.items.map((a: any) => a.id), [t.attachmentId], `${r.name} attachments of ${describe(t)}`);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/findings/:id/attachments/:attachmentId', rule: 'downloads under the finding\'s label; hidden finding or another finding\'s attachment reads as absent',
    async check(w) {
      const ts = await targets(w);
      await probeReads(w, (t) => (t ? `/findings/${t.id}/attachments/${t.attachmentId}` : `/findings/${ABSENT_ID}/attachments/${ts[0]!.attachmentId}`), (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} downloads ${describe(t)}`);
        assert.equal(res.body, `attachment of ${t.marker}`);
        assert.match(String(res.headers['content-disposition']), /^attachment;/);
      });
      // Through a finding it does not hang on, even one the reader reads: absent.
      for (const r of w.readers.filter((x) => !x.anonymous)) {
        const readable = ts.filter((t) => sees(r, t));
        if (readable.length < 2) continue;
        const res = await w.api.get(`/findings/${readable[0]!.id}/attachments/${readable[1]!.attachmentId}`, r.caller);
        assert.deepEqual([res.status, res.body.detail], [404, 'attachment not found']);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/findings/:id/attachments', rule: 'owner\'s members and coordinators among readers; others who read it 403; hidden reads as absent; anonymous 401',
    async check(w) {
      // An empty body is refused after the rule (400), so permitted callers write nothing either.
      await probeWrites(w, (r, t) => w.api.call('POST', `/findings/${t?.id ?? ABSENT_ID}/attachments?filename=x.txt`, r.caller, '', { 'content-type': 'text/plain' }), (r, t) => attachStatus(r, t, 400), 'attach');
    },
  },
  {
    method: 'POST', url: '/api/v1/findings/:id/merge', rule: 'coordinators who read both findings; others who read it 403; a hidden finding (either side) reads as absent',
    async check(w) {
      // Merging a finding into itself is refused after the rule (400): nothing changes.
      await probeWrites(w, (r, t) => w.api.post(`/findings/${t?.id ?? ABSENT_ID}/merge`, r.caller, { into: t?.id ?? ABSENT_ID, note: 'matrix' }), (r, t) => dedupStatus(r, t, 400), 'merge');
      // The target side: a coordinator merging a finding it reads into each target; a stale If-Match stops a permitted merge.
      const ts = await targets(w);
      for (const r of w.readers.filter((x) => x.coordinator)) {
        const from = ts.find((t) => sees(r, t) && t.tlp === 'CLEAR' && t.embargo === 'none' && !t.restricted)!;
        const none = await w.api.post(`/findings/${from.id}/merge`, r.caller, { into: ABSENT_ID, note: 'matrix' }, { 'if-match': '"999"' });
        for (const t of ts.filter((x) => x.id !== from.id)) {
          const res = await w.api.post(`/findings/${from.id}/merge`, r.caller, { into: t.id, note: 'matrix' }, { 'if-match': '"999"' });
          if (sees(r, t)) assert.equal(res.status, 412, `${r.name} merges into ${describe(t)}: ${JSON.stringify(res.body)}`);
          else assertLikeAbsent(res, none, `${r.name} merges into hidden ${describe(t)}`);
          assertNoLeak(res, hidden(ts, r), `${r.name} merge into ${describe(t)}`);
        }
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/findings/:id/reports/:reportId/split', rule: 'coordinators who read the finding; others who read it 403; hidden reads as absent',
    async check(w) {
      // The report that created a finding cannot be split from it (409): permitted callers change nothing.
      await probeWrites(w, (r, t) => w.api.post(`/findings/${t?.id ?? ABSENT_ID}/reports/${t?.reportIds[0] ?? ABSENT_ID}/split`, r.caller, { note: 'matrix' }), (r, t) => dedupStatus(r, t, 409), 'split');
    },
  },
  {
    method: 'POST', url: '/api/v1/findings', rule: 'members of the reporting organisation (write scope), others 403, anonymous 401; a duplicate links only to a finding the reporting organisation reads, else it is new',
    async check(w) {
      const ts = await targets(w);
      const aliases = await aliasSnapshot(w, ts);
      const word = 'mxpost';
      const researcher = w.homes.get('researcher')!;
      try {
        for (const r of w.readers) {
          const foreign = await w.api.post('/findings', r.caller, { organisationId: researcher === homeOf(r) ? w.homes.get('vendor')! : researcher, title: `${word} foreign`, description: 'd', product: { name: 'p' } });
          assert.equal(foreign.status, r.anonymous ? 401 : r.orgs.includes(researcher === homeOf(r) ? w.homes.get('vendor')! : researcher) ? 201 : 403, `${r.name} reports for another organisation: ${JSON.stringify(foreign.body)}`);
          const home = homeOf(r);
          if (!home) continue;
          // Every target's own alias, in creation order: the first one the organisation reads is where it links, if any.
          const res = await w.api.post('/findings', r.caller, { organisationId: home, title: `${word} ${r.name}`, description: 'd', product: { name: `p ${r.name}` }, aliases: ts.map((t) => t.alias) });
          assert.equal(res.status, 201, `${r.name}: ${JSON.stringify(res.body)}`);
          const first = ts.find((t) => organisationSees(home, r.kind === 'government' && home === r.homeOrg, t));
          if (first) assert.ok(sees(r, first), 'never linked to a finding the submitter cannot read');
          if (first) {
            assert.deepEqual([res.body.created, res.body.finding.id, res.body.duplicate], [false, first.id, { reason: 'alias', matched: first.alias }], `${r.name} links to the first target it reads`);
          } else {
            assert.deepEqual([res.body.created, res.body.duplicate, res.body.finding.reports], [true, null, 1], `${r.name} reads no target: a new finding`);
          }
          // The aliases it sent come back on the finding it reports; nothing else of a hidden target may.
          assertNoLeak(res, hidden(ts, r).filter((m) => !m.startsWith('MXF-')), `${r.name} POST /findings`);
          if (r.role) continue;
          const restricted = await w.api.post('/findings', r.caller, { organisationId: home, title: `${word} restricted`, description: 'd', product: { name: 'p' }, label: { restricted: ROLE } });
          assert.equal(restricted.status, 403, `${r.name} cannot restrict to a role it lacks`);
        }
      } finally {
        await dropSubmissions(w, word, ts, aliases);
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/findings/import', rule: 'members of the reporting organisation (write scope), others 403 before the body is read, anonymous 401; duplicates only of findings the organisation reads',
    async check(w) {
      const ts = await targets(w);
      const aliases = await aliasSnapshot(w, ts);
      const word = 'mximport';
      const researcher = w.homes.get('researcher')!;
      try {
        for (const r of w.readers) {
          const doc = JSON.stringify({ id: `MXI-${r.name.toUpperCase()}`, modified: '2026-11-01T00:00:00Z', summary: `${word} ${r.name}`, details: 'd', aliases: ts.map((t) => t.alias), affected: [{ package: { ecosystem: 'npm', name: 'mximport' } }] });
          const res = await w.api.call('POST', `/findings/import?organisationId=${researcher}`, r.caller, doc, { 'content-type': 'application/json' });
          if (r.anonymous || !r.orgs.includes(researcher)) {
            assert.equal(res.status, r.anonymous ? 401 : 403, `${r.name} imports for the researchers: ${JSON.stringify(res.body)}`);
            continue;
          }
          assert.equal(res.status, 200, `${r.name}: ${JSON.stringify(res.body)}`);
          const linked = ts.some((t) => organisationSees(researcher, false, t));
          assert.deepEqual(res.body, { received: 1, created: linked ? 0 : 1, duplicates: linked ? 1 : 0, rejected: [] }, r.name);
        }
      } finally {
        await dropSubmissions(w, word, ts, aliases);
      }
    },
  },
);
