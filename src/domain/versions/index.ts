import { InvalidInputError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { compareApk, parseApk } from './apk.scheme.ts';
import { compareCran, parseCran } from './cran.scheme.ts';
import { compareDpkg, parseDpkg } from './dpkg.scheme.ts';
import { compareHackage, parseHackage } from './hackage.scheme.ts';
import { compareMaven, parseMaven } from './maven.scheme.ts';
import { compareNuget, parseNuget } from './nuget.scheme.ts';
import { comparePackagist, parsePackagist } from './packagist.scheme.ts';
import { comparePep440, parsePep440 } from './pep440.scheme.ts';
import { comparePub, parsePub } from './pub.scheme.ts';
import { compareRpm, parseRpm } from './rpm.scheme.ts';
import { compareRubyGems, parseRubyGems } from './rubygems.scheme.ts';
import { compareSemver, parseSemver } from './semver.scheme.ts';

export type { VersionScheme } from './version-scheme.ts';

/** A scheme's parse, told which ecosystem it parses for so its errors can name it. */
type ParseFor<P> = (version: string, ecosystem: string) => P;

interface SchemeDef<P> {
  readonly id: string;
  readonly parse: ParseFor<P>;
  readonly compare: (a: P, b: P) => number;
}

function def<P>(id: string, parse: ParseFor<P>, compare: (a: P, b: P) => number): SchemeDef<unknown> {
  return { id, parse, compare } as SchemeDef<unknown>;
}

const SEMVER = def('semver', parseSemver, compareSemver);
const PEP440 = def('pep440', parsePep440, comparePep440);
const DPKG = def('dpkg', parseDpkg, compareDpkg);
const RPM = def('rpm', parseRpm, compareRpm);
const APK = def('apk', parseApk, compareApk);
const MAVEN = def('maven', parseMaven, compareMaven);
const NUGET = def('nuget', parseNuget, compareNuget);
const RUBYGEMS = def('rubygems', parseRubyGems, compareRubyGems);
const PACKAGIST = def('packagist', parsePackagist, comparePackagist);
const PUB = def('pub', parsePub, comparePub);
const HACKAGE = def('hackage', parseHackage, compareHackage);
const CRAN = def('cran', parseCran, compareCran);

/**
 * OSV ecosystem name (the part before the first `:`) → ordering rules. docs/versions.md says where each rule set
 * comes from and why each ecosystem uses it.
 */
const SCHEMES: ReadonlyMap<string, SchemeDef<unknown>> = new Map<string, SchemeDef<unknown>>([
  ['SemVer', SEMVER],
  ['npm', SEMVER],
  ['Go', SEMVER],
  ['crates.io', SEMVER],
  ['Bitnami', SEMVER],
  ['Julia', SEMVER],
  ['Hex', SEMVER],
  ['GitHub Actions', SEMVER],
  ['SwiftURL', SEMVER],
  ['Kubernetes', SEMVER],
  ['VSCode', SEMVER],
  ['PyPI', PEP440],
  ['Debian', DPKG],
  ['Ubuntu', DPKG],
  ['Red Hat', RPM],
  ['AlmaLinux', RPM],
  ['Rocky Linux', RPM],
  ['SUSE', RPM],
  ['openSUSE', RPM],
  ['Photon OS', RPM],
  ['openEuler', RPM],
  ['Mageia', RPM],
  ['Azure Linux', RPM],
  ['Amazon Linux', RPM],
  ['Oracle Linux', RPM],
  ['Alpine', APK],
  ['Wolfi', APK],
  ['Chainguard', APK],
  ['MinimOS', APK],
  ['Alpaquita', APK],
  ['BellSoft Hardened Containers', APK],
  ['Maven', MAVEN],
  ['NuGet', NUGET],
  ['RubyGems', RUBYGEMS],
  ['Packagist', PACKAGIST],
  ['Pub', PUB],
  ['Hackage', HACKAGE],
  ['GHC', HACKAGE],
  ['CRAN', CRAN],
  ['Bioconductor', CRAN],
]);

const bound = new Map<string, VersionScheme>();

/** The base ecosystem of an OSV ecosystem string: `Debian:12` → `Debian`, `Ubuntu:22.04:LTS` → `Ubuntu`. */
export function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon < 0 ? ecosystem : ecosystem.slice(0, colon);
}

/**
 * The version ordering for an OSV ecosystem, or undefined when we do not know it. Names are case-sensitive, as in
 * OSV (`PyPI`, `crates.io`, `npm`). The scheme's errors name the base ecosystem.
 */
export function versionSchemeFor(ecosystem: string): VersionScheme | undefined {
  const base = baseEcosystem(ecosystem);
  let scheme = bound.get(base);
  if (scheme) return scheme;
  const d = SCHEMES.get(base);
  if (!d) return undefined;
  const parse = d.parse;
  scheme = { id: d.id, parse: (v: string) => parse(v, base), compare: d.compare };
  bound.set(base, scheme);
  return scheme;
}

/** Every base ecosystem name we can order, sorted. */
export function knownEcosystems(): string[] {
  return [...SCHEMES.keys()].sort((a, b) => a.localeCompare(b, 'en'));
}

/** Like versionSchemeFor, but an unknown ecosystem is an InvalidInputError naming it and listing the known ones. */
export function requireVersionScheme(ecosystem: string): VersionScheme {
  const scheme = versionSchemeFor(ecosystem);
  if (!scheme) {
    throw new InvalidInputError(
      `unknown ecosystem ${JSON.stringify(ecosystem)}; known ecosystems: ${knownEcosystems().join(', ')}`,
      { ecosystem, knownEcosystems: knownEcosystems() },
    );
  }
  return scheme;
}

/**
 * Compares two version strings under an ecosystem's rules: negative, zero or positive. Throws InvalidVersionError
 * for a version the ecosystem cannot parse and InvalidInputError for an unknown ecosystem. For many comparisons,
 * parse once with versionSchemeFor(...).parse and compare the parsed forms instead.
 */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  const scheme = requireVersionScheme(ecosystem);
  return scheme.compare(scheme.parse(a), scheme.parse(b));
}
