/**
 * Schema check of an uploaded SBOM against its format's official JSON schema. Lenient by design (docs/inventories.md):
 * findings are warnings kept with the inventory, never a refusal, because real generators routinely emit documents
 * that break their schema in ways that do not matter for matching (a licence id off the list, a bad timestamp) and
 * refusing them would leave operators with no inventory at all.
 *
 * The CycloneDX schemas are the ones @cyclonedx/cyclonedx-library bundles (res/schema, Apache-2.0, copies of
 * CycloneDX/specification). Its own JsonValidator is not used: it needs the optional ajv-formats-draft2019 package,
 * which we do not install, it re-parses the text we already parsed, and it offers no way to cap findings. ajv (the
 * engine the library uses) compiles the same schema files here with the same options, so results agree.
 *
 * Runs in the SBOM worker threads (src/services/workers/sbom-parse.task.ts); validators compile once per thread.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { SbomFormat } from './sbom.ts';

/** Whether the document was compared with a schema at all, and which; `reason` says why not. */
export type SchemaCheck =
  | { checked: true; name: string; /** true when a large document was checked only up to its first finding */ firstFindingOnly?: true }
  | { checked: false; reason: string };

export interface SchemaWarning {
  /** JSON Pointer (RFC 6901) into the document; '' is the whole document. */
  path: string;
  message: string;
}

export interface SchemaResult {
  schema: SchemaCheck;
  warnings: SchemaWarning[];
  /** Every finding, including those past the stored cap. */
  warningCount: number;
}

/** Findings kept with the inventory: enough to act on, and a 100k-component document cannot make a 10 MB row. */
export const MAX_SCHEMA_WARNINGS = 50;
const MAX_MESSAGE = 300;

/**
 * Above this size a document is checked with allErrors off: ajv stops at the first finding, so a hostile 50 MiB
 * document with a finding in every component costs one validation pass and no error list that scales with it.
 * Collecting every finding costs some 0.4 ms per failing component (30,000 failing components: 13 s on a loaded
 * core), against 7 ms per thousand valid ones, hence a small bound: 1 MiB is ~4,000 components.
 */
export const ALL_ERRORS_MAX_BYTES = 1024 * 1024;

const CDX_SCHEMAS: Record<string, string> = { '1.4': 'bom-1.4.SNAPSHOT.schema.json', '1.5': 'bom-1.5.SNAPSHOT.schema.json', '1.6': 'bom-1.6.SNAPSHOT.schema.json' };
// Referenced by the bom schemas under these ids; loaded from the same bundle, never fetched.
const CDX_REFERENCED: Record<string, string> = {
  'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': 'spdx.SNAPSHOT.schema.json',
  'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': 'cryptography-defs.SNAPSHOT.schema.json',
  'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': 'jsf-0.82.SNAPSHOT.schema.json',
};

const XML_REASON = 'CycloneDX XML is not schema-checked: the only well-kept XSD validator (the CycloneDX library\'s, over libxmljs2) needs a native module the project does not install';

function schemaDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
}

const cdxAjv: { all?: Ajv; first?: Ajv } = {};
// Compiling a bom schema costs seconds of CPU (some 2 s for 1.6 on an idle core): each (version, mode) pair is
// compiled on first use and kept for the worker thread's life.
const compiled = new Map<string, ValidateFunction>();

function newAjv(allErrors: boolean, dir: string): Ajv {
  const schemas = Object.fromEntries(Object.entries(CDX_REFERENCED).map(([id, file]) => [id, linearUniqueItems(JSON.parse(readFileSync(join(dir, file), 'utf8'))) as object]));
  // The library's own options: schemas are used as published (not strict-mode clean), nothing is ever fetched.
  const ajv = new Ajv({ allErrors, strict: false, useDefaults: false, addUsedSchema: false, schemas, loadSchema: (uri) => { throw new Error(`remote schemas are disabled: ${uri}`); } });
  const addFormats = addFormatsImport as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  // Formats ajv-formats lacks: accepted unchecked, as the library does for iri-reference (documented in inventories.md).
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  ajv.addKeyword({ keyword: 'x-unique-items', type: 'array', schemaType: 'boolean', validate: uniqueByText, error: { message: 'must not have duplicate items' } });
  return ajv;
}

/**
 * Swaps `uniqueItems` for our own keyword. ajv checks uniqueItems on objects by comparing every pair of items, so a
 * 100,000-component document (the bom schemas put it on `components`) took minutes of CPU; `x-unique-items` keys each
 * item by its JSON text in a Set, linear. Items equal but written with keys in another order are not caught (a
 * missed finding, never a false one); our own code because ajv offers no linear variant.
 */
function linearUniqueItems(node: unknown): unknown {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n !== null && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.uniqueItems === true) {
        delete o.uniqueItems;
        o['x-unique-items'] = true;
      }
      for (const v of Object.values(o)) if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
  return node;
}

function uniqueByText(_schema: unknown, data: unknown[]): boolean {
  const seen = new Set<string>();
  for (const item of data) {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function cdxValidator(spec: string, allErrors: boolean): ValidateFunction {
  const key = `${spec}/${allErrors ? 'all' : 'first'}`;
  let v = compiled.get(key);
  if (v) return v;
  const dir = schemaDir();
  const mode = allErrors ? 'all' : 'first';
  const ajv = (cdxAjv[mode] ??= newAjv(allErrors, dir));
  v = ajv.compile(linearUniqueItems(JSON.parse(readFileSync(join(dir, CDX_SCHEMAS[spec]!), 'utf8'))) as object);
  compiled.set(key, v);
  return v;
}

function describe(e: ErrorObject): string {
  let msg = e.message ?? e.keyword;
  if (e.keyword === 'enum' && Array.isArray((e.params as { allowedValues?: unknown[] }).allowedValues)) {
    msg += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.slice(0, 10).map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'additionalProperties') {
    msg += `: ${JSON.stringify((e.params as { additionalProperty?: string }).additionalProperty)}`;
  }
  return msg.slice(0, MAX_MESSAGE);
}

function run(spec: string, doc: unknown, bytes: number, name: string): SchemaResult {
  const full = bytes <= ALL_ERRORS_MAX_BYTES;
  const fn = cdxValidator(spec, full);
  if (fn(doc)) return { schema: { checked: true, name }, warnings: [], warningCount: 0 };
  const errors = fn.errors ?? [];
  return {
    schema: full ? { checked: true, name } : { checked: true, name, firstFindingOnly: true },
    warnings: errors.slice(0, MAX_SCHEMA_WARNINGS).map((e) => ({ path: e.instancePath.slice(0, MAX_MESSAGE), message: describe(e) })),
    warningCount: errors.length,
  };
}

function notChecked(reason: string): SchemaResult {
  return { schema: { checked: false, reason }, warnings: [], warningCount: 0 };
}

/**
 * Checks a document parseSbom already accepted. `doc` is the parsed JSON (undefined for XML); `bytes` is the body's
 * size, which decides whether every finding is collected.
 */
export function checkSbomSchema(format: SbomFormat, doc: unknown, bytes: number): SchemaResult {
  if (format === 'cyclonedx-xml') return notChecked(XML_REASON);
  const d = doc as Record<string, unknown>;
  if (format === 'cyclonedx-json') {
    const spec = typeof d.specVersion === 'string' ? d.specVersion : '';
    if (!(spec in CDX_SCHEMAS)) return notChecked(`no schema is bundled for CycloneDX ${spec.slice(0, 20)}`);
    return run(spec, doc, bytes, `CycloneDX ${spec}`);
  }
  const version = typeof d.spdxVersion === 'string' ? d.spdxVersion.slice(0, 20) : '';
  return notChecked(`no schema is bundled for ${version}: the official SPDX JSON schema is not yet in the repository (see docs/inventories.md)`);
}
