import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type * as ort from '@moral-plantain/onnxruntime-node';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ModelFolder } from '../model-folder/open-model-folder.js';
import { badIo, type ProbeError } from '../probe/probe-error.js';
import { tensorFor, toFloat32 } from '../probe/session-feeds.js';
import { probeFeeds, type BatchEmbeddings, type NoiseCache } from '../probe/transformer-step.js';
import { runSession, type ModelSession } from '../session/create-session.js';

/** What one patched transformer call gives per sample. */
export interface PatchedBatch {
  /** Per sample: the model's prediction (`noise_pred`) [image tokens x latent channels], as float32. */
  readonly predictions: readonly Float32Array[];
  /** Per sample: each unit's RMS after its scale was applied [total units, manifest order]. */
  readonly units: readonly Float32Array[];
}

/**
 * Runs a transformer tapped with per-sample scale inputs (`tapTransformer` with `scales:
 * 'per-sample'`) on one batch: the probe's feeds (the run's noise, the batch's text, timestep 1.0,
 * the position ids) plus, per sample, one scale per unit (`scales` [batch x total units],
 * row-major, manifest order). Every unit of a sample is scaled in the same forward pass.
 */
export function runPatchedTransformer(
  session: ModelSession,
  folder: ModelFolder,
  manifest: TapsManifest,
  text: BatchEmbeddings,
  scales: Float32Array,
  seed: number,
  resolution: readonly [number, number],
  noiseCache: NoiseCache,
): TE.TaskEither<ProbeError, PatchedBatch> {
  return async () => {
    const batch = text.batch;
    const units = manifest.totalUnits;
    if (scales.length !== batch * units) return E.left(badIo(session.source, `${scales.length} scales were given for ${batch} samples of ${units} units`));
    const feeds = probeFeeds(session, folder, text, seed, resolution, noiseCache);
    if (E.isLeft(feeds)) return feeds;
    const all: Record<string, ort.Tensor> = { ...feeds.right };
    for (const tap of manifest.taps) {
      if (tap.scaleInput === undefined || tap.scalePerSample !== true) return E.left(badIo(session.source, `tap ${tap.module} has no per-sample scale input; tap the transformer with scales: 'per-sample'`));
      const rows = new Float32Array(batch * tap.units);
      for (let b = 0; b < batch; b++) rows.set(scales.subarray(b * units + tap.offset, b * units + tap.offset + tap.units), b * tap.units);
      const tensor = tensorFor(session, tap.scaleInput, rows, [batch, tap.units]);
      if (E.isLeft(tensor)) return tensor;
      all[tap.scaleInput] = tensor.right;
    }
    const prediction = folder.transformerIo.prediction;
    const out = await runSession(session, all, [prediction, ...manifest.taps.map((t) => t.output)])();
    if (E.isLeft(out)) return E.left({ _tag: 'Session', error: out.left });
    const predicted = toFloat32(out.right[prediction]!, session.source);
    if (E.isLeft(predicted)) return predicted;
    const size = predicted.right.length / batch;
    const predictions = Array.from({ length: batch }, (_, b) => predicted.right.slice(b * size, (b + 1) * size));
    const vectors = Array.from({ length: batch }, () => new Float32Array(units));
    for (const tap of manifest.taps) {
      const values = out.right[tap.output]!.data as Float32Array;
      for (let b = 0; b < batch; b++) vectors[b]!.set(values.subarray(b * tap.units, (b + 1) * tap.units), tap.offset);
    }
    return E.right({ predictions, units: vectors });
  };
}
