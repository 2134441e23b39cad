import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, isDigitCode, isLetterCode, toNum, type Num } from './version-text.ts';

/**
 * RPM ordering: `[epoch:]version[-release]`, each part compared with rpm's `rpmvercmp` (lib/rpmvercmp.c; the
 * algorithm is described in rpm's docs and, step by step, in osv-scalibr's `semantic` package, whose cases we pass):
 * separators (anything but ASCII letters, digits, `~` and `^`) only delimit; `~` sorts before anything, even the end
 * of the string; `^` sorts after the end of the string but before anything else; digit runs compare numerically
 * (leading zeros ignored) and beat letter runs; letter runs compare as bytes; when one side runs out, the side with
 * something left is newer.
 *
 * As in rpm and scalibr, the epoch is only the text before the first `:` when that text is all digits (so
 * `1.module+el9:1` is all version); a missing epoch is 0. The release starts at the first `-` after the epoch.
 * rpm itself accepts nearly any text as a version, so we reject only what no ecosystem accepts.
 */
const TILDE = '~';
const CARET = '^';
/** Tokens: Num for a digit run, a string of letters for a letter run, TILDE or CARET. */
type Token = Num | string;

export interface RpmVersion {
  readonly epoch: readonly Token[];
  /** null when the part is the empty string (which rpmvercmp orders before any non-empty string). */
  readonly version: readonly Token[] | null;
  readonly release: readonly Token[] | null;
}

function tokenize(s: string): Token[] | null {
  if (s === '') return null;
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 126 || c === 94) {
      out.push(c === 126 ? TILDE : CARET);
      i++;
    } else if (isDigitCode(c)) {
      const start = i;
      while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
      out.push(toNum(s.slice(start, i)));
    } else if (isLetterCode(c)) {
      const start = i;
      while (i < s.length && isLetterCode(s.charCodeAt(i))) i++;
      out.push(s.slice(start, i));
    } else {
      i++;
    }
  }
  return out;
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return true;
}

export function parseRpm(version: string, ecosystem = 'Red Hat'): RpmVersion {
  checkVersionText(ecosystem, version);
  let epoch = '';
  let rest = version;
  const colon = version.indexOf(':');
  if (colon >= 0 && allDigits(version.slice(0, colon))) {
    epoch = version.slice(0, colon);
    rest = version.slice(colon + 1);
  }
  const dash = rest.indexOf('-');
  const v = dash < 0 ? rest : rest.slice(0, dash);
  // The release keeps its leading dash: `1-` has a (non-empty, token-less) release, which sorts after `1`.
  const r = dash < 0 ? '' : rest.slice(dash);
  return { epoch: tokenize(epoch === '' ? '0' : epoch)!, version: tokenize(v), release: tokenize(r) };
}

/** rpmvercmp over pre-tokenized strings. */
export function compareRpmTokens(a: readonly Token[] | null, b: readonly Token[] | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  let i = 0;
  let j = 0;
  for (;;) {
    const x = i < a.length ? a[i] : undefined;
    const y = j < b.length ? b[j] : undefined;
    if (x === TILDE || y === TILDE) {
      if (x !== y) return x === TILDE ? -1 : 1;
    } else if (x === CARET || y === CARET) {
      if (x !== y) {
        if (x === CARET) return y === undefined ? 1 : -1;
        return x === undefined ? -1 : 1;
      }
    } else {
      if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
      const xs = typeof x === 'string';
      const ys = typeof y === 'string';
      if (xs !== ys) return xs ? -1 : 1;
      if (x !== y) return x < y ? -1 : 1;
    }
    i++;
    j++;
  }
}

export function compareRpm(a: RpmVersion, b: RpmVersion): number {
  return compareRpmTokens(a.epoch, b.epoch) || compareRpmTokens(a.version, b.version) || compareRpmTokens(a.release, b.release);
}

export const rpmScheme: VersionScheme<RpmVersion> = { id: 'rpm', parse: (v) => parseRpm(v), compare: compareRpm };
