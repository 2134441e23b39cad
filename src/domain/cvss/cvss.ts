import * as calculator from 'ae-cvss-calculator';
import { InvalidInputError } from '../errors.ts';

/**
 * CVSS 3.0, 3.1 and 4.0 scoring through ae-cvss-calculator. The library is lenient: it drops metrics it does not
 * know and scores what is left, so "CVSS:3.1/AV:X" would score 0. Advisories must not carry a vector that means
 * something other than it says, so every vector is first checked strictly against the metrics and values the
 * library itself registers (no second copy of the specification here): every base metric present, each metric known,
 * once, with a value it allows.
 */
const lib = ((calculator as unknown as { default?: typeof calculator }).default ?? calculator) as typeof calculator;

export type CvssVersion = '3.0' | '3.1' | '4.0';
export type Rating = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface ScoredSeverity {
  type: string;
  vector: string;
  version: CvssVersion;
  /** The most specific score the vector gives (environmental or threat where present, else base). */
  score: number;
  baseScore: number;
  rating: Rating;
}

interface Scorer {
  version: CvssVersion;
  make(vector: string): { calculateScores(): { overall: number; base?: number | undefined } };
  metrics: Map<string, { values: Set<string>; base: boolean }>;
}

function metricsOf(instance: { getRegisteredComponents(): Map<{ name: string }, { shortName: string; values: { shortName: string }[] }[]> }): Scorer['metrics'] {
  const out: Scorer['metrics'] = new Map();
  for (const [category, components] of instance.getRegisteredComponents()) {
    const base = /^base/i.test(category.name);
    for (const c of components) out.set(c.shortName, { values: new Set(c.values.map((v) => v.shortName)), base });
  }
  return out;
}

const SCORERS: Record<CvssVersion, Scorer> = {
  '3.0': { version: '3.0', make: (v) => new lib.Cvss3P0(v), metrics: metricsOf(new lib.Cvss3P0() as never) },
  '3.1': { version: '3.1', make: (v) => new lib.Cvss3P1(v), metrics: metricsOf(new lib.Cvss3P1() as never) },
  '4.0': { version: '4.0', make: (v) => new lib.Cvss4P0(v), metrics: metricsOf(new lib.Cvss4P0() as never) },
};

export function ratingOf(score: number): Rating {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** Why the vector is not a well-formed vector of its version, or null when it is. */
function vectorProblem(scorer: Scorer, vector: string): string | null {
  const parts = vector.split('/').slice(1);
  const seen = new Set<string>();
  for (const part of parts) {
    const [key, value, extra] = part.split(':');
    if (!key || value === undefined || extra !== undefined) return `"${part}" is not a metric:value pair`;
    const metric = scorer.metrics.get(key);
    if (!metric) return `unknown metric ${key}`;
    if (seen.has(key)) return `metric ${key} appears twice`;
    if (!metric.values.has(value) || (metric.base && value === 'X')) return `metric ${key} cannot be ${value}`;
    seen.add(key);
  }
  const missing = [...scorer.metrics].filter(([k, m]) => m.base && !seen.has(k)).map(([k]) => k);
  if (missing.length) return `base metrics missing: ${missing.join(', ')}`;
  return null;
}

const MAX_VECTOR = 300;

/** Parses and scores one vector of an OSV `severity` entry; throws InvalidInputError naming the vector. */
export function scoreVector(type: string, vector: string): ScoredSeverity {
  const shown = vector.length > MAX_VECTOR ? `${vector.slice(0, MAX_VECTOR)}...` : vector;
  const prefix = /^CVSS:(3\.0|3\.1|4\.0)\//.exec(vector);
  if (!prefix) throw new InvalidInputError(`CVSS vector ${JSON.stringify(shown)} does not start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/`, { vector: shown });
  const version = prefix[1] as CvssVersion;
  if ((type === 'CVSS_V3' && version === '4.0') || (type === 'CVSS_V4' && version !== '4.0')) {
    throw new InvalidInputError(`CVSS vector ${JSON.stringify(shown)} is version ${version} but the severity type is ${type}`, { vector: shown });
  }
  if (vector.length > MAX_VECTOR) throw new InvalidInputError(`CVSS vector ${JSON.stringify(shown)} is too long`, { vector: shown });
  const scorer = SCORERS[version];
  const problem = vectorProblem(scorer, vector);
  if (problem) throw new InvalidInputError(`CVSS vector ${JSON.stringify(shown)} does not parse: ${problem}`, { vector: shown });
  const scores = scorer.make(vector).calculateScores();
  const baseScore = scores.base ?? scores.overall;
  return { type, vector, version, score: scores.overall, baseScore, rating: ratingOf(scores.overall) };
}

const SCORED_TYPES = new Set(['CVSS_V3', 'CVSS_V4']);

/**
 * Every CVSS 3.x / 4.0 entry of an OSV record's `severity`, scored; other types (CVSS_V2, Ubuntu...) are left alone.
 * Problems are reported by JSON path so that a bad vector is a 400 that names it.
 */
export function scoreSeverities(record: { severity?: unknown; affected?: unknown }): { scored: (ScoredSeverity & { path: string })[]; errors: { path: string; message: string }[] } {
  const scored: (ScoredSeverity & { path: string })[] = [];
  const errors: { path: string; message: string }[] = [];
  const visit = (list: unknown, at: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((s: unknown, i) => {
      if (!s || typeof s !== 'object') return;
      const { type, score } = s as { type?: unknown; score?: unknown };
      if (typeof type !== 'string' || !SCORED_TYPES.has(type) || typeof score !== 'string') return;
      try {
        scored.push({ ...scoreVector(type, score), path: `${at}/${i}/score` });
      } catch (err) {
        errors.push({ path: `${at}/${i}/score`, message: err instanceof Error ? err.message : String(err) });
      }
    });
  };
  visit(record.severity, '/severity');
  // OSV 1.5 lets each affected package carry its own severity; those vectors must parse too.
  const affected = (record as { affected?: unknown }).affected;
  if (Array.isArray(affected)) affected.forEach((a: unknown, i) => a && typeof a === 'object' && visit((a as { severity?: unknown }).severity, `/affected/${i}/severity`));
  return { scored, errors };
}

const ORDER: Rating[] = ['none', 'low', 'medium', 'high', 'critical'];

export function highestRating(scored: readonly { rating: Rating }[]): Rating | null {
  let best: Rating | null = null;
  for (const s of scored) if (best === null || ORDER.indexOf(s.rating) > ORDER.indexOf(best)) best = s.rating;
  return best;
}
