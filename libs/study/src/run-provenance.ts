import { PROBE_TIMESTEP, type ModelFolderInfo, type ProbeResult } from '@moral-plantain/model-runtime';
import { DEFAULT_BASE_MODEL, type RunProvenance } from '@moral-plantain/report';
import type { StimulusSet, ValidationReport } from '@moral-plantain/stimuli';
import type { RunSettings } from './run-settings.js';

/** What a run's provenance is assembled from: the settings, the model folder as recorded, the stimuli and what the probe ran. */
export interface ProvenanceSources {
  readonly settings: RunSettings;
  readonly info: ModelFolderInfo;
  readonly set: StimulusSet;
  readonly validation: ValidationReport;
  /** What the probe ran (a whole run's `ProbeResult`, or one shard's `ProbePart`). */
  readonly probe: Pick<ProbeResult, 'model' | 'resolution' | 'unit' | 'manifest' | 'device'>;
  /** Package name -> version of everything that took part. */
  readonly packages: Readonly<Record<string, string>>;
}

/** The name a card gives the embedded tiny model. */
export const TINY_MODEL_NAME = 'tiny FLUX.2-architecture model (seeded random weights)';

/** The run's provenance for run.json and the card: the model and its file hashes, the stimuli, the protocol as run, versions, device. */
export function runProvenance({ settings, info, set, validation, probe, packages }: ProvenanceSources): RunProvenance {
  const { model, resolution } = probe;
  return {
    model: {
      name: model.kind === 'tiny-seeded' ? TINY_MODEL_NAME : model.name,
      baseModel: DEFAULT_BASE_MODEL,
      kind: model.kind,
      ...(model.weightSeed !== undefined ? { weightSeed: model.weightSeed } : {}),
      files: info.files.flatMap((f) => (f.sha256 ? [{ path: f.file, sha256: f.sha256 }] : [])),
    },
    stimuli: {
      name: set.name,
      version: set.version,
      axis: set.axis,
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
    },
    permutations: settings.permutations,
    splits: settings.splits,
    packages,
    device: probe.device ?? `${settings.device} (every prompt came from the cache)`,
    createdAt: new Date().toISOString(),
  };
}
