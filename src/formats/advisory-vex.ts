/**
 * One published (or withdrawn) advisory as a VEX document: CycloneDX 1.6 (`advisoryToCycloneDxVex`) or OpenVEX 0.2.0
 * (`advisoryToOpenVex`). Pure: the caller supplies the clock, the publisher and the public base URL.
 *
 * Analysis state (CycloneDX): the publisher of an advisory says which versions of a package are vulnerable, not whether
 * a given product reaches the code, so a published advisory is `exploitable` ("the component is affected by the
 * vulnerability", per the CycloneDX VEX guide), with the fixed versions listed as `unaffected` in `affects[].versions`
 * rather than a document-wide `resolved` (which the guide reserves for a component that has been remediated, a claim
 * about a product, not a package). A withdrawn advisory says the vulnerability was wrongly associated with these
 * packages: `false_positive`. The OpenVEX mapping follows the same reading: `affected` per affected package with an
 * action statement, `fixed` for the fixed versions, and `not_affected` (with an impact statement) once withdrawn.
 *
 * The scan-report VEX (cyclonedx-vex.ts) keeps its CVSS method table private, so the small table is repeated here.
 */
import { createHash } from 'node:crypto';
import { packagePurl, purlWithVersion } from './osv-package-purl.ts';
import type { AdvisoryView } from '../services/advisory.service.ts';

export interface VexDocOptions {
  now: Date;
  publisherName: string;
  /** Public origin of this server, no trailing slash (https://clearinghouse.example.org). */
  baseUrl: string;
}

/** The parts of an AdvisoryView a VEX document is made from. */
export type VexSourceAdvisory = Pick<AdvisoryView, 'id' | 'state' | 'revision' | 'record' | 'severity' | 'publishedAt' | 'withdrawnAt' | 'organisationName'>;

// A record listing every kernel release must not make a document of hundreds of megabytes; the OSV record stays authoritative.
export const VEX_CAPS = { packages: 1000, versionsPerPackage: 2000, rangesPerPackage: 200 } as const;

const CVSS_METHOD: Record<string, string> = { '3.0': 'CVSSv3', '3.1': 'CVSSv31', '4.0': 'CVSSv4' };

/** vers schemes (https://github.com/package-url/vers-spec) whose version ordering is the OSV ecosystem's own. */
const VERS_SCHEME: Record<string, string> = {
  npm: 'npm', PyPI: 'pypi', Maven: 'maven', Go: 'golang', 'crates.io': 'cargo', NuGet: 'nuget', Packagist: 'composer',
  RubyGems: 'gem', Pub: 'pub', Hex: 'hex', Debian: 'deb', Ubuntu: 'deb', Alpine: 'alpine', 'Red Hat': 'rpm',
  AlmaLinux: 'rpm', 'Rocky Linux': 'rpm', SUSE: 'rpm', openSUSE: 'rpm',
};

interface LooseEvent { introduced?: unknown; fixed?: unknown; last_affected?: unknown; limit?: unknown }
interface LooseAffected {
  package?: { ecosystem?: unknown; name?: unknown; purl?: unknown };
  ranges?: { type?: unknown; events?: LooseEvent[] }[];
  versions?: unknown[];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** vers percent-encodes the characters that separate its constraints. */
function versPart(v: string): string {
  return v.replace(/[%|,\s<>=!*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

interface Pkg {
  ecosystem: string;
  name: string;
  purl: string | null;
  /** vers strings, one per introduced..end interval. */
  ranges: string[];
  listed: string[];
  fixed: string[];
}

/**
 * Each introduced..(fixed | last_affected | open) interval of an ECOSYSTEM or SEMVER range becomes its own vers
 * string, in the order the record gives them: vers wants every constraint of one string sorted by version, which
 * needs the ecosystem's ordering; separate strings need none. GIT ranges name commits, which vers cannot express;
 * the listed versions cover them.
 */
function packagesOf(record: { affected?: unknown }): Pkg[] {
  const out = new Map<string, Pkg>();
  const affected = Array.isArray(record.affected) ? (record.affected as LooseAffected[]) : [];
  for (const a of affected.slice(0, VEX_CAPS.packages)) {
    const ecosystem = str(a?.package?.ecosystem);
    const name = str(a?.package?.name);
    if (!ecosystem || !name) continue;
    const key = `${ecosystem}\u0000${name}`;
    let p = out.get(key);
    if (!p) out.set(key, (p = { ecosystem, name, purl: packagePurl(ecosystem, name, str(a.package?.purl)), ranges: [], listed: [], fixed: [] }));
    const scheme = VERS_SCHEME[ecosystem.split(':')[0]!] ?? null;
    for (const r of Array.isArray(a.ranges) ? a.ranges : []) {
      if (r?.type !== 'ECOSYSTEM' && r?.type !== 'SEMVER') continue;
      const s = r.type === 'SEMVER' && !scheme ? 'semver' : scheme;
      let lower: string | null = null;
      let open = false;
      const close = (constraint: string | null) => {
        if (!s || p!.ranges.length >= VEX_CAPS.rangesPerPackage) return;
        const parts = [lower && lower !== '0' ? `>=${versPart(lower)}` : null, constraint].filter((x) => x !== null);
        p!.ranges.push(`vers:${s}/${parts.length ? parts.join('|') : '*'}`);
      };
      for (const e of Array.isArray(r.events) ? r.events : []) {
        if (str(e?.introduced) !== null) {
          if (open) close(null);
          lower = str(e.introduced);
          open = true;
        } else if (str(e?.fixed) !== null) {
          const f = str(e.fixed)!;
          if (!p.fixed.includes(f) && p.fixed.length < VEX_CAPS.versionsPerPackage) p.fixed.push(f);
          if (open) close(`<${versPart(f)}`);
          open = false;
        } else if (str(e?.last_affected) !== null) {
          if (open) close(`<=${versPart(str(e.last_affected)!)}`);
          open = false;
        } else if (str(e?.limit) !== null) {
          if (open) close(`<${versPart(str(e.limit)!)}`);
          open = false;
        }
      }
      if (open) close(null);
    }
    for (const v of Array.isArray(a.versions) ? a.versions : []) {
      if (typeof v === 'string' && v !== '' && !p.listed.includes(v) && p.listed.length < VEX_CAPS.versionsPerPackage) p.listed.push(v);
    }
  }
  return [...out.values()];
}

/** RFC 4122 name-based form (version nibble 5, variant 10) of SHA-256(id, revision): the same revision, the same serial. */
export function vexSerialNumber(id: string, revision: number): string {
  const h = createHash('sha256').update(`clearinghouse-vex\u0000${id}\u0000${revision}`).digest('hex').slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const x = h.join('');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function advisoryUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/api/v1/advisories/${encodeURIComponent(id)}`;
}

function cweNumbers(record: { database_specific?: unknown }): number[] {
  const ds = record.database_specific as { cwe_ids?: unknown } | undefined;
  if (!ds || !Array.isArray(ds.cwe_ids)) return [];
  const out = new Set<number>();
  for (const c of ds.cwe_ids.slice(0, 100)) {
    const m = typeof c === 'string' ? /^CWE-(\d{1,6})$/i.exec(c.trim()) : null;
    if (m) out.add(Number(m[1]));
  }
  return [...out];
}

function isHttpUrl(u: unknown): u is string {
  if (typeof u !== 'string' || /\s/.test(u)) return false;
  try {
    const p = new URL(u);
    return p.protocol === 'https:' || p.protocol === 'http:';
  } catch {
    return false;
  }
}

export function advisoryToCycloneDxVex(view: VexSourceAdvisory, opts: VexDocOptions): Record<string, unknown> {
  const record = view.record as typeof view.record & Record<string, unknown>;
  const packages = packagesOf(record);
  const refs = packages.map((p, i) => p.purl ?? `pkg-${i + 1}:${p.ecosystem}/${p.name}`);
  // bom-refs must be unique; two records naming one purl under different ecosystems would collide.
  const seen = new Set<string>();
  const uniqueRefs = refs.map((r, i) => (seen.has(r) ? `${r}#${i + 1}` : (seen.add(r), r)));
  const components = packages.map((p, i) => {
    let group: string | undefined;
    let name = p.name;
    if (p.ecosystem === 'Maven' && p.name.includes(':')) [group, name] = [p.name.slice(0, p.name.indexOf(':')), p.name.slice(p.name.indexOf(':') + 1)];
    return {
      type: 'library',
      'bom-ref': uniqueRefs[i]!,
      ...(group ? { group } : {}),
      name,
      ...(p.purl ? { purl: p.purl } : {}),
      properties: [{ name: 'clearinghouse:osv-ecosystem', value: p.ecosystem }],
    };
  });
  const ratings = view.severity
    .filter((s) => CVSS_METHOD[s.version])
    .map((s) => ({ source: { name: opts.publisherName }, score: s.score, severity: s.rating, method: CVSS_METHOD[s.version]!, vector: s.vector }));
  const aliases = Array.isArray(record.aliases) ? record.aliases.filter((a): a is string => typeof a === 'string').slice(0, 100) : [];
  const advisories = ((Array.isArray(record.references) ? record.references : []) as { type?: unknown; url?: unknown }[])
    .filter((r): r is { type?: unknown; url: string } => isHttpUrl(r?.url))
    .slice(0, 500)
    .map((r) => ({ ...(typeof r.type === 'string' ? { title: r.type } : {}), url: r.url }));
  const cwes = cweNumbers(record);
  const withdrawn = view.state === 'withdrawn';
  const anyFix = packages.some((p) => p.fixed.length > 0);
  const affects = packages.map((p, i) => {
    const versions: Record<string, string>[] = [
      ...p.ranges.map((range) => ({ range, status: 'affected' })),
      // Without a vers scheme the ranges cannot be written, so the listed versions are the whole claim.
      ...(p.ranges.length === 0 ? p.listed.map((version) => ({ version, status: 'affected' })) : []),
      ...p.fixed.map((version) => ({ version, status: 'unaffected' })),
    ];
    return { ref: uniqueRefs[i]!, ...(versions.length ? { versions } : {}) };
  });
  const summary = str(record.summary);
  const details = str(record.details);
  const vulnerability: Record<string, unknown> = {
    'bom-ref': `vuln:${view.id}`,
    id: view.id,
    source: { name: opts.publisherName, url: advisoryUrl(opts.baseUrl, view.id) },
    ...(aliases.length
      ? { references: aliases.map((a) => ({ id: a, source: { url: `https://osv.dev/vulnerability/${encodeURIComponent(a)}` } })) }
      : {}),
    ...(ratings.length ? { ratings } : {}),
    ...(cwes.length ? { cwes } : {}),
    ...(summary ? { description: summary } : {}),
    ...(details ? { detail: details } : {}),
    ...(!withdrawn && anyFix ? { recommendation: packages.filter((p) => p.fixed.length).map((p) => `${p.name}: upgrade to ${p.fixed.join(' or ')}`).join('; ') } : {}),
    ...(advisories.length ? { advisories } : {}),
    ...(str(record.published) ? { published: record.published } : view.publishedAt ? { published: view.publishedAt } : {}),
    updated: record.modified,
    ...(withdrawn && (str(record.withdrawn) ?? view.withdrawnAt) ? { rejected: str(record.withdrawn) ?? view.withdrawnAt } : {}),
    analysis: withdrawn
      ? { state: 'false_positive', detail: `The advisory was withdrawn by ${opts.publisherName}${view.withdrawnAt ? ` on ${view.withdrawnAt}` : ''}: it does not apply to the listed packages.` }
      : { state: 'exploitable', detail: 'The listed package versions are affected, as published in the advisory; the fixed versions are not.' },
    affects,
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: vexSerialNumber(view.id, view.revision),
    version: Math.max(1, view.revision),
    metadata: {
      timestamp: opts.now.toISOString(),
      tools: { components: [{ type: 'application', name: 'clearinghouse' }] },
      supplier: { name: opts.publisherName, url: [opts.baseUrl] },
    },
    components,
    vulnerabilities: [vulnerability],
  };
}

export function advisoryToOpenVex(view: VexSourceAdvisory, opts: VexDocOptions): Record<string, unknown> {
  const record = view.record as typeof view.record & Record<string, unknown>;
  const packages = packagesOf(record);
  const aliases = Array.isArray(record.aliases) ? record.aliases.filter((a): a is string => typeof a === 'string').slice(0, 100) : [];
  const vulnerability = { '@id': advisoryUrl(opts.baseUrl, view.id), name: view.id, ...(aliases.length ? { aliases } : {}), ...(str(record.summary) ? { description: str(record.summary) } : {}) };
  const timestamp = record.modified;
  const statements: Record<string, unknown>[] = [];
  for (const p of packages) {
    if (!p.purl) continue; // OpenVEX products are identified by IRI; a package with no purl has none.
    const at = (versions: string[]) => versions.map((v) => purlWithVersion(p.purl!, v)).filter((x): x is string => x !== null).map((id) => ({ '@id': id }));
    if (view.state === 'withdrawn') {
      statements.push({
        vulnerability, timestamp, products: [{ '@id': p.purl }], status: 'not_affected',
        impact_statement: `The advisory was withdrawn by ${opts.publisherName}${view.withdrawnAt ? ` on ${view.withdrawnAt}` : ''}: it does not apply to this package.`,
      });
      continue;
    }
    // Listed versions name the affected products exactly; with only ranges, the package as a whole is named and the
    // action statement says which versions fix it.
    const affected = p.listed.length ? at(p.listed) : [{ '@id': p.purl }];
    statements.push({
      vulnerability, timestamp, products: affected, status: 'affected',
      action_statement: p.fixed.length ? `Upgrade ${p.name} to ${p.fixed.join(' or ')} or later.` : `No fixed version of ${p.name} is known yet; see the advisory for mitigations.`,
    });
    const fixed = at(p.fixed);
    if (fixed.length) statements.push({ vulnerability, timestamp, products: fixed, status: 'fixed' });
  }
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `${advisoryUrl(opts.baseUrl, view.id)}/vex?format=openvex&revision=${view.revision}`,
    author: opts.publisherName,
    role: 'Document Creator',
    timestamp: opts.now.toISOString(),
    last_updated: record.modified,
    version: Math.max(1, view.revision),
    tooling: 'clearinghouse',
    statements,
  };
}
