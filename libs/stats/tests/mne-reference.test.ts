import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { pairedTestSync } from '../src/index.js';
import { closeRel, fixture } from './fixtures.js';

interface MneCase {
  name: string;
  nPairs: number;
  nUnits: number;
  a: number[];
  b: number[];
  T_obs: number[];
  p_values: number[];
  H0: number[];
}

const { cases } = fixture<{ cases: MneCase[] }>('mne-permutation-exact.json');

describe('exact sign-flip test against mne.stats.permutation_t_test', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: two-tailed FWER p-values equal MNE', (_name, c) => {
    const shape = [c.nPairs, c.nUnits];
    const out = pairedTestSync(
      { a: { data: c.a, shape }, b: { data: c.b, shape } },
      { permutations: 2 ** c.nPairs, splits: 0 },
    );
    if (E.isLeft(out)) throw new Error(JSON.stringify(out.left));
    const { results, nulls } = out.right;
    expect(results.permutation.exact).toBe(true);
    expect(results.permutation.count).toBe(2 ** c.nPairs);
    expect(closeRel(results.units.t, c.T_obs, 1e-9)).toEqual([]);
    // Exact p-values are multiples of 1 / 2^(n-1) in MNE and 2 / 2^n here: they must be equal.
    expect(closeRel(results.units.pFwer, c.p_values, 1e-12)).toEqual([]);
    // MNE enumerates one pattern of each {s, -s}; we enumerate both, so every max appears twice.
    const ours = Array.from(nulls.maxStat).sort((x, y) => x - y);
    const theirs = [...c.H0].sort((x, y) => x - y);
    expect(closeRel(ours.filter((_, i) => i % 2 === 0), theirs, 1e-9)).toEqual([]);
  });
});
