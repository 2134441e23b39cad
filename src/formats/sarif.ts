/** SARIF 2.1.0 rendering of scan results: one rule per advisory, one result per (component, advisory). */
import type { ScanResult, ScanUnmatched } from '../domain/matching/scan.ts';

export interface SarifOptions {
  /** The SBOM files scanned; used as the artifact each result points at. */
  artifacts: string[];
  summaries?: Map<string, string>;
  toolVersion?: string;
  /** Components that could not be checked: reported as tool execution notifications, never silently dropped. */
  unmatched?: readonly ScanUnmatched[];
}

function level(r: ScanResult): 'error' | 'warning' | 'note' {
  // A known fix makes the finding actionable now; without one it is still worth a warning.
  return r.fixed ? 'error' : 'warning';
}

export function toSarif(results: readonly ScanResult[], options: SarifOptions): Record<string, unknown> {
  const ruleIds = [...new Set(results.map((r) => r.advisory))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const sample = results.find((r) => r.advisory === id)!;
    const text = options.summaries?.get(id) ?? `Vulnerability ${id}`;
    const rule: Record<string, unknown> = {
      id,
      shortDescription: { text },
      helpUri: `https://osv.dev/vulnerability/${encodeURIComponent(id)}`,
      properties: { aliases: sample.aliases, tags: ['security', 'vulnerability'] },
    };
    return rule;
  });
  const artifact = options.artifacts[0] ?? 'sbom';
  const artifactIndex = new Map(options.artifacts.map((a, i) => [a, i]));
  const location = (sbom: string | undefined) => {
    const uri = sbom ?? artifact;
    const i = artifactIndex.get(uri);
    return i === undefined ? { uri } : { uri, index: i };
  };
  const notifications = (options.unmatched ?? []).map((u) => ({
    level: 'warning',
    message: { text: `${u.sbom ? `${u.sbom}: ` : ''}${u.ref} was not checked: ${u.reason}` },
    ...(u.sbom ? { locations: [{ physicalLocation: { artifactLocation: location(u.sbom) } }] } : {}),
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'clearinghouse',
            informationUri: 'https://clearinghouse.dev/',
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            rules,
          },
        },
        artifacts: options.artifacts.map((a) => ({ location: { uri: a } })),
        invocations: [{ executionSuccessful: true, ...(notifications.length ? { toolExecutionNotifications: notifications } : {}) }],
        results: results.map((r) => ({
          ruleId: r.advisory,
          ruleIndex: ruleIndex.get(r.advisory)!,
          level: level(r),
          message: {
            text: `${r.name} ${r.version} is affected by ${r.advisory}${r.aliases.length ? ` (${r.aliases.join(', ')})` : ''}; ${
              r.fixed ? `fixed in ${r.fixed}` : 'no fix yet'
            }.`,
          },
          locations: [
            {
              physicalLocation: { artifactLocation: location(r.sbom) },
              logicalLocations: [{ fullyQualifiedName: r.purl, kind: 'package' }],
            },
          ],
          // The canonical purl keeps the fingerprint stable however an SBOM spells the purl.
          partialFingerprints: { 'purlAdvisory/v1': `${r.canonicalPurl}|${r.advisory}` },
          properties: {
            purl: r.purl,
            canonicalPurl: r.canonicalPurl,
            ...(r.sbom !== undefined ? { sbom: r.sbom } : {}),
            ecosystem: r.ecosystem,
            fixed: r.fixed,
            severity: r.severity,
          },
        })),
      },
    ],
  };
}
