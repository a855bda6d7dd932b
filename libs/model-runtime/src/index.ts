export {
  ACTIVATIONS_FORMAT,
  decodeActivations,
  encodeActivations,
  formatActivationsError,
  readActivations,
  writeActivations,
} from './activations/activations-file.js';
export type { Activations, ActivationsError } from './activations/activations-file.js';
export { writeFileAtomic } from './atomic-write.js';
export { decodeSafetensors, DTYPE_BYTES, encodeSafetensors, tensorToFloat64 } from './safetensors/safetensors-codec.js';
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
