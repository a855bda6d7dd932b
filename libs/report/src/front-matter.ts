import { stringify } from 'yaml';
import { cardFacts, FLUX2_ARCHITECTURE, type CardFacts, type CardOverrides } from './card-facts.js';
import type { RunProvenance } from './run-provenance.js';

/**
 * Hugging Face model-card metadata of a report (the keys of the Hub's model-card spec). Keys whose
 * value is not known are left out rather than guessed.
 */
export interface ModelCardMetadata {
  /** Languages of the prompts (the stimulus set's), when recorded. */
  readonly language?: readonly string[];
  /** The license of the report and its files (the probed model keeps its own). */
  readonly license: string;
  /** On the Hub, "derived from": the checkpoint the probed weights come from; only when known, never for random weights. */
  readonly base_model?: string;
  /** The library that reads the repository's files (results.json, activations): the toolkit. */
  readonly library_name: string;
  readonly tags: readonly string[];
  /** The probed model's task, when its architecture is known (FLUX.2: text-to-image). */
  readonly pipeline_tag?: string;
}

/** Options of the model-card metadata: the card's overrides, and the library name. */
export interface FrontMatterOptions extends CardOverrides {
  /** `library_name` of the card. Default "moral-plantain" (the toolkit that made the report and reads its files). */
  readonly libraryName?: string;
}

/**
 * The model-card metadata of a run, from what is known: `base_model` only for pretrained weights
 * whose Hub repo id is recorded (or given), tags that are true of the run, `language` from the
 * stimulus set and `pipeline_tag` from the architecture when they are recorded.
 */
export function modelCardMetadata(provenance: RunProvenance | undefined, options: FrontMatterOptions = {}): ModelCardMetadata {
  return metadataOf(cardFacts(provenance, options), options);
}

/** The metadata of a card whose facts are decided. */
export function metadataOf(facts: CardFacts, options: FrontMatterOptions = {}): ModelCardMetadata {
  const language = facts.stimuli?.language;
  return {
    ...(language ? { language: [language] } : {}),
    license: 'apache-2.0',
    ...(facts.baseModel ? { base_model: facts.baseModel } : {}),
    library_name: options.libraryName ?? 'moral-plantain',
    tags: cardTags(facts, options.extraTags ?? []),
    ...(facts.architecture === FLUX2_ARCHITECTURE ? { pipeline_tag: 'text-to-image' } : {}),
  };
}

/** YAML front matter (between `---` lines) for a model card; values are quoted by the YAML serializer as needed. */
export function renderFrontMatter(metadata: ModelCardMetadata): string {
  const body = stringify(metadata, { lineWidth: 0 });
  return `---\n${body}---\n`;
}

/**
 * Tags that are true of the run: always `interpretability` and `activation-probe`;
 * `paired-prompt-probe` and the stimulus set's name when the set is recorded; `flux2` when the
 * architecture is; `pipeline-check` / `random-init-control` and `random-weights` for random
 * weights; then the extra tags. (No `per-head-attention`: a unit is a channel slice, not a head.)
 */
function cardTags(facts: CardFacts, extra: readonly string[]): string[] {
  const tags = ['interpretability', 'activation-probe'];
  if (facts.stimuli) tags.push('paired-prompt-probe');
  if (facts.architecture === FLUX2_ARCHITECTURE) tags.push('flux2');
  const setTag = facts.stimuli ? tagOf(facts.stimuli.name) : '';
  if (setTag !== '') tags.push(setTag);
  if (facts.kind === 'tiny-seeded') tags.push('pipeline-check', 'random-weights');
  if (facts.kind === 'random-init-control') tags.push('random-init-control', 'random-weights');
  return [...new Set([...tags, ...extra])];
}

/** A name as a Hub-style tag: lower case, runs of other characters as one "-". */
function tagOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
