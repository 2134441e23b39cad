import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, isAllDigits, isDigitCode, isPrintableAscii, toNum, type Num } from './version-text.ts';

/**
 * SemVer 2.0.0 precedence (https://semver.org/#spec-item-11), read leniently the way OSV tooling does
 * (osv-scalibr `semantic`): a leading `v`, fewer than three numeric components (`1.2` = `1.2.0`), numbers of any
 * size, and extra numeric components (`1.2.3.4`) are accepted. For strict SemVer input the order is exactly the
 * `semver` package's (the property tests check this against it).
 *
 * Lenient reading: after an optional `v`, a run of digits and dots gives the numeric components; the first other
 * character starts the suffix. Components beyond the third are appended to the suffix as `.N` (scalibr's rule, kept
 * so our answers match osv-scanner's). Build metadata (after `+`) is then dropped and one leading `-` removed; what
 * is left, split on `.`, is the prerelease.
 */
export type Identifier = Num | string;

export interface SemverVersion {
  readonly major: Num;
  readonly minor: Num;
  readonly patch: Num;
  /** Dot-separated prerelease identifiers; null for a release. Numeric identifiers are numbers. */
  readonly pre: readonly Identifier[] | null;
  /** Build metadata after `+` ('' when absent). Ignored by SemVer precedence; Pub orders by it. */
  readonly build: string;
}

export interface SemverLike {
  readonly nums: Num[];
  /** Everything after the numeric components (including its leading `-`, `+` or letter), extras appended. */
  readonly suffix: string;
}

/** Splits a lenient SemVer-like string into numeric components (at most `maxComponents`) and the suffix. */
export function splitSemverLike(ecosystem: string, version: string, maxComponents: number): SemverLike {
  checkVersionText(ecosystem, version);
  if (!isPrintableAscii(version)) throw new InvalidVersionError(ecosystem, version, 'only ASCII characters are allowed');
  let i = version.charCodeAt(0) === 118 /* v */ ? 1 : 0;
  if (!isDigitCode(version.charCodeAt(i))) {
    throw new InvalidVersionError(ecosystem, version, 'must start with a number (optionally after "v")');
  }
  const nums: Num[] = [];
  let start = i;
  for (; i < version.length; i++) {
    const c = version.charCodeAt(i);
    if (isDigitCode(c)) continue;
    if (start < i) nums.push(toNum(version.slice(start, i)));
    if (c !== 46 /* . */) break;
    start = i + 1;
  }
  if (i === version.length && start < i) nums.push(toNum(version.slice(start, i)));
  let suffix = version.slice(i);
  for (let k = maxComponents; k < nums.length; k++) suffix += '.' + String(nums[k]);
  if (nums.length > maxComponents) nums.length = maxComponents;
  return { nums, suffix };
}

export function parseIdentifiers(text: string, lowerCase = false): Identifier[] {
  const parts = (lowerCase ? text.toLowerCase() : text).split('.');
  const out: Identifier[] = new Array(parts.length);
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    out[k] = isAllDigits(p) ? toNum(p) : p;
  }
  return out;
}

/** Splits a suffix into prerelease identifiers and build metadata, SemVer style. */
export function splitSuffix(suffix: string, lowerCase = false): { pre: Identifier[] | null; build: string } {
  const plus = suffix.indexOf('+');
  let pre = plus < 0 ? suffix : suffix.slice(0, plus);
  const build = plus < 0 ? '' : suffix.slice(plus + 1);
  if (pre.charCodeAt(0) === 45 /* - */) pre = pre.slice(1);
  return { pre: pre === '' ? null : parseIdentifiers(pre, lowerCase), build };
}

export function parseSemver(version: string, ecosystem = 'SemVer'): SemverVersion {
  const { nums, suffix } = splitSemverLike(ecosystem, version, 3);
  const { pre, build } = splitSuffix(suffix);
  return { major: nums[0] ?? 0, minor: nums[1] ?? 0, patch: nums[2] ?? 0, pre, build };
}

/** SemVer rule 11.4: numeric identifiers compare numerically and sort before alphanumeric ones (ASCII order). */
export function compareIdentifiers(a: readonly Identifier[], b: readonly Identifier[]): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? 1 : -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Release after any of its prereleases; prereleases by identifiers. */
export function comparePrerelease(a: readonly Identifier[] | null, b: readonly Identifier[] | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return compareIdentifiers(a, b);
}

export function compareSemver(a: SemverVersion, b: SemverVersion): number {
  return cmpNum(a.major, b.major) || cmpNum(a.minor, b.minor) || cmpNum(a.patch, b.patch) || comparePrerelease(a.pre, b.pre);
}

export const semverScheme: VersionScheme<SemverVersion> = {
  id: 'semver',
  parse: (v) => parseSemver(v),
  compare: compareSemver,
};

