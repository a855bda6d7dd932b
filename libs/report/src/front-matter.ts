import { stringify } from 'yaml';
import type { RunProvenance } from './run-provenance.js';

/** The base model of the moral-plantain probe. */
export const DEFAULT_BASE_MODEL = 'black-forest-labs/FLUX.2-klein-base-4B';

/** Hugging Face model-card metadata of a report. */
export interface ModelCardMetadata {
  readonly language: readonly string[];
  readonly license: string;
  readonly base_model: string;
  readonly library_name: string;
  readonly tags: readonly string[];
  readonly pipeline_tag: string;
}

/** Options of the model-card metadata. */
export interface FrontMatterOptions {
  /** `library_name` of the card. Default "moral-plantain" (the toolkit that made the report). */
  readonly libraryName?: string;
  /** Extra tags appended after the standard ones. Default none. */
  readonly extraTags?: readonly string[];
}

/** The model-card metadata for a run: base model from the provenance (default FLUX.2 klein base 4B), standard tags. */
export function modelCardMetadata(provenance: RunProvenance | undefined, options: FrontMatterOptions = {}): ModelCardMetadata {
  const kindTags =
    provenance?.model?.kind === 'tiny-seeded'
      ? ['pipeline-check', 'random-weights']
      : provenance?.model?.kind === 'random-init-control'
        ? ['random-init-control']
        : [];
  const tags = [
    'interpretability',
    'per-head-attention',
    'paired-prompt-probe',
    'flux2',
    'moral-plantain',
    ...kindTags,
    ...(options.extraTags ?? []),
  ];
  return {
    language: ['en'],
    license: 'apache-2.0',
    base_model: provenance?.model?.baseModel ?? DEFAULT_BASE_MODEL,
    library_name: options.libraryName ?? 'moral-plantain',
    tags: [...new Set(tags)],
    pipeline_tag: 'text-to-image',
  };
}

/** YAML front matter (between `---` lines) for a model card; values are quoted by the YAML serializer as needed. */
export function renderFrontMatter(metadata: ModelCardMetadata): string {
  const body = stringify(metadata, { lineWidth: 0 });
  return `---\n${body}---\n`;
}
