/**
 * CycloneDX 1.6 VEX rendering of scan results: the affected components, and one vulnerability per advisory with
 * `affects` pointing at them. We claim only what a version match shows: the state is `in_triage` (the product may
 * or may not reach the vulnerable code), with the fixed version as the recommendation.
 */
import { randomUUID } from 'node:crypto';
import type { ScanResult } from '../domain/matching/scan.ts';

const CVSS_METHOD: Record<string, string> = { CVSS_V2: 'CVSSv2', CVSS_V3: 'CVSSv31', CVSS_V4: 'CVSSv4' };

export interface VexOptions {
  now?: Date;
  serialNumber?: string;
  summaries?: Map<string, string>;
}

export function toCycloneDxVex(results: readonly ScanResult[], options: VexOptions = {}): Record<string, unknown> {
  const components = new Map<string, ScanResult>();
  for (const r of results) if (!components.has(r.purl)) components.set(r.purl, r);
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
      affects: rs.map((r) => ({ ref: r.purl, versions: [{ version: r.version, status: 'affected' }] })),
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
    components: [...components.values()].map((r) => ({ type: 'library', 'bom-ref': r.purl, name: r.name, version: r.version, purl: r.purl })),
    vulnerabilities,
  };
}
