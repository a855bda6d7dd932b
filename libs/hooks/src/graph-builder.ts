import { create } from '@bufbuild/protobuf';
import { AttributeType } from './data-type.js';
import { EXTERNAL_DATA_LOCATION } from './external-data.js';
import type { AttributeValue, Attributes } from './attributes.js';
import { onnxSchemas, type OnnxSchemas } from './onnx-schema.js';
import type { AttributeProto, GraphProto, ModelProto, TensorProto, TypeProto, ValueInfoProto } from './onnx-types.js';
import type { TensorData } from './tensor-data.js';

/** One dimension of a declared shape: a size, a symbolic name (`batch`), or unknown (null). */
export type Dim = number | string | null;

/** Options of `createGraphBuilder`. */
export interface GraphBuilderOptions {
  /** Graph name (default `graph`). */
  readonly name?: string;
  /** Version of the default (ai.onnx) operator set (default 21). */
  readonly opset?: number;
  /** Other operator set imports, e.g. `{ 'com.microsoft': 1 }` (default none). */
  readonly domains?: Readonly<Record<string, number>>;
  /** ModelProto IR version (default 10). */
  readonly irVersion?: number;
  /** Producer name recorded in the model (default `@moral-plantain/hooks`). */
  readonly producerName?: string;
}

/** Where an external initializer's bytes lie: a data file relative to the model's folder, a byte offset and a byte length. */
export interface ExternalDataReference {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

/** Options of one node. */
export interface NodeOptions {
  /** Typed attributes (default none). */
  readonly attributes?: Attributes;
  /** Number of outputs (default 1) or their exact names. */
  readonly outputs?: number | readonly string[];
  /** Operator domain (default '' = ai.onnx); a domain not imported yet is imported at version 1. */
  readonly domain?: string;
  /** Node name (default: scope path + `/` + op type, made unique as TorchScript does: `_1`, `_2`, ...). */
  readonly name?: string;
  /** Node metadata (`metadata_props`, IR 10), e.g. dynamo-style scopes (default none). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Builds an ONNX graph: inputs, initializers, nodes, outputs and value infos, with TorchScript-style
 * scoped unique names. Scopes share one graph: `b.scope('transformer_blocks.0').scope('attn')`.
 * Node and value names are unique across the whole graph; lookups are constant time, so graphs of
 * many thousands of nodes build in linear time.
 */
export interface GraphBuilder {
  /** The scope segments of this view (empty at the root). */
  readonly path: readonly string[];
  /** The module path of this scope, dot-joined (`transformer_blocks.0.attn`). */
  readonly modulePath: string;
  /** A view of the same graph one scope deeper. */
  scope(name: string): GraphBuilder;
  /** Declares a graph input and returns its name. */
  input(name: string, elemType: number, shape?: readonly Dim[]): string;
  /** Declares an existing value as a graph output (with its type and shape) and returns its name. */
  output(value: string, elemType: number, shape?: readonly Dim[]): string;
  /** Records a value's type and shape (`value_info`). */
  valueInfo(value: string, elemType: number, shape?: readonly Dim[]): string;
  /** Adds an initializer under an exact name (e.g. a parameter name) and returns the name. */
  initializer(name: string, tensor: TensorData): string;
  /**
   * Adds an initializer whose bytes already lie in an external data file (nothing is read or
   * copied): `location` relative to the model's folder, byte `offset` and `length`. Returns the name.
   */
  externalInitializer(name: string, dataType: number, dims: readonly number[], reference: ExternalDataReference): string;
  /** Adds an initializer that is also a graph input (its default); ONNX Runtime's Python API can feed it, onnxruntime-node cannot. */
  overridableInitializer(name: string, tensor: TensorData): string;
  /** Adds a parameter of this scope's module: `scope('to_out.0').parameter('weight', t)` names it `to_out.0.weight`. */
  parameter(name: string, tensor: TensorData): string;
  /** Adds an anonymous constant initializer; small identical constants are shared. Returns its name. */
  constant(tensor: TensorData): string;
  /** Adds a node and returns its output names. */
  node(opType: string, inputs: readonly string[], options?: NodeOptions): string[];
  /** Adds a single-output node and returns the output name. */
  op(opType: string, inputs: readonly string[], attributes?: Attributes, options?: Omit<NodeOptions, 'attributes' | 'outputs'>): string;
  /** A fresh value name in this scope (`/scope/base_N`). */
  uniqueValueName(base: string): string;
  /** Whether a value name is already used in the graph. */
  hasValue(name: string): boolean;
  /** Imports an operator set (raises the version if already imported lower). */
  importOpset(domain: string, version: number): void;
  /** The version of an imported operator set, or undefined. */
  opsetVersion(domain: string): number | undefined;
  /** The model built so far (the builder keeps adding to the same graph). */
  build(): ModelProto;
}

/** Starts a new, empty graph. */
export function createGraphBuilder(options: GraphBuilderOptions = {}): GraphBuilder {
  const schemas = onnxSchemas();
  const model = create(schemas.model, {
    irVersion: BigInt(options.irVersion ?? 10),
    producerName: options.producerName ?? '@moral-plantain/hooks',
    graph: { name: options.name ?? 'graph' },
  });
  const state = newState(schemas, model);
  state.importOpset('', options.opset ?? 21);
  for (const [domain, version] of Object.entries(options.domains ?? {})) state.importOpset(domain, version);
  return view(state, []);
}

/**
 * Continues an existing model: names already used by its nodes, values and initializers are
 * reserved, and new nodes are appended to its graph (in place).
 */
export function extendGraph(model: ModelProto): GraphBuilder {
  const schemas = onnxSchemas();
  model.graph ??= create(schemas.graph, { name: 'graph' });
  return view(newState(schemas, model), []);
}

interface BuilderState {
  readonly schemas: OnnxSchemas;
  readonly model: ModelProto;
  readonly graph: GraphProto;
  readonly nodeNames: Set<string>;
  readonly valueNames: Set<string>;
  readonly counters: Map<string, number>;
  readonly constants: Map<string, string>;
  importOpset(domain: string, version: number): void;
}

function newState(schemas: OnnxSchemas, model: ModelProto): BuilderState {
  const graph = model.graph as GraphProto;
  const nodeNames = new Set<string>();
  const valueNames = new Set<string>();
  for (const value of [...graph.input, ...graph.output, ...graph.valueInfo]) valueNames.add(value.name);
  for (const tensor of graph.initializer) valueNames.add(tensor.name);
  for (const node of graph.node) {
    nodeNames.add(node.name);
    for (const output of node.output) valueNames.add(output);
  }
  return {
    schemas,
    model,
    graph,
    nodeNames,
    valueNames,
    counters: new Map(),
    constants: new Map(),
    importOpset(domain, version) {
      const existing = model.opsetImport.find((o) => o.domain === domain);
      if (!existing) model.opsetImport.push(create(schemas.opset, { domain, version: BigInt(version) }));
      else if (existing.version < BigInt(version)) existing.version = BigInt(version);
    },
  };
}

function view(state: BuilderState, path: readonly string[]): GraphBuilder {
  const prefix = path.map((segment) => `/${segment}`).join('');
  const self: GraphBuilder = {
    path,
    modulePath: path.join('.'),
    scope: (name) => view(state, [...path, name]),
    input(name, elemType, shape) {
      reserve(state.valueNames, name);
      state.graph.input.push(valueInfoProto(state.schemas, name, elemType, shape));
      return name;
    },
    output(value, elemType, shape) {
      state.graph.output.push(valueInfoProto(state.schemas, value, elemType, shape));
      return value;
    },
    valueInfo(value, elemType, shape) {
      state.graph.valueInfo.push(valueInfoProto(state.schemas, value, elemType, shape));
      return value;
    },
    initializer(name, tensor) {
      reserve(state.valueNames, name);
      state.graph.initializer.push(tensorProto(state.schemas, name, tensor));
      return name;
    },
    externalInitializer(name, dataType, dims, reference) {
      reserve(state.valueNames, name);
      state.graph.initializer.push(
        create(state.schemas.tensor, {
          name,
          dataType,
          dims: dims.map((d) => BigInt(d)),
          dataLocation: EXTERNAL_DATA_LOCATION,
          externalData: [
            create(state.schemas.entry, { key: 'location', value: reference.location }),
            create(state.schemas.entry, { key: 'offset', value: String(reference.offset) }),
            create(state.schemas.entry, { key: 'length', value: String(reference.length) }),
          ],
        }),
      );
      return name;
    },
    overridableInitializer(name, tensor) {
      self.initializer(name, tensor);
      state.graph.input.push(valueInfoProto(state.schemas, name, tensor.dataType, tensor.dims));
      return name;
    },
    parameter: (name, tensor) => self.initializer([...path, name].join('.'), tensor),
    constant(tensor) {
      const key = tensor.raw.byteLength <= 256 ? `${tensor.dataType}|${tensor.dims.join(',')}|${Buffer.from(tensor.raw).toString('hex')}` : undefined;
      const known = key === undefined ? undefined : state.constants.get(key);
      if (known) return known;
      const name = unique(state, state.valueNames, `${prefix}/Constant_output`);
      state.graph.initializer.push(tensorProto(state.schemas, name, tensor));
      if (key !== undefined) state.constants.set(key, name);
      return name;
    },
    node(opType, inputs, options = {}) {
      const domain = options.domain ?? '';
      if (domain !== '' && self.opsetVersion(domain) === undefined) state.importOpset(domain, 1);
      const name = options.name !== undefined ? reserve(state.nodeNames, options.name) : unique(state, state.nodeNames, `${prefix}/${opType}`);
      const outputs =
        typeof options.outputs === 'object'
          ? options.outputs.map((output) => reserve(state.valueNames, output))
          : Array.from({ length: options.outputs ?? 1 }, (_, i) => reserve(state.valueNames, `${name}_output_${i}`));
      state.graph.node.push(
        create(state.schemas.node, {
          name,
          opType,
          domain,
          input: [...inputs],
          output: outputs,
          attribute: Object.entries(options.attributes ?? {}).map(([key, value]) => attributeProto(state.schemas, key, value)),
          metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
        }),
      );
      return outputs;
    },
    op: (opType, inputs, attributes, options) => self.node(opType, inputs, { ...options, attributes: attributes ?? {}, outputs: 1 })[0] as string,
    uniqueValueName: (base) => unique(state, state.valueNames, `${prefix}/${base}`),
    hasValue: (name) => state.valueNames.has(name),
    importOpset: (domain, version) => state.importOpset(domain, version),
    opsetVersion: (domain) => {
      const found = state.model.opsetImport.find((o) => o.domain === domain || (domain === '' && o.domain === 'ai.onnx'));
      return found ? Number(found.version) : undefined;
    },
    build: () => state.model,
  };
  return self;
}

function reserve(names: Set<string>, name: string): string {
  if (names.has(name)) throw new Error(`the graph already has a value or node named "${name}"`);
  names.add(name);
  return name;
}

function unique(state: BuilderState, names: Set<string>, base: string): string {
  let count = state.counters.get(base) ?? 0;
  let candidate = count === 0 ? base : `${base}_${count}`;
  while (names.has(candidate)) candidate = `${base}_${++count}`;
  state.counters.set(base, count + 1);
  names.add(candidate);
  return candidate;
}

/** A TensorProto holding `tensor` as raw data under `name`. */
export function tensorProto(schemas: OnnxSchemas, name: string, tensor: TensorData): TensorProto {
  return create(schemas.tensor, { name, dataType: tensor.dataType, dims: tensor.dims.map((d) => BigInt(d)), rawData: tensor.raw });
}

/** A ValueInfoProto of a tensor value with element type and (optional) shape. */
export function valueInfoProto(schemas: OnnxSchemas, name: string, elemType: number, shape?: readonly Dim[]): ValueInfoProto {
  return create(schemas.valueInfo, { name, type: tensorType(schemas, elemType, shape) });
}

function tensorType(schemas: OnnxSchemas, elemType: number, shape?: readonly Dim[]): TypeProto {
  const dims = shape?.map((d) =>
    typeof d === 'number'
      ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
      : typeof d === 'string'
        ? { value: { case: 'dimParam' as const, value: d } }
        : {},
  );
  return create(schemas.type, { value: { case: 'tensorType', value: { elemType, ...(dims ? { shape: { dim: dims } } : {}) } } });
}

function attributeProto(schemas: OnnxSchemas, name: string, value: AttributeValue): AttributeProto {
  const base = { name };
  switch (value.kind) {
    case 'int':
      return create(schemas.attribute, { ...base, type: AttributeType.INT, i: BigInt(value.value) });
    case 'float':
      return create(schemas.attribute, { ...base, type: AttributeType.FLOAT, f: value.value });
    case 'string':
      return create(schemas.attribute, { ...base, type: AttributeType.STRING, s: new TextEncoder().encode(value.value) });
    case 'ints':
      return create(schemas.attribute, { ...base, type: AttributeType.INTS, ints: value.value.map((v) => BigInt(v)) });
    case 'floats':
      return create(schemas.attribute, { ...base, type: AttributeType.FLOATS, floats: [...value.value] });
    case 'strings':
      return create(schemas.attribute, { ...base, type: AttributeType.STRINGS, strings: value.value.map((s) => new TextEncoder().encode(s)) });
    case 'tensor':
      return create(schemas.attribute, { ...base, type: AttributeType.TENSOR, t: tensorProto(schemas, '', value.value) });
    case 'graph':
      return create(schemas.attribute, { ...base, type: AttributeType.GRAPH, g: value.value });
  }
}
