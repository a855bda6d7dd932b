import * as E from 'fp-ts/lib/Either.js';
import type { EmbeddedPrompts, PatchRunner, PatchSample } from '@moral-plantain/model-runtime';
import { patchEffect } from '@moral-plantain/stats';
import { PAIR_ENTRY_FORMAT, type PairEntry } from './pair-entry.js';
import type { PatchError } from './patch-error.js';
import { pairSample, samplesPerPair, type PatchPlan } from './patch-plan.js';

/** One pair to patch: its id, its prompts embedded, and the run's unpatched unit RMS of each prompt. */
export interface PairToPatch {
  readonly id: string;
  readonly embedded: EmbeddedPrompts;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** Options of `patchPair`. */
export interface PatchPairOptions {
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  /** Called after each transformer call with the samples it ran. */
  readonly onBatch?: (samples: number) => void;
}

/**
 * Runs every sample of one pair (`pairSample` order), `batchSize` to a transformer call (a fixed
 * partition, so a rerun computes exactly the same calls), and measures each patched prediction
 * against the two unpatched ones: the fraction of the change reproduced and its relative size
 * (`patchEffect`), and for the chosen sets of mode match how close the patched units came to their
 * target RMS. Also measures how closely the unpatched runs reproduce the run's activations.
 * Returns null when stopped.
 */
export async function patchPair(runner: PatchRunner, plan: PatchPlan, pair: PairToPatch, options: PatchPairOptions): Promise<E.Either<PatchError, PairEntry | null>> {
  const total = samplesPerPair(plan);
  const width = (plan.nullSets + 1) * 2;
  const effects = plan.effects.map((effect) => ({
    fraction: new Array<number>(width).fill(0),
    change: new Array<number>(width).fill(0),
    rmsDeviation: effect.mode === 'match' ? new Array<number>(plan.sets[effect.set]!.k * 2).fill(0) : null,
  }));
  const bases: Float32Array[] = [];
  let reproduced = { deviation: 0, unit: 0 };
  let distance = 0;
  for (let start = 0; start < total; start += options.batchSize) {
    if (options.signal?.aborted) return E.right(null);
    const indices = Array.from({ length: Math.min(options.batchSize, total - start) }, (_, i) => start + i);
    const planned = indices.map((index) => pairSample(plan, index, pair.a, pair.b));
    const samples: PatchSample[] = planned.map((s) => ({ prompt: s.prompt, scales: s.scales }));
    const ran = await runner.run(pair.embedded, samples)();
    if (E.isLeft(ran)) return E.left({ _tag: 'Probe', error: ran.left });
    for (const [i, index] of indices.entries()) {
      const prediction = ran.right.predictions[i]!;
      const units = ran.right.units[i]!;
      if (index < 2) {
        bases[index] = prediction;
        reproduced = worst(reproduced, units, index === 0 ? pair.a : pair.b);
        if (index === 1) {
          distance = patchEffect(bases[0]!, bases[1]!, bases[0]!).distance;
          if (!(distance > 0)) return E.left({ _tag: 'NoChange', pair: pair.id });
        }
        continue;
      }
      const within = index - 2;
      const e = Math.floor(within / width);
      const slot = within % width;
      const prompt = slot % 2;
      const measured = patchEffect(bases[prompt]!, bases[1 - prompt]!, prediction);
      const effect = effects[e]!;
      effect.fraction[slot] = measured.fraction!;
      effect.change[slot] = measured.change / measured.distance;
      const chosen = planned[i]!.units;
      if (effect.rmsDeviation !== null && slot < 2 && chosen !== null) {
        const target = prompt === 0 ? pair.b : pair.a;
        for (let j = 0; j < chosen.length; j++) {
          const u = chosen[j]!;
          effect.rmsDeviation[j * 2 + prompt] = target[u]! > 0 ? Math.abs(units[u]! / target[u]! - 1) : 0;
        }
      }
    }
    options.onBatch?.(indices.length);
  }
  return E.right({ format: PAIR_ENTRY_FORMAT, pair: pair.id, device: runner.device() ?? 'unknown', distance, reproduced, effects });
}

/** The larger of `current` and the largest relative difference between recomputed unit RMS and the run's. */
function worst(current: { deviation: number; unit: number }, recomputed: Float32Array, recorded: Float64Array): { deviation: number; unit: number } {
  let best = current;
  let scale = 0;
  for (const v of recorded) scale = Math.max(scale, Math.abs(v));
  for (let u = 0; u < recorded.length; u++) {
    const deviation = Math.abs(recomputed[u]! - recorded[u]!) / Math.max(Math.abs(recorded[u]!), 1e-6 * scale, Number.MIN_VALUE);
    if (deviation > best.deviation) best = { deviation, unit: u };
  }
  return best;
}
