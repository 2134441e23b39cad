import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseInstant, windowPhase, windowsOverlap, WindowError } from './window.ts';

it('reads RFC 3339 instants with their zone, keeping the text and the UTC instant', () => {
  assert.deepEqual(parseInstant('2026-12-01T22:00:00+01:00'), { text: '2026-12-01T22:00:00+01:00', utc: '2026-12-01T21:00:00.000Z' });
  assert.deepEqual(parseInstant('2026-12-01t22:00:00z'), { text: '2026-12-01T22:00:00Z', utc: '2026-12-01T22:00:00.000Z' });
  assert.equal(parseInstant('2026-12-01T00:30:00.123456-05:30').utc, '2026-12-01T06:00:00.123Z');
  assert.equal(parseInstant('2028-02-29T00:00:00Z').utc, '2028-02-29T00:00:00.000Z');
});

it('refuses instants without a zone or with impossible parts, saying why', () => {
  for (const [text, why] of [
    ['2026-12-01T22:00:00', /zone/],
    ['2026-12-01 22:00:00Z', /RFC 3339/],
    ['2026-12-01', /RFC 3339/],
    ['2026-02-30T00:00:00Z', /does not exist/],
    ['2026-13-01T00:00:00Z', /does not exist/],
    ['2026-12-01T24:00:00Z', /out of range/],
    ['2026-12-01T22:00:60Z', /out of range/],
    ['2026-12-01T22:00:00+24:00', /offset out of range/],
    ['tomorrow', /RFC 3339/],
  ] as const) {
    assert.throws(() => parseInstant(text), (e: Error) => e instanceof WindowError && why.test(e.message), text);
  }
});

it('windows are half-open: touching ends do not overlap', () => {
  const w = (s: string, e: string) => ({ startUtc: s, endUtc: e });
  assert.ok(windowsOverlap(w('2026-12-01T20:00:00.000Z', '2026-12-02T04:00:00.000Z'), w('2026-12-02T02:00:00.000Z', '2026-12-02T06:00:00.000Z')));
  assert.ok(!windowsOverlap(w('2026-12-01T20:00:00.000Z', '2026-12-02T04:00:00.000Z'), w('2026-12-02T04:00:00.000Z', '2026-12-02T06:00:00.000Z')));
  assert.ok(windowsOverlap(w('2026-12-01T00:00:00.000Z', '2026-12-31T00:00:00.000Z'), w('2026-12-10T00:00:00.000Z', '2026-12-11T00:00:00.000Z')), 'one inside the other');
  assert.equal(windowPhase(w('2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'), '2026-11-30T23:59:59.999Z'), 'scheduled');
  assert.equal(windowPhase(w('2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'), '2026-12-01T00:00:00.000Z'), 'active');
  assert.equal(windowPhase(w('2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'), '2026-12-02T00:00:00.000Z'), 'ended');
});
