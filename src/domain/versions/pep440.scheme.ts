import pep440Version from '@renovatebot/pep440/lib/version.js';
import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, isAllDigits, isDigitCode, isPrintableAscii, toNum, type Num } from './version-text.ts';

/**
 * PyPI ordering: PEP 440 (packaging's Version), recognised with @renovatebot/pep440's VERSION_PATTERN (the PEP's
 * own regular expression). We read the numbers ourselves, exactly (the library turns them into doubles), and order
 * by packaging's key: epoch; release with trailing zeros ignored; then `X.devN` (no pre or post) < `aN` < `bN` <
 * `rcN` < the release < `.postN`; dev releases before their non-dev counterpart; a local label (`+abc.1`) after the
 * same public version, labels compared segment by segment (numbers above strings).
 *
 * Versions that are not PEP 440 are read as setuptools' legacy versions (packaging < 22 LegacyVersion) and sort
 * below every PEP 440 version, as they did in pip; OSV data still contains some. We only require such a version to
 * be printable ASCII with at least one letter or digit.
 */
const PEP440 = new RegExp('^' + pep440Version.VERSION_PATTERN + '$', 'i');

export interface Pep440Version {
  /** Legacy key (packaging's _legacy_cmpkey parts), or null for a PEP 440 version. */
  readonly legacy: readonly string[] | null;
  readonly epoch: Num;
  /** Release numbers without trailing zeros. */
  readonly release: readonly Num[];
  /** 0 = dev-only (sorts before any pre-release), 1 = a, 2 = b, 3 = rc, 4 = no pre-release. */
  readonly preRank: number;
  readonly preNum: Num;
  /** -1 when there is no post-release. */
  readonly post: Num;
  /** Infinity when there is no dev release. */
  readonly dev: Num;
  /** Local label segments (numbers or lower-case strings), null when absent. */
  readonly local: readonly (Num | string)[] | null;
}

const PRE_RANK: Record<string, number> = { a: 1, alpha: 1, b: 2, beta: 2, c: 3, rc: 3, pre: 3, preview: 3 };

export function parsePep440(version: string, ecosystem = 'PyPI'): Pep440Version {
  checkVersionText(ecosystem, version);
  const m = PEP440.exec(version);
  if (!m) return parseLegacy(version, ecosystem);
  const g = m.groups!;
  const release = g.release!.split('.').map(toNum);
  while (release.length > 0 && release[release.length - 1] === 0) release.pop();
  const hasPre = g.pre_l !== undefined;
  const postDigits = g.post_n1 ?? g.post_n2;
  const hasPost = g.post_l !== undefined || g.post_n1 !== undefined;
  const hasDev = g.dev_l !== undefined;
  const preRank = hasPre ? PRE_RANK[g.pre_l!.toLowerCase()]! : !hasPost && hasDev ? 0 : 4;
  return {
    legacy: null,
    epoch: g.epoch ? toNum(g.epoch) : 0,
    release,
    preRank,
    preNum: hasPre && g.pre_n ? toNum(g.pre_n) : 0,
    post: hasPost ? (postDigits ? toNum(postDigits) : 0) : -1,
    dev: hasDev ? (g.dev_n ? toNum(g.dev_n) : 0) : Infinity,
    local: g.local ? g.local.toLowerCase().split(/[-_.]/).map((s) => (isAllDigits(s) ? toNum(s) : s)) : null,
  };
}

const LEGACY_REPLACE: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' };

function parseLegacy(version: string, ecosystem: string): Pep440Version {
  if (!isPrintableAscii(version) || !/[0-9a-z]/i.test(version)) {
    throw new InvalidVersionError(ecosystem, version, 'not a PEP 440 version (nor a legacy one)');
  }
  const parts: string[] = [];
  // re.split with a capturing group: matched components and the text between them both count.
  const pieces = version.toLowerCase().split(/(\d+|[a-z]+|\.|-)/);
  pieces.push('final');
  for (let k = 0; k < pieces.length; k++) {
    let part = pieces[k]!;
    const last = k === pieces.length - 1;
    part = LEGACY_REPLACE[part] ?? part;
    if (part === '' || part === '.') continue;
    if (!last && isDigitCode(part.charCodeAt(0))) part = part.padStart(8, '0');
    else part = '*' + part;
    if (part.startsWith('*')) {
      if (part < '*final') while (parts.length > 0 && parts[parts.length - 1] === '*final-') parts.pop();
      while (parts.length > 0 && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return { legacy: parts, epoch: -1, release: [], preRank: 4, preNum: 0, post: -1, dev: Infinity, local: null };
}

function compareLists<T extends Num | string>(a: readonly T[], b: readonly T[], pad: T | undefined): number {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    if (pad === undefined && (i >= a.length || i >= b.length)) return a.length - b.length;
    const x = i < a.length ? a[i]! : pad!;
    const y = i < b.length ? b[i]! : pad!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareLocal(a: readonly (Num | string)[] | null, b: readonly (Num | string)[] | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  if (a.legacy !== null || b.legacy !== null) {
    if (a.legacy === null) return 1;
    if (b.legacy === null) return -1;
    return compareLists(a.legacy, b.legacy, undefined);
  }
  return (
    cmpNum(a.epoch, b.epoch) ||
    compareLists<Num>(a.release, b.release, 0) ||
    a.preRank - b.preRank ||
    cmpNum(a.preNum, b.preNum) ||
    cmpNum(a.post, b.post) ||
    cmpNum(a.dev, b.dev) ||
    compareLocal(a.local, b.local)
  );
}

export const pep440Scheme: VersionScheme<Pep440Version> = { id: 'pep440', parse: (v) => parsePep440(v), compare: comparePep440 };
