import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { scoreSeverities } from '../domain/cvss/cvss.ts';

/**
 * OSV records are checked against the OSV JSON schema (src/formats/schemas/osv-schema.json, a copy of ossf/osv-schema's
 * validation/schema.json) with ajv before anything stores them, plus what the schema cannot say: caps on size, depth,
 * string and array lengths (checked first, by an iterative walk, so hostile input costs little and never overflows the
 * stack), ids that are safe as file names and URL segments, RFC 3339 dates that parse, and CVSS vectors that parse.
 * Errors name the JSON path (RFC 6901 pointer into the record).
 */
export type JsonObject = Record<string, unknown>;

export interface OsvRecordJson {
  schema_version?: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: { type: string; score: string }[];
  affected?: JsonObject[];
  references?: { type: string; url: string }[];
  credits?: JsonObject[];
  database_specific?: JsonObject;
  [key: string]: unknown;
}

export const OSV_CAPS = {
  /** Serialised size (the HTTP body limit applies before this; this guards the import and CLI paths). */
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 32,
  maxString: 1024 * 1024,
  maxArray: 100_000,
  maxErrors: 50,
} as const;

export interface RecordError {
  path: string;
  message: string;
}

export type OsvValidation = { ok: true; record: OsvRecordJson } | { ok: false; errors: RecordError[] };

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Ids become file names (CSAF, exports) and URL segments: no slashes, no dot segments, bounded. */
export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id) && id !== '.' && id !== '..' && !id.includes('..');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isRfc3339(s: unknown): s is string {
  return typeof s === 'string' && RFC3339.test(s) && !Number.isNaN(Date.parse(s));
}

const escape = (k: string | number) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');

/** Size, depth, string and array caps, walked without recursion; stops at the first violation. */
function capProblem(value: unknown): RecordError | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  let bytes = 0;
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (depth > OSV_CAPS.maxDepth) return { path, message: `nested more than ${OSV_CAPS.maxDepth} levels deep` };
    if (typeof v === 'string') {
      if (v.length > OSV_CAPS.maxString) return { path, message: `string longer than ${OSV_CAPS.maxString} characters` };
      bytes += v.length + 2;
    } else if (Array.isArray(v)) {
      if (v.length > OSV_CAPS.maxArray) return { path, message: `array longer than ${OSV_CAPS.maxArray} items` };
      bytes += 2;
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}/${i}`, depth: depth + 1 });
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length > OSV_CAPS.maxArray) return { path, message: `object with more than ${OSV_CAPS.maxArray} members` };
      bytes += 2;
      for (const k of keys) {
        bytes += k.length + 3;
        stack.push({ v: (v as JsonObject)[k], path: `${path}/${escape(k)}`, depth: depth + 1 });
      }
    } else {
      bytes += 8;
    }
    if (bytes > OSV_CAPS.maxBytes) return { path: '', message: `record larger than ${OSV_CAPS.maxBytes} bytes` };
  }
  return null;
}

let validator: ValidateFunction | null = null;

function compiled(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('./schemas/osv-schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormatsImport as unknown as (a: Ajv2020) => Ajv2020)(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

function describe(e: ErrorObject): RecordError {
  const p = e.params as Record<string, unknown>;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') message = `unknown property ${JSON.stringify(p.additionalProperty)}`;
  else if (e.keyword === 'enum') message = `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  else if (e.keyword === 'required') message = `missing required property ${JSON.stringify(p.missingProperty)}`;
  else if (e.keyword === 'pattern' && e.instancePath === '/id') message = 'must start with a known OSV database prefix (for example GHSA-, PYSEC-, or x_ for a private id)';
  return { path: e.instancePath, message };
}

/** Validates one OSV record; `ownIdPrefixes` are this platform's authored-id prefixes, accepted beside the schema's. */
export function validateOsvRecord(json: unknown, opts: { ownIdPrefixes?: readonly string[] } = {}): OsvValidation {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, errors: [{ path: '', message: 'an OSV record must be a JSON object' }] };
  const cap = capProblem(json);
  if (cap) return { ok: false, errors: [cap] };
  const record = json as JsonObject;
  const own = typeof record.id === 'string' && (opts.ownIdPrefixes ?? []).some((p) => (record.id as string).startsWith(`${p}-`));
  const validate = compiled();
  const errors: RecordError[] = [];
  if (!validate(json)) {
    // The schema only knows registered home databases; our own prefix is ours to vouch for.
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      if (own && e.instancePath === '/id' && e.keyword === 'pattern') continue;
      // allOf/anyOf/if wrappers repeat what their branches say.
      if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'allOf') continue;
      const d = describe(e);
      const key = `${d.path} ${d.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        errors.push(d);
      }
    }
  }
  if (typeof record.id === 'string' && !isSafeId(record.id)) errors.push({ path: '/id', message: 'must be 1 to 128 letters, digits and . _ : - (no slashes or dot segments)' });
  for (const field of ['modified', 'published', 'withdrawn'] as const) {
    if (record[field] !== undefined && !isRfc3339(record[field])) errors.push({ path: `/${field}`, message: `${JSON.stringify(String(record[field]).slice(0, 100))} is not an RFC 3339 date-time` });
  }
  errors.push(...scoreSeverities(record).errors);
  const unique = [...new Map(errors.map((e) => [`${e.path} ${e.message}`, e])).values()];
  if (unique.length) return { ok: false, errors: unique.slice(0, OSV_CAPS.maxErrors) };
  return { ok: true, record: record as OsvRecordJson };
}
