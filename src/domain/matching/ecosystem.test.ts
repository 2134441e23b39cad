/**
 * Distribution releases: every ecosystem OSV lists, and every ecosystem string in the shared advisories and samples,
 * maps to the release key a purl `distro` qualifier names, or is known to carry no release.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOsvRecord } from '../../formats/osv.ts';
import { loadAdvisories } from '../../formats/advisory-source.ts';
import { componentFromPurl } from '../purl/purl-ecosystem.ts';
import { AdvisoryIndex } from './advisory-index.ts';
import { hasReleases, parseEcosystem } from './ecosystem.ts';
import { scanComponents } from './scan.ts';

// The ecosystem names of ossf/osv-schema (source and licence inside the file), so the core suite needs no ../shared.
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/fixtures/osv-ecosystems.json', import.meta.url)), 'utf8')) as { ecosystems: string[] };

/** [OSV ecosystem string, purl a host of that release would carry, release key both must reduce to]. */
const CASES: [string, string, string][] = [
  ['Debian:12', 'pkg:deb/debian/openssl@3.0.11-1?distro=debian-12', '12'],
  ['Debian:12', 'pkg:deb/debian/openssl@3.0.11-1?distro=bookworm', '12'],
  ['Debian:11', 'pkg:deb/debian/openssl@1.1.1w-0?distro=debian-11.8', '11'],
  ['Ubuntu:22.04:LTS', 'pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1?distro=ubuntu-22.04', '22.04'],
  ['Ubuntu:Pro:FIPS:20.04:LTS', 'pkg:deb/ubuntu/openssl@1.1.1f-1?distro=focal', '20.04'],
  ['Ubuntu:ubuntu_pro:22.04::main', 'pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1?distro=jammy', '22.04'],
  ['Alpine:v3.16', 'pkg:apk/alpine/zlib@1.2.12-r3?distro=alpine-3.16.2', '3.16'],
  ['Alpaquita:23', 'pkg:apk/alpaquita/zlib@1.3-r0?distro=alpaquita-23', '23'],
  ['Alpaquita:stream', 'pkg:apk/alpaquita/zlib@1.3-r0?distro=alpaquita-stream', 'stream'],
  ['AlmaLinux:9', 'pkg:rpm/almalinux/openssl@3.0.7-24.el9?distro=almalinux-9.3', '9'],
  ['AlmaLinux:8', 'pkg:rpm/almalinux/openssl@1.1.1k-9.el8?distro=el8', '8'],
  ['Rocky Linux:8', 'pkg:rpm/rocky/openssl@1.1.1k-9.el8?distro=rocky-8.8', '8'],
  ['Red Hat:rhel_e4s:9.2::appstream', 'pkg:rpm/redhat/openssl@3.0.7-24.el9?distro=rhel-9.2', '9'],
  ['Red Hat:enterprise_linux:8::appstream', 'pkg:rpm/redhat/openssl@1.1.1k-9.el8?distro=rhel-8.9', '8'],
  ['Red Hat:rhel_aus:8.4::appstream', 'pkg:rpm/redhat/openssl@1.1.1k-9.el8?distro=redhat-8', '8'],
  ['Red Hat:openshift:4.13::el9', 'pkg:rpm/redhat/runc@1.1.12-1.el9?distro=el9', '9'],
  ['SUSE:Linux Enterprise Server 15 SP5', 'pkg:rpm/suse/openssl@3.0.8-150500.5.8.1?distro=sles-15.5', '15.5'],
  ['SUSE:Linux Enterprise Module for Python 3 15 SP4', 'pkg:rpm/suse/python3@3.6.15-150300.10.51.1?distro=sles-15.4', '15.4'],
  ['SUSE:Linux Enterprise Server 12 SP5-LTSS', 'pkg:rpm/sles/openssl@1.0.2p-3.84.1?distro=sles-12.5', '12.5'],
  ['SUSE:Linux Enterprise Micro 5.5', 'pkg:rpm/suse/openssl@3.0.8-150500.5.8.1?distro=sle-micro-5.5', '5.5'],
  ['openSUSE:Leap 15.5', 'pkg:rpm/opensuse/openssl@3.0.8-150500.5.8.1?distro=opensuse-leap-15.5', 'leap-15.5'],
  ['openSUSE:Leap Micro 5.5', 'pkg:rpm/opensuse/openssl@3.0.8-1?distro=opensuse-leap-micro-5.5', 'leap-micro-5.5'],
  ['openSUSE:Tumbleweed', 'pkg:rpm/opensuse/openssl@3.1.4-1.1?distro=opensuse-tumbleweed-20240101', 'tumbleweed'],
  ['Azure Linux:3', 'pkg:rpm/azurelinux/openssl@3.3.2-1.azl3?distro=azurelinux-3.0', '3'],
  ['Azure Linux:2', 'pkg:rpm/mariner/openssl@1.1.1k-31.cm2?distro=mariner-2.0', '2'],
  ['Photon OS:3.0', 'pkg:rpm/photon/openssl@1.0.2zi-1.ph3?distro=photon-3.0', '3'],
  ['Mageia:9', 'pkg:rpm/mageia/openssl@3.0.13-1.mga9?distro=mageia-9', '9'],
  ['openEuler:22.03-LTS-SP1', 'pkg:rpm/openeuler/openssl@1.1.1m-15.oe2203sp1?distro=openeuler-22.03-LTS-SP1', '22.03-sp1'],
  ['openEuler:20.03-LTS', 'pkg:rpm/openeuler/openssl@1.1.1f-7.oe1?distro=openeuler-20.03', '20.03'],
  ['Amazon Linux:amazon_linux_2023::al2023_appstream', 'pkg:rpm/amazon/openssl@3.0.8-1.amzn2023?distro=amazonlinux-2023', '2023'],
  ['Oracle Linux:ol8_baseos_latest::ol8_baseos_latest', 'pkg:rpm/oracle/openssl@1.1.1k-9.el8?distro=ol-8.9', '8'],
];

/** Released ecosystems no purl type reaches today; their OSV strings must still reduce to a key. */
const OSV_ONLY: [string, string][] = [
  ['BellSoft Hardened Containers:23', '23'],
  ['TuxCare:8', '8'],
  ['Root:Alpine:3.18', 'alpine-3.18'],
  ['Root:Debian:12', 'debian-12'],
  // A shared sample (osv.dev testdata) spells SUSE's CPE-like product stream as the base.
  ['SUSE Linux Enterprise Server:sles:15:sp4::module-containers', '15.4'],
];

describe('distribution releases', () => {
  it('every ecosystem OSV lists either carries no release or maps to the release a purl names', () => {
    assert.ok(fixture.ecosystems.length >= 48, 'the fixture holds the whole list');
    const covered = new Set([...CASES.map((c) => c[0]), ...OSV_ONLY.map((c) => c[0])].map((e) => parseEcosystem(e).base));
    for (const eco of fixture.ecosystems) {
      if (hasReleases(eco)) assert.ok(covered.has(eco), `${eco} has releases but no case here`);
      else {
        assert.equal(parseEcosystem(eco).release, null, eco);
        assert.equal(parseEcosystem(`${eco}:something`).release, null, `${eco}: a suffix that is no release does not narrow`);
      }
    }
  });

  for (const [osv, purl, key] of CASES) {
    it(`${osv} and ${purl} name release ${key}`, () => {
      const e = parseEcosystem(osv);
      assert.equal(e.release, key, osv);
      assert.equal(e.releaseProblem, undefined);
      const c = componentFromPurl(purl);
      assert.equal(c.ecosystem, e.base, purl);
      assert.equal(c.release, key, purl);
      assert.equal(c.releaseProblem, undefined);
    });
  }

  it('OSV-only released ecosystems reduce to a key', () => {
    for (const [osv, key] of OSV_ONLY) assert.equal(parseEcosystem(osv).release, key, osv);
  });

  it('a Red Hat stream is not mistaken for release 4 (rhel_e4s), and SUSE/openSUSE/Azure Linux releases meet', () => {
    const idx = new AdvisoryIndex();
    const rec = (id: string, ecosystem: string, name: string) =>
      parseOsvRecord({ id, modified: 'x', affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99' }] }] }] }).record;
    idx.add(rec('RH-1', 'Red Hat:rhel_e4s:9.2::appstream', 'openssl'));
    idx.add(rec('SU-1', 'SUSE:Linux Enterprise Server 15 SP5', 'openssl'));
    idx.add(rec('OS-1', 'openSUSE:Leap 15.5', 'openssl'));
    idx.add(rec('AZ-1', 'Azure Linux:3', 'openssl'));
    const hit = (purl: string) => idx.match(componentFromPurl(purl)).matches.map((m) => m.advisory.id);
    assert.deepEqual(hit('pkg:rpm/redhat/openssl@3.0.7-24.el9?distro=rhel-9.2'), ['RH-1']);
    assert.deepEqual(hit('pkg:rpm/redhat/openssl@3.0.7-24.el4?distro=rhel-4'), []);
    assert.deepEqual(hit('pkg:rpm/suse/openssl@3.0.8-1?distro=sles-15.5'), ['SU-1']);
    assert.deepEqual(hit('pkg:rpm/suse/openssl@3.0.8-1?distro=sles-15.4'), []);
    assert.deepEqual(hit('pkg:rpm/opensuse/openssl@3.0.8-1?distro=opensuse-leap-15.5'), ['OS-1']);
    assert.deepEqual(hit('pkg:rpm/azurelinux/openssl@3.3.2-1.azl3?distro=azurelinux-3.0'), ['AZ-1']);
  });

  it('a release that cannot be decided is reported in unmatched with its reason, and matched against every release', () => {
    const idx = new AdvisoryIndex();
    idx.add(parseOsvRecord({ id: 'RH-2', modified: 'x', affected: [{ package: { ecosystem: 'Red Hat:enterprise_linux:9::baseos', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3-1.el9' }] }] }] }).record);
    const purl = 'pkg:rpm/redhat/zlib@1.2.11-40.el9?distro=rhel-banana';
    const c = componentFromPurl(purl);
    assert.equal(c.release, null);
    assert.match(c.releaseProblem!, /cannot tell which Red Hat release distro="rhel-banana"/);
    const out = scanComponents(idx, [{ purl, ecosystem: 'Red Hat', name: 'zlib', version: '1.2.11-40.el9' }]);
    assert.deepEqual(out.results.map((r) => r.advisory), ['RH-2']);
    assert.equal(out.unmatched.length, 1);
    assert.match(out.unmatched[0]!.reason, /rhel-banana/);
  });

  it('an OSV ecosystem string whose release cannot be decided is an index problem and applies to every release', () => {
    const idx = new AdvisoryIndex();
    idx.add(parseOsvRecord({ id: 'SU-9', modified: 'x', affected: [{ package: { ecosystem: 'SUSE:Manager Tools', name: 'salt' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] }).record);
    assert.match(idx.problems[0]!.message, /cannot tell which SUSE release "SUSE:Manager Tools"/);
    assert.deepEqual(idx.match(componentFromPurl('pkg:rpm/suse/salt@3006.0-1?distro=sles-15.5')).matches.map((m) => m.advisory.id), ['SU-9']);
  });
});

const data = fileURLToPath(new URL('../../../../shared/data/osv/', import.meta.url));
const present = existsSync(data);
const required = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';
if (!present) console.warn(`SHARED DATA ABSENT at ${data}: the walk over the shared advisories' ecosystem strings does not run${required ? ' and fails (CLEARINGHOUSE_REQUIRE_SHARED=1)' : ''}`);

describe('every ecosystem string of the shared advisories and samples', { skip: present || required ? false : 'shared data absent at ' + data }, () => {
  const seen = new Set<string>();
  before(async () => {
    for (const f of readdirSync(data).filter((f) => f.endsWith('.zip'))) {
      await loadAdvisories(join(data, f), (r) => {
        for (const a of r.affected) if (a.package) seen.add(a.package.ecosystem);
      });
    }
    for (const f of readdirSync(join(data, 'samples')).filter((f) => f.endsWith('.json'))) {
      const r = parseOsvRecord(JSON.parse(readFileSync(join(data, 'samples', f), 'utf8'))).record;
      for (const a of r.affected) if (a.package) seen.add(a.package.ecosystem);
    }
  });

  it('is decided: a release where the distribution has releases, none otherwise', () => {
    assert.ok(seen.size >= 15, `only ${seen.size} strings`);
    const keyed = new Map([...CASES.map(([osv, , key]) => [osv, key] as const), ...OSV_ONLY]);
    for (const eco of seen) {
      const e = parseEcosystem(eco);
      assert.equal(e.releaseProblem, undefined, eco);
      if (hasReleases(e.base) && eco.includes(':')) assert.notEqual(e.release, null, eco);
      if (keyed.has(eco)) assert.equal(e.release, keyed.get(eco), eco);
    }
    for (const eco of ['AlmaLinux:8', 'AlmaLinux:9', 'AlmaLinux:10']) assert.equal(parseEcosystem(eco).release, eco.slice(10), eco);
  });
});
