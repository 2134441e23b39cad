import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, isDigitCode, isPrintableAscii, toNum, type Num } from './version-text.ts';

/**
 * Packagist (Composer) ordering: PHP's version_compare (ext/standard/versioning.c), after dropping a leading `v`/`V`
 * as Composer's normaliser does. The version is canonicalised (`-`, `_`, `+` become `.`, and a `.` is inserted where
 * digits meet non-digits), split on `.`, and the parts compared in turn: numbers numerically; "special forms" by
 * rank, matched by prefix: any other string < dev < alpha = a < beta = b < RC = rc < # < pl = p; a number ranks as
 * `#`. When one version has parts left over, a leading number there makes it newer; otherwise its remaining parts are
 * compared against `#` (so `1.0-beta` < `1.0` < `1.0-p1`).
 */
export type PackagistVersion = readonly Num[];

// Special forms are stored as negative numbers (rank - 100) so a part is a single Num; real parts are >= 0.
const SPECIAL_OFFSET = 100;
const NUMBER_RANK = 4; // '#'

function specialRank(part: string): number {
  if (part.startsWith('dev')) return 0;
  if (part.startsWith('alpha') || part.startsWith('a')) return 1;
  if (part.startsWith('beta') || part.startsWith('b')) return 2;
  if (part.startsWith('RC') || part.startsWith('rc')) return 3;
  if (part.startsWith('#')) return 4;
  if (part.startsWith('pl') || part.startsWith('p')) return 5;
  return -1;
}

export function parsePackagist(version: string, ecosystem = 'Packagist'): PackagistVersion {
  checkVersionText(ecosystem, version);
  if (!isPrintableAscii(version)) throw new InvalidVersionError(ecosystem, version, 'only ASCII characters are allowed');
  const v = version.charCodeAt(0) === 118 || version.charCodeAt(0) === 86 ? version.slice(1) : version;
  if (v === '') throw new InvalidVersionError(ecosystem, version, 'nothing after the "v"');
  const parts: Num[] = [];
  let i = 0;
  while (i < v.length) {
    const c = v.charCodeAt(i);
    if (c === 46 || c === 45 || c === 95 || c === 43) {
      i++;
      continue;
    }
    const start = i;
    if (isDigitCode(c)) {
      while (i < v.length && isDigitCode(v.charCodeAt(i))) i++;
      parts.push(toNum(v.slice(start, i)));
    } else {
      while (i < v.length) {
        const d = v.charCodeAt(i);
        if (isDigitCode(d) || d === 46 || d === 45 || d === 95 || d === 43) break;
        i++;
      }
      parts.push(specialRank(v.slice(start, i)) - SPECIAL_OFFSET);
    }
  }
  if (parts.length === 0) throw new InvalidVersionError(ecosystem, version, 'no version parts');
  return parts;
}

function rank(part: Num): number {
  return part < 0 ? Number(part) + SPECIAL_OFFSET : NUMBER_RANK;
}

export function comparePackagist(a: PackagistVersion, b: PackagistVersion): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const d = x >= 0 && y >= 0 ? cmpNum(x, y) : rank(x) - rank(y);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const longer = a.length > b.length ? a : b;
  const dir = a.length > b.length ? 1 : -1;
  for (let i = n; i < longer.length; i++) {
    const x = longer[i]!;
    if (x >= 0) return dir;
    const d = rank(x) - NUMBER_RANK;
    if (d !== 0) return d < 0 ? -dir : dir;
  }
  return 0;
}

export const packagistScheme: VersionScheme<PackagistVersion> = { id: 'packagist', parse: (v) => parsePackagist(v), compare: comparePackagist };
