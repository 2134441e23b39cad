/**
 * Scanning: components against an advisory index, one result per (component, advisory), deterministically
 * sorted. Pure; the CLI and the HTTP layer do the I/O around it.
 */
import type { OsvSeverity } from '../osv/osv-record.ts';
import { componentFromPurl } from '../purl/purl-ecosystem.ts';
import type { AdvisoryIndex, MatchOutcome } from './advisory-index.ts';

export interface ScanComponent {
  /** Canonical purl. */
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  bomRef?: string;
  /** The purl as the SBOM wrote it, when it differs from the canonical one; reports echo it. */
  writtenPurl?: string;
  /** The SBOM the component came from, when the caller scans several. */
  sbom?: string;
}

export interface ScanResult {
  /** The purl as the SBOM wrote it, so a user can find the line in their SBOM. */
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  advisory: string;
  aliases: string[];
  severity: OsvSeverity[] | null;
  fixed: string | null;
  /** The canonical form (spec percent-encoding, sorted qualifiers): the form to compare and store. */
  canonicalPurl: string;
  /** The SBOM the component came from (present when the caller named it). */
  sbom?: string;
}

export interface ScanUnmatched {
  sbom?: string;
  ref: string;
  reason: string;
}

/**
 * What the loaded advisories cover. A component of an ecosystem with no advisories at all was not looked at, and
 * must not be reported as clean: it goes to `unmatched` with that reason.
 */
export interface ScanCoverage {
  /** Base OSV ecosystems (`Debian`, not `Debian:12`) named by at least one loaded advisory. */
  ecosystems: ReadonlySet<string>;
  /** Whether any loaded advisory has a GIT range (those can match a commit-pinned component of any ecosystem). */
  gitRanges: boolean;
}

export interface ScanOptions {
  onProgress?: (done: number) => void;
  coverage?: ScanCoverage;
}

export interface ScanOutcome {
  results: ScanResult[];
  unmatched: ScanUnmatched[];
  /** Summaries of matched advisories by id, for renderers that show more than the JSON contract. */
  summaries: Map<string, string>;
  /** Components not checked because no loaded advisory names their ecosystem, counted per ecosystem. */
  uncovered: Map<string, number>;
}

/** Marks a component whose ecosystem the loaded advisories do not cover. */
class Uncovered extends Error {
  constructor(readonly ecosystem: string) {
    super(`no advisories loaded for ecosystem ${ecosystem}: not checked`);
  }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function scanComponents(
  index: AdvisoryIndex,
  components: readonly ScanComponent[],
  options: ScanOptions | ((done: number) => void) = {},
): ScanOutcome {
  const { onProgress, coverage } = typeof options === 'function' ? { onProgress: options, coverage: undefined } : options;
  const results: ScanResult[] = [];
  const unmatched: ScanUnmatched[] = [];
  const summaries = new Map<string, string>();
  const uncovered = new Map<string, number>();
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
      if (q instanceof Error) outcome = q;
      else if (coverage && !coverage.ecosystems.has(q.ecosystem) && !(q.commit !== undefined && coverage.gitRanges)) {
        outcome = new Uncovered(q.ecosystem);
      } else outcome = index.match(q);
      seen.set(c.purl, outcome);
    }
    const ref = c.bomRef ?? c.writtenPurl ?? c.purl;
    const from = c.sbom !== undefined ? { sbom: c.sbom } : {};
    if (outcome instanceof Error) {
      if (outcome instanceof Uncovered) uncovered.set(outcome.ecosystem, (uncovered.get(outcome.ecosystem) ?? 0) + 1);
      unmatched.push({ ...from, ref, reason: outcome.message });
      return;
    }
    const { matches, problems } = outcome;
    if (problems.length > 0) unmatched.push({ ...from, ref, reason: [...new Set(problems)].join('; ') });
    for (const m of matches) {
      if (m.advisory.summary) summaries.set(m.advisory.id, m.advisory.summary);
      results.push({
        purl: c.writtenPurl ?? c.purl,
        ecosystem: c.ecosystem,
        name: c.name,
        version: c.version,
        advisory: m.advisory.id,
        aliases: [...m.advisory.aliases],
        severity: m.severity,
        fixed: m.fixed,
        // New fields go last: scripts written against the first contract see their fields where they were.
        canonicalPurl: c.purl,
        ...from,
      });
    }
    if (onProgress && (i & 255) === 255) onProgress(i + 1);
  });
  // Several SBOMs may list the same component: the SBOMs stay in the order given, after purl and advisory.
  const sbomOrder = new Map<string, number>();
  for (const c of components) if (c.sbom !== undefined && !sbomOrder.has(c.sbom)) sbomOrder.set(c.sbom, sbomOrder.size);
  const rank = (r: ScanResult) => (r.sbom === undefined ? -1 : sbomOrder.get(r.sbom)!);
  results.sort((a, b) => byCodePoint(a.purl, b.purl) || byCodePoint(a.advisory, b.advisory) || rank(a) - rank(b));
  return { results, unmatched, summaries, uncovered };
}
