/**
 * `clearinghouse scan --advisories <file|dir|zip> [--advisories ...] <sbom>...`
 * Offline scan of SBOMs against OSV advisories. Exit codes (a contract outside scripts rely on, see
 * docs/scanning.md): 1 when something is affected, 0 when nothing is, 2 on bad input.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { AdvisoryIndex } from '../domain/matching/advisory-index.ts';
import { scanComponents, type ScanComponent, type ScanUnmatched } from '../domain/matching/scan.ts';
import { loadAdvisories } from '../formats/advisory-source.ts';
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

export async function runScan(sboms: string[], opts: ScanOptions): Promise<void> {
  const sources = opts.advisories ?? [];
  if (sources.length === 0) return badInput('no advisories: give at least one --advisories <file|dir|zip>');
  if (sboms.length === 0) return badInput('no SBOM given');

  // Read SBOMs first: a typo in a path should fail fast, before loading a large advisory set.
  const components: ScanComponent[] = [];
  const unmatched: (ScanUnmatched & { sbom: string })[] = [];
  const seen = new Set<string>();
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
    for (const c of parsed.components) {
      if (seen.has(c.purl)) continue;
      seen.add(c.purl);
      components.push(c);
    }
    for (const u of parsed.unmatched) unmatched.push({ sbom: file, ...u });
  }

  const progress = new Progress();
  const index = new AdvisoryIndex();
  const errors: { source: string; message: string }[] = [];
  let records = 0;
  for (const src of sources) {
    const summary = await loadAdvisories(src, (record, source) => {
      index.add(record, source);
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

  const outcome = scanComponents(index, components, (n) => progress.update('scanning', n, components.length));
  progress.done();
  const allUnmatched = [...unmatched, ...outcome.unmatched.map((u) => ({ sbom: '', ...u }))];

  let out: string;
  switch (opts.format) {
    case 'json':
      out =
        JSON.stringify(
          {
            results: outcome.results,
            unmatched: allUnmatched.map((u) => (u.sbom ? u : { ref: u.ref, reason: u.reason })),
            errors,
          },
          null,
          2,
        ) + '\n';
      break;
    case 'markdown':
      out = toMarkdown({ results: outcome.results, unmatched: allUnmatched });
      break;
    case 'sarif':
      out = JSON.stringify(toSarif(outcome.results, { artifacts: sboms, summaries: outcome.summaries }), null, 2) + '\n';
      break;
    case 'cyclonedx-vex':
      out = JSON.stringify(toCycloneDxVex(outcome.results, { summaries: outcome.summaries }), null, 2) + '\n';
      break;
    default:
      out = toTable({ results: outcome.results, unmatched: allUnmatched }, errors.length);
  }
  process.stdout.write(out);
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
