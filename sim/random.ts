/** Seeded randomness: reproducible IDs, fault dice and retry jitter. */

/** mulberry32: a tiny 32-bit PRNG, good enough for IDs, fault dice and retry jitter, and reproducible. */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const hex = (rand: () => number, length: number): string =>
  Array.from({ length }, () => Math.floor(rand() * 16).toString(16)).join('');

export const uuid = (rand: () => number): string => [8, 4, 4, 4, 12].map((n) => hex(rand, n)).join('-');
