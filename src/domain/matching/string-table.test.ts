import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hashString, StringTable } from './string-table.ts';

describe('StringTable', () => {
  it('agrees with Map on any sequence of sets and gets, through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.integer()), { maxLength: 300 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 50 }), (writes, reads) => {
        const t = new StringTable<number>();
        const m = new Map<string, number>();
        for (const [k, v] of writes) {
          t.set(k, v);
          m.set(k, v);
        }
        assert.equal(t.size, m.size);
        for (const [k] of writes) assert.equal(t.get(k), m.get(k));
        for (const k of reads) assert.equal(t.get(k), m.get(k));
      }),
    );
  });

  it('stays correct when every key collides, or hashes to 0', () => {
    for (const hash of [() => 0, () => 7, (s: string) => s.length]) {
      const t = new StringTable<string>(hash);
      const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
      for (const k of keys) t.set(k, k.toUpperCase());
      t.set('k3', 'again');
      assert.equal(t.size, 200);
      for (const k of keys) assert.equal(t.get(k), k === 'k3' ? 'again' : k.toUpperCase());
      assert.equal(t.get('k200'), undefined);
      assert.equal(t.get(''), undefined);
    }
  });

  it('tells apart keys that differ only in one code unit, including lone surrogates', () => {
    const t = new StringTable<number>();
    const keys = ['a', 'b', 'ab', 'ba', '\ud800', '\udc00', '\ud800\udc00', 'pkg-1', 'pkg-10', 'Pkg-1'];
    keys.forEach((k, i) => t.set(k, i));
    keys.forEach((k, i) => assert.equal(t.get(k), i));
  });

  it('hashes with a seed, so equal strings agree and a different seed moves them', () => {
    assert.equal(hashString('left-pad'), hashString('left' + '-pad'));
    const seeds = [1, 2, 3, 4].map((seed) => hashString('left-pad', seed));
    assert.ok(new Set(seeds).size > 1);
  });
});
