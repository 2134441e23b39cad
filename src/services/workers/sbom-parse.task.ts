/**
 * The CPU-heavy half of an SBOM upload, run in a worker thread: decode, parse (JSON or XML), map every purl to its
 * OSV identity, hash the body. Pure, so the same function runs in-process for the CLI and in tests.
 *
 * The rows come back as columns (one array of strings per field) rather than 400,000 objects: the main thread pays
 * for deserialising whatever the worker returns, and flat string arrays are the cheapest shape to clone.
 */
import { prepareSbom, type SbomUpload } from '../inventory.service.ts';
import type { UnmatchedEntry } from '../../store/inventory.repository.ts';
import type { SbomFormat } from '../../formats/sbom.ts';
import { checkSbomSchema, type SchemaResult } from '../../formats/sbom-schema.ts';

export interface PreparedColumns {
  format: SbomFormat;
  sha: string;
  unmatched: UnmatchedEntry[];
  /** Schema findings, already capped: they are warnings, never a refusal (docs/inventories.md). */
  schema: SchemaResult;
  ecosystem: string[];
  release: (string | null)[];
  name: string[];
  sourceName: (string | null)[];
  version: string[];
  purl: string[];
  bomRef: (string | null)[];
}

export function prepareColumns(upload: SbomUpload): PreparedColumns {
  const p = prepareSbom(upload);
  const n = p.rows.length;
  const out: PreparedColumns = {
    format: p.parsed.format,
    sha: p.sha,
    unmatched: p.unmatched,
    schema: checkSbomSchema(p.parsed.format, p.parsed.document, upload.body.length),
    ecosystem: new Array(n),
    release: new Array(n),
    name: new Array(n),
    sourceName: new Array(n),
    version: new Array(n),
    purl: new Array(n),
    bomRef: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = p.rows[i]!;
    out.ecosystem[i] = r.ecosystem;
    out.release[i] = r.release;
    out.name[i] = r.name;
    out.sourceName[i] = r.source_name;
    out.version[i] = r.version;
    out.purl[i] = r.purl;
    out.bomRef[i] = r.bom_ref;
  }
  return out;
}

/** Piscina's entry point. Domain errors cross the thread boundary as plain data and are rebuilt by the pool. */
export default function run(upload: SbomUpload): { ok: PreparedColumns } | { error: { code: string; message: string; details: Record<string, unknown> } } {
  try {
    return { ok: prepareColumns(upload) };
  } catch (err) {
    const e = err as { code?: unknown; message?: string; details?: Record<string, unknown> };
    if (typeof e.code === 'string' && e.details !== undefined) return { error: { code: e.code, message: e.message ?? '', details: e.details } };
    throw err;
  }
}
