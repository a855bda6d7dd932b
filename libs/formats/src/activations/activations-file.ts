import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import ndarray, { type NdArray } from 'ndarray';
import { writeFileAtomic } from '../atomic-write.js';
import { canonicalJson } from '../canonical-json.js';
import { decodeSafetensors, encodeSafetensors, tensorToFloat64, type SafetensorsFile } from '../safetensors/safetensors-codec.js';
import type { SafetensorsError } from '../safetensors/safetensors-error.js';
import { parseUnitTaps, TAPS_METADATA_KEY, type UnitTaps } from './unit-origins.js';

/** Identifier in the `format` metadata of every activations file. */
export const ACTIVATIONS_FORMAT = 'moral-plantain/activations@1';

/** Float types an activations file may store `a` and `b` in, from the finest to the coarsest. */
export type ActivationsDtype = 'F64' | 'F32' | 'F16' | 'BF16';

/** The float types in order of precision: an F16 and an F32 tensor together carry F16's precision. */
const DTYPES_BY_PRECISION: readonly ActivationsDtype[] = ['F64', 'F32', 'F16', 'BF16'];

/** Per-unit magnitudes of conditions a and b, [pairs x units]. */
export interface Activations {
  readonly nPairs: number;
  readonly nUnits: number;
  /** Condition a as an `ndarray` view [pairs, units] over float64 values. */
  readonly a: NdArray<Float64Array>;
  /** Condition b as an `ndarray` view [pairs, units] over float64 values. */
  readonly b: NdArray<Float64Array>;
  /**
   * How the values are stored in the file, the coarser of the two tensors' types when they differ
   * (BF16 coarsest, then F16, F32, F64): the precision the values carry. They are read exactly into float64.
   */
  readonly dtype: ActivationsDtype;
  /** Pair ids in row order, when the file names them. */
  readonly pairs: readonly string[] | null;
  /** One group label per unit (e.g. `single[19]`), when the file gives them. */
  readonly groups: readonly string[] | null;
  /**
   * The taps manifest of the tapped model the units came from (module, block and channels of every
   * unit: `unitOrigins`), when the file embeds one under the `taps` metadata key.
   */
  readonly taps: UnitTaps | null;
  /** The rest of the file's metadata (model, stimuli, seed, ...), as strings. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Values of one condition to write: an `ndarray` [pairs, units] (any strides), or row-major numbers. */
export type ConditionValues = NdArray | ArrayLike<number>;

/** What `encodeActivations` writes. */
export interface ActivationsToWrite {
  readonly nPairs: number;
  readonly nUnits: number;
  readonly a: ConditionValues;
  readonly b: ConditionValues;
  readonly pairs: readonly string[] | null;
  readonly groups: readonly string[] | null;
  /** The taps manifest to embed under the `taps` metadata key (written as JSON, every field kept), if known. */
  readonly taps?: UnitTaps | null;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Why a file is not a usable activations file. */
export type ActivationsError =
  | { readonly _tag: 'Unreadable'; readonly path: string; readonly reason: string }
  | { readonly _tag: 'NotSafetensors'; readonly detail: SafetensorsError }
  | { readonly _tag: 'MissingTensor'; readonly name: 'a' | 'b'; readonly present: readonly string[] }
  | { readonly _tag: 'BadTensor'; readonly name: 'a' | 'b'; readonly reason: string }
  | { readonly _tag: 'ShapeMismatch'; readonly a: readonly number[]; readonly b: readonly number[] }
  | { readonly _tag: 'BadMetadata'; readonly key: string; readonly reason: string };

/** Reads an activations file (safetensors with tensors `a` and `b`, float64, float32, float16 or bfloat16). */
export function readActivations(file: string): TE.TaskEither<ActivationsError, Activations> {
  return async () => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      return E.left({ _tag: 'Unreadable', path: file, reason: (error as NodeJS.ErrnoException).code ?? String(error) });
    }
    return decodeActivations(bytes);
  };
}

/** Decodes activations from safetensors bytes. */
export function decodeActivations(bytes: Uint8Array): E.Either<ActivationsError, Activations> {
  const decoded = decodeSafetensors(bytes);
  if (E.isLeft(decoded)) return E.left({ _tag: 'NotSafetensors', detail: decoded.left });
  return fromSafetensors(decoded.right);
}

function fromSafetensors(file: SafetensorsFile): E.Either<ActivationsError, Activations> {
  const matrices: Float64Array[] = [];
  const shapes: (readonly number[])[] = [];
  let dtype: ActivationsDtype = 'F64';
  for (const name of ['a', 'b'] as const) {
    const tensor = file.tensors.get(name);
    if (!tensor) return E.left({ _tag: 'MissingTensor', name, present: [...file.tensors.keys()] });
    const tensorDtype = DTYPES_BY_PRECISION.find((d) => d === tensor.dtype);
    if (tensorDtype === undefined) {
      return E.left({ _tag: 'BadTensor', name, reason: `dtype ${tensor.dtype} (expected F32, F64, F16 or BF16)` });
    }
    if (tensor.shape.length !== 2) {
      return E.left({ _tag: 'BadTensor', name, reason: `shape [${tensor.shape.join(', ')}] (expected [pairs, units])` });
    }
    if (DTYPES_BY_PRECISION.indexOf(tensorDtype) > DTYPES_BY_PRECISION.indexOf(dtype)) dtype = tensorDtype;
    matrices.push(tensorToFloat64(tensor)!);
    shapes.push(tensor.shape);
  }
  const [shapeA, shapeB] = shapes as [readonly number[], readonly number[]];
  if (shapeA[0] !== shapeB[0] || shapeA[1] !== shapeB[1]) return E.left({ _tag: 'ShapeMismatch', a: shapeA, b: shapeB });
  const [nPairs, nUnits] = shapeA as [number, number];
  const { format, pairs, groups, ...rest } = file.metadata;
  // Another tool's format tag (safetensors' own savers write "np" or "pt") says nothing about a and b: it is kept as metadata.
  if (format !== undefined && format !== ACTIVATIONS_FORMAT && format.startsWith('moral-plantain/')) {
    return E.left({ _tag: 'BadMetadata', key: 'format', reason: `is ${JSON.stringify(format)}, expected ${ACTIVATIONS_FORMAT}` });
  }
  const pairIds = parseLabels(pairs, 'pairs', nPairs);
  if (E.isLeft(pairIds)) return pairIds;
  const groupLabels = parseLabels(groups, 'groups', nUnits);
  if (E.isLeft(groupLabels)) return groupLabels;
  const taps = parseUnitTaps(rest[TAPS_METADATA_KEY], nUnits);
  if (E.isLeft(taps)) return E.left({ _tag: 'BadMetadata', key: TAPS_METADATA_KEY, reason: taps.left });
  const metadata: Record<string, string> = { ...rest };
  if (taps.right !== null) delete metadata[TAPS_METADATA_KEY];
  if (format !== undefined && format !== ACTIVATIONS_FORMAT) metadata.format = format;
  const view = (data: Float64Array) => ndarray(data, [nPairs, nUnits]);
  return E.right({ nPairs, nUnits, a: view(matrices[0]!), b: view(matrices[1]!), dtype, pairs: pairIds.right, groups: groupLabels.right, taps: taps.right, metadata });
}

function parseLabels(raw: string | undefined, key: string, expected: number): E.Either<ActivationsError, string[] | null> {
  if (raw === undefined) return E.right(null);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return E.left({ _tag: 'BadMetadata', key, reason: 'is not a JSON array' });
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    return E.left({ _tag: 'BadMetadata', key, reason: 'is not a JSON array of strings' });
  }
  if (value.length !== expected) {
    return E.left({ _tag: 'BadMetadata', key, reason: `has ${value.length} entries for ${expected} ${key === 'pairs' ? 'pairs' : 'units'}` });
  }
  return E.right(value as string[]);
}

/**
 * Encodes activations as safetensors: float32 tensors `a` and `b` [pairs, units] and the format's
 * metadata (`format`, `pairs`, `groups`, the taps manifest as `taps`, then the caller's entries).
 */
export function encodeActivations(activations: ActivationsToWrite): Uint8Array {
  const shape = [activations.nPairs, activations.nUnits];
  const tensor = (values: ConditionValues) => {
    const data = rowMajorFloat32(values, activations.nPairs, activations.nUnits);
    return { dtype: 'F32' as const, shape, bytes: new Uint8Array(data.buffer) };
  };
  const metadata: Record<string, string> = { ...activations.metadata, format: ACTIVATIONS_FORMAT };
  if (activations.pairs) metadata.pairs = JSON.stringify(activations.pairs);
  if (activations.groups) metadata.groups = JSON.stringify(activations.groups);
  // Keys sorted: the bytes do not depend on how the manifest object was built (a fresh tap or one read back).
  if (activations.taps) metadata[TAPS_METADATA_KEY] = canonicalJson(activations.taps);
  return encodeSafetensors(new Map([['a', tensor(activations.a)], ['b', tensor(activations.b)]]), metadata);
}

/** Writes an activations file atomically. */
export async function writeActivations(file: string, activations: ActivationsToWrite): Promise<void> {
  await writeFileAtomic(file, encodeActivations(activations));
}

function rowMajorFloat32(values: ConditionValues, rows: number, cols: number): Float32Array {
  if (!isNdArray(values)) return Float32Array.from(values);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = values.get(r, c) as number;
  return out;
}

function isNdArray(values: ConditionValues): values is NdArray {
  return typeof (values as NdArray).get === 'function' && Array.isArray((values as NdArray).shape);
}
