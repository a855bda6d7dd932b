import * as E from 'fp-ts/lib/Either.js';

/** The activations metadata key that holds the taps manifest (JSON) of the tapped model the units came from. */
export const TAPS_METADATA_KEY = 'taps';

/** The `format` of a taps manifest (`<tapped model>.taps.json`), as embedded in activations metadata. */
export const TAPS_FORMAT = 'moral-plantain/taps@1';

/** One tapped layer of a taps manifest: the fields that say where its units come from. */
export interface UnitTap {
  /** Module path of the tapped linear layer. */
  readonly module: string;
  /** Label of the block the layer belongs to (`joint[3]`, `single[19]`, or the module path). */
  readonly group: string;
  /** Number of units this layer gives. */
  readonly units: number;
  /** Index of this layer's first unit among all units. */
  readonly offset: number;
  /** Tapped channel range [start, end) of the layer's input. */
  readonly channels: readonly [number, number];
}

/** A taps manifest as far as the unit map needs it (a hooks `TapsManifest` is one). */
export interface UnitTaps {
  readonly format: string;
  /** Channels per unit. */
  readonly unitWidth: number;
  readonly totalUnits: number;
  readonly taps: readonly UnitTap[];
}

/** Where each unit comes from, one entry per unit in unit order. */
export interface UnitOrigins {
  /** Module path of the tapped layer. */
  readonly module: readonly string[];
  /** Block label of the tapped layer (its group in the taps manifest, e.g. `joint[3]`). */
  readonly block: readonly string[];
  /** Position of the unit among the units of its block, from 0, in unit order. */
  readonly indexInBlock: readonly number[];
  /** First input channel of the unit in its layer (inclusive). */
  readonly channelStart: readonly number[];
  /** End of the unit's input channels in its layer (exclusive). */
  readonly channelEnd: readonly number[];
}

/** Why an embedded taps manifest cannot describe the units. */
export type UnitTapsProblem = string;

/**
 * Reads the taps manifest embedded under `taps` in activations metadata. A value that is not a
 * moral-plantain taps manifest (another tool's `taps` entry) is not ours to read: `null`. A
 * moral-plantain manifest that does not describe exactly `nUnits` units in order is a problem.
 */
export function parseUnitTaps(raw: string | undefined, nUnits: number): E.Either<UnitTapsProblem, UnitTaps | null> {
  if (raw === undefined) return E.right(null);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return E.right(null);
  }
  if (!isRecord(value) || typeof value.format !== 'string' || !value.format.startsWith('moral-plantain/taps@')) return E.right(null);
  if (value.format !== TAPS_FORMAT) return E.left(`is a ${value.format} manifest; this version reads ${TAPS_FORMAT}`);
  const { unitWidth, totalUnits, taps } = value;
  if (!isWhole(unitWidth) || unitWidth < 1) return E.left('has no whole unitWidth');
  if (totalUnits !== nUnits) return E.left(`describes ${String(totalUnits)} units for ${nUnits} in the tensors`);
  if (!Array.isArray(taps)) return E.left('has no taps list');
  let next = 0;
  for (const [i, tap] of taps.entries()) {
    const problem = tapProblem(tap, next, unitWidth);
    if (problem !== null) return E.left(`taps[${i}] ${problem}`);
    next += (tap as UnitTap).units;
  }
  if (next !== nUnits) return E.left(`taps cover ${next} units for ${nUnits} in the tensors`);
  return E.right(value as unknown as UnitTaps);
}

/** Per-unit module, block, index in block and channel range, from a taps manifest. */
export function unitOrigins(taps: UnitTaps): UnitOrigins {
  const module: string[] = [];
  const block: string[] = [];
  const indexInBlock: number[] = [];
  const channelStart: number[] = [];
  const channelEnd: number[] = [];
  const seen = new Map<string, number>();
  for (const tap of taps.taps) {
    const width = (tap.channels[1] - tap.channels[0]) / tap.units;
    let index = seen.get(tap.group) ?? 0;
    for (let k = 0; k < tap.units; k++) {
      module.push(tap.module);
      block.push(tap.group);
      indexInBlock.push(index++);
      channelStart.push(tap.channels[0] + k * width);
      channelEnd.push(tap.channels[0] + (k + 1) * width);
    }
    seen.set(tap.group, index);
  }
  return { module, block, indexInBlock, channelStart, channelEnd };
}

function tapProblem(tap: unknown, offset: number, unitWidth: number): string | null {
  if (!isRecord(tap)) return 'is not an object';
  if (typeof tap.module !== 'string' || typeof tap.group !== 'string') return 'has no module or group';
  if (!isWhole(tap.units) || tap.units < 1) return 'has no whole number of units';
  if (tap.offset !== offset) return `starts at unit ${String(tap.offset)}, expected ${offset}`;
  const channels = tap.channels;
  if (!Array.isArray(channels) || channels.length !== 2 || !isWhole(channels[0]) || !isWhole(channels[1]) || channels[0] < 0) return 'has no channel range [start, end)';
  if (channels[1] - channels[0] !== tap.units * unitWidth) return `has channels ${channels[0]}:${channels[1]} for ${tap.units} units of ${unitWidth}`;
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}
