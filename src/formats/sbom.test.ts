import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SBOM_MAX_DEPTH, parseSbom } from './sbom.ts';

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

  describe('hostile input', () => {
    const expectInvalid = (input: string, re: RegExp) =>
      assert.throws(() => parseSbom(input), (err: any) => err.code === 'invalid-sbom' && re.test(err.message));

    it('refuses CycloneDX JSON nested 3,000 levels deep, naming the depth it accepts', () => {
      const open = '{"type":"library","name":"c","components":['.repeat(3000);
      const inner = open + '{"type":"library","name":"leaf","purl":"pkg:npm/leaf@1.0.0"}' + ']}'.repeat(3000);
      expectInvalid(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[${inner}]}`, new RegExp(`deeper than ${SBOM_MAX_DEPTH} levels`));
    });

    it('refuses deep nesting anywhere in the document, not only in components (SPDX too)', () => {
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      expectInvalid(`{"spdxVersion":"SPDX-2.3","packages":[],"annotations":${deep}}`, /deeper than/);
    });

    it('refuses CycloneDX XML nested 3,000 levels deep', () => {
      const open = '<components><component type="library"><name>x</name>'.repeat(3000);
      const close = '</component></components>'.repeat(3000);
      expectInvalid(`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">${open}${close}</bom>`, new RegExp(`deeper than ${SBOM_MAX_DEPTH} levels`));
    });

    it('accepts components nested a realistic depth', () => {
      let inner: any = { type: 'library', name: 'leaf', purl: 'pkg:npm/leaf@1.0.0' };
      for (let i = 0; i < 20; i++) inner = { type: 'library', name: `c${i}`, purl: `pkg:npm/c${i}@1.0.0`, components: [inner] };
      const out = parseSbom(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [inner] }));
      assert.equal(out.components.length, 21);
    });

    it('names a NUL character in a bom-ref or name as the fault', () => {
      const doc = (c: object) => JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name: 'ok', purl: 'pkg:npm/ok@1.0.0' }, c] });
      expectInvalid(doc({ 'bom-ref': 'a\u0000b', type: 'library', name: 'x', purl: 'pkg:npm/x@1.0.0' }), /component 2 has a NUL character in its reference/);
      expectInvalid(doc({ type: 'library', name: 'x\u0000', purl: 'pkg:npm/x@1.0.0' }), /component 2 has a NUL character in its name/);
      const decoded = parseSbom(doc({ 'bom-ref': 'y', type: 'library', name: 'y', purl: 'pkg:npm/y@1.0%000' }));
      assert.deepEqual(decoded.unmatched, [{ ref: 'y', reason: 'the purl decodes to a NUL character' }]);
    });
  });
});
