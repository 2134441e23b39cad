import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { canRead, TLP_LEVELS, type AccessLabel, type ReaderFacts, type Tlp } from '../../src/domain/policy/access-label.ts';
import { listAuditEntries } from '../../src/store/audit.repository.ts';
import { visibleTo } from '../../src/store/visibility.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

/**
 * The access policy, stated here independently of the code as the product's rule table, then checked against both
 * the in-memory rule (canRead) and the SQL filter (visibleTo) on every combination of TLP x embargo x restriction
 * x reader. A mismatch is either a leak or a user locked out of what they may see.
 */
const NOW = '2026-11-26T12:00:00.000Z';
const OWNER = '11111111-1111-4111-8111-111111111111';
const ROLE = 'designation-reviewer';

type ReaderName = 'public' | 'community' | 'community+role' | 'coordinator' | 'coordinator+role' | 'owner' | 'owner+role';
const READERS: Record<ReaderName, ReaderFacts> = {
  public: { authenticated: false, organisationIds: [], coordinator: false, roles: [] },
  community: { authenticated: true, organisationIds: ['22222222-2222-4222-8222-222222222222'], coordinator: false, roles: ['member'] },
  'community+role': { authenticated: true, organisationIds: ['22222222-2222-4222-8222-222222222222'], coordinator: false, roles: ['member', ROLE] },
  coordinator: { authenticated: true, organisationIds: ['33333333-3333-4333-8333-333333333333'], coordinator: true, roles: ['member'] },
  'coordinator+role': { authenticated: true, organisationIds: ['33333333-3333-4333-8333-333333333333'], coordinator: true, roles: ['member', ROLE] },
  owner: { authenticated: true, organisationIds: [OWNER], coordinator: false, roles: ['member'] },
  'owner+role': { authenticated: true, organisationIds: [OWNER], coordinator: false, roles: ['admin', ROLE] },
};

// Who reads each TLP when nothing else applies.
const TLP_AUDIENCE: Record<Tlp, ReaderName[]> = {
  CLEAR: ['public', 'community', 'community+role', 'coordinator', 'coordinator+role', 'owner', 'owner+role'],
  GREEN: ['community', 'community+role', 'coordinator', 'coordinator+role', 'owner', 'owner+role'],
  AMBER: ['coordinator', 'coordinator+role', 'owner', 'owner+role'],
  'AMBER+STRICT': ['coordinator', 'coordinator+role', 'owner', 'owner+role'],
  RED: ['owner', 'owner+role'],
};
const EMBARGO_AUDIENCE: ReaderName[] = ['coordinator', 'coordinator+role', 'owner', 'owner+role'];
const ROLE_HOLDERS: ReaderName[] = ['community+role', 'coordinator+role', 'owner+role'];

const EMBARGOES = { none: null, running: '2026-12-01T00:00:00.000Z', lapsed: '2026-11-01T00:00:00.000Z' } as const;

function expected(reader: ReaderName, tlp: Tlp, embargo: keyof typeof EMBARGOES, restricted: boolean): boolean {
  return TLP_AUDIENCE[tlp].includes(reader) && (embargo !== 'running' || EMBARGO_AUDIENCE.includes(reader)) && (!restricted || ROLE_HOLDERS.includes(reader));
}

const LABELS: { name: string; label: AccessLabel; tlp: Tlp; embargo: keyof typeof EMBARGOES; restricted: boolean }[] = [];
for (const tlp of TLP_LEVELS) {
  for (const embargo of Object.keys(EMBARGOES) as (keyof typeof EMBARGOES)[]) {
    for (const restricted of [false, true]) {
      LABELS.push({
        name: `${tlp}/${embargo}/${restricted ? 'restricted' : 'open'}`,
        label: { owner: OWNER, tlp, embargoUntil: EMBARGOES[embargo], restricted: restricted ? ROLE : null },
        tlp,
        embargo,
        restricted,
      });
    }
  }
}

it('canRead follows the rule table for every label and reader', () => {
  for (const [reader, facts] of Object.entries(READERS) as [ReaderName, ReaderFacts][]) {
    for (const l of LABELS) {
      assert.equal(canRead(facts, l.label, new Date(NOW)), expected(reader, l.tlp, l.embargo, l.restricted), `${reader} reading ${l.name}`);
    }
  }
});

describeEachDriver('visibility filter in SQL', (driver) => {
  let c: TestContainer;
  before(async () => {
    c = await testContainer(driver);
    await c.handle.db
      .insertInto('organisations')
      .values(
        LABELS.map((l, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          name: l.name,
          kind: 'vendor',
          sectors: '[]',
          owner_org_id: l.label.owner,
          tlp: l.label.tlp,
          embargo_until: l.label.embargoUntil,
          restricted_role: l.label.restricted,
          version: 1,
          created_at: NOW,
          updated_at: NOW,
        })),
      )
      .execute();
  });
  after(() => c.destroy());

  it('returns exactly the rows the rule table allows, for every reader', async () => {
    for (const [reader, facts] of Object.entries(READERS) as [ReaderName, ReaderFacts][]) {
      const rows = await c.handle.db.selectFrom('organisations').select('name').where(visibleTo(facts, NOW, 'organisations')).orderBy('name').execute();
      const want = LABELS.filter((l) => expected(reader, l.tlp, l.embargo, l.restricted)).map((l) => l.name).sort();
      assert.deepEqual(rows.map((r) => r.name).sort(), want, reader);
      const count = await c.handle.db.selectFrom('organisations').select((eb) => eb.fn.countAll().as('n')).where(visibleTo(facts, NOW, 'organisations')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), want.length, `${reader}: counts see only visible rows`);
    }
  });
});

describeEachDriver('audit entries follow the label of their record, in SQL', (driver) => {
  let c: TestContainer;
  before(async () => {
    c = await testContainer(driver);
    const entry = (recordId: string, l: AccessLabel | null) => ({
      at: NOW,
      actor_user_id: null,
      actor_email: null,
      organisation_id: OWNER,
      via: 'system',
      token_id: null,
      session_id: null,
      action: 'inventory.update',
      record_type: 'inventory',
      record_id: recordId,
      before_digest: null,
      after_digest: null,
      prev_hash: '0'.repeat(64),
      hash: '0'.repeat(64),
      label_owner: l?.owner ?? null,
      label_tlp: l?.tlp ?? null,
      label_embargo_until: l?.embargoUntil ?? null,
      label_restricted: l?.restricted ?? null,
    });
    await c.handle.db.insertInto('audit_log').values([...LABELS.map((l) => entry(l.name, l.label)), entry('unlabelled', null)]).execute();
  });
  after(() => c.destroy());

  it('an administrator of the filing organisation sees unlabelled entries and exactly the labelled ones the rule table allows', async () => {
    for (const [reader, facts] of Object.entries(READERS) as [ReaderName, ReaderFacts][]) {
      const rows = await listAuditEntries(c.handle.db, { everyOrganisation: false, organisationIds: [OWNER], facts, now: NOW }, {}, null, 200);
      const want = [...LABELS.filter((l) => expected(reader, l.tlp, l.embargo, l.restricted)).map((l) => l.name), 'unlabelled'].sort();
      assert.deepEqual(rows.map((r) => r.record_id).sort(), want, reader);
    }
    // A site administrator outside the owning organisation: every organisation's entries, but labels still apply.
    const site = await listAuditEntries(c.handle.db, { everyOrganisation: true, organisationIds: [], facts: READERS.community, now: NOW }, {}, null, 200);
    const siteWant = [...LABELS.filter((l) => expected('community', l.tlp, l.embargo, l.restricted)).map((l) => l.name), 'unlabelled'].sort();
    assert.deepEqual(site.map((r) => r.record_id).sort(), siteWant, 'the site administrator sees unlabelled entries and the labelled ones their label allows');
    const elsewhere = await listAuditEntries(c.handle.db, { everyOrganisation: false, organisationIds: ['44444444-4444-4444-8444-444444444444'], facts: READERS['owner+role'], now: NOW }, {}, null, 200);
    assert.deepEqual(elsewhere, [], "nothing filed under another organisation");
  });
});

/**
 * Sharing (issue 8): a record's label may name organisations it is shared with; their members read it as the owner's
 * do (TLP, embargo), need-to-know still applies. `canRead` and the SQL filter over the share table must agree.
 */
const SHARE_TARGET = '22222222-2222-4222-8222-222222222222';
const SHARED_READERS: ReaderName[] = ['community', 'community+role'];
const sharedLabels = LABELS.map((l) => ({ ...l, name: `${l.name}/shared`, label: { ...l.label, sharedWith: [SHARE_TARGET] } }));
function expectedShared(reader: ReaderName, l: (typeof LABELS)[number], shared: boolean): boolean {
  const asOwner: ReaderName = reader === 'community+role' ? 'owner+role' : 'owner';
  return shared && SHARED_READERS.includes(reader) ? expected(asOwner, l.tlp, l.embargo, l.restricted) : expected(reader, l.tlp, l.embargo, l.restricted);
}

it('canRead lets the organisations a record is shared with read it as the owner does, and nobody else', () => {
  for (const [reader, facts] of Object.entries(READERS) as [ReaderName, ReaderFacts][]) {
    for (const l of LABELS) assert.equal(canRead(facts, { ...l.label, sharedWith: [SHARE_TARGET] }, new Date(NOW)), expectedShared(reader, l, true), `${reader} reading ${l.name} shared`);
  }
});

describeEachDriver('visibility filter in SQL with shares', (driver) => {
  let c: TestContainer;
  before(async () => {
    c = await testContainer(driver);
    const org = (id: string, name: string) => ({ id, name, kind: 'vendor', sectors: '[]', owner_org_id: id, tlp: 'CLEAR', embargo_until: null, restricted_role: null, version: 1, created_at: NOW, updated_at: NOW });
    await c.handle.db.insertInto('organisations').values([org(OWNER, 'owner'), org(SHARE_TARGET, 'share target')]).execute();
    for (const [i, l] of [...LABELS, ...sharedLabels].entries()) {
      const { seq } = await c.handle.db
        .insertInto('advisories')
        .values({
          id: `ADV-${i}`, owner_org_id: OWNER, tlp: l.label.tlp, embargo_until: l.label.embargoUntil, restricted_role: l.label.restricted, state: 'published',
          source: 'authored', revision: 1, version: 1, record: '{}', modified: NOW, summary: l.name, search: '', rating: null, published_at: NOW, withdrawn_at: null,
          created_at: NOW, updated_at: NOW,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      if ('sharedWith' in l.label) await c.handle.db.insertInto('advisory_shares').values({ advisory_seq: Number(seq), organisation_id: SHARE_TARGET }).execute();
    }
  });
  after(() => c.destroy());

  it('returns exactly the rows canRead allows, shared or not, for every reader', async () => {
    const shares = { table: 'advisory_shares', recordColumn: 'advisory_seq', keyColumn: 'seq' };
    for (const [reader, facts] of Object.entries(READERS) as [ReaderName, ReaderFacts][]) {
      const rows = await c.handle.db.selectFrom('advisories').select('summary').where(visibleTo(facts, NOW, 'advisories', undefined, shares)).execute();
      const want = [...LABELS.filter((l) => expectedShared(reader, l, false)).map((l) => l.name), ...LABELS.filter((l) => expectedShared(reader, l, true)).map((l) => `${l.name}/shared`)].sort();
      assert.deepEqual(rows.map((r) => r.summary).sort(), want, reader);
    }
  });
});
