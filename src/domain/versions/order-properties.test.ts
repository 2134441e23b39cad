// Property tests: every scheme is a total preorder over realistic versions of its ecosystem (generated from each
// ecosystem's grammar, with small numbers so that ties and equal-but-differently-written versions are common), and
// agrees with the reference libraries where one exists (semver, @renovatebot/pep440).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import semver from 'semver';
import { compare as pep440Compare } from '@renovatebot/pep440';
import { versionSchemeFor } from './index.ts';
import type { VersionScheme } from './version-scheme.ts';
import { sign } from './version-text.ts';

// VERSIONS_PROPERTY_RUNS raises the count for a deeper local search.
const RUNS = Number(process.env.VERSIONS_PROPERTY_RUNS ?? 600);

// ---- building blocks -------------------------------------------------------------------------------------------

const smallNum = fc.integer({ min: 0, max: 3 }).map(String);
const num = fc.oneof(
  { weight: 6, arbitrary: smallNum },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2_000_000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('00', '01', '010', '12345678901234567890') },
);
const plainNum = fc.oneof({ weight: 6, arbitrary: smallNum }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2_000_000 }).map(String) });
const join = (parts: fc.Arbitrary<string>, sep: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(parts, { minLength: min, maxLength: max }).map((xs) => xs.join(sep));
const opt = (a: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(a, { nil: undefined }).map((x) => x ?? '');
const concat = (...parts: fc.Arbitrary<string>[]): fc.Arbitrary<string> => fc.tuple(...parts).map((xs) => xs.join(''));
const word = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((xs) => xs.join(''));

// ---- grammars per ecosystem ----------------------------------------------------------------------------------------

const semverIdent = fc.oneof(num, fc.constantFrom('alpha', 'beta', 'rc', 'a', 'b', 'A', 'x-y', '0a'));
const semverStrict = concat(
  join(plainNum.map((n) => String(Number(n))), '.', 3, 3),
  opt(join(fc.oneof(plainNum.map((n) => String(Number(n))), fc.constantFrom('alpha', 'beta', 'rc', 'x-y', '0a')), '.', 1, 3).map((p) => '-' + p)),
  opt(join(fc.constantFrom('build', '1', 'sha.5114f85'), '.', 1, 2).map((b) => '+' + b)),
);
const semverLenient = concat(
  opt(fc.constant('v')),
  join(num, '.', 1, 5),
  opt(join(semverIdent, '.', 1, 3).map((p) => '-' + p)),
  opt(join(fc.constantFrom('build', '1', 'incompatible'), '.', 1, 2).map((b) => '+' + b)),
);
const goPseudo = fc
  .tuple(smallNum, smallNum, fc.integer({ min: 20180101000000, max: 20180101000009 }), fc.constantFrom('abcdef123456', '0123456789ab'))
  .map(([a, b, t, h]) => `v${a}.${b}.0-${t}-${h}`);

const pep440 = fc.oneof(
  { weight: 8, arbitrary: concat(
    opt(smallNum.map((e) => `${e}!`)),
    join(num, '.', 1, 4),
    opt(concat(fc.constantFrom('', '.', '-', '_'), fc.constantFrom('a', 'b', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'RC'), opt(smallNum))),
    opt(fc.oneof(smallNum.map((n) => `-${n}`), concat(fc.constantFrom('.', '', '-'), fc.constantFrom('post', 'r', 'rev'), opt(smallNum)))),
    opt(concat(fc.constantFrom('.', '', '-'), fc.constantFrom('dev', 'DEV'), opt(smallNum))),
    opt(join(fc.oneof(smallNum, fc.constantFrom('abc', 'ubuntu', 'x')), '.', 1, 3).map((l) => '+' + l)),
  ) },
  { weight: 1, arbitrary: concat(join(smallNum, '.', 1, 3), fc.constantFrom('-bulbasaur', '-foo', '.x.y', '_1', 'dev-x')) },
);

const dpkg = concat(
  opt(smallNum.map((e) => `${e}:`)),
  concat(num, word('0123456789.+~abz', 0, 6)),
  opt(concat(fc.constant('-'), word('0123456789.+~abuntz', 1, 6))),
);

const rpm = concat(
  opt(smallNum.map((e) => `${e}:`)),
  concat(word('0123456789.', 1, 4), word('0123456789.~^abzA_+', 0, 6)),
  opt(concat(fc.constant('-'), word('0123456789.~^elabz_', 0, 6))),
);

const apk = concat(
  join(num, '.', 1, 4),
  opt(fc.constantFrom('a', 'b', 'z')),
  fc.array(concat(fc.constantFrom('_alpha', '_beta', '_pre', '_rc', '_cvs', '_svn', '_git', '_hg', '_p'), opt(smallNum)), { maxLength: 2 }).map((s) => s.join('')),
  opt(fc.constantFrom('~abc123', '~0f')),
  opt(smallNum.map((r) => `-r${r}`)),
);

const mavenToken = fc.oneof(
  { weight: 4, arbitrary: num },
  { weight: 3, arbitrary: fc.constantFrom('alpha', 'beta', 'milestone', 'rc', 'cr', 'SNAPSHOT', 'ga', 'final', 'release', 'sp', 'a', 'b', 'm', 'RC', 'xyz', 'foo') },
  { weight: 1, arbitrary: concat(fc.constantFrom('a', 'b', 'm', 'rc', 'x'), smallNum) },
  { weight: 1, arbitrary: fc.constant('') },
);
// Maven's ComparableVersion is not transitive when a qualifier follows a dot (`1.xyz` < `1-alpha` < `1` < `1.xyz`:
// a string item sorts below any list item but above "null"), nor for versions that do not start with a number.
// We keep Maven's answers there (schemes.test.ts pins them), so the grammar here puts qualifiers only
// after `-` or directly after a number, the way almost all published versions do (`1.0-alpha-1`, `2.0.0-M1`, `1.0rc1`).
const maven = concat(
  num,
  fc
    .array(fc.oneof(num.map((n) => '.' + n), fc.tuple(fc.constantFrom('-', ''), mavenToken).map(([sep, t]) => sep + t)), { maxLength: 4 })
    .map((xs) => xs.join('')),
);

const nuget = concat(
  join(num, '.', 1, 4),
  opt(join(fc.oneof(smallNum, fc.constantFrom('alpha', 'Alpha', 'BETA', 'beta', 'rc', 'x')), '.', 1, 3).map((p) => '-' + p)),
  opt(fc.constantFrom('+meta', '+AA', '+1')),
);

const rubygems = concat(
  join(num, '.', 1, 4),
  opt(concat(fc.constantFrom('.', '', '-'), fc.constantFrom('a', 'b', 'beta', 'pre', 'rc', 'alpha'), opt(concat(fc.constantFrom('', '.'), smallNum)))),
);

// PHP's `#` special form equals every number (`1.2.3.#` = `1.2.3` and = `1.2.3.1`, pinned by the shared cases), which
// no total preorder can honour; it never appears in real Packagist versions, so the grammar leaves it out.
const packagist = concat(
  opt(fc.constantFrom('v', 'V')),
  join(num, '.', 1, 4),
  opt(concat(fc.constantFrom('-', '', '.', '_', '+'), fc.constantFrom('dev', 'alpha', 'a', 'beta', 'b', 'RC', 'rc', 'pl', 'p', 'patch', 'foo'), opt(concat(fc.constantFrom('', '.'), smallNum)))),
);

const pub = concat(
  opt(fc.constant('v')),
  join(num, '.', 1, 3),
  opt(join(semverIdent, '.', 1, 2).map((p) => '-' + p)),
  opt(join(fc.oneof(smallNum, fc.constantFrom('a', 'b1', '9a', 'build')), '.', 1, 2).map((b) => '+' + b)),
);

const hackage = join(num, '.', 1, 5);
const cran = fc
  .array(fc.tuple(fc.constantFrom('.', '-'), num), { minLength: 2, maxLength: 5 })
  .map((xs) => xs.map(([sep, n], i) => (i === 0 ? n : sep + n)).join(''));

const GRAMMARS: [string, fc.Arbitrary<string>][] = [
  ['SemVer', fc.oneof(semverLenient, semverStrict)],
  ['Go', fc.oneof(semverLenient, goPseudo)],
  ['PyPI', pep440],
  ['Debian', dpkg],
  ['Red Hat', rpm],
  ['Alpine', apk],
  ['Maven', maven],
  ['NuGet', nuget],
  ['RubyGems', rubygems],
  ['Packagist', packagist],
  ['Pub', pub],
  ['Hackage', hackage],
  ['CRAN', cran],
];

// ---- properties --------------------------------------------------------------------------------------------------

/** Asserts the order axioms on one triple: reflexive, antisymmetric, transitive (strict and non-strict). */
function assertPreorder(scheme: VersionScheme, texts: string[]): void {
  const parsed = texts.map((t) => scheme.parse(t));
  const cmp = (i: number, j: number): number => sign(scheme.compare(parsed[i], parsed[j]));
  for (let i = 0; i < 3; i++) {
    assert.equal(cmp(i, i), 0, `not reflexive: ${texts[i]}`);
    for (let j = 0; j < 3; j++) {
      assert.ok(cmp(i, j) === -cmp(j, i), `not antisymmetric: ${texts[i]} vs ${texts[j]}`);
      for (let k = 0; k < 3; k++) {
        const ij = cmp(i, j);
        const jk = cmp(j, k);
        if (ij <= 0 && jk <= 0) {
          const ik = cmp(i, k);
          const want = ij < 0 || jk < 0 ? -1 : 0;
          assert.equal(ik, want, `not transitive: ${texts[i]} ${ij} ${texts[j]} ${jk} ${texts[k]} but ${ik}`);
        }
      }
    }
  }
}

describe('every scheme is a total preorder over its ecosystem\'s versions', () => {
  for (const [ecosystem, arb] of GRAMMARS) {
    it(ecosystem, () => {
      const scheme = versionSchemeFor(ecosystem)!;
      // Drawing the second and third from the first's neighbourhood makes ties likely.
      const triple = arb.chain((a) => fc.tuple(fc.constant(a), fc.oneof(arb, fc.constant(a)), arb));
      fc.assert(fc.property(triple, (t) => assertPreorder(scheme, t)), { numRuns: RUNS });
    });
  }

  it('generated versions are accepted by their scheme (the grammars are realistic)', () => {
    for (const [ecosystem, arb] of GRAMMARS) {
      const scheme = versionSchemeFor(ecosystem)!;
      for (const v of fc.sample(arb, 200)) assert.doesNotThrow(() => scheme.parse(v), `${ecosystem} rejects ${v}`);
    }
  });
});

describe('agreement with reference implementations', () => {
  it('SemVer: same order as the semver package on strict SemVer 2.0.0', () => {
    const scheme = versionSchemeFor('npm')!;
    fc.assert(
      fc.property(semverStrict, semverStrict, (a, b) => {
        assert.ok(semver.valid(a) && semver.valid(b), `generator produced invalid semver ${a} / ${b}`);
        assert.equal(sign(scheme.compare(scheme.parse(a), scheme.parse(b))), semver.compare(a, b), `${a} vs ${b}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('PyPI: same order as @renovatebot/pep440 on PEP 440 versions', () => {
    const scheme = versionSchemeFor('PyPI')!;
    const valid = pep440.filter((v) => /^[0-9!.a-z+_-]*$/i.test(v) && !/-(bulbasaur|foo)|\.x\.y|_1$|dev-x/.test(v) && !/\d{16}/.test(v));
    fc.assert(
      fc.property(valid, valid, (a, b) => {
        assert.equal(sign(scheme.compare(scheme.parse(a), scheme.parse(b))), sign(pep440Compare(a, b)), `${a} vs ${b}`);
      }),
      { numRuns: RUNS },
    );
  });
});
