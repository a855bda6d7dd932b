// The builders' defaults and preset names, in a module of their own that loads no graph code, so
// that `moral-plantain --help` can show them quickly (package subpath @moral-plantain/model-builder/build-defaults).
export { flux2Presets } from './flux2/flux2-presets.js';

/** The seed of seeded random weights when a request gives none. */
export const DEFAULT_WEIGHT_SEED = 0;

/** Block size of a weight quantization when none is given: 128 weights, as community exports of FLUX.2 klein use. */
export const DEFAULT_QUANTIZATION_BLOCK_SIZE = 128;
