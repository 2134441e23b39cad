import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, sql, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { isPostgres } from './dialect.ts';
import * as foundation from './migrations/20261126T1200-foundation.ts';
import * as inventories from './migrations/20261126T1300-inventories.ts';
import * as invitations from './migrations/20261202T1000-invitations.ts';
import * as organisationNameCi from './migrations/20261202T1100-organisation-name-ci.ts';
import * as signInDevices from './migrations/20261202T1200-sign-in-devices.ts';
import * as rekeyComponentReleases from './migrations/20261202T1300-rekey-component-releases.ts';
import * as inventorySchemaWarnings from './migrations/20261202T1400-inventory-schema-warnings.ts';
import * as advisories from './migrations/20261202T1500-advisories.ts';
import * as findings from './migrations/20261202T1600-findings.ts';
import * as campaigns from './migrations/20261202T1610-campaigns.ts';
import * as triage from './migrations/20261202T1620-triage.ts';
import * as cases from './migrations/20261202T1630-cases.ts';
import * as caseThreads from './migrations/20261202T1640-case-threads.ts';
import * as notifications from './migrations/20261202T1650-notifications.ts';
import * as findingDedup from './migrations/20261206T1200-finding-dedup.ts';
import * as remediation from './migrations/20261206T1300-remediation.ts';
import * as remediationDaily from './migrations/20261206T1500-remediation-daily.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Driver = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  driver: Driver;
  /** The PostgreSQL pool, for what Kysely does not cover (LISTEN/NOTIFY). */
  pgPool?: pg.Pool;
  /**
   * Refreshes the query planner's statistics where the database does not do it by itself. PostgreSQL's autovacuum
   * analyses tables as they grow; SQLite never does, and without statistics its planner picks a poor index for
   * selective filters (the triage queue's rare purl prefix: 3.6 s without, 2-4 ms with). `serve` calls it hourly.
   */
  optimize(): void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://... ; when absent the embedded SQLite database under dataDir is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in one); defaults to the connection's search_path. */
  pgSchema?: string;
  poolSize?: number;
}

// Migrations are imported, not read from a folder, so they travel with the code and run the same under tsx or a bundle.
// Add each new migration here, named <timestamp>-<name> like its file.
const MIGRATIONS: Record<string, Migration> = {
  '20261126T1200-foundation': foundation,
  '20261126T1300-inventories': inventories,
  '20261202T1000-invitations': invitations,
  '20261202T1100-organisation-name-ci': organisationNameCi,
  '20261202T1200-sign-in-devices': signInDevices,
  '20261202T1300-rekey-component-releases': rekeyComponentReleases,
  '20261202T1400-inventory-schema-warnings': inventorySchemaWarnings,
  '20261202T1500-advisories': advisories,
  '20261202T1600-findings': findings,
  '20261202T1610-campaigns': campaigns,
  '20261202T1620-triage': triage,
  '20261202T1630-cases': cases,
  '20261202T1640-case-threads': caseThreads,
  '20261202T1650-notifications': notifications,
  '20261206T1200-finding-dedup': findingDedup,
  '20261206T1300-remediation': remediation,
  '20261206T1500-remediation-daily': remediationDaily,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export function openDatabase(opts: DatabaseOptions): DatabaseHandle {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, driver: 'postgres', pgPool: pool, optimize: () => {}, close: () => db.destroy() };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const sqlite = new BetterSqlite3(join(opts.dataDir, 'clearinghouse.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // SQLite's advice for long-lived connections: optimize (0x10002: every table) at open and then periodically, with
  // a bounded sample so that a large table costs milliseconds, not a full scan (sqlite.org/pragma.html#pragma_optimize).
  sqlite.pragma('analysis_limit = 1000');
  const optimize = (mask = '') => sqlite.pragma(`optimize${mask}`);
  optimize(' = 0x10002');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, driver: 'sqlite', optimize: () => optimize(), close: () => db.destroy() };
}

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

/**
 * Kysely looks for its bookkeeping tables in every schema unless told which one, so a database holding several
 * Clearinghouse schemas (tests, staging) would confuse it: name the connection's current schema explicitly.
 */
async function migrator(db: Db): Promise<Migrator> {
  if (!isPostgres(db)) return new Migrator({ db, provider });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider, migrationTableSchema: rows[0]!.schema });
}

/**
 * Kysely's migrator asks whether its bookkeeping tables exist by introspecting every schema of the database; when
 * another schema is dropped at that moment (a test suite, a staging copy going away) PostgreSQL answers
 * `schema "<other>" does not exist` for a schema that is not ours. That check runs before any migration, so trying
 * again is safe; a missing schema of our own is a real error and is not retried.
 */
export function lostRaceWithAnotherSchema(error: unknown, ours: string | null): boolean {
  const m = /schema "([^"]+)" does not exist/.exec(error instanceof Error ? error.message : String(error));
  return m !== null && m[1] !== ours;
}

export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const ours = isPostgres(db) ? ((await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema ?? null) : null;
  let attempt = 0;
  for (;;) {
    const report = await migrateOnce(db);
    if (!report.error || !lostRaceWithAnotherSchema(report.error, ours) || ++attempt >= 5) return finish(report);
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

async function migrateOnce(db: Db) {
  const m = await migrator(db);
  return m.migrateToLatest();
}

function finish({ error, results }: Awaited<ReturnType<typeof migrateOnce>>): MigrationReport {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName), pending: [] };
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await (await migrator(db)).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}

/** Whether any of our migrations ran here: a database without them is not (yet) a Clearinghouse database. */
export async function hasAppliedMigrations(db: Db): Promise<boolean> {
  // A search_path naming no existing schema leaves nowhere our tables could be.
  if (isPostgres(db) && (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema == null) return false;
  return (await (await migrator(db)).getMigrations()).some((m) => m.executedAt !== undefined);
}
