import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTOMATABLE, DECISIONS, EXPLOITATION, MISSION_WELLBEING, SSVC_COORDINATOR_TABLE, SSVC_RANK, TECHNICAL_IMPACT, ssvcDecision, type SsvcDecision } from './ssvc-coordinator.ts';

/**
 * Every leaf of the CISA coordinator tree (SSVC Guide, Nov 2022), typed out again here in the tree's reading order
 * (E, A, T, then M low/medium/high), so a slip in the table shows as a mismatch rather than passing by construction.
 */
const EXPECTED: Record<string, [SsvcDecision, SsvcDecision, SsvcDecision]> = {
  'none|no|partial': ['Track', 'Track', 'Track'],
  'none|no|total': ['Track', 'Track', 'Track*'],
  'none|yes|partial': ['Track', 'Track', 'Attend'],
  'none|yes|total': ['Track', 'Track', 'Attend'],
  'poc|no|partial': ['Track', 'Track', 'Track*'],
  'poc|no|total': ['Track', 'Track*', 'Attend'],
  'poc|yes|partial': ['Track', 'Track', 'Attend'],
  'poc|yes|total': ['Track', 'Track*', 'Attend'],
  'active|no|partial': ['Track', 'Track', 'Attend'],
  'active|no|total': ['Track', 'Attend', 'Act'],
  'active|yes|partial': ['Attend', 'Attend', 'Act'],
  'active|yes|total': ['Attend', 'Act', 'Act'],
};

describe('SSVC coordinator table', () => {
  it('has every combination of decision points exactly once (complete and unambiguous)', () => {
    assert.equal(SSVC_COORDINATOR_TABLE.length, EXPLOITATION.length * AUTOMATABLE.length * TECHNICAL_IMPACT.length * MISSION_WELLBEING.length);
    const seen = new Set<string>();
    for (const [e, a, t, m, d] of SSVC_COORDINATOR_TABLE) {
      const k = `${e}|${a}|${t}|${m}`;
      assert.ok(!seen.has(k), `leaf ${k} appears twice`);
      seen.add(k);
      assert.ok(EXPLOITATION.includes(e) && AUTOMATABLE.includes(a) && TECHNICAL_IMPACT.includes(t) && MISSION_WELLBEING.includes(m), `leaf ${k} uses a value outside the tree`);
      assert.ok(DECISIONS.includes(d), `leaf ${k} has an unknown decision ${d}`);
    }
  });

  it('decides every one of the 36 leaves as the CISA guide does', () => {
    let n = 0;
    for (const exploitation of EXPLOITATION) for (const automatable of AUTOMATABLE) for (const technicalImpact of TECHNICAL_IMPACT) {
      MISSION_WELLBEING.forEach((missionWellbeing, i) => {
        const want = EXPECTED[`${exploitation}|${automatable}|${technicalImpact}`]![i];
        assert.equal(ssvcDecision({ exploitation, automatable, technicalImpact, missionWellbeing }), want, `${exploitation}/${automatable}/${technicalImpact}/${missionWellbeing}`);
        n++;
      });
    }
    assert.equal(n, 36);
  });

  it('answers null for a value outside the tree', () => {
    assert.equal(ssvcDecision({ exploitation: 'likely' as never, automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' }), null);
  });

  it('ranks Act over Attend over Track* over Track', () => {
    assert.deepEqual(DECISIONS.map((d) => SSVC_RANK[d]), [1, 2, 3, 4]);
  });
});
