export {
  ACTIVATIONS_FORMAT,
  decodeActivations,
  encodeActivations,
  formatActivationsError,
  readActivations,
  writeActivations,
} from './activations/activations-file.js';
export type { Activations, ActivationsError } from './activations/activations-file.js';
export { decodeFloats, decodeSafetensors, DTYPE_BYTES, encodeSafetensors, tensorToFloat64 } from './safetensors/safetensors-codec.js';
export type {
  SafetensorsDtype,
  SafetensorsError,
  SafetensorsFile,
  SafetensorsTensor,
} from './safetensors/safetensors-codec.js';
export {
  checkpointWeights,
  formatWeightError,
  readSafetensorsHeader,
  readTensorAsFloat32,
  SEEDED_PRNG_NAME,
  seededStream,
  seededTensor,
  seededWeights,
} from './weights/index.js';
export type { SeededStream, SeededWeightsOptions, TensorEntry, WeightError, WeightInit, WeightSource } from './weights/index.js';
export {
  buildQwen3TextEncoder,
  describeQwen3ConfigProblem,
  isQwen3PresetName,
  isSkippableQwen3Tensor,
  parseQwen3ConfigJson,
  QWEN3_ATTENTION_MASK,
  QWEN3_INPUT_IDS,
  QWEN3_MASK_VALUE,
  QWEN3_MAX_LENGTH,
  QWEN3_PROMPT_EMBEDS,
  QWEN3_VOCAB_SIZE,
  qwen3InverseFrequencies,
  qwen3ParameterPlan,
  qwen3Presets,
  validateQwen3TextEncoderConfig,
} from './qwen3/index.js';
export type {
  Qwen3BuildError,
  Qwen3BuildOptions,
  Qwen3Config,
  Qwen3ConfigProblem,
  Qwen3ConfigProblems,
  Qwen3Parameter,
  Qwen3ParameterPlan,
  Qwen3PresetName,
  Qwen3TextEncoderConfig,
  Qwen3TextEncoderGraph,
} from './qwen3/index.js';
