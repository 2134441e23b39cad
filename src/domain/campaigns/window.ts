/**
 * A campaign's time window: two RFC 3339 instants that name their zone (`Z` or an offset), so a lab in one time zone
 * and a water utility in another read the same night. The text as written is kept for display; comparisons use the
 * UTC instant, stored as fixed-width ISO text like every other timestamp.
 */

export interface Instant {
  /** As written, with `T` and `Z` upper-cased: what the UI shows, in the writer's own offset. */
  text: string;
  /** The same instant in UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  utc: string;
}

export interface CampaignWindow {
  start: Instant;
  end: Instant;
}

export class WindowError extends Error {}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time with its zone; throws WindowError saying what is wrong. */
export function parseInstant(text: string): Instant {
  if (typeof text !== 'string' || text.length > 40) throw new WindowError('must be an RFC 3339 date-time with its zone, e.g. 2026-12-01T22:00:00+01:00');
  const m = RFC3339.exec(text);
  if (!m) throw new WindowError('must be an RFC 3339 date-time with its zone (Z or an offset such as +01:00), e.g. 2026-12-01T22:00:00+01:00');
  const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw new WindowError(`names a day that does not exist (${y}-${mo}-${d})`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw new WindowError('has a time of day out of range');
  if (zone !== 'Z' && zone !== 'z' && (Number(oh) > 23 || Number(om) > 59)) throw new WindowError('has a zone offset out of range');
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  const offsetMinutes = zone === 'Z' || zone === 'z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const t = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms) - offsetMinutes * 60_000;
  const utc = new Date(t);
  if (utc.getUTCFullYear() < 1970 || utc.getUTCFullYear() > 9999) throw new WindowError('lies outside the years 1970 to 9999');
  return { text: text.replace(/[tz]/g, (c) => c.toUpperCase()), utc: utc.toISOString() };
}

/** Two half-open windows [start, end) share an instant. */
export function windowsOverlap(a: { startUtc: string; endUtc: string }, b: { startUtc: string; endUtc: string }): boolean {
  return a.startUtc < b.endUtc && b.startUtc < a.endUtc;
}

/** Where a campaign stands at `now` (a cancelled one is cancelled whatever the time). */
export function windowPhase(w: { startUtc: string; endUtc: string }, nowIso: string): 'scheduled' | 'active' | 'ended' {
  if (nowIso < w.startUtc) return 'scheduled';
  return nowIso < w.endUtc ? 'active' : 'ended';
}
