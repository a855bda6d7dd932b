import type { Message } from '@bufbuild/protobuf';

/*
 * TypeScript shapes of the ONNX protobuf messages as @bufbuild/protobuf represents them:
 * snake_case fields become camelCase, int64 is bigint, bytes are Uint8Array views into the decoded
 * buffer, oneofs are `{ case, value }`, and fields this schema does not know are kept in `$unknown`.
 */

/** A key/value string pair (metadata, external data entries). */
export type StringStringEntryProto = Message<'onnx.StringStringEntryProto'> & { key: string; value: string };

/** An operator set import: domain ('' = ai.onnx) and version. */
export type OperatorSetIdProto = Message<'onnx.OperatorSetIdProto'> & { domain: string; version: bigint };

/** A contiguous segment of a tensor split over several TensorProtos. */
export type TensorProto_Segment = Message<'onnx.TensorProto.Segment'> & { begin: bigint; end: bigint };

/** A tensor: dims, element type (`DataType`), and data in raw bytes, typed fields or external data. */
export type TensorProto = Message<'onnx.TensorProto'> & {
  dims: bigint[];
  dataType: number;
  segment?: TensorProto_Segment;
  floatData: number[];
  int32Data: number[];
  stringData: Uint8Array[];
  int64Data: bigint[];
  name: string;
  docString: string;
  rawData: Uint8Array;
  externalData: StringStringEntryProto[];
  dataLocation: number;
  doubleData: number[];
  uint64Data: bigint[];
  metadataProps: StringStringEntryProto[];
};

/** A sparse tensor (values, indices, dims). */
export type SparseTensorProto = Message<'onnx.SparseTensorProto'> & {
  values?: TensorProto;
  indices?: TensorProto;
  dims: bigint[];
};

/** One dimension of a shape: a number, a symbolic name, or unknown. */
export type TensorShapeProto_Dimension = Message<'onnx.TensorShapeProto.Dimension'> & {
  value: { case: 'dimValue'; value: bigint } | { case: 'dimParam'; value: string } | { case: undefined; value?: undefined };
  denotation: string;
};

/** A tensor shape. */
export type TensorShapeProto = Message<'onnx.TensorShapeProto'> & { dim: TensorShapeProto_Dimension[] };

/** The tensor variant of a type: element type and optional shape. */
export type TypeProto_Tensor = Message<'onnx.TypeProto.Tensor'> & { elemType: number; shape?: TensorShapeProto };
/** A sequence type. */
export type TypeProto_Sequence = Message<'onnx.TypeProto.Sequence'> & { elemType?: TypeProto };
/** A map type. */
export type TypeProto_Map = Message<'onnx.TypeProto.Map'> & { keyType: number; valueType?: TypeProto };
/** An optional type. */
export type TypeProto_Optional = Message<'onnx.TypeProto.Optional'> & { elemType?: TypeProto };
/** A sparse tensor type. */
export type TypeProto_SparseTensor = Message<'onnx.TypeProto.SparseTensor'> & { elemType: number; shape?: TensorShapeProto };
/** An opaque type (ONNX-ML). */
export type TypeProto_Opaque = Message<'onnx.TypeProto.Opaque'> & { domain: string; name: string };

/** The type of a value. */
export type TypeProto = Message<'onnx.TypeProto'> & {
  value:
    | { case: 'tensorType'; value: TypeProto_Tensor }
    | { case: 'sequenceType'; value: TypeProto_Sequence }
    | { case: 'mapType'; value: TypeProto_Map }
    | { case: 'optionalType'; value: TypeProto_Optional }
    | { case: 'sparseTensorType'; value: TypeProto_SparseTensor }
    | { case: 'opaqueType'; value: TypeProto_Opaque }
    | { case: undefined; value?: undefined };
  denotation: string;
};

/** A named value with its type (graph inputs, outputs, value infos). */
export type ValueInfoProto = Message<'onnx.ValueInfoProto'> & {
  name: string;
  type?: TypeProto;
  docString: string;
  metadataProps: StringStringEntryProto[];
};

/** A node attribute; `type` (`AttributeType`) says which value field is in use. */
export type AttributeProto = Message<'onnx.AttributeProto'> & {
  name: string;
  refAttrName: string;
  docString: string;
  type: number;
  f: number;
  i: bigint;
  s: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  sparseTensor?: SparseTensorProto;
  tp?: TypeProto;
  floats: number[];
  ints: bigint[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  sparseTensors: SparseTensorProto[];
  typeProtos: TypeProto[];
};

/** Multi-device sharding annotations of a node (IR 11); carried, not interpreted. */
export type NodeDeviceConfigurationProto = Message<'onnx.NodeDeviceConfigurationProto'> & {
  configurationId: string;
  pipelineStage: number;
};

/** A graph node. */
export type NodeProto = Message<'onnx.NodeProto'> & {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  overload: string;
  attribute: AttributeProto[];
  docString: string;
  metadataProps: StringStringEntryProto[];
  deviceConfigurations: NodeDeviceConfigurationProto[];
};

/** Quantization parameter names of one tensor. */
export type TensorAnnotation = Message<'onnx.TensorAnnotation'> & {
  tensorName: string;
  quantParameterTensorNames: StringStringEntryProto[];
};

/** A graph: nodes in topological order, initializers, inputs, outputs and value infos. */
export type GraphProto = Message<'onnx.GraphProto'> & {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  sparseInitializer: SparseTensorProto[];
  docString: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  quantizationAnnotation: TensorAnnotation[];
  metadataProps: StringStringEntryProto[];
};

/** A model-local function. */
export type FunctionProto = Message<'onnx.FunctionProto'> & {
  name: string;
  input: string[];
  output: string[];
  attribute: string[];
  attributeProto: AttributeProto[];
  node: NodeProto[];
  docString: string;
  opsetImport: OperatorSetIdProto[];
  domain: string;
  overload: string;
  valueInfo: ValueInfoProto[];
  metadataProps: StringStringEntryProto[];
};

/** Training information (carried, not interpreted). */
export type TrainingInfoProto = Message<'onnx.TrainingInfoProto'> & {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initializationBinding: StringStringEntryProto[];
  updateBinding: StringStringEntryProto[];
};

/** Device configurations of a multi-device model (carried, not interpreted). */
export type DeviceConfigurationProto = Message<'onnx.DeviceConfigurationProto'> & {
  name: string;
  numDevices: number;
  device: string[];
};

/** A whole ONNX model. */
export type ModelProto = Message<'onnx.ModelProto'> & {
  irVersion: bigint;
  opsetImport: OperatorSetIdProto[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: bigint;
  docString: string;
  graph?: GraphProto;
  metadataProps: StringStringEntryProto[];
  trainingInfo: TrainingInfoProto[];
  functions: FunctionProto[];
  configuration: DeviceConfigurationProto[];
};
