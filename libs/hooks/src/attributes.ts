import type { TensorData } from './tensor-data.js';
import type { GraphProto } from './onnx-types.js';

/** A typed node attribute value; build one with the `attr` helpers (ONNX tells int from float). */
export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: TensorData }
  | { readonly kind: 'graph'; readonly value: GraphProto };

/** Node attributes by name. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** Constructors of typed attribute values: `{ axis: attr.int(-1), epsilon: attr.float(1e-6) }`. */
export const attr = {
  /** An INT attribute. */
  int: (value: number | bigint): AttributeValue => ({ kind: 'int', value }),
  /** A FLOAT attribute. */
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  /** A STRING attribute (UTF-8). */
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  /** An INTS attribute. */
  ints: (value: readonly (number | bigint)[]): AttributeValue => ({ kind: 'ints', value }),
  /** A FLOATS attribute. */
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  /** A STRINGS attribute. */
  strings: (value: readonly string[]): AttributeValue => ({ kind: 'strings', value }),
  /** A TENSOR attribute (e.g. Constant's `value`). */
  tensor: (value: TensorData): AttributeValue => ({ kind: 'tensor', value }),
  /** A GRAPH attribute (If/Loop/Scan bodies). */
  graph: (value: GraphProto): AttributeValue => ({ kind: 'graph', value }),
} as const;
