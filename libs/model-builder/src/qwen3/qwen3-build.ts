import * as E from 'fp-ts/lib/Either.js';
import type * as NEA from 'fp-ts/lib/NonEmptyArray.js';
import type { WeightQuantization } from '@moral-plantain/formats';
import type { ModelProto } from '@moral-plantain/hooks';
import { checkWeightsRead, type GraphBuildError } from '../graph-weights/graph-build-error.js';
import { INLINE_WEIGHT_LIMIT } from '../graph-weights/graph-file.js';
import { inlineSink } from '../graph-weights/parameter-sink.js';
import { createParameterStore, type ParameterStore } from '../graph-weights/parameter-store.js';
import { quantizedWeightBytes } from '../quantization/block-quantize.js';
import { quantizationProblems, type QuantizationOptions } from '../quantization/quantization-options.js';
import { emptyLinearTally, quantizationRecord, type LinearTally } from '../quantization/quantization-record.js';
import type { WeightSource } from '../weights/weight-source.js';
import { validateQwen3TextEncoderConfig, type Qwen3TextEncoderConfig } from './qwen3-config.js';
import { layoutQwen3TextEncoder } from './qwen3-graph.js';
import { isSkippableQwen3Tensor, qwen3ParameterPlan, type Qwen3ParameterPlan } from './qwen3-parameters.js';

/** Options of `buildQwen3TextEncoder`. */
export interface Qwen3BuildOptions {
  /** Compute and weight dtype of the graph. Default and only value for now: `float32`. */
  readonly dtype?: 'float32';
  /** ONNX graph name. Default `qwen3_text_encoder`. */
  readonly name?: string;
  /**
   * Quantize every Linear (the attention and MLP projections) to MatMulNBits, tensor by tensor as
   * they are read (default: none). The embedding and the norms stay in float32.
   */
  readonly quantization?: QuantizationOptions;
}

/** A text encoder built in memory. */
export interface Qwen3TextEncoderGraph {
  /** The ONNX model: `input_ids`, `attention_mask` -> `prompt_embeds`. */
  readonly model: ModelProto;
  /** The config it was built for. */
  readonly config: Qwen3TextEncoderConfig;
  /** Layers run, whether the final norm is applied, parameters read and checkpoint tensors skipped. */
  readonly plan: Qwen3ParameterPlan;
  /** Width of `prompt_embeds`: outputLayers.length x hidden_size. */
  readonly outputWidth: number;
  /** What was quantized, as model.json records it; absent without `quantization`. */
  readonly quantization?: WeightQuantization;
}

/** Default ONNX graph name of the text encoder. */
export const QWEN3_GRAPH_NAME = 'qwen3_text_encoder';

/**
 * Builds the Qwen3 text encoder in memory as an ONNX graph (ai.onnx opset 21) from a config and a
 * weight source: embedding, the decoder layers up to the last one the requested hidden states need
 * (RMSNorm, q/k/v projections, per-head q/k RMSNorm, half-split RoPE at positions 0..S-1,
 * grouped-query attention with a causal plus padding mask, o_proj, SwiGLU MLP, residuals), and
 * the final norm only when hidden_states[num_hidden_layers] is requested. Initializers carry the
 * Hugging Face parameter names in torch layout ([out, in]; each Linear is a Gemm with transB over
 * the [batch x sequence, in] rows); nodes are named by module scope as TorchScript does
 * (`/model/layers.0/self_attn/q_proj/Gemm`).
 * Every config problem and every weight problem is reported at once; checkpoint tensors the
 * encoder never needs (later layers, lm_head) are allowed, any other unread tensor is an error.
 *
 * Padded positions (right padding) are computed exactly as transformers computes them and are not
 * zeroed: a pad query attends to the real tokens before it (never to pads, itself included), so its
 * row is a deterministic function of the prompt; the klein pipeline hands these rows to the
 * transformer unchanged. A sample with no real token at all gets uniform attention, as with HF's
 * finite mask value.
 *
 * The tiny preset builds in milliseconds and the same seeded source gives byte-identical bytes;
 * weights over `INLINE_WEIGHT_LIMIT` are refused before anything is read (`TooLargeForMemory`):
 * build those with `buildQwen3TextEncoderFile`, which streams them to disk.
 */
export async function buildQwen3TextEncoder(
  config: Qwen3TextEncoderConfig,
  weights: WeightSource,
  options: Qwen3BuildOptions = {},
): Promise<E.Either<NEA.NonEmptyArray<GraphBuildError>, Qwen3TextEncoderGraph>> {
  const valid = checkQwen3BuildOptions(config, options);
  if (E.isLeft(valid)) return valid;
  const bytes = qwen3WeightBytes(config, options.quantization);
  if (bytes > INLINE_WEIGHT_LIMIT) return E.left([{ _tag: 'TooLargeForMemory', bytes }]);
  const plan = qwen3ParameterPlan(config);
  const store = createParameterStore(weights, inlineSink(), 'float32');
  const tally = emptyLinearTally();
  const model = await layoutQwen3TextEncoder(config, plan, store, options.name ?? QWEN3_GRAPH_NAME, { tally, ...(options.quantization ? { quantization: options.quantization } : {}) });
  const checked = checkQwen3Weights(plan, store, weights);
  if (E.isLeft(checked)) return checked;
  return E.right({ model, config, plan, outputWidth: qwen3OutputWidth(config), ...qwen3QuantizationOf(tally, options) });
}

/** The `quantization` record of a quantized build (spread into a result), or nothing. */
export function qwen3QuantizationOf(tally: LinearTally, options: Qwen3BuildOptions): { quantization?: WeightQuantization } {
  return options.quantization ? { quantization: quantizationRecord(options.quantization, tally) } : {};
}

/** Width of a text encoder's `prompt_embeds`: outputLayers.length x hidden_size. */
export function qwen3OutputWidth(config: Qwen3TextEncoderConfig): number {
  return config.outputLayers.length * config.model.hidden_size;
}

/** Bytes of the weights a text encoder reads (the layers it runs, not the whole checkpoint): float32, with the linear layers quantized when `quantization` is given. */
export function qwen3WeightBytes(config: Qwen3TextEncoderConfig, quantization?: QuantizationOptions): number {
  return qwen3ParameterPlan(config).parameters.reduce((sum, p) => {
    if (quantization && p.init.kind === 'linear') return sum + quantizedWeightBytes(p.shape[0] as number, p.shape[1] as number, quantization);
    return sum + 4 * p.shape.reduce((n, s) => n * s, 1);
  }, 0);
}

/** Checks the config (every problem at once) and the build options, before any weight is read. */
export function checkQwen3BuildOptions(config: Qwen3TextEncoderConfig, options: Qwen3BuildOptions): E.Either<NEA.NonEmptyArray<GraphBuildError>, Qwen3TextEncoderConfig> {
  const valid = validateQwen3TextEncoderConfig(config);
  const problems: GraphBuildError[] = [...(E.isLeft(valid) ? valid.left : []), ...(options.quantization ? quantizationProblems(options.quantization) : [])];
  if ((options.dtype ?? 'float32') !== 'float32') problems.push({ _tag: 'Unsupported', key: 'dtype', value: options.dtype, reason: 'the text encoder is built in float32 for now' });
  const [first, ...rest] = problems;
  return first ? E.left([first, ...rest]) : E.right(config);
}

/**
 * Every weight problem the store met, then checkpoint tensors that nothing read and that the
 * encoder may not skip (later layers, the final norm when unused and lm_head may stay unread).
 */
export function checkQwen3Weights(plan: Qwen3ParameterPlan, store: ParameterStore, weights: WeightSource): E.Either<NEA.NonEmptyArray<GraphBuildError>, true> {
  return checkWeightsRead(store, weights, (name) => isSkippableQwen3Tensor(name, plan));
}
