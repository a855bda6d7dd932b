import * as E from 'fp-ts/lib/Either.js';
import type { Flux2Config } from '../flux2/flux2-config.js';
import type { Qwen3TextEncoderConfig } from '../qwen3/qwen3-config.js';
import type { ModelBuildProblem } from './model-build-problem.js';

/** The rule that joins the two graphs: the text encoder's output width (layers x hidden size) must be the transformer's `joint_attention_dim`. */
export function checkTextWidth(transformer: Flux2Config, text: Qwen3TextEncoderConfig): E.Either<ModelBuildProblem, true> {
  const layers = text.outputLayers.length;
  const hidden = text.model.hidden_size;
  return layers * hidden === transformer.joint_attention_dim
    ? E.right(true)
    : E.left({ _tag: 'TextWidthMismatch', layers, hidden, jointAttentionDim: transformer.joint_attention_dim });
}
