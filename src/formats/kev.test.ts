import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { KEV_LIMITS, parseKevCatalogue } from './kev.ts';

const FIXTURE = new URL('../../test/fixtures/kev/kev-small.json', import.meta.url);
const SHARED = new URL('../../../shared/data/kev/known_exploited_vulnerabilities.json', import.meta.url);
// With CLEARINGHOUSE_REQUIRE_SHARED=1 an absent catalogue is a failure (the read below throws), never a skip.
const sharedSkip = existsSync(SHARED) || process.env.CLEARINGHOUSE_REQUIRE_SHARED === '1' ? false : `the real catalogue is absent at ${SHARED.pathname} (CLEARINGHOUSE_REQUIRE_SHARED=1 makes this fail)`;

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

  it('reads the whole shared catalogue', { skip: sharedSkip }, () => {
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

  it('refuses a body over the size cap before parsing it', () => {
    assert.throws(() => parseKevCatalogue(Buffer.alloc(KEV_LIMITS.bytes + 1, 0x20)), /larger than/);
  });

  it('keeps one entry per CVE, upper-cased', () => {
    const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { vulnerabilities: { cveID: string }[] };
    doc.vulnerabilities.push({ ...doc.vulnerabilities[0]! });
    assert.equal(parseKevCatalogue(JSON.stringify(doc)).entries.length, 3);
  });
});
