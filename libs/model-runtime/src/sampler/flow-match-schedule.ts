import type { FlowMatchSchedulerConfig } from '@moral-plantain/formats';

// The sampling schedule of diffusers' `Flux2KleinPipeline`, formula by formula, with the file and
// lines each one follows (huggingface/diffusers, `src/diffusers/`). Python floats are float64, as
// JavaScript numbers are; NumPy and torch float32 arithmetic is mirrored by rounding every result
// with Math.fround (one float64 operation on float32 operands, rounded once, is exactly the float32
// operation), so the values are the pipeline's own, bit for bit.

const f = Math.fround;

/**
 * `compute_empirical_mu(image_seq_len, num_steps)` (`pipelines/flux2/pipeline_flux2_klein.py`,
 * lines 63-78), in float64: with a1, b1 = 8.73809524e-05, 1.89833333 and a2, b2 = 0.00016927,
 * 0.45666666, mu = a2 * seq + b2 when seq > 4300; otherwise m_200 = a2 * seq + b2,
 * m_10 = a1 * seq + b1, a = (m_200 - m_10) / 190, b = m_200 - 200 a and mu = a * num_steps + b.
 * `image_seq_len` is the number of noisy image tokens (line 815: `latents.shape[1]`).
 */
export function computeEmpiricalMu(imageSeqLen: number, numSteps: number): number {
  const a1 = 8.73809524e-5;
  const b1 = 1.89833333;
  const a2 = 0.00016927;
  const b2 = 0.45666666;
  if (imageSeqLen > 4300) return a2 * imageSeqLen + b2;
  const m200 = a2 * imageSeqLen + b2;
  const m10 = a1 * imageSeqLen + b1;
  const a = (m200 - m10) / 190.0;
  const b = m200 - 200.0 * a;
  return a * numSteps + b;
}

/** The schedule of one generation: N sigmas and a final 0, the N timesteps fed, and mu. */
export interface FlowMatchSchedule {
  /** sigma_0 .. sigma_{N-1}, then the terminal 0 (float32 values). */
  readonly sigmas: Float32Array;
  /** sigma x num_train_timesteps (float32), one per step. */
  readonly timesteps: Float32Array;
  /** The transformer's `timestep` input per step: the pipeline's `timestep / 1000` in float32 (the model multiplies by 1000 again). */
  readonly modelTimesteps: Float32Array;
  /** mu of the dynamic shift (null when the scheduler shifts statically). */
  readonly mu: number | null;
}

/**
 * The sigmas of `Flux2KleinPipeline.__call__` for `numSteps` steps over `imageSeqLen` noisy tokens:
 * 1. `sigmas = np.linspace(1.0, 1 / num_inference_steps, num_inference_steps)` (pipeline line 812),
 *    float64, then `np.array(sigmas).astype(np.float32)` (`schedulers/scheduling_flow_match_euler_discrete.py`, line 343);
 * 2. mu = `compute_empirical_mu` (pipeline line 816);
 * 3. with `use_dynamic_shifting` the time shift (scheduler lines 348-349, 646-650):
 *    exponential `exp(mu) / (exp(mu) + (1 / t - 1) ** 1.0)`, linear `mu / (mu + (1 / t - 1) ** 1.0)`,
 *    in float32 (the Python float exp(mu) meets a float32 array); else the static shift (line 351),
 *    `shift * t / (1 + (shift - 1) * t)`;
 * 4. with `shift_terminal`, `stretch_shift_to_terminal` (lines 262-281): `1 - (1 - t) / ((1 - t_last) / (1 - shift_terminal))`;
 * 5. `timesteps = sigmas * num_train_timesteps` in float32 (line 367) and a final sigma 0 (line 377).
 * The transformer gets `timestep / 1000` (pipeline line 851), rounded to float32.
 */
export function flowMatchSchedule(config: FlowMatchSchedulerConfig, numSteps: number, imageSeqLen: number): FlowMatchSchedule {
  const base = numpyLinspace(1.0, 1 / numSteps, numSteps).map(f);
  const mu = config.use_dynamic_shifting ? computeEmpiricalMu(imageSeqLen, numSteps) : null;
  let shifted: number[];
  if (mu !== null) {
    const scale = f(config.time_shift_type === 'exponential' ? Math.exp(mu) : mu);
    // `(1 / t - 1) ** sigma` with sigma = 1.0: NumPy's power by one returns its operand.
    shifted = base.map((t) => f(scale / f(scale + f(f(1 / t) - 1))));
  } else {
    const shift = f(config.shift);
    const shiftLess = f(config.shift - 1);
    shifted = base.map((t) => f(f(shift * t) / f(1 + f(shiftLess * t))));
  }
  if (config.shift_terminal !== null) {
    const oneMinus = shifted.map((t) => f(1 - t));
    const scaleFactor = f(oneMinus.at(-1)! / f(1 - config.shift_terminal));
    shifted = oneMinus.map((z) => f(1 - f(z / scaleFactor)));
  }
  const sigmas = Float32Array.from([...shifted, 0]);
  const timesteps = Float32Array.from(shifted, (s) => f(s * config.num_train_timesteps));
  const modelTimesteps = timesteps.map((t) => f(t / 1000));
  return { sigmas, timesteps, modelTimesteps, mu };
}

/**
 * `np.linspace(start, stop, num)` in float64 as NumPy computes it (`numpy/_core/function_base.py`):
 * step = (stop - start) / (num - 1), y_i = i * step + start, and the last value set to `stop` exactly.
 */
export function numpyLinspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * One Euler step of `FlowMatchEulerDiscreteScheduler.step` (scheduler lines 498-511), in float32:
 * dt = sigma_next - sigma, x_next = x + dt * v. Writes into `latents`.
 */
export function eulerStep(latents: Float32Array, velocity: Float32Array, sigma: number, sigmaNext: number): void {
  const dt = f(sigmaNext - sigma);
  for (let i = 0; i < latents.length; i++) latents[i] = f(latents[i]! + f(dt * velocity[i]!));
}

/**
 * Classifier-free guidance (pipeline line 875): `neg_noise_pred + guidance_scale * (noise_pred - neg_noise_pred)`,
 * in float32. Writes into `conditional`.
 */
export function guideVelocity(conditional: Float32Array, unconditional: Float32Array, guidance: number): void {
  const g = f(guidance);
  for (let i = 0; i < conditional.length; i++) conditional[i] = f(unconditional[i]! + f(g * f(conditional[i]! - unconditional[i]!)));
}

/** Whether a generation runs classifier-free guidance: `guidance_scale > 1 and not is_distilled` (pipeline line 594). */
export function usesGuidance(guidance: number, isDistilled: boolean): boolean {
  return guidance > 1 && !isDistilled;
}
