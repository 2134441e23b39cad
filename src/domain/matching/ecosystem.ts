/**
 * OSV ecosystem strings carry an optional scope after the first colon: a distribution release (`Debian:12`,
 * `Alpine:v3.16`, `Ubuntu:Pro:22.04:LTS`, `AlmaLinux:9`) or, for a few language ecosystems, a registry URL
 * (`Maven:https://maven.google.com`). Matching compares a base ecosystem plus a normalised release key, so that a
 * component on `distro=debian-12` or `distro=bookworm` meets ranges published for `Debian:12`.
 */


export interface EcosystemRef {
  /** The ecosystem as listed by OSV, e.g. `Debian`, `Red Hat`, `PyPI`. */
  base: string;
  /** Normalised release key (see normaliseRelease), or null when the string names no release it can be held to. */
  release: string | null;
  /** Set when the string has a release suffix that normaliseRelease cannot decide: its ranges apply to every release. */
  releaseProblem?: string;
}

const DEBIAN_CODENAMES: Record<string, string> = {
  buzz: '1.1', rex: '1.2', bo: '1.3', hamm: '2.0', slink: '2.1', potato: '2.2', woody: '3.0', sarge: '3.1',
  etch: '4', lenny: '5', squeeze: '6', wheezy: '7', jessie: '8', stretch: '9', buster: '10', bullseye: '11',
  bookworm: '12', trixie: '13', forky: '14', duke: '15', sid: 'sid', unstable: 'sid',
};

const UBUNTU_CODENAMES: Record<string, string> = {
  trusty: '14.04', xenial: '16.04', bionic: '18.04', cosmic: '18.10', disco: '19.04', eoan: '19.10', focal: '20.04',
  groovy: '20.10', hirsute: '21.04', impish: '21.10', jammy: '22.04', kinetic: '22.10', lunar: '23.04',
  mantic: '23.10', noble: '24.04', oracular: '24.10', plucky: '25.04', questing: '25.10', resolute: '26.04',
};

/**
 * Distributions whose ecosystem suffix is a release a purl `distro` qualifier can name. Every other ecosystem's suffix
 * (a registry URL such as `Maven:https://maven.google.com`, FreeBSD's `ports`, Root's `PyPI`) does not narrow matching.
 * Rolling distributions (Wolfi, Chainguard, MinimOS, CleanStart, Echo, Docker Hardened Images) have no releases.
 */
const RELEASED = new Set([
  'Debian', 'Ubuntu', 'Alpine', 'Alpaquita', 'BellSoft Hardened Containers', 'AlmaLinux', 'Rocky Linux', 'Red Hat',
  'Mageia', 'openEuler', 'Photon OS', 'Azure Linux', 'SUSE', 'openSUSE', 'TuxCare', 'Amazon Linux', 'Oracle Linux',
  'SUSE Linux Enterprise Server', 'Root',
]);

/** A segment that is a release number, possibly after a word prefix: `9.2`, `rhel-9.2`, `el9`, `amazon_linux_2023`. */
const MAJOR_SEGMENT = /^(?:[a-z]+(?:[_ -][a-z]+)*[_ -]?)?(\d+)(?:\.\d+)*$/;

/** The first colon-separated segment that is a release number, as its major number. */
function majorOf(r: string): string | null {
  for (const seg of r.split(':')) {
    const m = MAJOR_SEGMENT.exec(seg.trim());
    if (m) return String(Number(m[1]));
  }
  return null;
}

/**
 * Reduces a release as written by OSV or by a purl `distro` qualifier to one comparable key per ecosystem, or null
 * when it cannot be decided (the caller reports that rather than guessing). Keys: Debian major (`sid` for unstable),
 * Ubuntu `YY.MM` (LTS, Pro and FIPS markers dropped: a Pro fix still tells a non-Pro host that it is affected),
 * Alpine `major.minor` (or `edge`), SUSE `major.servicepack` (`Linux Enterprise Server 15 SP5` and `sles-15.5` are
 * `15.5`), openSUSE `leap-15.5`, `leap-micro-5.5` or `tumbleweed`, openEuler `YY.MM` plus `-spN`, and the other RPM
 * distributions their major release. Red Hat suffixes are CPE remnants (`rhel_e4s:9.2::appstream`): the release is
 * the numeric segment after a RHEL product, or the `elN` segment of a layered product (`openshift:4.13::el9`).
 */
export function normaliseRelease(base: string, raw: string): string | null {
  const r = raw.trim().toLowerCase();
  if (r === '') return null;
  switch (base) {
    case 'Debian': {
      const d = r.replace(/^debian[-:]?/, '');
      if (DEBIAN_CODENAMES[d]) return DEBIAN_CODENAMES[d]!;
      const m = /^(\d+)(?:\.\d+)*$/.exec(d);
      return m ? String(Number(m[1])) : null;
    }
    case 'Ubuntu': {
      const parts = r.replace(/^ubuntu[-:]/, '').split(/[:-]/).filter((p) => p !== '' && !/^(?:ubuntu_)?(?:pro|lts|fips|esm|main|universe)$/.test(p));
      for (const p of parts) {
        if (UBUNTU_CODENAMES[p]) return UBUNTU_CODENAMES[p]!;
        const m = /^(\d{2}\.\d{2})(?:\.\d+)?$/.exec(p);
        if (m) return m[1]!;
      }
      return null;
    }
    case 'Alpine': {
      const a = r.replace(/^alpine[-:]?/, '').replace(/^v/, '');
      if (a === 'edge') return 'edge';
      const m = /^(\d+)\.(\d+)(?:\.\d+)*$/.exec(a);
      return m ? `${Number(m[1])}.${Number(m[2])}` : null;
    }
    case 'Alpaquita':
    case 'BellSoft Hardened Containers': {
      const a = r.replace(/^(?:alpaquita|bellsoft(?:[- ]hardened[- ]containers)?)[-:]?/, '');
      if (a === 'stream') return 'stream';
      const m = /^(\d+)(?:\.\d+)*$/.exec(a);
      return m ? String(Number(m[1])) : null;
    }
    case 'SUSE':
    case 'SUSE Linux Enterprise Server': {
      // The last `15 SP5`, `15.5` or `15:sp5` wins: product names can hold numbers (`Module for Python 3 15 SP5`).
      let key: string | null = null;
      for (const m of r.replace(/:+/g, ' ').matchAll(/(?:^|[^a-z0-9.])(\d+)(?:\.(\d+))?(?:[ _-]*sp(\d+))?(?=$|[^0-9.])/g)) {
        key = `${Number(m[1])}.${Number(m[2] ?? m[3] ?? 0)}`;
      }
      return key;
    }
    case 'openSUSE': {
      const o = r.replace(/^opensuse[- :]?/, '').replace(/[ _]+/g, '-');
      if (o.startsWith('tumbleweed')) return 'tumbleweed';
      const m = /^(leap(?:-micro)?)-(\d+\.\d+)(?:$|[^0-9.])/.exec(o);
      return m ? `${m[1]}-${m[2]}` : null;
    }
    case 'openEuler': {
      const m = /(?:^|[^0-9.])(\d{2}\.\d{2})(?:[-_ ]lts)?(?:[-_ ]sp(\d+))?(?:$|[^0-9.])/.exec(r);
      return m ? m[1]! + (m[2] ? `-sp${Number(m[2])}` : '') : null;
    }
    case 'Red Hat': {
      const segs = r.split(':').filter((s) => s !== '');
      const product = segs[0] ?? '';
      // A purl `distro` qualifier: `rhel-9.2`, `redhat-9`, `el9`, `9.2`.
      if (segs.length === 1) return /^(?:rhel|redhat|el)?[-_]?\d/.test(product) ? majorOf(product) : null;
      if (/^(?:enterprise_linux|rhel)/.test(product)) {
        for (const s of segs.slice(1)) if (/^\d+(?:\.\d+)*$/.test(s)) return String(Number(s.split('.')[0]));
        return null;
      }
      for (const s of segs) {
        const el = /^el(\d+)$/.exec(s);
        if (el) return String(Number(el[1]));
      }
      return null;
    }
    case 'Oracle Linux': {
      const m = /^ol(\d+)(?:$|[_:])/.exec(r);
      return m ? String(Number(m[1])) : majorOf(r);
    }
    case 'Amazon Linux': {
      const m = /(?:^|:)al(\d+)(?:$|[_:])/.exec(r);
      return majorOf(r) ?? (m ? String(Number(m[1])) : null);
    }
    case 'Root': {
      const i = r.indexOf(':');
      if (i < 0) return null;
      const sub = raw.trim().slice(0, i);
      const subBase = ROOT_BASES[sub.toLowerCase()];
      const rel = subBase ? normaliseRelease(subBase, raw.trim().slice(i + 1)) : null;
      return rel === null ? null : `${sub.toLowerCase()}-${rel}`;
    }
    default:
      return majorOf(r);
  }
}

const ROOT_BASES: Record<string, string> = { alpine: 'Alpine', debian: 'Debian', ubuntu: 'Ubuntu' };

/** Splits an OSV ecosystem string into base and normalised release. */
export function parseEcosystem(ecosystem: string): EcosystemRef {
  const i = ecosystem.indexOf(':');
  if (i < 0) return { base: ecosystem, release: null };
  const base = ecosystem.slice(0, i);
  if (!RELEASED.has(base)) return { base, release: null };
  const suffix = ecosystem.slice(i + 1);
  // Root's `Root:PyPI` names a package manager, not a release.
  if (base === 'Root' && !suffix.includes(':')) return { base, release: null };
  const release = normaliseRelease(base, suffix);
  if (release !== null) return { base, release };
  return { base, release: null, releaseProblem: `cannot tell which ${base} release ${JSON.stringify(ecosystem)} names: its ranges are applied to every release` };
}

/** Whether a purl `distro` value for this ecosystem can narrow matching (rolling distributions have no releases). */
export function hasReleases(base: string): boolean {
  return RELEASED.has(base);
}

/** Every base ecosystem with releases, for SQL that must pick their rows (the re-keying migration). */
export function releasedEcosystems(): string[] {
  return [...RELEASED];
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
