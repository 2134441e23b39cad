/**
 * CVSS scoring over ae-cvss-calculator (Apache-2.0). Its ESM build only has a default export under tsx, hence the
 * default import. CVSS v2 and non-CVSS severity types (Ubuntu) are carried in the record but not scored.
 */
import cvssLib from 'ae-cvss-calculator';
import { InvalidInputError } from '../errors.ts';

type Rating = 'none' | 'low' | 'medium' | 'high' | 'critical';
export interface ScoredSeverity {
  type: string;
  vector: string;
  version: '3.0' | '3.1' | '4.0';
  score: number;
  rating: Rating;
  /** Present when the vector carries temporal/environmental metrics and `score` is the more specific one. */
  baseScore?: number;
}

interface Scores { base?: number; overall?: number; temporal?: number; environmental?: number }
interface Ctor { new (v: string): { calculateScores(): Scores } }
const lib = cvssLib as unknown as { Cvss3P0: Ctor; Cvss3P1: Ctor; Cvss4P0: Ctor };

const MAX_VECTOR = 512;

export function ratingOf(score: number): Rating {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

export function scoreVector(type: string, vector: string): ScoredSeverity {
  const shown = JSON.stringify(String(vector).slice(0, 200));
  if (typeof vector !== 'string' || vector.length > MAX_VECTOR) throw new InvalidInputError(`CVSS vector ${shown} is not a valid vector`);
  let version: ScoredSeverity['version'];
  let C: Ctor;
  if (type === 'CVSS_V3' && vector.startsWith('CVSS:3.1/')) { version = '3.1'; C = lib.Cvss3P1; }
  else if (type === 'CVSS_V3' && vector.startsWith('CVSS:3.0/')) { version = '3.0'; C = lib.Cvss3P0; }
  else if (type === 'CVSS_V4' && vector.startsWith('CVSS:4.0/')) { version = '4.0'; C = lib.Cvss4P0; }
  else throw new InvalidInputError(`CVSS vector ${shown} does not match severity type ${JSON.stringify(type)}`);
  let s: Scores;
  try {
    s = new C(vector).calculateScores();
  } catch (e) {
    throw new InvalidInputError(`CVSS vector ${shown} is not valid: ${(e as Error).message}`.slice(0, 400));
  }
  const score = version === '4.0' ? s.overall : (s.environmental ?? s.temporal ?? s.base);
  if (typeof score !== 'number' || !Number.isFinite(score)) throw new InvalidInputError(`CVSS vector ${shown} could not be scored`);
  const out: ScoredSeverity = { type, vector, version, score, rating: ratingOf(score) };
  if (version !== '4.0' && typeof s.base === 'number' && s.base !== score) out.baseScore = s.base;
  else if (version !== '4.0' && (s.temporal !== undefined || s.environmental !== undefined)) out.baseScore = s.base;
  return out;
}

export function scoreSeverities(record: unknown): { scored: (ScoredSeverity & { path: string })[]; errors: { path: string; message: string }[] } {
  const scored: (ScoredSeverity & { path: string })[] = [];
  const errors: { path: string; message: string }[] = [];
  const visit = (list: unknown, base: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((sev, i) => {
      if (sev === null || typeof sev !== 'object') return;
      const { type, score } = sev as { type?: unknown; score?: unknown };
      if ((type !== 'CVSS_V3' && type !== 'CVSS_V4') || typeof score !== 'string') return;
      const path = `${base}/severity/${i}/score`;
      try {
        scored.push({ ...scoreVector(type, score), path });
      } catch (e) {
        errors.push({ path, message: (e as Error).message });
      }
    });
  };
  if (record !== null && typeof record === 'object') {
    const r = record as { severity?: unknown; affected?: unknown };
    visit(r.severity, '');
    if (Array.isArray(r.affected)) r.affected.forEach((a, i) => { if (a && typeof a === 'object') visit((a as { severity?: unknown }).severity, `/affected/${i}`); });
  }
  return { scored, errors };
}

const ORDER: Rating[] = ['none', 'low', 'medium', 'high', 'critical'];
export function highestRating(scored: readonly { rating: Rating }[]): Rating | null {
  let best = -1;
  for (const s of scored) best = Math.max(best, ORDER.indexOf(s.rating));
  return best < 0 ? null : ORDER[best]!;
}
