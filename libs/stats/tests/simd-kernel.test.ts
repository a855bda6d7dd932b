import { readFileSync } from 'node:fs';
import { createPrng } from '@moral-plantain/formats';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { scanUnitRange, type KernelInput } from '../src/sign-flip-kernel.js';
import { randomSignPatterns } from '../src/sign-patterns.js';
import { signFlipSimdModule } from '../src/wasm/simd-module.js';
import { SIGN_FLIP_WASM_BASE64 } from '../src/wasm/sign-flip-wasm.js';

/** Row-major differences [n x units], some units with planted effects, some tied. */
function kernelInput(n: number, units: number, patterns: number, twoSided: boolean, tCutoffs: readonly number[], seed: number): KernelInput {
  const prng = createPrng(seed);
  const rows = new Float64Array(units * n);
  for (let u = 0; u < units; u++) {
    for (let i = 0; i < n; i++) {
      const noise = prng.nextUint32() / 2 ** 32 - 0.5;
      // Unit 3 is a constant difference, unit 1 all zeros (every pattern ties exactly: >= and > differ there); every 5th unit has an effect.
      rows[i * units + u] = u === 3 ? 0.25 : u === 1 ? 0 : noise + (u % 5 === 0 ? 0.6 : 0);
    }
  }
  const signs = randomSignPatterns(n, patterns, createPrng(seed + 1));
  return { rows, nPairs: n, nUnits: units, patternCount: signs.count, codes: signs.codes, twoSided, tCutoffs, tieRtol: 1e-10 };
}

describe('the WebAssembly SIMD sign-flip kernel', () => {
  const simd = signFlipSimdModule();

  it('runs here (Node.js has WebAssembly SIMD)', () => {
    expect(simd).not.toBeNull();
  });

  it.each([
    [2, 9, 300, true, [3]],
    [7, 10, 500, false, [1, 2]],
    [8, 13, 700, true, [3, 5, 4]],
    [9, 4, 1000, false, [3, 5, 4]],
    [17, 6, 1300, true, [2, 2.5]],
    [25, 37, 2000, true, [3, 5, 4]],
    [25, 37, 2000, false, [3, 5, 4]],
    [32, 11, 900, true, [1.5, 3, 6]],
  ] as const)('gives bit-identical results to the JavaScript kernel for n = %i, %i units, %i patterns, two-sided %s', (n, units, patterns, twoSided, cutoffs) => {
    const input = kernelInput(n, units, patterns, twoSided, cutoffs, n * 31 + units);
    const js = scanUnitRange(input, null);
    const wasm = scanUnitRange(input, simd);
    expect(Array.from(wasm.exceed)).toEqual(Array.from(js.exceed));
    expect(Array.from(wasm.best)).toEqual(Array.from(js.best));
    expect(Array.from(wasm.counts)).toEqual(Array.from(js.counts));
    // The scan found something to count: the comparison is not between two empty results.
    expect(js.counts.some((c) => c > 0) && js.exceed.some((e) => e > 0 && e < patterns)).toBe(true);
  });

  it('is compiled from sign-flip-quad.wat exactly (node tools/wasm/build-sign-flip-wasm.mjs)', async () => {
    const wabt = await wabtInit();
    const source = new URL('../src/wasm/sign-flip-quad.wat', import.meta.url);
    const parsed = wabt.parseWat('sign-flip-quad.wat', readFileSync(source, 'utf8'), { simd: true });
    expect(Buffer.from(parsed.toBinary({}).buffer).toString('base64')).toBe(SIGN_FLIP_WASM_BASE64);
  });
});
