import { InvalidInputError } from '../errors.ts';

const PREFIX = /^[A-Z0-9]{2,12}$/;

/** Throws when the configured prefix could not form a safe, unambiguous id. */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidInputError(`advisory id prefix ${JSON.stringify(prefix)} must be 2 to 12 characters A-Z or 0-9`);
  }
  return prefix;
}

/** CHA-2026-0001; numbers past 9999 simply grow (CHA-2026-12345). */
export function formatAdvisoryId(prefix: string, year: number, n: number): string {
  checkPrefix(prefix);
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new InvalidInputError(`advisory id year ${year} must be four digits`);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`advisory id number ${n} must be a positive integer`);
  return `${prefix}-${year}-${String(n).padStart(4, '0')}`;
}

export function isAuthoredId(prefix: string, id: string): boolean {
  return typeof id === 'string' && PREFIX.test(prefix) && new RegExp(`^${prefix}-\\d{4}-\\d{4,}$`).test(id);
}
