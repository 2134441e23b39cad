/**
 * `clearinghouse seed --demo [--json]`: fills an empty instance with the demo scenario (src/services/demo-seed.service.ts)
 * and prints the accounts with their one-time passwords. Exit 0 when done; 2 when the instance is not empty, --demo
 * is missing, or the database does not exist (run `clearinghouse migrate` first), as for any bad input of the CLI.
 */
import type { Command } from 'commander';
import { CliExit, cliAction, cliConfig, dataOption, withCliContainer } from './advisories.command.ts';

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('fill an empty instance with data to explore (run `migrate` first, `serve` after)')
    .option('--demo', 'the demo scenario: coordinator, AI developers, vendor, operators, inventories, mirrored and authored advisories')
    .option('--json', 'print the result as JSON instead of text')
    .addOption(dataOption())
    .action(
      cliAction('seed', async (opts: { demo?: boolean; json?: boolean; data: string }) => {
        if (!opts.demo) throw new CliExit(2, 'say which data: --demo (the only scenario so far)');
        const cfg = cliConfig({ data: opts.data });
        const { seedDemo, formatDemoSeed } = await import('../services/demo-seed.service.ts');
        const tty = process.stderr.isTTY === true;
        const result = await withCliContainer(cfg, (c, cli) => seedDemo(c, cli, { onProgress: (s) => tty && process.stderr.write(`seeding ${s}…\n`) }));
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : formatDemoSeed(result));
      }),
    );
}
