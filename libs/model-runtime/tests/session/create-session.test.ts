import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from '@moral-plantain/onnxruntime-node';
import { createGraphBuilder, DataType, encodeModel, float32Tensor, writeModelWithExternalData } from '@moral-plantain/hooks';
import { createSession, CUDA_INSTALL_COMMAND, cudaProviderStatus, describeSessionError, runSession } from '../../src/index.js';
import { tempDir } from '../probe/fake-folder.js';

/** y = relu(x W), W [64, 32] with entries (i - j) / 64: big enough (8 KiB) to go to external data. */
function model() {
  const w = new Float32Array(64 * 32);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 32; j++) w[i * 32 + j] = (i - j) / 64;
  const b = createGraphBuilder({ name: 'relu-linear' });
  const x = b.input('x', DataType.FLOAT, ['n', 64]);
  const lin = b.scope('lin');
  const y = b.op('Relu', [lin.op('MatMul', [x, lin.parameter('weight', float32Tensor(w, [64, 32]))])], {});
  b.output(y, DataType.FLOAT, ['n', 32]);
  return { proto: b.build(), w };
}

const x = Float32Array.from({ length: 2 * 64 }, (_, i) => Math.cos(i));
function expected(w: Float32Array): number[] {
  const out: number[] = [];
  for (let n = 0; n < 2; n++) for (let j = 0; j < 32; j++) {
    let v = 0;
    for (let i = 0; i < 64; i++) v += x[n * 64 + i]! * w[i * 32 + j]!;
    out.push(Math.max(0, v));
  }
  return out;
}

const cudaInstalled = cudaProviderStatus().installed;
const vulkanPresent = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);

describe('createSession', () => {
  it('runs a model from bytes on the CPU and reports its inputs and outputs', async () => {
    const { proto, w } = model();
    const s = await createSession(encodeModel(proto), { device: 'cpu', intraOpThreads: 1, interOpThreads: 1, graphOptimization: 'disabled' })();
    if (E.isLeft(s)) throw new Error(describeSessionError(s.left).message);
    expect(s.right).toMatchObject({ device: 'cpu', requested: 'cpu', notes: [], fallbacks: [], source: '<buffer>' });
    expect(s.right.inputs).toEqual([{ name: 'x', type: 'float32', shape: ['n', 64] }]);
    const out = await runSession(s.right, { x: new ort.Tensor('float32', x, [2, 64]) })();
    if (E.isLeft(out)) throw new Error('run failed');
    const y = Array.from(Object.values(out.right)[0]!.data as Float32Array);
    y.forEach((v, i) => expect(v).toBeCloseTo(expected(w)[i]!, 5));
  });

  it('opens a model by path so its external data file resolves', async () => {
    const { proto, w } = model();
    const file = path.join(await tempDir(), 'm.onnx');
    const written = await writeModelWithExternalData(proto, file)();
    expect(E.isRight(written)).toBe(true);
    expect(existsSync(`${file}.data`)).toBe(true);
    const s = await createSession(file)();
    if (E.isLeft(s)) throw new Error(describeSessionError(s.left).message);
    const out = await s.right.session.run({ x: new ort.Tensor('float32', x, [2, 64]) });
    expect((out[s.right.outputs[0]!.name]!.data as Float32Array)[5]).toBeCloseTo(expected(w)[5]!, 5);
  });

  it.skipIf(cudaInstalled)('says how to install the CUDA provider when its libraries are missing', async () => {
    const s = await createSession(encodeModel(model().proto), { device: 'cuda' })();
    expect(E.isLeft(s) && s.left._tag).toBe('ProviderUnavailable');
    if (E.isLeft(s)) expect(describeSessionError(s.left).hint).toContain(CUDA_INSTALL_COMMAND);
  });

  it.skipIf(cudaInstalled)('falls back to the CPU only when asked, and says why', async () => {
    const s = await createSession(encodeModel(model().proto), { device: 'cuda', cpuFallback: true })();
    if (E.isLeft(s)) throw new Error(describeSessionError(s.left).message);
    expect(s.right.device).toBe('cpu');
    expect(s.right.notes[0]).toMatch(/^cuda unavailable .*using cpu$/);
    expect(s.right.fallbacks).toEqual([{ device: 'cuda', reason: expect.stringMatching(/\S/) }]);
  });

  it.skipIf(vulkanPresent)('reports WebGPU without a Vulkan adapter as an unavailable provider', async () => {
    const s = await createSession(encodeModel(model().proto), { device: 'webgpu' })();
    expect(E.isLeft(s) && s.left._tag === 'ProviderUnavailable' && s.left.device).toBe('webgpu');
  });

  it('in auto mode takes a GPU provider when one loads, else the CPU, and says which', async () => {
    const s = await createSession(encodeModel(model().proto), { device: 'auto' })();
    if (E.isLeft(s)) throw new Error(describeSessionError(s.left).message);
    expect(['cpu', 'cuda', 'webgpu']).toContain(s.right.device);
    if (s.right.device === 'cpu') expect(s.right.fallbacks.map((f) => f.device)).toEqual(['cuda', 'webgpu']);
    if (s.right.device === 'cpu') expect(s.right.notes.length).toBe(2);
    if (!cudaInstalled && !vulkanPresent) expect(s.right.device).toBe('cpu');
  });

  it('rejects bad options and unreadable models as values', async () => {
    const bytes = encodeModel(model().proto);
    expect(await createSession(bytes, { device: 'tpu' as never })()).toMatchObject(E.left({ _tag: 'InvalidSessionOption', option: 'device' }));
    expect(await createSession(bytes, { intraOpThreads: -1 })()).toMatchObject(E.left({ _tag: 'InvalidSessionOption', option: 'intraOpThreads' }));
    expect(await createSession(bytes, { graphOptimization: 'max' as never })()).toMatchObject(E.left({ _tag: 'InvalidSessionOption', option: 'graphOptimization' }));
    expect(await createSession(new Uint8Array([1, 2, 3]))()).toMatchObject(E.left({ _tag: 'ModelLoadFailed', source: '<buffer>' }));
    const missing = await createSession('/nonexistent/model.onnx')();
    expect(E.isLeft(missing) && describeSessionError(missing.left).message).toMatch(/could not load \/nonexistent\/model.onnx/);
  });

  it('turns a failed run into a value naming the model', async () => {
    const s = await createSession(encodeModel(model().proto))();
    if (E.isLeft(s)) throw new Error('open failed');
    const out = await runSession(s.right, { x: new ort.Tensor('float32', new Float32Array(3), [1, 3]) })();
    expect(out).toMatchObject(E.left({ _tag: 'RunFailed', model: '<buffer>' }));
  });
});

