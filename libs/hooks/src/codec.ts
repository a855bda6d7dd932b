import { fromBinary, toBinary } from '@bufbuild/protobuf';
import * as E from 'fp-ts/lib/Either.js';
import type { HooksErrors } from './errors.js';
import { onnxSchemas, type OnnxSchemas } from './onnx-schema.js';
import type { ModelProto } from './onnx-types.js';

/**
 * Decodes an ONNX ModelProto. Fields this schema does not know are kept and written back by
 * `encodeModel`; bytes fields (raw tensor data) are views into `bytes`, not copies.
 */
export function decodeModel(bytes: Uint8Array, source = 'the model', schemas: OnnxSchemas = onnxSchemas()): E.Either<HooksErrors, ModelProto> {
  return E.tryCatch(
    () => fromBinary(schemas.model, bytes, { readUnknownFields: true }),
    (error) => [{ _tag: 'DecodeFailed', source, reason: error instanceof Error ? error.message : String(error) }] as const,
  );
}

/** Encodes an ONNX ModelProto, unknown fields included. */
export function encodeModel(model: ModelProto, schemas: OnnxSchemas = onnxSchemas()): Uint8Array {
  return toBinary(schemas.model, model, { writeUnknownFields: true });
}
