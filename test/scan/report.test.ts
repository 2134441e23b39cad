import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cycloneDx16Validator, sarifSkip, sarifValidator } from './validators.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fx = (p: string) => join(root, 'test/fixtures', p);
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/clearinghouse.mjs'), 'scan', ...args], { encoding: 'utf8', cwd: root });

const GO_ZIP = join(root, '../shared/data/osv/Go.zip');
const sharedSkip = existsSync(GO_ZIP) || process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1' ? false : `shared data absent at ${GO_ZIP}`;

const dir = mkdtempSync(join(tmpdir(), 'clearinghouse-scan-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
const bom = (...components: { ref: string; purl: string }[]) => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  version: 1,
  components: components.map((c) => ({ 'bom-ref': c.ref, type: 'library', name: c.ref, purl: c.purl })),
});

const CVSS = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
// +incompatible is how Go writes a v2+ module without go.mod; the purl spec's canonical form percent-encodes the +.
const DOCKER = 'pkg:golang/github.com/docker/docker@v20.10.7+incompatible';
const advisories = write('advisories.json', [
  {
    id: 'GO-TEST-0001',
    modified: '2024-01-01T00:00:00Z',
    severity: [{ type: 'CVSS_V3', score: CVSS }],
    affected: [{ package: { ecosystem: 'Go', name: 'github.com/docker/docker' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '20.10.9+incompatible' }] }] }],
  },
]);
const goSbom = write('go.cdx.json', bom({ ref: 'docker', purl: DOCKER }));
const mixedSbom = write('mixed.cdx.json', bom({ ref: 'docker', purl: DOCKER }, { ref: 'zlib', purl: 'pkg:apk/alpine/zlib@1.2.10-r0?distro=alpine-3.17.2' }));
const alpineSbom = write('alpine.cdx.json', bom({ ref: 'zlib', purl: 'pkg:apk/alpine/zlib@1.2.10-r0?distro=alpine-3.17.2' }, { ref: 'musl', purl: 'pkg:apk/alpine/musl@1.2.3-r4' }));

describe('scan report: purls, SBOMs, severity, what was not checked', () => {
  it('json echoes the purl as written, gives the canonical form and names the SBOM of each result', () => {
    const r = run('--advisories', advisories, '--format', 'json', goSbom, mixedSbom);
    assert.equal(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.results.map((x: { purl: string; canonicalPurl: string; sbom: string; fixed: string }) => [x.purl, x.canonicalPurl, x.sbom, x.fixed]),
      [
        [DOCKER, 'pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible', goSbom, '20.10.9+incompatible'],
        [DOCKER, 'pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible', mixedSbom, '20.10.9+incompatible'],
      ],
    );
    assert.deepEqual(out.results[0].severity, [{ type: 'CVSS_V3', score: CVSS }]);
  });

  it('components of an ecosystem without advisories are listed in unmatched with a stderr warning, never "clean"', () => {
    const r = run('--advisories', advisories, '--format', 'json', mixedSbom);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /warning: no advisories loaded for ecosystem Alpine: 1 component\(s\) NOT checked/);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.unmatched, [{ sbom: mixedSbom, ref: 'zlib', reason: 'no advisories loaded for ecosystem Alpine: not checked' }]);
  });

  it('an SBOM none of whose components could be checked is not reported clean: exit 2, reasons listed', () => {
    const r = run('--advisories', advisories, alpineSbom);
    assert.equal(r.status, 2, r.stdout);
    assert.doesNotMatch(r.stdout, /^No known vulnerabilities found\.$/m);
    assert.match(r.stdout, /2 component\(s\) could NOT be checked/);
    assert.match(r.stdout, /zlib: no advisories loaded for ecosystem Alpine/);
    assert.match(r.stderr, /warning: no advisories loaded for ecosystem Alpine: 2 component\(s\) NOT checked/);
    assert.match(r.stderr, /none of the 2 component\(s\) could be checked/);
  });

  it('the shared Alpine SBOM against the Go advisories says it was not checked (the case of the issue)', { skip: sharedSkip }, () => {
    const r = run('--advisories', GO_ZIP, join(root, '../shared/data/sbom/alpine.cdx.xml'));
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stdout, /^No known vulnerabilities found\.$/m);
    assert.match(r.stderr, /no advisories loaded for ecosystem Alpine: 14 component\(s\) NOT checked/);
  });

  it('table and markdown show severity and, when several SBOMs are scanned, which SBOM', () => {
    const table = run('--advisories', advisories, goSbom, mixedSbom);
    assert.equal(table.status, 1, table.stderr);
    const [head, , ...rows] = table.stdout.split('\n');
    assert.match(head!, /^sbom\s+package\s+installed\s+ecosystem\s+advisory\s+aliases\s+fixed in\s+severity$/);
    assert.ok(rows[0]!.startsWith(goSbom) && rows[0]!.endsWith(CVSS), rows[0]);
    assert.ok(rows[1]!.startsWith(mixedSbom) && rows[1]!.endsWith(CVSS), rows[1]);
    assert.match(table.stdout, new RegExp(`${mixedSbom.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: zlib: no advisories loaded for ecosystem Alpine`));

    const md = run('--advisories', advisories, '--format', 'markdown', goSbom, mixedSbom);
    assert.equal(md.status, 1, md.stderr);
    assert.match(md.stdout, /^\| SBOM \| package \| installed \| advisory \| aliases \| severity \| fixed in \|$/m);
    assert.match(md.stdout, /\| CVSS:3\.1\/AV:N/);
    assert.match(md.stdout, /### Not checked/);

    const single = run('--advisories', advisories, goSbom);
    assert.match(single.stdout.split('\n')[0]!, /^package\s+installed/, 'one SBOM: no sbom column');
  });

  it('an --advisories path that does not exist is an error naming it, even beside one that does', () => {
    const missing = join(dir, 'no-such-advisories.zip');
    const r = run('--advisories', advisories, '--advisories', missing, goSbom);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`cannot read --advisories ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
    assert.equal(r.stdout, '');
  });

  it('sarif stays valid SARIF 2.1.0 with several SBOMs and lists what was not checked', { skip: sarifSkip }, () => {
    const r = run('--advisories', advisories, '--format', 'sarif', goSbom, mixedSbom);
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    const validate = sarifValidator();
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    const run0 = doc.runs[0];
    assert.deepEqual(
      run0.results.map((x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; properties: { purl: string } }) => [x.locations[0]!.physicalLocation.artifactLocation.uri, x.properties.purl]),
      [[goSbom, DOCKER], [mixedSbom, DOCKER]],
    );
    assert.match(run0.invocations[0].toolExecutionNotifications[0].message.text, /zlib was not checked: no advisories loaded for ecosystem Alpine/);
  });

  it('cyclonedx-vex stays valid CycloneDX 1.6: one component per package as written, SBOMs and gaps as properties', () => {
    const r = run('--advisories', advisories, '--format', 'cyclonedx-vex', goSbom, mixedSbom);
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    const validate = cycloneDx16Validator();
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.deepEqual(doc.components.map((c: { purl: string }) => c.purl), [DOCKER]);
    assert.deepEqual(doc.components[0].properties.map((p: { value: string }) => p.value), [goSbom, mixedSbom]);
    assert.deepEqual(doc.vulnerabilities[0].affects, [{ ref: DOCKER, versions: [{ version: 'v20.10.7+incompatible', status: 'affected' }] }]);
    assert.deepEqual(doc.vulnerabilities[0].ratings, [{ method: 'CVSSv31', vector: CVSS }]);
    assert.match(doc.properties[0].value, /zlib: no advisories loaded for ecosystem Alpine/);
  });
});
