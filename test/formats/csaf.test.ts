/**
 * Every CSAF document we generate passes @secvisogram/csaf-validator-lib's strict schema test and every mandatory
 * test (CSAF 2.0 §6.1), over every advisory shape in the shared data: all of osv/samples and a spread sample of each
 * zip, in every state and TLP. The in-repo fixtures keep the core suite covering it when ../shared is absent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error the validator library ships JavaScript without type declarations
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js';
// @ts-expect-error the validator library ships JavaScript without type declarations
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js';
// @ts-expect-error the validator library ships JavaScript without type declarations
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js';
import { scoreSeverities } from '../../src/domain/cvss/cvss.ts';
import { advisoryToCsaf, csafFileName, csafTlp, type CsafSourceAdvisory, type LabelTlp } from '../../src/formats/csaf.ts';
import { decodeUtf8 } from '../../src/formats/advisory-source.ts';
import { DEFAULT_ZIP_LIMITS, listZip, readZipEntry } from '../../src/formats/zip-reader.ts';

const TESTS = [csaf_2_0_strict, ...Object.values(mandatory as Record<string, unknown>)];
const SHARED = join(import.meta.dirname, '../../../shared/data/osv');
const FIXTURES = join(import.meta.dirname, '../fixtures/osv');
const PER_ZIP = 60;
const NOW = new Date('2026-12-02T12:00:00Z');
const TLPS: LabelTlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

interface Result { isValid: boolean; tests: { name: string; isValid: boolean; errors: { message: string; instancePath: string }[] }[] }

const failures = (r: Result) => r.tests.filter((t) => !t.isValid).map((t) => ({ test: t.name, errors: t.errors.slice(0, 3) }));

/** An AdvisoryView stand-in: the fields the service would fill, varied by index so every state and label occurs. */
function standIn(record: Record<string, unknown>, i: number): CsafSourceAdvisory {
  const { scored } = scoreSeverities(record);
  const modified = typeof record.modified === 'string' ? record.modified : '2024-01-01T00:00:00Z';
  const withdrawn = typeof record.withdrawn === 'string' || i % 7 === 3;
  return {
    id: String(record.id),
    state: withdrawn ? 'withdrawn' : 'published',
    organisationName: 'Example Vendor',
    label: { tlp: TLPS[i % TLPS.length]! },
    revision: 1 + (i % 3),
    record: { ...record, id: String(record.id), modified },
    severity: scored,
    publishedAt: typeof record.published === 'string' ? record.published : null,
    withdrawnAt: withdrawn ? (typeof record.withdrawn === 'string' ? record.withdrawn : modified) : null,
  };
}

async function check(record: Record<string, unknown>, i: number, where: string): Promise<Record<string, unknown>> {
  const doc = advisoryToCsaf(standIn(record, i), {
    publisher: { namespace: 'https://clearinghouse.example', category: 'vendor' },
    selfUrl: `https://clearinghouse.example/.well-known/csaf/white/2024/${csafFileName(String(record.id))}`,
    now: NOW,
  });
  const result = await validateStrict(TESTS, doc) as Result;
  assert.ok(result.isValid, `${where}: ${JSON.stringify(failures(result))}`);
  return doc;
}

function jsonFiles(dir: string): { name: string; json: Record<string, unknown> }[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: f, json: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown> }));
}

/** Every PER_ZIP-th share of the archive, so the sample spans old and new records alike. */
function zipSample(path: string): { name: string; json: Record<string, unknown> }[] {
  const bytes = new Uint8Array(readFileSync(path));
  const entries = listZip(bytes, DEFAULT_ZIP_LIMITS).filter((e) => !e.directory && e.name.endsWith('.json'));
  const step = Math.max(1, Math.floor(entries.length / PER_ZIP));
  const out: { name: string; json: Record<string, unknown> }[] = [];
  for (let k = 0; k < entries.length && out.length < PER_ZIP; k += step) {
    const e = entries[k]!;
    out.push({ name: e.name, json: JSON.parse(decodeUtf8(readZipEntry(bytes, e, DEFAULT_ZIP_LIMITS, DEFAULT_ZIP_LIMITS.maxTotalBytes))) });
  }
  return out;
}

describe('CSAF 2.0 documents', () => {
  it('in-repo fixtures pass the schema and mandatory tests, in every state and label', async () => {
    for (const { name, json } of jsonFiles(FIXTURES)) {
      for (let i = 0; i < 10; i++) await check(json, i, `${name}#${i}`);
    }
  });

  it('maps the record onto the document: publisher, tracking, TLP, products, status, fixes, score, CWE, CVE', async () => {
    const record = {
      id: 'CHA-2026-0007',
      modified: '2026-03-02T00:00:00Z',
      published: '2026-03-01T00:00:00Z',
      aliases: ['CVE-2026-1234', 'GHSA-aaaa-bbbb-cccc'],
      summary: 'Prototype pollution in left-pad',
      details: 'A crafted input pollutes Object.prototype.',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.3.1' }] }] }],
      references: [{ type: 'FIX', url: 'https://example.com/fix' }, { type: 'WEB', url: 'not a url' }],
      database_specific: { cwe_ids: ['CWE-1321'] },
    };
    const view = { ...standIn(record, 0), revision: 2 };
    const doc = advisoryToCsaf(view, {
      publisher: { namespace: 'https://ch.example', category: 'vendor' },
      revisions: [{ revision: 1, date: '2026-03-01T00:00:00Z', summary: null }, { revision: 2, date: '2026-03-02T00:00:00Z', summary: 'Fixed version added' }],
      now: NOW,
    }) as any;
    assert.equal((await validateStrict(TESTS, doc) as Result).isValid, true);
    assert.equal(doc.document.publisher.name, 'Example Vendor');
    assert.equal(doc.document.distribution.tlp.label, 'WHITE');
    assert.equal(doc.document.tracking.id, 'CHA-2026-0007');
    assert.equal(doc.document.tracking.version, '2');
    assert.deepEqual(doc.document.tracking.revision_history.map((r: any) => [r.number, r.summary]), [['1', 'Initial release.'], ['2', 'Fixed version added']]);
    assert.equal(doc.document.tracking.initial_release_date, '2026-03-01T00:00:00.000Z');
    const v = doc.vulnerabilities[0];
    assert.equal(v.cve, 'CVE-2026-1234');
    assert.deepEqual(v.ids.map((x: any) => x.text), ['CHA-2026-0007', 'GHSA-aaaa-bbbb-cccc']);
    assert.equal(v.cwe.id, 'CWE-1321');
    assert.equal(v.scores[0].cvss_v3.baseScore, 9.8);
    assert.equal(v.scores[0].cvss_v3.baseSeverity, 'CRITICAL');
    const version = doc.product_tree.branches[0].branches[0].branches;
    assert.equal(version[0].category, 'product_version_range');
    assert.equal(version[0].name, 'vers:npm/>=1.0.0|<1.3.1');
    assert.equal(version[0].product.product_identification_helper.purl, 'pkg:npm/left-pad');
    assert.equal(version[1].product.product_identification_helper.purl, 'pkg:npm/left-pad@1.3.1');
    assert.deepEqual(v.product_status, { known_affected: [version[0].product.product_id], fixed: [version[1].product.product_id] });
    assert.equal(v.remediations[0].category, 'vendor_fix');
    assert.match(v.remediations[0].details, /1\.3\.1/);
    assert.deepEqual(v.references.map((r: any) => r.url), ['https://example.com/fix']);
    // Product ids do not move between revisions.
    const again = advisoryToCsaf({ ...view, revision: 3 }, { publisher: { namespace: 'https://ch.example', category: 'vendor' }, now: NOW }) as any;
    assert.deepEqual(again.vulnerabilities[0].product_status, v.product_status);
  });

  it('labels map to CSAF 2.0 TLP 1.0 names and file names follow §5.1', () => {
    assert.deepEqual(TLPS.map(csafTlp), ['WHITE', 'GREEN', 'AMBER', 'AMBER', 'RED']);
    assert.equal(csafFileName('CHA-2026-0001'), 'cha-2026-0001.json');
    assert.equal(csafFileName('SUSE-SU-2023:3313-1'), 'suse-su-2023_3313-1.json');
  });

  it('a withdrawn advisory stays final, says so in a note and in its last revision', async () => {
    const { json } = jsonFiles(FIXTURES)[0]!;
    const doc = advisoryToCsaf({ ...standIn(json, 0), state: 'withdrawn', withdrawnAt: '2026-01-01T00:00:00Z', revision: 2 },
      { publisher: { namespace: 'https://ch.example', category: 'vendor' }, now: NOW }) as any;
    assert.equal(doc.document.tracking.status, 'final');
    assert.ok(doc.document.notes.some((n: any) => n.title === 'Withdrawn'));
    assert.equal(doc.document.tracking.revision_history.at(-1).summary, 'Withdrawn.');
    assert.equal((await validateStrict(TESTS, doc) as Result).isValid, true);
  });

  const samples = join(SHARED, 'samples');
  const absent = !existsSync(samples);
  if (absent) console.warn('!!! CSAF shared-data suite SKIPPED: ../shared/data/osv absent');

  it('every record of ../shared/data/osv/samples passes', { skip: absent ? '../shared/data/osv absent' : false }, async () => {
    const files = jsonFiles(samples);
    assert.ok(files.length > 0);
    let i = 0;
    for (const { name, json } of files) await check(json, i++, name);
  });

  for (const zip of absent ? [] : readdirSync(SHARED).filter((f) => f.endsWith('.zip')).sort()) {
    it(`a sample of ${PER_ZIP} records of ${zip} passes`, async () => {
      const records = zipSample(join(SHARED, zip));
      assert.ok(records.length > 0);
      let i = 0;
      for (const { name, json } of records) await check(json, i++, `${zip}!${name}`);
    });
  }
});
