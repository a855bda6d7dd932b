import { KLEIN_TEXT_LAYERS, type ModelBuildChoices } from '@moral-plantain/model-builder';
import type { RunSettings } from './run-settings.js';

/** The run settings that are build options: they shape the folder built from a pipeline folder or a repo id, and are part of its cache key. */
export type RunBuildSettings = Pick<RunSettings, 'textLayers' | 'quantize' | 'quantBlockSize'>;

/**
 * The build options of a run whose `--model` is built (a diffusers pipeline folder or a Hugging
 * Face repo id), as `cachedModelBuild` keys and builds them. A build option that `run` takes is a
 * setting (run-settings.ts) and one line here. Klein's own text layers given explicitly are the
 * default (`textLayersFor` picks them or refuses alike), so they share its cache entry.
 */
export function runBuildChoices(settings: RunBuildSettings): ModelBuildChoices {
  const { textLayers, quantize, quantBlockSize } = settings;
  const defaultLayers = textLayers !== null && textLayers.length === KLEIN_TEXT_LAYERS.length && textLayers.every((layer, i) => layer === KLEIN_TEXT_LAYERS[i]);
  return {
    ...(textLayers !== null && !defaultLayers ? { textLayers } : {}),
    ...(quantize !== null ? { quantize } : {}),
    ...(quantBlockSize !== null ? { quantizationBlockSize: quantBlockSize } : {}),
  };
}

/** The build-option settings a run was given, as their flags (`--text-layers`, `--quantize`, `--quant-block-size`); empty when none. */
export function givenBuildOptions(settings: RunBuildSettings): string[] {
  return [
    ...(settings.textLayers !== null ? ['--text-layers'] : []),
    ...(settings.quantize !== null ? ['--quantize'] : []),
    ...(settings.quantBlockSize !== null ? ['--quant-block-size'] : []),
  ];
}
