/**
 * `clearinghouse advisories import <file|dir|zip>...`: mirrors public OSV data as published TLP:CLEAR advisories of
 * the "Public sources" organisation (AdvisoryService.importRecords). Contract scripts rely on (docs/import-and-demo.md):
 * stdout is exactly one JSON object `{ added, updated, unchanged, rejected: [{ path, reason }] }`; exit 0 when every
 * record loaded, 1 when some were rejected (the rest are loaded), 2 on bad input (no path, a path that does not
 * exist, no database) or a domain error, as everywhere else in the CLI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Container } from '../composition.ts';
import { ConfigError, loadConfig, type Config, type ConfigFlags } from '../config.ts';
import { DomainError } from '../domain/errors.ts';
import { itemsOfPaths, type ImportProblem } from '../formats/advisory-import-source.ts';
import type { Principal } from '../domain/policy/access-label.ts';
import type { ImportSummary } from '../services/advisory.service.ts';

// These mirror serve.command.ts's private helpers (only serve and migrate may create a database; domain errors exit 2).
// TODO(lead): export `withContainer`, `config` and `dataOption` from serve.command.ts and use them here.
export const dataOption = () => new Option('--data <dir>', 'data directory for the embedded SQLite database (ignored when DATABASE_URL is set)').default('./data');

export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function cliConfig(flags: ConfigFlags): Config {
  try {
    return loadConfig(process.env, flags);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(2, `configuration error: ${err.message}`);
    throw err;
  }
}

async function requireExistingDatabase(cfg: Config): Promise<void> {
  const hint = cfg.databaseUrl ? '`clearinghouse migrate` creates it' : `\`clearinghouse migrate --data ${cfg.dataDir}\` creates it`;
  if (!cfg.databaseUrl) {
    if (!existsSync(cfg.dataDir)) throw new CliExit(2, `data folder ${cfg.dataDir} does not exist (mistyped --data?); ${hint}`);
    if (!existsSync(join(cfg.dataDir, 'clearinghouse.db'))) throw new CliExit(2, `no database in ${cfg.dataDir} (no clearinghouse.db; mistyped --data?); ${hint}`);
  }
  const { hasAppliedMigrations, openDatabase } = await import('../store/db.ts');
  const handle = openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
  try {
    if (!(await hasAppliedMigrations(handle.db))) throw new CliExit(2, `the database is not a Clearinghouse database (no migrations applied); ${hint}`);
  } catch (err) {
    if (err instanceof CliExit) throw err;
    throw new CliExit((err as { code?: string }).code === '3D000' ? 2 : 1, `cannot open the database: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await handle.close();
  }
}

/** Runs a command body with a container (CLI: SBOMs parsed in-process), closing it whatever happens. */
export async function withCliContainer<T>(cfg: Config, fn: (c: Container, cli: Principal) => Promise<T>): Promise<T> {
  await requireExistingDatabase(cfg);
  const { createContainer } = await import('../composition.ts');
  const { systemPrincipal } = await import('../services/principal.ts');
  let c: Container;
  try {
    c = await createContainer(cfg, { sbomWorkers: false });
  } catch (err) {
    throw new CliExit(1, `cannot open the database: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return await fn(c, systemPrincipal('cli'));
  } catch (err) {
    if (err instanceof DomainError) throw new CliExit(2, err.message);
    throw err;
  } finally {
    await c.close();
  }
}

/** Wraps an action so CliExit becomes a message on stderr and an exit code (process.exitCode: output is flushed). */
export function cliAction<A extends unknown[]>(command: string, fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (!(err instanceof CliExit)) throw err;
      process.stderr.write(`clearinghouse ${command}: ${err.message}\n`);
      process.exitCode = err.code;
    }
  };
}

/** A records counter on stderr, only for a person watching a terminal (never in pipes or CI logs). */
function progressBar(): { update(n: number): void; stop(): void } {
  if (process.stderr.isTTY !== true) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'importing advisories: {value} records read', hideCursor: true, clearOnComplete: true, noTTYOutput: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0);
  return { update: (n) => bar.update(n), stop: () => bar.stop() };
}

/** The import itself, for the command, the seed and the bench: source faults are rejections beside the service's. */
export async function importPaths(c: Container, actor: Principal, paths: readonly string[], onProgress?: (n: number) => void): Promise<ImportSummary> {
  const problems: ImportProblem[] = [];
  const summary = await c.services.advisories.importRecords(actor, itemsOfPaths(paths, problems), onProgress);
  return { added: summary.added, updated: summary.updated, unchanged: summary.unchanged, rejected: [...problems, ...summary.rejected] };
}

export function registerAdvisoriesCommand(program: Command): void {
  const advisories = program.command('advisories').description('advisories');
  advisories
    .command('import')
    .description('mirror OSV records (JSON files, folders, ZIP archives) as published TLP:CLEAR advisories; prints { added, updated, unchanged, rejected } as JSON')
    .argument('<paths...>', 'OSV JSON files, folders of them, or ZIP archives (osv.dev\'s all.zip layout)')
    .addOption(dataOption())
    .action(
      cliAction('advisories import', async (paths: string[], opts: { data: string }) => {
        // A mistyped path is bad input, told before anything is written (as `scan --advisories` does).
        const missing = paths.filter((p) => !existsSync(p));
        if (missing.length) throw new CliExit(2, `no such file or folder: ${missing.join(', ')}`);
        const cfg = cliConfig({ data: opts.data });
        const summary = await withCliContainer(cfg, async (c, cli) => {
          const bar = progressBar();
          try {
            return await importPaths(c, cli, paths, (n) => bar.update(n));
          } finally {
            bar.stop();
          }
        });
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        process.exitCode = summary.rejected.length ? 1 : 0;
      }),
    );
}
