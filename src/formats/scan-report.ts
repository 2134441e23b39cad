/** Human-readable renderings of scan results (table for terminals, Markdown for pull requests and tickets). */
import type { ScanOutcome, ScanResult, ScanUnmatched } from '../domain/matching/scan.ts';

export interface ReportOptions {
  /** Several SBOMs were scanned: each row names the SBOM it came from. */
  several?: boolean;
  /** How many components were actually checked against advisories (so "nothing found" says over what). */
  checked?: number;
}

/** A CVSS vector already names its version; other scores keep their OSV type so they are not mistaken for CVSS. */
export function severityText(r: ScanResult): string {
  if (!r.severity || r.severity.length === 0) return '-';
  return r.severity.map((s) => (/^CVSS:\d/.test(s.score) ? s.score : `${s.type}:${s.score}`)).join(' ');
}

function nothingFound(outcome: Pick<ScanOutcome, 'results' | 'unmatched'>, options: ReportOptions): string {
  // Never a bare "no vulnerabilities": say how many components that covers and how many were not looked at.
  const over = options.checked !== undefined ? ` in the ${options.checked} component(s) checked` : '';
  return outcome.unmatched.length
    ? `No known vulnerabilities found${over}; ${outcome.unmatched.length} component(s) could NOT be checked (see below).`
    : `No known vulnerabilities found${over}.`;
}

function unmatchedRef(u: ScanUnmatched, several: boolean): string {
  return several && u.sbom ? `${u.sbom}: ${u.ref}` : u.ref;
}

export function toTable(outcome: Pick<ScanOutcome, 'results' | 'unmatched'>, errors: number, options: ReportOptions = {}): string {
  const several = options.several === true;
  const lines: string[] = [];
  if (outcome.results.length === 0) lines.push(nothingFound(outcome, options));
  else {
    const head = [...(several ? ['sbom'] : []), 'package', 'installed', 'ecosystem', 'advisory', 'aliases', 'fixed in', 'severity'];
    const data = [
      head,
      ...outcome.results.map((r) => [
        ...(several ? [r.sbom ?? '-'] : []),
        r.name,
        r.version,
        r.ecosystem,
        r.advisory,
        r.aliases.join(', ') || '-',
        r.fixed ?? 'no fix yet',
        severityText(r),
      ]),
    ];
    // Severity is the last column and never cut: a truncated CVSS vector would read as a different score.
    const last = head.length - 1;
    const widths = head.map((_, i) => (i === last ? Infinity : Math.min(60, Math.max(...data.map((r) => r[i]!.length)))));
    const fmt = (r: string[]) => r.map((c, i) => (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + '…' : i === last ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
    lines.push(fmt(head), head.map((h, i) => '-'.repeat(i === last ? Math.max(...data.map((r) => r[i]!.length)) : widths[i]!)).join('  '), ...data.slice(1).map(fmt));
    const pkgs = new Set(outcome.results.map((r) => `${r.sbom ?? ''}\u0000${r.canonicalPurl}`)).size;
    lines.push('', `${outcome.results.length} finding(s) in ${pkgs} package(s).`);
  }
  if (outcome.unmatched.length) {
    lines.push('', `${outcome.unmatched.length} component(s) could not be checked:`);
    for (const u of outcome.unmatched) lines.push(`  ${unmatchedRef(u, several)}: ${u.reason}`);
  }
  if (errors) lines.push(`${errors} advisory problem(s) while loading (use --format json to list them).`);
  return lines.join('\n') + '\n';
}

function md(s: string): string {
  return s.replace(/[|\\`*_[\]<>]/g, (c) => '\\' + c);
}

export function toMarkdown(outcome: Pick<ScanOutcome, 'results' | 'unmatched'>, options: ReportOptions = {}): string {
  const several = options.several === true;
  const out: string[] = ['## Vulnerability scan', ''];
  if (outcome.results.length === 0) out.push(nothingFound(outcome, options), '');
  else {
    out.push(
      `| ${several ? 'SBOM | ' : ''}package | installed | advisory | aliases | severity | fixed in |`,
      `|${several ? '---|' : ''}---|---|---|---|---|---|`,
    );
    for (const r of outcome.results) {
      out.push(
        `| ${several ? `${md(r.sbom ?? '-')} | ` : ''}${md(r.name)} | ${md(r.version)} | [${md(r.advisory)}](https://osv.dev/vulnerability/${encodeURIComponent(r.advisory)}) | ${md(r.aliases.join(', ') || '-')} | ${md(severityText(r))} | ${md(r.fixed ?? 'no fix yet')} |`,
      );
    }
    out.push('');
  }
  if (outcome.unmatched.length) {
    out.push('### Not checked', '');
    for (const u of outcome.unmatched) out.push(`- ${several && u.sbom ? `${md(u.sbom)}: ` : ''}\`${u.ref.replace(/`/g, "'")}\`: ${md(u.reason)}`);
    out.push('');
  }
  return out.join('\n');
}
