import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkSbomSchema } from '../../src/formats/sbom-schema.ts';

// The CycloneDX specification's own test documents: valid-* must pass the schema check, invalid-* must not.
const dir = fileURLToPath(new URL('../../../shared/data/cyclonedx/spec-tests/', import.meta.url));
const present = existsSync(dir);
const required = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';
if (!present && !required) console.warn(`CycloneDX spec-tests suite skipped: shared data absent at ${dir}`);

describe('schema check agrees with the CycloneDX spec-tests', { skip: present || required ? false : `shared data absent at ${dir}` }, () => {
  for (const version of ['1.4', '1.5', '1.6']) {
    it(`CycloneDX ${version}: valid-* clean, invalid-* with findings`, () => {
      const files = readdirSync(join(dir, version)).filter((f) => f.endsWith('.json'));
      assert.ok(files.length > 40, `${files.length} documents`);
      const wrong: string[] = [];
      for (const f of files) {
        const text = readFileSync(join(dir, version, f), 'utf8');
        const r = checkSbomSchema('cyclonedx-json', JSON.parse(text), text.length);
        assert.deepEqual(r.schema, { checked: true, name: `CycloneDX ${version}` }, f);
        if ((r.warningCount === 0) !== f.startsWith('valid-')) wrong.push(`${f}: ${JSON.stringify(r.warnings.slice(0, 2))}`);
      }
      assert.deepEqual(wrong, []);
    });
  }
});
