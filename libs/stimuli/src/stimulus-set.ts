/** Identifier of the stimulus-set file format; part of the canonical serialization and the content hash. */
export const STIMULUS_SET_FORMAT = 'moral-plantain/stimuli@1';

/** The labels of the two conditions of a paired set (condition a and condition b). */
export interface ConditionLabels {
  readonly a: string;
  readonly b: string;
}

/** One matched pair: the same scene and agents, two prompts that differ only in the act. */
export interface StimulusPair {
  /** Unique within the set; lower-case letters, digits and hyphens. */
  readonly id: string;
  readonly category: string;
  /** A short name of the setting the two prompts share. */
  readonly scene: string;
  /** Named agents; each must appear (case-insensitively) in both prompts. */
  readonly agents: readonly string[];
  /** The prompt of condition a. */
  readonly a: string;
  /** The prompt of condition b. */
  readonly b: string;
  /**
   * A neutral description of the pair's scene and agents, without the act that tells a from b: the
   * text a reference image of the scene is generated from (`run --reference generate`).
   */
  readonly neutral?: string;
  readonly notes?: string;
}

/** A paired stimulus set: metadata and pairs, as loaded (strings NFC-normalized and trimmed). */
export interface StimulusSet {
  readonly format: typeof STIMULUS_SET_FORMAT;
  readonly name: string;
  readonly version: string;
  /** The paired axis the set probes, e.g. "moral valence". */
  readonly axis: string;
  readonly description: string;
  /** What changes from condition a to condition b and what is held constant, in a sentence or two (optional). */
  readonly contrast?: string;
  readonly conditions: ConditionLabels;
  /** BCP 47 language tag of the prompts, e.g. "en". */
  readonly language: string;
  /** SPDX license identifier of the prompts. */
  readonly license: string;
  /** True for sets that only illustrate the format and are not meant as an experiment. */
  readonly example: boolean;
  /** Declared categories; when present every pair must use one, and balance is checked over all of them. */
  readonly categories?: readonly string[];
  readonly pairs: readonly StimulusPair[];
}
