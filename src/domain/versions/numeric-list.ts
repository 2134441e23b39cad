import { InvalidVersionError } from '../errors.ts';
import { checkVersionText, cmpNum, isDigitCode, toNum, type Num } from './version-text.ts';

/**
 * Versions that are plain lists of non-negative integers (Hackage, CRAN), compared element by element, a longer list
 * winning when one is a prefix of the other (`1.0` < `1.0.0`).
 */
export type NumericVersion = readonly Num[];

export function parseNumericList(version: string, ecosystem: string, separators: string): NumericVersion {
  checkVersionText(ecosystem, version);
  const out: Num[] = [];
  let start = 0;
  for (let i = 0; i <= version.length; i++) {
    const c = version.charCodeAt(i);
    if (i < version.length && isDigitCode(c)) continue;
    if (i < version.length && !separators.includes(version[i]!)) {
      throw new InvalidVersionError(ecosystem, version, `invalid character ${JSON.stringify(version[i])} (expected digits separated by ${[...separators].map((s) => JSON.stringify(s)).join(' or ')})`);
    }
    if (i === start) throw new InvalidVersionError(ecosystem, version, 'empty numeric component');
    out.push(toNum(version.slice(start, i)));
    start = i + 1;
  }
  return out;
}

export function compareNumericLists(a: NumericVersion, b: NumericVersion): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = cmpNum(a[i]!, b[i]!);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
