import type { VersionScheme } from './version-scheme.ts';
import { comparePrerelease, splitSemverLike, splitSuffix, type Identifier } from './semver.scheme.ts';
import { cmpNum, type Num } from './version-text.ts';

/**
 * NuGet ordering (NuGet.Versioning's VersionComparer, docs "Package versioning"): SemVer 2.0 precedence with up to
 * four numeric parts (`1.0` = `1.0.0.0`, leading zeros ignored), prerelease labels compared case-insensitively,
 * build metadata ignored. Extra leniency follows the SemVer scheme (leading `v`, missing parts).
 */
export interface NugetVersion {
  readonly nums: readonly [Num, Num, Num, Num];
  readonly pre: readonly Identifier[] | null;
}

export function parseNuget(version: string, ecosystem = 'NuGet'): NugetVersion {
  const { nums, suffix } = splitSemverLike(ecosystem, version, 4);
  const { pre } = splitSuffix(suffix, true);
  return { nums: [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0, nums[3] ?? 0], pre };
}

export function compareNuget(a: NugetVersion, b: NugetVersion): number {
  for (let i = 0; i < 4; i++) {
    const d = cmpNum(a.nums[i]!, b.nums[i]!);
    if (d !== 0) return d;
  }
  return comparePrerelease(a.pre, b.pre);
}

export const nugetScheme: VersionScheme<NugetVersion> = { id: 'nuget', parse: (v) => parseNuget(v), compare: compareNuget };
