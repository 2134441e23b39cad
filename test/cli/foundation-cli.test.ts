import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { hashSecret } from '../../src/services/secrets.ts';
import { openDatabase } from '../../src/store/db.ts';
import { describeEachDriver, TEST_DATABASE_URL } from '../helpers/db.ts';

const BIN = new URL('../../bin/clearinghouse.mjs', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent', ...env }, input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeEachDriver('CLI against the database', (driver) => {
  let dataDir: string;
  let env: Record<string, string> = {};
  const schema = `cli_${randomBytes(5).toString('hex')}`;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'clearinghouse-cli-'));
    if (driver === 'postgres') {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      env = { DATABASE_URL: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
    }
  });
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (driver === 'postgres') {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    }
  });

  it('migrate applies migrations once', () => {
    const first = run(['migrate', '--data', dataDir], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied: 20261126T1200-foundation/);
    const second = run(['migrate', '--data', dataDir], env);
    assert.equal(second.code, 0);
    assert.match(second.stdout, /already up to date/);
  });

  it('admin create reads the password from stdin; token create prints a working token', async () => {
    const noStdin = run(['admin', 'create', '--email', 'root@ops.example', '--org', 'Ops', '--data', dataDir], env);
    assert.equal(noStdin.code, 2);
    assert.match(noStdin.stderr, /--password-stdin/);
    const created = run(['admin', 'create', '--email', 'root@ops.example', '--org', 'Ops', '--password-stdin', '--data', dataDir], env, 'a long enough passphrase\n');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created site administrator root@ops\.example/);
    const dup = run(['admin', 'create', '--email', 'root@ops.example', '--org', 'Ops', '--password-stdin', '--data', dataDir], env, 'a long enough passphrase\n');
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /already exists/);

    const token = run(['token', 'create', '--user', 'root@ops.example', '--name', 'ci', '--expires', '7', '--data', dataDir], env);
    assert.equal(token.code, 0, token.stderr);
    const secret = token.stdout.trim();
    assert.match(secret, /^chk_[\w-]{40,}$/);
    const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir });
    try {
      const row = await handle.db.selectFrom('api_tokens').selectAll().where('secret_hash', '=', hashSecret(secret)).executeTakeFirst();
      assert.ok(row, 'stored as its hash');
      assert.ok(row.expires_at! > new Date(Date.now() + 6 * 86_400_000).toISOString());
    } finally {
      await handle.close();
    }
    const unknown = run(['token', 'create', '--user', 'nobody@ops.example', '--name', 'x', '--data', dataDir], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no user/);
  });

  it('audit verify passes on an intact trail and names the first hand-edited row', async () => {
    const ok = run(['audit', 'verify', '--data', dataDir], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /intact: \d+ entries/);
    const handle = openDatabase({ databaseUrl: env.DATABASE_URL, dataDir });
    let seq: number;
    try {
      const rows = await handle.db.selectFrom('audit_log').select('seq').orderBy('seq').execute();
      assert.ok(rows.length >= 3);
      seq = Number(rows[1]!.seq);
      await handle.db.updateTable('audit_log').set({ actor_email: 'someone-else@ops.example' }).where('seq', '=', seq).execute();
    } finally {
      await handle.close();
    }
    const bad = run(['audit', 'verify', '--data', dataDir], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`BROKEN at seq ${seq}\\b`));
  });
});

it('configuration errors name the setting and why', () => {
  const port = run(['migrate', '--data', '/tmp/never'], { PORT: 'eighty' });
  assert.equal(port.code, 2);
  assert.match(port.stderr, /PORT: must be a whole number/);
  const url = run(['migrate'], { DATABASE_URL: 'mysql://localhost/x' });
  assert.equal(url.code, 2);
  assert.match(url.stderr, /DATABASE_URL: only postgres:\/\/ URLs/);
  const level = run(['migrate', '--data', '/tmp/never'], { CLEARINGHOUSE_LOG_LEVEL: 'loud' });
  assert.equal(level.code, 2);
  assert.match(level.stderr, /CLEARINGHOUSE_LOG_LEVEL: must be one of/);
  const help = run(['--help']);
  assert.equal(help.code, 0);
  for (const cmd of ['serve', 'migrate', 'admin', 'token', 'audit', 'versions', 'scan']) assert.match(help.stdout, new RegExp(`\\b${cmd}\\b`));
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

it('serve: first start migrates, prints a one-time password once, answers, and shuts down gracefully', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clearinghouse-serve-'));
  const port = await freePort();
  try {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir], { env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const deadline = Date.now() + 30_000;
    while (!/One-time password/.test(out) || !(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(out, /created administrator admin@clearinghouse\.local/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);

    const again = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir], { env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'warn' } });
    let out2 = '';
    again.stdout.on('data', (d) => (out2 += d));
    while (!(await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok).catch(() => false))) {
      if (Date.now() > deadline + 30_000) throw new Error('second start failed');
      await new Promise((r) => setTimeout(r, 200));
    }
    const exited2 = new Promise<number | null>((resolve) => again.on('exit', (code) => resolve(code)));
    again.kill('SIGTERM');
    assert.equal(await exited2, 0);
    assert.doesNotMatch(out2, /One-time password/, 'later starts create nobody');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
