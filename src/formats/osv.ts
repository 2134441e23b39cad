/**
 * A tolerant parser for OSV (https://ossf.github.io/osv-schema/) records; the model itself is
 * src/domain/osv/osv-record.ts, re-exported here for existing importers. Parsing is pure: it takes text or an
 * already-decoded value and never touches the file system. Structural faults that make a record meaningless (not an
 * object, no `id`) throw `invalid-advisory`; faults inside one range or event are collected in `problems` so that one
 * bad range never hides the rest of the advisory.
 */
import { DomainError } from '../domain/errors.ts';
import type { OsvRangeType, OsvEvent, OsvRange, OsvSeverity, OsvPackage, OsvAffected, OsvReference, OsvRecord } from '../domain/osv/osv-record.ts';

export type { OsvRangeType, OsvEvent, OsvRange, OsvSeverity, OsvPackage, OsvAffected, OsvReference, OsvRecord };

export interface OsvParseResult {
  record: OsvRecord;
  /** Human-readable faults that were skipped, each naming where in the record it sits. */
  problems: string[];
}

const RANGE_TYPES = new Set<string>(['SEMVER', 'ECOSYSTEM', 'GIT']);
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `field`, or `affected[ai].field` for a field of an affected entry (ai >= 0). */
function fieldAt(ai: number, field: string): string {
  return ai < 0 ? field : `affected[${ai}].${field}`;
}

function stringList(v: unknown, ai: number, field: string, problems: string[]): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push(`${fieldAt(ai, field)} is not an array`);
    return [];
  }
  const out: string[] = [];
  for (const item of v) {
    if (typeof item === 'string') out.push(item);
    else problems.push(`${fieldAt(ai, field)} has a non-string entry`);
  }
  return out;
}

function severityList(v: unknown, ai: number, field: string, problems: string[]): OsvSeverity[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push(`${fieldAt(ai, field)} is not an array`);
    return [];
  }
  const out: OsvSeverity[] = [];
  for (const s of v) {
    if (isObject(s) && typeof s.type === 'string' && typeof s.score === 'string') out.push({ type: s.type, score: s.score });
    else problems.push(`${fieldAt(ai, field)} has an entry without string type and score`);
  }
  return out;
}

// Location strings such as `affected[3].ranges[0].events[1]` are built only when a problem is reported: building them
// for every event of every record was a measurable share of loading half a million advisories. Positions travel as
// numbers rather than closures, because under tsx every named closure also costs a defineProperty (keepNames).
function rangeAt(ai: number, ri: number): string {
  return `affected[${ai}].ranges[${ri}]`;
}

function parseEvents(v: unknown, ai: number, ri: number, problems: string[]): OsvEvent[] {
  if (!Array.isArray(v)) {
    problems.push(`${rangeAt(ai, ri)}.events is not an array`);
    return [];
  }
  const out: OsvEvent[] = [];
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (!isObject(e)) {
      problems.push(`${rangeAt(ai, ri)}.events[${i}] is not an object`);
      continue;
    }
    let key: (typeof EVENT_KEYS)[number] | undefined;
    let count = 0;
    for (const k of EVENT_KEYS) {
      if (e[k] !== undefined) {
        key ??= k;
        count++;
      }
    }
    if (count !== 1) {
      // The schema allows exactly one kind per event; guessing which one was meant could flip the result.
      problems.push(`${rangeAt(ai, ri)}.events[${i}] must have exactly one of introduced/fixed/last_affected/limit, has ${count}`);
      continue;
    }
    const value = e[key!];
    if (typeof value !== 'string' || value === '') {
      problems.push(`${rangeAt(ai, ri)}.events[${i}].${key} is not a non-empty string`);
      continue;
    }
    out.push(
      key === 'introduced' ? { introduced: value } : key === 'fixed' ? { fixed: value } : key === 'last_affected' ? { last_affected: value } : { limit: value },
    );
  }
  return out;
}

function parseRanges(v: unknown, ai: number, problems: string[]): OsvRange[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push(`affected[${ai}].ranges is not an array`);
    return [];
  }
  const out: OsvRange[] = [];
  for (let i = 0; i < v.length; i++) {
    const r: unknown = v[i];
    if (!isObject(r)) {
      problems.push(`${rangeAt(ai, i)} is not an object`);
      continue;
    }
    if (typeof r.type !== 'string' || !RANGE_TYPES.has(r.type)) {
      problems.push(`${rangeAt(ai, i)}.type ${JSON.stringify(r.type)} is not SEMVER, ECOSYSTEM or GIT`);
      continue;
    }
    const events = parseEvents(r.events, ai, i, problems);
    let introduced = false, fixed = false, lastAffected = false;
    for (const e of events) {
      if (e.introduced !== undefined) introduced = true;
      else if (e.fixed !== undefined) fixed = true;
      else if (e.last_affected !== undefined) lastAffected = true;
    }
    if (!introduced) problems.push(`${rangeAt(ai, i)} has no introduced event`);
    if (fixed && lastAffected) problems.push(`${rangeAt(ai, i)} mixes fixed and last_affected events`);
    const range: OsvRange = { type: r.type as OsvRangeType, events };
    if (typeof r.repo === 'string') range.repo = r.repo;
    else if (r.type === 'GIT') problems.push(`${rangeAt(ai, i)} is GIT but has no repo`);
    if (isObject(r.database_specific)) range.database_specific = r.database_specific;
    out.push(range);
  }
  return out;
}

/** Builds the model from a decoded JSON value. Throws DomainError('invalid-advisory') when there is no record at all. */
export function parseOsvRecord(input: unknown, source?: string): OsvParseResult {
  const where = source ? ` (${source})` : '';
  if (!isObject(input)) throw new DomainError('invalid-advisory', `OSV record is not a JSON object${where}`, { source });
  if (typeof input.id !== 'string' || input.id.trim() === '') {
    throw new DomainError('invalid-advisory', `OSV record has no string id${where}`, { source });
  }
  const problems: string[] = [];
  if (typeof input.modified !== 'string') problems.push('modified is missing');
  const affected: OsvAffected[] = [];
  if (input.affected !== undefined && !Array.isArray(input.affected)) problems.push('affected is not an array');
  else {
    const list = (input.affected as unknown[] | undefined) ?? [];
    for (let i = 0; i < list.length; i++) {
      const a: unknown = list[i];
      if (!isObject(a)) {
        problems.push(`affected[${i}] is not an object`);
        continue;
      }
      const entry: OsvAffected = {
        ranges: parseRanges(a.ranges, i, problems),
        versions: stringList(a.versions, i, 'versions', problems),
      };
      if (isObject(a.package)) {
        const p = a.package;
        if (typeof p.ecosystem === 'string' && typeof p.name === 'string' && p.ecosystem !== '' && p.name !== '') {
          entry.package = { ecosystem: p.ecosystem, name: p.name };
          if (typeof p.purl === 'string') entry.package.purl = p.purl;
        } else problems.push(`affected[${i}].package needs string ecosystem and name`);
      } else if (a.package !== undefined) problems.push(`affected[${i}].package is not an object`);
      if (a.severity !== undefined) entry.severity = severityList(a.severity, i, 'severity', problems);
      if (isObject(a.ecosystem_specific)) entry.ecosystem_specific = a.ecosystem_specific;
      if (isObject(a.database_specific)) entry.database_specific = a.database_specific;
      affected.push(entry);
    }
  }
  const references: OsvReference[] = [];
  if (Array.isArray(input.references)) {
    for (const r of input.references) {
      if (isObject(r) && typeof r.url === 'string') references.push({ type: optString(r.type) ?? 'WEB', url: r.url });
    }
  }
  const record: OsvRecord = {
    id: input.id,
    aliases: stringList(input.aliases, -1, 'aliases', problems),
    upstream: stringList(input.upstream, -1, 'upstream', problems),
    related: stringList(input.related, -1, 'related', problems),
    severity: severityList(input.severity, -1, 'severity', problems),
    affected,
    references,
  };
  for (const k of ['schema_version', 'modified', 'published', 'withdrawn', 'summary', 'details'] as const) {
    const v = optString(input[k]);
    if (v !== undefined) record[k] = v;
  }
  if (Array.isArray(input.credits)) record.credits = input.credits;
  if (isObject(input.database_specific)) record.database_specific = input.database_specific;
  return { record, problems };
}

/** Parses OSV JSON text. Syntax errors become DomainError('invalid-advisory') naming the source. */
export function parseOsvJson(text: string, source?: string): OsvParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DomainError('invalid-advisory', `not valid JSON${source ? ` (${source})` : ''}: ${(err as Error).message}`, {
      source,
    });
  }
  return parseOsvRecord(value, source);
}
