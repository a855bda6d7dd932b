import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGraphBuilder, DataType, encodeModel, float32Tensor } from '@moral-plantain/hooks';

const cliRoot = path.join(import.meta.dirname, '..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/moral-plantain.js', ...args], { cwd: cliRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A two-block model: a named joint projection and a TorchScript-style anonymous single-block projection. */
function modelFile(): string {
  const b = createGraphBuilder({ opset: 17 });
  const x = b.input('x', DataType.FLOAT, ['batch', 'seq', 32]);
  const joint = b.scope('transformer_blocks.0').scope('attn').scope('to_out.0');
  const h = joint.op('MatMul', [x, joint.parameter('weight', float32Tensor(new Float32Array(32 * 32), [32, 32]))]);
  const single = b.scope('single_transformer_blocks.0').scope('attn').scope('to_out');
  const y = single.op('MatMul', [h, b.initializer('onnx::MatMul_77', float32Tensor(new Float32Array(32 * 16), [32, 16]))]);
  b.output(y, DataType.FLOAT, ['batch', 'seq', 16]);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-inspect-')), 'model.onnx');
  writeFileSync(file, encodeModel(b.build()));
  return file;
}

describe('moral-plantain inspect', () => {
  it('lists module path, op, input width and node name of every linear layer', () => {
    const { status, stdout } = cli('inspect', modelFile());
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MODULE PATH\s+OP\s+INPUT WIDTH\s+NODE$/);
    expect(lines[1]).toMatch(/^transformer_blocks\.0\.attn\.to_out\.0\s+MatMul\s+32\s+\/transformer_blocks\.0\/attn\/to_out\.0\/MatMul$/);
    expect(lines[2]).toMatch(/^single_transformer_blocks\.0\.attn\.to_out\s+MatMul\s+32\s+\/single_transformer_blocks\.0\/attn\/to_out\/MatMul$/);
  });

  it('gives the same rows as JSON with --json', () => {
    const { status, stdout } = cli('inspect', modelFile(), '--json');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { module: 'transformer_blocks.0.attn.to_out.0', op: 'MatMul', inputWidth: 32, node: '/transformer_blocks.0/attn/to_out.0/MatMul', weight: 'transformer_blocks.0.attn.to_out.0.weight', moduleSource: 'weight-name' },
      { module: 'single_transformer_blocks.0.attn.to_out', op: 'MatMul', inputWidth: 32, node: '/single_transformer_blocks.0/attn/to_out/MatMul', weight: 'onnx::MatMul_77', moduleSource: 'node-name' },
    ]);
  });

  it('fails with one clear message and exit code 2 for a file that is not a model', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-inspect-')), 'bad.onnx');
    writeFileSync(file, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1]));
    const { status, stderr } = cli('inspect', file);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^error: .*bad\.onnx is not a readable ONNX model/);
    expect(stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('fails with exit code 2 for an empty .onnx file, which decodes to a model without a graph', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cli-inspect-')), 'empty.onnx');
    writeFileSync(file, Buffer.alloc(0));
    const { status, stdout, stderr } = cli('inspect', file);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: .*empty\.onnx holds no ONNX graph/);
  });
});
