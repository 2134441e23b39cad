import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atomFeed, type FeedSourceAdvisory } from '../../src/formats/atom-feed.ts';

function view(id: string, modified: string, over: Partial<FeedSourceAdvisory> = {}): FeedSourceAdvisory {
  return {
    id, state: 'published', rating: 'high', organisationName: 'Example CERT', publishedAt: '2026-01-01T00:00:00Z',
    record: { id, modified, summary: `Summary of ${id}`, details: 'Run <script>alert(1)</script> & more' } as never,
    ...over,
  };
}

const opts = { baseUrl: 'https://ch.example.org', updated: new Date('2026-12-02T00:00:00Z'), title: 'Clearinghouse advisories' };

describe('atomFeed', () => {
  it('lists advisories newest first as Atom 1.0 entries', () => {
    const xml = atomFeed([view('A-1', '2026-03-01T00:00:00Z'), view('A-3', '2026-05-01T00:00:00Z'), view('A-2', '2026-04-01T00:00:00Z')], opts);
    assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\s*<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    assert.match(xml, /<title>Clearinghouse advisories<\/title>/);
    assert.match(xml, /<updated>2026-12-02T00:00:00.000Z<\/updated>/);
    assert.match(xml, /<link rel="self" href="https:\/\/ch.example.org\/feeds\/advisories.atom"\/>/);
    const ids = [...xml.matchAll(/<id>https:\/\/ch\.example\.org\/advisories\/([^<]+)<\/id>/g)].map((m) => m[1]);
    assert.deepEqual(ids, ['A-3', 'A-2', 'A-1']);
    assert.match(xml, /<title type="html"><!\[CDATA\[A-3 \(high\): Summary of A-3\]\]><\/title>/);
    assert.match(xml, /href="https:\/\/ch.example.org\/api\/v1\/advisories\/A-3"/);
    assert.match(xml, /<name>Example CERT<\/name>/);
  });

  it('escapes advisory text so it cannot become markup in a reader', () => {
    const xml = atomFeed([view('A-1', '2026-03-01T00:00:00Z')], opts);
    assert.ok(!xml.includes('<script>'), xml);
    assert.match(xml, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; more/);
  });

  it('makes a valid empty feed', () => {
    const xml = atomFeed([], opts);
    assert.match(xml, /<feed[^>]*>[\s\S]*<\/feed>/);
    assert.ok(!xml.includes('<entry>'));
  });
});
