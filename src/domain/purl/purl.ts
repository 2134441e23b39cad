/**
 * Package URLs (https://github.com/package-url/purl-spec). Parsing and validation go through packageurl-js; the
 * canonical string is produced here because packageurl-js 2.0 percent-encodes `:` in qualifier values and
 * subpaths and leaves `+` in versions bare, both of which the spec's canonical form does the other way round
 * (see docs/scanning.md for the full list of differences and how we handle them).
 */
import { PackageURL } from 'packageurl-js';
import { DomainError } from '../errors.ts';

export interface Purl {
  type: string;
  namespace: string | null;
  name: string;
  version: string | null;
  qualifiers: Record<string, string> | null;
  subpath: string | null;
}

export class InvalidPurlError extends DomainError {
  constructor(readonly purl: string, reason: string) {
    super('invalid-purl', `invalid purl ${JSON.stringify(purl)}: ${reason}`, { purl });
  }
}

/**
 * Type rules of the purl spec that packageurl-js 2.0 does not enforce, found by running the spec's test suite.
 * Returns the reason a purl breaks one, or null.
 */
function typeRuleViolation(p: Purl): string | null {
  if (p.name.startsWith('@')) return 'name is empty';
  switch (p.type) {
    case 'cpan':
      return p.name.includes('::') ? 'cpan names are distribution names, not module names with "::"' : null;
    case 'vcpkg':
    case 'otp':
      return p.namespace ? `${p.type} purls have no namespace` : null;
    case 'vscode-extension':
      return p.namespace ? null : 'vscode-extension purls need the publisher as namespace';
    case 'julia':
      return p.qualifiers?.uuid ? null : 'julia purls need a uuid qualifier';
    case 'chrome-extension':
      if (!/^[a-p]{32}$/.test(p.name)) return 'chrome-extension ids are 32 letters a-p';
      return p.version !== null && !/^\d+(\.\d+){0,3}$/.test(p.version) ? 'chrome-extension versions are 1-4 numbers' : null;
    default:
      return null;
  }
}

function plain(p: PackageURL): Purl {
  const out: Purl = {
    type: p.type,
    namespace: p.namespace ?? null,
    name: p.name,
    version: p.version ?? null,
    qualifiers: p.qualifiers && Object.keys(p.qualifiers).length > 0 ? { ...p.qualifiers } : null,
    subpath: p.subpath ?? null,
  };
  if (out.type === 'git' && out.namespace && out.namespace.includes('/')) {
    // The git type keeps only the host as namespace; the repository path is the name.
    const segs = out.namespace.split('/');
    out.name = [...segs.slice(1), out.name].join('/');
    out.namespace = segs[0]!;
  }
  if (out.type === 'brew' || out.type === 'git') {
    out.name = out.name.toLowerCase();
    if (out.namespace) out.namespace = out.namespace.toLowerCase();
  }
  const violation = typeRuleViolation(out);
  if (violation) throw new Error(violation);
  return out;
}

/** Parses a purl string; throws InvalidPurlError with the library's reason. */
export function parsePurl(text: string): Purl {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidPurlError(String(text), 'empty');
  try {
    return plain(PackageURL.fromString(text.trim()));
  } catch (err) {
    throw new InvalidPurlError(text, (err as Error).message.replace(/^Invalid purl: /, ''));
  }
}

/** Validates and normalises components the way a builder would; throws InvalidPurlError. */
export function buildPurl(parts: {
  type: string | null | undefined;
  namespace?: string | null;
  name: string | null | undefined;
  version?: string | null;
  qualifiers?: Record<string, string> | null;
  subpath?: string | null;
}): Purl {
  try {
    return plain(new PackageURL(parts.type as string, parts.namespace, parts.name as string, parts.version, parts.qualifiers, parts.subpath));
  } catch (err) {
    throw new InvalidPurlError(`${parts.type ?? ''}/${parts.name ?? ''}`, (err as Error).message.replace(/^Invalid purl: /, ''));
  }
}

/** Percent-encoding of the spec: everything but ASCII letters, digits, `.-_~` and `:` is encoded. */
export function encodePurlPart(s: string): string {
  return encodeURIComponent(s)
    .replace(/%3A/gi, ':')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The canonical purl string: sorted qualifiers, empty ones dropped, spec percent-encoding. */
export function formatPurl(p: Purl): string {
  let s = 'pkg:' + p.type.toLowerCase() + '/';
  if (p.namespace) s += p.namespace.split('/').filter((x) => x !== '').map(encodePurlPart).join('/') + '/';
  s += p.type === 'git' ? p.name.split('/').map(encodePurlPart).join('/') : encodePurlPart(p.name);
  if (p.version) s += '@' + encodePurlPart(p.version);
  if (p.qualifiers) {
    const keys = Object.keys(p.qualifiers).filter((k) => p.qualifiers![k] !== '').sort();
    if (keys.length > 0) s += '?' + keys.map((k) => `${k.toLowerCase()}=${encodePurlPart(p.qualifiers![k]!)}`).join('&');
  }
  if (p.subpath) {
    const segs = p.subpath.split('/').filter((x) => x !== '' && x !== '.' && x !== '..');
    if (segs.length > 0) s += '#' + segs.map(encodePurlPart).join('/');
  }
  return s;
}

/** Parse then print canonically: the form we store and compare. */
export function canonicalPurl(text: string): string {
  return formatPurl(parsePurl(text));
}
