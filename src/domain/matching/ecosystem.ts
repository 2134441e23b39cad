/**
 * OSV ecosystem strings carry an optional scope after the first colon: a distribution release (`Debian:12`,
 * `Alpine:v3.16`, `Ubuntu:Pro:22.04:LTS`, `AlmaLinux:9`) or, for a few language ecosystems, a registry URL
 * (`Maven:https://maven.google.com`). Matching compares a base ecosystem plus a normalised release key, so that a
 * component on `distro=debian-12` or `distro=bookworm` meets ranges published for `Debian:12`.
 */

export interface EcosystemRef {
  /** The ecosystem as listed by OSV, e.g. `Debian`, `Red Hat`, `PyPI`. */
  base: string;
  /** Normalised release key (see normaliseRelease), or null when the string names no release. */
  release: string | null;
}

/** Ecosystems whose suffix is a registry URL rather than a release: the suffix does not narrow matching. */
const REGISTRY_SUFFIXED = new Set(['Maven', 'Packagist', 'VSCode', 'Pub', 'npm', 'PyPI', 'NuGet']);

const DEBIAN_CODENAMES: Record<string, string> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10', bullseye: '11',
  bookworm: '12', trixie: '13', forky: '14', duke: '15',
};

const UBUNTU_CODENAMES: Record<string, string> = {
  trusty: '14.04', xenial: '16.04', bionic: '18.04', cosmic: '18.10', disco: '19.04', eoan: '19.10', focal: '20.04',
  groovy: '20.10', hirsute: '21.04', impish: '21.10', jammy: '22.04', kinetic: '22.10', lunar: '23.04',
  mantic: '23.10', noble: '24.04', oracular: '24.10', plucky: '25.04', questing: '25.10', resolute: '26.04',
};

/**
 * Reduces a release as written by OSV or by a purl `distro` qualifier to one comparable key per ecosystem:
 * Debian major (`12`; `sid` stays `sid`), Ubuntu `YY.MM` (LTS and Pro markers dropped: a Pro fix still tells a
 * non-Pro host that it is affected), Alpine `major.minor` without `v`, RPM distributions their major release.
 */
export function normaliseRelease(base: string, raw: string): string | null {
  let r = raw.trim().toLowerCase();
  if (r === '') return null;
  switch (base) {
    case 'Debian': {
      r = r.replace(/^debian[-:]?/, '');
      if (DEBIAN_CODENAMES[r]) return DEBIAN_CODENAMES[r]!;
      const m = /^(\d+)(?:\.\d+)*$/.exec(r);
      return m ? m[1]! : r;
    }
    case 'Ubuntu': {
      const parts = r.replace(/^ubuntu[-:]?/, '').split(':').filter((p) => p !== 'pro' && p !== 'lts' && p !== 'fips');
      const first = parts.find((p) => /^\d/.test(p) || UBUNTU_CODENAMES[p]) ?? parts[0] ?? '';
      if (UBUNTU_CODENAMES[first]) return UBUNTU_CODENAMES[first]!;
      const m = /^(\d+\.\d+)/.exec(first);
      return m ? m[1]! : first || null;
    }
    case 'Alpine':
    case 'Alpaquita': {
      r = r.replace(/^alpine[-:]?/, '').replace(/^v/, '');
      const m = /^(\d+\.\d+)/.exec(r);
      return m ? m[1]! : r;
    }
    case 'AlmaLinux':
    case 'Rocky Linux':
    case 'Red Hat':
    case 'Mageia':
    case 'openEuler':
    case 'Photon OS': {
      // Red Hat suffixes are CPE remnants such as `enterprise_linux:9::appstream`: the major release is the first number.
      const m = /(\d+)/.exec(r);
      return m ? m[1]! : r;
    }
    default:
      return r;
  }
}

/** Splits an OSV ecosystem string into base and normalised release. */
export function parseEcosystem(ecosystem: string): EcosystemRef {
  const i = ecosystem.indexOf(':');
  if (i < 0) return { base: ecosystem, release: null };
  const base = ecosystem.slice(0, i);
  if (REGISTRY_SUFFIXED.has(base)) return { base, release: null };
  return { base, release: normaliseRelease(base, ecosystem.slice(i + 1)) };
}

/** PEP 503 normalisation, which OSV requires for PyPI names. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The name under which a package is indexed, so that spellings the ecosystem treats as the same package meet.
 * Only ecosystems whose registries are case-insensitive are folded; the rest compare exactly.
 */
export function canonicalName(base: string, name: string): string {
  switch (base) {
    case 'PyPI':
      return pep503(name);
    case 'NuGet':
    case 'Packagist':
    case 'GitHub Actions':
    case 'SwiftURL':
      return name.toLowerCase();
    case 'crates.io':
      // crates.io treats `-` and `_` as the same crate and compares case-insensitively.
      return name.toLowerCase().replace(/_/g, '-');
    default:
      return name;
  }
}

/** Lower-cased host and path of a git repository URL, without scheme, credentials, `.git` or trailing slash. */
export function normaliseRepoUrl(url: string): string {
  let u = url.trim().replace(/^git\+/, '');
  u = u.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]+@/, '');
  u = u.replace(/^([^/:]+):(?!\d)/, '$1/'); // scp-like git@host:owner/repo
  u = u.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(/\.git$/i, '');
  return u.toLowerCase();
}
