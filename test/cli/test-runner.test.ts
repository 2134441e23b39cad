import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'clearinghouse-runner-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('npm test ends with a recap naming every skipped test and suite with its reason, after the summary', () => {
  writeFileSync(
    join(dir, 'sample.test.ts'),
    [
      "import { describe, it } from 'node:test';",
      "describe('needs data', { skip: 'shared data absent at /nowhere' }, () => { it('inner', () => {}); });",
      "describe('outer', () => { it('needs chromium', { skip: 'Chromium not found' }, () => {}); it('runs', () => {}); });",
      "it('skips itself', (t) => { t.skip('PostgreSQL is not reachable'); });",
    ].join('\n'),
  );
  // Run as from a shell: NODE_TEST_CONTEXT would make the inner runner report to us instead of printing.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, [join(root, 'scripts/test.mjs'), dir], { cwd: root, encoding: 'utf8', timeout: 120_000, env });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const summary = lines.findIndex((l) => /^\S+ fail 0$/.test(l));
  const recap = lines.findIndex((l) => l.startsWith('# recap: 3 SKIPPED'));
  assert.ok(summary >= 0, 'the runner summary is still printed');
  assert.ok(recap > summary, `the recap comes after the summary:\n${r.stdout}`);
  const block = lines.slice(recap + 1).join('\n');
  assert.match(block, /sample\.test\.ts: needs data \(whole suite\) -- shared data absent at \/nowhere/);
  assert.match(block, /sample\.test\.ts: outer > needs chromium -- Chromium not found/);
  assert.match(block, /sample\.test\.ts: skips itself -- PostgreSQL is not reachable/);
  assert.doesNotMatch(block, /runs/);
});
