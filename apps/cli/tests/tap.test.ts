import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from '@moral-plantain/onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createGraphBuilder, DataType, encodeModel, float32Tensor } from '@moral-plantain/hooks';

const cliRoot = path.join(import.meta.dirname, '..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/moral-plantain.js', ...args], { cwd: cliRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const C = 32;

/** Joint blocks 0..10 (to_out.0 reads x directly) and one single block whose to_out reads 4C channels. */
function modelFile(): string {
  const b = createGraphBuilder({ opset: 21 });
  let x = b.input('x', DataType.FLOAT, ['batch', 'seq', C]);
  for (let i = 0; i <= 10; i++) {
    const s = b.scope(`transformer_blocks.${i}`).scope('attn').scope('to_out.0');
    x = s.op('MatMul', [x, s.parameter('weight', float32Tensor(new Float32Array(C * C).map((_, j) => (j % (C + 1) === 0 ? 1 : 0)), [C, C]))]);
  }
  const single = b.scope('single_transformer_blocks.0').scope('attn');
  const wide = single.scope('proj').op('MatMul', [x, single.scope('proj').parameter('weight', float32Tensor(new Float32Array(C * 4 * C).fill(0.01), [C, 4 * C]))]);
  const y = single.scope('to_out').op('MatMul', [wide, single.scope('to_out').parameter('weight', float32Tensor(new Float32Array(4 * C * C).fill(0.01), [4 * C, C]))]);
  b.output(y, DataType.FLOAT, ['batch', 'seq', C]);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-tap-')), 'model.onnx');
  writeFileSync(file, encodeModel(b.build()));
  return file;
}

describe('moral-plantain tap', () => {
  it('writes a tapped model and a manifest for the flux2 preset, in block order', async () => {
    const model = modelFile();
    const out = path.join(path.dirname(model), 'tapped.onnx');
    const { status, stdout, stderr } = cli('tap', model, '--out', out, '--preset', 'flux2', '--json');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const manifest = JSON.parse(readFileSync(`${out}.taps.json`, 'utf8'));
    expect(JSON.parse(stdout)).toMatchObject({ format: 'moral-plantain/taps@1', totalUnits: 11 * 2 + 8 });
    expect(manifest.taps.map((t: { group: string }) => t.group)).toEqual([...Array.from({ length: 11 }, (_, i) => `joint[${i}]`), 'single[0]']);
    const x = new Float32Array(2 * 3 * C).map((_, i) => Math.sin(i));
    const session = await ort.InferenceSession.create(out);
    const result = await session.run({ x: new ort.Tensor('float32', x, [2, 3, C]) });
    const first = result[manifest.taps[0].output]!.data as Float32Array;
    const expected = [0, 1].flatMap((b) => [0, 1].map((u) => {
      let sum = 0;
      for (let t = 0; t < 3; t++) for (let c = u * 16; c < (u + 1) * 16; c++) sum += (x[(b * 3 + t) * C + c] as number) ** 2;
      return Math.sqrt(sum / 48);
    }));
    expected.forEach((v, i) => expect(first[i]).toBeCloseTo(v, 5));
    await session.release();
  });

  it('accepts --select, --unit-width, --channels and --tokens and records them in the manifest', () => {
    const model = modelFile();
    const out = path.join(path.dirname(model), 'sel.onnx');
    const { status } = cli('tap', model, '--out', out, '--select', 'transformer_blocks.1*.attn.to_out.0', '--unit-width', '8', '--channels', '8:24', '--tokens', '0:2');
    expect(status).toBe(0);
    const manifest = JSON.parse(readFileSync(`${out}.taps.json`, 'utf8'));
    expect(manifest.taps.map((t: { module: string }) => t.module)).toEqual(['transformer_blocks.1.attn.to_out.0', 'transformer_blocks.10.attn.to_out.0']);
    expect(manifest.taps[0]).toMatchObject({ units: 2, channels: [8, 24], tokens: [0, 2] });
  });

  it('rejects a selector that matches nothing, naming the nearest module paths, and writes nothing', () => {
    const model = modelFile();
    const out = path.join(path.dirname(model), 'none.onnx');
    const { status, stderr } = cli('tap', model, '--out', out, '--select', 'transformer_blocks.*.attn.to_out');
    expect(status).toBe(2);
    expect(stderr).toContain('error: Selector "transformer_blocks.*.attn.to_out" matches no linear layer.');
    expect(stderr).toContain('Nearest module paths: transformer_blocks.0.attn.to_out.0');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a unit width that does not divide the tapped channels', () => {
    const model = modelFile();
    const { status, stderr } = cli('tap', model, '--out', path.join(path.dirname(model), 'w.onnx'), '--preset', 'flux2', '--unit-width', '12');
    expect(status).toBe(2);
    expect(stderr).toMatch(/Unit width 12 does not divide the 32 tapped channels of transformer_blocks\.0\.attn\.to_out\.0/);
  });

  it('rejects a malformed range and a missing selection', () => {
    const model = modelFile();
    const out = path.join(path.dirname(model), 'r.onnx');
    expect(cli('tap', model, '--out', out, '--preset', 'flux2', '--channels', '8-24').stderr).toMatch(/--channels must be a range A:B/);
    const none = cli('tap', model, '--out', out);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/Nothing to tap/);
  });
});
