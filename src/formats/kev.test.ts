import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseKevCatalogue } from './kev.ts';

const FIXTURE = new URL('../../test/fixtures/kev/kev-small.json', import.meta.url);
const SHARED = new URL('../../../shared/data/kev/known_exploited_vulnerabilities.json', import.meta.url);

describe('KEV catalogue parsing', () => {
  it('reads the bundled fixture', () => {
    const c = parseKevCatalogue(readFileSync(FIXTURE));
    assert.equal(c.entries.length, 3);
    const log4j = c.entries.find((e) => e.cve === 'CVE-2021-44228')!;
    assert.equal(log4j.vendor, 'Apache');
    assert.match(log4j.dateAdded, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(log4j.dueDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(log4j.knownRansomware, true);
  });

  it('reads the whole shared catalogue', { skip: !existsSync(SHARED) && (console.warn('kev.test: ../shared/data/kev absent, real catalogue not checked'), true) }, () => {
    const raw = JSON.parse(readFileSync(SHARED, 'utf8')) as { vulnerabilities: unknown[] };
    const c = parseKevCatalogue(readFileSync(SHARED));
    assert.equal(c.entries.length, new Set((raw.vulnerabilities as { cveID: string }[]).map((v) => v.cveID)).size);
  });

  it('refuses what is not JSON, and JSON that breaks the schema, saying where', () => {
    assert.throws(() => parseKevCatalogue('{nope'), /not JSON/);
    assert.throws(() => parseKevCatalogue(JSON.stringify({ catalogVersion: 'x', dateReleased: '2025-01-01T00:00:00Z', count: 1 })), /vulnerabilities/);
    const bad = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { vulnerabilities: { cveID: string }[] };
    bad.vulnerabilities[1]!.cveID = 'CVE-21-1';
    assert.throws(() => parseKevCatalogue(JSON.stringify(bad)), /\/vulnerabilities\/1\/cveID/);
  });
});
