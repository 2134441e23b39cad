// The public API (versionSchemeFor, compareVersions, knownEcosystems) and how every scheme treats malformed input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError, InvalidInputError, InvalidVersionError } from '../errors.ts';
import { compareVersions, knownEcosystems, versionSchemeFor } from './index.ts';
import { MAX_VERSION_LENGTH } from './version-text.ts';

describe('versionSchemeFor', () => {
  it('strips the OSV suffix at the first colon', () => {
    for (const [eco, id] of [
      ['Debian:12', 'dpkg'],
      ['Ubuntu:22.04:LTS', 'dpkg'],
      ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
      ['AlmaLinux:9', 'rpm'],
      ['Alpine:v3.16', 'apk'],
      ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
      ['Maven:https://maven.google.com', 'maven'],
      ['Packagist:https://packages.drupal.org/8', 'packagist'],
    ] as const) {
      assert.equal(versionSchemeFor(eco)?.id, id, eco);
    }
  });

  it('maps each ecosystem to its rules', () => {
    const expected: Record<string, string> = {
      npm: 'semver', Go: 'semver', 'crates.io': 'semver', PyPI: 'pep440', Maven: 'maven', NuGet: 'nuget', RubyGems: 'rubygems',
      Packagist: 'packagist', Pub: 'pub', Hackage: 'hackage', CRAN: 'cran', Debian: 'dpkg', 'Rocky Linux': 'rpm', Wolfi: 'apk',
    };
    for (const [eco, id] of Object.entries(expected)) assert.equal(versionSchemeFor(eco)?.id, id, eco);
  });

  it('is case-sensitive, like OSV, and returns undefined for unknown names', () => {
    assert.equal(versionSchemeFor('pypi'), undefined);
    assert.equal(versionSchemeFor('NPM'), undefined);
    assert.equal(versionSchemeFor(''), undefined);
    assert.equal(versionSchemeFor('OSS-Fuzz'), undefined);
  });

  it('names the ecosystem in parse errors', () => {
    assert.throws(() => versionSchemeFor('Ubuntu:22.04:LTS')!.parse('1.0-'), (e: unknown) => e instanceof InvalidVersionError && e.ecosystem === 'Ubuntu' && /Ubuntu/.test(e.message));
  });
});

describe('compareVersions and knownEcosystems', () => {
  it('compares under the named ecosystem', () => {
    assert.ok(compareVersions('PyPI', '1.0rc1', '1.0') < 0);
    assert.ok(compareVersions('npm', '1.0.0-rc.1', '1.0.0') < 0);
    assert.equal(compareVersions('Maven', '1.0', '1'), 0);
  });

  it('rejects an unknown ecosystem with InvalidInputError naming it and listing the known ones', () => {
    assert.throws(
      () => compareVersions('Cargo', '1', '2'),
      (e: unknown) => e instanceof InvalidInputError && /"Cargo"/.test(e.message) && /crates\.io/.test(e.message) && /PyPI/.test(e.message),
    );
  });

  it('throws InvalidVersionError for an unparsable version', () => {
    assert.throws(() => compareVersions('npm', '1.0.0', 'latest'), (e: unknown) => e instanceof InvalidVersionError && e.code === 'invalid-version' && e.version === 'latest');
  });

  it('parses OSV\'s introduced "0" in every ecosystem, as the earliest version', () => {
    for (const eco of knownEcosystems()) {
      const scheme = versionSchemeFor(eco)!;
      assert.ok(scheme.compare(scheme.parse('0'), scheme.parse('1.0')) < 0, eco);
    }
  });

  it('lists every ecosystem it can order, sorted, each resolvable', () => {
    const known = knownEcosystems();
    assert.ok(known.length >= 30);
    assert.deepEqual([...known].sort((a, b) => a.localeCompare(b, 'en')), known);
    for (const eco of known) assert.ok(versionSchemeFor(eco), eco);
  });
});

describe('malformed input', () => {
  const hostile = ['', ' ', '1.0 ', ' 1.0', '1.0\n', '1\t0', '1.0\u0000', '1.0\u00a0', '1.0\u2028', '1.0\ud800', '\ufeff1.0', 'x'.repeat(100_000)];

  for (const eco of knownEcosystems()) {
    it(`${eco}: rejects empty, whitespace, control characters, broken UTF-16 and over-long input`, () => {
      const scheme = versionSchemeFor(eco)!;
      for (const v of hostile) {
        assert.throws(
          () => scheme.parse(v),
          (e: unknown) => e instanceof InvalidVersionError && e instanceof DomainError && e.message.length > 0,
          `${eco} accepted ${JSON.stringify(v.slice(0, 20))}`,
        );
      }
      // The longest accepted input still parses (no accidental quadratic blow-up or loop).
      const long = '1.' + '1.'.repeat((MAX_VERSION_LENGTH - 3) / 2) + '1';
      assert.ok(long.length <= MAX_VERSION_LENGTH);
      assert.doesNotThrow(() => scheme.parse(long));
    });
  }

  const rejected: Record<string, string[]> = {
    SemVer: ['abc', '-1.0.0', 'v', 'é1.0', '1.0.0-é'],
    Go: ['latest', 'vv1.0.0'],
    PyPI: ['...', '-', '☃', '1.0☃'],
    Debian: [':1.0', 'a:1.0', '1:', '1.0-', '1.0_1', '1.0-1_2', '1.0:1', 'é'],
    Alpine: ['---', 'é'],
    Maven: ['ß', '1.0-ß'],
    NuGet: ['abc', 'x1.0'],
    RubyGems: ['a1', '1.0$', '.1'],
    Packagist: ['v', '..', '-'],
    Pub: ['x', 'v'],
    Hackage: ['1.0-beta', '1..0', '.1', '1.', 'a', '1.0a'],
    CRAN: ['1..0', '1.0a', '1.0-', '-1.0', '1.0.-1', 'R-1.0'],
  };
  for (const [eco, bad] of Object.entries(rejected)) {
    it(`${eco}: rejects what the ecosystem rejects, with a reason`, () => {
      const scheme = versionSchemeFor(eco)!;
      for (const v of bad) {
        assert.throws(
          () => scheme.parse(v),
          (e: unknown) => e instanceof InvalidVersionError && e.version === v && new RegExp(`version ${JSON.stringify(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S`).test(e.message),
          `${eco} accepted ${v}`,
        );
      }
    });
  }

  it('Red Hat accepts odd but real rpm strings rather than guessing', () => {
    const rpm = versionSchemeFor('Red Hat')!;
    for (const v of ['+', '_', '1.1.α', '1.module+el9.4.0+23026+aaa2e3cb.2.noarch.rpm-nginx:1']) assert.doesNotThrow(() => rpm.parse(v), v);
  });
});
