import { AttributeType } from './data-type.js';
import { modulePathFromMetadata, modulePathFromNodeName, modulePathFromWeightName } from './module-path.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from './onnx-types.js';

/** Where a linear layer's module path came from. */
export type ModulePathSource = 'weight-name' | 'node-metadata' | 'node-name' | 'node';

/** A linear layer found in a graph: a MatMul, Gemm or MatMulNBits whose other input is a weight. */
export interface LinearLayer {
  /** Module path (`transformer_blocks.0.attn.to_out.0`); the node name when none can be recovered. */
  readonly module: string;
  /** Where `module` came from. */
  readonly moduleSource: ModulePathSource;
  /** Operator: MatMul, Gemm or MatMulNBits. */
  readonly op: string;
  /** Node name (`#index` for an unnamed node). */
  readonly node: string;
  /** Index of the node in the graph. */
  readonly nodeIndex: number;
  /** The activation input (the value a tap reads). */
  readonly input: string;
  /** The weight initializer at the end of the Transpose/Cast/DequantizeLinear chain. */
  readonly weight: string;
  /** Input width (channels), from the weight shape or the graph's shapes; undefined if unknown. */
  readonly inputWidth: number | undefined;
  /** Element type of the activation input if known (`DataType` code). */
  readonly inputType: number | undefined;
  /** Declared shape of the activation input if known (null for unknown dims). */
  readonly inputShape: readonly (number | string | null)[] | undefined;
}

const passThrough = new Set(['Transpose', 'Cast', 'DequantizeLinear', 'Identity', 'QuantizeLinear']);

/**
 * Finds the linear layers of a model's main graph: MatMul and Gemm nodes whose second input is an
 * initializer (possibly through Transpose, Cast or DequantizeLinear), and `com.microsoft`
 * MatMulNBits nodes. Module paths come from the weight's name, then the dynamo exporter's node
 * metadata, then TorchScript-style scoped node names.
 */
export function findLinearLayers(model: ModelProto): LinearLayer[] {
  const graph = model.graph;
  if (!graph) return [];
  const initializers = new Map<string, TensorProto>(graph.initializer.map((t) => [t.name, t]));
  const producers = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) producers.set(output, node);
  const infos = valueInfos(graph);
  const layers: LinearLayer[] = [];
  graph.node.forEach((node, nodeIndex) => {
    const kind = linearKind(node);
    if (!kind || node.input.length < 2) return;
    const chain = traceWeight(node.input[1] as string, initializers, producers);
    if (!chain) return;
    const input = node.input[0] as string;
    const info = infos.get(input);
    const inputShape = info ? shapeOf(info) : undefined;
    const weightWidth = weightInputWidth(node, kind, chain);
    const last = inputShape?.at(-1);
    const inputWidth = weightWidth ?? (typeof last === 'number' ? last : undefined);
    const nodeName = node.name !== '' ? node.name : `#${nodeIndex}`;
    const [module, moduleSource] = recoverModule(node, chain.initializer.name, nodeName);
    layers.push({
      module,
      moduleSource,
      op: node.opType,
      node: nodeName,
      nodeIndex,
      input,
      weight: chain.initializer.name,
      inputWidth,
      inputType: elemTypeOf(info) ?? activationType(node, kind, chain, initializers),
      inputShape,
    });
  });
  return layers;
}

type LinearKind = 'MatMul' | 'Gemm' | 'MatMulNBits';

function linearKind(node: NodeProto): LinearKind | undefined {
  const standard = node.domain === '' || node.domain === 'ai.onnx';
  if (standard && (node.opType === 'MatMul' || node.opType === 'Gemm')) return node.opType;
  if (node.domain === 'com.microsoft' && node.opType === 'MatMulNBits') return 'MatMulNBits';
  return undefined;
}

interface WeightChain {
  readonly initializer: TensorProto;
  /** Whether an odd number of 2-D transposes lies between the initializer and the node. */
  readonly transposed: boolean;
  /** Element type after the chain (Cast target or DequantizeLinear scale type), if it changes. */
  readonly castTo: number | undefined;
  readonly dequantizeScale: string | undefined;
}

function traceWeight(value: string, initializers: Map<string, TensorProto>, producers: Map<string, NodeProto>): WeightChain | undefined {
  let transposed = false;
  let castTo: number | undefined;
  let dequantizeScale: string | undefined;
  let current = value;
  for (let depth = 0; depth < 8; depth++) {
    const initializer = initializers.get(current);
    if (initializer) return { initializer, transposed, castTo, dequantizeScale };
    const producer = producers.get(current);
    if (!producer || !passThrough.has(producer.opType) || producer.input.length === 0) return undefined;
    if (producer.opType === 'Transpose') {
      const perm = intsAttribute(producer, 'perm');
      if (perm === undefined || (perm.length === 2 && perm[0] === 1 && perm[1] === 0)) transposed = !transposed;
    }
    if (producer.opType === 'Cast' && castTo === undefined) castTo = intAttribute(producer, 'to');
    if (producer.opType === 'DequantizeLinear' && dequantizeScale === undefined) dequantizeScale = producer.input[1];
    current = producer.input[0] as string;
  }
  return undefined;
}

function weightInputWidth(node: NodeProto, kind: LinearKind, chain: WeightChain): number | undefined {
  if (kind === 'MatMulNBits') return intAttribute(node, 'K');
  const dims = chain.initializer.dims.map(Number);
  if (dims.length !== 2) return undefined;
  const stored = chain.transposed ? dims[1] : dims[0];
  const other = chain.transposed ? dims[0] : dims[1];
  if (kind === 'Gemm' && intAttribute(node, 'transB') === 1) return other;
  return stored;
}

function activationType(node: NodeProto, kind: LinearKind, chain: WeightChain, initializers: Map<string, TensorProto>): number | undefined {
  if (kind === 'MatMulNBits') return initializers.get(node.input[2] ?? '')?.dataType;
  if (chain.castTo !== undefined) return chain.castTo;
  if (chain.dequantizeScale !== undefined) return initializers.get(chain.dequantizeScale)?.dataType;
  return chain.initializer.dataType;
}

function recoverModule(node: NodeProto, weight: string, nodeName: string): [string, ModulePathSource] {
  const fromWeight = modulePathFromWeightName(weight);
  if (fromWeight) return [fromWeight, 'weight-name'];
  const fromMetadata = modulePathFromMetadata(node);
  if (fromMetadata) return [fromMetadata, 'node-metadata'];
  const fromName = modulePathFromNodeName(node.name);
  if (fromName) return [fromName, 'node-name'];
  return [nodeName, 'node'];
}

function valueInfos(graph: GraphProto): Map<string, ValueInfoProto> {
  const infos = new Map<string, ValueInfoProto>();
  for (const info of [...graph.valueInfo, ...graph.output, ...graph.input]) infos.set(info.name, info);
  return infos;
}

/** The declared shape of a tensor value (null for unknown dims), or undefined if it has none. */
export function shapeOf(info: ValueInfoProto): (number | string | null)[] | undefined {
  const type = info.type?.value;
  if (type?.case !== 'tensorType' || !type.value.shape) return undefined;
  return type.value.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null));
}

function elemTypeOf(info: ValueInfoProto | undefined): number | undefined {
  const type = info?.type?.value;
  return type?.case === 'tensorType' && type.value.elemType !== 0 ? type.value.elemType : undefined;
}

function intAttribute(node: NodeProto, name: string): number | undefined {
  const attribute = node.attribute.find((a) => a.name === name);
  return attribute && (attribute.type === AttributeType.INT || attribute.type === 0) ? Number(attribute.i) : undefined;
}

function intsAttribute(node: NodeProto, name: string): number[] | undefined {
  const attribute = node.attribute.find((a) => a.name === name);
  return attribute ? attribute.ints.map(Number) : undefined;
}
