import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, isDigitCode, isLetterCode, toNum, type Num } from './version-text.ts';

/**
 * RubyGems ordering: Gem::Version (rubygems/version.rb). `-` means `.pre.`; segments are the digit runs and letter
 * runs (`1.0.a10` → 1, 0, "a", 10; dots only separate); trailing zeros are dropped from the leading numeric part and
 * from the rest (`canonical_segments`); then segments compare pairwise, a missing one counting as 0: numbers
 * numerically, strings as bytes, and a string (a prerelease) below any number.
 *
 * Gem::Version only accepts digit runs joined by dots; like osv-scalibr we also accept letters glued to digits
 * (`1beta`), which RubyGems data does contain in old gems, and order them the same way.
 */
export type RubyGemsVersion = readonly (Num | string)[];

export function parseRubyGems(version: string, ecosystem = 'RubyGems'): RubyGemsVersion {
  checkVersionText(ecosystem, version);
  if (!isDigitCode(version.charCodeAt(0))) throw new InvalidVersionError(ecosystem, version, 'must start with a digit');
  const segments: (Num | string)[] = [];
  let i = 0;
  while (i < version.length) {
    const c = version.charCodeAt(i);
    const start = i;
    if (isDigitCode(c)) {
      while (i < version.length && isDigitCode(version.charCodeAt(i))) i++;
      segments.push(toNum(version.slice(start, i)));
    } else if (isLetterCode(c)) {
      while (i < version.length && isLetterCode(version.charCodeAt(i))) i++;
      segments.push(version.slice(start, i));
    } else if (c === 46 /* . */) {
      i++;
    } else if (c === 45 /* - */) {
      segments.push('pre');
      i++;
    } else {
      throw new InvalidVersionError(ecosystem, version, `invalid character ${JSON.stringify(version[i])}`);
    }
  }
  // canonical_segments: trim trailing zeros of the numeric head and of the rest separately.
  let firstString = segments.findIndex((s) => typeof s === 'string');
  if (firstString < 0) firstString = segments.length;
  const head = segments.slice(0, firstString);
  const tail = segments.slice(firstString);
  while (head.length > 0 && head[head.length - 1] === 0) head.pop();
  while (tail.length > 0 && tail[tail.length - 1] === 0) tail.pop();
  return head.concat(tail);
}

export function compareRubyGems(a: RubyGemsVersion, b: RubyGemsVersion): number {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a[i]! : 0;
    const y = i < b.length ? b[i]! : 0;
    if (x === y) continue;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export const rubyGemsScheme: VersionScheme<RubyGemsVersion> = { id: 'rubygems', parse: (v) => parseRubyGems(v), compare: compareRubyGems };
