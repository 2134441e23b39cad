import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSbom } from './sbom.ts';

const fixtures = new URL('../../test/fixtures/sbom/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));

describe('parseSbom', () => {
  it('reads CycloneDX JSON with nested components, de-duplicates, and explains what it cannot use', () => {
    const r = parseSbom(fixture('go-modules.cdx.json'), 'go-modules.cdx.json');
    assert.equal(r.format, 'cyclonedx-json');
    assert.deepEqual(r.components.map((c) => c.bomRef), ['runc', 'xsys', 'runc-fixed']);
    assert.deepEqual(r.components[1], {
      purl: 'pkg:golang/golang.org/x/sys@v0.0.0-20210817142637-7d9622a276b7',
      ecosystem: 'Go',
      name: 'golang.org/x/sys',
      version: 'v0.0.0-20210817142637-7d9622a276b7',
      bomRef: 'xsys',
    });
    assert.deepEqual(r.unmatched.map((u) => u.ref), ['app', 'noversion', 'nopurl']);
    assert.match(r.unmatched[0]!.reason, /no OSV ecosystem/);
    assert.match(r.unmatched[1]!.reason, /no version/);
    assert.equal(r.unmatched[2]!.reason, 'no purl');
  });

  it('reads SPDX 2.3 JSON packages through their purl external references', () => {
    const r = parseSbom(fixture('only-unimportant.spdx.json'));
    assert.equal(r.format, 'spdx-json');
    assert.equal(r.components.length, 1);
    assert.equal(r.components[0]!.ecosystem, 'Ubuntu');
    assert.equal(r.components[0]!.version, '2:8.39-12ubuntu0.1');
  });

  it('reads CycloneDX XML, keeping versions as strings', () => {
    const xml = `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components>
      <component type="library" bom-ref="a"><name>x</name><version>1.10</version><purl>pkg:pypi/x@1.10</purl>
        <components><component type="library" bom-ref="b"><name>y</name><version>2.0</version><purl>pkg:npm/y@2.0</purl></component></components>
      </component></components></bom>`;
    const r = parseSbom(xml, 'bom.xml');
    assert.equal(r.format, 'cyclonedx-xml');
    assert.deepEqual(r.components.map((c) => [c.bomRef, c.version]), [['a', '1.10'], ['b', '2.0']]);
  });

  it('gives a clear invalid-sbom error for documents it cannot read', () => {
    const bad: [string | Uint8Array, RegExp][] = [
      ['{"bomFormat":"CycloneDX","specVersion":"1.2","components":[]}', /specVersion "1.2"/],
      ['{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}', /components must be an array/],
      ['{"hello":1}', /neither CycloneDX/],
      ['{"spdxVersion":"SPDX-2.3","packages":3}', /packages must be an array/],
      ['{"components": [', /not valid JSON/],
      ['<bom xmlns="http://example.com/"></bom>', /not a CycloneDX namespace/],
      ['<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>', /./],
      [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/],
      ['plain text', /neither JSON nor XML/],
    ];
    for (const [input, re] of bad) {
      assert.throws(() => parseSbom(input), (err: Error & { code?: string }) => err.code === 'invalid-sbom' && re.test(err.message), String(input));
    }
  });
});
