// The builders' defaults and preset names, in a module of their own that loads no graph code, so
// that `moral-plantain --help` can show them quickly (package subpath @moral-plantain/model-builder/build-defaults).
export { flux2Presets } from './flux2/flux2-presets.js';

/** The seed of seeded random weights when a request gives none. */
export const DEFAULT_WEIGHT_SEED = 0;
