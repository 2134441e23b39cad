/**
 * Scanning: components against an advisory index, one result per (component, advisory), deterministically
 * sorted. Pure; the CLI and the HTTP layer do the I/O around it.
 */
import type { OsvSeverity } from '../../formats/osv.ts';
import { componentFromPurl } from '../purl/purl-ecosystem.ts';
import type { AdvisoryIndex } from './advisory-index.ts';

export interface ScanComponent {
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  bomRef?: string;
}

export interface ScanResult {
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  advisory: string;
  aliases: string[];
  severity: OsvSeverity[] | null;
  fixed: string | null;
}

export interface ScanUnmatched {
  ref: string;
  reason: string;
}

export interface ScanOutcome {
  results: ScanResult[];
  unmatched: ScanUnmatched[];
  /** Summaries of matched advisories by id, for renderers that show more than the JSON contract. */
  summaries: Map<string, string>;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function scanComponents(index: AdvisoryIndex, components: readonly ScanComponent[], onProgress?: (done: number) => void): ScanOutcome {
  const results: ScanResult[] = [];
  const unmatched: ScanUnmatched[] = [];
  const summaries = new Map<string, string>();
  components.forEach((c, i) => {
    let q;
    try {
      q = componentFromPurl(c.purl);
    } catch (err) {
      unmatched.push({ ref: c.bomRef ?? c.purl, reason: (err as Error).message });
      return;
    }
    const { matches, problems } = index.match(q);
    if (problems.length > 0) unmatched.push({ ref: c.bomRef ?? c.purl, reason: [...new Set(problems)].join('; ') });
    for (const m of matches) {
      if (m.advisory.summary) summaries.set(m.advisory.id, m.advisory.summary);
      results.push({
        purl: c.purl,
        ecosystem: c.ecosystem,
        name: c.name,
        version: c.version,
        advisory: m.advisory.id,
        aliases: [...m.advisory.aliases],
        severity: m.severity,
        fixed: m.fixed,
      });
    }
    if (onProgress && (i & 255) === 255) onProgress(i + 1);
  });
  results.sort((a, b) => byCodePoint(a.purl, b.purl) || byCodePoint(a.advisory, b.advisory));
  return { results, unmatched, summaries };
}
