/**
 * The sign-in back-off schedule (pure). Each key (an account for unknown devices, a client address, or one known
 * device of one account) may fail FREE_ATTEMPTS times; from then on every attempt is followed by a lock that doubles
 * up to MAX_LOCK_SECONDS. Attempts are counted before the password is checked, so concurrent guesses cannot all pass
 * one check; a success gives back only its own count, so signing in to one's own account never clears the slate for
 * guesses against someone else's. A key that stays quiet for QUIET_RESET_MS starts again from zero.
 */
export const FREE_ATTEMPTS = 5;
export const MAX_LOCK_SECONDS = 15 * 60;
export const QUIET_RESET_MS = 60 * 60 * 1000;
/** How long a device that signed in stays known to the account (also the cookie's lifetime). */
export const DEVICE_TTL_MS = 180 * 24 * 60 * 60 * 1000;

export type BackOffKey = `email:${string}` | `ip:${string}` | `device:${string}`;

export function lockSeconds(attempts: number): number {
  if (attempts < FREE_ATTEMPTS) return 0;
  return Math.min(2 ** (attempts - FREE_ATTEMPTS), MAX_LOCK_SECONDS);
}

/**
 * Every distinct lock as (attempts -> locked until), the last entry holding for every higher count: the store turns
 * this into one SQL CASE so that counting and locking happen in the same atomic statement.
 */
export function lockLadder(now: Date): { attempts: number; until: string }[] {
  const ladder: { attempts: number; until: string }[] = [];
  for (let n = FREE_ATTEMPTS; ; n++) {
    const s = lockSeconds(n);
    ladder.push({ attempts: n, until: new Date(now.getTime() + s * 1000).toISOString() });
    if (s >= MAX_LOCK_SECONDS) return ladder;
  }
}

export function waitSeconds(lockedUntil: string | null, now: Date): number {
  if (!lockedUntil) return 0;
  return Math.max(0, Math.ceil((new Date(lockedUntil).getTime() - now.getTime()) / 1000));
}
