/**
 * Which organisations a finding's product proposes as case participants (issue 9): vendors and maintainers declare
 * the products they answer for, as purl prefixes (`pkg:npm/@acme/`, `pkg:maven/com.acme/widget`) or CPE vendor and
 * product (`acme` / `widget`, or the vendor alone for all its products). Pure matching.
 */
import { encodePurlPart, formatPurl, parsePurl } from '../purl/purl.ts';

export const DECLARATION_LIMITS = { perOrganisation: 200, prefix: 300, cpePart: 100 } as const;

export interface PurlDeclaration {
  kind: 'purl';
  prefix: string;
}
export interface CpeDeclaration {
  kind: 'cpe';
  vendor: string;
  /** null: every product of the vendor. */
  product: string | null;
}
export type ProductDeclaration = PurlDeclaration | CpeDeclaration;

export class DeclarationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const CPE_PART = /^[a-z0-9][a-z0-9._\-~!%+]{0,99}$/;

/**
 * A purl prefix, canonical: `pkg:<type>/` followed by a namespace or name start. The type is lower-cased; a prefix
 * that is a whole purl (it parses) is printed canonically without version, qualifiers or subpath.
 */
export function normalisePurlPrefix(raw: unknown): { prefix: string; type: string } {
  if (typeof raw !== 'string' || !raw.trim()) throw new DeclarationError('purlPrefix', 'purlPrefix is required, like pkg:npm/@acme/ or pkg:maven/com.acme/');
  const t = raw.trim();
  if (t.length > DECLARATION_LIMITS.prefix) throw new DeclarationError('purlPrefix', `purlPrefix must be at most ${DECLARATION_LIMITS.prefix} characters`);
  const m = /^pkg:([A-Za-z][A-Za-z0-9.+-]*)\/(.*)$/.exec(t);
  if (!m) throw new DeclarationError('purlPrefix', `purlPrefix ${JSON.stringify(t)} must start with pkg:<type>/ (like pkg:npm/@acme/)`);
  const type = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (!rest) throw new DeclarationError('purlPrefix', 'purlPrefix must name at least a namespace or a package: a whole ecosystem is nobody\'s product');
  let segments: string[];
  try {
    segments = rest.split('/').map((seg) => decodeURIComponent(seg));
  } catch {
    throw new DeclarationError('purlPrefix', `purlPrefix ${JSON.stringify(t)} has a broken percent-encoding`);
  }
  // An npm scope is written @acme but stored encoded (%40acme); anything else after the first segment is a version.
  if (segments.some((seg, i) => /[?#]/.test(seg) || (seg.includes('@') && !(i === 0 && seg.startsWith('@') && seg.indexOf('@', 1) < 0)))) {
    throw new DeclarationError('purlPrefix', 'purlPrefix names packages: leave out the version, qualifiers and subpath');
  }
  if (!rest.endsWith('/')) {
    // A whole package name: canonical as the findings' stored purls are, so that they compare.
    try {
      const p = parsePurl(`pkg:${type}/${rest}`);
      return { prefix: formatPurl({ ...p, version: null, qualifiers: null, subpath: null }), type };
    } catch (err) {
      throw new DeclarationError('purlPrefix', `purlPrefix ${JSON.stringify(t)} is not a package URL: ${(err as Error).message}`);
    }
  }
  if (segments.slice(0, -1).some((seg) => seg === '')) throw new DeclarationError('purlPrefix', `purlPrefix ${JSON.stringify(t)} has an empty segment`);
  return { prefix: `pkg:${type}/${segments.slice(0, -1).map(encodePurlPart).join('/')}/`, type };
}

export function normaliseCpe(vendor: unknown, product: unknown): { vendor: string; product: string | null } {
  if (typeof vendor !== 'string' || !CPE_PART.test(vendor.trim().toLowerCase())) {
    throw new DeclarationError('cpe.vendor', 'cpe.vendor is the vendor part of a CPE 2.3 name, like acme (lower-case letters, digits, ._-)');
  }
  let p: string | null = null;
  if (product !== undefined && product !== null && product !== '*' && product !== '') {
    if (typeof product !== 'string' || !CPE_PART.test(product.trim().toLowerCase())) {
      throw new DeclarationError('cpe.product', 'cpe.product is the product part of a CPE 2.3 name, like widget (or leave it out for all the vendor\'s products)');
    }
    p = product.trim().toLowerCase();
  }
  return { vendor: vendor.trim().toLowerCase(), product: p };
}

/**
 * Does a package purl (stored without version) fall under a declared prefix? A prefix ending in `/` covers every
 * package below it; otherwise it names one package, which matches only itself (so `pkg:npm/acme` does not take
 * `pkg:npm/acme-evil`).
 */
export function purlMatches(purl: string, prefix: string): boolean {
  const p = purl.trim();
  const typeOf = (s: string) => /^pkg:([^/]+)\//.exec(s)?.[1]?.toLowerCase() ?? null;
  const type = typeOf(p);
  if (!type || type !== typeOf(prefix)) return false;
  // Stored purls spell @ in names as %40, so a bare @ starts the version.
  const body = p.slice(`pkg:${type}/`.length).replace(/[@?#].*$/, '');
  const want = prefix.slice(`pkg:${type}/`.length);
  return want.endsWith('/') ? body.startsWith(want) : body === want;
}

/** `cpe:2.3:a:vendor:product:...` -> vendor and product, lower-case; null when it does not name both. */
export function cpeParts(cpe: string): { vendor: string; product: string } | null {
  const parts = cpe.trim().toLowerCase().split(':');
  if (parts[0] !== 'cpe' || parts[1] !== '2.3' || parts.length < 5) return null;
  const vendor = parts[3]!;
  const product = parts[4]!;
  if (!vendor || !product || vendor === '*' || product === '*' || vendor === '-' || product === '-') return null;
  return { vendor, product };
}

export function cpeMatches(cpe: string, d: CpeDeclaration): boolean {
  const parts = cpeParts(cpe);
  return parts !== null && parts.vendor === d.vendor && (d.product === null || d.product === parts.product);
}

/** How a declaration matched a product, for the suggestion's reason. */
export function declarationMatches(product: { purl: string | null; cpe: string | null }, d: ProductDeclaration): boolean {
  if (d.kind === 'purl') return product.purl !== null && purlMatches(product.purl, d.prefix);
  return product.cpe !== null && cpeMatches(product.cpe, d);
}

export function describeDeclaration(d: ProductDeclaration): string {
  return d.kind === 'purl' ? d.prefix : `cpe:2.3:*:${d.vendor}:${d.product ?? '*'}`;
}
