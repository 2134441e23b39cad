import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { zipSync, strToU8 } from 'fflate';
import { itemsOfPaths, type ImportProblem } from '../../src/formats/advisory-import-source.ts';
import { systemPrincipal } from '../../src/services/principal.ts';
import { describeEachDriver, testContainer, type TestContainer } from '../helpers/db.ts';

const sys = systemPrincipal('cli');
const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/clearinghouse.mjs');

const rec = (id: string, modified: string, extra: Record<string, unknown> = {}) => ({
  id,
  modified,
  summary: `test advisory ${id}`,
  affected: [{ package: { ecosystem: 'npm', name: `import-test-${id.toLowerCase()}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
  ...extra,
});

async function drain(paths: string[]) {
  const problems: ImportProblem[] = [];
  const items = [];
  for await (const i of itemsOfPaths(paths, problems)) items.push(i);
  return { items, problems };
}

describeEachDriver('advisories import: idempotence and partial failure', (driver) => {
  let c: TestContainer;
  before(async () => {
    c = await testContainer(driver, { sbomWorkers: false });
  });
  after(() => c.destroy());
  const imp = (items: { path: string; json: unknown }[]) => c.services.advisories.importRecords(sys, items);

  it('same modified is unchanged, newer modified a new revision, withdrawn withdraws', async () => {
    const first = await imp([{ path: 'a.json', json: rec('GO-2026-9001', '2026-01-01T00:00:00Z') }, { path: 'b.json', json: rec('GO-2026-9002', '2026-01-01T00:00:00Z') }]);
    assert.deepEqual(first, { added: 2, updated: 0, unchanged: 0, rejected: [] });
    const v1 = await c.services.advisories.get(sys, 'GO-2026-9001');
    assert.equal(v1.state, 'published');
    assert.equal(v1.source, 'imported');
    assert.equal(v1.label.tlp, 'CLEAR');
    assert.equal(v1.organisationName, 'Public sources');
    assert.equal(v1.revision, 1);

    assert.deepEqual(await imp([{ path: 'a.json', json: rec('GO-2026-9001', '2026-01-01T00:00:00Z') }]), { added: 0, updated: 0, unchanged: 1, rejected: [] });
    assert.equal((await c.services.advisories.get(sys, 'GO-2026-9001')).revision, 1, 'unchanged records get no revision');

    const newer = await imp([{ path: 'a.json', json: rec('GO-2026-9001', '2026-02-01T00:00:00Z', { summary: 'changed upstream' }) }]);
    assert.deepEqual(newer, { added: 0, updated: 1, unchanged: 0, rejected: [] });
    const v2 = await c.services.advisories.get(sys, 'GO-2026-9001');
    assert.equal(v2.revision, 2);
    assert.equal(v2.record.summary, 'changed upstream');
    assert.deepEqual((await c.services.advisories.revisions(sys, 'GO-2026-9001')).items.map((r) => r.revision).sort(), [1, 2]);

    // An older modified than the stored one is not a change either (mirrors are re-run out of order).
    assert.deepEqual(await imp([{ path: 'a.json', json: rec('GO-2026-9001', '2025-12-01T00:00:00Z') }]), { added: 0, updated: 0, unchanged: 1, rejected: [] });

    const gone = await imp([{ path: 'b.json', json: rec('GO-2026-9002', '2026-03-01T00:00:00Z', { withdrawn: '2026-03-01T00:00:00Z' }) }]);
    assert.deepEqual(gone, { added: 0, updated: 1, unchanged: 0, rejected: [] });
    const w = await c.services.advisories.get(sys, 'GO-2026-9002');
    assert.equal(w.state, 'withdrawn');
    assert.equal(w.record.withdrawn, '2026-03-01T00:00:00Z');
  });

  it('reports each bad record by path and reason, loads the rest, and writes nothing of the bad ones', async () => {
    const r = await imp([
      { path: 'ok.json', json: rec('GO-2026-9003', '2026-01-01T00:00:00Z') },
      { path: 'num.json', json: 42 },
      { path: 'arr.json[0]', json: [rec('GO-2026-9004', '2026-01-01T00:00:00Z')] },
      { path: 'slash.json', json: rec('../etc/passwd', '2026-01-01T00:00:00Z') },
      { path: 'date.json', json: rec('GO-2026-9005', 'yesterday') },
      { path: 'nomod.json', json: { id: 'GO-2026-9006' } },
      { path: 'ok2.json', json: rec('GO-2026-9007', '2026-01-01T00:00:00Z') },
    ]);
    assert.equal(r.added, 2);
    assert.deepEqual(r.rejected.map((x) => x.path), ['num.json', 'arr.json[0]', 'slash.json', 'date.json', 'nomod.json']);
    for (const x of r.rejected) assert.ok(x.reason.length > 5, `a reason for ${x.path}: ${x.reason}`);
    for (const id of ['GO-2026-9004', '../etc/passwd', 'GO-2026-9005', 'GO-2026-9006']) {
      await assert.rejects(c.services.advisories.get(sys, id), /not found/i, `${id} was not written`);
    }
    assert.equal((await c.services.advisories.get(sys, 'GO-2026-9007')).state, 'published');
  });

  it('reads files, folders and zips, naming archive entries and unreadable sources', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imp-src-'));
    try {
      mkdirSync(join(dir, 'tree/deep'), { recursive: true });
      writeFileSync(join(dir, 'tree/one.json'), JSON.stringify(rec('SRC-1', '2026-01-01T00:00:00Z')));
      writeFileSync(join(dir, 'tree/deep/many.json'), JSON.stringify([rec('SRC-2', '2026-01-01T00:00:00Z'), rec('SRC-3', '2026-01-01T00:00:00Z')]));
      writeFileSync(join(dir, 'tree/broken.json'), '{"id": ');
      writeFileSync(join(dir, 'tree/notes.txt'), 'ignored');
      writeFileSync(join(dir, 'a.zip'), zipSync({ 'x/SRC-4.json': strToU8(JSON.stringify(rec('SRC-4', '2026-01-01T00:00:00Z'))), 'README.md': strToU8('ignored') }));
      const { items, problems } = await drain([join(dir, 'tree'), join(dir, 'a.zip'), join(dir, 'missing.json')]);
      assert.deepEqual(items.map((i) => i.path), [join(dir, 'tree/deep/many.json[0]'), join(dir, 'tree/deep/many.json[1]'), join(dir, 'tree/one.json'), `${join(dir, 'a.zip')}!x/SRC-4.json`]);
      assert.deepEqual(problems.map((p) => p.path), [join(dir, 'tree/broken.json'), join(dir, 'missing.json')]);
      assert.match(problems[0]!.reason, /not valid JSON/);
      assert.match(problems[1]!.reason, /ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The CLI contract. The command is run through its own registration (not bin/clearinghouse.mjs) so that this suite
 * tests it whether or not main.ts lists it yet; the exit codes and output are the command's own.
 */
function cli(args: string[]) {
  const entry = `import { Command } from 'commander'; import { registerAdvisoriesCommand } from ${JSON.stringify(join(ROOT, 'src/cli/advisories.command.ts'))};
const p = new Command('clearinghouse').exitOverride(); registerAdvisoriesCommand(p); await p.parseAsync(process.argv);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, 'clearinghouse', ...args], {
    cwd: ROOT, env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('clearinghouse advisories import (CLI contract)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'imp-cli-'));
    const m = spawnSync(process.execPath, [BIN, 'migrate', '--data', join(dir, 'data')], { encoding: 'utf8', env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent' } });
    assert.equal(m.status, 0, m.stderr);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([rec('GO-2026-9010', '2026-01-01T00:00:00Z'), { id: 'GO-2026-9011' }]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints exactly { added, updated, unchanged, rejected } on stdout and exits 0 when everything loaded, then unchanged', () => {
    const fixtures = join(ROOT, 'test/fixtures/osv');
    const r = cli(['advisories', 'import', '--data', join(dir, 'data'), fixtures]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bar outside a terminal');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['added', 'updated', 'unchanged', 'rejected']);
    assert.deepEqual(out, { added: 3, updated: 0, unchanged: 0, rejected: [] });
    assert.deepEqual(JSON.parse(cli(['advisories', 'import', '--data', join(dir, 'data'), fixtures]).stdout), { added: 0, updated: 0, unchanged: 3, rejected: [] });
  });

  it('exits 1 with the rejected records listed when some are bad, the rest loaded', () => {
    const r = cli(['advisories', 'import', '--data', join(dir, 'data'), join(dir, 'bad.json')]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.added, 1);
    assert.deepEqual(out.rejected.map((x: { path: string }) => x.path), [`${join(dir, 'bad.json')}[1]`]);
    assert.equal(typeof out.rejected[0].reason, 'string');
  });

  it('exits 2 with nothing on stdout for a path that does not exist or a missing database', () => {
    const missing = cli(['advisories', 'import', '--data', join(dir, 'data'), join(dir, 'nope.zip')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /no such file or folder/);
    const noDb = cli(['advisories', 'import', '--data', join(dir, 'no-data'), join(ROOT, 'test/fixtures/osv')]);
    assert.equal(noDb.code, 2);
    assert.equal(noDb.stdout, '');
    assert.ok(!existsSync(join(dir, 'no-data')), 'no database is created');
  });
});
