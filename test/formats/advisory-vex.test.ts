import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { scoreSeverities } from '../../src/domain/cvss/cvss.ts';
import { advisoryToCycloneDxVex, advisoryToOpenVex, vexSerialNumber, type VexSourceAdvisory } from '../../src/formats/advisory-vex.ts';
import { checkSbomSchema } from '../../src/formats/sbom-schema.ts';

const opts = { now: new Date('2026-12-02T12:00:00Z'), publisherName: 'Example CERT', baseUrl: 'https://ch.example.org' };

/** Shaped exactly like the service's AdvisoryView (the fields VEX uses are the ones a test can get wrong). */
function view(record: Record<string, unknown>, over: Partial<VexSourceAdvisory> = {}): VexSourceAdvisory {
  const scored = scoreSeverities(record as never).scored;
  return {
    id: record.id as string,
    state: 'published',
    revision: 2,
    record: record as never,
    severity: scored.map(({ path: _p, ...s }) => s),
    publishedAt: '2026-11-01T00:00:00Z',
    withdrawnAt: null,
    organisationName: 'Example CERT',
    ...over,
  };
}

const RECORD = {
  id: 'CHA-2026-0001',
  modified: '2026-11-02T00:00:00Z',
  published: '2026-11-01T00:00:00Z',
  aliases: ['CVE-2026-1234'],
  summary: 'Prototype pollution in left-pad',
  details: 'Long text <b>with markup</b>',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    { package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }, { introduced: '2.0.0' }, { last_affected: '2.1.0' }] }], versions: ['1.0.0', '1.3.0'] },
    { package: { ecosystem: 'Maven', name: 'org.example:lib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }] }] },
    { package: { ecosystem: 'Unknown-Eco', name: 'thing' }, versions: ['7'] },
    { package: { ecosystem: 'PyPI', name: 'pkg', purl: 'pkg:pypi/pkg' }, ranges: [{ type: 'GIT', repo: 'https://x.example/r', events: [{ introduced: 'abc' }] }] },
  ],
  references: [{ type: 'ADVISORY', url: 'https://ch.example.org/a' }, { type: 'WEB', url: 'not a url' }],
  database_specific: { cwe_ids: ['CWE-1321', 'bogus'] },
};

function assertValidCdx(doc: unknown, what: string) {
  const r = checkSbomSchema('cyclonedx-json', doc, JSON.stringify(doc).length);
  assert.equal(r.schema.checked, true, what);
  assert.deepEqual(r.warnings, [], `${what}: CycloneDX 1.6 schema findings`);
}

describe('advisoryToCycloneDxVex', () => {
  it('emits a CycloneDX 1.6 VEX that validates against the bundled 1.6 schema', () => {
    const doc = advisoryToCycloneDxVex(view(RECORD), opts) as any;
    assertValidCdx(doc, 'RECORD');
    assert.equal(doc.specVersion, '1.6');
    assert.equal(doc.version, 2);
    assert.equal(doc.metadata.timestamp, '2026-12-02T12:00:00.000Z');
    assert.match(doc.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const v = doc.vulnerabilities[0];
    assert.equal(v.id, 'CHA-2026-0001');
    assert.deepEqual(v.source, { name: 'Example CERT', url: 'https://ch.example.org/api/v1/advisories/CHA-2026-0001' });
    assert.deepEqual(v.ratings, [{ source: { name: 'Example CERT' }, score: 9.8, severity: 'critical', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
    assert.deepEqual(v.cwes, [1321]);
    assert.equal(v.description, 'Prototype pollution in left-pad');
    assert.deepEqual(v.advisories, [{ title: 'ADVISORY', url: 'https://ch.example.org/a' }], 'references that are not URLs are dropped');
    assert.equal(v.analysis.state, 'exploitable');
    assert.equal(v.published, '2026-11-01T00:00:00Z');
    assert.equal(v.updated, '2026-11-02T00:00:00Z');
    assert.deepEqual(doc.components.map((c: any) => c['bom-ref']), ['pkg:npm/left-pad', 'pkg:maven/org.example/lib', 'pkg-3:Unknown-Eco/thing', 'pkg:pypi/pkg']);
    const [npm, maven, unknown, git] = v.affects;
    assert.deepEqual(npm, { ref: 'pkg:npm/left-pad', versions: [
      { range: 'vers:npm/<1.3.1', status: 'affected' }, { range: 'vers:npm/>=2.0.0|<=2.1.0', status: 'affected' }, { version: '1.3.1', status: 'unaffected' }] });
    assert.deepEqual(maven.versions, [{ range: 'vers:maven/>=1.0', status: 'affected' }]);
    assert.deepEqual(unknown.versions, [{ version: '7', status: 'affected' }], 'no vers scheme: listed versions');
    assert.equal(git.versions, undefined, 'GIT ranges cannot be written as vers');
  });

  it('is deterministic per id and revision', () => {
    assert.equal(vexSerialNumber('A', 1), vexSerialNumber('A', 1));
    assert.notEqual(vexSerialNumber('A', 1), vexSerialNumber('A', 2));
    assert.notEqual(vexSerialNumber('A', 1), vexSerialNumber('B', 1));
    const a = advisoryToCycloneDxVex(view(RECORD), opts);
    const b = advisoryToCycloneDxVex(view(RECORD), opts);
    assert.deepEqual(a, b);
  });

  it('states a withdrawn advisory as false_positive and still validates', () => {
    const rec = { ...RECORD, withdrawn: '2026-11-05T00:00:00Z' };
    const doc = advisoryToCycloneDxVex(view(rec, { state: 'withdrawn', withdrawnAt: '2026-11-05T00:00:00Z', revision: 3 }), opts) as any;
    assertValidCdx(doc, 'withdrawn');
    assert.equal(doc.vulnerabilities[0].analysis.state, 'false_positive');
    assert.equal(doc.vulnerabilities[0].rejected, '2026-11-05T00:00:00Z');
    assert.equal(doc.vulnerabilities[0].recommendation, undefined);
  });

  it('validates for a record with no affected packages and no severity', () => {
    assertValidCdx(advisoryToCycloneDxVex(view({ id: 'X-1', modified: '2026-01-01T00:00:00Z' }), opts), 'bare');
  });

  const samples = '../shared/data/osv/samples';
  if (!existsSync(samples)) console.warn(`!!! advisory-vex shared-data suite SKIPPED: ${samples} absent`);
  it('every OSV sample of the shared data makes a valid CycloneDX 1.6 VEX', { skip: existsSync(samples) ? false : `${samples} absent` }, () => {
    const files = readdirSync(samples).filter((f) => f.endsWith('.json'));
    assert.ok(files.length > 0);
    for (const f of files) {
      const rec = JSON.parse(readFileSync(join(samples, f), 'utf8'));
      const v = view(rec, { severity: [] });
      try {
        v.severity = scoreSeverities(rec).scored.map(({ path: _p, ...s }) => s);
      } catch { /* samples with bad vectors: VEX without ratings */ }
      assertValidCdx(advisoryToCycloneDxVex(v, opts), f);
    }
  });
});

/**
 * OpenVEX has no published JSON schema at v0.2.0 in our dependencies; this one is written from the spec text
 * (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md, "Document" and "Statement" sections): required fields,
 * the status enum, and the status-dependent rules (not_affected needs a justification or impact statement; affected
 * needs an action statement).
 */
const OPENVEX_SCHEMA = {
  type: 'object',
  required: ['@context', '@id', 'author', 'timestamp', 'version', 'statements'],
  properties: {
    '@context': { const: 'https://openvex.dev/ns/v0.2.0' },
    '@id': { type: 'string', format: 'iri' },
    author: { type: 'string', minLength: 1 },
    role: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    last_updated: { type: 'string', format: 'date-time' },
    version: { type: 'integer', minimum: 1 },
    tooling: { type: 'string' },
    statements: {
      type: 'array',
      items: {
        type: 'object',
        required: ['vulnerability', 'status', 'products'],
        properties: {
          vulnerability: {
            type: 'object', required: ['name'],
            properties: { '@id': { type: 'string', format: 'iri' }, name: { type: 'string', minLength: 1 }, description: { type: 'string' }, aliases: { type: 'array', items: { type: 'string' } } },
            additionalProperties: false,
          },
          timestamp: { type: 'string', format: 'date-time' },
          products: { type: 'array', minItems: 1, items: { type: 'object', required: ['@id'], properties: { '@id': { type: 'string', pattern: '^pkg:' } } } },
          status: { enum: ['not_affected', 'affected', 'fixed', 'under_investigation'] },
          justification: { enum: ['component_not_present', 'vulnerable_code_not_present', 'vulnerable_code_not_in_execute_path', 'vulnerable_code_cannot_be_controlled_by_adversary', 'inline_mitigations_already_exist'] },
          impact_statement: { type: 'string' },
          action_statement: { type: 'string' },
        },
        additionalProperties: false,
        allOf: [
          { if: { properties: { status: { const: 'not_affected' } } }, then: { anyOf: [{ required: ['justification'] }, { required: ['impact_statement'] }] } },
          { if: { properties: { status: { const: 'affected' } } }, then: { required: ['action_statement'] } },
        ],
      },
    },
  },
  additionalProperties: false,
};
const ajv = new Ajv({ allErrors: true, strict: false });
(addFormatsImport as unknown as (a: Ajv) => Ajv)(ajv);
ajv.addFormat('iri', /^[a-z][a-z0-9+.-]*:\S+$/i);
const validateOpenVex = ajv.compile(OPENVEX_SCHEMA);

describe('advisoryToOpenVex', () => {
  it('emits affected and fixed statements that satisfy the spec', () => {
    const doc = advisoryToOpenVex(view(RECORD), opts) as any;
    assert.ok(validateOpenVex(doc) as boolean, JSON.stringify(validateOpenVex.errors));
    assert.equal(doc.version, 2);
    const npm = doc.statements.filter((s: any) => s.products[0]['@id'].startsWith('pkg:npm/'));
    assert.deepEqual(npm.map((s: any) => s.status), ['affected', 'fixed']);
    assert.deepEqual(npm[0].products, [{ '@id': 'pkg:npm/left-pad@1.0.0' }, { '@id': 'pkg:npm/left-pad@1.3.0' }]);
    assert.match(npm[0].action_statement, /1\.3\.1/);
    assert.deepEqual(npm[1].products, [{ '@id': 'pkg:npm/left-pad@1.3.1' }]);
    assert.deepEqual(npm[0].vulnerability.aliases, ['CVE-2026-1234']);
    assert.equal(npm[0].vulnerability.name, 'CHA-2026-0001');
    const maven = doc.statements.find((s: any) => s.products[0]['@id'].startsWith('pkg:maven/'));
    assert.deepEqual(maven.products, [{ '@id': 'pkg:maven/org.example/lib' }]);
    assert.match(maven.action_statement, /No fixed version/);
    assert.ok(!doc.statements.some((s: any) => JSON.stringify(s).includes('thing')), 'a package without purl has no product IRI');
  });

  it('states a withdrawn advisory as not_affected with an impact statement', () => {
    const doc = advisoryToOpenVex(view(RECORD, { state: 'withdrawn', withdrawnAt: '2026-11-05T00:00:00Z' }), opts) as any;
    assert.ok(validateOpenVex(doc) as boolean, JSON.stringify(validateOpenVex.errors));
    assert.ok(doc.statements.length > 0);
    for (const s of doc.statements) assert.equal(s.status, 'not_affected');
  });
});
