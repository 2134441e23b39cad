import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, loadConfig, type Config, type ConfigFlags } from '../config.ts';
import type { Container } from '../composition.ts';
import { DomainError } from '../domain/errors.ts';

// The database and web stacks load only in the commands that use them, so `versions` and `scan` start fast.
const composition = () => import('../composition.ts');
const store = () => import('../store/db.ts');
const principals = () => import('../services/principal.ts');

const dataOption = () => new Option('--data <dir>', 'data directory for the embedded SQLite database (ignored when DATABASE_URL is set)').default('./data');

function fail(message: string, code = 2): never {
  process.stderr.write(`clearinghouse: ${message}\n`);
  process.exit(code);
}

function config(flags: ConfigFlags): Config {
  try {
    return loadConfig(process.env, flags);
  } catch (err) {
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`);
    throw err;
  }
}

/** Where the database is, for messages: the data folder, or the PostgreSQL server and database (never the password). */
function databaseName(cfg: Config): string {
  if (!cfg.databaseUrl) return join(cfg.dataDir, 'clearinghouse.db');
  const u = new URL(cfg.databaseUrl);
  return `PostgreSQL database ${decodeURIComponent(u.pathname.slice(1)) || '(default)'} on ${u.host}`;
}

/**
 * Only `serve` and `migrate` may create a database. Any other command given a mistyped `--data` (or DATABASE_URL)
 * would otherwise create an empty one and answer about it ("audit trail intact: 0 entries").
 */
async function requireExistingDatabase(cfg: Config): Promise<void> {
  const hint = cfg.databaseUrl ? '`clearinghouse migrate` creates it' : `\`clearinghouse migrate --data ${cfg.dataDir}\` creates it`;
  if (!cfg.databaseUrl) {
    if (!existsSync(cfg.dataDir)) fail(`data folder ${cfg.dataDir} does not exist (mistyped --data?); ${hint}`);
    const file = join(cfg.dataDir, 'clearinghouse.db');
    if (!existsSync(file)) fail(`no database in ${cfg.dataDir} (no clearinghouse.db; mistyped --data?); ${hint}`);
  }
  const { hasAppliedMigrations, openDatabase } = await store();
  const handle = openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
  let initialised: boolean;
  try {
    initialised = await hasAppliedMigrations(handle.db);
  } catch (err) {
    await handle.close();
    // PostgreSQL's invalid_catalog_name: the database itself does not exist, which is bad input like a missing folder.
    const missing = (err as { code?: string }).code === '3D000';
    fail(`cannot open the database ${databaseName(cfg)}: ${err instanceof Error ? err.message : String(err)}${missing ? '; create it (createdb), then run `clearinghouse migrate`' : ''}`, missing ? 2 : 1);
  }
  await handle.close();
  if (!initialised) fail(`${databaseName(cfg)} is not a Clearinghouse database (no migrations applied); ${hint}`);
}

/** Runs a command body with a container, closing the database whatever happens; domain errors exit 2. */
async function withContainer(cfg: Config, fn: (c: Container) => Promise<void>): Promise<void> {
  await requireExistingDatabase(cfg);
  const { createContainer } = await composition();
  const c = await createContainer(cfg).catch((err: unknown) => fail(`cannot open the database: ${err instanceof Error ? err.message : String(err)}`, 1));
  try {
    await fn(c);
  } catch (err) {
    if (err instanceof DomainError) fail(err.message);
    throw err;
  } finally {
    await c.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A listen failure as one plain sentence; the stack trace says nothing an operator can act on. */
export function listenProblem(err: unknown, cfg: Pick<Config, 'host' | 'port'>): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${cfg.port} is in use on ${cfg.host}: stop what listens there or choose another with --port (or PORT)`;
    case 'EACCES':
      return `not allowed to listen on port ${cfg.port} (ports below 1024 need privileges): choose another with --port (or PORT)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${cfg.host}: no such address on this machine (check --host or CLEARINGHOUSE_HOST)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${cfg.host}: the host name does not resolve (check --host or CLEARINGHOUSE_HOST)`;
    default:
      return `cannot listen on ${cfg.host}:${cfg.port}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (applies pending migrations first)')
    .option('--port <n>', 'port to listen on (default 8080, or PORT / CLEARINGHOUSE_PORT)')
    .option('--host <addr>', 'address to listen on (default 0.0.0.0)')
    .addOption(dataOption())
    .action(async (opts: { port?: string; host?: string; data: string }) => {
      const cfg = config({ port: opts.port, host: opts.host, data: opts.data });
      const { createContainer } = await composition();
      const { bootstrapIfEmpty } = await import('../services/bootstrap.service.ts');
      const container = await createContainer(cfg).catch((err: unknown) => fail(`cannot start: ${err instanceof Error ? err.message : String(err)}`, 1));
      // Loaded here so that the other commands start without the web stack.
      const { buildApp } = await import('../http/app.ts');
      const app = await buildApp(container);
      // Bind before creating the first administrator: a start that cannot listen must not use up the one-time
      // password it would print (the next start, finding a user, would print none).
      try {
        await app.listen({ port: cfg.port, host: cfg.host });
      } catch (err) {
        await app.close().catch(() => {});
        await container.close();
        fail(listenProblem(err, cfg), 1);
      }
      const first = await bootstrapIfEmpty(container, { adminEmail: cfg.adminEmail, organisationName: cfg.adminOrganisation });
      if (first) {
        // Printed once, on the console only (never logged): the administrator must change it at first sign-in.
        process.stdout.write(
          `\n  First start: created administrator ${first.email} in "${first.organisation}".\n` +
            `  One-time password: ${first.oneTimePassword}\n  Sign in at http://localhost:${cfg.port}/ and set your own password.\n\n`,
        );
      }
      container.outbox.start();
      // Planner statistics for SQLite (a no-op on PostgreSQL, whose autovacuum analyses); see DatabaseHandle.optimize.
      const optimizer = setInterval(() => {
        try {
          container.handle.optimize();
        } catch (err) {
          app.log.warn({ err }, 'PRAGMA optimize failed');
        }
      }, 3_600_000);
      optimizer.unref();
      // Load the OSV API's index now rather than on the first query; a failure is logged and retried on first use.
      void container.services.osvApi.start().catch((err: unknown) => app.log.error({ err }, 'OSV API index failed to load'));
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        clearInterval(optimizer);
        await app.close();
        // The worker finishes the job in hand before the database closes under it.
        await container.outbox.stop();
        await container.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      app.log.info({ database: container.handle.driver, dataDir: cfg.databaseUrl ? undefined : cfg.dataDir }, 'clearinghouse ready');
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      const cfg = config({ data: opts.data });
      const { migrateToLatest, openDatabase } = await store();
      const handle = openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
      try {
        const r = await migrateToLatest(handle.db);
        process.stdout.write(r.applied.length ? `applied: ${r.applied.join(', ')}\n` : 'already up to date\n');
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err), 1);
      } finally {
        await handle.close();
      }
    });

  const admin = program.command('admin').description('administration from the server machine');
  admin
    .command('create')
    .description('create a site administrator (password read from standard input)')
    .requiredOption('--email <email>', 'e-mail address')
    .requiredOption('--org <name>', 'organisation to join as admin (created as a government organisation if missing)')
    .option('--name <name>', 'display name', 'Administrator')
    .option('--password-stdin', 'read the password from standard input (required)')
    .addOption(dataOption())
    .action(async (opts: { email: string; org: string; name: string; passwordStdin?: boolean; data: string }) => {
      if (!opts.passwordStdin) fail('admin create needs --password-stdin (passwords never go on the command line)');
      const password = (await readStdin()).replace(/\r?\n$/, '');
      // The same policy as POST /me/password (length, whitespace, common passwords), from the one place it lives.
      const [{ checkNewPassword }, { userInputsFor }] = await Promise.all([import('../services/secrets.ts'), import('../domain/auth/password-policy.ts')]);
      await checkNewPassword(password, userInputsFor({ email: opts.email, name: opts.name }), 'password').catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
      await withContainer(config({ data: opts.data }), async (c) => {
        const cli = (await principals()).systemPrincipal('cli');
        const { findOrganisationIdByName } = await import('../store/organisation.repository.ts');
        const orgId = (await findOrganisationIdByName(c.deps.db, opts.org)) ?? (await c.services.organisations.create(cli, { name: opts.org, kind: 'government' })).id;
        const { user } = await c.services.users.create(cli, {
          email: opts.email,
          name: opts.name,
          siteAdmin: true,
          password,
          memberships: [{ organisationId: orgId, roles: ['admin', 'member'] }],
        });
        process.stdout.write(`created site administrator ${user.email} (${user.id}) in "${opts.org}"\n`);
      });
    });

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .description('create an API token for a user and print it on standard output')
    .requiredOption('--user <email>', "the token's user")
    .requiredOption('--name <name>', 'what the token is for')
    .option('--expires <days>', 'days until it expires (default 90)')
    .option('--scopes <list>', 'comma-separated scopes: read,write,admin', 'read,write')
    .addOption(dataOption())
    .action(async (opts: { user: string; name: string; expires?: string; scopes: string; data: string }) => {
      const days = opts.expires === undefined ? undefined : Number(opts.expires);
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) fail(`--expires: a whole number of days (got ${JSON.stringify(opts.expires)})`);
      await withContainer(config({ data: opts.data }), async (c) => {
        const user = await c.services.users.findByEmail(opts.user);
        if (!user) fail(`no user with e-mail ${opts.user}`);
        const { systemPrincipal } = await principals();
        const { secret } = await c.services.tokens.create(systemPrincipal('cli'), {
          name: opts.name,
          scopes: opts.scopes.split(',').map((s) => s.trim()) as never,
          forUserId: user.id,
          ...(days !== undefined ? { expiresInDays: days } : {}),
        });
        process.stdout.write(`${secret}\n`);
      });
    });

  program
    .command('audit')
    .description('the audit trail')
    .command('verify')
    .description('recompute the hash chain; exit 1 naming the first tampered row')
    .addOption(dataOption())
    .action(async (opts: { data: string }) => {
      await withContainer(config({ data: opts.data }), async (c) => {
        const r = await c.services.audit.verify();
        if (r.ok) {
          process.stdout.write(`audit trail intact: ${r.entries} entries, head ${r.head}\n`);
        } else {
          process.stderr.write(`audit trail BROKEN at seq ${r.firstBadSeq}: ${r.reason} (${r.entries} entries before it verified)\n`);
          process.exitCode = 1;
        }
      });
    });
}
