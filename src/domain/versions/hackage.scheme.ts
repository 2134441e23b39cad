import type { VersionScheme } from './version-scheme.ts';
import { compareNumericLists, parseNumericList, type NumericVersion } from './numeric-list.ts';

/**
 * Hackage (and GHC) ordering: the Haskell Package Versioning Policy / Cabal's `Data.Version`: numbers separated by
 * `.`, compared as lists (`1.0` < `1.0.0` < `1.1`).
 */
export function parseHackage(version: string, ecosystem = 'Hackage'): NumericVersion {
  return parseNumericList(version, ecosystem, '.');
}

export const compareHackage = compareNumericLists;

export const hackageScheme: VersionScheme<NumericVersion> = { id: 'hackage', parse: (v) => parseHackage(v), compare: compareHackage };
