import type { ModelKind, UnitDefinition, WeightQuantization } from '@moral-plantain/formats';

/** The probed model, as a card states it. */
export interface ModelProvenance {
  /** Human-readable name, e.g. "FLUX.2 [klein] 4B". */
  readonly name: string;
  /**
   * Hugging Face repo id (`org/name`) of the checkpoint the weights come from: only for pretrained
   * weights whose checkpoint is known. A card ignores it for random weights (tiny or control).
   */
  readonly baseModel?: string;
  readonly kind: ModelKind;
  /** The transformer architecture, e.g. "FLUX.2" (every model the probe runner runs is one). */
  readonly architecture?: string;
  /** Channels per attention head (the config's `attention_head_dim`), when the model folder records its config. */
  readonly attentionHeadDim?: number;
  /** Seed of the random weights (tiny-seeded and random-init-control models). */
  readonly weightSeed?: number;
  /** Model files and their SHA-256 hashes. */
  readonly files?: readonly { readonly path: string; readonly sha256: string }[];
  /** How the weights were quantized, per graph, as the model folder records it (absent: float weights, or not recorded). */
  readonly quantization?: { readonly transformer?: WeightQuantization; readonly textEncoder?: WeightQuantization };
}

/** The paired stimulus set, as a card states it. */
export interface StimuliProvenance {
  readonly name: string;
  readonly version?: string;
  /** The paired axis the set probes, e.g. "moral valence". */
  readonly axis?: string;
  /** BCP 47 language tag of the prompts, e.g. "en". */
  readonly language?: string;
  /** True for a set that only illustrates the format and is not meant as an experiment. */
  readonly example?: boolean;
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
 * Everything a card knows about a run beyond its results. Every part is optional: the card states
 * what it has and nothing it does not. (`@moral-plantain/study` writes it into run.json.)
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
  /** The device the transformer ran on: `cpu`, `cuda` or `webgpu`; null when every prompt came from the cache. */
  readonly device?: string | null;
  /** The device asked for: `cpu`, `cuda`, `webgpu` or `auto`. */
  readonly requestedDevice?: string;
  /** GPU providers tried before `device`, and why each did not load. */
  readonly deviceFallbacks?: readonly { readonly device: string; readonly reason: string }[];
  /** ISO 8601 time the run finished. */
  readonly createdAt?: string;
}
