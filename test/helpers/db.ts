import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { createContainer, type Container, type ContainerOptions } from '../../src/composition.ts';
import type { Driver } from '../../src/store/db.ts';

export const TEST_DATABASE_URL = process.env.CLEARINGHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRE_PG = process.env.CLEARINGHOUSE_REQUIRE_PG === '1';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    await client.end().catch(() => {});
  }
}

const pgProblem = await probePostgres();
if (pgProblem && REQUIRE_PG) throw new Error(`${pgProblem}; CLEARINGHOUSE_REQUIRE_PG=1 demands it`);
if (pgProblem) {
  console.warn(`\n!!! PostgreSQL suites SKIPPED: ${pgProblem}. Set CLEARINGHOUSE_TEST_DATABASE_URL to run them.\n`);
}

export const DRIVERS: Driver[] = ['sqlite', 'postgres'];

/** Declares the same suite once per database; the PostgreSQL one is skipped loudly when no server is reachable. */
export function describeEachDriver(title: string, fn: (driver: Driver) => void): void {
  for (const driver of DRIVERS) {
    const skip = driver === 'postgres' && pgProblem ? `skipped: ${pgProblem}` : false;
    describe(`${title} [${driver}]`, { skip }, () => fn(driver));
  }
}

export interface TestContainer extends Container {
  /** Drops the PostgreSQL schema or deletes the SQLite folder. */
  destroy(): Promise<void>;
}

/** A suite that only means something on PostgreSQL (LISTEN/NOTIFY, SKIP LOCKED); skipped loudly without it. */
export function describePostgres(title: string, fn: () => void): void {
  describe(`${title} [postgres]`, { skip: pgProblem ? `skipped: ${pgProblem}` : false }, fn);
}

/** A fresh, migrated, isolated database: a temporary SQLite file, or a new PostgreSQL schema. */
export async function testContainer(driver: Driver, opts: ContainerOptions & { env?: Record<string, string> } = {}): Promise<TestContainer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clearinghouse-test-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  if (driver === 'postgres') {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  }
  const config: Config = loadConfig(
    {
      CLEARINGHOUSE_RATE_LIMIT: '100000',
      CLEARINGHOUSE_LOG_LEVEL: 'silent',
      // Lets parallel work build the UI into its own folder (CLEARINGHOUSE_WEB_ROOT=/tmp/x npm run build:web -- --outDir /tmp/x).
      ...(process.env.CLEARINGHOUSE_WEB_ROOT ? { CLEARINGHOUSE_WEB_ROOT: process.env.CLEARINGHOUSE_WEB_ROOT } : {}),
      ...(driver === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL } : {}),
      ...opts.env,
    },
    { data: dataDir, port: 0, host: '127.0.0.1' },
  );
  const cleanUp = async () => {
    if (driver === 'postgres') {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let container: Container;
  try {
    container = await createContainer(config, {
      passwordHashing: { memoryCost: 1024, timeCost: 1 },
      ...opts,
      ...(driver === 'postgres' ? { pgSchema: schema } : {}),
    });
  } catch (err) {
    await cleanUp(); // a failed start must not leave a schema or folder behind
    throw err;
  }
  return {
    ...container,
    async destroy() {
      await container.close();
      await cleanUp();
    },
  };
}
