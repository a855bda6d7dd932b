/** The largest seed any moral-plantain API accepts (seeds are 32-bit: the statistics' PRNG is seeded by SplitMix32). */
export const SEED_MAX = 0xffff_ffff;

/** The seed range in words, for messages. */
export const SEED_RANGE = `an integer from 0 to ${SEED_MAX}`;

/** Whether a value is a valid seed: an integer 0 <= seed <= SEED_MAX. */
export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= SEED_MAX;
}
