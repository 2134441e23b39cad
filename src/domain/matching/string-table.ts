/**
 * A string-keyed hash table for the package index. A component lookup usually misses (most components have no
 * advisories), and with a quarter of a million package names a `Map` miss costs several cache misses: it compares the
 * query with each key in the bucket's chain, loading every key string. Here each slot keeps the key's full 32-bit
 * hash in a dense Int32Array, so a miss normally costs one cache line, and a key string is only read when its hash
 * matches. The hash is seeded per process, so names in advisory data cannot be chosen to collide (hash flooding).
 */

const SEED = (Math.random() * 0x100000000) | 0;

/** FNV-1a over UTF-16 code units, seeded, with Murmur3's finaliser so the low bits (the slot index) are well mixed. */
export function hashString(s: string, seed = SEED): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

export class StringTable<V> {
  /** Slot hashes; 0 marks an empty slot, so a key hashing to 0 is stored as 1. */
  private hashes: Int32Array;
  /** Key and value of slot i at 2i and 2i+1: one cache line holds both. */
  private slots: unknown[];
  private mask: number;
  private count = 0;

  constructor(private readonly hash: (s: string) => number = hashString) {
    this.hashes = new Int32Array(16);
    this.slots = new Array(32).fill(undefined);
    this.mask = 15;
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const h = this.hash(key) || 1;
    const hashes = this.hashes;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const x = hashes[i]!;
      if (x === 0) return undefined;
      if (x === h && this.slots[2 * i] === key) return this.slots[2 * i + 1] as V;
    }
  }

  set(key: string, value: V): void {
    const h = this.hash(key) || 1;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const x = this.hashes[i]!;
      if (x === 0) {
        this.hashes[i] = h;
        this.slots[2 * i] = key;
        this.slots[2 * i + 1] = value;
        // At most half full, so probe runs stay short.
        if (++this.count * 2 > this.mask + 1) this.grow();
        return;
      }
      if (x === h && this.slots[2 * i] === key) {
        this.slots[2 * i + 1] = value;
        return;
      }
    }
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldSlots = this.slots;
    const capacity = oldHashes.length * 2;
    this.hashes = new Int32Array(capacity);
    this.slots = new Array(capacity * 2).fill(undefined);
    this.mask = capacity - 1;
    for (let j = 0; j < oldHashes.length; j++) {
      const h = oldHashes[j]!;
      if (h === 0) continue;
      let i = h & this.mask;
      while (this.hashes[i] !== 0) i = (i + 1) & this.mask;
      this.hashes[i] = h;
      this.slots[2 * i] = oldSlots[2 * j];
      this.slots[2 * i + 1] = oldSlots[2 * j + 1];
    }
  }
}
