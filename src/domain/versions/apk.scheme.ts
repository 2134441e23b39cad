import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, cmpStr, isDigitCode, isPrintableAscii, toNum, type Num } from './version-text.ts';

/**
 * apk (Alpine, Wolfi, Chainguard...) ordering, after apk-tools' version.c and apk-package(5):
 * `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`.
 *
 * - numbers compare numerically, except that a component after the first with a leading zero compares as a string
 *   (`1.02` < `1.1`, apk's "leading zero" rule); with equal leading components, more components is newer
 *   (`1` < `1.0`);
 * - then the optional single lower-case letter (none < a < ... < z);
 * - then suffixes, pairwise: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p, then their
 *   numbers; a commit hash (`~abc123`) is ignored;
 * - then the `-rN` package release.
 *
 * `apk version -t` also orders strings that do not follow the grammar, and OSV data contains a few. We accept them the
 * way osv-scalibr does (the shared cases pin this down): the valid prefix is compared as above, a version with junk
 * left over sorts just below the same version without it, and when both sides are malformed and otherwise tie, the
 * raw strings decide. Across the valid/malformed boundary that order is not guaranteed to be transitive (nor is
 * apk's); the property tests therefore cover the grammar only.
 */
export interface ApkVersion {
  readonly original: string;
  /** Number components; `zero[i]` says the i-th was written with a leading zero (string comparison applies). */
  readonly nums: readonly Num[];
  readonly raw: readonly string[];
  /** Letter code, 0 when absent. */
  readonly letter: number;
  /** Flat [weight, number, weight, number, ...]. */
  readonly suffixes: readonly Num[];
  readonly release: Num;
  /** Text left over that matches nothing in the grammar (empty when none). */
  readonly remainder: string;
  /** True when the text did not end in a valid `-r` part or end of string (apk would call it invalid). */
  readonly invalid: boolean;
}

const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'] as const;
/** Weight of each suffix, with "no suffix" at 4. */
const SUFFIX_WEIGHT: Record<(typeof SUFFIXES)[number], number> = { alpha: 0, beta: 1, pre: 2, rc: 3, cvs: 5, svn: 6, git: 7, hg: 8, p: 9 };
const NO_SUFFIX = 4;

function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  return i;
}

export function parseApk(version: string, ecosystem = 'Alpine'): ApkVersion {
  checkVersionText(ecosystem, version);
  if (!isPrintableAscii(version)) throw new InvalidVersionError(ecosystem, version, 'only ASCII characters are allowed');
  if (!/[0-9A-Za-z]/.test(version)) throw new InvalidVersionError(ecosystem, version, 'no letters or digits');
  const nums: Num[] = [];
  const raw: string[] = [];
  let i = 0;
  // number{.number}...
  let end = digitsEnd(version, 0);
  if (end > 0) {
    for (;;) {
      raw.push(version.slice(i, end));
      nums.push(toNum(version.slice(i, end)));
      i = end;
      if (version.charCodeAt(i) !== 46 || !isDigitCode(version.charCodeAt(i + 1))) break;
      end = digitsEnd(version, i + 1);
      i++;
    }
  }
  // {letter}
  let letter = 0;
  const lc = version.charCodeAt(i);
  if (lc >= 97 && lc <= 122) {
    letter = lc;
    i++;
  }
  // {_suffix{number}}...
  const suffixes: Num[] = [];
  while (version.charCodeAt(i) === 95) {
    const name = SUFFIXES.find((s) => version.startsWith(s, i + 1));
    if (!name) break;
    const numStart = i + 1 + name.length;
    const numEnd = digitsEnd(version, numStart);
    suffixes.push(SUFFIX_WEIGHT[name], numEnd > numStart ? toNum(version.slice(numStart, numEnd)) : 0);
    i = numEnd;
  }
  // {~hash}
  if (version.charCodeAt(i) === 126) {
    let h = i + 1;
    while (h < version.length && /[0-9a-f]/.test(version[h]!)) h++;
    if (h > i + 1) i = h;
  }
  // {-r#}
  let release: Num = 0;
  let invalid = false;
  if (i < version.length) {
    if (version.startsWith('-r', i)) {
      const numEnd = digitsEnd(version, i + 2);
      if (numEnd > i + 2) release = toNum(version.slice(i + 2, numEnd));
      i = numEnd;
    } else {
      invalid = true;
    }
  }
  return { original: version, nums, raw, letter, suffixes, release, remainder: version.slice(i), invalid };
}

function compareNumbers(a: ApkVersion, b: ApkVersion): number {
  const n = a.nums.length < b.nums.length ? a.nums.length : b.nums.length;
  for (let i = 0; i < n; i++) {
    const x = a.raw[i]!;
    const y = b.raw[i]!;
    if (i > 0 && (x.charCodeAt(0) === 48 || y.charCodeAt(0) === 48)) {
      if (x !== y) return x < y ? -1 : 1;
      continue;
    }
    const d = cmpNum(a.nums[i]!, b.nums[i]!);
    if (d !== 0) return d;
  }
  // As in apk, a version with more number components is the newer one (`1` < `1.0`).
  return a.nums.length - b.nums.length;
}

function compareSuffixes(a: readonly Num[], b: readonly Num[]): number {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i += 2) {
    const d =
      cmpNum(i < a.length ? a[i]! : NO_SUFFIX, i < b.length ? b[i]! : NO_SUFFIX) ||
      cmpNum(i < a.length ? a[i + 1]! : 0, i < b.length ? b[i + 1]! : 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function compareApk(a: ApkVersion, b: ApkVersion): number {
  return (
    compareNumbers(a, b) ||
    a.letter - b.letter ||
    compareSuffixes(a.suffixes, b.suffixes) ||
    cmpNum(a.release, b.release) ||
    (a.remainder === '' ? 1 : 0) - (b.remainder === '' ? 1 : 0) ||
    (a.invalid && b.invalid ? cmpStr(a.original, b.original) : 0)
  );
}

export const apkScheme: VersionScheme<ApkVersion> = { id: 'apk', parse: (v) => parseApk(v), compare: compareApk };
