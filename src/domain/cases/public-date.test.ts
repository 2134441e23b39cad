import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkPublicDate, DAY_MS, daysLeft, defaultPublicDate, remindersFor } from './public-date.ts';

const NOW = new Date('2026-12-02T12:00:00.000Z');

it('defaults to 90 days, 7 when actively exploited, each configurable', () => {
  assert.equal(defaultPublicDate(NOW, false), '2027-03-02T12:00:00.000Z');
  assert.equal(defaultPublicDate(NOW, true), '2026-12-09T12:00:00.000Z');
  assert.equal(defaultPublicDate(NOW, false, { publicDays: 45, exploitedDays: 3 }), '2027-01-16T12:00:00.000Z');
  assert.equal(defaultPublicDate(NOW, true, { publicDays: 45, exploitedDays: 3 }), '2026-12-05T12:00:00.000Z');
});

it('takes a future date-time with a zone, in UTC; refuses the past, the present, no zone, nonsense and the far future', () => {
  assert.deepEqual(checkPublicDate('2027-01-15T10:00:00+01:00', NOW), { ok: true, iso: '2027-01-15T09:00:00.000Z' });
  assert.deepEqual(checkPublicDate('2027-01-15T09:00Z', NOW), { ok: true, iso: '2027-01-15T09:00:00.000Z' });
  for (const bad of ['2026-12-01T00:00:00Z', NOW.toISOString(), '2027-01-15T09:00:00', '2027-01-15', 'soon', '2027-02-30T09:00:00Z', '2035-01-01T00:00:00Z', 42, null]) {
    assert.equal(checkPublicDate(bad, NOW).ok, false, String(bad));
  }
  const past = checkPublicDate('2026-12-01T00:00:00Z', NOW);
  assert.ok(!past.ok && /must be in the future/.test(past.reason));
});

it('reminds 14, 7 and 1 days before, leaving out those already due', () => {
  const date = '2027-03-02T12:00:00.000Z';
  assert.deepEqual(remindersFor(date, NOW), [
    { daysBefore: 14, at: '2027-02-16T12:00:00.000Z' },
    { daysBefore: 7, at: '2027-02-23T12:00:00.000Z' },
    { daysBefore: 1, at: '2027-03-01T12:00:00.000Z' },
  ]);
  assert.deepEqual(remindersFor('2026-12-09T12:00:00.000Z', NOW).map((r) => r.daysBefore), [1], 'a 7-day case: its 7-day reminder would be due at once');
  assert.deepEqual(remindersFor(new Date(NOW.getTime() + 12 * 3600_000).toISOString(), NOW), []);
});

it('counts the days left, rounded up, never below zero', () => {
  assert.equal(daysLeft('2027-03-02T12:00:00.000Z', NOW), 90);
  assert.equal(daysLeft(new Date(NOW.getTime() + DAY_MS / 2).toISOString(), NOW), 1);
  assert.equal(daysLeft('2026-01-01T00:00:00.000Z', NOW), 0);
});
