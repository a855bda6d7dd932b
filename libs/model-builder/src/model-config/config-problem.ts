import type { ErrorDescription } from '@moral-plantain/formats';

/** One thing wrong with a model config (FLUX.2 transformer or Qwen3 text encoder); every one is reported at once. */
export type ConfigProblem =
  | { readonly _tag: 'MissingKey'; readonly key: string }
  | { readonly _tag: 'InvalidValue'; readonly key: string; readonly value: unknown; readonly expected: string }
  | { readonly _tag: 'Inconsistent'; readonly keys: readonly string[]; readonly reason: string }
  | { readonly _tag: 'Unsupported'; readonly key: string; readonly value: unknown; readonly reason: string }
  | { readonly _tag: 'UnknownPreset'; readonly preset: string; readonly known: readonly string[] }
  | { readonly _tag: 'NotAnObject'; readonly source: string }
  | { readonly _tag: 'ConfigUnreadable'; readonly source: string; readonly reason: string };

/** Which model a config describes, as messages name it. */
export type ConfigModel = 'FLUX.2' | 'Qwen3' | 'FLUX.2 VAE';

/** What is wrong with a config, and what to do. */
export function describeConfigProblem(problem: ConfigProblem, model: ConfigModel): ErrorDescription {
  const hint =
    model === 'FLUX.2'
      ? "Give the config.json of a diffusers Flux2Transformer2DModel (see diffusers' Flux2Transformer2DModel config)."
      : model === 'FLUX.2 VAE'
        ? "Give the config.json of a diffusers AutoencoderKLFlux2 (the vae/ folder of a FLUX.2 pipeline)."
        : 'Give the config.json of a Hugging Face Qwen3 model (Qwen3ForCausalLM).';
  switch (problem._tag) {
    case 'MissingKey':
      return { message: `The ${model} config has no "${problem.key}".`, hint };
    case 'InvalidValue':
      return { message: `The ${model} config's "${problem.key}" is ${show(problem.value)}; expected ${problem.expected}.`, hint };
    case 'Inconsistent':
      return { message: `The ${model} config's ${problem.keys.map((k) => `"${k}"`).join(' and ')} disagree: ${problem.reason}.`, hint };
    case 'Unsupported':
      return { message: `The ${model} config's "${problem.key}" = ${show(problem.value)} is not supported: ${problem.reason}.`, hint };
    case 'UnknownPreset':
      return { message: `There is no ${model} preset "${problem.preset}".`, hint: `Use one of ${problem.known.join(', ')}.` };
    case 'NotAnObject':
      return { message: `${problem.source} is not a JSON object of ${model} config keys.`, hint };
    case 'ConfigUnreadable':
      return { message: `Could not read the ${model} config ${problem.source}: ${problem.reason}.`, hint: 'Check the path.' };
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
