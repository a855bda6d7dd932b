import { create, createFileRegistry, type DescFile } from '@bufbuild/protobuf';
import { messageDesc, type GenMessage } from '@bufbuild/protobuf/codegenv2';
import {
  DescriptorProtoSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as T,
  FileDescriptorProtoSchema,
  type DescriptorProto,
} from '@bufbuild/protobuf/wkt';
import type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  StringStringEntryProto,
  TensorProto,
  TensorShapeProto,
  TensorShapeProto_Dimension,
  TypeProto,
  TypeProto_Tensor,
  ValueInfoProto,
} from './onnx-types.js';

/*
 * The ONNX protobuf schema (onnx.proto, proto2 syntax as ONNX itself declares it) written as a
 * descriptor, so that @bufbuild/protobuf can decode and encode models without generated code.
 * Field numbers follow onnx.proto of ONNX 1.18 (IR version 11). Enum-typed fields are declared
 * int32: identical on the wire, and values a newer ONNX adds pass through untouched.
 */

type Scalar = 'string' | 'bytes' | 'int64' | 'int32' | 'float' | 'double' | 'uint64';
/** [name, number, type (scalar or `.onnx.Message`), kind: o optional, r repeated, p repeated packed, 0..n oneof index] */
type FieldSpec = readonly [string, number, Scalar | `.${string}`, 'o' | 'r' | 'p' | number];
interface MessageSpec {
  readonly fields: readonly FieldSpec[];
  readonly oneofs?: readonly string[];
  readonly nested?: Readonly<Record<string, MessageSpec>>;
}

const scalarTypes: Record<Scalar, T> = {
  string: T.STRING,
  bytes: T.BYTES,
  int64: T.INT64,
  int32: T.INT32,
  float: T.FLOAT,
  double: T.DOUBLE,
  uint64: T.UINT64,
};

const metadata = (n: number): FieldSpec => ['metadata_props', n, '.onnx.StringStringEntryProto', 'r'];

const onnxMessages: Readonly<Record<string, MessageSpec>> = {
  AttributeProto: {
    fields: [
      ['name', 1, 'string', 'o'],
      ['ref_attr_name', 21, 'string', 'o'],
      ['doc_string', 13, 'string', 'o'],
      ['type', 20, 'int32', 'o'],
      ['f', 2, 'float', 'o'],
      ['i', 3, 'int64', 'o'],
      ['s', 4, 'bytes', 'o'],
      ['t', 5, '.onnx.TensorProto', 'o'],
      ['g', 6, '.onnx.GraphProto', 'o'],
      ['sparse_tensor', 22, '.onnx.SparseTensorProto', 'o'],
      ['tp', 14, '.onnx.TypeProto', 'o'],
      ['floats', 7, 'float', 'r'],
      ['ints', 8, 'int64', 'r'],
      ['strings', 9, 'bytes', 'r'],
      ['tensors', 10, '.onnx.TensorProto', 'r'],
      ['graphs', 11, '.onnx.GraphProto', 'r'],
      ['sparse_tensors', 23, '.onnx.SparseTensorProto', 'r'],
      ['type_protos', 15, '.onnx.TypeProto', 'r'],
    ],
  },
  ValueInfoProto: {
    fields: [['name', 1, 'string', 'o'], ['type', 2, '.onnx.TypeProto', 'o'], ['doc_string', 3, 'string', 'o'], metadata(4)],
  },
  NodeProto: {
    fields: [
      ['input', 1, 'string', 'r'],
      ['output', 2, 'string', 'r'],
      ['name', 3, 'string', 'o'],
      ['op_type', 4, 'string', 'o'],
      ['domain', 7, 'string', 'o'],
      ['overload', 8, 'string', 'o'],
      ['attribute', 5, '.onnx.AttributeProto', 'r'],
      ['doc_string', 6, 'string', 'o'],
      metadata(9),
      ['device_configurations', 10, '.onnx.NodeDeviceConfigurationProto', 'r'],
    ],
  },
  IntIntListEntryProto: { fields: [['key', 1, 'int64', 'o'], ['value', 2, 'int64', 'r']] },
  NodeDeviceConfigurationProto: {
    fields: [
      ['configuration_id', 1, 'string', 'o'],
      ['sharding_spec', 2, '.onnx.ShardingSpecProto', 'r'],
      ['pipeline_stage', 3, 'int32', 'o'],
    ],
  },
  ShardingSpecProto: {
    fields: [
      ['tensor_name', 1, 'string', 'o'],
      ['device', 2, 'int64', 'r'],
      ['index_to_device_group_map', 3, '.onnx.IntIntListEntryProto', 'r'],
      ['sharded_dim', 4, '.onnx.ShardedDimProto', 'r'],
    ],
  },
  ShardedDimProto: { fields: [['axis', 1, 'int64', 'o'], ['simple_sharding', 2, '.onnx.SimpleShardedDimProto', 'r']] },
  SimpleShardedDimProto: {
    oneofs: ['dim'],
    fields: [['dim_value', 1, 'int64', 0], ['dim_param', 2, 'string', 0], ['num_shards', 3, 'int64', 'o']],
  },
  TrainingInfoProto: {
    fields: [
      ['initialization', 1, '.onnx.GraphProto', 'o'],
      ['algorithm', 2, '.onnx.GraphProto', 'o'],
      ['initialization_binding', 3, '.onnx.StringStringEntryProto', 'r'],
      ['update_binding', 4, '.onnx.StringStringEntryProto', 'r'],
    ],
  },
  ModelProto: {
    fields: [
      ['ir_version', 1, 'int64', 'o'],
      ['opset_import', 8, '.onnx.OperatorSetIdProto', 'r'],
      ['producer_name', 2, 'string', 'o'],
      ['producer_version', 3, 'string', 'o'],
      ['domain', 4, 'string', 'o'],
      ['model_version', 5, 'int64', 'o'],
      ['doc_string', 6, 'string', 'o'],
      ['graph', 7, '.onnx.GraphProto', 'o'],
      metadata(14),
      ['training_info', 20, '.onnx.TrainingInfoProto', 'r'],
      ['functions', 25, '.onnx.FunctionProto', 'r'],
      ['configuration', 26, '.onnx.DeviceConfigurationProto', 'r'],
    ],
  },
  DeviceConfigurationProto: {
    fields: [['name', 1, 'string', 'o'], ['num_devices', 2, 'int32', 'o'], ['device', 3, 'string', 'r']],
  },
  StringStringEntryProto: { fields: [['key', 1, 'string', 'o'], ['value', 2, 'string', 'o']] },
  TensorAnnotation: {
    fields: [['tensor_name', 1, 'string', 'o'], ['quant_parameter_tensor_names', 2, '.onnx.StringStringEntryProto', 'r']],
  },
  GraphProto: {
    fields: [
      ['node', 1, '.onnx.NodeProto', 'r'],
      ['name', 2, 'string', 'o'],
      ['initializer', 5, '.onnx.TensorProto', 'r'],
      ['sparse_initializer', 15, '.onnx.SparseTensorProto', 'r'],
      ['doc_string', 10, 'string', 'o'],
      ['input', 11, '.onnx.ValueInfoProto', 'r'],
      ['output', 12, '.onnx.ValueInfoProto', 'r'],
      ['value_info', 13, '.onnx.ValueInfoProto', 'r'],
      ['quantization_annotation', 14, '.onnx.TensorAnnotation', 'r'],
      metadata(16),
    ],
  },
  TensorProto: {
    nested: { Segment: { fields: [['begin', 1, 'int64', 'o'], ['end', 2, 'int64', 'o']] } },
    fields: [
      ['dims', 1, 'int64', 'r'],
      ['data_type', 2, 'int32', 'o'],
      ['segment', 3, '.onnx.TensorProto.Segment', 'o'],
      ['float_data', 4, 'float', 'p'],
      ['int32_data', 5, 'int32', 'p'],
      ['string_data', 6, 'bytes', 'r'],
      ['int64_data', 7, 'int64', 'p'],
      ['name', 8, 'string', 'o'],
      ['doc_string', 12, 'string', 'o'],
      ['raw_data', 9, 'bytes', 'o'],
      ['external_data', 13, '.onnx.StringStringEntryProto', 'r'],
      ['data_location', 14, 'int32', 'o'],
      ['double_data', 10, 'double', 'p'],
      ['uint64_data', 11, 'uint64', 'p'],
      metadata(16),
    ],
  },
  SparseTensorProto: {
    fields: [['values', 1, '.onnx.TensorProto', 'o'], ['indices', 2, '.onnx.TensorProto', 'o'], ['dims', 3, 'int64', 'r']],
  },
  TensorShapeProto: {
    nested: {
      Dimension: {
        oneofs: ['value'],
        fields: [['dim_value', 1, 'int64', 0], ['dim_param', 2, 'string', 0], ['denotation', 3, 'string', 'o']],
      },
    },
    fields: [['dim', 1, '.onnx.TensorShapeProto.Dimension', 'r']],
  },
  TypeProto: {
    nested: {
      Tensor: { fields: [['elem_type', 1, 'int32', 'o'], ['shape', 2, '.onnx.TensorShapeProto', 'o']] },
      Sequence: { fields: [['elem_type', 1, '.onnx.TypeProto', 'o']] },
      Map: { fields: [['key_type', 1, 'int32', 'o'], ['value_type', 2, '.onnx.TypeProto', 'o']] },
      Optional: { fields: [['elem_type', 1, '.onnx.TypeProto', 'o']] },
      SparseTensor: { fields: [['elem_type', 1, 'int32', 'o'], ['shape', 2, '.onnx.TensorShapeProto', 'o']] },
      Opaque: { fields: [['domain', 1, 'string', 'o'], ['name', 2, 'string', 'o']] },
    },
    oneofs: ['value'],
    fields: [
      ['tensor_type', 1, '.onnx.TypeProto.Tensor', 0],
      ['sequence_type', 4, '.onnx.TypeProto.Sequence', 0],
      ['map_type', 5, '.onnx.TypeProto.Map', 0],
      ['optional_type', 9, '.onnx.TypeProto.Optional', 0],
      ['sparse_tensor_type', 8, '.onnx.TypeProto.SparseTensor', 0],
      ['opaque_type', 7, '.onnx.TypeProto.Opaque', 0],
      ['denotation', 6, 'string', 'o'],
    ],
  },
  OperatorSetIdProto: { fields: [['domain', 1, 'string', 'o'], ['version', 2, 'int64', 'o']] },
  FunctionProto: {
    fields: [
      ['name', 1, 'string', 'o'],
      ['input', 4, 'string', 'r'],
      ['output', 5, 'string', 'r'],
      ['attribute', 6, 'string', 'r'],
      ['attribute_proto', 11, '.onnx.AttributeProto', 'r'],
      ['node', 7, '.onnx.NodeProto', 'r'],
      ['doc_string', 8, 'string', 'o'],
      ['opset_import', 9, '.onnx.OperatorSetIdProto', 'r'],
      ['domain', 10, 'string', 'o'],
      ['overload', 13, 'string', 'o'],
      ['value_info', 12, '.onnx.ValueInfoProto', 'r'],
      metadata(14),
    ],
  },
};

const messageOrder = Object.keys(onnxMessages);

function messageProto(name: string, spec: MessageSpec): DescriptorProto {
  const nestedNames = Object.keys(spec.nested ?? {});
  return create(DescriptorProtoSchema, {
    name,
    field: spec.fields.map(([fieldName, number, type, kind]) => ({
      name: fieldName,
      number,
      label: kind === 'r' || kind === 'p' ? Label.REPEATED : Label.OPTIONAL,
      ...(type.startsWith('.') ? { type: T.MESSAGE, typeName: type } : { type: scalarTypes[type as Scalar] }),
      ...(typeof kind === 'number' ? { oneofIndex: kind } : {}),
      ...(kind === 'p' ? { options: { packed: true } } : {}),
    })),
    oneofDecl: (spec.oneofs ?? []).map((oneofName) => ({ name: oneofName })),
    nestedType: nestedNames.map((nestedName) => messageProto(nestedName, (spec.nested ?? {})[nestedName] as MessageSpec)),
  });
}

/** The ONNX schema as a @bufbuild/protobuf file descriptor (package `onnx`). */
export function onnxFileDescriptor(): DescFile {
  const fileProto = create(FileDescriptorProtoSchema, {
    name: 'onnx/onnx.proto',
    package: 'onnx',
    syntax: 'proto2',
    messageType: messageOrder.map((name) => messageProto(name, onnxMessages[name] as MessageSpec)),
  });
  const registry = createFileRegistry(fileProto, () => undefined);
  const file = registry.getFile('onnx/onnx.proto');
  if (!file) throw new Error('the ONNX file descriptor did not register');
  return file;
}

/** Message descriptors (schemas) of the ONNX protobuf messages, for `create`, `fromBinary` and `toBinary`. */
export interface OnnxSchemas {
  readonly model: GenMessage<ModelProto>;
  readonly graph: GenMessage<GraphProto>;
  readonly node: GenMessage<NodeProto>;
  readonly attribute: GenMessage<AttributeProto>;
  readonly tensor: GenMessage<TensorProto>;
  readonly valueInfo: GenMessage<ValueInfoProto>;
  readonly type: GenMessage<TypeProto>;
  readonly typeTensor: GenMessage<TypeProto_Tensor>;
  readonly shape: GenMessage<TensorShapeProto>;
  readonly dimension: GenMessage<TensorShapeProto_Dimension>;
  readonly opset: GenMessage<OperatorSetIdProto>;
  readonly entry: GenMessage<StringStringEntryProto>;
  readonly function: GenMessage<FunctionProto>;
}

/** Builds the ONNX message schemas (cheap; callers that build many graphs may keep one). */
export function onnxSchemas(): OnnxSchemas {
  const file = onnxFileDescriptor();
  const at = (name: string): number => messageOrder.indexOf(name);
  return {
    model: messageDesc<ModelProto>(file, at('ModelProto')),
    graph: messageDesc<GraphProto>(file, at('GraphProto')),
    node: messageDesc<NodeProto>(file, at('NodeProto')),
    attribute: messageDesc<AttributeProto>(file, at('AttributeProto')),
    tensor: messageDesc<TensorProto>(file, at('TensorProto')),
    valueInfo: messageDesc<ValueInfoProto>(file, at('ValueInfoProto')),
    type: messageDesc<TypeProto>(file, at('TypeProto')),
    typeTensor: messageDesc<TypeProto_Tensor>(file, at('TypeProto'), 0),
    shape: messageDesc<TensorShapeProto>(file, at('TensorShapeProto')),
    dimension: messageDesc<TensorShapeProto_Dimension>(file, at('TensorShapeProto'), 0),
    opset: messageDesc<OperatorSetIdProto>(file, at('OperatorSetIdProto')),
    entry: messageDesc<StringStringEntryProto>(file, at('StringStringEntryProto')),
    function: messageDesc<FunctionProto>(file, at('FunctionProto')),
  };
}
