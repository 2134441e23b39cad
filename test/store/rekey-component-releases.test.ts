/**
 * Components stored before the release mapping changed (issue 7) kept the old keys, which the reverse query would
 * silently miss. The re-keying migration recomputes them from the stored purl; rows are inserted here the way the
 * old code stored them, through raw SQL, on both databases.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { systemPrincipal } from '../../src/services/principal.ts';
import { rekeyComponents } from '../../src/store/migrations/20261202T1300-rekey-component-releases.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

/** [purl, ecosystem, release, name, version] as the code before the change stored them, and the keys wanted now. */
const ROWS: { purl: string; old: [string, string | null, string, string]; want: [string, string | null, string, string] }[] = [
  { purl: 'pkg:rpm/suse/openssl@3.0.8-1?distro=sles-15.5', old: ['SUSE', 'sles-15.5', 'openssl', '3.0.8-1'], want: ['SUSE', '15.5', 'openssl', '3.0.8-1'] },
  { purl: 'pkg:rpm/opensuse/openssl@3.0.8-1?distro=opensuse-leap-15.5', old: ['openSUSE', 'opensuse-leap-15.5', 'openssl', '3.0.8-1'], want: ['openSUSE', 'leap-15.5', 'openssl', '3.0.8-1'] },
  { purl: 'pkg:rpm/azurelinux/openssl@3.3.2-1.azl3?distro=azurelinux-3.0', old: ['Azure Linux', 'azurelinux-3.0', 'openssl', '3.3.2-1.azl3'], want: ['Azure Linux', '3', 'openssl', '3.3.2-1.azl3'] },
  { purl: 'pkg:rpm/mariner/openssl@1.1.1k-1.cm2?distro=mariner-2.0', old: ['Azure Linux', 'mariner-2.0', 'openssl', '1.1.1k-1.cm2'], want: ['Azure Linux', '2', 'openssl', '1.1.1k-1.cm2'] },
  // Undecidable: the old code kept the raw qualifier, which no advisory names; null is matched against every release.
  { purl: 'pkg:rpm/redhat/zlib@1.2.11-40.el9?distro=rhel-banana', old: ['Red Hat', 'rhel-banana', 'zlib', '1.2.11-40.el9'], want: ['Red Hat', null, 'zlib', '1.2.11-40.el9'] },
  // Already right: left alone.
  { purl: 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=bookworm', old: ['Debian', '12', 'openssl', '3.0.11-1~deb12u1'], want: ['Debian', '12', 'openssl', '3.0.11-1~deb12u1'] },
  // No releases in npm: a stray release from the qualifier goes.
  { purl: 'pkg:npm/lodash@4.17.20?distro=whatever', old: ['npm', 'whatever', 'lodash', '4.17.20'], want: ['npm', null, 'lodash', '4.17.20'] },
  // Go's own packages: the version is the SemVer the Go vulnerability database uses.
  { purl: 'pkg:golang/stdlib@go1.21.0', old: ['Go', null, 'stdlib', 'go1.21.0'], want: ['Go', null, 'stdlib', '1.21.0'] },
  // A purl the mapping refuses keeps its row as it was (no version here).
  { purl: 'pkg:rpm/suse/broken?distro=sles-15.5', old: ['SUSE', 'sles-15.5', 'broken', '1'], want: ['SUSE', 'sles-15.5', 'broken', '1'] },
];

describeEachDriver('re-keying stored component releases', (driver) => {
  let c: TestContainer;
  let seq = 0;

  before(async () => {
    c = await testContainer(driver);
    const org = await c.services.organisations.create(systemPrincipal('cli'), { name: 'Rekey Operator', kind: 'vendor' });
    const now = new Date().toISOString();
    await sql`insert into inventories (id, name, format, component_count, unmatched_count, unmatched, sbom_sha256, owner_org_id, tlp, version, created_at, updated_at)
      values (${randomUUID()}, 'old host', 'cyclonedx-json', ${ROWS.length}, 0, '[]', ${'0'.repeat(64)}, ${org.id}, 'AMBER', 1, ${now}, ${now})`.execute(c.deps.db);
    seq = Number((await c.deps.db.selectFrom('inventories').select('seq').executeTakeFirstOrThrow()).seq);
    for (const r of ROWS) {
      const [ecosystem, release, name, version] = r.old;
      await sql`insert into components (inventory_seq, ecosystem, release, name, source_name, version, purl, bom_ref)
        values (${seq}, ${ecosystem}, ${release}, ${name}, ${null}, ${version}, ${r.purl}, ${null})`.execute(c.deps.db);
    }
  });
  after(() => c.destroy());

  async function stored() {
    const rows = await c.deps.db.selectFrom('components').select(['purl', 'ecosystem', 'release', 'name', 'version']).where('inventory_seq', '=', seq).orderBy('id').execute();
    return rows.map((r) => ({ purl: r.purl, keys: [r.ecosystem, r.release, r.name, r.version] }));
  }

  it('recomputes release, name and version from the stored purl, in batches, and leaves right and unreadable rows alone', async () => {
    // A batch of two walks the keyset over several batches.
    const report = await rekeyComponents(c.deps.db, 2);
    assert.deepEqual(await stored(), ROWS.map((r) => ({ purl: r.purl, keys: r.want })));
    assert.equal(report.changed, 7);
    assert.equal(report.kept, 1, 'the refused purl');
    // Idempotent: a second run (an interrupted SQLite migration runs again) changes nothing.
    assert.equal((await rekeyComponents(c.deps.db)).changed, 0);
  });

  it('the reverse query now finds a component stored under the old SUSE key', async () => {
    const advisory = {
      id: 'TEST-SUSE-OPENSSL', modified: '2026-11-20T00:00:00Z',
      affected: [{ package: { ecosystem: 'SUSE:Linux Enterprise Server 15 SP5', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.8-2' }] }] }],
    };
    const report = await c.services.affected.affectedBy(systemPrincipal('system'), advisory);
    assert.deepEqual(report.affected.map((a) => a.component.purl), ['pkg:rpm/suse/openssl@3.0.8-1?distro=sles-15.5']);
  });
});
