// Hand-written cases for the tricky parts of each ecosystem's rules. Each chain is written in ascending order; `=`
// joins versions the ecosystem treats as the same. Every pair in a chain is checked, both ways.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions } from './index.ts';
import { sign } from './version-text.ts';

/** `['1.0', '<', '1.1', '=', '1.1.0']`: checks every pair, so the chain also asserts transitivity. */
function chain(ecosystem: string, ...items: string[]): void {
  const versions: string[] = [];
  const rank: number[] = [];
  let r = 0;
  for (let i = 0; i < items.length; i++) {
    if (i % 2 === 1) {
      if (items[i] === '<') r++;
      else assert.equal(items[i], '=', `bad chain operator ${items[i]}`);
      continue;
    }
    versions.push(items[i]!);
    rank.push(r);
  }
  const failures: string[] = [];
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++) {
      const want = sign(rank[i]! - rank[j]!);
      const got = sign(compareVersions(ecosystem, versions[i]!, versions[j]!));
      if (got !== want) failures.push(`${versions[i]} vs ${versions[j]}: want ${want}, got ${got}`);
    }
  }
  assert.deepEqual(failures, [], `${ecosystem}: ${items.join(' ')}`);
}

describe('SemVer family (npm, Go, crates.io, ...)', () => {
  it('orders prereleases by identifiers, numbers before text, release last', () => {
    chain('npm', '1.0.0-1', '<', '1.0.0-2', '<', '1.0.0-10', '<', '1.0.0-alpha', '<', '1.0.0-alpha.1', '<', '1.0.0-alpha.beta', '<', '1.0.0-beta', '<', '1.0.0', '<', '1.0.1');
  });

  it('ignores build metadata and a leading v; missing parts are zero', () => {
    chain('crates.io', '1.2', '=', '1.2.0', '=', 'v1.2.0', '=', '1.2.0+build.5', '<', '1.2.1');
  });

  it('orders Go pseudo-versions between their neighbours and ignores +incompatible', () => {
    chain(
      'Go',
      'v0.0.0-20191109021931-daa7c04131f5', '<', 'v0.0.0-20200101000000-aaaaaaaaaaaa', '<', 'v0.1.0',
      '<', 'v1.2.3', '<', 'v1.2.4-0.20191109021931-daa7c04131f5', '<', 'v1.2.4-pre', '<', 'v1.2.4',
      '<', 'v2.0.0+incompatible', '=', 'v2.0.0',
    );
  });

  it('compares numbers beyond 2^53 exactly', () => {
    chain('SemVer', '1.0.9007199254740992', '<', '1.0.9007199254740993', '<', '1.0.99999999999999999999', '<', '9007199254740993.0.0');
    chain('npm', '1.0.0-9007199254740992', '<', '1.0.0-9007199254740993');
  });
});

describe('PyPI (PEP 440)', () => {
  it('orders dev < pre < release < post, with dev releases before their counterpart', () => {
    chain(
      'PyPI',
      '1.0.dev0', '<', '1.0a1.dev1', '<', '1.0a1', '=', '1.0alpha1', '=', '1.0.A1', '<', '1.0b2', '<', '1.0rc1', '=', '1.0c1', '=', '1.0-pre1',
      '<', '1.0', '=', '1.0.0', '=', 'v1.0', '<', '1.0+local.1', '<', '1.0+local.2', '<', '1.0.post1.dev0', '<', '1.0.post1', '=', '1.0-1', '=', '1.0r1',
      '<', '1.0.1', '<', '1!0.1',
    );
  });

  it('orders local labels segment by segment, numbers above strings', () => {
    chain('PyPI', '1.0', '<', '1.0+abc', '<', '1.0+abc.1', '<', '1.0+1', '<', '1.0+2', '<', '1.0+10');
  });

  it('puts legacy (non-PEP 440) versions below every PEP 440 version', () => {
    chain('PyPI', '0.1-bulbasaur', '<', '0.9-doduo', '<', '0.0.0.dev0', '<', '0.0.1');
  });

  it('compares numbers beyond 2^53 exactly', () => {
    chain('PyPI', '9007199254740992', '<', '9007199254740993', '<', '9007199254740993.post1');
  });
});

describe('Debian / Ubuntu (dpkg)', () => {
  it('orders ~ before everything, then end, then letters, then other characters', () => {
    chain('Debian', '1.0~~', '<', '1.0~rc1', '<', '1.0', '=', '1.0-0', '=', '0:1.0', '<', '1.0a', '<', '1.0+b1', '<', '1.0.1', '<', '1:0.1');
  });

  it('orders Debian and Ubuntu revisions', () => {
    chain('Ubuntu:22.04:LTS', '2.7.4-1~deb9u1', '<', '2.7.4-1', '<', '2.7.4-1ubuntu1', '<', '2.7.4-1+deb9u1', '<', '2.7.4-2', '<', '2.7.4-10');
  });

  it('splits the revision at the last hyphen and allows hyphens and colons in upstream', () => {
    chain('Debian', '1:2.0-rc-1', '<', '1:2.0-rc-2', '<', '1:2.0:1-1');
  });
});

describe('RPM (Red Hat, AlmaLinux, SUSE, ...)', () => {
  it('orders ~ before, ^ after the end, and numbers above letters', () => {
    chain('Red Hat', '1.0~rc1', '<', '1.0', '=', '1.00', '<', '1.0^git1', '<', '1.0a', '<', '1.0.1', '<', '1.1', '<', '1:0.1');
  });

  it('compares releases, separators only delimiting', () => {
    chain('AlmaLinux:9', '3.10.0-229.el7', '<', '3.10.0-229.1.2.el7', '<', '3.10.0-230.el7', '=', '3.10.0-230_el7');
    chain('SUSE', '1.0-1.el8_9', '<', '1.0-1.el8_10');
  });
});

describe('apk (Alpine, Wolfi, Chainguard)', () => {
  it('orders suffixes: alpha < beta < pre < rc < none < cvs < svn < git < hg < p', () => {
    chain('Alpine:v3.16', '1.2_alpha', '<', '1.2_alpha2', '<', '1.2_beta', '<', '1.2_pre1', '<', '1.2_rc1', '<', '1.2', '<', '1.2-r1', '<', '1.2_cvs', '<', '1.2_svn', '<', '1.2_git', '<', '1.2_hg', '<', '1.2_p1', '<', '1.2a', '<', '1.2.1');
  });

  it('ignores the commit hash, compares -rN numerically and leading-zero components as text', () => {
    chain('Wolfi', '1.2~abc123-r9', '=', '1.2-r9', '<', '1.2-r10', '<', '1.3');
    chain('Chainguard', '1.02', '<', '1.1', '<', '1.9', '<', '1.10');
    chain('Alpine', '1', '<', '1.0', '<', '1.0.0');
  });
});

describe('Maven', () => {
  it('orders qualifiers alpha < beta < milestone < rc = cr < snapshot < release < sp < others', () => {
    chain(
      'Maven',
      '1.0-alpha-1', '=', '1.0a1', '<', '1.0-beta', '<', '1.0-milestone-1', '=', '1.0m1', '<', '1.0-rc1', '=', '1.0-CR1',
      '<', '1.0-SNAPSHOT', '<', '1.0', '=', '1.0.0', '=', '1-ga', '=', '1.0.Final', '=', '1.0.RELEASE', '<', '1.0-sp1', '<', '1.0-xyz', '<', '1.0-1', '<', '1.0.1',
    );
  });

  it('keeps Maven\'s own answers where ComparableVersion is not transitive', () => {
    // A qualifier after a dot is a string item: above "null" but below any hyphen list (ComparableVersion).
    assert.ok(compareVersions('Maven', '1.xyz', '1-alpha') < 0);
    assert.ok(compareVersions('Maven', '1-alpha', '1') < 0);
    assert.ok(compareVersions('Maven', '1', '1.xyz') < 0);
  });
});

describe('NuGet', () => {
  it('uses four parts, case-insensitive prereleases and ignores metadata', () => {
    chain('NuGet', '1.0.0-ALPHA', '=', '1.0.0-alpha', '<', '1.0.0-beta.2', '<', '1.0.0-beta.10', '<', '1.0', '=', '1.0.0.0', '=', '1.0.0+meta', '<', '1.0.0.1', '<', '1.0.1');
  });
});

describe('RubyGems', () => {
  it('treats letter segments as prereleases and drops trailing zeros', () => {
    chain('RubyGems', '1.0.a', '<', '1.0.a9', '=', '1.0.a.9', '<', '1.0.a10', '<', '1.0.b1', '<', '1.0.pre', '=', '1.0-', '<', '1.0', '=', '1.0.0', '=', '1', '<', '1.0.0.1', '<', '1.1');
  });
});

describe('Packagist (Composer: VersionParser::normalize, then Comparator)', () => {
  it('orders dev < alpha < beta < RC < release < patch, each padded to four numbers first', () => {
    // Normalising pads to four parts before the suffix, so a patch release stays below the next number.
    chain('Packagist', '1.0-dev', '<', '1.0-alpha1', '=', '1.0a1', '<', '1.0-beta', '=', '1.0b', '<', '1.0-RC1', '=', '1.0rc1', '<', '1.0', '=', 'v1.0', '=', '1.0.0', '=', '1.0.0.0', '<', '1.0-p1', '=', '1.0pl1', '=', '1.0.0-patch1', '<', '1.0.1');
    chain('Packagist', 'dev-foo', '<', '0.1', '<', '1.0-foo', '<', '1.0-dev');
  });

  it('the orderings issue 7 names, as Composer decides them', () => {
    chain('Packagist', '0.1-patch4', '<', '0.1.99');
    chain('Packagist', '12.9.0-RC6', '<', '12.9');
    chain('Packagist', '0.2.0-alpha8', '<', 'v0.2-beta4');
    chain('Packagist', 'v3.0.0-beta', '<', 'v3.0');
    chain('Packagist', '5.1.0-beta2', '<', '5.1.0-stable', '=', '5.1.0');
    chain('Packagist', 'v1.9.0-ALPHA.1', '<', 'v1.9.0-ALPHA.2', '<', 'v1.9.0-BETA.1', '<', 'v1.9.0-BETA.2');
    chain('Packagist', '1.0.0+build.7', '=', '1.0.0', '<', '2010.01.02', '<', '2010-01-03');
  });
});

describe('Pub', () => {
  it('orders builds after the plain version, compared like identifiers', () => {
    chain('Pub', '1.0.0-dev', '<', '1.0.0-dev+1', '<', '1.0.0', '<', '1.0.0+1', '<', '1.0.0+2', '<', '1.0.0+10', '<', '1.0.0+a', '<', '1.0.1');
  });
});

describe('Hackage and CRAN (numeric lists)', () => {
  it('Hackage: a longer list wins over its prefix', () => {
    chain('Hackage', '0.9', '<', '1', '<', '1.0', '<', '1.0.0', '<', '1.0.1', '<', '1.9', '<', '1.10');
  });

  it('CRAN: . and - are the same separator', () => {
    chain('CRAN', '0', '<', '0.9', '<', '0.10', '<', '1.0', '<', '1.0-0', '=', '1.0.0', '<', '1.0-1', '=', '1.0.01', '<', '1.0-10');
  });
});
