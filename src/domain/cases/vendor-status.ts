/**
 * Vendor statuses of a case (issue 9), after CERT/CC VINCE: each vendor participant states whether its products are
 * affected, with a statement, the versions that fix it and mitigations. Pure normalisation of what a vendor sends.
 */
import { productPurl } from '../intake/finding-input.ts';

export const VENDOR_STATUSES = ['unknown', 'under-investigation', 'affected', 'not-affected', 'fixed'] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

export const STATUS_LIMITS = { statement: 10_000, mitigations: 10_000, fixedVersions: 50, version: 100, purl: 500 } as const;

export interface FixedVersion {
  /** The package (purl without version), canonical. */
  purl: string;
  /** The first version that fixes it. */
  fixed: string;
}

export interface StatusInput {
  status: unknown;
  statement?: unknown;
  fixedVersions?: unknown;
  mitigations?: unknown;
}

export interface NormalisedStatus {
  status: VendorStatus;
  statement: string;
  fixedVersions: FixedVersion[];
  mitigations: string;
}

export class StatusInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function text(v: unknown, field: string, max: number): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new StatusInputError(field, `${field} must be text`);
  const t = v.trim();
  if (t.length > max) throw new StatusInputError(field, `${field} must be at most ${max} characters`);
  return t;
}

/** Checks a vendor's status field by field; the first problem names its field (`fixedVersions[2].purl`). */
export function normaliseStatus(input: StatusInput): NormalisedStatus {
  if (!(VENDOR_STATUSES as readonly unknown[]).includes(input.status)) throw new StatusInputError('status', `status must be one of ${VENDOR_STATUSES.join(', ')}`);
  const status = input.status as VendorStatus;
  const statement = text(input.statement, 'statement', STATUS_LIMITS.statement);
  const mitigations = text(input.mitigations, 'mitigations', STATUS_LIMITS.mitigations);
  const raw = input.fixedVersions ?? [];
  if (!Array.isArray(raw)) throw new StatusInputError('fixedVersions', 'fixedVersions must be a list of { purl, fixed }');
  if (raw.length > STATUS_LIMITS.fixedVersions) throw new StatusInputError('fixedVersions', `at most ${STATUS_LIMITS.fixedVersions} fixed versions`);
  const fixedVersions: FixedVersion[] = raw.map((f: unknown, i) => {
    const field = `fixedVersions[${i}]`;
    if (f === null || typeof f !== 'object') throw new StatusInputError(field, `${field} must be { purl, fixed }`);
    const { purl, fixed } = f as { purl?: unknown; fixed?: unknown };
    const p = text(purl, `${field}.purl`, STATUS_LIMITS.purl);
    if (!p) throw new StatusInputError(`${field}.purl`, `${field}.purl is required: the package's purl`);
    let canonical: string;
    try {
      canonical = productPurl(p);
    } catch (err) {
      throw new StatusInputError(`${field}.purl`, `${field}.purl ${JSON.stringify(p)} is not a package URL: ${(err as Error).message}`);
    }
    const v = text(fixed, `${field}.fixed`, STATUS_LIMITS.version);
    if (!v) throw new StatusInputError(`${field}.fixed`, `${field}.fixed is required: the first version with the fix`);
    return { purl: canonical, fixed: v };
  });
  if (fixedVersions.length && status !== 'fixed' && status !== 'affected') {
    throw new StatusInputError('fixedVersions', `fixed versions go with the status fixed (or affected, for products fixed in part), not ${status}`);
  }
  if (status === 'fixed' && !fixedVersions.length && !mitigations) {
    throw new StatusInputError('fixedVersions', 'a fixed status names the fixed versions (or the mitigations, for a service fixed in place)');
  }
  return { status, statement, fixedVersions, mitigations };
}
