import type { VersionScheme } from './version-scheme.ts';
import { compareNumericLists, parseNumericList, type NumericVersion } from './numeric-list.ts';

/**
 * CRAN (and Bioconductor, whose packages are R packages) ordering: R's `package_version` / `numeric_version`:
 * at least two non-negative integers separated by `.` or `-` (the two separators are equivalent), compared as lists,
 * so `0.1.0` < `0.1.0.0` and `1.0-1` = `1.0.1`. R rejects `package_version("1")`, and so do we.
 */
export function parseCran(version: string, ecosystem = 'CRAN'): NumericVersion {
  return parseNumericList(version, ecosystem, '.-', 2);
}

export const compareCran = compareNumericLists;

export const cranScheme: VersionScheme<NumericVersion> = { id: 'cran', parse: (v) => parseCran(v), compare: compareCran };
