import { InvalidVersionError } from '../errors.ts';
import type { VersionScheme } from './version-scheme.ts';
import { checkVersionText, cmpNum, isDigitCode, isPrintableAscii, toNum, type Num } from './version-text.ts';

/**
 * Maven ordering: org.apache.maven.artifact.versioning.ComparableVersion (maven-artifact; see "Version Order
 * Specification" in the Maven POM reference). The version is lower-cased and split into items at `.`, `-` and
 * digit/letter transitions; `-` and transitions open a nested list. Items are numbers, qualifiers or lists. Qualifiers
 * order alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < anything else (alphabetical);
 * `a`, `b`, `m` directly followed by a digit mean alpha, beta, milestone. Trailing "null" items (0, "", empty list)
 * are dropped from each list. Comparing: number > list > qualifier; a missing item is compared as "null".
 */

/** A qualifier is stored as its sort key: "0".."6" for the known ones, "7-<text>" for the rest, as Maven does. */
type Item = Num | string | ItemList;
type ItemList = Item[];

export type MavenVersion = ItemList;

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_KEY = String(QUALIFIERS.indexOf(''));

function qualifierKey(text: string, followedByDigit: boolean): string {
  let value = text;
  if (followedByDigit && value.length === 1) {
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  value = ALIASES[value] ?? value;
  const i = QUALIFIERS.indexOf(value);
  return i < 0 ? `${QUALIFIERS.length}-${value}` : String(i);
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? toNum(text) : qualifierKey(text, false);
}

function isNullItem(item: Item): boolean {
  if (typeof item === 'string') return item === RELEASE_KEY;
  if (Array.isArray(item)) return item.length === 0;
  return item === 0;
}

function normalize(list: ItemList): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNullItem(last)) {
      const next = list[i + 1];
      // A release qualifier (`ga`, `final`, `release`, "") between hyphens is dropped and the hyphen-list after it
      // takes its place, so `1-ga-1` = `1-1` (osv.dev and scalibr read the spec's trimming rule this way).
      if (typeof last === 'string' && Array.isArray(next)) list.splice(i, 2, ...next);
      else list.splice(i, 1);
    } else if (!Array.isArray(last)) break;
  }
}

export function parseMaven(version: string, ecosystem = 'Maven'): MavenVersion {
  checkVersionText(ecosystem, version);
  if (!isPrintableAscii(version)) throw new InvalidVersionError(ecosystem, version, 'only ASCII characters are allowed');
  const v = version.toLowerCase();
  const root: ItemList = [];
  let list = root;
  const stack: ItemList[] = [root];
  let isDigit = false;
  let start = 0;
  const open = (): void => {
    const next: ItemList = [];
    list.push(next);
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 /* . */) {
      list.push(i === start ? 0 : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
    } else if (c === 45 /* - */) {
      list.push(i === start ? 0 : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      open();
    } else if (isDigitCode(c)) {
      if (!isDigit && i > start) {
        list.push(qualifierKey(v.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (v.length > start) list.push(parseItem(isDigit, v.slice(start)));
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

/** Compares an item with a missing one ("null"). */
function compareToNull(item: Item): number {
  if (typeof item === 'string') return item < RELEASE_KEY ? -1 : item > RELEASE_KEY ? 1 : 0;
  if (Array.isArray(item)) {
    for (let i = 0; i < item.length; i++) {
      const d = compareToNull(item[i]!);
      if (d !== 0) return d;
    }
    return 0;
  }
  return item === 0 ? 0 : 1;
}

function compareItems(a: Item, b: Item): number {
  if (typeof a === 'string') {
    if (typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    return -1; // a qualifier is below a number and below a list
  }
  if (Array.isArray(a)) {
    if (typeof b === 'string') return 1;
    if (!Array.isArray(b)) return -1; // a list is below a number
    return compareLists(a, b);
  }
  if (typeof b === 'string' || Array.isArray(b)) return 1;
  return cmpNum(a, b);
}

function compareLists(a: ItemList, b: ItemList): number {
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = i >= a.length ? -compareToNull(b[i]!) : i >= b.length ? compareToNull(a[i]!) : compareItems(a[i]!, b[i]!);
    if (d !== 0) return d;
  }
  return 0;
}

export function compareMaven(a: MavenVersion, b: MavenVersion): number {
  return compareLists(a, b);
}

export const mavenScheme: VersionScheme<MavenVersion> = { id: 'maven', parse: (v) => parseMaven(v), compare: compareMaven };
