/** Channels per unit when none is given: a unit is a contiguous 16-channel slice of a tapped input, as in the moral-plantain probe. */
export const DEFAULT_UNIT_WIDTH = 16;

/** How one unit of a probe is defined, as the activations metadata, run.json and the card state it. */
export interface UnitDefinition {
  /** Channels per unit (16 in the original probe). */
  readonly width: number;
  /** Every channel of the tapped inputs, only the attention channels, or another channel range (`channelRange`). */
  readonly channels: 'all' | 'attention-only' | 'subset';
  /** The channels tapped, start inclusive, end exclusive (when not all). */
  readonly channelRange?: { readonly start: number; readonly end: number };
  /** Number of units over all tapped modules. */
  readonly count: number;
  /**
   * Over which tokens a unit's RMS is taken when reference-image tokens are present: `all` (the
   * text, noisy image and reference image tokens each tapped input holds) or `text-and-noisy` (the
   * reference image tokens left out). Absent when the probe had no reference images.
   */
  readonly tokens?: UnitTokens;
}

/** Which tokens a unit's RMS covers when reference-image tokens are present. */
export type UnitTokens = 'all' | 'text-and-noisy';

/** The values of `UnitTokens`. */
export const UNIT_TOKENS: readonly UnitTokens[] = ['all', 'text-and-noisy'];
