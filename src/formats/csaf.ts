/**
 * One advisory as a CSAF 2.0 `csaf_security_advisory` (OASIS CSAF 2.0, https://docs.oasis-open.org/csaf/csaf/v2.0/).
 * Pure: the caller supplies the publisher, the clock and the revision list. Every document made here must pass
 * `@secvisogram/csaf-validator-lib`'s strict schema test and all mandatory tests (test/formats/csaf.test.ts runs them
 * over every advisory shape in the shared data), so each choice below is made with a named test in mind.
 */
import { createHash } from 'node:crypto';
// @ts-expect-error the validator library ships JavaScript without type declarations
import { weaknesses } from '@secvisogram/csaf-validator-lib/cwe.js';
import { packagePurl, purlWithVersion } from './osv-package-purl.ts';

export type CsafTlp = 'WHITE' | 'GREEN' | 'AMBER' | 'RED';
export type LabelTlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';

/** The parts of an AdvisoryView (src/services/advisory.service.ts) a CSAF document is made from. */
export interface CsafSourceAdvisory {
  id: string;
  state: 'draft' | 'published' | 'withdrawn';
  organisationName: string;
  label: { tlp: LabelTlp };
  revision: number;
  record: { id: string; modified: string };
  severity: readonly { type: string; vector: string; version: string; score: number; rating: string }[];
  publishedAt: string | null;
  withdrawnAt: string | null;
}

export interface CsafRevision {
  revision: number;
  /** When this revision was released (the record's `modified` at that revision). */
  date: string;
  summary: string | null;
}

export interface CsafOptions {
  publisher: { name?: string; namespace: string; category: 'vendor' | 'coordinator' | 'other' };
  /** Where the document itself is served (the `self` reference); omitted when unknown. */
  selfUrl?: string;
  /** Revisions 1..n as the service knows them; missing ones are filled from the dates the view carries. */
  revisions?: readonly CsafRevision[];
  generator?: { name: string; version: string };
  now: Date;
}

/** CSAF 2.0 is bound to TLP 1.0 names: CLEAR was WHITE, and AMBER+STRICT has no TLP 1.0 counterpart but AMBER. */
export function csafTlp(tlp: LabelTlp): CsafTlp {
  switch (tlp) {
    case 'CLEAR': return 'WHITE';
    case 'GREEN': return 'GREEN';
    case 'AMBER':
    case 'AMBER+STRICT': return 'AMBER';
    default: return 'RED';
  }
}

/** CSAF 2.0 §5.1: the file name is the lower-cased tracking id with everything but `+`, `-`, a-z and 0-9 as `_`. */
export function csafFileName(id: string): string {
  return id.toLowerCase().replace(/[^+\-a-z0-9]/g, '_') + '.json';
}

// Caps keep a document from a record listing every kernel release within reason; the OSV record stays authoritative.
const MAX_PACKAGES = 500;
const MAX_REFERENCES = 500;
const MAX_RANGE_TEXT = 4000;

interface LooseEvent { introduced?: unknown; fixed?: unknown; last_affected?: unknown; limit?: unknown }
interface LooseRange { type?: unknown; repo?: unknown; events?: unknown }
interface LooseAffected { package?: { ecosystem?: unknown; name?: unknown; purl?: unknown }; ranges?: unknown; versions?: unknown }
interface LooseRecord {
  id: string; modified: string; published?: unknown; withdrawn?: unknown; aliases?: unknown; summary?: unknown;
  details?: unknown; affected?: unknown; references?: unknown; database_specific?: unknown; credits?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Stable across revisions and instances: the same package and version always get the same product id. */
function productId(...parts: string[]): string {
  return 'CSAFPID-' + createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16).toUpperCase();
}

/** The validator (6.1.13) parses purls with packageurl-js and the schema wants a URI: keep only what both accept. */
function helper(purl: string | null): { product_identification_helper?: { purl: string } } {
  if (!purl || /\s/.test(purl) || !/^pkg:[A-Za-z.\-+][A-Za-z0-9.\-+]*\/.+/.test(purl)) return {};
  return { product_identification_helper: { purl } };
}

/** 6.1.31 rejects product_version branches whose names read like ranges. */
function looksLikeRange(name: string): boolean {
  const n = name.toLowerCase();
  return ['<', '>', 'after', 'all', 'before', 'earlier', 'later', 'prior', 'versions'].some((s) => n.includes(s));
}

interface PackageAcc {
  ecosystem: string;
  name: string;
  purl: string | null;
  constraints: string[];
  listed: string[];
  fixed: Set<string>;
  hasLastAffected: boolean;
}

interface Product { name: string; product_id: string; product_identification_helper?: { purl: string } }
interface Branch { category: string; name: string; branches?: Branch[]; product?: Product }

function collectPackages(record: LooseRecord): PackageAcc[] {
  const byKey = new Map<string, PackageAcc>();
  for (const raw of arr(record.affected)) {
    if (byKey.size >= MAX_PACKAGES) break;
    const a = raw as LooseAffected;
    let ecosystem = str(a?.package?.ecosystem);
    let name = str(a?.package?.name);
    const ranges = arr(a?.ranges) as LooseRange[];
    if (!ecosystem || !name) {
      // Repository-only entries (GIT ranges) name the repository instead of a package.
      const repo = ranges.map((r) => str(r?.repo)).find((r) => r !== null);
      if (!repo) continue;
      ecosystem = 'GIT';
      name = repo;
    }
    const key = `${ecosystem}\u0000${name}`;
    let acc = byKey.get(key);
    if (!acc) {
      acc = { ecosystem, name, purl: packagePurl(ecosystem, name, str(a?.package?.purl)), constraints: [], listed: [], fixed: new Set(), hasLastAffected: false };
      byKey.set(key, acc);
    }
    for (const r of ranges) {
      let lower: string | null = null;
      for (const e of arr(r?.events) as LooseEvent[]) {
        const intro = str(e?.introduced);
        const fixed = str(e?.fixed);
        const last = str(e?.last_affected);
        const limit = str(e?.limit);
        if (intro !== null) lower = intro;
        const upper = fixed !== null ? `<${fixed}` : last !== null ? `<=${last}` : limit !== null ? `<${limit}` : null;
        if (fixed !== null) acc.fixed.add(fixed);
        if (last !== null) acc.hasLastAffected = true;
        if (upper !== null) {
          acc.constraints.push(lower && lower !== '0' ? `>=${lower}|${upper}` : upper);
          lower = null;
        }
      }
      if (lower !== null) acc.constraints.push(lower === '0' ? '*' : `>=${lower}`);
    }
    for (const v of arr(a?.versions)) if (str(v) !== null) acc.listed.push(v as string);
  }
  return [...byKey.values()];
}

/** A vers-style range for the affected versions (CSAF 2.0 recommends vers for product_version_range). */
function rangeText(p: PackageAcc): string {
  const scheme = p.purl ? p.purl.slice(4, p.purl.indexOf('/')).toLowerCase() : 'generic';
  let body = p.constraints.length > 0 ? [...new Set(p.constraints)].join('|') : [...new Set(p.listed)].join('|');
  if (body === '') body = '*';
  if (body.length > MAX_RANGE_TEXT) body = body.slice(0, MAX_RANGE_TEXT).replace(/\|[^|]*$/, '') + '|...';
  return `vers:${scheme}/${body}`;
}

const SYSTEM_NAMES: Record<string, string> = {
  GHSA: 'GitHub Security Advisories', GO: 'Go Vulnerability Database', PYSEC: 'PyPI Advisory Database', RUSTSEC: 'RustSec',
  OSV: 'OSV', DSA: 'Debian Security Advisories', DLA: 'Debian LTS Advisories', USN: 'Ubuntu Security Notices',
  ALSA: 'AlmaLinux Security Advisories', BIT: 'Bitnami Vulnerability Database', CVE: 'CVE',
};

function systemName(id: string): string {
  const prefix = id.split('-')[0] ?? id;
  return SYSTEM_NAMES[prefix] ?? (prefix || 'OSV');
}

const CVE_RE = /^CVE-[0-9]{4}-[0-9]{4,}$/;
const CWE_NAMES = new Map<string, string>((weaknesses as readonly { id: string; name: string }[]).map((w) => [w.id, w.name]));

/** The schema's `uri` format is strict RFC 3986; WHATWG URL parsing percent-encodes what would fail it. */
function safeUrl(u: unknown): string | null {
  const s = str(u);
  if (!s) return null;
  try {
    const url = new URL(s);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.href;
  } catch {
    return null;
  }
}

const REF_SUMMARY: Record<string, string> = {
  ADVISORY: 'Advisory', ARTICLE: 'Article', DETECTION: 'Detection', DISCUSSION: 'Discussion', REPORT: 'Report',
  FIX: 'Fix', INTRODUCED: 'Change that introduced the vulnerability', GIT: 'Repository', PACKAGE: 'Package',
  EVIDENCE: 'Evidence', WEB: 'Web page',
};

function isoDate(s: string | null | undefined, fallback: string): string {
  if (s && !Number.isNaN(Date.parse(s))) return new Date(Date.parse(s)).toISOString();
  return fallback;
}

/** Builds the CSAF 2.0 document. Deterministic for the same input and `now`. */
export function advisoryToCsaf(view: CsafSourceAdvisory, opts: CsafOptions): Record<string, unknown> {
  const record = view.record as LooseRecord;
  const nowIso = opts.now.toISOString();
  const current = isoDate(record.modified, nowIso);
  const initial = isoDate(view.publishedAt ?? str(record.published), current);
  const summary = str(record.summary);
  const details = str(record.details);
  const withdrawn = view.state === 'withdrawn' || str(record.withdrawn) !== null;

  // Products: per package one range product (known_affected) and one product per fixed version (fixed).
  const packages = collectPackages(record);
  const branches: Branch[] = [];
  const fullProductNames: Product[] = [];
  const affectedIds: string[] = [];
  const fixedIds: string[] = [];
  const remediations: Record<string, unknown>[] = [];
  const byVendor = new Map<string, Branch>();
  for (const p of packages) {
    let vendor = byVendor.get(p.ecosystem);
    if (!vendor) {
      vendor = { category: 'vendor', name: p.ecosystem, branches: [] };
      byVendor.set(p.ecosystem, vendor);
      branches.push(vendor);
    }
    const productBranch: Branch = { category: 'product_name', name: p.name, branches: [] };
    vendor.branches!.push(productBranch);
    const range = rangeText(p);
    const affectedId = productId(p.ecosystem, p.name, 'affected');
    affectedIds.push(affectedId);
    productBranch.branches!.push({
      category: 'product_version_range',
      name: range,
      product: { name: `${p.ecosystem} ${p.name} ${range}`, product_id: affectedId, ...helper(p.purl) },
    });
    const fixes = [...p.fixed];
    for (const v of fixes) {
      const id = productId(p.ecosystem, p.name, 'fixed', v);
      fixedIds.push(id);
      const product: Product = { name: `${p.ecosystem} ${p.name} ${v}`, product_id: id, ...helper(purlWithVersion(p.purl, v)) };
      if (looksLikeRange(v)) fullProductNames.push(product);
      else productBranch.branches!.push({ category: 'product_version', name: v, product });
    }
    if (fixes.length > 0) {
      remediations.push({
        category: 'vendor_fix',
        details: fixes.length === 1
          ? `Update ${p.name} (${p.ecosystem}) to version ${fixes[0]} or later.`
          : `Update ${p.name} (${p.ecosystem}) to a fixed version for your release line: ${fixes.join(', ')}.`,
        product_ids: [affectedId],
      });
    } else {
      remediations.push({
        category: 'none_available',
        details: `No fixed version of ${p.name} (${p.ecosystem}) is known to the publisher.`,
        product_ids: [affectedId],
      });
    }
  }
  // 6.1.27.4 and 6.1.27.6 want a product tree and a product status even when the record names no package.
  let unspecifiedId: string | null = null;
  if (packages.length === 0) {
    unspecifiedId = productId('unspecified', record.id);
    fullProductNames.push({ name: `Products affected by ${record.id} (not specified in the advisory)`, product_id: unspecifiedId });
  }
  const productTree: Record<string, unknown> = {};
  if (branches.length > 0) productTree.branches = branches;
  if (fullProductNames.length > 0) productTree.full_product_names = fullProductNames;

  // Identifiers: the first CVE is the vulnerability's `cve`; every other id goes into `ids`.
  const aliases = arr(record.aliases).map(str).filter((a): a is string => a !== null);
  const allIds = [...new Set([record.id, ...aliases])];
  const cve = allIds.find((a) => CVE_RE.test(a)) ?? null;
  const ids = allIds.filter((a) => a !== cve).map((a) => ({ system_name: systemName(a), text: a }));

  const dbs = record.database_specific && typeof record.database_specific === 'object' ? record.database_specific as Record<string, unknown> : {};
  const cweIds = arr(dbs.cwe_ids).map(str).filter((c): c is string => c !== null && CWE_NAMES.has(c));
  const cwe = cweIds[0] ? { id: cweIds[0], name: CWE_NAMES.get(cweIds[0])! } : null;

  // 6.1.7: one CVSS v3 score per product and version; the first 3.1 vector of the record is the one given.
  const v31 = view.severity.find((s) => s.version === '3.1' && s.vector.startsWith('CVSS:3.1/'));
  const scoredProducts = affectedIds.length > 0 ? affectedIds : unspecifiedId ? [unspecifiedId] : [];
  const scores = v31 && scoredProducts.length > 0
    ? [{ products: scoredProducts, cvss_v3: { version: '3.1', vectorString: v31.vector, baseScore: v31.score, baseSeverity: v31.rating.toUpperCase() } }]
    : [];

  const references: Record<string, unknown>[] = [];
  const seenUrls = new Set<string>();
  for (const r of arr(record.references)) {
    if (references.length >= MAX_REFERENCES) break;
    const ref = r as { type?: unknown; url?: unknown };
    const url = safeUrl(ref?.url);
    if (!url || seenUrls.has(url)) continue;
    seenUrls.add(url);
    references.push({ category: 'external', summary: REF_SUMMARY[String(ref.type)] ?? 'Reference', url });
  }

  const vulnNotes: Record<string, unknown>[] = [];
  if (details) vulnNotes.push({ category: 'description', title: 'Details', text: details });
  if (summary) vulnNotes.push({ category: 'summary', title: 'Summary', text: summary });
  if (vulnNotes.length === 0) vulnNotes.push({ category: 'general', text: `See ${record.id}.` });

  const productStatus: Record<string, string[]> = {};
  if (affectedIds.length > 0) productStatus.known_affected = affectedIds;
  if (fixedIds.length > 0) productStatus.fixed = fixedIds;
  if (unspecifiedId) productStatus.under_investigation = [unspecifiedId];

  const vulnerability: Record<string, unknown> = {
    ...(cve ? { cve } : {}),
    ...(cwe ? { cwe } : {}),
    ...(ids.length > 0 ? { ids } : {}),
    ...(summary ? { title: summary } : {}),
    release_date: initial,
    notes: vulnNotes,
    product_status: productStatus,
    ...(remediations.length > 0 ? { remediations } : {}),
    ...(scores.length > 0 ? { scores } : {}),
    ...(references.length > 0 ? { references } : {}),
  };

  const docNotes: Record<string, unknown>[] = [];
  if (summary) docNotes.push({ category: 'summary', title: 'Summary', text: summary });
  if (details) docNotes.push({ category: 'description', title: 'Details', text: details });
  if (withdrawn) {
    // CSAF 2.0 has no withdrawn status (2.1 adds one); the document stays final and says so, with its own revision.
    docNotes.push({ category: 'general', title: 'Withdrawn', text: `This advisory was withdrawn on ${isoDate(view.withdrawnAt ?? str(record.withdrawn), current)}. It no longer applies.` });
  }
  if (docNotes.length === 0) docNotes.push({ category: 'general', title: 'Advisory', text: `Security advisory ${record.id}.` });

  const docRefs: Record<string, unknown>[] = [];
  if (opts.selfUrl) docRefs.push({ category: 'self', summary: 'This CSAF document', url: opts.selfUrl });

  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      distribution: { tlp: { label: csafTlp(view.label.tlp), url: 'https://www.first.org/tlp/' } },
      lang: 'en',
      notes: docNotes,
      publisher: { category: opts.publisher.category, name: opts.publisher.name ?? view.organisationName, namespace: opts.publisher.namespace },
      ...(docRefs.length > 0 ? { references: docRefs } : {}),
      title: summary ? `${record.id}: ${summary}` : record.id,
      tracking: {
        current_release_date: current,
        generator: { date: nowIso, engine: { name: opts.generator?.name ?? 'Clearinghouse', ...(opts.generator?.version ? { version: opts.generator.version } : {}) } },
        id: view.id,
        initial_release_date: initial,
        revision_history: revisionHistory(view, opts.revisions ?? [], initial, current, withdrawn),
        status: 'final',
        version: String(Math.max(1, view.revision)),
      },
    },
    product_tree: productTree,
    vulnerabilities: [vulnerability],
  };
}

/**
 * 6.1.14 (sorted by date and number), 6.1.16 (latest number = tracking.version), 6.1.21 (no gaps), 6.1.22 (no
 * duplicates): entries 1..revision, dates never going backwards, known revisions taken as given.
 */
function revisionHistory(view: CsafSourceAdvisory, known: readonly CsafRevision[], initial: string, current: string, withdrawn: boolean) {
  const last = Math.max(1, view.revision);
  const byNumber = new Map(known.filter((r) => r.revision >= 1 && r.revision <= last).map((r) => [r.revision, r]));
  const out: { date: string; number: string; summary: string }[] = [];
  let floor = initial;
  for (let n = 1; n <= last; n++) {
    const k = byNumber.get(n);
    let date = k ? isoDate(k.date, n === 1 ? initial : current) : n === 1 ? initial : current;
    if (n === last && !k) date = current;
    if (date < floor) date = floor;
    floor = date;
    const fallback = n === 1 ? 'Initial release.' : n === last && withdrawn ? 'Withdrawn.' : 'Revised.';
    out.push({ date, number: String(n), summary: str(k?.summary) ?? fallback });
  }
  return out;
}
