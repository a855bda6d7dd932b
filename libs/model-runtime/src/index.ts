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
  buildQwen3TextEncoderFile,
  describeQwen3BuildError,
  describeQwen3ConfigProblem,
  isQwen3PresetName,
  isSkippableQwen3Tensor,
  parseQwen3ConfigJson,
  QWEN3_ATTENTION_MASK,
  QWEN3_GRAPH_NAME,
  QWEN3_INLINE_LIMIT,
  QWEN3_INPUT_IDS,
  QWEN3_MASK_VALUE,
  QWEN3_MAX_LENGTH,
  QWEN3_PROMPT_EMBEDS,
  QWEN3_VOCAB_SIZE,
  qwen3InverseFrequencies,
  qwen3ParameterPlan,
  qwen3Presets,
  qwen3WeightBytes,
  validateQwen3TextEncoderConfig,
} from './qwen3/index.js';
export type {
  Qwen3BuildError,
  Qwen3BuildOptions,
  Qwen3Config,
  Qwen3ConfigProblem,
  Qwen3ConfigProblems,
  Qwen3FileOptions,
  Qwen3Parameter,
  Qwen3ParameterPlan,
  Qwen3PresetName,
  Qwen3TextEncoderConfig,
  Qwen3TextEncoderGraph,
  Qwen3TextEncoderWritten,
} from './qwen3/index.js';
export {
  buildFlux2Transformer,
  buildFlux2TransformerModel,
  describeFlux2BuildError,
  describeFlux2ConfigProblem,
  FLUX2_INLINE_LIMIT,
  FLUX2_IO,
  FLUX2_OPSET,
  flux2InnerDim,
  flux2MlpHidden,
  flux2OutChannels,
  flux2ParameterShapes,
  flux2Preset,
  flux2Presets,
  flux2TransformerSkeleton,
  flux2WeightBytes,
  parseFlux2Config,
  readFlux2ConfigFile,
  validateFlux2Config,
} from './flux2/index.js';
export type {
  Flux2BuildError,
  Flux2BuildOptions,
  Flux2Config,
  Flux2ConfigProblem,
  Flux2FileOptions,
  Flux2Model,
  Flux2Parameter,
  Flux2PresetName,
  Flux2WeightDtype,
  Flux2Written,
  ParsedFlux2Config,
} from './flux2/index.js';
export { CUDA_INSTALL_COMMAND, describeSessionError } from './session/session-error.js';
export type { SessionError } from './session/session-error.js';
export { createSession, runSession } from './session/create-session.js';
export { setRuntimeLogLevel } from './session/runtime-log-level.js';
export type { RuntimeLogLevel } from './session/runtime-log-level.js';
export type { Device, GraphOptimization, ModelSession, ResolvedDevice, SessionOptions, ValueSpec } from './session/create-session.js';
export { BFL_IO, detectTextEncoderIo, detectTransformerIo, DIFFUSERS_IO } from './model-folder/io-naming.js';
export type { NamingError, TextEncoderIo, TransformerIo, TransformerNaming } from './model-folder/io-naming.js';
export { MODEL_MANIFEST_FORMAT, parseModelManifest } from './model-folder/model-manifest.js';
export type { ManifestComponent, ManifestProblem, ModelManifest } from './model-folder/model-manifest.js';
export { openModelFolder, readGraph } from './model-folder/open-model-folder.js';
export type { GraphFile, GraphValue, ModelFolder, ModelFolderError, SizedFile } from './model-folder/open-model-folder.js';
export { describeModelFolderError } from './model-folder/describe-model-folder-error.js';
export { gaussianNoise, xoshiro128StarStar } from './noise/gaussian-noise.js';
export { FINGERPRINT_VERSION, fingerprintGraph, sha256, sha256File } from './cache/model-fingerprint.js';
export { cacheEntryPath, canonicalJson, PROBE_CACHE_FORMAT, promptKey, readCachedUnits, writeCachedUnits } from './cache/probe-cache.js';
export type { PromptKeyParts } from './cache/probe-cache.js';
export { feedTensor, imageIds, latentGrid, PIXELS_PER_TOKEN, repeat, textIds } from './probe/probe-inputs.js';
export { readPromptEmbeddings, STACKED_EMBEDDINGS_TENSOR } from './probe/prompt-embeddings.js';
export type { PromptEmbedding, PromptEmbeddings } from './probe/prompt-embeddings.js';
export { tapConfig, tapTransformer } from './probe/tap-transformer.js';
export type { ProbeTapOptions, TappedTransformer } from './probe/tap-transformer.js';
export { describeProbeError } from './probe/probe-error.js';
export type { ProbeError } from './probe/probe-error.js';
export type { ProbeProgress, ProbeStage } from './probe/probe-progress.js';
export { PROBE_TIMESTEP, runProbe } from './probe/run-probe.js';
export type { ProbePair, ProbeOptions, ProbeResult, PromptTokens, Tokenize } from './probe/run-probe.js';
export { defaultQwen3TokenizerDir, describeTextError, encodePrompt, encodePrompts, loadQwen3Tokenizer, qwen3TokenCounter } from './text/index.js';
export type { EncodedPrompt, EncodedPrompts, EncodePromptsOptions, PromptTruncated, Qwen3Tokenizer, TextError, TextTokenCounter } from './text/index.js';
export { buildModelFolder, describeBuildModelFolderError } from './model-folder/build-model-folder.js';
export type { BuildModelFolderError, BuildModelFolderOptions, BuiltModelFolder } from './model-folder/build-model-folder.js';
export { buildTinyModelFolder, TINY_MODEL_SEED } from './model-folder/build-tiny-model-folder.js';
export { describeModelFolder } from './model-folder/describe-model-folder.js';
export type { DescribeOptions, FolderFileInfo, GraphInfo, ModelFolderInfo, TapsInfo } from './model-folder/describe-model-folder.js';
export { qwen3Tokenize } from './probe/qwen3-tokenize.js';
export type { Qwen3TokenizeOptions } from './probe/qwen3-tokenize.js';
