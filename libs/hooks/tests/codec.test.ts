import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { create } from '@bufbuild/protobuf';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { DataType, decodeModel, encodeModel, onnxSchemas, type ModelProto } from '../src/index.js';
import { f32, flux2Stack, randomFloats, runModel } from './test-models.js';

function decoded(bytes: Uint8Array): ModelProto {
  const result = decodeModel(bytes);
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

/** Field numbers of the top-level fields of a protobuf message, in order, read with a plain wire reader. */
function topLevelFields(bytes: Uint8Array): number[] {
  const reader = new BinaryReader(bytes);
  const fields: number[] = [];
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    fields.push(field);
    reader.skip(wire);
  }
  return fields;
}

describe('ONNX codec', () => {
  it('round-trips a built model byte for byte', () => {
    const bytes = encodeModel(flux2Stack({ channels: 16, joint: 1, single: 1 }));
    expect(Buffer.from(encodeModel(decoded(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('keeps fields its schema does not know through a round trip', () => {
    const bytes = encodeModel(flux2Stack({ channels: 16, joint: 1, single: 0 }));
    const extra = new BinaryWriter().tag(99, WireType.LengthDelimited).string('from a future ONNX').tag(98, WireType.Varint).int32(7).finish();
    const withUnknown = new Uint8Array(bytes.length + extra.length);
    withUnknown.set(bytes);
    withUnknown.set(extra, bytes.length);
    const model = decoded(withUnknown);
    expect(model.$unknown?.map((u) => u.no)).toEqual([99, 98]);
    const again = encodeModel(model);
    expect(topLevelFields(again).slice(-2)).toEqual([99, 98]);
    expect(Buffer.from(again).equals(Buffer.from(withUnknown))).toBe(true);
  });

  it('carries IR 10 features: node metadata, float8 and int4 initializers, model-local functions', () => {
    const schemas = onnxSchemas();
    const model = create(schemas.model, {
      irVersion: 10n,
      opsetImport: [{ domain: '', version: 21n }, { domain: 'local', version: 1n }],
      graph: {
        name: 'g',
        node: [{ opType: 'Twice', domain: 'local', input: ['x'], output: ['y'], name: 'call', metadataProps: [{ key: 'pkg.torch.onnx.name_scopes', value: "['', 'm', 'twice']" }] }],
        initializer: [
          { name: 'f8', dims: [4n], dataType: DataType.FLOAT8E4M3FN, rawData: new Uint8Array([0x38, 0x40, 0xb8, 0]) },
          { name: 'i4', dims: [4n], dataType: DataType.INT4, rawData: new Uint8Array([0x21, 0xf8]) },
        ],
        input: [{ name: 'x', type: { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 3n } }] } } } } }],
        output: [{ name: 'y', type: { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 3n } }] } } } } }],
      },
      functions: [{ name: 'Twice', domain: 'local', input: ['a'], output: ['b'], opsetImport: [{ domain: '', version: 21n }], node: [{ opType: 'Add', input: ['a', 'a'], output: ['b'] }] }],
    });
    const back = decoded(encodeModel(model));
    expect(back.graph!.node[0]!.metadataProps[0]).toMatchObject({ key: 'pkg.torch.onnx.name_scopes', value: "['', 'm', 'twice']" });
    expect(back.graph!.initializer.map((t) => [t.name, t.dataType, Array.from(t.rawData)])).toEqual([
      ['f8', 17, [0x38, 0x40, 0xb8, 0]],
      ['i4', 22, [0x21, 0xf8]],
    ]);
    expect(back.functions[0]).toMatchObject({ name: 'Twice', domain: 'local', input: ['a'], output: ['b'] });
  });

  it('runs a model-local function through ONNX Runtime after encoding', async () => {
    const schemas = onnxSchemas();
    const model = create(schemas.model, {
      irVersion: 10n,
      opsetImport: [{ domain: '', version: 21n }, { domain: 'local', version: 1n }],
      graph: {
        name: 'g',
        node: [{ opType: 'Twice', domain: 'local', input: ['x'], output: ['y'], name: 'call' }],
        input: [{ name: 'x', type: { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 3n } }] } } } } }],
        output: [{ name: 'y', type: { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 3n } }] } } } } }],
      },
      functions: [{ name: 'Twice', domain: 'local', input: ['a'], output: ['b'], opsetImport: [{ domain: '', version: 21n }], node: [{ opType: 'Add', input: ['a', 'a'], output: ['b'] }] }],
    });
    const out = await runModel(decoded(encodeModel(model)), { x: f32(new Float32Array([1, -2, 3.5]), [3]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2, -4, 7]);
  });

  it('decodes raw tensor data as views into the file bytes, not copies', () => {
    const bytes = encodeModel(flux2Stack({ channels: 16, joint: 1, single: 0 }));
    const weight = decoded(bytes).graph!.initializer[0]!.rawData;
    expect(weight.buffer).toBe(bytes.buffer);
    expect(weight.byteLength).toBe(16 * 16 * 4);
  });

  it('reports bytes that are not a model as a DecodeFailed error', () => {
    const result = decodeModel(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]), 'broken.onnx');
    expect(E.isLeft(result) && result.left[0]).toMatchObject({ _tag: 'DecodeFailed', source: 'broken.onnx' });
  });

  it('decodes float_data tensors written by other tools', async () => {
    const schemas = onnxSchemas();
    const values = randomFloats(6, 3);
    const model = create(schemas.model, {
      irVersion: 10n,
      opsetImport: [{ domain: '', version: 21n }],
      graph: {
        name: 'g',
        node: [{ opType: 'Add', input: ['x', 'c'], output: ['y'] }],
        initializer: [{ name: 'c', dims: [6n], dataType: DataType.FLOAT, floatData: Array.from(values) }],
        input: [{ name: 'x', type: { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 6n } }] } } } } }],
        output: [{ name: 'y', type: { value: { case: 'tensorType', value: { elemType: DataType.FLOAT, shape: { dim: [{ value: { case: 'dimValue', value: 6n } }] } } } } }],
      },
    });
    const out = await runModel(decoded(encodeModel(model)), { x: f32(new Float32Array(6), [6]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual(Array.from(values));
  });
});
