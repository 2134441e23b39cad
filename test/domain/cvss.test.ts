import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { highestRating, ratingOf, scoreSeverities, scoreVector } from '../../src/domain/cvss/cvss.ts';

const DIR = new URL('../../../shared/data/cvss/', import.meta.url);
const SHARED = existsSync(DIR);
if (!SHARED) console.warn('\n!!! CVSS shared-vector suite SKIPPED: ../shared/data/cvss absent (RedHatProductSecurity/cvss test vectors)\n');

const num = (s: string | undefined) => (s === undefined || s.trim() === 'None' || s.trim() === '' ? null : Math.abs(Number(s)));

describe('CVSS scoring through ae-cvss-calculator', () => {
  it('scores the FIRST specification examples', () => {
    // CVSS v3.1 specification, section 7 examples; CVSS v4.0 FIRST calculator for the base vector below.
    assert.equal(scoreVector('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').score, 9.8);
    assert.equal(scoreVector('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N').score, 6.1);
    assert.equal(scoreVector('CVSS_V3', 'CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N').score, 0);
    assert.equal(scoreVector('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N').score, 9.3);
    const threat = scoreVector('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U');
    assert.ok(threat.score < 9.3, 'an unreported exploit lowers the CVSS-BT score');
  });

  it('refuses vectors the lenient library would score anyway, naming them', () => {
    for (const [type, v, why] of [
      ['CVSS_V3', 'CVSS:3.1/AV:X', /AV cannot be X/],
      ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L', /base metrics missing: PR, UI, S, C, I, A/],
      ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q', /A cannot be Q/],
      ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', /twice/],
      ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', /unknown metric ZZ/],
      ['CVSS_V3', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /AV cannot be X/],
      ['CVSS_V4', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /type is CVSS_V4/],
      ['CVSS_V3', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', /does not start with/],
      ['CVSS_V4', 'CVSS:4.0/AV:N', /base metrics missing/],
    ] as const) {
      assert.throws(() => scoreVector(type, v), (e: Error) => why.test(e.message) && e.message.includes(v), v);
    }
  });

  it('scores every CVSS entry of a record, leaves other types alone, reports bad ones by path', () => {
    const r = scoreSeverities({
      severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }, { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' }, { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N' }],
      affected: [{ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }],
    });
    assert.deepEqual(r.scored.map((s) => [s.path, s.score, s.rating]), [['/severity/1/score', 6.1, 'medium'], ['/affected/0/severity/0/score', 9.8, 'critical']]);
    assert.deepEqual(r.errors.map((e) => e.path), ['/severity/2/score']);
    assert.equal(highestRating(r.scored), 'critical');
    assert.equal(highestRating([]), null);
    assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(ratingOf), ['none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });

  const FILES = ['vectors_simple3', 'vectors_simple31', 'vectors_calculator3', 'vectors_cvsslib3', 'vectors_simple4', 'vectors_security4', 'vectors_supplemental4', 'vectors_threat4'];
  it('agrees with every expected score of the shared vectors the library supports', { skip: SHARED ? false : '../shared/data/cvss absent' }, () => {
    let checked = 0;
    const rejected: string[] = [];
    for (const f of FILES) {
      for (const line of readFileSync(new URL(f, DIR), 'utf8').split('\n')) {
        const m = /^(\S+) - \(?([^)]*)\)?$/.exec(line.trim());
        if (!m) continue;
        const [vector, scores] = [m[1]!, m[2]!.split(',')];
        const v4 = vector.startsWith('CVSS:4.0/');
        let s;
        try {
          s = scoreVector(v4 ? 'CVSS_V4' : 'CVSS_V3', vector);
        } catch (err) {
          rejected.push(`${f}: ${vector}: ${(err as Error).message}`);
          continue;
        }
        checked++;
        if (v4) {
          assert.equal(s.score, num(scores[0]), `${f}: ${vector}`);
        } else {
          const [base, temporal, environmental] = scores.map(num);
          assert.equal(s.baseScore, base, `${f}: base of ${vector}`);
          const metrics = vector.split('/').slice(1).map((p) => p.split(':')[0]!);
          const env = metrics.some((k) => /^(M.+|CR|IR|AR)$/.test(k));
          const tmp = metrics.some((k) => ['E', 'RL', 'RC'].includes(k));
          const want = env && environmental !== null ? environmental : tmp && temporal !== null ? temporal : base;
          assert.equal(s.score, want, `${f}: score of ${vector}`);
        }
      }
    }
    console.log(`CVSS shared vectors: ${checked} agree, ${rejected.length} rejected as malformed${rejected.length ? `:\n  ${rejected.slice(0, 10).join('\n  ')}` : ''}`);
    assert.ok(checked > 6000, `checked ${checked}`);
    assert.ok(rejected.length <= checked / 100, `more than 1% rejected: ${rejected.slice(0, 5).join('; ')}`);
  });
});
