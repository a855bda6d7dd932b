export {
  buildFlux2Transformer,
  buildFlux2TransformerModel,
  describeFlux2BuildError,
  FLUX2_INLINE_LIMIT,
  flux2TransformerSkeleton,
  flux2WeightBytes,
} from './build-flux2-transformer.js';
export type { Flux2BuildError, Flux2BuildOptions, Flux2FileOptions, Flux2Model, Flux2Written } from './build-flux2-transformer.js';
export {
  describeFlux2ConfigProblem,
  flux2InnerDim,
  flux2MlpHidden,
  flux2OutChannels,
  flux2Preset,
  flux2Presets,
  parseFlux2Config,
  validateFlux2Config,
} from './flux2-config.js';
export type { Flux2Config, Flux2ConfigProblem, Flux2PresetName, ParsedFlux2Config } from './flux2-config.js';
export { readFlux2ConfigFile } from './flux2-config-file.js';
export { FLUX2_IO, FLUX2_OPSET } from './flux2-graph.js';
export type { Flux2WeightDtype } from './flux2-parameter-store.js';
export { flux2ParameterShapes } from './flux2-parameters.js';
export type { Flux2Parameter } from './flux2-parameters.js';
