import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, isDigitCode, isLetterCode, toNum, type Num } from './version-text.ts';

/**
 * Debian version ordering, from Debian Policy §5.6.12 and deb-version(7): `[epoch:]upstream[-revision]`.
 * The epoch is compared numerically, then upstream, then revision, each with dpkg's `verrevcmp`: alternating runs of
 * non-digits (compared character by character, `~` before end-of-run before letters before everything else) and
 * digits (compared numerically, an empty run counting as 0). A missing revision equals `-0`.
 *
 * We reject what dpkg's parseversion reports as errors (empty parts, a non-numeric epoch, characters outside
 * dpkg's alphabet), but, like `dpkg --compare-versions`, accept an upstream that does not start with a digit.
 */
export interface DpkgVersion {
  readonly epoch: Num;
  /** Alternating [non-digit run encoded for ordering, number, non-digit run, number, ...]; always even length. */
  readonly upstream: readonly (string | Num)[];
  readonly revision: readonly (string | Num)[];
}

// A non-digit run is re-encoded so that plain string comparison gives dpkg's order: `~` → U+0001, the run's end →
// U+0002, letters keep their code, other characters move above all letters. The end marker terminates every run, so
// no encoded run is a proper prefix of another.
const END = '\u0002';

function encodeRun(s: string, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    out += c === 126 ? '\u0001' : isLetterCode(c) ? s[i] : String.fromCharCode(c + 0x100);
  }
  return out + END;
}

function tokenize(s: string): (string | Num)[] {
  const out: (string | Num)[] = [];
  let i = 0;
  while (i < s.length) {
    const start = i;
    while (i < s.length && !isDigitCode(s.charCodeAt(i))) i++;
    out.push(encodeRun(s, start, i));
    const numStart = i;
    while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
    out.push(numStart === i ? 0 : toNum(s.slice(numStart, i)));
  }
  return out;
}

function isUpstreamChar(c: number): boolean {
  // alphanumerics and . + - ~ : (a colon only appears here when an epoch was given, which the split guarantees)
  return isDigitCode(c) || isLetterCode(c) || c === 46 || c === 43 || c === 45 || c === 126 || c === 58;
}

function isRevisionChar(c: number): boolean {
  return isDigitCode(c) || isLetterCode(c) || c === 46 || c === 43 || c === 126;
}

export function parseDpkg(version: string, ecosystem = 'Debian'): DpkgVersion {
  checkVersionText(ecosystem, version);
  let rest = version;
  let epoch: Num = 0;
  const colon = version.indexOf(':');
  if (colon >= 0) {
    const e = version.slice(0, colon);
    if (e === '') throw new InvalidVersionError(ecosystem, version, 'epoch is empty');
    for (let i = 0; i < e.length; i++) {
      if (!isDigitCode(e.charCodeAt(i))) throw new InvalidVersionError(ecosystem, version, 'epoch is not a number');
    }
    epoch = toNum(e);
    rest = version.slice(colon + 1);
    if (rest === '') throw new InvalidVersionError(ecosystem, version, 'nothing after the epoch colon');
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash < 0 ? rest : rest.slice(0, dash);
  const revision = dash < 0 ? '' : rest.slice(dash + 1);
  if (upstream === '') throw new InvalidVersionError(ecosystem, version, 'upstream version is empty');
  if (dash >= 0 && revision === '') throw new InvalidVersionError(ecosystem, version, 'revision is empty');
  for (let i = 0; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isUpstreamChar(c) || (c === 58 && colon < 0)) {
      throw new InvalidVersionError(ecosystem, version, `invalid character ${JSON.stringify(upstream[i])} in upstream version`);
    }
  }
  for (let i = 0; i < revision.length; i++) {
    if (!isRevisionChar(revision.charCodeAt(i))) {
      throw new InvalidVersionError(ecosystem, version, `invalid character ${JSON.stringify(revision[i])} in revision`);
    }
  }
  return { epoch, upstream: tokenize(upstream), revision: tokenize(revision) };
}

function compareParts(a: readonly (string | Num)[], b: readonly (string | Num)[]): number {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i += 2) {
    const x = i < a.length ? (a[i] as string) : END;
    const y = i < b.length ? (b[i] as string) : END;
    if (x !== y) return x < y ? -1 : 1;
    const p = i < a.length ? (a[i + 1] as Num) : 0;
    const q = i < b.length ? (b[i + 1] as Num) : 0;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

export function compareDpkg(a: DpkgVersion, b: DpkgVersion): number {
  return cmpNum(a.epoch, b.epoch) || compareParts(a.upstream, b.upstream) || compareParts(a.revision, b.revision);
}

export const dpkgScheme: VersionScheme<DpkgVersion> = { id: 'dpkg', parse: (v) => parseDpkg(v), compare: compareDpkg };
