import type { VersionScheme } from './version-scheme.ts';
import { compareNumericLists, parseNumericList, type NumericVersion } from './numeric-list.ts';

/**
 * CRAN (and Bioconductor, whose packages are R packages) ordering: R's `package_version` / `numeric_version`:
 * non-negative integers separated by `.` or `-` (the two separators are equivalent), compared as lists, so
 * `0.1.0` < `0.1.0.0` and `1.0-1` = `1.0.1`. `package_version` wants two or more numbers, but `numeric_version`
 * takes one, and OSV ranges start at `introduced: "0"`, so a single number is accepted.
 */
export function parseCran(version: string, ecosystem = 'CRAN'): NumericVersion {
  return parseNumericList(version, ecosystem, '.-');
}

export const compareCran = compareNumericLists;

export const cranScheme: VersionScheme<NumericVersion> = { id: 'cran', parse: (v) => parseCran(v), compare: compareCran };
