/**
 * The reverse query must give exactly what the forward scan gives: for every stored component, AdvisoryIndex.match
 * on the component (as the scanner does), kept where the reader may read the inventory (`canRead`, the policy's
 * in-memory form). Checked over seeded random advisories and estates on both databases, and over real Go and PyPI
 * advisories from ../shared/data when present.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/domain/clock.ts';
import { AdvisoryIndex } from '../../src/domain/matching/advisory-index.ts';
import { canRead, readerFacts, type Membership, type OrganisationKind, type Principal, type Tlp } from '../../src/domain/policy/access-label.ts';
import { componentFromPurl } from '../../src/domain/purl/purl-ecosystem.ts';
import { loadAdvisories } from '../../src/formats/advisory-source.ts';
import { parseOsvRecord, type OsvRecord } from '../../src/formats/osv.ts';
import type { Inventory } from '../../src/services/inventory.service.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const SHARED = new URL('../../../shared/data/osv/', import.meta.url).pathname;
const REQUIRE_SHARED = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';
const sharedMissing = existsSync(SHARED) ? false : `shared data absent at ${SHARED}`;
if (sharedMissing && REQUIRE_SHARED) throw new Error(`${sharedMissing}; CLEARINGHOUSE_REQUIRE_SHARED=1 demands it`);
if (sharedMissing) console.warn(`\n!!! real-advisory reverse-match suites SKIPPED: ${sharedMissing}\n`);


const NOW = '2026-11-26T12:00:00.000Z';

interface Estate {
  organisationId: string;
  label: { tlp: Tlp; embargoUntil?: string | null; restricted?: string | null };
  purls: string[];
}

interface World {
  container: TestContainer;
  inventories: { inv: Inventory; purls: string[] }[];
  readers: [string, Principal][];
}

function member(organisationId: string, kind: OrganisationKind, roles: string[] = ['member']): Principal {
  const m: Membership = { organisationId, kind, roles: new Set(roles) };
  return { userId: `u-${organisationId}`, email: null, siteAdmin: false, via: 'token', tokenId: null, sessionId: null, scopes: new Set(['read']), memberships: new Map([[organisationId, m]]), mustChangePassword: false };
}

function cyclonedx(purls: string[]): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: purls.map((purl, i) => ({ 'bom-ref': `c${i}`, type: 'library', name: `c${i}`, purl })) });
}

/** Three organisations (two operators, one coordinator) and estates with every kind of label. */
async function buildWorld(driver: 'sqlite' | 'postgres', estates: (orgs: { a: string; b: string; gov: string }) => Estate[]): Promise<World> {
  const clock = new ManualClock(NOW);
  const container = await testContainer(driver, { clock });
  const { services } = container;
  const cli = systemPrincipal('cli');
  const a = (await services.organisations.create(cli, { name: 'Operator A', kind: 'infrastructure-operator', sectors: ['energy'] })).id;
  const b = (await services.organisations.create(cli, { name: 'Operator B', kind: 'infrastructure-operator', sectors: ['dams'] })).id;
  const gov = (await services.organisations.create(cli, { name: 'Coordinator', kind: 'government' })).id;
  const inventories: World['inventories'] = [];
  for (const [i, e] of estates({ a, b, gov }).entries()) {
    const inv = await services.inventories.create(systemPrincipal('system'), { name: `estate ${i}`, organisationId: e.organisationId, label: e.label, body: cyclonedx(e.purls), media: 'json' });
    assert.equal(inv.unmatchedCount, 0, JSON.stringify(inv.unmatched));
    inventories.push({ inv, purls: e.purls });
  }
  return {
    container,
    inventories,
    readers: [
      ['system', systemPrincipal('system')],
      ['operator A', member(a, 'infrastructure-operator')],
      ['operator B with need-to-know', member(b, 'infrastructure-operator', ['member', 'ot-team'])],
      ['coordinator', member(gov, 'government')],
    ],
  };
}

const parsedPurls = new Map<string, ReturnType<typeof componentFromPurl>>();
function osvComponent(purl: string) {
  let q = parsedPurls.get(purl);
  if (!q) parsedPurls.set(purl, (q = componentFromPurl(purl)));
  return q;
}

/** The forward answer: every stored component matched on its own, as `clearinghouse scan` does. */
function forward(world: World, record: OsvRecord, reader: Principal): string[] {
  const index = new AdvisoryIndex();
  index.add(record);
  const facts = readerFacts(reader);
  const out: string[] = [];
  for (const { inv, purls } of world.inventories) {
    if (reader.via !== 'system' && !canRead(facts, inv.label, new Date(NOW))) continue;
    const seen = new Set<string>();
    for (const purl of purls) {
      const q = osvComponent(purl);
      const key = `${q.ecosystem}|${q.release}|${q.name}|${q.version}`;
      if (seen.has(key)) continue; // an upload merges duplicates
      seen.add(key);
      const m = index.match(q).matches[0];
      if (m) out.push(`${inv.id} ${q.purl} -> ${m.fixed}`);
    }
  }
  return out.sort();
}

/** Every page, small ones so paging itself is exercised; no row may come twice. */
async function reverse(world: World, record: OsvRecord, reader: Principal, limit = 7): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100_000, 'paging does not end');
    const report = await world.container.services.affected.affectedBy(reader, record, { limit, cursor });
    assert.ok(report.affected.length <= limit);
    out.push(...report.affected.map((x) => `${x.inventoryId} ${x.component.purl} -> ${x.fixed}`));
    if (report.nextCursor === null) break;
    assert.equal(report.affected.length, limit, 'only the last page may be short');
    cursor = report.nextCursor;
  }
  assert.equal(new Set(out).size, out.length, 'a row came twice');
  return out.sort();
}

// ------------------------------------------------------------------------------------------- synthetic estates

interface EcoSpec {
  purl: (name: string, version: string, release: string | null) => string;
  osvEcosystem: (release: string | null) => string;
  packages: { purlName: string; osvNames: string[]; source?: string }[];
  version: (r: () => number) => string;
  releases: (string | null)[];
}

const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const n = (r: () => number, max: number) => Math.floor(r() * max);

const ECOS: Record<string, EcoSpec> = {
  npm: {
    purl: (name, v) => `pkg:npm/${name.replace('@', '%40')}@${encodeURIComponent(v)}`,
    osvEcosystem: () => 'npm',
    packages: [{ purlName: 'lodash', osvNames: ['lodash'] }, { purlName: '@scope/util', osvNames: ['@scope/util'] }, { purlName: 'left-pad', osvNames: ['left-pad'] }],
    version: (r) => `${n(r, 3)}.${n(r, 12)}.${n(r, 12)}${r() < 0.15 ? `-${pick(r, ['alpha', 'beta', 'rc'])}.${n(r, 3)}` : ''}`,
    releases: [null],
  },
  PyPI: {
    purl: (name, v) => `pkg:pypi/${name}@${encodeURIComponent(v)}`,
    osvEcosystem: () => 'PyPI',
    // The advisory may spell a PyPI name any way PEP 503 folds together.
    packages: [{ purlName: 'Flask_Cors', osvNames: ['flask-cors', 'Flask.Cors', 'FLASK_CORS'] }, { purlName: 'requests', osvNames: ['requests'] }],
    version: (r) => `${n(r, 3)}.${n(r, 12)}${r() < 0.5 ? `.${n(r, 4)}` : ''}${r() < 0.15 ? pick(r, ['rc1', 'a2', '.post1', '.dev3']) : ''}`,
    releases: [null],
  },
  Maven: {
    purl: (name, v) => `pkg:maven/${name.replace(':', '/')}@${encodeURIComponent(v)}`,
    osvEcosystem: () => 'Maven',
    packages: [{ purlName: 'org.apache.logging.log4j:log4j-core', osvNames: ['org.apache.logging.log4j:log4j-core'] }, { purlName: 'com.example:lib', osvNames: ['com.example:lib'] }],
    version: (r) => `${n(r, 3)}.${n(r, 12)}${r() < 0.6 ? `.${n(r, 5)}` : ''}${r() < 0.2 ? pick(r, ['-beta1', '-RC2', '.Final', '-SNAPSHOT']) : ''}`,
    releases: [null],
  },
  Debian: {
    purl: (name, v, release) => {
      const [bin, src] = name.split('|');
      const q = [release ? `distro=debian-${release}` : null, src && src !== bin ? `source=${src}` : null].filter(Boolean).join('&');
      return `pkg:deb/debian/${bin}@${encodeURIComponent(v)}${q ? `?${q}` : ''}`;
    },
    osvEcosystem: (release) => (release ? `Debian:${release}` : 'Debian'),
    // Advisories name the source package, sometimes the binary one.
    packages: [
      { purlName: 'libssl3|openssl', osvNames: ['openssl', 'libssl3'] },
      { purlName: 'zlib1g|zlib', osvNames: ['zlib'] },
      { purlName: 'openssl|openssl', osvNames: ['openssl'] },
    ],
    version: (r) => `${r() < 0.2 ? `${1 + n(r, 2)}:` : ''}${n(r, 3)}.${n(r, 12)}-${1 + n(r, 3)}${r() < 0.3 ? `~deb12u${1 + n(r, 3)}` : r() < 0.2 ? `+deb11u${1 + n(r, 2)}` : ''}`,
    releases: [null, '11', '12'],
  },
  Go: {
    purl: (name, v) => `pkg:golang/${name}@${encodeURIComponent(v)}`,
    osvEcosystem: () => 'Go',
    packages: [{ purlName: 'github.com/example/mod', osvNames: ['github.com/example/mod'] }],
    version: (r) => `v${n(r, 3)}.${n(r, 12)}.${n(r, 12)}`,
    releases: [null],
  },
};

function randomPurls(r: () => number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const eco = ECOS[pick(r, Object.keys(ECOS))]!;
    const p = pick(r, eco.packages);
    out.push(eco.purl(p.purlName, eco.version(r), pick(r, eco.releases)));
  }
  return out;
}

function randomAdvisory(r: () => number, i: number): OsvRecord {
  const affected = [];
  for (let k = 0; k < 1 + n(r, 2); k++) {
    const ecoName = pick(r, Object.keys(ECOS));
    const eco = ECOS[ecoName]!;
    const p = pick(r, eco.packages);
    const ranges = [];
    for (let j = 0; j < 1 + n(r, 2); j++) {
      const vs = [eco.version(r), eco.version(r), eco.version(r)];
      const events: Record<string, string>[] = [{ introduced: r() < 0.4 ? '0' : vs[0]! }];
      if (r() < 0.7) events.push({ fixed: vs[1]! });
      else if (r() < 0.5) events.push({ last_affected: vs[1]! });
      if (r() < 0.2) events.push({ introduced: vs[2]! });
      ranges.push({ type: ecoName === 'npm' || ecoName === 'Go' ? 'SEMVER' : 'ECOSYSTEM', events });
    }
    const versions = r() < 0.3 ? [eco.version(r), eco.version(r)] : [];
    affected.push({ package: { ecosystem: eco.osvEcosystem(pick(r, eco.releases)), name: pick(r, p.osvNames) }, ranges, versions });
  }
  return parseOsvRecord({ id: `SYN-${i}`, modified: NOW, affected, ...(r() < 0.1 ? { withdrawn: NOW } : {}) }).record;
}

describeEachDriver('reverse query equals the forward scan (seeded random estates and advisories)', (driver) => {
  let world: World;
  const r = seededRandom(20261126);
  const WIDE = 1_200;

  before(async () => {
    world = await buildWorld(driver, ({ a, b, gov }) => [
      { organisationId: a, label: { tlp: 'AMBER' }, purls: randomPurls(r, 150) },
      { organisationId: a, label: { tlp: 'RED' }, purls: randomPurls(r, 150) },
      { organisationId: b, label: { tlp: 'GREEN' }, purls: randomPurls(r, 150) },
      { organisationId: b, label: { tlp: 'AMBER', embargoUntil: '2027-06-01T00:00:00.000Z' }, purls: randomPurls(r, 150) },
      { organisationId: b, label: { tlp: 'GREEN', restricted: 'ot-team' }, purls: randomPurls(r, 150) },
      { organisationId: gov, label: { tlp: 'CLEAR' }, purls: randomPurls(r, 60) },
      // More distinct affected versions of one package than one IN list takes.
      { organisationId: b, label: { tlp: 'GREEN' }, purls: Array.from({ length: WIDE }, (_, i) => `pkg:npm/wide@1.${Math.floor(i / 100)}.${i % 100}`) },
    ]);
  });
  after(() => world.container.destroy());

  it('for every reader, on 150 random advisories', async () => {
    let nonEmpty = 0;
    for (let i = 0; i < 150; i++) {
      const record = randomAdvisory(r, i);
      for (const [who, reader] of world.readers) {
        const want = forward(world, record, reader);
        if (want.length > 0) nonEmpty++;
        assert.deepEqual(await reverse(world, record, reader), want, `${record.id} for ${who}: ${JSON.stringify(record.affected)}`);
      }
    }
    // The comparison means something only if many advisories do hit.
    assert.ok(nonEmpty > 150, `only ${nonEmpty} non-empty answers`);
  });

  it('an advisory naming both a binary package and its source: the lowest fix that clears both, as the scan gives', async () => {
    const record = parseOsvRecord({
      id: 'BOTH-NAMES',
      modified: NOW,
      affected: [
        { package: { ecosystem: 'Debian', name: 'libssl3' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.0-1' }] }] },
        { package: { ecosystem: 'Debian', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.0-1' }] }] },
      ],
    }).record;
    for (const [who, reader] of world.readers) {
      const want = forward(world, record, reader);
      assert.ok(want.some((w) => w.includes('pkg:deb/debian/libssl3') && w.endsWith('-> 9.0-1')), `${who}: the case is exercised`);
      assert.deepEqual(await reverse(world, record, reader), want, who);
    }
  });

  it('an advisory hitting more distinct versions than one query list holds', async () => {
    const record = parseOsvRecord({ id: 'WIDE', modified: NOW, affected: [{ package: { ecosystem: 'npm', name: 'wide' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.11.50' }] }] }] }).record;
    const got = await reverse(world, record, world.readers[0]![1]);
    assert.equal(got.length, 1_150);
    assert.deepEqual(got, forward(world, record, world.readers[0]![1]));
  });
});

// ------------------------------------------------------------------------------------------- real advisories

describe('reverse query equals the forward scan on real Go and PyPI advisories', { skip: sharedMissing }, () => {
  const records: OsvRecord[] = [];
  before(async () => {
    for (const zip of ['Go.zip', 'PyPI.zip']) {
      const all: OsvRecord[] = [];
      await loadAdvisories(SHARED + zip, (rec) => all.push(rec));
      // A fixed, spread-out sample keeps the suite fast.
      const step = Math.max(1, Math.floor(all.length / 60));
      for (let i = 0; i < all.length && records.length < (zip === 'Go.zip' ? 60 : 120); i += step) records.push(all[i]!);
    }
  });

  describeEachDriver('real advisories', (driver) => {
    {
      let world: World;
      before(async () => {
        // Each estate holds the sampled packages at versions taken from the advisories' own events and lists (the
        // boundaries, where mistakes live), spread over estates with different labels.
        const r = seededRandom(7);
        const purls: string[][] = [[], [], [], []];
        for (const rec of records) {
          for (const a of rec.affected) {
            if (!a.package) continue;
            const versions = new Set<string>(a.versions.slice(0, 3));
            for (const range of a.ranges) for (const e of range.events) for (const v of Object.values(e)) if (v !== '0') versions.add(v);
            for (const v of versions) {
              const eco = a.package.ecosystem;
              const purl = eco === 'Go' ? `pkg:golang/${a.package.name}@v${encodeURIComponent(v.replace(/^v/, ''))}` : eco === 'PyPI' ? `pkg:pypi/${encodeURIComponent(a.package.name)}@${encodeURIComponent(v)}` : null;
              if (purl) purls[n(r, 4)]!.push(purl);
            }
          }
        }
        world = await buildWorld(driver, ({ a, b }) => [
          { organisationId: a, label: { tlp: 'AMBER' }, purls: purls[0]! },
          { organisationId: a, label: { tlp: 'RED' }, purls: purls[1]! },
          { organisationId: b, label: { tlp: 'GREEN' }, purls: purls[2]! },
          { organisationId: b, label: { tlp: 'AMBER+STRICT' }, purls: purls[3]! },
        ]);
      });
      after(() => world.container.destroy());

      it('for every reader', async () => {
        let hits = 0;
        for (const record of records) {
          for (const [who, reader] of world.readers) {
            const want = forward(world, record, reader);
            hits += want.length;
            assert.deepEqual(await reverse(world, record, reader), want, `${record.id} for ${who}`);
          }
        }
        assert.ok(hits > 200, `only ${hits} hits: the sample does not exercise matching`);
      });
    }
  });
});
