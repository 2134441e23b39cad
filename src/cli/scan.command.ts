/**
 * `clearinghouse scan --advisories <file|dir|zip> [--advisories ...] <sbom>...`
 * Offline scan of SBOMs against OSV advisories. Exit codes (a contract outside scripts rely on, see
 * docs/scanning.md): 1 when something is affected, 0 when nothing is, 2 on bad input (including advisories that
 * cover none of the SBOMs' ecosystems, where "nothing is affected" would be a claim about components never looked at).
 */
import { readFile, stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { AdvisoryIndex } from '../domain/matching/advisory-index.ts';
import { parseEcosystem } from '../domain/matching/ecosystem.ts';
import { scanComponents, type ScanComponent, type ScanUnmatched } from '../domain/matching/scan.ts';
import { loadAdvisories } from '../formats/advisory-source.ts';
import type { OsvRecord } from '../formats/osv.ts';
import { toCycloneDxVex } from '../formats/cyclonedx-vex.ts';
import { toSarif } from '../formats/sarif.ts';
import { toMarkdown, toTable } from '../formats/scan-report.ts';
import { parseSbom } from '../formats/sbom.ts';

type Format = 'table' | 'json' | 'markdown' | 'sarif' | 'cyclonedx-vex';

interface ScanOptions {
  advisories?: string[];
  format: Format;
}

/** A one-line progress indicator on stderr, drawn only for a person watching a terminal. */
class Progress {
  private readonly on = process.stderr.isTTY === true;
  private last = 0;
  update(label: string, done: number, total?: number): void {
    if (!this.on) return;
    const now = Date.now();
    if (now - this.last < 80 && (total === undefined || done < total)) return;
    this.last = now;
    let line = `${label} ${done}`;
    if (total) {
      const width = 24;
      const filled = Math.round((done / total) * width);
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    }
    process.stderr.write(`\r${line}\u001b[K`);
  }
  done(): void {
    if (this.on) process.stderr.write('\r\u001b[K');
  }
}

function badInput(message: string): void {
  process.stderr.write(`clearinghouse scan: ${message}\n`);
  process.exitCode = 2;
}

/** Base ecosystems and GIT ranges named by a record, so a scan can tell "nothing found" from "nothing loaded". */
function noteCoverage(record: OsvRecord, ecosystems: Set<string>, state: { gitRanges: boolean }): void {
  for (const a of record.affected) {
    if (a.package?.ecosystem) ecosystems.add(parseEcosystem(a.package.ecosystem).base);
    if (!state.gitRanges && a.ranges.some((r) => r.type === 'GIT')) state.gitRanges = true;
  }
}

export async function runScan(sboms: string[], opts: ScanOptions): Promise<void> {
  const sources = opts.advisories ?? [];
  if (sources.length === 0) return badInput('no advisories: give at least one --advisories <file|dir|zip>');
  if (sboms.length === 0) return badInput('no SBOM given');
  // A mistyped --advisories path would otherwise load nothing from it and scan against less than the user meant.
  for (const src of sources) {
    try {
      await stat(src);
    } catch (err) {
      return badInput(`cannot read --advisories ${src}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  // Read SBOMs first: a typo in a path should fail fast, before loading a large advisory set.
  const components: ScanComponent[] = [];
  const unmatched: ScanUnmatched[] = [];
  for (const file of sboms) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (err) {
      return badInput(`cannot read SBOM ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    let parsed;
    try {
      parsed = parseSbom(bytes, file);
    } catch (err) {
      return badInput(`${file}: ${(err as Error).message}`);
    }
    // parseSbom merges duplicates within one SBOM; across SBOMs each keeps its own results, named by `sbom`.
    for (const c of parsed.components) components.push({ ...c, sbom: file });
    for (const u of parsed.unmatched) unmatched.push({ sbom: file, ...u });
  }

  const progress = new Progress();
  const index = new AdvisoryIndex();
  const errors: { source: string; message: string }[] = [];
  const ecosystems = new Set<string>();
  const git = { gitRanges: false };
  let records = 0;
  for (const src of sources) {
    const summary = await loadAdvisories(src, (record, source) => {
      index.add(record, source);
      noteCoverage(record, ecosystems, git);
      records++;
      if ((records & 1023) === 0) progress.update('loading advisories', records);
    });
    errors.push(...summary.errors, ...summary.warnings);
  }
  // An archive built to attack its reader is bad input, not a partial result: stop with exit 2 naming the entry.
  const hostile = errors.find((e) => e.message.startsWith('hostile archive:'));
  if (hostile) return badInput(`${hostile.source}: ${hostile.message}`);
  for (const p of index.problems) errors.push({ source: p.source ?? p.advisory, message: `${p.advisory}: ${p.message}` });
  progress.done();
  if (records === 0) {
    for (const e of errors) process.stderr.write(`  ${e.source}: ${e.message}\n`);
    return badInput(`no advisories loaded from ${sources.join(', ')}`);
  }

  const outcome = scanComponents(index, components, {
    onProgress: (n) => progress.update('scanning', n, components.length),
    coverage: { ecosystems, gitRanges: git.gitRanges },
  });
  progress.done();
  const allUnmatched = [...unmatched, ...outcome.unmatched];

  // Loudly, on stderr whatever the format: components of an ecosystem no loaded advisory covers were not looked at.
  const uncovered = outcome.uncovered;
  for (const [eco, n] of [...uncovered].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    process.stderr.write(`clearinghouse scan: warning: no advisories loaded for ecosystem ${eco}: ${n} component(s) NOT checked (listed in unmatched)\n`);
  }
  const uncheckedCount = [...uncovered.values()].reduce((a, b) => a + b, 0);
  const checked = components.length - uncheckedCount;

  const several = sboms.length > 1;
  let out: string;
  switch (opts.format) {
    case 'json':
      out = JSON.stringify({ results: outcome.results, unmatched: allUnmatched, errors }, null, 2) + '\n';
      break;
    case 'markdown':
      out = toMarkdown({ results: outcome.results, unmatched: allUnmatched }, { several, checked });
      break;
    case 'sarif':
      out = JSON.stringify(toSarif(outcome.results, { artifacts: sboms, summaries: outcome.summaries, unmatched: allUnmatched }), null, 2) + '\n';
      break;
    case 'cyclonedx-vex':
      out = JSON.stringify(toCycloneDxVex(outcome.results, { summaries: outcome.summaries, unmatched: allUnmatched }), null, 2) + '\n';
      break;
    default:
      out = toTable({ results: outcome.results, unmatched: allUnmatched }, errors.length, { several, checked });
  }
  process.stdout.write(out);
  if (outcome.results.length === 0 && checked === 0 && uncheckedCount > 0) {
    // Exit 0 would tell a script "clean" about an SBOM none of whose components was looked at.
    process.stderr.write(`clearinghouse scan: none of the ${components.length} component(s) could be checked: the advisories given cover none of their ecosystems\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = outcome.results.length > 0 ? 1 : 0;
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('Scan SBOMs (CycloneDX 1.4-1.6 JSON/XML, SPDX 2.3 JSON) against OSV advisories, offline')
    .argument('<sbom...>', 'SBOM files to scan')
    .option('--advisories <path>', 'OSV advisories: a JSON file, a folder (recursive) or a zip; repeatable', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'sarif', 'cyclonedx-vex']).default('table'))
    .action(async (sboms: string[], opts: ScanOptions) => {
      await runScan(sboms, opts);
    });
}
