import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TEXT_LENGTH } from '@moral-plantain/formats';
import { loadQwen3Tokenizer, qwen3TokenCounter, qwen3Tokenize, type ModelFolder, type ProbeOptions, type Qwen3Tokenizer } from '@moral-plantain/model-runtime';
import { embeddedModel, openModel } from './embedded-model.js';
import type { RunSettings } from './run-settings.js';
import { runStimuli, type RunStimuli } from './run-stimuli.js';
import type { StudyError } from './study-error.js';
import type { StudyProgress } from './study-progress.js';

/** What a study probes: the model folder, and the stimulus set validated with the model's own tokenizer. */
export interface StudyInputs {
  readonly model: ModelFolder;
  readonly tokenizer: Qwen3Tokenizer;
  /** Tokens per prompt of the model's text encoder. */
  readonly textLength: number;
  readonly stimuli: RunStimuli;
  /** Wall seconds spent opening (or building) the model. */
  readonly modelSeconds: number;
}

/**
 * The model of `settings` (a model folder, or the embedded tiny model, opened from or built into
 * `embeddedModelDir`) and the stimulus set validated strictly with its tokenizer. The embedded
 * model's tokenizer is the packaged one, so bad stimuli are found before that model is built.
 */
export async function studyInputs(settings: RunSettings, embeddedModelDir: string, progress: StudyProgress): Promise<E.Either<StudyError, StudyInputs>> {
  const checkedEarly = settings.model === null ? await checkedStimuli(settings.stimuli, undefined, DEFAULT_TEXT_LENGTH) : null;
  if (checkedEarly !== null && E.isLeft(checkedEarly)) return checkedEarly;
  const since = performance.now();
  if (settings.model === null) progress.log('model: the embedded TINY FLUX.2-architecture model with seeded random weights (not FLUX.2 klein 4B); the report is a pipeline check, not a finding');
  const model = await (settings.model === null ? embeddedModel(embeddedModelDir) : openModel(settings.model))();
  if (E.isLeft(model)) return model;
  const modelSeconds = (performance.now() - since) / 1000;
  const checked = checkedEarly ?? (await checkedStimuli(settings.stimuli, model.right.tokenizerDir ?? undefined, textLengthOf(model.right)));
  if (E.isLeft(checked)) return checked;
  const { set } = checked.right.stimuli.loaded;
  progress.log(`stimuli: ${set.name} ${set.version}, ${set.pairs.length} pairs (${checked.right.stimuli.validation.hash.slice(0, 12)}), equal Qwen3 token counts within each pair`);
  return E.right({ model: model.right, ...checked.right, modelSeconds });
}

/** The probe options of a study: its pairs, tokenizer, device, seed, resolution, batch size and unit definition, with `extra` (references, folders, signal, sessions) added. */
export function studyProbeOptions(settings: RunSettings, inputs: StudyInputs, progress: StudyProgress, extra: Partial<ProbeOptions>): ProbeOptions {
  const { set } = inputs.stimuli.loaded;
  return {
    pairs: set.pairs.map((p) => ({ id: p.id, a: p.a, b: p.b })),
    tokenize: qwen3Tokenize(inputs.tokenizer, { maxLength: inputs.textLength }),
    session: { device: settings.device },
    seed: settings.seed,
    ...(settings.resolution ? { resolution: settings.resolution } : {}),
    batchSize: settings.batchSize,
    taps: { unitWidth: settings.unitWidth, unitTokens: settings.unitTokens, ...(settings.channels ? { channels: settings.channels } : {}) },
    // Encoding and transformer passes alternate per batch: one steady 'prompts' bar for both.
    onProgress: (p) => progress.update({ stage: p.stage === 'tap' || p.stage === 'load' || p.stage === 'references' ? p.stage : 'prompts', done: p.done, total: p.total, etaSeconds: p.etaSeconds }),
    stimuliHash: inputs.stimuli.validation.hash,
    ...extra,
  };
}

/** The stimulus set loaded and validated with the tokenizer in `tokenizerDir` (the packaged one when undefined), `textLength` tokens per prompt. */
async function checkedStimuli(nameOrFile: string, tokenizerDir: string | undefined, textLength: number) {
  const tokenizer = await loadQwen3Tokenizer(tokenizerDir);
  if (E.isLeft(tokenizer)) return E.left<StudyError, never>({ _tag: 'Tokenizer', error: tokenizer.left });
  const stimuli = runStimuli(nameOrFile, qwen3TokenCounter(tokenizer.right, textLength));
  return E.map((checked: RunStimuli) => ({ tokenizer: tokenizer.right, textLength, stimuli: checked }))(stimuli);
}

/** Tokens per prompt of the folder's text encoder: its config's `maxLength`, else `DEFAULT_TEXT_LENGTH`. */
function textLengthOf(folder: ModelFolder): number {
  const configured = folder.manifest?.textEncoder?.config.maxLength;
  return typeof configured === 'number' && Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_TEXT_LENGTH;
}
