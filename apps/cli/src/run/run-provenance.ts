import path from 'node:path';
import { PROBE_TIMESTEP, type ModelFolder, type ModelFolderInfo, type ProbeResult } from '@moral-plantain/model-runtime';
import { RUN_FORMAT, type RunProvenance, type UnitDefinition } from '@moral-plantain/report';
import type { StimulusSet, ValidationReport } from '@moral-plantain/stimuli';
import { packageVersions } from './package-versions.js';
import type { RunSettings } from './run-settings.js';

/** What a run's provenance is assembled from. */
export interface ProvenanceSources {
  readonly folder: ModelFolder;
  readonly info: ModelFolderInfo;
  readonly settings: RunSettings;
  readonly set: StimulusSet;
  readonly validation: ValidationReport;
  readonly probe: ProbeResult;
}

/** The run's provenance for run.json and the report: model and its file hashes, stimuli, protocol, versions, device. */
export function runProvenance({ folder, info, settings, set, validation, probe }: ProvenanceSources): RunProvenance {
  const tiny = folder.manifest?.tiny ?? false;
  const weightSeed = info.seeds.transformer;
  return {
    format: RUN_FORMAT,
    model: {
      name: tiny ? 'tiny FLUX.2-architecture model (seeded random weights)' : (folder.manifest?.name ?? path.basename(folder.dir)),
      baseModel: 'black-forest-labs/FLUX.2-klein-base-4B',
      kind: tiny ? 'tiny-seeded' : weightSeed !== undefined ? 'random-init-control' : 'pretrained',
      ...(weightSeed !== undefined ? { weightSeed } : {}),
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
      ...(recordedResolution(probe.activations.metadata) ?? {}),
      unit: unitDefinition(settings, probe.manifest.taps, probe.activations.nUnits),
      tappedModules: probe.manifest.taps.map((t) => t.module),
    },
    permutations: settings.permutations,
    splits: settings.splits,
    packages: packageVersions(),
    device: probe.device ?? `${settings.device} (every prompt came from the cache)`,
    createdAt: new Date().toISOString(),
  };
}

/** The unit definition as run: all channels, the attention channels (0 to D, D = a joint block's input width), or another range. */
function unitDefinition(settings: RunSettings, taps: readonly { readonly group: string; readonly width: number }[], count: number): UnitDefinition {
  const range = settings.channels;
  if (range === null) return { width: settings.unitWidth, channels: 'all', count };
  const innerDim = taps.find((t) => t.group.startsWith('joint'))?.width;
  const channels = range.start === 0 && range.end === innerDim ? 'attention-only' : 'subset';
  return { width: settings.unitWidth, channels, channelRange: { start: range.start, end: range.end }, count };
}

/** The probe's [height, width] as the runner recorded it in the activations metadata. */
function recordedResolution(metadata: Readonly<Record<string, string>>): { resolution: { width: number; height: number } } | null {
  try {
    const [height, width] = JSON.parse(metadata.resolution ?? '') as [number, number];
    return Number.isInteger(height) && Number.isInteger(width) ? { resolution: { height, width } } : null;
  } catch {
    return null;
  }
}
