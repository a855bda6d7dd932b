import * as E from 'fp-ts/lib/Either.js';
import type { Qwen3Config } from '../qwen3/qwen3-config.js';
import { qwen3Presets } from '../qwen3/qwen3-presets.js';
import type { ModelBuildProblem } from './model-build-problem.js';

/**
 * FLUX.2 [klein]'s text layers: the hidden states 9, 18 and 27 of its Qwen3 text encoder,
 * concatenated (diffusers `Flux2KleinPipeline`'s `text_encoder_out_layers` default, for klein 4B's
 * Qwen3-4B and klein 9B's Qwen3-8B alike).
 */
export const KLEIN_TEXT_LAYERS: readonly number[] = qwen3Presets['qwen3-4b'].outputLayers;

/**
 * The hidden states a text encoder of `model`'s depth returns: the given ones when each exists
 * (0 to `num_hidden_layers`); else klein's 9, 18, 27 when the encoder is deep enough to have them,
 * as the diffusers pipeline does. A shallower encoder (a tiny test checkpoint, say) has no default
 * the pipeline would use: it is a `TextLayersNeeded` problem that suggests `jointAttentionDim /
 * hidden_size` layers evenly spaced up to the last, for `--text-layers`.
 */
export function textLayersFor(model: Qwen3Config, given: readonly number[] | undefined, jointAttentionDim: number | null): E.Either<ModelBuildProblem, readonly number[]> {
  const depth = model.num_hidden_layers;
  const suggestion = suggestedTextLayers(depth, model.hidden_size, jointAttentionDim);
  if (given !== undefined) {
    const beyond = given.filter((layer) => layer > depth);
    return beyond.length === 0 ? E.right(given) : E.left({ _tag: 'TextLayersBeyondEncoder', layers: given, depth, suggestion });
  }
  return Math.max(...KLEIN_TEXT_LAYERS) <= depth ? E.right(KLEIN_TEXT_LAYERS) : E.left({ _tag: 'TextLayersNeeded', depth, suggestion });
}

/** `count` hidden states evenly spaced up to the last one (`round(i x depth / count)`, i = 1..count), where `count = jointAttentionDim / hiddenSize` (3 when that is not a whole number). */
function suggestedTextLayers(depth: number, hiddenSize: number, jointAttentionDim: number | null): readonly number[] {
  const fit = jointAttentionDim === null ? Number.NaN : jointAttentionDim / hiddenSize;
  const count = Number.isInteger(fit) && fit >= 1 ? fit : 3;
  return Array.from({ length: count }, (_, i) => Math.max(0, Math.round(((i + 1) * depth) / count)));
}
