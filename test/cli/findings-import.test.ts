import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { zipSync } from 'fflate';
import { sql } from 'kysely';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describeEachDriver, testContainer, TEST_DATABASE_URL, type TestContainer } from '../helpers/db.ts';
import { readFileSync } from 'node:fs';

/**
 * `clearinghouse findings import --org <name> [--tlp T] FILE...` (scripts rely on it): stdout is exactly
 * `{ "received", "created", "duplicates", "rejected": [{ "path", "reason" }] }`; exit 0, or 2 when a file is not a
 * document it can read (then nothing is written, and the summary still names the file). Run through
 * bin/clearinghouse.mjs against a database a test container prepared.
 */
const BIN = new URL('../../bin/clearinghouse.mjs', import.meta.url).pathname;
const FIX = (name: string) => new URL(`../fixtures/findings/${name}`, import.meta.url).pathname;
const sys = systemPrincipal('system');

describeEachDriver('clearinghouse findings import (CLI contract)', (driver) => {
  let c: TestContainer;
  let dir: string;
  const env: Record<string, string> = { CLEARINGHOUSE_LOG_LEVEL: 'silent' };
  let lab = '';

  function run(...args: string[]) {
    const r = spawnSync(process.execPath, [BIN, 'findings', 'import', ...args, '--data', c.config.dataDir], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const count = async (table: 'findings' | 'finding_reports' | 'audit_log') =>
    Number((await c.deps.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const counts = async () => [await count('findings'), await count('finding_reports'), await count('audit_log')];

  before(async () => {
    c = await testContainer(driver, { sbomWorkers: false });
    dir = mkdtempSync(join(tmpdir(), 'findings-cli-'));
    if (driver === 'postgres') {
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(c.deps.db)).rows[0]!.s;
      env.DATABASE_URL = `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    }
    lab = (await c.services.organisations.create(sys, { name: 'CLI Scan Lab', kind: 'ai-developer' })).id;
    writeFileSync(join(dir, 'not-json.sarif'), '{"version": "2.1.0", ');
    writeFileSync(join(dir, 'bundle.zip'), zipSync({ 'osv.json': readFileSync(FIX('osv-water-portal.json')), 'avid/r2.json': readFileSync(FIX('avid/AVID-2026-R0002.json')) }));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await c?.destroy();
  });

  it('prints exactly { received, created, duplicates, rejected } and exits 0; the same files again are duplicates', async () => {
    const r = run('--org', 'cli scan LAB', '--tlp', 'GREEN', FIX('scan.sarif'), FIX('csaf-widget.json'), FIX('avid/AVID-2022-V007.json'));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['received', 'created', 'duplicates', 'rejected']);
    assert.deepEqual([out.received, out.created, out.duplicates], [8, 4, 1]);
    assert.deepEqual(out.rejected.map((x: { path: string }) => x.path), [
      `${FIX('scan.sarif')}#/runs/0/results/3`,
      `${FIX('csaf-widget.json')}#/vulnerabilities/1`,
      FIX('avid/AVID-2022-V007.json'),
    ]);
    for (const x of out.rejected) assert.ok(x.reason.length > 10, x.reason);
    const stored = await c.deps.db.selectFrom('findings').select(['owner_org_id', 'tlp', 'reporter_org_id']).distinct().execute();
    assert.deepEqual(stored, [{ owner_org_id: lab, tlp: 'GREEN', reporter_org_id: lab }]);
    const again = JSON.parse(run('--org', 'CLI Scan Lab', FIX('scan.sarif')).stdout);
    assert.deepEqual(again, { received: 5, created: 0, duplicates: 4, rejected: [{ path: `${FIX('scan.sarif')}#/runs/0/results/3`, reason: 'the result has no message text, and its rule no description to stand in for it' }] });
    const zipped = JSON.parse(run('--org', 'CLI Scan Lab', join(dir, 'bundle.zip')).stdout);
    assert.deepEqual([zipped.received, zipped.created], [2, 2]);
  });

  it('exits 2 and writes nothing when a file is not a document it can read, naming it in the summary', async () => {
    const before = await counts();
    const r = run('--org', 'CLI Scan Lab', FIX('osv-water-portal.json'), FIX('missing-message.sarif'), join(dir, 'not-json.sarif'), join(dir, 'nope.json'), dir);
    assert.equal(r.code, 2, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.created, out.duplicates], [0, 0]);
    const reasons = Object.fromEntries(out.rejected.map((x: { path: string; reason: string }) => [x.path, x.reason]));
    assert.match(reasons[FIX('missing-message.sarif')], /\/runs\/0\/results\/0 must have required property 'message'/);
    assert.match(reasons[join(dir, 'not-json.sarif')], /not JSON/);
    assert.match(reasons[join(dir, 'nope.json')], /ENOENT/);
    assert.match(reasons[dir], /folder/);
    assert.equal(reasons[FIX('osv-water-portal.json')], undefined, 'the readable file is not rejected, just not written');
    assert.match(r.stderr, /nothing was written/);
    const csaf = run('--org', 'CLI Scan Lab', FIX('csaf-invalid.json'));
    assert.equal(csaf.code, 2);
    assert.match(JSON.parse(csaf.stdout).rejected[0].reason, /not a valid CSAF 2\.0 document/);
    assert.deepEqual(await counts(), before);
  });

  it('exits 2 naming an unknown organisation or a bad TLP, with nothing on stdout', async () => {
    const before = await counts();
    const org = run('--org', 'No Such Lab', FIX('scan.sarif'));
    assert.deepEqual([org.code, org.stdout], [2, '']);
    assert.match(org.stderr, /no organisation is named "No Such Lab"/);
    const tlp = run('--org', 'CLI Scan Lab', '--tlp', 'PURPLE', FIX('scan.sarif'));
    assert.deepEqual([tlp.code, tlp.stdout], [2, '']);
    assert.match(tlp.stderr, /--tlp "PURPLE"/);
    const noFiles = run('--org', 'CLI Scan Lab');
    assert.equal(noFiles.code, 2);
    assert.deepEqual(await counts(), before);
  });
});

it('clearinghouse findings import refuses a missing database and creates none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'findings-cli-nodb-'));
  try {
    const r = spawnSync(process.execPath, [BIN, 'findings', 'import', '--org', 'x', FIX('scan.sarif'), '--data', join(dir, 'data')], { env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent', DATABASE_URL: '' }, encoding: 'utf8', timeout: 60_000 });
    assert.deepEqual([r.status, r.stdout], [2, '']);
    assert.match(r.stderr, /does not exist|no database/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
