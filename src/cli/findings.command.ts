/**
 * `clearinghouse findings import --org <name> [--tlp T] FILE...` (issue 9; docs/findings.md). Contract scripts rely
 * on: stdout is exactly one JSON object `{ "received": N, "created": N, "duplicates": N, "rejected": [{ "path",
 * "reason" }] }`; exit 0, or 2 when a file is not a document it can read (missing, a folder, too large, not JSON, no
 * known format, fails its schema): then nothing is written and the summary still names that file in `rejected` with
 * the reason. `--org` is the reporting organisation's name, any case; an unknown one exits 2 naming it (nothing on
 * stdout), as do a bad `--tlp`, a missing database and every other domain error.
 *
 * FILE: SARIF 2.1.0 logs, OSV records (one or an array), CSAF 2.0 documents, AVID reports, or ZIP archives of them.
 * Parsed on this thread (nothing else is waiting), one transaction for the whole import.
 */
import { statSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { TLP_LEVELS, type Tlp } from '../domain/policy/access-label.ts';
import { UPLOAD_LIMITS } from '../services/workers/finding-parse.task.ts';
import { CliExit, cliAction, cliConfig, dataOption, withCliContainer } from './advisories.command.ts';

/** Reads the files from disk; what cannot be read is a rejection of that file (and so exit 2, nothing written). */
function readFiles(paths: readonly string[]): { files: { path: string; body: Uint8Array }[]; failed: { path: string; reason: string }[] } {
  const files: { path: string; body: Uint8Array }[] = [];
  const failed: { path: string; reason: string }[] = [];
  for (const path of paths) {
    try {
      const st = statSync(path);
      if (st.isDirectory()) {
        failed.push({ path, reason: 'a folder, not a document: name the files (or a ZIP archive of them)' });
        continue;
      }
      const limit = Math.max(UPLOAD_LIMITS.documentBytes, UPLOAD_LIMITS.zipBytes);
      if (st.size > limit) {
        failed.push({ path, reason: `larger than ${limit / 1024 / 1024} MiB` });
        continue;
      }
      files.push({ path, body: readFileSync(path) });
    } catch (err) {
      failed.push({ path, reason: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  return { files, failed };
}

export function registerFindingsCommand(program: Command): void {
  const findings = program.command('findings').description('findings (issue 9)');
  findings
    .command('import')
    .description('import documents of findings (SARIF 2.1.0, OSV, CSAF 2.0, AVID, or ZIP archives of them) for an organisation; prints { received, created, duplicates, rejected } as JSON')
    .requiredOption('--org <name>', 'the reporting organisation, by name (any case)')
    .addOption(new Option('--tlp <tlp>', `the findings' TLP (default AMBER): ${TLP_LEVELS.join(', ')}`))
    .argument('<files...>', 'documents of findings')
    .addOption(dataOption())
    .action(
      cliAction('findings import', async (paths: string[], opts: { org: string; tlp?: string; data: string }) => {
        if (opts.tlp !== undefined && !(TLP_LEVELS as readonly string[]).includes(opts.tlp)) {
          throw new CliExit(2, `--tlp ${JSON.stringify(opts.tlp)} is not one of ${TLP_LEVELS.join(', ')}`);
        }
        const cfg = cliConfig({ data: opts.data });
        const result = await withCliContainer(cfg, async (c, cli) => {
          const organisationId = await c.services.findings.organisationNamed(cli, opts.org);
          const { files, failed } = readFiles(paths);
          return c.services.findings.importDocuments(cli, { organisationId, ...(opts.tlp ? { tlp: opts.tlp as Tlp } : {}), files, failed });
        });
        process.stdout.write(`${JSON.stringify({ received: result.received, created: result.created, duplicates: result.duplicates, rejected: result.rejected })}\n`);
        if (result.unreadable.length) {
          process.stderr.write(`clearinghouse findings import: nothing was written: ${result.unreadable.join(', ')} ${result.unreadable.length === 1 ? 'is' : 'are'} not a document it can read\n`);
          process.exitCode = 2;
        } else {
          process.exitCode = 0;
        }
      }),
    );
}
