export { describeQwen3ConfigProblem, parseQwen3ConfigJson, validateQwen3TextEncoderConfig } from './qwen3-config.js';
export type { Qwen3Config, Qwen3ConfigProblem, Qwen3ConfigProblems, Qwen3TextEncoderConfig } from './qwen3-config.js';
export { buildQwen3TextEncoderFile } from './build-qwen3-text-encoder-file.js';
export type { Qwen3FileOptions, Qwen3TextEncoderWritten } from './build-qwen3-text-encoder-file.js';
export { describeQwen3BuildError } from './qwen3-build-error.js';
export type { Qwen3BuildError } from './qwen3-build-error.js';
export {
  buildQwen3TextEncoder,
  QWEN3_ATTENTION_MASK,
  QWEN3_GRAPH_NAME,
  QWEN3_INLINE_LIMIT,
  QWEN3_INPUT_IDS,
  QWEN3_MASK_VALUE,
  QWEN3_PROMPT_EMBEDS,
  qwen3InverseFrequencies,
  qwen3WeightBytes,
} from './qwen3-graph.js';
export type { Qwen3BuildOptions, Qwen3TextEncoderGraph } from './qwen3-graph.js';
export { isSkippableQwen3Tensor, qwen3ParameterPlan } from './qwen3-parameters.js';
export type { Qwen3Parameter, Qwen3ParameterPlan } from './qwen3-parameters.js';
export { isQwen3PresetName, QWEN3_MAX_LENGTH, QWEN3_VOCAB_SIZE, qwen3Presets } from './qwen3-presets.js';
export type { Qwen3PresetName } from './qwen3-presets.js';
