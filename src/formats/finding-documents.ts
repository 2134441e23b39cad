/**
 * Whole documents of findings (issue 9, docs/findings.md): SARIF 2.1.0, OSV records, CSAF 2.0 documents and AVID
 * reports, read into `FindingDraft`s. The format is recognised from the document itself. A file that is not such a
 * document is a `DocumentError` (the CLI's exit 2); a document that fails its schema is rejected whole, with the
 * reason; an entry inside a good document that cannot be a finding is rejected alone, with its JSON pointer.
 *
 * SARIF: validated with ajv against the official 2.1.0 schema (src/formats/schemas/, draft-04). Ajv 8 has no draft-04
 * mode and the ajv-draft-04 package is not installed; the schema uses no draft-04-only keyword (no boolean
 * exclusiveMinimum/Maximum), so it compiles as draft-07 once its `id` is read as `$id`: the checks are the same.
 * CSAF: @secvisogram/csaf-validator-lib's strict schema test and every mandatory test, as for the documents we emit.
 * The library is loaded on the first CSAF document only: its mandatory tests take seconds to load, and its strict
 * entry point (which also loads the optional and informative tests, spell-checker included) tens of seconds. We run
 * only the library's own tests, so its plain `validate` does the same checks.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { normaliseCwe, type FindingDraft, type FindingSource } from '../domain/intake/finding-input.ts';
import { packagePurl } from './osv-package-purl.ts';

export type DocumentFormat = Extract<FindingSource, 'sarif' | 'osv' | 'csaf' | 'avid'>;

/** The file is not a document of findings we read (not JSON, or JSON of no known format). */
export class DocumentError extends Error {}

export interface ParsedEntry {
  /** JSON pointer of the entry inside the document (`/runs/0/results/3`). */
  pointer: string;
  draft?: FindingDraft;
  /** Why this entry is not a finding. */
  problem?: string;
}

export interface ParsedDocument {
  format: DocumentFormat;
  entries: ParsedEntry[];
}

/** Documents up to this size are read (a 20,000-result SARIF log is some 20 MiB). */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
let sarifValidator: ValidateFunction | null = null;
function sarifSchema(): ValidateFunction {
  if (!sarifValidator) {
    const schema = JSON.parse(readFileSync(new URL('./schemas/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { $schema: _d4, id, ...rest } = schema;
    const ajv = new Ajv({ allErrors: false, strict: false });
    addFormats(ajv);
    sarifValidator = ajv.compile({ ...rest, $id: id as string });
  }
  return sarifValidator;
}

type CsafValidate = (tests: unknown[], doc: unknown) => Promise<{ isValid: boolean; tests: { name: string; errors: { instancePath: string; message: string }[] }[] }>;
let csafValidator: Promise<{ validate: CsafValidate; tests: unknown[] }> | null = null;
function csafValidation() {
  csafValidator ??= (async () => {
    // @ts-expect-error the validator library ships JavaScript without type declarations
    const validate = (await import('@secvisogram/csaf-validator-lib/validate.js')).default as CsafValidate;
    // @ts-expect-error the validator library ships JavaScript without type declarations
    const { csaf_2_0_strict } = (await import('@secvisogram/csaf-validator-lib/schemaTests.js')) as { csaf_2_0_strict: unknown };
    // @ts-expect-error the validator library ships JavaScript without type declarations
    const mandatory = (await import('@secvisogram/csaf-validator-lib/mandatoryTests.js')) as Record<string, unknown>;
    return { validate, tests: [csaf_2_0_strict, ...Object.values(mandatory)] };
  })();
  return csafValidator;
}

/** Whether the CSAF validator is loaded here (a caller that must not load it may ask first). */
export const csafValidatorLoaded = () => csafValidator !== null;

/** A CSAF document met where loading the CSAF validator is not wanted (the request thread); the caller sends it elsewhere. */
export class CsafDeferredError extends Error {}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

export function detectFormat(doc: unknown): DocumentFormat | null {
  if (Array.isArray(doc)) return doc.length > 0 && doc.every((r) => isObj(r) && typeof r.id === 'string' && typeof r.modified === 'string') ? 'osv' : null;
  if (!isObj(doc)) return null;
  if (Array.isArray(doc.runs) || (typeof doc.$schema === 'string' && /sarif/i.test(doc.$schema))) return 'sarif';
  if (isObj(doc.document) && typeof doc.document.csaf_version === 'string') return 'csaf';
  if (doc.data_type === 'AVID') return 'avid';
  if (typeof doc.id === 'string' && typeof doc.modified === 'string') return 'osv';
  return null;
}

/** Reads one file's bytes. Throws DocumentError when it is not a document of findings. */
export async function parseFindingDocument(body: Buffer | string, opts: { deferCsaf?: boolean } = {}): Promise<ParsedDocument> {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (bytes > MAX_DOCUMENT_BYTES) throw new DocumentError(`larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
  let doc: unknown;
  try {
    // A UTF-8 byte order mark is legal at the start of a JSON file (some Windows tools write one); JSON.parse refuses it.
    doc = JSON.parse((typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new DocumentError(`not JSON: ${(err as Error).message}`);
  }
  const format = detectFormat(doc);
  if (!format) throw new DocumentError('not a SARIF 2.1.0 log, OSV record, CSAF 2.0 document or AVID report');
  if (format === 'sarif') return { format, entries: sarifEntries(doc as Json, createHash('sha256').update(typeof body === 'string' ? body : body).digest('hex').slice(0, 12)) };
  if (format === 'csaf') {
    if (opts.deferCsaf && !csafValidatorLoaded()) throw new CsafDeferredError('a CSAF document: validated where the validator may load');
    return { format, entries: await csafEntries(doc as Json) };
  }
  if (format === 'avid') return { format, entries: [avidEntry(doc as Json)] };
  const records = Array.isArray(doc) ? doc : [doc];
  return { format, entries: records.map((r, i) => osvEntry(r as Json, Array.isArray(doc) ? `/${i}` : '')) };
}

/** A rejected document: the reason names where the schema failed. */
export class InvalidDocumentError extends Error {}

// ---- SARIF ---------------------------------------------------------------------------------------------------

/**
 * `logId` names the document (a prefix of its SHA-256): a run that says nothing of what it scanned gets a product
 * named after its tool and this log, so that two unrelated logs never share a product (and so a product+CWE+location
 * key) just because both left the product out.
 */
function sarifEntries(doc: Json, logId: string): ParsedEntry[] {
  const validate = sarifSchema();
  if (doc.version !== '2.1.0') throw new InvalidDocumentError(`SARIF version ${JSON.stringify(doc.version)} is not 2.1.0`);
  if (!validate(doc)) {
    const e = validate.errors?.[0];
    throw new InvalidDocumentError(`not valid SARIF 2.1.0: ${e ? `${e.instancePath || '/'} ${e.message}` : 'schema check failed'}`);
  }
  const entries: ParsedEntry[] = [];
  for (const [r, run] of (doc.runs as Json[]).entries()) {
    const driver = (run.tool as Json).driver as Json;
    const rules = Array.isArray(driver.rules) ? (driver.rules as Json[]) : [];
    const globalStrings = isObj(driver.globalMessageStrings) ? driver.globalMessageStrings : {};
    const artifacts = Array.isArray(run.artifacts) ? (run.artifacts as Json[]) : [];
    const tool = { name: String(driver.name), version: str(driver.version) ?? str(driver.semanticVersion), model: str(isObj(driver.properties) ? driver.properties.model : null) };
    const vcs = Array.isArray(run.versionControlProvenance) ? (run.versionControlProvenance[0] as Json | undefined) : undefined;
    const runProps = isObj(run.properties) ? run.properties : {};
    const automation = isObj(run.automationDetails) ? (str(run.automationDetails.id) ?? str(run.automationDetails.guid)) : null;
    const product = {
      purl: str(runProps.purl),
      name: str(runProps.product) ?? str(vcs?.repositoryUri) ?? null,
      cpe: str(runProps.cpe),
      versions: str(runProps.versions) ?? str(vcs?.revisionId),
    };
    for (const [i, res] of ((run.results as Json[] | undefined) ?? []).entries()) {
      const pointer = `/runs/${r}/results/${i}`;
      const rule = ruleOf(res, rules);
      const text = messageText(res.message as Json, rule, globalStrings) ?? str((rule?.fullDescription as Json | undefined)?.text) ?? str((rule?.shortDescription as Json | undefined)?.text);
      const ruleName = str(rule?.name) ?? str(res.ruleId) ?? str(rule?.id);
      const short = str((rule?.shortDescription as Json | undefined)?.text);
      const loc = locationOf(res, artifacts);
      const fingerprints = [
        ...Object.entries(isObj(res.fingerprints) ? res.fingerprints : {}).map(([k, v]) => `${k}=${String(v)}`),
        ...Object.entries(isObj(res.partialFingerprints) ? res.partialFingerprints : {}).map(([k, v]) => `${k}=${String(v)}`),
      ];
      if (!text) {
        entries.push({ pointer, problem: 'the result has no message text, and its rule no description to stand in for it' });
        continue;
      }
      const resProps = isObj(res.properties) ? res.properties : {};
      entries.push({
        pointer,
        draft: {
          title: (short ?? ruleName ?? text).slice(0, 300),
          description: text,
          cwe: cweOf(rule, res),
          product: { ...product, purl: str(resProps.purl) ?? product.purl, name: product.name ?? (product.purl || product.cpe || str(resProps.purl) ? null : `target of ${tool.name} (SARIF log ${logId}, ${automation ? `run ${automation}` : `run ${r}`})`) },
          location: loc,
          aliases: aliasesOf(resProps.aliases),
          fingerprints,
          tool,
        },
      });
    }
  }
  return entries;
}

function ruleOf(res: Json, rules: Json[]): Json | null {
  const rr = isObj(res.rule) ? res.rule : null;
  const index = typeof res.ruleIndex === 'number' ? res.ruleIndex : typeof rr?.index === 'number' ? rr.index : -1;
  if (index >= 0 && rules[index]) return rules[index]!;
  const id = str(res.ruleId) ?? str(rr?.id);
  return id ? (rules.find((x) => x.id === id) ?? null) : null;
}

/**
 * SARIF §3.11.7: the text is in the message, or the message names a string of its rule (`messageStrings`) or of the
 * tool (`globalMessageStrings`) whose `{n}` placeholders take the message's arguments.
 */
function messageText(message: Json, rule: Json | null, globalStrings: Json): string | null {
  const direct = str(message.text) ?? str(message.markdown);
  if (direct) return direct;
  const id = str(message.id);
  if (!id) return null;
  const ruleStrings = isObj(rule?.messageStrings) ? rule.messageStrings : {};
  const m = (isObj(ruleStrings[id]) ? ruleStrings[id] : isObj(globalStrings[id]) ? globalStrings[id] : null) as Json | null;
  const template = str(m?.text) ?? str(m?.markdown);
  if (!template) return null;
  const args = Array.isArray(message.arguments) ? message.arguments.map(String) : [];
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (all, n: string | undefined) => (all === '{{' ? '{' : all === '}}' ? '}' : (args[Number(n)] ?? all)));
}

function locationOf(res: Json, artifacts: Json[]): string | null {
  const l = Array.isArray(res.locations) ? (res.locations[0] as Json | undefined) : undefined;
  const pl = isObj(l?.physicalLocation) ? l.physicalLocation : null;
  const al = isObj(pl?.artifactLocation) ? pl.artifactLocation : null;
  // An artifactLocation may name its artifact by index into run.artifacts instead of by uri.
  const indexed = typeof al?.index === 'number' ? artifacts[al.index] : undefined;
  const uri = str(al?.uri) ?? str(isObj(indexed?.location) ? indexed.location.uri : null);
  const line = isObj(pl?.region) && typeof pl.region.startLine === 'number' ? pl.region.startLine : null;
  if (uri) return line ? `${uri}:${line}` : uri;
  const logical = Array.isArray(l?.logicalLocations) ? (l.logicalLocations[0] as Json | undefined) : undefined;
  return str(logical?.fullyQualifiedName) ?? str(logical?.name);
}

function cweOf(rule: Json | null, res: Json): string | null {
  // AI scanners name a result by a hierarchical rule id whose base is the CWE (CWE-78/api-handler).
  for (const id of [str(res.ruleId), str(rule?.id)]) {
    const m = id ? /^CWE-0*([1-9][0-9]{0,5})(?:\/|$)/i.exec(id) : null;
    if (m) return `CWE-${m[1]}`;
  }
  const props = [isObj(res.properties) ? res.properties : {}, isObj(rule?.properties) ? rule.properties : {}];
  for (const p of props) {
    for (const t of [...(Array.isArray(p.tags) ? p.tags : []), p.cwe]) {
      if (typeof t === 'string' && /cwe/i.test(t)) {
        const c = normaliseCwe(t);
        if (c) return c;
      }
    }
  }
  return null;
}

function aliasesOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string').slice(0, 50) : [];
}

// ---- OSV -----------------------------------------------------------------------------------------------------

function osvEntry(rec: Json, pointer: string): ParsedEntry {
  const id = str(rec.id);
  if (!id) return { pointer, problem: 'the OSV record has no id' };
  const affected = Array.isArray(rec.affected) ? (rec.affected[0] as Json | undefined) : undefined;
  const pkg = isObj(affected?.package) ? affected.package : null;
  const purl = pkg ? packagePurl(String(pkg.ecosystem ?? ''), String(pkg.name ?? ''), str(pkg.purl)) : null;
  const ranges = Array.isArray(affected?.ranges) ? (affected.ranges as Json[]) : [];
  const versions = ranges
    .flatMap((rg) => (Array.isArray(rg.events) ? (rg.events as Json[]) : []).map((e) => Object.entries(e).map(([k, v]) => `${k} ${String(v)}`).join('')))
    .join(', ');
  const dbs = isObj(rec.database_specific) ? rec.database_specific : {};
  const cwe = Array.isArray(dbs.cwe_ids) && typeof dbs.cwe_ids[0] === 'string' ? normaliseCwe(dbs.cwe_ids[0]) : null;
  return {
    pointer,
    draft: {
      title: (str(rec.summary) ?? id).slice(0, 300),
      description: str(rec.details) ?? str(rec.summary) ?? id,
      cwe,
      product: { purl, name: purl ? null : (pkg ? `${String(pkg.ecosystem ?? '')}/${String(pkg.name ?? '')}` : null), versions: versions || null },
      location: null,
      aliases: [id, ...aliasesOf(rec.aliases)],
    },
  };
}

// ---- CSAF ----------------------------------------------------------------------------------------------------

async function csafEntries(doc: Json): Promise<ParsedEntry[]> {
  const { validate, tests } = await csafValidation();
  const result = await validate(tests, doc);
  if (!result.isValid) {
    const failed = result.tests.find((t) => t.errors.length > 0);
    const e = failed?.errors[0];
    throw new InvalidDocumentError(`not a valid CSAF 2.0 document: ${failed ? `${failed.name}: ${e?.instancePath || '/'} ${e?.message}` : 'validation failed'}`);
  }
  const document = doc.document as Json;
  const products = csafProducts(doc.product_tree);
  const vulns = Array.isArray(doc.vulnerabilities) ? (doc.vulnerabilities as Json[]) : [];
  return vulns.map((v, i) => {
    const pointer = `/vulnerabilities/${i}`;
    const status = isObj(v.product_status) ? v.product_status : {};
    const ids = [...(Array.isArray(status.known_affected) ? status.known_affected : []), ...(Array.isArray(status.first_affected) ? status.first_affected : []), ...(Array.isArray(status.under_investigation) ? status.under_investigation : [])];
    const product = ids.map((id) => products.get(String(id))).find(Boolean);
    const notes = Array.isArray(v.notes) ? (v.notes as Json[]).map((n) => str(n.text)).filter(Boolean) : [];
    const title = str(v.title) ?? str(document.title) ?? `vulnerability ${i}`;
    if (!product) return { pointer, problem: 'the vulnerability names no known-affected product of the product tree' };
    const aliases = [str(v.cve), ...(Array.isArray(v.ids) ? (v.ids as Json[]).map((x) => str(x.text)) : [])].filter((a): a is string => !!a);
    return {
      pointer,
      draft: {
        title: title.slice(0, 300),
        description: notes.join('\n\n') || title,
        cwe: isObj(v.cwe) ? normaliseCwe(String(v.cwe.id ?? '')) : null,
        product,
        location: null,
        aliases: aliases.filter((a) => /^[A-Za-z][A-Za-z0-9._:-]{1,99}$/.test(a)),
      },
    };
  });
}

function csafProducts(tree: unknown): Map<string, FindingDraft['product']> {
  const out = new Map<string, FindingDraft['product']>();
  const visit = (node: unknown, depth: number) => {
    if (!isObj(node) || depth > 32) return;
    for (const p of [...(Array.isArray(node.full_product_names) ? node.full_product_names : []), ...(isObj(node.product) ? [node.product] : [])] as Json[]) {
      const helper = isObj(p.product_identification_helper) ? p.product_identification_helper : {};
      const cpe = str(helper.cpe);
      out.set(String(p.product_id), { purl: str(helper.purl), cpe: cpe && cpe.startsWith('cpe:2.3:') ? cpe : null, name: str(p.name) });
    }
    for (const b of Array.isArray(node.branches) ? node.branches : []) visit(b, depth + 1);
    for (const r of Array.isArray(node.relationships) ? (node.relationships as Json[]) : []) visit({ product: r.full_product_name }, depth + 1);
  };
  visit(tree, 0);
  return out;
}

// ---- AVID ----------------------------------------------------------------------------------------------------

function avidEntry(doc: Json): ParsedEntry {
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const id = str(meta.report_id) ?? str(meta.vuln_id);
  const problem = isObj(doc.problemtype) ? doc.problemtype : {};
  const ptDesc = isObj(problem.description) ? str(problem.description.value) : null;
  const desc = isObj(doc.description) ? str(doc.description.value) : null;
  const affects = isObj(doc.affects) ? doc.affects : {};
  const artifact = Array.isArray(affects.artifacts) ? (affects.artifacts[0] as Json | undefined) : undefined;
  const developer = Array.isArray(affects.developer) ? str(affects.developer[0]) : null;
  const deployer = Array.isArray(affects.deployer) ? str(affects.deployer[0]) : null;
  // Some reports (AVID's early vulnerability records) name the system only by its maker: "Facebook" and a System.
  const name = str(artifact?.name) ?? (developer ?? deployer ? `${str(artifact?.type) ?? 'System'}` : null);
  if (!ptDesc && !desc) return { pointer: '', problem: 'the AVID report has neither a problem type description nor a description' };
  if (!name) return { pointer: '', problem: 'the AVID report names no affected artifact, developer or deployer, so there is no product to report against' };
  const impact = isObj(doc.impact) && isObj(doc.impact.avid) ? doc.impact.avid : {};
  // CVE entries carried into AVID name their CVE in the problem type and the references: an alias, for
  // de-duplication and for KEV's exploitation marks.
  const refs = Array.isArray(doc.references) ? (doc.references as Json[]).flatMap((r) => [str(r.label), str(r.url)]) : [];
  const cves = [...new Set([ptDesc, ...refs].flatMap((t) => (t ? [...t.matchAll(/\bCVE-\d{4}-\d{4,19}\b/gi)].map((m) => m[0].toUpperCase()) : [])))].slice(0, 10);
  const aliases = [id, str(impact.vuln_id), ...cves].filter((a): a is string => !!a);
  const cweList = isObj(doc.impact) && Array.isArray(doc.impact.cwe) ? (doc.impact.cwe as Json[]) : [];
  const cwe = cweList.map((c) => (str(c.cweId) ? normaliseCwe(String(c.cweId)) : null)).find(Boolean) ?? null;
  return {
    pointer: '',
    draft: {
      title: (ptDesc ?? desc!).slice(0, 300),
      description: desc ?? ptDesc!,
      cwe,
      // "NVIDIA" and "Container Toolkit" make "NVIDIA Container Toolkit"; "mintplex-labs/anything-llm" names its maker already.
      product: { name: (developer ?? deployer) && !name.toLowerCase().startsWith(String(developer ?? deployer).toLowerCase()) ? `${developer ?? deployer} ${name}` : name },
      location: null,
      aliases,
    },
  };
}
