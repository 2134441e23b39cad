/** Time comes from here so that deadlines, expiries and embargoes are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: Date | string = '2026-11-26T12:00:00.000Z') {
    this.#t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#t);
  }
  set(t: Date | string): void {
    this.#t = new Date(t).getTime();
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

/** Timestamps are stored as ISO 8601 UTC strings of fixed width, so they sort and compare as text on every database. */
export function iso(d: Date): string {
  return d.toISOString();
}
