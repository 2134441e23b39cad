import type { VersionScheme } from './version-scheme.ts';
import { compareIdentifiers, comparePrerelease, parseIdentifiers, splitSemverLike, splitSuffix, type Identifier } from './semver.scheme.ts';
import { cmpNum, type Num } from './version-text.ts';

/**
 * Pub (Dart) ordering, from pub_semver's Version.compareTo: SemVer precedence, except that build metadata counts:
 * a version with a build sorts after the same version without one, and builds compare like prerelease identifiers
 * (numbers numerically and before text). Leniency (leading `v`, missing or extra parts) follows the SemVer scheme.
 */
export interface PubVersion {
  readonly major: Num;
  readonly minor: Num;
  readonly patch: Num;
  readonly pre: readonly Identifier[] | null;
  readonly build: readonly Identifier[] | null;
}

export function parsePub(version: string, ecosystem = 'Pub'): PubVersion {
  const { nums, suffix } = splitSemverLike(ecosystem, version, 3);
  const { pre, build } = splitSuffix(suffix);
  return {
    major: nums[0] ?? 0,
    minor: nums[1] ?? 0,
    patch: nums[2] ?? 0,
    pre,
    build: build === '' ? null : parseIdentifiers(build),
  };
}

export function comparePub(a: PubVersion, b: PubVersion): number {
  const d = cmpNum(a.major, b.major) || cmpNum(a.minor, b.minor) || cmpNum(a.patch, b.patch) || comparePrerelease(a.pre, b.pre);
  if (d !== 0) return d;
  if (a.build === null) return b.build === null ? 0 : -1;
  if (b.build === null) return 1;
  return compareIdentifiers(a.build, b.build);
}

export const pubScheme: VersionScheme<PubVersion> = { id: 'pub', parse: (v) => parsePub(v), compare: comparePub };
