/**
 * Scanning: components against an advisory index, one result per (component, advisory), deterministically
 * sorted. Pure; the CLI and the HTTP layer do the I/O around it.
 */
import type { OsvSeverity } from '../osv/osv-record.ts';
import { componentFromPurl } from '../purl/purl-ecosystem.ts';
import type { AdvisoryIndex, MatchOutcome } from './advisory-index.ts';

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
  // SBOMs list the same purl many times over (one per module or layer): purl parsing costs more than matching, so
  // each distinct purl string is parsed and matched once.
  const seen = new Map<string, MatchOutcome | Error>();
  components.forEach((c, i) => {
    let outcome = seen.get(c.purl);
    if (outcome === undefined) {
      let q;
      try {
        q = componentFromPurl(c.purl);
      } catch (err) {
        q = err as Error;
      }
      outcome = q instanceof Error ? q : index.match(q);
      seen.set(c.purl, outcome);
    }
    if (outcome instanceof Error) {
      unmatched.push({ ref: c.bomRef ?? c.purl, reason: outcome.message });
      return;
    }
    const { matches, problems } = outcome;
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
