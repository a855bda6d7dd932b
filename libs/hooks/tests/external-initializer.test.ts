import * as ort from '@moral-plantain/onnxruntime-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGraphBuilder, DataType, encodeModel, externalReferences, findLinearLayers } from '../src/index.js';

describe('GraphBuilder.externalInitializer', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('references bytes already in a data file, which ONNX Runtime reads at the given offset', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hooks-external-'));
    dirs.push(dir);
    // Weight [in 2, out 3] at offset 64 of the data file, preceded by junk that must not be read.
    const weight = new Float32Array([1, 2, 3, 4, 5, 6]);
    const data = new Uint8Array(64 + weight.byteLength).fill(0xff);
    data.set(new Uint8Array(weight.buffer), 64);
    await writeFile(path.join(dir, 'model.onnx.data'), data);
    const b = createGraphBuilder();
    const x = b.input('x', DataType.FLOAT, [1, 2]);
    const proj = b.scope('proj');
    const w = proj.externalInitializer('proj.weight', DataType.FLOAT, [2, 3], { location: 'model.onnx.data', offset: 64, length: weight.byteLength });
    const y = proj.op('MatMul', [x, w]);
    b.output(y, DataType.FLOAT, [1, 3]);
    const model = b.build();
    expect(externalReferences(model)).toEqual([{ tensor: 'proj.weight', location: 'model.onnx.data', end: 64 + weight.byteLength }]);
    expect(model.graph!.initializer[0]!.rawData.byteLength).toBe(0);
    expect(findLinearLayers(model).map((l) => [l.module, l.inputWidth])).toEqual([['proj', 2]]);
    await writeFile(path.join(dir, 'model.onnx'), encodeModel(model));
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, -1]), [1, 2]) });
    expect(Array.from(out[y]!.data as Float32Array)).toEqual([1 - 4, 2 - 5, 3 - 6]);
  });

  it('refuses a name already used in the graph', () => {
    const b = createGraphBuilder();
    b.input('w', DataType.FLOAT, [1]);
    expect(() => b.externalInitializer('w', DataType.FLOAT, [1], { location: 'd', offset: 0, length: 4 })).toThrow(/already has/);
  });
});
