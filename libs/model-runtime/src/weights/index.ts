export { checkpointWeights, formatWeightError } from './checkpoint-weights.js';
export { readSafetensorsHeader, readTensorAsFloat32 } from './safetensors-file-reader.js';
export type { TensorEntry } from './safetensors-file-reader.js';
export { SEEDED_PRNG_NAME, seededStream } from './seeded-stream.js';
export type { SeededStream } from './seeded-stream.js';
export { seededTensor, seededWeights } from './seeded-weights.js';
export type { SeededWeightsOptions } from './seeded-weights.js';
export type { WeightError, WeightInit, WeightSource } from './weight-source.js';
