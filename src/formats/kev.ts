/**
 * CISA's Known Exploited Vulnerabilities catalogue (issue 9): validated with ajv against CISA's own schema
 * (src/formats/schemas/kev-schema.json, see kev-schema.SOURCE.md) and reduced to what triage keeps. Pure: no I/O.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../domain/errors.ts';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

/** The whole catalogue is ~1,400 entries and ~1.3 MB today; the caps leave room for years of growth (12x), not for abuse. */
export const KEV_LIMITS = { bytes: 16 * 1024 * 1024, entries: 100_000 } as const;

export interface KevEntry {
  cve: string;
  vendor: string;
  product: string;
  name: string;
  dateAdded: string;
  dueDate: string;
  knownRansomware: boolean;
  requiredAction: string;
}

export interface KevCatalogue {
  catalogVersion: string;
  dateReleased: string;
  entries: KevEntry[];
}

let validator: ValidateFunction | null = null;
function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('./schemas/kev-schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: false, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** Parses and validates a catalogue; an unreadable or invalid one is an InvalidInputError saying where. */
export function parseKevCatalogue(body: Buffer | string): KevCatalogue {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > KEV_LIMITS.bytes) throw new InvalidInputError(`the KEV catalogue is larger than ${KEV_LIMITS.bytes} bytes`, { field: 'catalogue' });
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new InvalidInputError(`the KEV catalogue is not JSON: ${err instanceof Error ? err.message : String(err)}`, { field: 'catalogue' });
  }
  const v = validate();
  if (!v(json)) {
    const e = v.errors?.[0];
    throw new InvalidInputError(`the KEV catalogue does not follow CISA's schema: ${e?.instancePath || '(catalogue)'} ${e?.message ?? 'is invalid'}`, { field: 'catalogue', path: e?.instancePath ?? '' });
  }
  const doc = json as { catalogVersion: string; dateReleased: string; vulnerabilities: Record<string, unknown>[] };
  if (doc.vulnerabilities.length > KEV_LIMITS.entries) throw new InvalidInputError(`the KEV catalogue has more than ${KEV_LIMITS.entries} entries`, { field: 'catalogue' });
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const byCve = new Map<string, KevEntry>();
  for (const v of doc.vulnerabilities) {
    const cve = str(v.cveID).toUpperCase();
    byCve.set(cve, {
      cve,
      vendor: str(v.vendorProject),
      product: str(v.product),
      name: str(v.vulnerabilityName),
      dateAdded: str(v.dateAdded),
      dueDate: str(v.dueDate),
      knownRansomware: str(v.knownRansomwareCampaignUse).toLowerCase() === 'known',
      requiredAction: str(v.requiredAction).slice(0, 2000),
    });
  }
  return { catalogVersion: doc.catalogVersion, dateReleased: doc.dateReleased, entries: [...byCve.values()] };
}
