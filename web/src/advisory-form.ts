// The advisory editor's pure logic: the form's draft <-> the OSV record (fields the form does not show are kept), the
// server's JSON-pointer errors mapped to form fields, the detail page's affected rows, and CVSS vectors built from
// metric choices and scored with ae-cvss-calculator. No React here, so it is tested under Node.
import * as cvssModule from 'ae-cvss-calculator';
import type { OsvAffected, OsvRecordJson, Rating } from './api-advisories.ts';

// The package is a UMD bundle: Vite and Node expose its exports on `default`, the types declare them as named.
const cvss = ((cvssModule as unknown as { default?: typeof cvssModule }).default ?? cvssModule) as typeof cvssModule;

export const RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;
export const REFERENCE_TYPES = ['ADVISORY', 'ARTICLE', 'DETECTION', 'DISCUSSION', 'REPORT', 'FIX', 'INTRODUCED', 'PACKAGE', 'EVIDENCE', 'WEB'] as const;
export const SEVERITY_TYPES = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2', 'Ubuntu'] as const;
/** Suggestions only: the server's schema check decides what an ecosystem may be. */
export const COMMON_ECOSYSTEMS = ['npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'NuGet', 'RubyGems', 'Packagist', 'Hex', 'Pub', 'Debian', 'Alpine', 'Ubuntu', 'Red Hat', 'GitHub Actions', 'OSS-Fuzz'];

/** What the editor caps before sending (the server caps too; these keep a paste from freezing the page). */
export const MAX_JSON_CHARS = 5 * 1024 * 1024;

export interface AffectedDraft {
  ecosystem: string;
  name: string;
  rangeType: string;
  introduced: string;
  fixed: string;
  lastAffected: string;
  /** Explicit versions, one a line. */
  versions: string;
}

export interface AdvisoryDraft {
  summary: string;
  details: string;
  /** One alias a line (or comma-separated). */
  aliases: string;
  affected: AffectedDraft[];
  severity: { type: string; score: string }[];
  references: { type: string; url: string }[];
}

export const emptyAffected = (): AffectedDraft => ({ ecosystem: '', name: '', rangeType: 'ECOSYSTEM', introduced: '0', fixed: '', lastAffected: '', versions: '' });

export function emptyDraft(): AdvisoryDraft {
  return { summary: '', details: '', aliases: '', affected: [emptyAffected()], severity: [], references: [] };
}

const splitList = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

function firstEvent(events: Record<string, string>[] | undefined, key: string): string {
  return events?.find((e) => typeof e[key] === 'string')?.[key] ?? '';
}

/** The form's view of a record: the first range of each affected package (more ranges stay in the JSON). */
export function draftFromRecord(record: Partial<OsvRecordJson>): AdvisoryDraft {
  return {
    summary: typeof record.summary === 'string' ? record.summary : '',
    details: typeof record.details === 'string' ? record.details : '',
    aliases: Array.isArray(record.aliases) ? record.aliases.join('\n') : '',
    affected: Array.isArray(record.affected)
      ? record.affected.map((a) => {
          const range = Array.isArray(a?.ranges) ? a.ranges[0] : undefined;
          return {
            ecosystem: a?.package?.ecosystem ?? '',
            name: a?.package?.name ?? '',
            rangeType: range?.type ?? 'ECOSYSTEM',
            introduced: range ? firstEvent(range.events, 'introduced') : '',
            fixed: range ? firstEvent(range.events, 'fixed') : '',
            lastAffected: range ? firstEvent(range.events, 'last_affected') : '',
            versions: Array.isArray(a?.versions) ? a.versions.join('\n') : '',
          };
        })
      : [],
    severity: Array.isArray(record.severity) ? record.severity.map((s) => ({ type: String(s?.type ?? ''), score: String(s?.score ?? '') })) : [],
    references: Array.isArray(record.references) ? record.references.map((r) => ({ type: String(r?.type ?? 'WEB'), url: String(r?.url ?? '') })) : [],
  };
}

function setOrDelete<T extends object>(target: T, key: string, value: unknown): void {
  const t = target as Record<string, unknown>;
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete t[key];
  else t[key] = value;
}

function affectedFromDraft(draft: AffectedDraft, base: OsvAffected | undefined): OsvAffected {
  const out: OsvAffected = base ? structuredClone(base) : {};
  out.package = { ...(base?.package ?? {}), ecosystem: draft.ecosystem.trim(), name: draft.name.trim() };
  const events: Record<string, string>[] = [];
  if (draft.introduced.trim()) events.push({ introduced: draft.introduced.trim() });
  if (draft.fixed.trim()) events.push({ fixed: draft.fixed.trim() });
  if (draft.lastAffected.trim()) events.push({ last_affected: draft.lastAffected.trim() });
  const otherRanges = Array.isArray(base?.ranges) ? base.ranges.slice(1) : [];
  const first = Array.isArray(base?.ranges) ? base.ranges[0] : undefined;
  const ranges = events.length > 0 ? [{ ...(first ?? {}), type: draft.rangeType, events }, ...otherRanges] : otherRanges;
  setOrDelete(out, 'ranges', ranges);
  setOrDelete(out, 'versions', splitList(draft.versions));
  return out;
}

/**
 * The record with the form's fields written over `base`, which keeps everything the form does not show (credits,
 * database_specific, further ranges). Empty fields are left out rather than sent as "" or [].
 */
export function recordFromDraft(draft: AdvisoryDraft, base: Partial<OsvRecordJson>): Partial<OsvRecordJson> {
  const out: Partial<OsvRecordJson> = structuredClone(base);
  setOrDelete(out, 'summary', draft.summary.trim());
  setOrDelete(out, 'details', draft.details.trim());
  setOrDelete(out, 'aliases', splitList(draft.aliases));
  setOrDelete(
    out,
    'affected',
    draft.affected.map((a, i) => affectedFromDraft(a, Array.isArray(base.affected) ? base.affected[i] : undefined)),
  );
  setOrDelete(
    out,
    'severity',
    draft.severity.filter((s) => s.score.trim()).map((s) => ({ type: s.type, score: s.score.trim() })),
  );
  setOrDelete(
    out,
    'references',
    draft.references.filter((r) => r.url.trim()).map((r) => ({ type: r.type, url: r.url.trim() })),
  );
  return out;
}

/** A fresh record for a new advisory: the server assigns id and modified when they are absent. */
export function newRecord(): Partial<OsvRecordJson> {
  return { schema_version: '1.6.0' };
}

export const recordText = (record: unknown) => JSON.stringify(record, null, 2);

/** The raw JSON view parsed, or why it cannot be: a record is one JSON object. */
export function parseRecordText(text: string): { ok: true; record: Partial<OsvRecordJson> } | { ok: false; message: string } {
  if (text.length > MAX_JSON_CHARS) return { ok: false, message: 'The record is larger than 5 MiB, the most the server accepts.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `This is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, message: 'An OSV record is one JSON object, not a list or a value.' };
  return { ok: true, record: parsed as Partial<OsvRecordJson> };
}

/** The form's values by field key (the keys errors use), to tell which fields an edit touched. */
export function flattenDraft(draft: AdvisoryDraft): Record<string, string> {
  const out: Record<string, string> = { summary: draft.summary, details: draft.details, aliases: draft.aliases };
  draft.affected.forEach((a, i) => {
    for (const [k, v] of Object.entries(a)) out[`affected.${i}.${k}`] = v;
  });
  draft.severity.forEach((s, i) => (out[`severity.${i}.score`] = `${s.type} ${s.score}`));
  draft.references.forEach((r, i) => (out[`references.${i}.url`] = `${r.type} ${r.url}`));
  return out;
}

/** Errors minus those of fields the edit changed: a message stays only until its field is touched. */
export function errorsAfterEdit(errors: Record<string, string>, before: AdvisoryDraft, after: AdvisoryDraft): Record<string, string> {
  const a = flattenDraft(before);
  const b = flattenDraft(after);
  return Object.fromEntries(Object.entries(errors).filter(([key]) => !(key in a || key in b) || a[key] === b[key]));
}

/** Checks the form before sending; the server's schema check is the authority, this catches the obvious. */
export function draftProblems(draft: AdvisoryDraft): Record<string, string> {
  const out: Record<string, string> = {};
  if (!draft.summary.trim()) out.summary = 'Enter a one-line summary of the vulnerability.';
  else if (draft.summary.length > 500) out.summary = 'Keep the summary to 500 characters; put the rest in the details.';
  draft.affected.forEach((a, i) => {
    if (!a.ecosystem.trim()) out[`affected.${i}.ecosystem`] = 'Enter the package ecosystem, e.g. npm or PyPI.';
    if (!a.name.trim()) out[`affected.${i}.name`] = 'Enter the package name.';
    if (!a.introduced.trim() && !a.versions.trim()) out[`affected.${i}.introduced`] = 'Enter the first affected version (0 for all earlier versions) or list affected versions.';
    if (a.fixed.trim() && a.lastAffected.trim()) out[`affected.${i}.fixed`] = 'A range has either a fixed version or a last affected one, not both.';
  });
  draft.references.forEach((r, i) => {
    if (r.url.trim() && !/^https?:\/\/\S+$/i.test(r.url.trim())) out[`references.${i}.url`] = 'Enter a web address starting with https:// or http://.';
  });
  return out;
}

/**
 * Where a server error (a JSON pointer into the record) belongs in the form: a field key such as `summary`,
 * `affected.0.fixed`, `severity.1.score`, or `json` when the form does not show that part of the record.
 */
export function fieldForPointer(pointer: string): string {
  const parts = pointer.replace(/^\/(body\/)?(record\/)?/, '').split('/').filter(Boolean);
  const [top, index, sub] = parts;
  if (top === 'summary' || top === 'details' || top === 'aliases') return top;
  if (top === 'label' && index) return `label.${index === 'embargoUntil' ? 'embargo' : index}`;
  if ((top === 'severity' || top === 'references') && index !== undefined && /^\d+$/.test(index)) return `${top}.${index}.${top === 'severity' ? 'score' : sub === 'type' ? 'type' : 'url'}`;
  if (top === 'affected' && index !== undefined && /^\d+$/.test(index)) {
    if (sub === 'package') return `affected.${index}.${parts[3] === 'ecosystem' ? 'ecosystem' : 'name'}`;
    if (sub === 'versions') return `affected.${index}.versions`;
    if (sub === 'ranges' && parts[3] === '0') {
      if (parts[4] === 'type') return `affected.${index}.rangeType`;
      if (parts[4] === 'events') {
        const key = parts[6] ?? '';
        if (key === 'fixed') return `affected.${index}.fixed`;
        if (key === 'last_affected') return `affected.${index}.lastAffected`;
        return `affected.${index}.introduced`;
      }
    }
  }
  return 'json';
}

/** Server errors by form field; several errors on one field are joined. */
export function errorsByField(errors: { path: string; message: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors ?? []) {
    const field = fieldForPointer(e.path);
    const text = field === 'json' ? `${e.path || '/'}: ${e.message}` : e.message;
    out[field] = out[field] ? `${out[field]}; ${text}` : text;
  }
  return out;
}

// ---- Detail page --------------------------------------------------------------------------------------------------

export interface AffectedRow {
  ecosystem: string;
  name: string;
  ranges: { type: string; introduced: string[]; fixed: string[]; lastAffected: string[] }[];
  versionCount: number;
  /** The highest-listed fix (the last `fixed` event), which is what an operator upgrades to. */
  fixedVersion: string | null;
}

export function affectedRows(record: Partial<OsvRecordJson>): AffectedRow[] {
  if (!Array.isArray(record.affected)) return [];
  return record.affected.map((a) => {
    const ranges = (Array.isArray(a?.ranges) ? a.ranges : []).map((r) => {
      const events = Array.isArray(r?.events) ? r.events : [];
      const pick = (k: string) => events.map((e) => e?.[k]).filter((v): v is string => typeof v === 'string');
      return { type: String(r?.type ?? ''), introduced: pick('introduced'), fixed: pick('fixed'), lastAffected: pick('last_affected') };
    });
    const fixes = ranges.flatMap((r) => (r.type === 'GIT' ? [] : r.fixed));
    return {
      ecosystem: a?.package?.ecosystem ?? '',
      name: a?.package?.name ?? a?.package?.purl ?? '',
      ranges,
      versionCount: Array.isArray(a?.versions) ? a.versions.length : 0,
      fixedVersion: fixes.length > 0 ? fixes[fixes.length - 1]! : null,
    };
  });
}

/** A diff value shown in one table cell: strings as they are, anything else as compact JSON, long ones cut. */
export function diffValue(value: unknown, max = 300): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---- CVSS calculator ----------------------------------------------------------------------------------------------

export type CvssVersion = '3.1' | '4.0';

export interface CvssMetric {
  key: string;
  name: string;
  values: { value: string; label: string }[];
}

const v = (value: string, label: string) => ({ value, label });

/** Base metrics, in the order the specifications write the vector. */
export const CVSS_METRICS: Record<CvssVersion, CvssMetric[]> = {
  '3.1': [
    { key: 'AV', name: 'Attack vector', values: [v('N', 'Network'), v('A', 'Adjacent'), v('L', 'Local'), v('P', 'Physical')] },
    { key: 'AC', name: 'Attack complexity', values: [v('L', 'Low'), v('H', 'High')] },
    { key: 'PR', name: 'Privileges required', values: [v('N', 'None'), v('L', 'Low'), v('H', 'High')] },
    { key: 'UI', name: 'User interaction', values: [v('N', 'None'), v('R', 'Required')] },
    { key: 'S', name: 'Scope', values: [v('U', 'Unchanged'), v('C', 'Changed')] },
    { key: 'C', name: 'Confidentiality', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'I', name: 'Integrity', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'A', name: 'Availability', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
  ],
  '4.0': [
    { key: 'AV', name: 'Attack vector', values: [v('N', 'Network'), v('A', 'Adjacent'), v('L', 'Local'), v('P', 'Physical')] },
    { key: 'AC', name: 'Attack complexity', values: [v('L', 'Low'), v('H', 'High')] },
    { key: 'AT', name: 'Attack requirements', values: [v('N', 'None'), v('P', 'Present')] },
    { key: 'PR', name: 'Privileges required', values: [v('N', 'None'), v('L', 'Low'), v('H', 'High')] },
    { key: 'UI', name: 'User interaction', values: [v('N', 'None'), v('P', 'Passive'), v('A', 'Active')] },
    { key: 'VC', name: 'Vulnerable system confidentiality', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'VI', name: 'Vulnerable system integrity', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'VA', name: 'Vulnerable system availability', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'SC', name: 'Subsequent system confidentiality', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'SI', name: 'Subsequent system integrity', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
    { key: 'SA', name: 'Subsequent system availability', values: [v('H', 'High'), v('L', 'Low'), v('N', 'None')] },
  ],
};

export const SEVERITY_TYPE_OF: Record<CvssVersion, 'CVSS_V3' | 'CVSS_V4'> = { '3.1': 'CVSS_V3', '4.0': 'CVSS_V4' };

/** The vector of the chosen metrics, or null until every base metric has a value. */
export function buildVector(version: CvssVersion, choices: Record<string, string>): string | null {
  const parts: string[] = [];
  for (const m of CVSS_METRICS[version]) {
    const chosen = choices[m.key];
    if (!chosen || !m.values.some((x) => x.value === chosen)) return null;
    parts.push(`${m.key}:${chosen}`);
  }
  return `CVSS:${version}/${parts.join('/')}`;
}

/** The base metric choices in a vector of that version (other metrics are ignored); null when it is another version. */
export function parseVector(version: CvssVersion, vector: string): Record<string, string> | null {
  const [prefix, ...rest] = vector.trim().split('/');
  if (prefix !== `CVSS:${version}`) return null;
  const known = new Map(CVSS_METRICS[version].map((m) => [m.key, m]));
  const out: Record<string, string> = {};
  for (const part of rest) {
    const [key, value] = part.split(':');
    const metric = key ? known.get(key) : undefined;
    if (metric && value && metric.values.some((x) => x.value === value)) out[key!] = value;
  }
  return out;
}

/** CVSS qualitative rating of a score (the same bands in 3.x and 4.0). */
export function ratingOf(score: number): Rating {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** The base score of a full vector, or null when the library cannot score it. */
export function scoreVector(vector: string): { score: number; rating: Rating } | null {
  try {
    const calc = vector.startsWith('CVSS:4.0/') ? new cvss.Cvss4P0(vector) : vector.startsWith('CVSS:3.1/') ? new cvss.Cvss3P1(vector) : vector.startsWith('CVSS:3.0/') ? new cvss.Cvss3P0(vector) : null;
    if (!calc) return null;
    const score = calc.calculateScores().overall;
    if (typeof score !== 'number' || Number.isNaN(score)) return null;
    return { score, rating: ratingOf(score) };
  } catch {
    return null;
  }
}

/** The record's severity list with `vector` set for that version: replaces a vector of the same version, else adds. */
export function withVector(severity: { type: string; score: string }[], version: CvssVersion, vector: string): { type: string; score: string }[] {
  const type = SEVERITY_TYPE_OF[version];
  const same = (s: { type: string; score: string }) => s.type === type && s.score.startsWith(`CVSS:${version.slice(0, 1)}`);
  const at = severity.findIndex(same);
  if (at < 0) return [...severity, { type, score: vector }];
  return severity.map((s, i) => (i === at ? { type, score: vector } : s));
}
