import { InvalidInputError } from '../errors.ts';

/** Authored advisory ids: `<PREFIX>-<YEAR>-<N>`, N zero-padded to four digits and growing beyond when needed. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Z][A-Z0-9]{1,11}$/.test(prefix)) throw new InvalidInputError(`advisory id prefix ${JSON.stringify(prefix)}: 2 to 12 capital letters and digits, starting with a letter`);
  return prefix;
}

export function formatAdvisoryId(prefix: string, year: number, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError('an advisory number is a positive whole number');
  return `${checkPrefix(prefix)}-${year}-${String(n).padStart(4, '0')}`;
}

export function isAuthoredId(prefix: string, id: string): boolean {
  return id.startsWith(`${prefix}-`) && /^\d{4}-\d{4,}$/.test(id.slice(prefix.length + 1));
}
