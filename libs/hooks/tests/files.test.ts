import { create } from '@bufbuild/protobuf';
import * as E from 'fp-ts/lib/Either.js';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeModel,
  externalReferences,
  onnxSchemas,
  readModelFile,
  tapModelFile,
  writeModelWithExternalData,
  type HooksErrors,
  type ModelProto,
} from '../src/index.js';
import { f32, flux2Stack, randomFloats, runModel } from './test-models.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hooks-files-'));
  dirs.push(dir);
  return dir;
}

async function right<T>(task: () => Promise<E.Either<HooksErrors, T>>): Promise<T> {
  const result = await task();
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

const C = 32;
const dims = [1, 5, C];
const hidden = randomFloats(5 * C, 21);

describe('external data', () => {
  it('writes large initializers to a .onnx.data file that ONNX Runtime loads, with identical results', async () => {
    const dir = await tempDir();
    const model = flux2Stack({ channels: C, joint: 2, single: 1 });
    const expected = await runModel(model, { hidden_states: f32(hidden, dims) });
    const file = path.join(dir, 'transformer.onnx');
    const written = await right(writeModelWithExternalData(model, file));
    expect(written.externalTensors).toBe(model.graph!.initializer.filter((t) => t.rawData.byteLength >= 1024).length);
    expect((await stat(path.join(dir, 'transformer.onnx.data'))).size).toBe(written.dataBytes);
    expect(written.graphBytes).toBeLessThan(written.dataBytes / 4);
    const loaded = await right(readModelFile(file));
    const refs = externalReferences(loaded.model);
    expect(refs.length).toBe(written.externalTensors);
    expect(new Set(refs.map((r) => r.location))).toEqual(new Set(['transformer.onnx.data']));
    const actual = await runModel(file, { hidden_states: f32(hidden, dims) });
    expect(Array.from(actual.output!.data as Float32Array)).toEqual(Array.from(expected.output!.data as Float32Array));
    expect(model.graph!.initializer.every((t) => t.rawData.byteLength > 0)).toBe(true);
  });

  it('taps a model with external data into another folder so its data still resolves', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'model'));
    await mkdir(path.join(dir, 'tapped'));
    const source = path.join(dir, 'model', 'transformer.onnx');
    await right(writeModelWithExternalData(flux2Stack({ channels: C, joint: 2, single: 1 }), source));
    const untapped = await runModel(source, { hidden_states: f32(hidden, dims) });
    for (const out of [path.join(dir, 'tapped', 'transformer.onnx'), path.join(dir, 'up.onnx'), path.join(dir, 'model', 'beside.onnx')]) {
      const result = await right(tapModelFile(source, out, { preset: 'flux2' }));
      const outputs = await runModel(out, { hidden_states: f32(hidden, dims) });
      expect(Array.from(outputs.output!.data as Float32Array)).toEqual(Array.from(untapped.output!.data as Float32Array));
      expect(result.manifest.taps.map((t) => t.group)).toEqual(['joint[0]', 'joint[1]', 'single[0]']);
      const manifest = JSON.parse(await readFile(`${out}.taps.json`, 'utf8'));
      expect(manifest).toMatchObject({ format: 'moral-plantain/taps@1', unitWidth: 16, totalUnits: 2 + 2 + 8 });
      const reread = await right(readModelFile(out));
      const locations = new Set(externalReferences(reread.model).map((r) => r.location));
      expect(locations.size).toBe(1);
    }
    expect(new Set(externalReferences((await right(readModelFile(path.join(dir, 'up.onnx')))).model).map((r) => r.location))).toEqual(new Set(['model/transformer.onnx.data']));
    const [linked, original] = await Promise.all([stat(path.join(dir, 'tapped', 'transformer.onnx.data')), stat(path.join(dir, 'model', 'transformer.onnx.data'))]);
    expect(linked.ino).toBe(original.ino);
    expect((await readdir(path.join(dir, 'tapped'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    ['/etc/weights.bin', 'absolute'],
    ['../elsewhere/weights.bin', 'escapes'],
    ['sub/../../weights.bin', 'escapes'],
    ['C:\\weights\\w.bin', 'absolute'],
  ])('rejects the external data location %s (%s) with every offending tensor named', async (location, reason) => {
    const dir = await tempDir();
    const file = path.join(dir, 'bad.onnx');
    await writeFile(file, encodeModel(withExternal(location)));
    const result = await readModelFile(file)();
    expect(E.isLeft(result) && result.left).toEqual([
      { _tag: 'ExternalDataLocationInvalid', tensor: 'w1', location, reason },
      { _tag: 'ExternalDataLocationInvalid', tensor: 'w2', location, reason },
    ]);
  });

  it('accepts an external data location in a subfolder of the model', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'ok.onnx');
    await writeFile(file, encodeModel(withExternal('weights/w.bin')));
    expect(E.isRight(await readModelFile(file)())).toBe(true);
  });

  it('reports a missing model file as FileReadFailed', async () => {
    const result = await readModelFile(path.join(await tempDir(), 'missing.onnx'))();
    expect(E.isLeft(result) && result.left[0]._tag).toBe('FileReadFailed');
  });
});

function withExternal(location: string): ModelProto {
  const schemas = onnxSchemas();
  const external = (name: string) => ({
    name,
    dims: [4n],
    dataType: 1,
    dataLocation: 1,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: '16' },
    ],
  });
  return create(schemas.model, { irVersion: 10n, opsetImport: [{ version: 21n }], graph: { name: 'g', initializer: [external('w1'), external('w2')] } });
}
