import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { RENDER_VERSION, renderMessage } from '../../src/domain/case-threads/markdown.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { TLP_LEVELS, type Membership, type OrganisationKind, type Principal } from '../../src/domain/policy/access-label.ts';
import { seesThread, THREADS, threadScope, type ThreadName } from '../../src/domain/policy/case-thread.policy.ts';
import type { CaseRecord, ParticipantRole } from '../../src/domain/policy/case.policy.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { benchMessageRow, insertCaseMessages, listMessages, threadStats, unreadThreadCounts, type NewMessageRow } from '../../src/store/case-thread.repository.ts';
import { describeEachDriver } from '../helpers/db.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const NOW = '2026-12-04T12:00:00.000Z';
const ROLE = 'case-reviewer';
const EMBARGO = { none: null, running: '2027-03-01T00:00:00.000Z', lapsed: '2026-06-01T00:00:00.000Z' } as const;

/**
 * The threads' read rule exists twice: `seesThread` (src/domain/policy/case-thread.policy.ts) for a case in hand and
 * `threadVisible` (src/store/case-thread.repository.ts) in the SQL of every list and count. Over cases at every label,
 * with and without the coordinators taking part, and readers in every position, both must agree on both threads.
 */
describeEachDriver('case threads: the read rule in code and in SQL agree', (driver) => {
  let server: TestServer;
  const org = { vendor: '', gov: '', gov2: '', reporter: '', stranger: '' };
  const cases: { seq: number; record: CaseRecord }[] = [];
  const readers: Record<string, Principal> = {};

  function person(userId: string, memberships: [string, OrganisationKind, string[]][]): Principal {
    return {
      userId, email: `${userId}@rule.example`, siteAdmin: false, via: 'session', tokenId: null, sessionId: null, scopes: new Set(['read', 'write']), mustChangePassword: false,
      memberships: new Map<string, Membership>(memberships.map(([id, kind, roles]) => [id, { organisationId: id, kind, roles: new Set(roles) }])),
    };
  }

  before(async () => {
    server = await startTestServer({ driver, listen: false, clock: new ManualClock(NOW) });
    const sys = systemPrincipal('system');
    const { services } = server.container;
    for (const [key, kind] of [['vendor', 'vendor'], ['gov', 'government'], ['gov2', 'government'], ['reporter', 'researcher'], ['stranger', 'vendor']] as const) {
      org[key] = (await services.organisations.create(sys, { name: `Rule ${key}`, kind })).id;
    }
    const db = server.container.deps.db;
    const rows: NewMessageRow[] = [];
    const participantSets: [string, ParticipantRole][][] = [
      [[org.vendor, 'vendor']],
      [[org.vendor, 'vendor'], [org.reporter, 'reporter']],
      [[org.vendor, 'vendor'], [org.gov, 'coordinator']],
    ];
    for (const owner of [org.vendor, org.gov])
      for (const tlp of TLP_LEVELS)
        for (const embargo of Object.keys(EMBARGO) as (keyof typeof EMBARGO)[])
          for (const restricted of [null, ROLE])
            for (const parts of participantSets) {
              const participants = new Map<string, ParticipantRole>(parts);
              participants.set(owner, participants.get(owner) ?? (owner === org.gov ? 'coordinator' : 'vendor'));
              const id = randomUUID();
              const r = await db
                .insertInto('cases')
                .values({ id, owner_org_id: owner, tlp, embargo_until: EMBARGO[embargo], restricted_role: restricted, title: 'rule', summary: '', state: 'open', public_date: '2027-03-01T00:00:00.000Z', actively_exploited: 0, advisory_id: null, opened_by: null, closed_at: null, version: 1, created_at: NOW, updated_at: NOW })
                .returning('seq')
                .executeTakeFirstOrThrow();
              const seq = Number(r.seq);
              for (const [o, role] of participants) await db.insertInto('case_participants').values({ case_seq: seq, organisation_id: o, role, added_by: null, added_at: NOW }).execute();
              cases.push({ seq, record: { label: { owner, tlp, embargoUntil: EMBARGO[embargo], restricted, sharedWith: [...participants.keys()].sort() }, participants } });
              for (const thread of THREADS) {
                rows.push(benchMessageRow(seq, thread, { userId: null, name: 'x', organisationId: owner, organisationName: 'x', role: null }, `${thread} message`, renderMessage(`${thread} message`), RENDER_VERSION, NOW));
              }
            }
    await db.transaction().execute((tx) => insertCaseMessages(tx, rows));
    Object.assign(readers, {
      vendor: person('vendor', [[org.vendor, 'vendor', ['member']]]),
      vendorReviewer: person('vendor-reviewer', [[org.vendor, 'vendor', ['member', ROLE]]]),
      reporter: person('reporter', [[org.reporter, 'researcher', ['member']]]),
      gov: person('gov', [[org.gov, 'government', ['member']]]),
      govReviewer: person('gov-reviewer', [[org.gov, 'government', ['member', ROLE]]]),
      gov2: person('gov2', [[org.gov2, 'government', ['member']]]),
      vendorAndGov2: person('vendor-and-gov2', [[org.vendor, 'vendor', ['member']], [org.gov2, 'government', ['member', ROLE]]]),
      stranger: person('stranger', [[org.stranger, 'vendor', ['member', ROLE]]]),
    });
  });
  after(() => server?.close());

  it('lists, totals and unread counts hold exactly the threads seesThread allows, for every reader', async () => {
    const db = server.container.deps.db;
    const now = new Date(NOW);
    let visibleInternal = 0;
    let hiddenInternalOfReadable = 0;
    for (const [name, reader] of Object.entries(readers)) {
      const scope = threadScope(reader, now);
      const stats = await threadStats(db, scope, reader.userId, cases.map((c) => c.seq));
      const unread = await unreadThreadCounts(db, scope, reader.userId!, cases.map((c) => c.seq));
      for (const c of cases) {
        for (const thread of THREADS as readonly ThreadName[]) {
          const want = seesThread(reader, { case: c.record, thread }, now);
          const what = `${name} ${thread} of ${c.record.label.owner === org.gov ? 'gov' : 'vendor'} ${c.record.label.tlp} ${c.record.label.embargoUntil ?? 'no embargo'} ${c.record.label.restricted ?? 'open'} [${[...c.record.participants.values()].join(',')}]`;
          assert.equal(stats.get(c.seq)?.has(thread) ?? false, want, `${what}: counted`);
          assert.equal((unread.get(c.seq)?.[thread] ?? 0) > 0, want, `${what}: unread`);
          const listed = await listMessages(db, scope, c.seq, thread, 'newest', null, 5);
          assert.equal(listed.length, want ? 1 : 0, `${what}: listed`);
          if (thread === 'internal' && want) visibleInternal++;
          if (thread === 'internal' && !want && seesThread(reader, { case: c.record, thread: 'participants' }, now)) hiddenInternalOfReadable++;
        }
      }
    }
    // The table is not vacuous: internal threads are seen, and hidden from some who read the case.
    assert.ok(visibleInternal > 50, `${visibleInternal} internal threads visible`);
    assert.ok(hiddenInternalOfReadable > 50, `${hiddenInternalOfReadable} internal threads hidden from readers of their case`);
  });
});
