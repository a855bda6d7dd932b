import type { ModelKind, UnitDefinition } from '@moral-plantain/formats';

/** The probed model, as a card states it. */
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

/** The paired stimulus set, as a card states it. */
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

/** The probe protocol as run, as a card states it. */
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
  /** The reference images every prompt was conditioned on (absent: none). */
  readonly references?: ReferenceProvenance;
}

/** The reference images of a run, as a card states them. */
export interface ReferenceProvenance {
  /** Given image files (the same for every pair), a folder with one image per pair, or drawn by the probed model from each pair's neutral description. */
  readonly source: 'files' | 'folder' | 'generated';
  /** Reference images per prompt. */
  readonly imagesPerPrompt: number;
  /** Reference image tokens per prompt (smallest and largest over the pairs). */
  readonly tokensPerPrompt: { readonly min: number; readonly max: number };
  /** How generated images were sampled. */
  readonly generation?: { readonly steps: number; readonly guidance: number; readonly guided: boolean; readonly seed: number };
  /** Every image with its SHA-256. */
  readonly images?: readonly { readonly path: string; readonly sha256: string }[];
}

/**
 * Everything a card knows about a run beyond its results. Every part is optional: the card renders
 * what it has and says what was not recorded. (`@moral-plantain/study` writes it into run.json.)
 */
export interface RunProvenance {
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
