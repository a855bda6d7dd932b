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
}
