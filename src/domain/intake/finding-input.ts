/**
 * A submitted finding, checked and normalised, and the keys that de-duplicate it (issue 9, docs/findings.md). Pure:
 * the parsers of src/formats/finding-*.ts produce `FindingDraft`s, the service checks them here, and the
 * repository looks the keys up.
 */
import { formatPurl, parsePurl } from '../purl/purl.ts';

export const FINDING_SOURCES = ['form', 'api', 'sarif', 'osv', 'csaf', 'avid'] as const;
export type FindingSource = (typeof FINDING_SOURCES)[number];

export const FINDING_LIMITS = {
  title: 300,
  description: 20_000,
  location: 1_000,
  productField: 500,
  aliases: 50,
  alias: 100,
  fingerprints: 20,
  fingerprint: 300,
  /** Findings in one request (form, API or a set of uploaded documents). */
  perRequest: 20_000,
} as const;

export interface FindingProductInput {
  /** A package URL; its version, qualifiers and subpath are dropped from the product key (the versions go apart). */
  purl?: string | null;
  /** Affected versions as free text (`< 2.4.1`, `>=1.0 <1.3`). */
  versions?: string | null;
  /** A CPE 2.3 name (`cpe:2.3:a:vendor:product:...`). */
  cpe?: string | null;
  /** A product name, when there is neither purl nor CPE (a hosted service, an AI model). */
  name?: string | null;
  /** The organisation that makes the product, when known. */
  organisationId?: string | null;
}

/** What every intake path (form, API, parsed documents) hands to the service. */
export interface FindingDraft {
  title: string;
  description: string;
  cwe?: string | null;
  product: FindingProductInput;
  location?: string | null;
  aliases?: string[];
  /** Tool fingerprints as `name=value` (SARIF `fingerprints` and `partialFingerprints`). */
  fingerprints?: string[];
  tool?: { name: string; version?: string | null; model?: string | null } | null;
}

export interface NormalisedFinding {
  title: string;
  description: string;
  cwe: string | null;
  product: { purl: string | null; versions: string | null; cpe: string | null; name: string | null; organisationId: string | null };
  location: string | null;
  aliases: string[];
  fingerprints: string[];
  tool: { name: string; version: string | null; model: string | null } | null;
}

export type DedupKind = 'fingerprint' | 'alias' | 'locus';
/** Why a report sits on its finding; `merged` and `split` are coordinators' decisions. */
export type DedupReason = 'first' | 'fingerprint' | 'alias' | 'product-cwe-location' | 'merged' | 'split';
export const REASON_OF_KIND: Record<DedupKind, DedupReason> = { fingerprint: 'fingerprint', alias: 'alias', locus: 'product-cwe-location' };
/** The order in which keys decide: a shared fingerprint is the strongest evidence, a shared locus the weakest. */
export const KEY_ORDER: readonly DedupKind[] = ['fingerprint', 'alias', 'locus'];

export interface DedupKey {
  kind: DedupKind;
  value: string;
}

/** A problem with one field of one finding: `field` is a path inside the draft (`product.purl`). */
export class FindingInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const CWE_RE = /^CWE-[1-9][0-9]{0,5}$/;
const ALIAS_RE = /^[A-Za-z][A-Za-z0-9._:-]{1,99}$/;

function text(v: unknown, field: string, max: number, required: boolean): string | null {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    if (required) throw new FindingInputError(field, `${field} is required`);
    return null;
  }
  if (typeof v !== 'string') throw new FindingInputError(field, `${field} must be a string`);
  // PostgreSQL text cannot hold NUL; said here, per field, rather than failing the whole upload at the database.
  if (v.includes('\u0000')) throw new FindingInputError(field, `${field} contains a NUL character, which is not accepted in text`);
  const t = v.trim();
  if (t.length > max) throw new FindingInputError(field, `${field} is longer than ${max} characters`);
  return t;
}

/** `CWE-79`, `cwe-079`, `79`, `external/cwe/cwe-79` (CodeQL's tag) -> `CWE-79`. */
export function normaliseCwe(v: string): string | null {
  const m = /(?:^|cwe[-_/]?)0*([1-9][0-9]{0,5})$/i.exec(v.trim());
  return m ? `CWE-${m[1]}` : null;
}

/** The purl without version, qualifiers and subpath, canonicalised (packageurl-js, through src/domain/purl). */
export function productPurl(purl: string): string {
  const p = parsePurl(purl);
  return formatPurl({ ...p, version: null, qualifiers: null, subpath: null } as typeof p);
}

/** `cpe:2.3:a:vendor:product:...` -> `vendor:product` (lower-case), the part that names the product. */
export function cpeProduct(cpe: string): string | null {
  const parts = cpe.trim().toLowerCase().split(':');
  if (parts[0] !== 'cpe' || parts[1] !== '2.3' || parts.length < 5 || !parts[3] || !parts[4] || parts[3] === '*' || parts[4] === '*') return null;
  return `${parts[3]}:${parts[4]}`;
}

/** Upper-case for CVE and GHSA-style ids so `cve-2024-1` and `CVE-2024-1` are one alias. */
export function normaliseAlias(a: string): string {
  return a.trim().toUpperCase();
}

export function normaliseFinding(d: FindingDraft): NormalisedFinding {
  if (d === null || typeof d !== 'object') throw new FindingInputError('', 'a finding must be an object');
  const title = text(d.title, 'title', FINDING_LIMITS.title, true)!;
  const description = text(d.description, 'description', FINDING_LIMITS.description, true)!;
  let cwe: string | null = null;
  const cweText = text(d.cwe, 'cwe', 40, false);
  if (cweText !== null) {
    cwe = normaliseCwe(cweText);
    if (!cwe || !CWE_RE.test(cwe)) throw new FindingInputError('cwe', `cwe ${JSON.stringify(cweText)} is not a CWE id like CWE-79`);
  }
  const p = d.product;
  if (!p || typeof p !== 'object') throw new FindingInputError('product', 'product is required: a purl, a CPE or a name');
  const f = FINDING_LIMITS.productField;
  let purl = text(p.purl, 'product.purl', f, false);
  if (purl !== null) {
    try {
      purl = productPurl(purl);
    } catch (err) {
      throw new FindingInputError('product.purl', `product.purl ${JSON.stringify(purl)} is not a package URL: ${(err as Error).message}`);
    }
  }
  const cpe = text(p.cpe, 'product.cpe', f, false);
  if (cpe !== null && !cpeProduct(cpe)) throw new FindingInputError('product.cpe', `product.cpe ${JSON.stringify(cpe)} is not a CPE 2.3 name with a vendor and a product (cpe:2.3:a:vendor:product:...)`);
  const name = text(p.name, 'product.name', f, false);
  if (purl === null && cpe === null && name === null) throw new FindingInputError('product', 'product needs a purl, a CPE or a name');
  const product = { purl, versions: text(p.versions, 'product.versions', f, false), cpe, name, organisationId: text(p.organisationId, 'product.organisationId', 100, false) };
  const location = text(d.location, 'location', FINDING_LIMITS.location, false);

  const aliasesIn = d.aliases ?? [];
  if (!Array.isArray(aliasesIn)) throw new FindingInputError('aliases', 'aliases must be an array of ids');
  if (aliasesIn.length > FINDING_LIMITS.aliases) throw new FindingInputError('aliases', `at most ${FINDING_LIMITS.aliases} aliases`);
  const aliases: string[] = [];
  for (const [i, a] of aliasesIn.entries()) {
    if (typeof a !== 'string' || !ALIAS_RE.test(a.trim())) throw new FindingInputError(`aliases[${i}]`, `alias ${JSON.stringify(a)} is not an id like CVE-2026-1234 or GHSA-xxxx-xxxx-xxxx`);
    const n = normaliseAlias(a);
    if (!aliases.includes(n)) aliases.push(n);
  }
  const fpsIn = d.fingerprints ?? [];
  if (!Array.isArray(fpsIn)) throw new FindingInputError('fingerprints', 'fingerprints must be an array of name=value strings');
  if (fpsIn.length > FINDING_LIMITS.fingerprints) throw new FindingInputError('fingerprints', `at most ${FINDING_LIMITS.fingerprints} fingerprints`);
  const fingerprints: string[] = [];
  for (const [i, fp] of fpsIn.entries()) {
    if (typeof fp !== 'string' || fp.trim() === '' || fp.length > FINDING_LIMITS.fingerprint || fp.includes('\u0000')) throw new FindingInputError(`fingerprints[${i}]`, `fingerprints[${i}] must be a non-empty string of at most ${FINDING_LIMITS.fingerprint} characters`);
    if (!fingerprints.includes(fp.trim())) fingerprints.push(fp.trim());
  }
  let tool: NormalisedFinding['tool'] = null;
  if (d.tool) {
    const toolName = text(d.tool.name, 'tool.name', 200, true)!;
    tool = { name: toolName, version: text(d.tool.version, 'tool.version', 100, false), model: text(d.tool.model, 'tool.model', 200, false) };
  }
  return { title, description, cwe, product, location, aliases, fingerprints, tool };
}

/** The product as one comparable key: purl, else CPE vendor:product, else the maker and the name. */
export function productKey(p: NormalisedFinding['product']): string {
  if (p.purl) return `purl:${p.purl}`;
  if (p.cpe) return `cpe:${cpeProduct(p.cpe)}`;
  return `name:${p.organisationId ?? ''}:${p.name!.toLowerCase()}`;
}

/**
 * The keys a finding is matched on. Fingerprints are kept per tool (two tools' hashes say nothing about each other);
 * the locus needs all three of product, CWE and location, since any two alone are common to distinct bugs.
 */
export function dedupKeys(f: NormalisedFinding): DedupKey[] {
  const keys: DedupKey[] = [];
  const tool = f.tool?.name.toLowerCase() ?? '';
  for (const fp of f.fingerprints) keys.push({ kind: 'fingerprint', value: `${tool}|${fp}` });
  for (const a of f.aliases) keys.push({ kind: 'alias', value: a });
  if (f.cwe && f.location) keys.push({ kind: 'locus', value: `${productKey(f.product)}|${f.cwe}|${f.location.toLowerCase()}` });
  return keys;
}

/** What the queue's search column holds: lower-cased title, product, aliases and CWE. */
export function searchText(f: NormalisedFinding): string {
  return [f.title, f.product.purl, f.product.cpe, f.product.name, f.cwe, ...f.aliases].filter(Boolean).join(' ').toLowerCase().slice(0, 2000);
}

export interface MatchCandidate {
  /** The finding a key belongs to: a stored finding's seq, or a pending one's index in this upload. */
  target: string;
  kind: DedupKind;
  value: string;
}

/**
 * Decides, for each finding of an upload in order, whether it is new or a duplicate and of what. `stored` maps a
 * key (`kind|value`) to the stored finding it belongs to (only findings the reporter may read); findings earlier in
 * the same upload count too, so an upload that repeats itself yields one finding.
 */
export function decideDuplicates(
  findings: readonly NormalisedFinding[],
  stored: ReadonlyMap<string, string>,
): { target: string | null; kind: DedupKind | null; matched: string | null }[] {
  const pending = new Map<string, string>();
  return findings.map((f, i) => {
    const keys = dedupKeys(f);
    for (const kind of KEY_ORDER) {
      for (const k of keys) {
        if (k.kind !== kind) continue;
        const id = `${k.kind}|${k.value}`;
        const hit = stored.get(id) ?? pending.get(id);
        if (hit !== undefined) {
          for (const other of keys) if (!pending.has(`${other.kind}|${other.value}`)) pending.set(`${other.kind}|${other.value}`, hit);
          return { target: hit, kind, matched: k.value };
        }
      }
    }
    for (const k of keys) pending.set(`${k.kind}|${k.value}`, `new:${i}`);
    return { target: null, kind: null, matched: null };
  });
}
