import { FONT_SIZE, textWidth } from './figure-style.js';

/** A count axis: a linear or symmetric-log scale from 0, whole-number ticks, and a title that says which. */
export interface CountAxis {
  readonly symlog: boolean;
  /** Upper end of the domain: a round number at or above the largest count. */
  readonly max: number;
  /** Tick values, all whole numbers, in increasing order. */
  readonly ticks: readonly number[];
  /** vega-lite scale of the axis. */
  readonly scale: { type: 'linear' | 'symlog'; domain: [number, number]; nice: false; zero: true; constant?: number };
  /** vega-lite axis: the ticks (all of them: tickCount would thin them), their format, the title with the scale said. */
  readonly axis: { values: number[]; tickCount: number; format: string; title: string | string[]; labelOverlap: false; labelFlush: true };
  /** Position of a count along the axis, 0 at the start and 1 at the end. */
  readonly position: (count: number) => number;
}

/** Options of a count axis. */
export interface CountAxisOptions {
  /** Title of the axis; "(symmetric log scale)" follows when the scale is one (on a second line on a y axis). */
  readonly title: string;
  /** Length of the axis in pixels, to space the tick labels. */
  readonly pixels: number;
  /** 'x' spaces labels by their width, 'y' by their height. */
  readonly orient: 'x' | 'y';
  /** 'linear' keeps the axis linear whatever the counts. Default 'auto'. */
  readonly scale?: 'auto' | 'linear';
}

/** Least room between two tick labels, in pixels. */
const LABEL_GAP = 8;

/** The largest count a linear axis is kept for, whatever the spread. */
const LINEAR_UP_TO = 20;

/**
 * A count axis over [0, max] (max at least 1). It is linear while the largest count is small or the
 * smallest positive count is within 20x of it, else symmetric log (`sign(x) log(1 + |x|)`, so 0 has a
 * place), because 5 and 3,221 must both be read off one axis. Ticks are whole numbers: a round step
 * on a linear axis; 0, 10^k, the end, 5 x 10^k and 2 x 10^k on a symmetric-log axis, each
 * where its label does not run into one already placed.
 */
export function countAxis(largest: number, smallestPositive: number | null, options: CountAxisOptions): CountAxis {
  const top = Number.isFinite(largest) ? Math.max(1, largest) : 1;
  const symlog = options.scale !== 'linear' && top > LINEAR_UP_TO && (smallestPositive === null || smallestPositive * LINEAR_UP_TO < top);
  if (!symlog) {
    const step = roundAtLeast(top / 6);
    const max = Math.ceil(top / step) * step;
    const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
    return {
      symlog,
      max,
      ticks,
      scale: { type: 'linear', domain: [0, max], nice: false, zero: true },
      axis: { values: ticks, tickCount: ticks.length, format: ',d', title: options.title, labelOverlap: false, labelFlush: true },
      position: (count) => count / max,
    };
  }
  const max = roundAtLeast(top);
  const position = (count: number) => Math.log1p(Math.max(0, count)) / Math.log1p(max);
  const ticks = symlogTicks(max, position, options);
  return {
    symlog,
    max,
    ticks,
    scale: { type: 'symlog', domain: [0, max], nice: false, zero: true, constant: 1 },
    axis: { values: [...ticks], tickCount: ticks.length, format: ',d', title: options.orient === 'y' ? [options.title, '(symmetric log scale)'] : `${options.title} (symmetric log scale)`, labelOverlap: false, labelFlush: true },
    position,
  };
}

/** The smallest of 1, 2, 5 x 10^k (k >= 0) that is at least x. */
export function roundAtLeast(x: number): number {
  if (!(x > 1)) return 1;
  let power = 10 ** Math.floor(Math.log10(x));
  // log10 of a power of ten can land just below the integer.
  if (power * 10 <= x) power *= 10;
  for (const m of [1, 2, 5, 10]) if (m * power >= x) return m * power;
  return 10 * power;
}

function symlogTicks(max: number, position: (count: number) => number, options: CountAxisOptions): number[] {
  const candidates: number[][] = [[0], [], [max], [], []];
  for (let power = 1; power <= max; power *= 10) {
    candidates[1]!.push(power);
    candidates[3]!.push(5 * power);
    candidates[4]!.push(2 * power);
  }
  // The labels at either end sit flush inside the axis, the others centred on their tick.
  const span = (value: number): [number, number] => {
    const at = position(value) * options.pixels;
    const size = options.orient === 'x' ? textWidth(value.toLocaleString('en-US')) : FONT_SIZE.label;
    if (value === 0) return [at, at + size];
    if (value === max) return [at - size, at];
    return [at - size / 2, at + size / 2];
  };
  const placed: { value: number; span: [number, number] }[] = [];
  for (const value of candidates.flat()) {
    if (value > max || placed.some((p) => p.value === value)) continue;
    const [from, to] = span(value);
    if (placed.every((p) => to + LABEL_GAP <= p.span[0] || from >= p.span[1] + LABEL_GAP)) placed.push({ value, span: [from, to] });
  }
  return placed.map((p) => p.value).sort((a, b) => a - b);
}
