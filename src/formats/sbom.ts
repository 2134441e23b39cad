/**
 * SBOM intake: CycloneDX 1.4-1.6 (JSON and XML) and SPDX 2.x JSON. Pure: bytes or text in, components out. Every
 * component either comes out with an OSV identity or lands in `unmatched` with the reason, never silently dropped.
 * Reused by the HTTP upload endpoint, so structural faults are DomainError('invalid-sbom') with a message a person
 * can act on.
 */
import { XMLParser } from 'fast-xml-parser';
import { DomainError } from '../domain/errors.ts';
import { componentFromPurl } from '../domain/purl/purl-ecosystem.ts';

export type SbomFormat = 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx-json';

export interface SbomComponent {
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  bomRef?: string;
  /** The purl exactly as the SBOM wrote it, when that differs from the canonical `purl` (reports echo it). */
  writtenPurl?: string;
}

export interface SbomUnmatched {
  /** bom-ref, SPDXID, or the component's name when it has no reference. */
  ref: string;
  reason: string;
}

export interface ParsedSbom {
  format: SbomFormat;
  components: SbomComponent[];
  unmatched: SbomUnmatched[];
  /** The parsed JSON document (absent for XML), so the schema check need not parse the body again. */
  document?: unknown;
}

interface RawComponent {
  ref: string;
  bomRef: string | undefined;
  purl: string | undefined;
  name: string | undefined;
  version: string | undefined;
}

function invalid(message: string, details: Record<string, unknown> = {}): DomainError {
  return new DomainError('invalid-sbom', message, details);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (isObject(v) && typeof v['#text'] === 'string') return v['#text'];
  return undefined;
}

const CDX_VERSIONS = /^1\.[4-6]$/;

/**
 * Deepest nesting accepted, in JSON objects and arrays or XML elements. A CycloneDX component nested in another
 * costs two levels, so this allows some 60 levels of components, far beyond real assemblies, while a hostile
 * document cannot drive the recursive walks below (or the XML parser's) into a stack overflow.
 */
export const SBOM_MAX_DEPTH = 128;

function tooDeep(): DomainError {
  return invalid(`the SBOM is nested deeper than ${SBOM_MAX_DEPTH} levels, the most accepted`, { maxDepth: SBOM_MAX_DEPTH });
}

/** Depth check with an explicit stack, so the check itself cannot overflow. */
function checkJsonDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > SBOM_MAX_DEPTH) throw tooDeep();
    if (Array.isArray(v)) {
      for (const c of v) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
    } else if (v !== null && typeof v === 'object') {
      for (const k in v) {
        const c = (v as Record<string, unknown>)[k];
        if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
      }
    }
  }
}

const NUL = '\u0000';

function collectCycloneDx(list: unknown, out: RawComponent[], path: string): void {
  if (list === undefined || list === null || list === '') return;
  if (!Array.isArray(list)) throw invalid(`${path} must be an array of components`);
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(c)) throw invalid(`${at} is not a component object`);
    const name = str(c.name);
    const bomRef = str(c['bom-ref']) ?? str(c['@_bom-ref']);
    out.push({ ref: bomRef ?? name ?? at, bomRef, purl: str(c.purl), name, version: str(c.version) });
    const nested = c.components;
    if (nested !== undefined) {
      // XML nests as <components><component/>...</components>; JSON as an array.
      collectCycloneDx(isObject(nested) ? (nested.component ?? []) : nested, out, `${at}.components`);
    }
  });
}

function fromCycloneDxJson(doc: Record<string, unknown>): RawComponent[] {
  const spec = str(doc.specVersion);
  if (!spec || !CDX_VERSIONS.test(spec)) throw invalid(`unsupported CycloneDX specVersion ${JSON.stringify(doc.specVersion)} (1.4-1.6 expected)`);
  const out: RawComponent[] = [];
  collectCycloneDx(doc.components, out, 'components');
  return out;
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Versions such as 1.10 must stay strings.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'component',
  processEntities: true,
  // The parser counts open elements and refuses past this; we turn its error into our own message below.
  maxNestedTags: SBOM_MAX_DEPTH,
});

function fromCycloneDxXml(text: string): RawComponent[] {
  let doc: Record<string, unknown>;
  try {
    doc = xmlParser.parse(text, true) as Record<string, unknown>;
  } catch (err) {
    if (/nested tags/i.test((err as Error).message)) throw tooDeep();
    throw invalid(`not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const bom = doc.bom;
  if (!isObject(bom)) throw invalid('XML document has no CycloneDX <bom> root element');
  const ns = str(bom['@_xmlns']) ?? '';
  const m = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/.exec(ns);
  if (!m) throw invalid(`<bom> namespace ${JSON.stringify(ns)} is not a CycloneDX namespace`);
  if (!CDX_VERSIONS.test(m[1]!)) throw invalid(`unsupported CycloneDX version ${m[1]} (1.4-1.6 expected)`);
  const out: RawComponent[] = [];
  const comps = bom.components;
  if (comps !== undefined && comps !== '') {
    if (!isObject(comps)) throw invalid('<components> must contain <component> elements');
    collectCycloneDx(comps.component ?? [], out, 'components');
  }
  return out;
}

function fromSpdxJson(doc: Record<string, unknown>): RawComponent[] {
  const version = str(doc.spdxVersion) ?? '';
  if (!/^SPDX-2\.[0-3]$/.test(version)) throw invalid(`unsupported spdxVersion ${JSON.stringify(doc.spdxVersion)} (SPDX 2.x JSON expected)`);
  const packages = doc.packages ?? [];
  if (!Array.isArray(packages)) throw invalid('packages must be an array');
  return packages.map((p, i) => {
    if (!isObject(p)) throw invalid(`packages[${i}] is not an object`);
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs : [];
    const purlRef = refs.find((r) => isObject(r) && r.referenceType === 'purl' && typeof r.referenceLocator === 'string') as
      | Record<string, unknown>
      | undefined;
    return {
      ref: str(p.SPDXID) ?? str(p.name) ?? `packages[${i}]`,
      bomRef: str(p.SPDXID),
      purl: purlRef ? str(purlRef.referenceLocator) : undefined,
      name: str(p.name),
      version: str(p.versionInfo),
    };
  });
}

function detect(text: string, filenameHint?: string): SbomFormat | 'json' {
  const head = text.trimStart();
  if (head.startsWith('<') || /\.xml$/i.test(filenameHint ?? '')) return 'cyclonedx-xml';
  if (head.startsWith('{')) return 'json';
  throw invalid(`${filenameHint ?? 'input'} is neither JSON nor XML`);
}

/**
 * Parses an SBOM. `filenameHint` only helps format detection and error messages. Throws DomainError('invalid-sbom')
 * for a document we cannot read as a CycloneDX 1.4-1.6 or SPDX 2.x SBOM.
 */
export function parseSbom(input: Uint8Array | string, filenameHint?: string): ParsedSbom {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw invalid(`${filenameHint ?? 'SBOM'} is not valid UTF-8`);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let format = detect(text, filenameHint);
  let raw: RawComponent[];
  let document: unknown;
  if (format === 'cyclonedx-xml') raw = fromCycloneDxXml(text);
  else {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw invalid(`not valid JSON: ${(err as Error).message}`);
    }
    if (!isObject(doc)) throw invalid('SBOM JSON must be an object');
    checkJsonDepth(doc);
    document = doc;
    if (doc.bomFormat === 'CycloneDX') {
      format = 'cyclonedx-json';
      raw = fromCycloneDxJson(doc);
    } else if (typeof doc.spdxVersion === 'string') {
      format = 'spdx-json';
      raw = fromSpdxJson(doc);
    } else if (doc['@context'] !== undefined) throw invalid('SPDX 3 JSON-LD is not supported yet; export SPDX 2.3 JSON');
    else throw invalid('JSON is neither CycloneDX (bomFormat) nor SPDX (spdxVersion)');
  }
  const components: SbomComponent[] = [];
  const unmatched: SbomUnmatched[] = [];
  const seen = new Set<string>();
  for (const [i, c] of raw.entries()) {
    // PostgreSQL text cannot hold NUL; no real SBOM has one, so it is a fault to name, not a row to store.
    for (const field of ['bomRef', 'purl', 'name', 'version', 'ref'] as const) {
      if (c[field]?.includes(NUL)) throw invalid(`component ${i + 1} has a NUL character in its ${field === 'ref' || field === 'bomRef' ? 'reference' : field}`, { component: i + 1 });
    }
    if (!c.purl || c.purl.trim() === '') {
      unmatched.push({ ref: c.ref, reason: 'no purl' });
      continue;
    }
    try {
      const osv = componentFromPurl(c.purl);
      // A percent-encoded %00 decodes to NUL: not a package any advisory can name.
      if ([osv.purl, osv.version, osv.release ?? '', ...osv.names].some((x) => x.includes(NUL))) {
        unmatched.push({ ref: c.ref, reason: 'the purl decodes to a NUL character' });
        continue;
      }
      // The same package is often listed twice (per layer, per file): one identity, one result.
      const key = `${osv.ecosystem}\u0000${osv.release ?? ''}\u0000${osv.name}\u0000${osv.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const out: SbomComponent = { purl: osv.purl, ecosystem: osv.ecosystem, name: osv.name, version: osv.version };
      if (c.bomRef !== undefined) out.bomRef = c.bomRef;
      if (c.purl !== osv.purl) out.writtenPurl = c.purl;
      components.push(out);
    } catch (err) {
      unmatched.push({ ref: c.ref, reason: (err as Error).message });
    }
  }
  return { format: format as SbomFormat, components, unmatched, ...(document === undefined ? {} : { document }) };
}
