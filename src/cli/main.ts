import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerServeCommands } from './serve.command.ts';
import { registerVersionsCommand } from './versions.command.ts';
import { registerScanCommand } from './scan.command.ts';
import { registerAdvisoriesCommand } from './advisories.command.ts';
import { registerSeedCommand } from './seed.command.ts';
import { registerCsafCommand } from './csaf.command.ts';
import { registerFindingsCommand } from './findings.command.ts';
import { registerKevCommand } from './kev.command.ts';

export function buildProgram(): Command {
  const program = new Command('clearinghouse')
    .description('Clearinghouse: AI-era vulnerability coordination and the frontier AI program')
    .version((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version)
    .showHelpAfterError()
    .exitOverride();
  registerServeCommands(program);
  registerVersionsCommand(program);
  registerScanCommand(program);
  registerAdvisoriesCommand(program);
  registerSeedCommand(program);
  registerCsafCommand(program);
  registerFindingsCommand(program);
  registerKevCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage errors exit 2, like every other bad-input path of the CLI.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}
