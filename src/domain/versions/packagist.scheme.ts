import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, isDigitCode, isPrintableAscii, toNum, type Num } from './version-text.ts';

/**
 * Packagist ordering as Composer does it (composer/semver): `VersionParser::normalize` first, then `Comparator`,
 * which is PHP's version_compare (ext/standard/versioning.c) on the normalised strings. Normalising pads a version to
 * four numeric parts before its stability suffix and spells the suffix out (`v0.2-beta4` -> `0.2.0.0-beta4`,
 * `1.0-p1` -> `1.0.0.0-patch1`, `5.1.0-stable` -> `5.1.0.0`), so `1.0` = `1.0.0`, `0.1-patch4` < `0.1.99` and
 * `12.9.0-RC6` < `12.9`. Strings normalize would reject (`1.0-foo`, `3.0.0b1.post1`, `dev-main`) are still ordered
 * (see lenientNormal), because advisories do carry them and refusing them would drop whole ranges.
 *
 * version_compare: `-`, `_`, `+` become `.`, a `.` is inserted where digits meet non-digits, and parts compare in
 * turn: numbers numerically; "special forms" by rank, matched by prefix: any other string < dev < alpha = a < beta =
 * b < RC = rc < # < pl = p (so `patch` ranks as `p`); a number ranks as `#`. When one version has parts left over, a
 * leading number there makes it newer; otherwise its remaining parts are compared against `#`.
 * Written here rather than taken from a package because no maintained npm package implements Composer's normaliser.
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

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE_BASED = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/;

function expandStability(s: string): string {
  const l = s.toLowerCase();
  return l === 'a' ? 'alpha' : l === 'b' ? 'beta' : l === 'p' || l === 'pl' ? 'patch' : l === 'rc' ? 'RC' : l;
}

/**
 * Composer's VersionParser::normalize for the forms advisories use, or null where Composer would throw or keep a
 * branch name (`dev-main`): those fall back to plain version_compare.
 */
export function normalizeComposer(version: string): string | null {
  let v = version.trim();
  const alias = /^([^,\s]+) +as +[^,\s]+$/.exec(v);
  if (alias) v = alias[1]!;
  v = v.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  const build = /^([^,\s+]+)\+\S+$/.exec(v);
  if (build) v = build[1]!;
  let m = CLASSICAL.exec(v);
  let out: string;
  let at: number;
  if (m) {
    out = m[1]! + (m[2] ?? '.0') + (m[3] ?? '.0') + (m[4] ?? '.0');
    at = 5;
  } else if ((m = DATE_BASED.exec(v))) {
    out = m[1]!.replace(/\D/g, '.');
    at = 2;
  } else {
    const dev = /^(.*?)[.-]?dev$/i.exec(v);
    const b = dev ? BRANCH.exec(dev[1]!) : null;
    if (!b) return null;
    const part = (x: string | undefined) => (x === undefined ? '.9999999' : x.replace(/[xX*]/, '9999999'));
    return b[1]! + part(b[2]) + part(b[3]) + part(b[4]) + '-dev';
  }
  const stability = m[at];
  if (stability !== undefined && stability.toLowerCase() !== 'stable') {
    out += '-' + expandStability(stability) + (m[at + 1] ? m[at + 1]!.replace(/^[.-]+/, '') : '');
  }
  if (m[at + 2]) out += '-dev';
  return out;
}

/**
 * For what normalize rejects (`3.0.0b1.post1`, `1.0-foo`): the leading numbers padded to four parts as normalize
 * would, the rest kept as a suffix, so such versions order consistently (transitively) with normalised ones.
 */
function lenientNormal(version: string): string {
  const v = version.charCodeAt(0) === 118 || version.charCodeAt(0) === 86 ? version.slice(1) : version;
  // Only a word suffix is split off: `1.2.3.#` stays version_compare's, where `#` ranks as a number.
  const m = /^(\d+(?:\.\d+){0,3})((?:[._+-]?[a-zA-Z].*)?)$/.exec(v);
  if (!m) return v;
  const nums = m[1]!.split('.');
  while (nums.length < 4) nums.push('0');
  const rest = m[2]!.replace(/^[._+-]/, '');
  return nums.join('.') + (rest ? '-' + rest : '');
}

export function parsePackagist(version: string, ecosystem = 'Packagist'): PackagistVersion {
  checkVersionText(ecosystem, version);
  if (!isPrintableAscii(version)) throw new InvalidVersionError(ecosystem, version, 'only ASCII characters are allowed');
  const v = normalizeComposer(version) ?? lenientNormal(version);
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
