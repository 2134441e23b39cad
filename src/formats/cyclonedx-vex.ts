/**
 * CycloneDX 1.6 VEX rendering of scan results: the affected components, and one vulnerability per advisory with
 * `affects` pointing at them. We claim only what a version match shows: the state is `in_triage` (the product may
 * or may not reach the vulnerable code), with the fixed version as the recommendation.
 */
import { randomUUID } from 'node:crypto';
import type { ScanResult, ScanUnmatched } from '../domain/matching/scan.ts';

const CVSS_METHOD: Record<string, string> = { CVSS_V2: 'CVSSv2', CVSS_V3: 'CVSSv31', CVSS_V4: 'CVSSv4' };

export interface VexOptions {
  now?: Date;
  serialNumber?: string;
  summaries?: Map<string, string>;
  /** Components that could not be checked; listed as document properties so a reader of the VEX sees the gap. */
  unmatched?: readonly ScanUnmatched[];
}

export function toCycloneDxVex(results: readonly ScanResult[], options: VexOptions = {}): Record<string, unknown> {
  // One component per canonical purl (several SBOMs may list it), named by the purl as the first SBOM wrote it.
  const components = new Map<string, { first: ScanResult; sboms: Set<string> }>();
  for (const r of results) {
    let c = components.get(r.canonicalPurl);
    if (!c) components.set(r.canonicalPurl, (c = { first: r, sboms: new Set() }));
    if (r.sbom !== undefined) c.sboms.add(r.sbom);
  }
  const refOf = (r: ScanResult) => components.get(r.canonicalPurl)!.first.purl;
  const byAdvisory = new Map<string, ScanResult[]>();
  for (const r of results) {
    const list = byAdvisory.get(r.advisory) ?? [];
    list.push(r);
    byAdvisory.set(r.advisory, list);
  }
  const vulnerabilities = [...byAdvisory.entries()].map(([id, rs]) => {
    const first = rs[0]!;
    const ratings = (first.severity ?? [])
      .filter((s) => CVSS_METHOD[s.type])
      .map((s) => ({ method: s.type === 'CVSS_V3' && s.score.startsWith('CVSS:3.0') ? 'CVSSv3' : CVSS_METHOD[s.type]!, vector: s.score }));
    const fixes = [...new Set(rs.map((r) => (r.fixed ? `${r.name}: upgrade to ${r.fixed}` : `${r.name}: no fix yet`)))];
    const v: Record<string, unknown> = {
      'bom-ref': `vuln:${id}`,
      id,
      source: { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` },
      ...(ratings.length ? { ratings } : {}),
      ...(options.summaries?.get(id) ? { description: options.summaries.get(id) } : {}),
      recommendation: fixes.join('; '),
      ...(first.aliases.length
        ? { references: first.aliases.map((a) => ({ id: a, source: { url: `https://osv.dev/vulnerability/${encodeURIComponent(a)}` } })) }
        : {}),
      analysis: { state: 'in_triage', detail: 'Installed version lies in an affected range of the advisory.' },
      affects: [...new Map(rs.map((r) => [refOf(r), { ref: refOf(r), versions: [{ version: r.version, status: 'affected' }] }])).values()],
    };
    return v;
  });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: (options.now ?? new Date()).toISOString(),
      tools: { components: [{ type: 'application', name: 'clearinghouse' }] },
    },
    components: [...components.values()].map(({ first: r, sboms }) => ({
      type: 'library',
      'bom-ref': r.purl,
      name: r.name,
      version: r.version,
      purl: r.purl,
      ...(sboms.size ? { properties: [...sboms].map((s) => ({ name: 'clearinghouse:sbom', value: s })) } : {}),
    })),
    vulnerabilities,
    ...(options.unmatched?.length
      ? { properties: options.unmatched.map((u) => ({ name: 'clearinghouse:not-checked', value: `${u.sbom ? `${u.sbom}: ` : ''}${u.ref}: ${u.reason}` })) }
      : {}),
  };
}
