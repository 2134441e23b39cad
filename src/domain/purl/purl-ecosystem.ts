/**
 * purl -> OSV identity: which OSV ecosystem a purl type belongs to, the package name as OSV spells it, the distro
 * release for OS packages, and (for repositories pinned to a commit) what GIT ranges need.
 */
import { InvalidInputError } from '../errors.ts';
import { canonicalName, hasReleases, normaliseRelease, normaliseRepoUrl, pep503 } from '../matching/ecosystem.ts';
import { formatPurl, parsePurl, type Purl } from './purl.ts';

export interface OsvComponent {
  /** Canonical purl string. */
  purl: string;
  /** Base OSV ecosystem (`Debian`, `PyPI`, ...), or `GIT` for a bare repository pinned to a commit. */
  ecosystem: string;
  /** Package name as OSV writes it (Maven `group:artifact`, npm `@scope/name`, PyPI PEP 503, Go module path). */
  name: string;
  version: string;
  /** Normalised distro release from the `distro` qualifier, or null. */
  release: string | null;
  /** Why the `distro` qualifier names no release we can decide; the component is then matched against every release. */
  releaseProblem?: string;
  /** Canonical names to look up: the package itself and, for OS packages, its source package. */
  names: string[];
  commit?: string;
  repo?: string;
}

const SIMPLE: Record<string, string> = {
  npm: 'npm', pypi: 'PyPI', maven: 'Maven', golang: 'Go', cargo: 'crates.io', nuget: 'NuGet', composer: 'Packagist',
  gem: 'RubyGems', pub: 'Pub', hex: 'Hex', hackage: 'Hackage', cran: 'CRAN', bitnami: 'Bitnami', swift: 'SwiftURL',
  github: 'GitHub Actions', julia: 'Julia', conan: 'ConanCenter', opam: 'opam', bioconductor: 'Bioconductor',
  'vscode-extension': 'VSCode',
};

const DEB: Record<string, string> = { debian: 'Debian', ubuntu: 'Ubuntu' };
const APK: Record<string, string> = { alpine: 'Alpine', wolfi: 'Wolfi', chainguard: 'Chainguard', alpaquita: 'Alpaquita', minimos: 'MinimOS' };
const RPM: Record<string, string> = {
  redhat: 'Red Hat', rhel: 'Red Hat', almalinux: 'AlmaLinux', alma: 'AlmaLinux', rocky: 'Rocky Linux', rockylinux: 'Rocky Linux',
  suse: 'SUSE', sles: 'SUSE', opensuse: 'openSUSE', openeuler: 'openEuler', mageia: 'Mageia', photon: 'Photon OS',
  'azure linux': 'Azure Linux', azurelinux: 'Azure Linux', mariner: 'Azure Linux', amazon: 'Amazon Linux',
  amzn: 'Amazon Linux', amazonlinux: 'Amazon Linux', oracle: 'Oracle Linux', ol: 'Oracle Linux', oraclelinux: 'Oracle Linux',
};

/** Known purl types that OSV has no ecosystem for; named in the reason so users see it is not a parse failure. */
export function osvEcosystemFor(p: Purl): string | null {
  if (p.type === 'deb') return DEB[(p.namespace ?? '').toLowerCase()] ?? null;
  if (p.type === 'apk') return APK[(p.namespace ?? '').toLowerCase()] ?? null;
  if (p.type === 'rpm') return RPM[(p.namespace ?? '').toLowerCase()] ?? null;
  return SIMPLE[p.type] ?? null;
}

/** A source package named in syft/scalibr qualifiers: `source=pcre3`, `upstream=glibc@2.28`, `origin=zlib`. */
function sourceName(p: Purl): string | null {
  const q = p.qualifiers ?? {};
  const raw = q.source ?? q.upstream ?? q.origin ?? q.sourcerpm ?? null;
  if (!raw) return null;
  let s = raw.trim();
  const rpmSrc = /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(s);
  if (rpmSrc) return rpmSrc[1]!;
  s = s.replace(/@.*$/, '').replace(/\s*\(.*\)\s*$/, '');
  return s || null;
}

/**
 * Go release tags (`go1.21.0`, `go1.21`, `go1.22rc1`) as the SemVer the Go vulnerability database uses for its
 * `stdlib` and `toolchain` packages (`1.21.0`, `1.21.0`, `1.22.0-rc.1`), following golang/vulndb's conversion.
 * Anything else is left as written, so an odd version is reported by the ordering rather than guessed at.
 */
export function goReleaseToSemver(version: string): string {
  const m = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(version);
  if (!m) return version;
  const [, major, minor = '0', patch = '0', pre, n] = m;
  // go1.21 was the first release to print its `.0`: earlier minor releases were tagged without it.
  return `${major}.${minor}.${patch}${pre ? `-${pre}.${n}` : ''}`;
}

function joined(p: Purl, sep: string): string {
  return p.namespace ? `${p.namespace}${sep}${p.name}` : p.name;
}

/**
 * Maps a purl (string or parsed) to what matching needs. Throws InvalidPurlError for a bad purl and
 * InvalidInputError when it has no version or OSV has no ecosystem for it.
 */
export function componentFromPurl(input: string | Purl): OsvComponent {
  const p = typeof input === 'string' ? parsePurl(input) : input;
  const purl = formatPurl(p);
  const q = p.qualifiers ?? {};
  if (!p.version) throw new InvalidInputError(`purl ${purl} has no version`, { purl });
  let version = p.version;

  // A repository pinned to a commit can meet GIT ranges, whatever its ecosystem.
  let repo: string | undefined;
  if (p.type === 'github' || p.type === 'gitlab' || p.type === 'bitbucket') repo = normaliseRepoUrl(`${p.type === 'bitbucket' ? 'bitbucket.org' : p.type + '.com'}/${joined(p, '/')}`);
  else if (q.vcs_url) repo = normaliseRepoUrl(q.vcs_url.replace(/@[^@/]*$/, ''));
  const vcsCommit = q.vcs_url ? /@([0-9a-f]{40})$/i.exec(q.vcs_url)?.[1] : undefined;
  const commit = /^[0-9a-f]{40}$/i.test(version) ? version : vcsCommit;

  const ecosystem = osvEcosystemFor(p);
  if (!ecosystem) {
    if (repo && commit) return { purl, ecosystem: 'GIT', name: repo, version, release: null, names: [], commit, repo };
    const kind = ['deb', 'apk', 'rpm'].includes(p.type) ? `${p.type} namespace ${JSON.stringify(p.namespace ?? '')}` : `purl type ${JSON.stringify(p.type)}`;
    throw new InvalidInputError(`no OSV ecosystem for ${kind} (${purl})`, { purl });
  }

  let name: string;
  switch (p.type) {
    case 'npm':
    case 'golang':
    case 'composer':
    case 'swift':
    case 'github':
      name = joined(p, '/');
      break;
    case 'maven':
      name = joined(p, ':');
      break;
    case 'vscode-extension':
      name = joined(p, '.');
      break;
    case 'pypi':
      name = pep503(p.name);
      break;
    default:
      name = p.name;
  }
  if (p.type === 'rpm' && q.epoch && !version.includes(':')) version = `${q.epoch}:${version}`;
  if (p.type === 'golang' && !p.namespace && (p.name === 'stdlib' || p.name === 'toolchain')) version = goReleaseToSemver(version);

  const release = q.distro && hasReleases(ecosystem) ? normaliseRelease(ecosystem, q.distro) : null;
  const names = [canonicalName(ecosystem, name)];
  if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') {
    // OSV names the source package for distributions; look up both, results are merged per advisory.
    const src = sourceName(p);
    if (src && src !== name) names.push(canonicalName(ecosystem, src));
  }
  const out: OsvComponent = { purl, ecosystem, name, version, release, names };
  if (release === null && q.distro && hasReleases(ecosystem)) {
    out.releaseProblem = `cannot tell which ${ecosystem} release distro=${JSON.stringify(q.distro)} names: matched against every release`;
  }
  if (commit) out.commit = commit;
  if (repo) out.repo = repo;
  return out;
}
