import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { DEFAULT_UNIT_WIDTH } from '@moral-plantain/formats';
import { attr, type Attributes } from './attributes.js';
import { DataType } from './data-type.js';
import type { HooksError, HooksErrors } from './errors.js';
import { findLinearLayers, type LinearLayer } from './find-linears.js';
import { extendGraph, type Dim, type GraphBuilder } from './graph-builder.js';
import type { ModelProto } from './onnx-types.js';
import { selectLayers, type Selection, type SelectedLayer } from './selectors.js';
import { float32Tensor, int64Tensor } from './tensor-data.js';
import { TAPS_FORMAT, type TapEntry, type TapsManifest } from './taps-manifest.js';

/** A half-open index range `[start, end)`. */
export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

/** Options of `insertTaps`. */
export interface TapOptions extends Selection {
  /** Channels per unit (default `DEFAULT_UNIT_WIDTH`, 16); must divide the tapped channel count of every selected layer. */
  readonly unitWidth?: number;
  /** Channel range of each layer's input to tap (default: all channels). */
  readonly channels?: IndexRange;
  /**
   * Token (sequence axis) range to reduce over (default: all tokens): one range for every tap, or a
   * function giving each selected layer its own (undefined: all its tokens), e.g. when joint and
   * single blocks see different sequences.
   */
  readonly tokens?: IndexRange | ((layer: SelectedLayer) => IndexRange | undefined);
  /** Also promote each tapped input tensor, cast to float32, as an output `raw/<module>` (default false). */
  readonly raw?: boolean;
  /**
   * Add a per-unit scale input `scale/<module>` multiplying the layer's input, before the tap reads
   * it: `true` gives a float32 [units] vector shared by the batch, `'per-sample'` a float32
   * [batch, units] matrix, one scale vector per sample (so one call can run many patches). Feed ones
   * (`ablationFeeds`) for no change (default false).
   */
  readonly ablation?: boolean | 'per-sample';
}

/** A tapped model and its manifest. */
export interface TappedModel {
  readonly model: ModelProto;
  readonly manifest: TapsManifest;
}

/**
 * Adds taps to a model (in place): for each selected linear layer, nodes that compute per sample
 * the RMS over the sequence axis and each `unitWidth` channels of the layer's input, in float32,
 * as one extra graph output [batch, units]. Original nodes and outputs are left as they are (with
 * `ablation`, the layer's input is multiplied by a scale input whose default is exactly one).
 * All option problems are reported at once.
 */
export function insertTaps(model: ModelProto, options: TapOptions): E.Either<HooksErrors, TappedModel> {
  const unitWidth = options.unitWidth ?? DEFAULT_UNIT_WIDTH;
  return pipe(
    E.Do,
    E.bind('optionsOk', () => checkOptions(options, unitWidth)),
    E.bind('selected', () => selectLayers(findLinearLayers(model), options)),
    E.flatMap(({ selected }) => planTaps(selected, options, unitWidth)),
    E.map((plans) => ({ model, manifest: addTaps(model, plans, options, unitWidth) })),
  );
}

interface TapPlan {
  readonly selected: SelectedLayer;
  readonly width: number;
  readonly channels: IndexRange;
  readonly units: number;
  /** Token range reduced over, or undefined for all tokens. */
  readonly tokens: IndexRange | undefined;
}

function checkOptions(options: TapOptions, unitWidth: number): E.Either<HooksErrors, true> {
  const problems: HooksError[] = [];
  if (!Number.isInteger(unitWidth) || unitWidth < 1) problems.push({ _tag: 'InvalidOption', option: '--unit-width', reason: `${unitWidth} is not a positive integer` });
  for (const [option, range] of [['--channels', options.channels], ['--tokens', typeof options.tokens === 'function' ? undefined : options.tokens]] as const) {
    if (range && !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end > range.start)) {
      problems.push({ _tag: 'InvalidOption', option, reason: `${range.start}:${range.end} is not a range A:B of integers with 0 <= A < B` });
    }
  }
  const [first, ...rest] = problems;
  return first ? E.left([first, ...rest]) : E.right(true);
}

function planTaps(selected: readonly SelectedLayer[], options: TapOptions, unitWidth: number): E.Either<HooksErrors, TapPlan[]> {
  const problems: HooksError[] = [];
  const plans: TapPlan[] = [];
  for (const item of selected) {
    const { layer } = item;
    const width = layer.inputWidth;
    if (width === undefined) {
      problems.push({ _tag: 'WidthUnknown', module: layer.module, node: layer.node });
      continue;
    }
    const channels = options.channels ?? { start: 0, end: width };
    if (channels.end > width) {
      problems.push({ _tag: 'RangeOutOfBounds', module: layer.module, what: 'channels', range: `${channels.start}:${channels.end}`, size: width });
      continue;
    }
    const tapped = channels.end - channels.start;
    if (tapped % unitWidth !== 0) {
      problems.push({ _tag: 'UnitWidthDoesNotDivide', module: layer.module, channels: tapped, unitWidth });
      continue;
    }
    const tokens = typeof options.tokens === 'function' ? options.tokens(item) : options.tokens;
    if (tokens && !(Number.isInteger(tokens.start) && Number.isInteger(tokens.end) && tokens.start >= 0 && tokens.end > tokens.start)) {
      problems.push({ _tag: 'InvalidOption', option: '--tokens', reason: `${tokens.start}:${tokens.end} (for ${layer.module}) is not a range A:B of integers with 0 <= A < B` });
      continue;
    }
    plans.push({ selected: item, width, channels, units: tapped / unitWidth, tokens });
  }
  const [first, ...rest] = problems;
  return first ? E.left([first, ...rest]) : E.right(plans);
}

function addTaps(model: ModelProto, plans: readonly TapPlan[], options: TapOptions, unitWidth: number): TapsManifest {
  const builder = extendGraph(model);
  const opset = builder.opsetVersion('') ?? 17;
  const taps: TapEntry[] = [];
  let offset = 0;
  for (const plan of plans) {
    const { layer, group } = plan.selected;
    const scope = builder.scope('taps').scope(layer.module);
    const input = options.ablation ? addAblation(model, builder, scope, plan, opset, options.ablation === 'per-sample') : undefined;
    const source = input?.scaled ?? layer.input;
    const output = tapNodes(builder, scope, plan, source, plan.tokens, opset, unitWidth);
    const batch: Dim = layer.inputShape?.[0] ?? null;
    builder.output(output, DataType.FLOAT, [batch, plan.units]);
    const raw = options.raw ? rawOutput(builder, scope, layer, source) : undefined;
    taps.push({
      module: layer.module,
      output,
      node: layer.node,
      width: plan.width,
      units: plan.units,
      offset,
      group,
      channels: [plan.channels.start, plan.channels.end],
      tokens: plan.tokens ? [plan.tokens.start, plan.tokens.end] : null,
      ...(raw ? { raw } : {}),
      ...(input ? { scaleInput: input.name } : {}),
      ...(input && options.ablation === 'per-sample' ? { scalePerSample: true as const } : {}),
    });
    offset += plan.units;
  }
  return { format: TAPS_FORMAT, unitWidth, totalUnits: offset, taps };
}

/** Reduction attributes or inputs depending on the opset (axes became an input in opset 18). */
function reduce(scope: GraphBuilder, op: string, input: string, axes: readonly number[] | undefined, opset: number): string {
  const keep: Attributes = { keepdims: attr.int(0) };
  if (axes === undefined) return scope.op(op, [input], keep);
  if (opset >= 18) return scope.op(op, [input, scope.constant(int64Tensor(axes))], keep);
  return scope.op(op, [input], { ...keep, axes: attr.ints(axes) });
}

function tapNodes(builder: GraphBuilder, scope: GraphBuilder, plan: TapPlan, source: string, tokens: IndexRange | undefined, opset: number, unitWidth: number): string {
  const { layer } = plan.selected;
  // Gemm inputs are 2-D by definition: then each row is a sample and there is no sequence axis.
  const rank = layer.inputShape?.length ?? (layer.op === 'Gemm' ? 2 : 3);
  const sequenceAxes = Array.from({ length: Math.max(rank - 2, 0) }, (_, i) => i + 1);
  const slices: { axis: number; range: IndexRange }[] = [];
  if (tokens && sequenceAxes.length > 0) slices.push({ axis: 1, range: tokens });
  if (plan.channels.start !== 0 || plan.channels.end !== plan.width) slices.push({ axis: -1, range: plan.channels });
  let x = source;
  if (slices.length > 0) {
    x = scope.op('Slice', [
      x,
      scope.constant(int64Tensor(slices.map((s) => s.range.start))),
      scope.constant(int64Tensor(slices.map((s) => s.range.end))),
      scope.constant(int64Tensor(slices.map((s) => s.axis))),
    ]);
  }
  if (layer.inputType !== DataType.FLOAT) x = scope.op('Cast', [x], { to: attr.int(DataType.FLOAT) });
  const tapped = plan.channels.end - plan.channels.start;
  // Several sequence axes are flattened into one: [batch, tokens, channels].
  if (sequenceAxes.length > 1) x = scope.op('Reshape', [x, scope.constant(int64Tensor([0, -1, tapped]))]);
  let meanSquare: string;
  if (sequenceAxes.length === 0) {
    const squares = scope.op('Mul', [x, x]);
    meanSquare = reduce(scope, 'ReduceMean', scope.op('Reshape', [squares, scope.constant(int64Tensor([0, plan.units, unitWidth]))]), [2], opset);
  } else {
    // Mean of squares over each unit's channels first: the last, contiguous axis of
    // [batch, tokens, units, width], one pass over the input with a 1/width-sized result. Then the
    // sum over tokens as a product with a row of ones: a GEMV, an order of magnitude faster on the
    // CPU provider than a reduction over a middle axis.
    const tokenCount = sequenceLength(scope, x, opset);
    const perToken = reduce(scope, 'ReduceSumSquare', scope.op('Reshape', [x, scope.constant(int64Tensor([0, 0, plan.units, unitWidth]))]), [3], opset);
    const ones = scope.op('ConstantOfShape', [tokenCount], { value: attr.tensor(float32Tensor(new Float32Array([1 / unitWidth]), [1])) });
    const row = scope.op('Reshape', [ones, scope.constant(int64Tensor([1, -1]))]);
    const sums = scope.op('MatMul', [row, perToken]);
    const unitMean = scope.op('Reshape', [sums, scope.constant(int64Tensor([0, plan.units]))]);
    meanSquare = scope.op('Div', [unitMean, scope.op('Cast', [tokenCount], { to: attr.int(DataType.FLOAT) })]);
  }
  return scope.node('Sqrt', [meanSquare], { outputs: [uniqueOutput(builder, `tap/${layer.module}`)] })[0] as string;
}

/** The length of axis 1 of x as a 1-element int64 tensor; one Shape node when the opset allows. */
function sequenceLength(scope: GraphBuilder, x: string, opset: number): string {
  if (opset >= 15) return scope.op('Shape', [x], { start: attr.int(1), end: attr.int(2) });
  const one = (v: number) => scope.constant(int64Tensor([v]));
  return scope.op('Slice', [scope.op('Shape', [x]), one(1), one(2), one(0)]);
}

function rawOutput(builder: GraphBuilder, scope: GraphBuilder, layer: LinearLayer, source: string): string {
  const name = uniqueOutput(builder, `raw/${layer.module}`);
  if (layer.inputType === DataType.FLOAT) scope.node('Identity', [source], { outputs: [name] });
  else scope.node('Cast', [source], { outputs: [name], attributes: { to: attr.int(DataType.FLOAT) } });
  builder.output(name, DataType.FLOAT, layer.inputShape ?? undefined);
  return name;
}

function addAblation(model: ModelProto, builder: GraphBuilder, scope: GraphBuilder, plan: TapPlan, opset: number, perSample: boolean): { name: string; scaled: string } {
  const { layer } = plan.selected;
  const graph = model.graph as NonNullable<ModelProto['graph']>;
  const before = graph.node.length;
  const name = uniqueOutput(builder, `scale/${layer.module}`);
  // A plain graph input, not an initializer-backed default: onnxruntime-node cannot feed overridable
  // initializers, so runners feed ones (see `ablationFeeds`) unless they ablate.
  builder.input(name, DataType.FLOAT, perSample ? [layer.inputShape?.[0] ?? 'batch', plan.units] : [plan.units]);
  let perChannel = perSample ? perSampleChannelScales(scope, name, plan, layer.inputShape?.length ?? (layer.op === 'Gemm' ? 2 : 3), opset) : sharedChannelScales(scope, name, plan);
  if (layer.inputType !== DataType.FLOAT) {
    perChannel =
      layer.inputType !== undefined
        ? scope.op('Cast', [perChannel], { to: attr.int(layer.inputType) })
        : scope.op(opset >= 15 ? 'CastLike' : 'Identity', opset >= 15 ? [perChannel, layer.input] : [perChannel]);
  }
  const scaled = scope.op('Mul', [layer.input, perChannel]);
  // Move the new nodes before the linear node and feed it the scaled input.
  const created = graph.node.splice(before);
  const target = graph.node.findIndex((n, i) => (n.name !== '' ? n.name === layer.node : `#${i}` === layer.node));
  const linear = graph.node[target];
  if (linear) linear.input[0] = scaled;
  graph.node.splice(target, 0, ...created);
  return { name, scaled };
}

/** One scale per channel of the layer's input [width] from the shared [units] input: each unit's scale repeated over its channels, ones outside the tapped range. */
function sharedChannelScales(scope: GraphBuilder, name: string, plan: TapPlan): string {
  const unitWidth = (plan.channels.end - plan.channels.start) / plan.units;
  const column = scope.op('Reshape', [name, scope.constant(int64Tensor([plan.units, 1]))]);
  const grid = scope.op('Expand', [column, scope.constant(int64Tensor([plan.units, unitWidth]))]);
  const perChannel = scope.op('Reshape', [grid, scope.constant(int64Tensor([-1]))]);
  const head = plan.channels.start;
  const tail = plan.width - plan.channels.end;
  if (head === 0 && tail === 0) return perChannel;
  const pieces = [
    ...(head > 0 ? [scope.constant(float32Tensor(new Float32Array(head).fill(1)))] : []),
    perChannel,
    ...(tail > 0 ? [scope.constant(float32Tensor(new Float32Array(tail).fill(1)))] : []),
  ];
  return scope.op('Concat', pieces, { axis: attr.int(0) });
}

/**
 * Per-sample channel scales from the [batch, units] input, shaped to broadcast over the layer's
 * input of rank `rank`: [batch, 1, ..., 1, width], each unit's scale repeated over its channels,
 * ones outside the tapped range (a constant pad).
 */
function perSampleChannelScales(scope: GraphBuilder, name: string, plan: TapPlan, rank: number, opset: number): string {
  const tapped = plan.channels.end - plan.channels.start;
  const unitWidth = tapped / plan.units;
  const cube = scope.op('Reshape', [name, scope.constant(int64Tensor([0, plan.units, 1]))]);
  // Expand broadcasts both ways: [batch, units, 1] against [1, units, width] is [batch, units, width].
  const grid = scope.op('Expand', [cube, scope.constant(int64Tensor([1, plan.units, unitWidth]))]);
  let rows = scope.op('Reshape', [grid, scope.constant(int64Tensor([0, tapped]))]);
  const head = plan.channels.start;
  const tail = plan.width - plan.channels.end;
  if (head > 0 || tail > 0) {
    rows =
      opset >= 11
        ? scope.op('Pad', [rows, scope.constant(int64Tensor([0, head, 0, tail])), scope.constant(float32Tensor(new Float32Array([1]), []))])
        : scope.op('Pad', [rows], { pads: attr.ints([0, head, 0, tail]), value: attr.float(1) });
  }
  if (rank <= 2) return rows;
  return scope.op('Reshape', [rows, scope.constant(int64Tensor([0, ...Array<number>(rank - 2).fill(1), plan.width]))]);
}

function uniqueOutput(builder: GraphBuilder, base: string): string {
  if (!builder.hasValue(base)) return base;
  let i = 1;
  while (builder.hasValue(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}
