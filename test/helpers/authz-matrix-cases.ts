/**
 * Authorisation matrix entries for the cases routes of issue 9 (cases, participants, vendor statuses, read markers,
 * the public date, extension requests, suggestions, the advisory draft) and the product declarations of
 * organisations. The rules are written out by hand here (`seesCase`, `managesCase`, ...), never by calling the
 * policy under test.
 *
 * Targets: cases owned by the government home organisation at every TLP, with the public date (the label's embargo)
 * running or lapsed, open or restricted to ROLE, each with the vendor home as vendor and the AI developer home as the
 * reporter of its finding; a vendor-opened RED case; a vendor-opened AMBER case no coordinator takes part in; and one
 * where the researcher home observes. Built once per world (caseTargets) as the server itself. Writes are probed so
 * that a permitted caller is stopped after the rule by something that changes nothing (a stale version, an existing
 * participant, an absent sub-record), and the real changes are made on scratch cases in `also`.
 */
import assert from 'node:assert/strict';
import { TLP_LEVELS, type Principal } from '../../src/domain/policy/access-label.ts';
import type { ParticipantRole } from '../../src/domain/policy/case.policy.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import type { Res } from './api-client.ts';
import { ABSENT_ID, EMBARGO, ROLE, assertLikeAbsent, assertNoLeak, seesOrganisation, seesRecord, sorted, walk, type Label, type Reader, type World } from './authz-fixtures.ts';
import { MATRIX } from './authz-matrix.ts';

const SYSTEM: Principal = systemPrincipal('system');
const WORD = 'mxcase';
const DECLARED = 'pkg:npm/mxcase-declared/';
let markerSeq = 0;
const marker = () => `csemx${String(markerSeq++).padStart(3, '0')}z`;

export interface CaseTarget extends Label {
  id: string;
  owner: string;
  participants: Map<string, ParticipantRole>;
  marker: string;
  findingId: string;
  findingMarker: string;
  version: number;
}

/** The case read rule, by hand: signed in, then the label, where the participants read it as the owner's members. */
export function seesCase(r: Reader, c: CaseTarget): boolean {
  if (r.anonymous) return false;
  const via = r.orgs.find((o) => o === c.owner || c.participants.has(o));
  return seesRecord(r, { ...c, owner: via ?? c.owner });
}
const managesCase = (r: Reader, c: CaseTarget) => r.orgs.includes(c.owner) || r.orgs.some((o) => c.participants.get(o) === 'coordinator');
const participatesIn = (r: Reader, c: CaseTarget) => r.orgs.some((o) => o === c.owner || c.participants.has(o));
/** The finding of a case: AMBER, reported by the AI developer home, shared with the case's participants. */
const seesCaseFinding = (r: Reader, c: CaseTarget) => {
  if (r.anonymous) return false;
  const lab = [...c.participants].find(([, role]) => role === 'reporter')![0];
  const via = r.orgs.find((o) => o === lab || c.participants.has(o));
  return seesRecord(r, { tlp: 'AMBER', embargo: 'none', restricted: false, owner: via ?? lab });
};

function writeStatus(r: Reader, c: CaseTarget, allowed: (r: Reader, c: CaseTarget) => boolean, status: number): number {
  if (r.anonymous) return 401;
  if (!seesCase(r, c)) return 404;
  return allowed(r, c) ? status : 403;
}

const describe = (c: CaseTarget) => `${c.marker} (${c.tlp} ${c.embargo}${c.restricted ? ' restricted' : ''}, owner ${c.owner.slice(0, 8)})`;

export function hiddenCaseMarkers(targets: CaseTarget[], r: Reader): string[] {
  return targets.flatMap((t) => [...(seesCase(r, t) ? [] : [t.id, t.marker]), ...(seesCaseFinding(r, t) ? [] : [t.findingId, t.findingMarker])]);
}

async function openTarget(w: World, owner: string, l: Label, participants: [string, ParticipantRole][], word = WORD): Promise<CaseTarget> {
  const { services, deps } = w.server.container;
  const m = marker();
  const fm = marker();
  const lab = w.homes.get('ai-developer')!;
  const f = await services.findings.create(SYSTEM, {
    organisationId: lab, title: `${word}finding ${fm}`, description: `Evidence ${fm}.`, product: { purl: `pkg:npm/mxcase-declared/${fm}` }, location: `src/${fm}.ts:1`, label: { tlp: 'AMBER' },
  } as never);
  const c = await services.cases.open(SYSTEM, {
    organisationId: owner, title: `${word} ${m} case`, summary: `Summary ${m}.`, findingIds: [f.finding.id],
    label: { tlp: l.tlp, restricted: l.restricted ? ROLE : null }, participants: participants.map(([organisationId, role]) => ({ organisationId, role })),
  });
  if (l.embargo !== 'running') {
    // A case's embargo is its public date; one that has passed (a case kept open after it) is written directly.
    const date = EMBARGO[l.embargo];
    await deps.db.updateTable('cases').set({ public_date: date ?? c.publicDate, embargo_until: date }).where('id', '=', c.id).execute();
    await deps.db.updateTable('audit_log').set({ label_embargo_until: date }).where('record_id', '=', c.id).execute();
  }
  // Marks the advisory as drafted, so the draft route stops a permitted caller (409) without drafting one.
  await deps.db.updateTable('cases').set({ advisory_id: `CHA-1999-${9000 + markerSeq}` }).where('id', '=', c.id).execute();
  return { id: c.id, owner, participants: new Map(c.participantList.map((p) => [p.organisationId, p.role])), marker: m, findingId: f.finding.id, findingMarker: fm, version: c.version, ...l };
}

const cache = new WeakMap<World, Promise<CaseTarget[]>>();

export function caseTargets(w: World): Promise<CaseTarget[]> {
  let p = cache.get(w);
  if (!p) {
    p = (async () => {
      const gov = w.homes.get('government')!;
      const vendor = w.homes.get('vendor')!;
      const researcher = w.homes.get('researcher')!;
      const out: CaseTarget[] = [];
      for (const tlp of TLP_LEVELS) {
        for (const embargo of ['running', 'lapsed'] as const) {
          for (const restricted of [false, true]) out.push(await openTarget(w, gov, { tlp, embargo, restricted }, [[vendor, 'vendor']]));
        }
      }
      out.push(await openTarget(w, vendor, { tlp: 'RED', embargo: 'running', restricted: false }, []));
      out.push(await openTarget(w, vendor, { tlp: 'AMBER', embargo: 'running', restricted: false }, []));
      out.push(await openTarget(w, gov, { tlp: 'AMBER+STRICT', embargo: 'running', restricted: false }, [[vendor, 'vendor'], [researcher, 'observer']]));
      // Every organisation declares one product, so the declaration routes have something to refuse to duplicate.
      for (const o of [...w.homes.values(), ...w.orgTargets.map((t) => t.id)]) await w.server.container.services.cases.declareProduct(SYSTEM, o, { purlPrefix: DECLARED });
      return out;
    })();
    cache.set(w, p);
  }
  return p;
}

/** A few targets that between them hold every kind of reader in and out, for the routes that hang off a case. */
async function someTargets(w: World): Promise<CaseTarget[]> {
  const all = await caseTargets(w);
  const pick = (tlp: Label['tlp'], embargo: Label['embargo'], restricted: boolean, owner = w.homes.get('government')!) =>
    all.find((t) => t.tlp === tlp && t.embargo === embargo && t.restricted === restricted && t.owner === owner)!;
  const vendor = w.homes.get('vendor')!;
  return [pick('AMBER', 'running', false), pick('RED', 'running', true), pick('GREEN', 'lapsed', false), pick('CLEAR', 'running', false), pick('RED', 'running', false, vendor), pick('AMBER', 'running', false, vendor), all.at(-1)!];
}

async function probeReads(w: World, targets: CaseTarget[], path: (id: string) => string, check: (r: Reader, t: CaseTarget, res: Res) => void): Promise<void> {
  const all = await caseTargets(w);
  for (const r of w.readers) {
    const none = await w.api.get(path(ABSENT_ID), r.caller);
    await Promise.all(targets.map(async (t) => {
      const res = await w.api.get(path(t.id), r.caller);
      if (seesCase(r, t)) check(r, t, res);
      else assertLikeAbsent(res, none, `${r.name} must not read ${describe(t)} through ${path(':id')}`);
      assertNoLeak(res, hiddenCaseMarkers(all, r), `${r.name} ${path(t.id)}`);
    }));
  }
}

async function probeWrites(
  w: World,
  targets: CaseTarget[],
  send: (r: Reader, id: string) => Promise<Res>,
  allowed: (r: Reader, c: CaseTarget) => boolean,
  status: number,
  what: string,
  check?: (r: Reader, t: CaseTarget, res: Res) => void,
): Promise<void> {
  const all = await caseTargets(w);
  for (const r of w.readers) {
    const none = await send(r, ABSENT_ID);
    await Promise.all(targets.map(async (t) => {
      const res = await send(r, t.id);
      const want = writeStatus(r, t, allowed, status);
      assert.equal(res.status, want, `${r.name} ${what} on ${describe(t)}: ${JSON.stringify(res.body)}`);
      if (!r.anonymous && !seesCase(r, t)) assertLikeAbsent(res, none, `${r.name} ${what} on hidden ${describe(t)}`);
      else if (want === status) check?.(r, t, res);
      assertNoLeak(res, hiddenCaseMarkers(all, r), `${r.name} ${what} ${t.id}`);
    }));
  }
}

/** A scratch case for the writes that change something, outside the targets' lists (`word`). */
async function scratch(w: World, owner: string, l: Label, participants: [string, ParticipantRole][]): Promise<CaseTarget> {
  const c = await openTarget(w, owner, l, participants, 'mxscratchcase');
  await w.server.container.deps.db.updateTable('cases').set({ advisory_id: null }).where('id', '=', c.id).execute();
  return c;
}

const FUTURE = '2027-09-01T00:00:00Z';
const STALE = { 'if-match': '"999"' };
const allOrgs = (w: World) => [...[...w.homes].map(([kind, id]) => ({ id, tlp: 'RED' as const, embargo: 'none' as const, restricted: false, name: `Home ${kind}` })), ...w.orgTargets];

async function probeOrganisations(w: World, send: (r: Reader, orgId: string) => Promise<Res>, allowed: (r: Reader, orgId: string) => boolean, status: number, what: string): Promise<void> {
  for (const r of w.readers) {
    const none = await send(r, ABSENT_ID);
    await Promise.all(allOrgs(w).map(async (o) => {
      const res = await send(r, o.id);
      const hidden = !r.anonymous && !seesOrganisation(r, o);
      const want = r.anonymous ? 401 : hidden ? 404 : allowed(r, o.id) ? status : 403;
      assert.equal(res.status, want, `${r.name} ${what} ${o.name}: ${JSON.stringify(res.body)}`);
      if (hidden) assertLikeAbsent(res, none, `${r.name} ${what} hidden ${o.name}`);
    }));
  }
}

MATRIX.push(
  {
    method: 'GET', url: '/api/v1/cases', rule: 'signed in; exactly the cases you read (participants read them as the owner does), page by page, also filtered',
    async check(w) {
      const targets = await caseTargets(w);
      const vendor = w.homes.get('vendor')!;
      const researcher = w.homes.get('researcher')!;
      for (const r of w.readers) {
        if (r.anonymous) {
          assert.equal((await w.api.get(`/cases?q=${WORD}`, r.caller)).status, 401);
          continue;
        }
        const want = sorted(targets.filter((t) => seesCase(r, t)).map((t) => t.id));
        const { items, pages } = await walk(w, `/cases?q=${WORD}`, r, 7);
        assert.deepEqual(sorted(items.map((c: { id: string }) => c.id)), want, r.name);
        for (const p of pages) assertNoLeak(p, hiddenCaseMarkers(targets, r), `${r.name} GET /cases`);
        const { items: observed } = await walk(w, `/cases?q=${WORD}&participant=${researcher}`, r, 50);
        assert.deepEqual(sorted(observed.map((c: { id: string }) => c.id)), sorted(targets.filter((t) => t.participants.has(researcher) && seesCase(r, t)).map((t) => t.id)), `${r.name} by participant`);
        const { items: closed } = await walk(w, `/cases?q=${WORD}&state=closed`, r, 50);
        assert.deepEqual(closed, [], `${r.name}: no target is closed`);
        for (const c of items) assert.equal(c.label.sharedWith.includes(vendor) || c.owner.organisationId === vendor, true, 'the vendor takes part in every target');
      }
    },
  },
  {
    method: 'POST', url: '/api/v1/cases', rule: 'members of the owning organisation with standing (coordinators, the finding\'s reporter, vendors); others 403; anonymous 401',
    async check(w) {
      const lab = w.homes.get('ai-developer')!;
      const f = await w.server.container.services.findings.create(SYSTEM, {
        organisationId: lab, title: 'mxscratchcase opening finding', description: 'x', product: { purl: 'pkg:npm/mxscratch-open' }, location: 'a.ts:1', label: { tlp: 'GREEN' },
      } as never);
      for (const r of w.readers) {
        const owner = r.homeOrg ?? w.homes.get('government')!;
        const res = await w.api.post('/cases', r.caller, { organisationId: owner, title: 'mxscratchcase opened', findingIds: [f.finding.id] });
        const standing = r.kind === 'government' || r.kind === 'vendor' || r.kind === 'ai-developer';
        const want = r.anonymous ? 401 : !r.orgs.includes(owner) ? 403 : standing ? 201 : 403;
        assert.equal(res.status, want, `${r.name} opens a case: ${JSON.stringify(res.body)}`);
      }
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id', rule: 'the case as JSON with its label, for its readers; hidden reads as absent; only the findings you read',
    async check(w) {
      await probeReads(w, await caseTargets(w), (id) => `/cases/${id}`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} reads ${describe(t)}`);
        assert.equal(res.headers.etag, `"${res.body.version}"`);
        assert.deepEqual(sorted(res.body.label.sharedWith), sorted([...t.participants.keys()]));
        assert.deepEqual(res.body.findings.map((f: { id: string }) => f.id), seesCaseFinding(r, t) ? [t.findingId] : [], `${r.name}: the case's findings it reads`);
        assert.equal(res.body.permissions.manage, managesCase(r, t));
      });
    },
    also: {
      // Everything on a case is audited with its label: the owner's administrators see the entries of the cases
      // they read by that label, and none of the others (labels exempt nobody).
      async 'its audit entries are as hidden as the case'(w) {
        const targets = await caseTargets(w);
        for (const r of w.readers.filter((x) => x.siteAdmin || x.adminOf.length)) {
          const { items } = await walk(w, '/audit?recordType=case', r, 100);
          const seen = new Set(items.map((e: { recordId: string }) => e.recordId));
          for (const t of targets) {
            const want = (r.siteAdmin || r.adminOf.includes(t.owner)) && seesRecord(r, t);
            assert.equal(seen.has(t.id), want, `${r.name} sees the audit entries of ${describe(t)}: ${want}`);
          }
        }
      },
    },
  },
  {
    method: 'PATCH', url: '/api/v1/cases/:id', rule: 'the owner\'s members and coordinator participants who read it (stale If-Match: 412); other readers 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await caseTargets(w), (r, id) => w.api.call('PATCH', `/cases/${id}`, r.caller, { title: 'mxscratchcase renamed' }, STALE), managesCase, 412, 'PATCH');
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/participants', rule: 'the case\'s managers (an existing participant: 409); coordinators join with their own organisation; other readers 403; hidden reads as absent',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      await probeWrites(w, await caseTargets(w), (r, id) => w.api.post(`/cases/${id}/participants`, r.caller, { organisationId: vendor, role: 'vendor' }), managesCase, 409, 'add participant');
    },
    also: {
      async 'adding shares the case and its finding with the new participant, who is notified; a coordinator joins by itself'(w) {
        const gov = w.homes.get('government')!;
        const vendor = w.homes.get('vendor')!;
        const operator = w.homes.get('infrastructure-operator')!;
        const c = await scratch(w, vendor, { tlp: 'AMBER', embargo: 'running', restricted: false }, []);
        const member = w.reader('infrastructure-operator-member');
        assert.equal((await w.api.get(`/cases/${c.id}`, member.caller)).status, 404);
        const add = await w.api.post(`/cases/${c.id}/participants`, w.reader('vendor-member').caller, { organisationId: operator, role: 'observer' });
        assert.equal(add.status, 200, JSON.stringify(add.body));
        const seen = await w.api.get(`/cases/${c.id}`, member.caller);
        assert.equal(seen.status, 200);
        assert.deepEqual(seen.body.findings.map((f: { id: string }) => f.id), [c.findingId]);
        const notes = await w.server.container.deps.db.selectFrom('notifications').select('organisation_id').where('subject_id', '=', c.id).where('kind', '=', 'case.participant-added').execute();
        assert.ok(notes.some((n) => n.organisation_id === operator));
        const join = await w.api.post(`/cases/${c.id}/participants`, w.reader('government-member').caller, { organisationId: gov, role: 'coordinator' });
        assert.equal(join.status, 200, JSON.stringify(join.body));
        assert.equal(join.body.permissions.manage, true);
        assert.equal((await w.api.post(`/cases/${c.id}/participants`, w.reader('researcher-member').caller, { organisationId: w.homes.get('researcher')!, role: 'coordinator' })).status, 404, 'AMBER: not a reader');
      },
    },
  },
  {
    method: 'DELETE', url: '/api/v1/cases/:id/participants/:organisationId', rule: 'the case\'s managers (an organisation not taking part: 404 participant); other readers 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await someTargets(w), (r, id) => w.api.delete(`/cases/${id}/participants/${ABSENT_ID}`, r.caller), managesCase, 404, 'remove participant', (r, t, res) => {
        assert.equal(res.body.detail, 'participant not found', `${r.name} on ${describe(t)}`);
      });
    },
    also: {
      async 'removing takes the case and its finding away again'(w) {
        const gov = w.homes.get('government')!;
        const operator = w.homes.get('infrastructure-operator')!;
        const c = await scratch(w, gov, { tlp: 'AMBER', embargo: 'running', restricted: false }, [[operator, 'vendor']]);
        const member = w.reader('infrastructure-operator-member');
        assert.equal((await w.api.get(`/cases/${c.id}`, member.caller)).status, 200);
        assert.equal((await w.api.delete(`/cases/${c.id}/participants/${operator}`, w.reader('government-member').caller)).status, 204);
        assert.equal((await w.api.get(`/cases/${c.id}`, member.caller)).status, 404);
        const shares = await w.server.container.deps.db.selectFrom('finding_shares').innerJoin('findings', 'findings.seq', 'finding_shares.finding_seq').select('findings.id').where('findings.id', '=', c.findingId).where('finding_shares.organisation_id', '=', operator).execute();
        assert.deepEqual(shares, [], 'the finding is no longer shared with it');
      },
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/statuses', rule: 'the status table for the case\'s readers; hidden reads as absent',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      await probeReads(w, await someTargets(w), (id) => `/cases/${id}/statuses`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} statuses of ${describe(t)}`);
        assert.deepEqual(res.body.items.map((s: { organisationId: string }) => s.organisationId), [vendor]);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/statuses/:organisationId', rule: 'a vendor\'s status and history for the case\'s readers; hidden reads as absent',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      await probeReads(w, await someTargets(w), (id) => `/cases/${id}/statuses/${vendor}`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} vendor status of ${describe(t)}`);
        assert.equal(res.body.status, 'unknown');
      });
    },
  },
  {
    method: 'PUT', url: '/api/v1/cases/:id/statuses/:organisationId', rule: 'the vendor\'s members and the case\'s managers (a stale version: 409); other readers 403; hidden reads as absent',
    async check(w) {
      const vendor = w.homes.get('vendor')!;
      await probeWrites(w, await caseTargets(w), (r, id) => w.api.put(`/cases/${id}/statuses/${vendor}`, r.caller, { status: 'affected', statement: 'mxscratchcase', version: 999 }), (r, c) => managesCase(r, c) || r.orgs.includes(vendor), 409, 'set status', (r, t, res) => {
        assert.equal(res.body.type.endsWith('/stale-write'), true, `${r.name} on ${describe(t)}`);
      });
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/seen', rule: 'every reader of the case marks it seen for themselves; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await someTargets(w), (r, id) => w.api.post(`/cases/${id}/seen`, r.caller, { key: 'statuses' }), () => true, 200, 'mark seen', (r, _t, res) => {
        assert.equal(res.body.key, 'statuses', r.name);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/public-date', rule: 'the public date and its history for the case\'s readers; hidden reads as absent',
    async check(w) {
      await probeReads(w, await someTargets(w), (id) => `/cases/${id}/public-date`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} public date of ${describe(t)}`);
        assert.equal(res.body.history.at(-1).kind, 'opened');
      });
    },
  },
  {
    method: 'PUT', url: '/api/v1/cases/:id/public-date', rule: 'the case\'s managers (stale If-Match: 412); other readers 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await caseTargets(w), (r, id) => w.api.call('PUT', `/cases/${id}/public-date`, r.caller, { publicDate: FUTURE, reason: 'matrix' }, STALE), managesCase, 412, 'move public date');
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/extension-requests', rule: 'extension requests for the case\'s readers; hidden reads as absent',
    async check(w) {
      await probeReads(w, await someTargets(w), (id) => `/cases/${id}/extension-requests`, (r, t, res) => assert.equal(res.status, 200, `${r.name} extension requests of ${describe(t)}`));
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/extension-requests', rule: 'members of participant organisations (naming one they are not in: 400); other readers 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await caseTargets(w), (r, id) => w.api.post(`/cases/${id}/extension-requests`, r.caller, { publicDate: FUTURE, reason: 'matrix', organisationId: ABSENT_ID }), participatesIn, 400, 'ask for an extension', (r, t, res) => {
        assert.equal(res.body.field, 'organisationId', `${r.name} on ${describe(t)}`);
      });
    },
    also: {
      async 'a participant asks and the owner accepts: the date moves'(w) {
        const gov = w.homes.get('government')!;
        const vendor = w.homes.get('vendor')!;
        const c = await scratch(w, gov, { tlp: 'AMBER', embargo: 'running', restricted: false }, [[vendor, 'vendor']]);
        const ask = await w.api.post(`/cases/${c.id}/extension-requests`, w.reader('vendor-member').caller, { publicDate: FUTURE, reason: 'release train' });
        assert.equal(ask.status, 201, JSON.stringify(ask.body));
        const decide = `/cases/${c.id}/extension-requests/${ask.body.id}/decision`;
        assert.equal((await w.api.post(decide, w.reader('vendor-admin').caller, { accept: true })).status, 403);
        assert.equal((await w.api.post(decide, w.reader('researcher-admin').caller, { accept: true })).status, 404);
        const ok = await w.api.post(decide, w.reader('government-admin').caller, { accept: true });
        assert.equal(ok.status, 200);
        assert.equal((await w.api.get(`/cases/${c.id}`, w.reader('vendor-member').caller)).body.publicDate, '2027-09-01T00:00:00.000Z');
      },
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/extension-requests/:requestId/decision', rule: 'the case\'s managers (an absent request: 404 extension request); other readers 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await someTargets(w), (r, id) => w.api.post(`/cases/${id}/extension-requests/${ABSENT_ID}/decision`, r.caller, { accept: false }), managesCase, 404, 'decide', (r, t, res) => {
        assert.equal(res.body.detail, 'extension request not found', `${r.name} on ${describe(t)}`);
      });
    },
  },
  {
    method: 'GET', url: '/api/v1/cases/:id/suggestions', rule: 'suggested vendors for the case\'s readers, from the findings they read only; hidden reads as absent',
    async check(w) {
      await probeReads(w, await someTargets(w), (id) => `/cases/${id}/suggestions`, (r, t, res) => {
        assert.equal(res.status, 200, `${r.name} suggestions of ${describe(t)}`);
        const suggested = new Set(res.body.items.map((s: { organisationId: string }) => s.organisationId));
        // Every organisation declared the targets' package namespace: suggested are those not taking part, and only
        // through a finding the reader reads.
        if (!seesCaseFinding(r, t)) assert.equal(suggested.size, 0, `${r.name} is suggested nothing from a finding it does not read`);
        else {
          const want = allOrgs(w).filter((o) => !t.participants.has(o.id) && seesOrganisation(r, o)).map((o) => o.id);
          assert.deepEqual(sorted([...suggested] as string[]), sorted(want), `${r.name}: every declaring organisation it may see, not taking part`);
        }
      });
    },
  },
  {
    method: 'POST', url: '/api/v1/cases/:id/advisory', rule: 'the case\'s managers (already drafted: 409); other readers 403; hidden reads as absent',
    async check(w) {
      await probeWrites(w, await caseTargets(w), (r, id) => w.api.post(`/cases/${id}/advisory`, r.caller, {}), managesCase, 409, 'draft advisory');
    },
    also: {
      async 'a manager drafts the case\'s advisory, readable by its owner only until published'(w) {
        const gov = w.homes.get('government')!;
        const vendor = w.homes.get('vendor')!;
        const c = await scratch(w, gov, { tlp: 'AMBER', embargo: 'running', restricted: false }, [[vendor, 'vendor']]);
        const d = await w.api.post(`/cases/${c.id}/advisory`, w.reader('government-member').caller, {});
        assert.equal(d.status, 201, JSON.stringify(d.body));
        assert.equal((await w.api.get(`/advisories/${d.body.advisory.id}`, w.reader('vendor-member').caller)).status, 404);
        assert.equal((await w.api.get(`/cases/${c.id}`, w.reader('vendor-member').caller)).body.advisory, null);
      },
    },
  },
  {
    method: 'GET', url: '/api/v1/organisations/:id/products', rule: 'signed in; the declared products of an organisation you may see; hidden reads as absent',
    async check(w) {
      await caseTargets(w);
      await probeOrganisations(w, (r, o) => w.api.get(`/organisations/${o}/products`, r.caller), () => true, 200, 'products of');
    },
  },
  {
    method: 'POST', url: '/api/v1/organisations/:id/products', rule: 'the organisation\'s administrators (admin scope; a declared product: 409); other readers 403; hidden reads as absent',
    async check(w) {
      await caseTargets(w);
      await probeOrganisations(w, (r, o) => w.api.post(`/organisations/${o}/products`, r.caller, { purlPrefix: DECLARED }), (r, o) => r.adminOf.includes(o), 409, 'declares for');
    },
  },
  {
    method: 'DELETE', url: '/api/v1/organisations/:id/products/:productId', rule: 'the organisation\'s administrators (an absent declaration: 404); other readers 403; hidden reads as absent',
    async check(w) {
      await caseTargets(w);
      await probeOrganisations(w, (r, o) => w.api.delete(`/organisations/${o}/products/${ABSENT_ID}`, r.caller), (r, o) => r.adminOf.includes(o), 404, 'withdraws for');
    },
  },
);
