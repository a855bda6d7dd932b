import * as E from 'fp-ts/lib/Either.js';
import { fromFloat16Bits } from '@moral-plantain/formats';
import { createGraphBuilder, DataType } from '@moral-plantain/hooks';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeStreamedGraph } from '../../src/graph-weights/graph-file.js';
import { externalDataSink, inlineSink } from '../../src/graph-weights/parameter-sink.js';
import { createParameterStore } from '../../src/graph-weights/parameter-store.js';
import { seededTensor, seededWeights, type WeightSource } from '../../src/index.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'graph-weights-'));
  dirs.push(dir);
  return dir;
}

describe('streaming parameters into a graph', () => {
  it('writes each parameter at the next page boundary of the data file and references it there', async () => {
    const dir = await tempDir();
    const handle = await open(path.join(dir, 'g.onnx.data'), 'w');
    const sink = externalDataSink(handle, 'g.onnx.data');
    const b = createGraphBuilder({ name: 'g', opset: 21 });
    const chunks = [new Uint8Array(10).fill(1), new Uint8Array(5000).fill(2), new Uint8Array(0), new Uint8Array(3).fill(3)];
    for (const [i, raw] of chunks.entries()) await sink.add(b, `p${i}`, DataType.UINT8, [raw.length], raw);
    await handle.close();
    const refs = (b.build().graph?.initializer ?? []).map((t) => Object.fromEntries(t.externalData.map((e) => [e.key, e.value])));
    expect(refs.map((r) => [r['location'], Number(r['offset']), Number(r['length'])])).toEqual([
      ['g.onnx.data', 0, 10],
      ['g.onnx.data', 4096, 5000],
      ['g.onnx.data', 12288, 0],
      ['g.onnx.data', 12288, 3],
    ]);
    const data = await readFile(path.join(dir, 'g.onnx.data'));
    expect(sink.bytes()).toBe(data.byteLength);
    for (const [i, raw] of chunks.entries()) {
      const offset = Number(refs[i]?.['offset']);
      expect(Buffer.from(data.subarray(offset, offset + raw.length)).equals(Buffer.from(raw))).toBe(true);
    }
  });

  it('stores a Linear weight transposed to [in, out] or in torch layout, and float16 weights behind a Cast to float32', async () => {
    const b = createGraphBuilder({ name: 'g', opset: 21 });
    const weights = seededWeights({ seed: 1 });
    const store = createParameterStore(weights, inlineSink(), 'float32');
    const init = { kind: 'linear', fanIn: 3 } as const;
    expect(await store.tensor(b, 'a.weight', [2, 3], init, { transpose: true })).toBe('a.weight');
    await store.tensor(b, 'b.weight', [2, 3], init);
    const half = createParameterStore(weights, inlineSink(), 'float16');
    const cast = await half.tensor(b.scope('c'), 'c.weight', [2, 3], init);
    const model = b.build();
    const tensor = (name: string) => model.graph?.initializer.find((t) => t.name === name);
    const torch = seededTensor(1, 'a.weight', [2, 3], init);
    const a = tensor('a.weight');
    expect(a?.dims.map(Number)).toEqual([3, 2]);
    const stored = new Float32Array(a?.rawData.slice().buffer ?? new ArrayBuffer(0));
    for (let o = 0; o < 2; o++) for (let i = 0; i < 3; i++) expect(stored[i * 2 + o]).toBe(torch[o * 3 + i]);
    expect(tensor('b.weight')?.dims.map(Number)).toEqual([2, 3]);
    expect(Array.from(new Float32Array(tensor('b.weight')?.rawData.slice().buffer ?? new ArrayBuffer(0)))).toEqual(Array.from(seededTensor(1, 'b.weight', [2, 3], init)));
    const c = tensor('c.weight');
    expect(c?.dataType).toBe(DataType.FLOAT16);
    const halves = fromFloat16Bits(new Uint16Array(c?.rawData.slice().buffer ?? new ArrayBuffer(0)));
    const exact = seededTensor(1, 'c.weight', [2, 3], init);
    for (let k = 0; k < 6; k++) expect(Math.abs((halves[k] as number) - (exact[k] as number))).toBeLessThan(1e-3);
    expect(model.graph?.node.find((n) => n.output[0] === cast)?.opType).toBe('Cast');
    expect(store.names).toEqual([
      { name: 'a.weight', shape: [2, 3] },
      { name: 'b.weight', shape: [2, 3] },
    ]);
  });

  it('records a missing tensor and a value of the wrong length as problems and goes on with an empty placeholder', async () => {
    const source: WeightSource = {
      description: 'test',
      read: async (name) => (name === 'gone' ? E.left({ _tag: 'MissingTensor', name, source: 'test' }) : E.right(new Float32Array(5))),
      unread: () => [],
    };
    const b = createGraphBuilder({ name: 'g', opset: 21 });
    const store = createParameterStore(source, inlineSink(), 'float32');
    await store.tensor(b, 'gone', [4], { kind: 'ones' });
    await store.tensor(b, 'short', [2, 3], { kind: 'linear', fanIn: 3 }, { transpose: true });
    expect(store.problems).toEqual([
      { _tag: 'MissingTensor', name: 'gone', source: 'test' },
      { _tag: 'WrongShape', name: 'short', expected: [2, 3], actual: [5] },
    ]);
    expect(b.build().graph?.initializer.map((t) => [t.name, t.rawData.byteLength])).toEqual([
      ['gone', 0],
      ['short', 0],
    ]);
  });

  it('leaves no file behind when the streamed build reports problems or throws', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'g.onnx');
    const refused = await writeStreamedGraph(file, async (sink) => {
      await sink.add(createGraphBuilder({ name: 'g', opset: 21 }), 'w', DataType.UINT8, [4], new Uint8Array(4));
      return E.left(['a weight is missing']);
    });
    expect(E.isLeft(refused) && refused.left).toEqual(['a weight is missing']);
    const thrown = await writeStreamedGraph(file, async () => {
      throw new Error('disk full');
    });
    expect(E.isLeft(thrown) && thrown.left).toEqual({ _tag: 'WriteFailed', path: path.join(dir, 'g.onnx.data'), reason: 'disk full' });
    expect(await readdir(dir)).toEqual([]);
  });
});
