import { DEFAULT_UNIT_WIDTH, type UnitDefinition } from '@moral-plantain/formats';
import type { TapsManifest } from '@moral-plantain/hooks';
import type { ProbeTapOptions } from './tap-transformer.js';

/**
 * The unit definition of a probe as run, stated from the taps: all channels, the attention
 * channels only (the range 0 to D, where D is the width of a joint block's attention output
 * projection input, which holds only attention channels, and the first D channels of a single
 * block's), or another channel range; with reference images, over which tokens the RMS is taken.
 */
export function unitDefinition(options: ProbeTapOptions, manifest: TapsManifest, withReferences = false): UnitDefinition {
  const width = options.unitWidth ?? DEFAULT_UNIT_WIDTH;
  const count = manifest.totalUnits;
  const range = options.channels;
  const tokens = withReferences ? { tokens: options.unitTokens ?? 'all' } : {};
  if (range === undefined) return { width, channels: 'all', count, ...tokens };
  const attentionWidth = manifest.taps.find((t) => t.group.startsWith('joint'))?.width;
  const channels = range.start === 0 && range.end === attentionWidth ? 'attention-only' : 'subset';
  return { width, channels, channelRange: { start: range.start, end: range.end }, count, ...tokens };
}
