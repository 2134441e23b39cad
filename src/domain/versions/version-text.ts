import { InvalidVersionError } from '../errors.ts';

/**
 * Helpers shared by the schemes. Parsed forms keep numbers as `Num`: a plain number when it is exactly representable,
 * a bigint beyond that. JavaScript's relational operators compare number with bigint exactly and without allocating,
 * so comparators never need to know which one they hold.
 */
export type Num = number | bigint;

/**
 * Longest version any scheme accepts. Real versions are far shorter (the longest in the shared OSV data is about 100
 * characters); the cap keeps a hostile input from costing more than a bounded amount of parsing.
 */
export const MAX_VERSION_LENGTH = 256;

/** Rejects what no ecosystem accepts: empty, over-long, whitespace or control characters, broken UTF-16. */
export function checkVersionText(ecosystem: string, version: string): void {
  if (typeof version !== 'string') throw new InvalidVersionError(ecosystem, String(version), 'not a string');
  if (version.length === 0) throw new InvalidVersionError(ecosystem, version, 'empty version');
  if (version.length > MAX_VERSION_LENGTH) {
    throw new InvalidVersionError(ecosystem, version.slice(0, 64) + '…', `longer than ${MAX_VERSION_LENGTH} characters`);
  }
  for (let i = 0; i < version.length; i++) {
    const c = version.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && c <= 0x200f) || c === 0x2028 || c === 0x2029 || c === 0x3000) {
      throw new InvalidVersionError(ecosystem, version, `whitespace or control character at offset ${i}`);
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = version.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
      else throw new InvalidVersionError(ecosystem, version, `unpaired surrogate at offset ${i}`);
    }
  }
}

/** True when every character is printable ASCII (the alphabet most ecosystems restrict versions to). */
export function isPrintableAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** True when `s` is one or more ASCII digits. */
export function isAllDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return true;
}

/** Converts a run of ASCII digits (leading zeros allowed) to its exact value. */
export function toNum(digits: string): Num {
  if (digits.length <= 15) return Number(digits);
  const big = BigInt(digits);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

export function cmpNum(a: Num, b: Num): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit order, like C's strcmp on ASCII. */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
