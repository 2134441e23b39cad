/** Human-readable renderings of scan results (table for terminals, Markdown for pull requests and tickets). */
import type { ScanOutcome, ScanResult } from '../domain/matching/scan.ts';

function severityText(r: ScanResult): string {
  if (!r.severity || r.severity.length === 0) return '-';
  return r.severity.map((s) => `${s.type}:${s.score}`).join(' ');
}

function rows(results: readonly ScanResult[]): string[][] {
  return results.map((r) => [r.name, r.version, r.ecosystem, r.advisory, r.aliases.join(', ') || '-', r.fixed ?? 'no fix yet']);
}

const HEAD = ['package', 'installed', 'ecosystem', 'advisory', 'aliases', 'fixed in'];

export function toTable(outcome: Pick<ScanOutcome, 'results' | 'unmatched'>, errors: number): string {
  const lines: string[] = [];
  if (outcome.results.length === 0) lines.push('No known vulnerabilities found.');
  else {
    const data = [HEAD, ...rows(outcome.results)];
    const widths = HEAD.map((_, i) => Math.min(60, Math.max(...data.map((r) => r[i]!.length))));
    const fmt = (r: string[]) => r.map((c, i) => (c.length > widths[i]! ? c.slice(0, widths[i]! - 1) + '…' : c.padEnd(widths[i]!))).join('  ').trimEnd();
    lines.push(fmt(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...data.slice(1).map(fmt));
    const pkgs = new Set(outcome.results.map((r) => r.purl)).size;
    lines.push('', `${outcome.results.length} finding(s) in ${pkgs} package(s).`);
  }
  if (outcome.unmatched.length) lines.push(`${outcome.unmatched.length} component(s) could not be checked (use --format json for reasons).`);
  if (errors) lines.push(`${errors} advisory problem(s) while loading (use --format json to list them).`);
  return lines.join('\n') + '\n';
}

function md(s: string): string {
  return s.replace(/[|\\`*_[\]<>]/g, (c) => '\\' + c);
}

export function toMarkdown(outcome: Pick<ScanOutcome, 'results' | 'unmatched'>): string {
  const out: string[] = ['## Vulnerability scan', ''];
  if (outcome.results.length === 0) out.push('No known vulnerabilities found.', '');
  else {
    out.push('| package | installed | advisory | aliases | severity | fixed in |', '|---|---|---|---|---|---|');
    for (const r of outcome.results) {
      out.push(
        `| ${md(r.name)} | ${md(r.version)} | [${md(r.advisory)}](https://osv.dev/vulnerability/${encodeURIComponent(r.advisory)}) | ${md(r.aliases.join(', ') || '-')} | ${md(severityText(r))} | ${md(r.fixed ?? 'no fix yet')} |`,
      );
    }
    out.push('');
  }
  if (outcome.unmatched.length) {
    out.push('### Not checked', '');
    for (const u of outcome.unmatched) out.push(`- \`${u.ref.replace(/`/g, "'")}\`: ${md(u.reason)}`);
    out.push('');
  }
  return out.join('\n');
}
