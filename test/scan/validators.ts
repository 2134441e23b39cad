/** Schema validators for the scan report formats, shared by the scan CLI tests. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const SARIF_SCHEMA = join(root, '../shared/data/sarif/spec/sarif-2.1/schema/sarif-schema-2.1.0.json');
const REQUIRED = process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1';

/**
 * Why the SARIF schema tests cannot run, or false. With CLEARINGHOUSE_REQUIRE_SHARED=1 the absence is not a reason
 * to skip: the test runs and fails on the missing file.
 */
export const sarifSkip: string | false = existsSync(SARIF_SCHEMA) || REQUIRED ? false : `SARIF schema absent at ${SARIF_SCHEMA} (CLEARINGHOUSE_REQUIRE_SHARED=1 makes this fail)`;

export type Validate = ((doc: unknown) => boolean) & { errors?: unknown };

export function sarifValidator(): Validate {
  const schema = JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8'));
  // The SARIF schema is draft-04, which Ajv 8 no longer loads by name; its keywords validate the same under draft-07.
  delete schema.$schema;
  delete schema.id;
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema) as Validate;
}

export function cycloneDx16Validator(): Validate {
  const res = join(root, 'node_modules/@cyclonedx/cyclonedx-library/res/schema');
  const load = (f: string) => {
    const s = JSON.parse(readFileSync(join(res, f), 'utf8'));
    delete s.$id;
    return s;
  };
  const ajv = new Ajv.default({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  const base = 'http://cyclonedx.org/schema/';
  for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json']) ajv.addSchema(load(f), base + f);
  const bom = load('bom-1.6.SNAPSHOT.schema.json');
  bom.$id = base + 'bom-1.6.SNAPSHOT.schema.json';
  return ajv.compile(bom) as Validate;
}
