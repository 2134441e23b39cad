import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cycloneDx16Validator, sarifSkip, sarifValidator } from './validators.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fx = (p: string) => join(root, 'test/fixtures', p);
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/clearinghouse.mjs'), 'scan', ...args], { encoding: 'utf8', cwd: root });

describe('clearinghouse scan (CLI contract)', () => {
  it('json: one result per (component, advisory), exact fields, sorted, exit 1 when affected', () => {
    const r = run('--advisories', fx('osv'), '--format', 'json', fx('sbom/go-modules.cdx.json'));
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a TTY');
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['results', 'unmatched', 'errors']);
    // The first contract's fields, in their places; later fields only follow them.
    for (const x of out.results) assert.deepEqual(Object.keys(x), ['purl', 'ecosystem', 'name', 'version', 'advisory', 'aliases', 'severity', 'fixed', 'canonicalPurl', 'sbom']);
    assert.deepEqual(
      out.results.map((x: { advisory: string; name: string; fixed: string | null }) => [x.name, x.advisory, x.fixed]),
      [
        ['github.com/opencontainers/runc', 'GO-2022-0274', '1.1.0'],
        ['github.com/opencontainers/runc', 'GO-2024-2491', '1.1.12'],
        ['golang.org/x/sys', 'GO-2022-0493', '0.0.0-20220412211240-33da011f77ad'],
      ],
    );
    assert.deepEqual(out.results[0].aliases, ['CVE-2021-43784', 'GHSA-v95c-p5hm-xq8f']);
    assert.equal(out.results[0].severity, null);
    assert.deepEqual(out.unmatched.map((u: { ref: string }) => u.ref), ['app', 'noversion', 'nopurl']);
    assert.deepEqual(out.errors, []);
  });

  it('exit 0 when nothing is affected; the flag repeats', () => {
    const r = run('--advisories', fx('osv/GO-2022-0274.json'), '--advisories', fx('osv/GO-2024-2491.json'), fx('sbom/clean.cdx.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /No known vulnerabilities/);
  });

  it('exit 2 on bad input: no advisories, unreadable or invalid SBOM, bad format, empty advisory set', () => {
    assert.equal(run(fx('sbom/clean.cdx.json')).status, 2);
    const unreadable = run('--advisories', fx('osv'), fx('sbom/does-not-exist.json'));
    assert.equal(unreadable.status, 2);
    assert.match(unreadable.stderr, /cannot read SBOM/);
    const invalid = run('--advisories', fx('osv'), fx('osv/README.md'));
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /neither JSON nor XML/);
    assert.equal(run('--advisories', fx('osv'), '--format', 'yaml', fx('sbom/clean.cdx.json')).status, 2);
    assert.equal(run('--advisories', fx('sbom'), fx('sbom/clean.cdx.json')).status, 2, 'folder without advisories');
  });

  it('sarif output is valid SARIF 2.1.0', { skip: sarifSkip }, () => {
    const r = run('--advisories', fx('osv'), '--format', 'sarif', fx('sbom/go-modules.cdx.json'));
    assert.equal(r.status, 1);
    const validate = sarifValidator();
    const doc = JSON.parse(r.stdout);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.equal(doc.runs[0].results.length, 3);
  });

  it('cyclonedx-vex output is valid CycloneDX 1.6', () => {
    const r = run('--advisories', fx('osv'), '--format', 'cyclonedx-vex', fx('sbom/go-modules.cdx.json'));
    assert.equal(r.status, 1);
    const validate = cycloneDx16Validator();
    const doc = JSON.parse(r.stdout);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.equal(doc.vulnerabilities.length, 3);
    assert.deepEqual(doc.vulnerabilities.find((v: { id: string }) => v.id === 'GO-2024-2491').affects, [
      { ref: 'pkg:golang/github.com/opencontainers/runc@v1.0.1', versions: [{ version: 'v1.0.1', status: 'affected' }] },
    ]);
  });
});
