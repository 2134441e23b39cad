/**
 * Ordering for OSV `SEMVER` ranges: SemVer 2.0 precedence (section 11), parsed leniently the way OSV data needs.
 * Real records carry `2020.04.23` (leading zeros), `1.2` (missing patch) and Go's `v`-prefixed tags, so numeric
 * components may be fewer or more than three (missing ones count as 0) and one leading `v` is accepted.
 */
import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from '../versions/version-scheme.ts';

export interface SemverParsed {
  readonly nums: readonly number[];
  /** Pre-release identifiers (numbers for numeric ones); empty for a release. */
  readonly pre: readonly (string | number)[];
}

const SHAPE = /^[vV]?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): SemverParsed {
  const m = SHAPE.exec(version.trim());
  if (!m) throw new InvalidVersionError('SEMVER', version, 'not of the form MAJOR[.MINOR[.PATCH...]][-PRE][+BUILD]');
  const nums = m[1]!.split('.').map(Number);
  if (nums.some((n) => !Number.isSafeInteger(n))) throw new InvalidVersionError('SEMVER', version, 'numeric part too large');
  const pre: (string | number)[] = [];
  if (m[2] !== undefined) {
    for (const id of m[2].split('.')) {
      if (id === '') throw new InvalidVersionError('SEMVER', version, 'empty pre-release identifier');
      pre.push(/^\d+$/.test(id) && id.length < 16 ? Number(id) : id);
    }
  }
  return { nums, pre };
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compare(a: SemverParsed, b: SemverParsed): number {
  const n = Math.max(a.nums.length, b.nums.length);
  for (let i = 0; i < n; i++) {
    const d = (a.nums[i] ?? 0) - (b.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  const ap = a.pre, bp = b.pre;
  if (ap.length === 0) return bp.length === 0 ? 0 : 1;
  if (bp.length === 0) return -1;
  const m = Math.min(ap.length, bp.length);
  for (let i = 0; i < m; i++) {
    const d = compareIds(ap[i]!, bp[i]!);
    if (d !== 0) return d;
  }
  return ap.length - bp.length;
}

export const osvSemverScheme: VersionScheme<SemverParsed> = { id: 'osv-semver', parse, compare };
