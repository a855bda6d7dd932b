import { readFile } from 'node:fs/promises';
import type { FlowMatchSchedulerConfig } from '@moral-plantain/formats';
import { describe, expect, it } from 'vitest';
import { computeEmpiricalMu, eulerStep, flowMatchSchedule, guideVelocity, usesGuidance } from '../../src/index.js';

interface Case {
  readonly name: string;
  readonly config: FlowMatchSchedulerConfig;
  readonly steps: number;
  readonly imageSeqLen: number;
  readonly mu: number | null;
  readonly sigmas: number[];
  readonly timesteps: number[];
  readonly modelTimesteps: number[];
}
// Worked out with NumPy from diffusers' lines by tools/sampler-fixtures/generate.py.
const { cases } = JSON.parse(await readFile(new URL('../fixtures/flow-match-schedule.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('the klein sampling schedule', () => {
  it.each(cases.map((c) => [c.name, c] as const))('gives the sigmas, timesteps and mu the formulas give: %s', (_name, c) => {
    const schedule = flowMatchSchedule(c.config, c.steps, c.imageSeqLen);
    expect(schedule.mu).toBe(c.mu);
    // Bit for bit: every value is a float32 computed by the same operations in the same order.
    expect([...schedule.sigmas]).toEqual(c.sigmas);
    expect([...schedule.timesteps]).toEqual(c.timesteps);
    expect([...schedule.modelTimesteps]).toEqual(c.modelTimesteps);
  });

  it('computes mu as the two fitted lines say, worked by hand', () => {
    // 64 tokens, 4 steps: m_200 = 0.00016927 * 64 + 0.45666666, m_10 = 8.73809524e-5 * 64 + 1.89833333.
    const m200 = 0.46750, m10 = 1.9039257;
    expect(computeEmpiricalMu(64, 4)).toBeCloseTo(((m200 - m10) / 190) * 4 + m200 - 200 * ((m200 - m10) / 190), 6);
    // Over 4300 tokens mu no longer depends on the step count.
    expect(computeEmpiricalMu(5120, 4)).toBeCloseTo(0.00016927 * 5120 + 0.45666666, 12);
    expect(computeEmpiricalMu(5120, 50)).toBe(computeEmpiricalMu(5120, 4));
    // The first sigma is 1 and the exponential shift keeps every sigma in (0, 1], decreasing.
    const { sigmas } = flowMatchSchedule({ num_train_timesteps: 1000, shift: 3, use_dynamic_shifting: true, time_shift_type: 'exponential', shift_terminal: null }, 4, 64);
    expect(sigmas[0]).toBe(1);
    const mu = computeEmpiricalMu(64, 4);
    expect(sigmas[2]).toBeCloseTo(Math.exp(mu) / (Math.exp(mu) + (1 / 0.5 - 1)), 6);
    expect(sigmas.at(-1)).toBe(0);
  });

  it('steps x + (sigma_next - sigma) v and guides v_u + g (v_c - v_u) in float32', () => {
    const x = Float32Array.from([1, -2, 0.5]);
    eulerStep(x, Float32Array.from([0.5, 1, -1]), 1, 0.75);
    expect([...x]).toEqual([0.875, -2.25, 0.75]);
    const v = Float32Array.from([1, 2, 3]);
    guideVelocity(v, Float32Array.from([0, 1, 4]), 4);
    expect([...v]).toEqual([4, 5, 0]);
    expect([usesGuidance(4, false), usesGuidance(1, false), usesGuidance(4, true)]).toEqual([true, false, false]);
  });
});
