import { buildPurl, formatPurl, parsePurl } from '../domain/purl/purl.ts';

/**
 * The purl of an OSV `affected[].package`, for documents that identify products by purl (CSAF product identification
 * helpers, CycloneDX components, OpenVEX products). One place, so every channel names a package the same way.
 */

/** OSV ecosystems with a one-to-one purl type, for records that carry no `purl` of their own. */
const PURL_TYPE: Record<string, string> = {
  npm: 'npm', PyPI: 'pypi', Maven: 'maven', Go: 'golang', 'crates.io': 'cargo', NuGet: 'nuget', Packagist: 'composer',
  RubyGems: 'gem', Pub: 'pub', Hex: 'hex', Hackage: 'hackage', CRAN: 'cran', Bitnami: 'bitnami', 'GitHub Actions': 'github',
};

/** The version-less purl of a package: the record's own purl when it gives one, else built from ecosystem and name. */
export function packagePurl(ecosystem: string, name: string, given: string | null): string | null {
  try {
    if (given) {
      const p = parsePurl(given);
      return formatPurl({ ...p, version: null, qualifiers: null, subpath: null } as typeof p);
    }
    const type = PURL_TYPE[ecosystem.split(':')[0]!];
    if (!type) return null;
    if (type === 'maven' || type === 'golang' || type === 'composer' || type === 'github' || (type === 'npm' && name.startsWith('@'))) {
      const sep = type === 'maven' ? name.indexOf(':') : name.lastIndexOf('/');
      if (sep <= 0) return type === 'maven' ? null : formatPurl(buildPurl({ type, name }));
      return formatPurl(buildPurl({ type, namespace: name.slice(0, sep), name: name.slice(sep + 1) }));
    }
    return formatPurl(buildPurl({ type, name }));
  } catch {
    return null;
  }
}

export function purlWithVersion(purl: string | null, version: string): string | null {
  if (!purl) return null;
  try {
    return formatPurl({ ...parsePurl(purl), version });
  } catch {
    return null;
  }
}
