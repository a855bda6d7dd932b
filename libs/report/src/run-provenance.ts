/** Identifier written in every run.json. */
export const RUN_FORMAT = 'moral-plantain/run@1';

/** What kind of weights the probed model had. */
export type ModelKind = 'pretrained' | 'tiny-seeded' | 'random-init-control';

/** The probed model. */
export interface ModelProvenance {
  /** Human-readable name, e.g. "FLUX.2 [klein] 4B". */
  readonly name: string;
  /** Hugging Face id of the model the weights (or the architecture) come from. */
  readonly baseModel?: string;
  readonly kind: ModelKind;
  /** Seed of the random weights (tiny-seeded and random-init-control models). */
  readonly weightSeed?: number;
  /** Model files and their SHA-256 hashes. */
  readonly files?: readonly { readonly path: string; readonly sha256: string }[];
}

/** The paired stimulus set. */
export interface StimuliProvenance {
  readonly name: string;
  readonly version?: string;
  /** The paired axis the set probes, e.g. "moral valence" (default in the report: ethical valence). */
  readonly axis?: string;
  /** Content hash of the set (e.g. "sha256:..."). */
  readonly hash?: string;
  readonly pairs: number;
  /** Kinds of acts covered, e.g. "physical assistance". */
  readonly categories?: readonly string[];
  /** What condition a and condition b stand for, e.g. helping vs ignoring. */
  readonly conditions?: { readonly a: string; readonly b: string };
}

/** How one unit is defined. */
export interface UnitDefinition {
  /** Channels per unit (16 in the original). */
  readonly width: number;
  /** Every channel of the tapped input, only the attention channels, or another channel range (`channelRange`). */
  readonly channels: 'all' | 'attention-only' | 'subset';
  /** The channels tapped, start inclusive, end exclusive (when not all). */
  readonly channelRange?: { readonly start: number; readonly end: number };
  /** Number of units over all tapped modules. */
  readonly count: number;
}

/** The probe protocol as run. */
export interface ProtocolProvenance {
  readonly steps: number;
  readonly guidanceScale: number;
  readonly timestep: number;
  /** Seed of the noise latents. */
  readonly seed: number;
  readonly resolution?: { readonly width: number; readonly height: number };
  readonly unit: UnitDefinition;
  /** Module paths whose attention output projection input was tapped. */
  readonly tappedModules?: readonly string[];
}

/** Everything the report knows about a run beyond its results (the `run.json` beside `results.json`). */
export interface RunProvenance {
  readonly format?: typeof RUN_FORMAT;
  readonly model?: ModelProvenance;
  readonly stimuli?: StimuliProvenance;
  readonly protocol?: ProtocolProvenance;
  /** Permutations requested (results.json records the count actually used). */
  readonly permutations?: number;
  /** Split-half splits requested (results.json records the count actually used). */
  readonly splits?: number;
  /** Package name -> version of everything that took part in the run. */
  readonly packages?: Readonly<Record<string, string>>;
  readonly device?: string;
  /** ISO 8601 time the run finished. */
  readonly createdAt?: string;
}
