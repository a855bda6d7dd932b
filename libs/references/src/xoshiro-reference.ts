/**
 * SplitMix64-seeded xoshiro128** in BigInt arithmetic, written from the published algorithms
 * (Vigna's SplitMix64, Blackman and Vigna's xoshiro128**): the first `count` 32-bit words for `seed`.
 */
export function referenceXoshiroWords(seed: number, count: number): number[] {
  const M64 = (1n << 64n) - 1n;
  const M32 = 0xffffffffn;
  let sm = BigInt(seed);
  const s: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    sm = (sm + 0x9e3779b97f4a7c15n) & M64;
    let z = sm;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    z = z ^ (z >> 31n);
    s.push(z & M32, z >> 32n);
  }
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M32;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1]! * 5n) & M32, 7n) * 9n) & M32));
    const t = (s[1]! << 9n) & M32;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
  }
  return out;
}
