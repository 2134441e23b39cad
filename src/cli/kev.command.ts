import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliExit, cliAction, cliConfig, dataOption, withCliContainer } from './advisories.command.ts';

/**
 * `clearinghouse kev import FILE` (issue 9): loads CISA's Known Exploited Vulnerabilities catalogue and marks every
 * finding and advisory with a KEV CVE as actively exploited. stdout is exactly `{ "entries", "findings",
 * "advisories" }`; exit 2 when the file cannot be read or is not a valid catalogue (nothing is written then).
 */
export function registerKevCommand(program: Command): void {
  const kev = program.command('kev').description('CISA Known Exploited Vulnerabilities catalogue');
  kev
    .command('import')
    .description('import the KEV catalogue (known_exploited_vulnerabilities.json); prints { entries, findings, advisories } as JSON')
    .argument('<file>', 'the catalogue as CISA publishes it')
    .addOption(dataOption())
    .action(
      cliAction('kev import', async (file: string, opts: { data: string }) => {
        let body: Buffer;
        try {
          body = readFileSync(file);
        } catch (err) {
          throw new CliExit(2, `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
        const cfg = cliConfig({ data: opts.data });
        const summary = await withCliContainer(cfg, (c, cli) => c.services.triage.importKev(cli, body));
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      }),
    );
}
