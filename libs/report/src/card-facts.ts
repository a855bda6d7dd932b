import * as E from 'fp-ts/lib/Either.js';
import { HUB_REPO_ID_FORM, isHubRepoId, type ModelKind } from '@moral-plantain/formats';
import type { ProbeResults } from '@moral-plantain/stats';
import type { ReportError } from './report-error.js';
import type { RunProvenance, StimuliProvenance } from './run-provenance.js';

/** What a user states for a card (the `report --title / --model / --base-model / --tag` flags); each wins over the run record. */
export interface CardOverrides {
  /** The card's title (its one `#` heading). Default: from the stimulus set and the model. */
  readonly title?: string;
  /** The probed model's name. Default: the run record's. */
  readonly modelName?: string;
  /**
   * `base_model` of the front matter: the Hugging Face repo id (`org/name`) of the checkpoint the
   * probed weights come from. Default: the run record's, for pretrained weights only.
   */
  readonly baseModel?: string;
  /** Tags appended after the standard ones. Default none. */
  readonly extraTags?: readonly string[];
}

/** What a card states about its run, decided once from the run record and the overrides. */
export interface CardFacts {
  /** The title the user gave, or null for the default (`cardTitle`). */
  readonly title: string | null;
  /** The probed model's name, or null when unknown. */
  readonly modelName: string | null;
  /** The kind of the model's weights, or null when unknown. */
  readonly kind: ModelKind | null;
  /** The Hub repo id of the checkpoint the weights come from, or null (unknown, or random weights). */
  readonly baseModel: string | null;
  /** The transformer architecture (e.g. "FLUX.2"), or null when unknown. */
  readonly architecture: string | null;
  readonly stimuli: StimuliProvenance | null;
  /** Whether a run record came with the results. */
  readonly recorded: boolean;
}

/** The architecture name a run record gives FLUX.2 transformers (the probe runner's only kind). */
export const FLUX2_ARCHITECTURE = 'FLUX.2';

/** Longest title or model name a card takes. */
const MAX_NAME = 200;
/** Longest tag a card takes. */
const MAX_TAG = 100;

/**
 * The facts a card states: the overrides where given, else what the run record knows. A base
 * model is kept only for pretrained weights (a random or tiny model comes from no checkpoint) and
 * only as a Hub repo id (`checkCardOverrides` reports an override that is not one; here it is left out).
 */
export function cardFacts(provenance: RunProvenance | undefined, overrides: CardOverrides = {}): CardFacts {
  const model = provenance?.model;
  const kind = model?.kind ?? null;
  const recordedBase = kind === 'pretrained' && model?.baseModel !== undefined && isHubRepoId(model.baseModel) ? model.baseModel : null;
  const modelName = overrides.modelName ?? (model ? model.name : null);
  return {
    title: overrides.title ?? null,
    modelName,
    kind,
    baseModel: overrides.baseModel !== undefined && isHubRepoId(overrides.baseModel) ? overrides.baseModel : recordedBase,
    architecture: model?.architecture ?? null,
    stimuli: provenance?.stimuli ?? null,
    recorded: provenance !== undefined,
  };
}

/**
 * Checks the overrides a user gives a card: a one-line title and model name, a base model that is
 * a Hub repo id and not given for a model the run record says has random weights, tags without
 * spaces. Every problem at once.
 */
export function checkCardOverrides(overrides: CardOverrides, provenance: RunProvenance | undefined): E.Either<ReportError, CardOverrides> {
  const problems: string[] = [];
  const oneLine = (what: string, value: string | undefined) => {
    if (value === undefined) return;
    if (value.trim() === '') problems.push(`the ${what} is empty`);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(value)) problems.push(`the ${what} must be one line of text (it has a line break or control character)`);
    else if (value.length > MAX_NAME) problems.push(`the ${what} has ${value.length} characters; at most ${MAX_NAME} fit a title`);
  };
  oneLine('title', overrides.title);
  oneLine('model name', overrides.modelName);
  const base = overrides.baseModel;
  const kind = provenance?.model?.kind;
  if (base !== undefined && !isHubRepoId(base)) problems.push(`the base model ${JSON.stringify(base)} is not ${HUB_REPO_ID_FORM}`);
  else if (base !== undefined && kind !== undefined && kind !== 'pretrained') {
    problems.push(`the run record says the model has ${kind === 'tiny-seeded' ? 'the tiny model\'s seeded random weights' : 'seeded random weights (a random-init control)'}, which come from no checkpoint, so its card has no base model`);
  }
  for (const tag of overrides.extraTags ?? []) {
    // eslint-disable-next-line no-control-regex
    if (tag === '' || /[\s\u0000-\u001f\u007f,]/.test(tag)) problems.push(`the tag ${JSON.stringify(tag)} must be one word without spaces or commas (e.g. my-lab)`);
    else if (tag.length > MAX_TAG) problems.push(`the tag ${JSON.stringify(tag.slice(0, 20))}... has ${tag.length} characters; at most ${MAX_TAG}`);
  }
  return problems.length > 0 ? E.left({ _tag: 'InvalidCardOptions', problems }) : E.right(overrides);
}

/**
 * The card's title, plain text: the one given, else "<set> probe: <model>" when both are known,
 * the set or the model alone when only one is, and a neutral description of the data when neither is.
 */
export function cardTitle(facts: CardFacts, results: ProbeResults): string {
  if (facts.title !== null) return facts.title;
  const { stimuli, modelName, kind } = facts;
  const model = modelName === null ? null : kind === 'random-init-control' ? `${modelName}, random-init control` : modelName;
  if (stimuli && model) return `${stimuli.name} probe: ${model}`;
  if (stimuli) return `${stimuli.name} probe`;
  if (model) return `Paired probe: ${model}`;
  return `Paired probe of ${results.nUnits.toLocaleString('en-US')} ${results.nUnits === 1 ? 'unit' : 'units'} over ${results.nPairs.toLocaleString('en-US')} pairs`;
}
