import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { listenProblem } from '../../src/cli/serve.command.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { writeTx } from '../../src/services/context.ts';
import { openDatabase } from '../../src/store/db.ts';
import { enqueue } from '../../src/store/outbox.repository.ts';
import { describeEachDriver, describePostgres, testContainer, TEST_DATABASE_URL } from '../helpers/db.ts';

const BIN = new URL('../../bin/clearinghouse.mjs', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}, input = '') => {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent', ...env }, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = mkdtempSync(join(tmpdir(), 'clearinghouse-operating-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('commands other than serve and migrate refuse a database that does not exist', () => {
  it('a mistyped --data folder is refused, named, and not created', () => {
    const typo = join(tmp, 'typo');
    for (const args of [['audit', 'verify'], ['token', 'create', '--user', 'a@b.example', '--name', 'x']]) {
      const r = run([...args, '--data', typo]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`data folder ${typo} does not exist`));
      assert.doesNotMatch(r.stdout, /intact/);
    }
    const admin = run(['admin', 'create', '--email', 'a@b.example', '--org', 'Ops', '--password-stdin', '--data', typo], {}, 'a long enough passphrase\n');
    assert.equal(admin.code, 2);
    assert.equal(existsSync(typo), false, 'nothing created');
  });

  it('an existing folder without a database is refused too; after migrate the command runs', () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const r = run(['audit', 'verify', '--data', empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no database in .*empty-/);
    assert.equal(existsSync(join(empty, 'clearinghouse.db')), false);
    assert.equal(run(['migrate', '--data', empty]).code, 0);
    const ok = run(['audit', 'verify', '--data', empty]);
    assert.equal(ok.code, 0, ok.stderr);
  });

});

describePostgres('commands refuse a PostgreSQL database that is not ours', () => {
  it('a schema without our migrations table and a missing database are refused', async () => {
    const probe = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    await probe.connect();
    const schema = `op_${randomBytes(5).toString('hex')}`;
    await probe.query(`create schema ${schema}`);
    try {
      const env = { DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
      const r = run(['audit', 'verify'], env);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, /is not a Clearinghouse database \(no migrations applied\)/);
      const tables = await probe.query(`select count(*)::int as n from information_schema.tables where table_schema = $1`, [schema]);
      assert.equal(tables.rows[0].n, 0, 'the refused command created no tables');
      const u = new URL(TEST_DATABASE_URL);
      u.pathname = '/no_such_clearinghouse_db';
      const missing = run(['audit', 'verify'], { DATABASE_URL: u.toString() });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no_such_clearinghouse_db/);
    } finally {
      await probe.query(`drop schema ${schema} cascade`);
      await probe.end();
    }
  });
});

function collect(child: ChildProcess): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exit };
}

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('serve on a busy port', () => {
  it('says the port is in use without a stack, creates no administrator, and the next start prints the password', async () => {
    const dataDir = mkdtempSync(join(tmp, 'busy-'));
    const blocker: Server = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (blocker.address() as { port: number }).port;
    const env = { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'warn' };
    try {
      const busy = collect(spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir], { env }));
      assert.equal(await busy.exit, 1);
      assert.match(busy.err(), new RegExp(`port ${port} is in use`));
      assert.doesNotMatch(busy.err(), /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(busy.out(), /One-time password/, 'no password printed for a start that cannot serve');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir], { env });
    const next = collect(child);
    try {
      await until('the second start', async () => /One-time password/.test(next.out()) && (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok).catch(() => false)));
      assert.match(next.out(), /created administrator admin@clearinghouse\.local/);

      // The server's outbox worker runs a job enqueued in a committed transaction. No job kind is registered yet,
      // so the worker closes the attempt with "no handler": proof it claimed and ran it, not that it did nothing.
      const handle = openDatabase({ dataDir });
      try {
        await handle.db.transaction().execute((tx) => enqueue(tx, 'test.unregistered', { n: 1 }, new Date().toISOString()));
        await until('the worker to attempt the job', async () => {
          const row = await handle.db.selectFrom('outbox').select(['attempts', 'last_error']).where('topic', '=', 'test.unregistered').executeTakeFirst();
          return row !== undefined && row.attempts >= 1 && /no handler for topic test\.unregistered/.test(row.last_error ?? '');
        });
      } finally {
        await handle.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await next.exit, 0, next.err());
  });

  it('a host that does not resolve is one plain line, exit 1', () => {
    const r = run(['serve', '--port', '0', '--host', 'no-such-host.invalid', '--data', join(tmp, 'badhost')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot listen on no-such-host\.invalid: the host name does not resolve/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

it('every listen failure is one sentence naming the port or host and what to do', () => {
  const at = { host: '0.0.0.0', port: 443 };
  const error = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
  assert.match(listenProblem(error('EADDRINUSE'), at), /^port 443 is in use on 0\.0\.0\.0: .*--port/);
  // Root may bind low ports, so EACCES cannot be provoked here; what the operator reads is pinned instead.
  assert.match(listenProblem(error('EACCES'), at), /^not allowed to listen on port 443 \(ports below 1024 need privileges\)/);
  assert.match(listenProblem(error('EADDRNOTAVAIL'), { host: '10.9.9.9', port: 80 }), /^cannot listen on 10\.9\.9\.9: no such address on this machine/);
});

describeEachDriver('the outbox worker of a container', (driver) => {
  it('runs a job enqueued in the same transaction as a change, once it committed', async () => {
    const seen: unknown[] = [];
    const c = await testContainer(driver, { jobs: { 'test.recorded': async (job) => void seen.push(job.payload) }, outboxPollMs: 50 });
    try {
      c.outbox.start();
      await writeTx(c.deps, systemPrincipal('system'), async (tx, _audit, now) => enqueue(tx, 'test.recorded', { id: 'committed' }, now));
      await writeTx(c.deps, systemPrincipal('system'), async (tx, _audit, now) => {
        await enqueue(tx, 'test.recorded', { id: 'rolled back' }, now);
        throw new Error('change failed');
      }).catch(() => {});
      await until('the job to run', () => seen.length > 0, 15_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(seen, [{ id: 'committed' }]);
      const row = await c.deps.db.selectFrom('outbox').select(['done_at', 'last_error']).executeTakeFirstOrThrow();
      assert.ok(row.done_at);
      assert.equal(row.last_error, null);
    } finally {
      await c.destroy();
    }
  });
});
