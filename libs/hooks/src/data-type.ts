/** ONNX tensor element types (`TensorProto.DataType`), including the float8, 4-bit and float4 types of IR 10 and 11. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
} as const;

/** One ONNX element type code. */
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** ONNX attribute kinds (`AttributeProto.AttributeType`). */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** The lower-case name of an element type code (`float16`), or `type N` for codes this library does not know. */
export function dataTypeName(code: number): string {
  const name = Object.entries(DataType).find(([, value]) => value === code)?.[0];
  return name ? name.toLowerCase() : `type ${code}`;
}

/** Whether an element type is a floating-point type that a tap can read (float32, float16, bfloat16, double). */
export function isFloatType(code: number): boolean {
  return code === DataType.FLOAT || code === DataType.FLOAT16 || code === DataType.BFLOAT16 || code === DataType.DOUBLE;
}
