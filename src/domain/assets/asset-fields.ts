import { InvalidInputError } from '../errors.ts';
import { CI_SECTORS, type CiSector } from '../policy/access-label.ts';

/**
 * The asset an inventory describes (issue 10): its sector (one of the 16 CISA sectors, the list organisations already
 * use), how critical it is to its operator, and the environment it runs in. Each is null until the owner says.
 */
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** Order for "what to upgrade first": a critical asset before a low one; an asset nobody rated sorts last. */
export const CRITICALITY_RANK: Record<Criticality, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** Environment is free text (production, OT, lab, a plant's name...), so it is capped like a short label. */
export const MAX_ENVIRONMENT = 64;

export interface AssetFields {
  sector: CiSector | null;
  criticality: Criticality | null;
  environment: string | null;
}

export const isSector = (s: string): s is CiSector => (CI_SECTORS as readonly string[]).includes(s);
export const isCriticality = (s: string): s is Criticality => (CRITICALITIES as readonly string[]).includes(s);

export function checkSector(value: string | null): CiSector | null {
  if (value === null) return null;
  if (!isSector(value)) throw new InvalidInputError(`sector must be one of the CISA critical-infrastructure sectors (${CI_SECTORS.join(', ')}), not ${JSON.stringify(value.slice(0, 80))}`, { field: 'sector' });
  return value;
}

export function checkCriticality(value: string | null): Criticality | null {
  if (value === null) return null;
  if (!isCriticality(value)) throw new InvalidInputError(`criticality must be one of ${CRITICALITIES.join(', ')}, not ${JSON.stringify(value.slice(0, 80))}`, { field: 'criticality' });
  return value;
}

// Control characters (and NUL, which PostgreSQL cannot store) have no place in a label shown in tables.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Trimmed; an empty text clears it (null). */
export function checkEnvironment(value: string | null): string | null {
  if (value === null) return null;
  const v = value.trim();
  if (v === '') return null;
  if ([...v].length > MAX_ENVIRONMENT) throw new InvalidInputError(`environment must have at most ${MAX_ENVIRONMENT} characters`, { field: 'environment' });
  if (CONTROL.test(v)) throw new InvalidInputError('environment must not contain control characters', { field: 'environment' });
  return v;
}

/** Checks what a caller sent; fields left out (undefined) stay as they were in `before`. */
export function mergeAssetFields(before: AssetFields, input: { sector?: string | null | undefined; criticality?: string | null | undefined; environment?: string | null | undefined }): AssetFields {
  return {
    sector: input.sector === undefined ? before.sector : checkSector(input.sector),
    criticality: input.criticality === undefined ? before.criticality : checkCriticality(input.criticality),
    environment: input.environment === undefined ? before.environment : checkEnvironment(input.environment),
  };
}

export const NO_ASSET_FIELDS: AssetFields = { sector: null, criticality: null, environment: null };
