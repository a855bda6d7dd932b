import { PROBE_TIMESTEP, type ModelFolderInfo, type ProbeResult } from '@moral-plantain/model-runtime';
import { FLUX2_ARCHITECTURE, type RunProvenance } from '@moral-plantain/report';
import type { StimulusSet, ValidationReport } from '@moral-plantain/stimuli';
import type { RunReferences } from './run-references.js';
import type { RunSettings } from './run-settings.js';

/** What a run's provenance is assembled from: the settings, the model folder as recorded, the stimuli and what the probe ran. */
export interface ProvenanceSources {
  readonly settings: RunSettings;
  readonly info: ModelFolderInfo;
  readonly set: StimulusSet;
  readonly validation: ValidationReport;
  /** What the probe ran (a whole run's `ProbeResult`, or one shard's `ProbePart`). */
  readonly probe: Pick<ProbeResult, 'model' | 'resolution' | 'unit' | 'manifest' | 'device' | 'fallbacks' | 'references'>;
  /** Package name -> version of everything that took part. */
  readonly packages: Readonly<Record<string, string>>;
  /** The run's reference images (null or absent: none). */
  readonly references?: RunReferences | null;
}

/** The name a card gives the embedded tiny model. */
export const TINY_MODEL_NAME = 'tiny FLUX.2-architecture model (seeded random weights)';

/**
 * The run's provenance for run.json and the card: the model (its kind of weights, architecture,
 * the Hub repo id of its checkpoint when model.json records one, file hashes), the stimuli, the
 * protocol as run (with its reference images), versions, device. A base model is recorded only for pretrained weights.
 */
export function runProvenance({ settings, info, set, validation, probe, packages, references }: ProvenanceSources): RunProvenance {
  const { model, resolution } = probe;
  const headDim = (info.configs.transformer as { attention_head_dim?: unknown } | null)?.attention_head_dim;
  return {
    model: {
      name: model.kind === 'tiny-seeded' ? TINY_MODEL_NAME : model.name,
      ...(model.kind === 'pretrained' && info.baseModel !== null ? { baseModel: info.baseModel } : {}),
      kind: model.kind,
      // The probe runner runs FLUX.2 transformers only (their input names, their block layout for the taps).
      architecture: FLUX2_ARCHITECTURE,
      ...(typeof headDim === 'number' && Number.isInteger(headDim) && headDim > 0 ? { attentionHeadDim: headDim } : {}),
      ...(model.weightSeed !== undefined ? { weightSeed: model.weightSeed } : {}),
      files: info.files.flatMap((f) => (f.sha256 ? [{ path: f.file, sha256: f.sha256 }] : [])),
      ...quantizationOf(info),
    },
    stimuli: {
      name: set.name,
      version: set.version,
      axis: set.axis,
      language: set.language,
      ...(set.example ? { example: true } : {}),
      hash: `sha256:${validation.hash}`,
      pairs: set.pairs.length,
      categories: validation.categories.map((c) => c.name),
      conditions: { a: set.conditions.a, b: set.conditions.b },
    },
    protocol: {
      steps: 1,
      guidanceScale: 1,
      timestep: PROBE_TIMESTEP,
      seed: settings.seed,
      resolution: { height: resolution[0], width: resolution[1] },
      unit: probe.unit,
      tappedModules: probe.manifest.taps.map((t) => t.module),
      ...(probe.references && references
        ? {
            references: {
              source: references.source,
              imagesPerPrompt: probe.references.imagesPerPrompt,
              tokensPerPrompt: probe.references.tokensPerPrompt,
              ...(references.generation ? { generation: { steps: references.generation.steps, guidance: references.generation.guidance, guided: references.generation.guided, seed: references.generation.seed } } : {}),
              images: probe.references.images.map((i) => ({ path: i.path, sha256: i.sha256 })),
            },
          }
        : {}),
    },
    permutations: settings.permutations,
    splits: settings.splits,
    packages,
    device: probe.device,
    requestedDevice: settings.device,
    deviceFallbacks: probe.fallbacks,
    createdAt: new Date().toISOString(),
  };
}

/** The model's weight quantization as run.json records it (spread into the model entry), or nothing for float weights. */
function quantizationOf(info: ModelFolderInfo): Pick<NonNullable<RunProvenance['model']>, 'quantization'> {
  const { transformer, textEncoder } = info.quantization;
  if (!transformer && !textEncoder) return {};
  return { quantization: { ...(transformer ? { transformer } : {}), ...(textEncoder ? { textEncoder } : {}) } };
}
