import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeActivations } from '@moral-plantain/formats';
import { createGraphBuilder, DataType, encodeModel, float32Tensor } from '@moral-plantain/hooks';
import { builtinStimulusSetPath } from '@moral-plantain/stimuli';
import { FAULT_STIMULI } from './fixtures/fault-run.js';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(path.join(tmpdir(), 'mp-quiet-'));
const activations = path.join(dir, 'activations.safetensors');
writeFileSync(
  activations,
  encodeActivations({ nPairs: 8, nUnits: 6, a: Array.from({ length: 48 }, (_, i) => Math.sin(i) + 1), b: Array.from({ length: 48 }, (_, i) => Math.cos(i)), pairs: null, groups: null, metadata: {} }),
);

describe('--quiet', () => {
  it('silences the summary of stats before or after the command name, writes the file, and keeps the exit code', () => {
    for (const args of [['--quiet', 'stats'], ['stats', '-q']]) {
      const out = path.join(dir, `${args.join('')}.json`);
      const res = run(...args, activations, '--permutations', '64', '--out', out);
      expect([res.status, res.stdout, res.stderr]).toEqual([0, '', '']);
      expect(JSON.parse(readFileSync(out, 'utf8')).nUnits).toBe(6);
    }
  });

  it('still prints errors, to standard error, with their exit code', () => {
    const res = run('stats', path.join(dir, 'absent.safetensors'), '--quiet');
    expect(res.status).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^error: Cannot read .*absent\.safetensors/);
  });

  it('keeps the data a command exists to print: --json output and tables', () => {
    const res = run('stats', activations, '--permutations', '64', '--out', path.join(dir, 'json.json'), '--json', '--quiet');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout).format).toBe('moral-plantain/results@1');
    expect(run('stimuli', 'list', '--quiet').stdout).toMatch(/^NAME\s+VERSION/);
  });

  it('silences tap and prints only the errors of an invalid stimulus set, on standard error', () => {
    const b = createGraphBuilder({ opset: 21 });
    const x = b.input('x', DataType.FLOAT, ['batch', 'seq', 16]);
    const s = b.scope('transformer_blocks.0').scope('attn').scope('to_out.0');
    b.output(s.op('MatMul', [x, s.parameter('weight', float32Tensor(new Float32Array(256).fill(0.1), [16, 16]))]), DataType.FLOAT, ['batch', 'seq', 16]);
    const model = path.join(dir, 'model.onnx');
    writeFileSync(model, encodeModel(b.build()));
    const tapped = run('tap', model, '--out', path.join(dir, 'tapped.onnx'), '--preset', 'flux2', '--unit-width', '8', '--quiet');
    expect([tapped.status, tapped.stdout, tapped.stderr]).toEqual([0, '', '']);
    expect(existsSync(path.join(dir, 'tapped.onnx.taps.json'))).toBe(true);

    const set = path.join(dir, 'uneven.yaml');
    writeFileSync(set, readFileSync(builtinStimulusSetPath('moral-plantain'), 'utf8').replace('carrying the bags', 'carrying all of the heavy bags'));
    const invalid = run('stimuli', 'validate', set, '--tokenizer', 'words', '--quiet');
    expect(invalid.status).toBe(2);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/^LOCATION\s+PAIR\s+SEVERITY/);
    expect(invalid.stderr).toMatch(/pa-01\s+error\s+token-count-mismatch/);
    expect(invalid.stderr).toMatch(/^error: \d+ errors? in stimulus set moral-plantain\.$/m);
  });

  it('runs the whole probe without a line of progress or summary', () => {
    const out = path.join(dir, 'run');
    const res = run('run', '--out', out, '--stimuli', FAULT_STIMULI, '--permutations', '64', '--splits', '0', '--quiet');
    expect([res.status, res.stdout, res.stderr]).toEqual([0, '', '']);
    expect(existsSync(path.join(out, 'README.md'))).toBe(true);
  }, 120_000);
});
