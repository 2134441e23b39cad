/**
 * The public date of a case (issue 9): when its embargo ends and its advisory is published. Pure rules: the default
 * (90 days from the opening, 7 when the vulnerability is actively exploited; both configurable), what a new date may
 * be, and when participants are reminded of it.
 */

export const DAY_MS = 86_400_000;

/** Reminders go out this many days before the public date. */
export const REMINDER_DAYS = [14, 7, 1] as const;

/** A public date further out than this is a typing mistake, not a disclosure plan. */
export const MAX_PUBLIC_DAYS = 3 * 365;

export interface PublicDatePolicy {
  /** Days from the opening (CLEARINGHOUSE_CASE_PUBLIC_DAYS, default 90). */
  publicDays: number;
  /** Days from the opening when actively exploited (CLEARINGHOUSE_CASE_EXPLOITED_DAYS, default 7). */
  exploitedDays: number;
}

export const DEFAULT_PUBLIC_DATE_POLICY: PublicDatePolicy = { publicDays: 90, exploitedDays: 7 };

export function defaultPublicDate(openedAt: Date, activelyExploited: boolean, policy: PublicDatePolicy = DEFAULT_PUBLIC_DATE_POLICY): string {
  return new Date(openedAt.getTime() + (activelyExploited ? policy.exploitedDays : policy.publicDays) * DAY_MS).toISOString();
}

/**
 * Checks a proposed public date: an RFC 3339 date-time with a time zone (a date without one would mean a different
 * instant in every participant's zone), strictly after `now`, at most MAX_PUBLIC_DAYS ahead. Returns the canonical
 * UTC form, or the reason it is refused.
 */
export function checkPublicDate(value: unknown, now: Date): { ok: true; iso: string } | { ok: false; reason: string } {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value.trim())) {
    return { ok: false, reason: 'must be a date-time with its time zone, like 2027-03-01T09:00:00Z or 2027-03-01T10:00:00+01:00' };
  }
  const [y, m, d] = value.trim().slice(0, 10).split('-').map(Number) as [number, number, number];
  const t = Date.parse(value.trim());
  // Date.parse rolls 30 February over into March; a calendar date that does not exist is a mistake to report.
  if (Number.isNaN(t) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d || m < 1 || m > 12) return { ok: false, reason: 'is not a real date-time' };
  if (t <= now.getTime()) return { ok: false, reason: `must be in the future (it is ${new Date(t).toISOString()}, now is ${now.toISOString()})` };
  if (t > now.getTime() + MAX_PUBLIC_DAYS * DAY_MS) return { ok: false, reason: `must be at most ${MAX_PUBLIC_DAYS} days ahead` };
  return { ok: true, iso: new Date(t).toISOString() };
}

export interface Reminder {
  daysBefore: number;
  /** When the reminder is due (ISO). */
  at: string;
}

/**
 * The reminders still ahead for a public date: those whose moment lies after `now`. A reminder that would be due at
 * once (a 7-day exploited case's 14- and 7-day reminders) is left out: the opening itself told everyone the date.
 */
export function remindersFor(publicDate: string, now: Date): Reminder[] {
  const end = Date.parse(publicDate);
  return REMINDER_DAYS.map((d) => ({ daysBefore: d, at: new Date(end - d * DAY_MS).toISOString() })).filter((r) => Date.parse(r.at) > now.getTime());
}

/** Whole days (rounded up) from `now` to the public date; 0 once it has passed. */
export function daysLeft(publicDate: string, now: Date): number {
  return Math.max(0, Math.ceil((Date.parse(publicDate) - now.getTime()) / DAY_MS));
}
