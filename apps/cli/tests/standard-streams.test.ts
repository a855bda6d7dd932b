import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGraphBuilder, DataType, encodeModel, float32Tensor } from '@moral-plantain/hooks';
import { encodeActivations } from '@moral-plantain/formats';
import { builtinStimulusSetPath } from '@moral-plantain/stimuli';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
/** The CLI with `input` on its standard input (empty when null), in `cwd`. */
const run = (input: string | Buffer | null, args: readonly string[], cwd = process.cwd()) => spawnSync(process.execPath, [bin, ...args], { input: input ?? '', encoding: 'utf8', cwd });
const dir = mkdtempSync(path.join(tmpdir(), 'mp-stdio-'));

const nPairs = 10;
const nUnits = 24;
const activations = Buffer.from(
  encodeActivations({
    nPairs,
    nUnits,
    a: Array.from({ length: nPairs * nUnits }, (_, i) => Math.sin(i * 1.3) + (i % nUnits < 4 ? 2 : 0)),
    b: Array.from({ length: nPairs * nUnits }, (_, i) => Math.cos(i * 0.7)),
    pairs: null,
    groups: null,
    metadata: {},
  }),
);
const file = path.join(dir, 'activations.safetensors');
writeFileSync(file, activations);

describe('- for standard input and output', () => {
  it('stats - --out - reads the activations from standard input and writes the results JSON to standard output, the summary to standard error', () => {
    const fromFile = path.join(dir, 'from-file.json');
    expect(run(null, ['stats', file, '--permutations', '200', '--out', fromFile]).status).toBe(0);
    const piped = run(activations, ['stats', '-', '--out', '-', '--permutations', '200']);
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(readFileSync(fromFile, 'utf8'));
    expect(piped.stderr).toMatch(/^10 pairs x 24 units; 200 sign flips/);
    expect(piped.stderr).not.toMatch(/wrote/);
    expect(existsSync(path.join(dir, '-'))).toBe(false);
    const quiet = run(activations, ['stats', '-', '--out', '-', '--permutations', '200', '--quiet']);
    expect([quiet.status, quiet.stderr, quiet.stdout]).toEqual([0, '', readFileSync(fromFile, 'utf8')]);
  });

  it('stats - stops with one clear error on an empty standard input, on a terminal with nothing piped, and on bytes that are not safetensors', () => {
    const empty = run(null, ['stats', '-', '--out', path.join(dir, 'never.json')]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^error: Standard input is empty: `-` reads an activations file \(safetensors\) from it\.\n {2}Pipe the data in/);
    expect(existsSync(path.join(dir, 'never.json'))).toBe(false);
    const garbage = run('hello, this is text', ['stats', '-', '--out', path.join(dir, 'never.json')]);
    expect(garbage.status).toBe(2);
    expect(garbage.stderr).toMatch(/^error: standard input: Not a valid safetensors file/);
    // util-linux `script` gives the CLI a terminal as its standard input.
    const script = spawnSync('script', ['-qec', `"${process.execPath}" "${bin}" stats -`, '/dev/null'], { encoding: 'utf8', input: '' });
    if (script.error === undefined) {
      expect(script.status).toBe(2);
      expect(script.stdout).toMatch(/error: Nothing is piped to standard input: `-` reads an activations file \(safetensors\) from it\./);
    }
  });

  it('report - renders the card of results piped in, into --out or the working folder', () => {
    const results = run(activations, ['stats', '-', '--out', '-', '--permutations', '100', '--quiet']).stdout;
    const out = path.join(dir, 'report');
    const res = run(results, ['report', '-', '--out', out]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/results from standard input have no run\.json/);
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toContain('| results format | moral-plantain/results@1 |');
    const cwd = mkdtempSync(path.join(tmpdir(), 'mp-stdio-cwd-'));
    expect(run(results, ['report', '-', '--quiet'], cwd)).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(existsSync(path.join(cwd, 'README.md'))).toBe(true);
    const broken = run('{"format": ', ['report', '-', '--out', path.join(dir, 'broken')]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^error: Cannot read the results file on standard input: it is not valid JSON/);
  });

  it('inspect - lists the linear layers of a graph piped in', () => {
    const b = createGraphBuilder({ opset: 21 });
    const x = b.input('x', DataType.FLOAT, ['batch', 8]);
    const s = b.scope('blocks.0').scope('attn').scope('out_proj');
    b.output(s.op('MatMul', [x, s.parameter('weight', float32Tensor(new Float32Array(64).fill(0.5), [8, 8]))]), DataType.FLOAT, ['batch', 8]);
    const res = run(Buffer.from(encodeModel(b.build())), ['inspect', '-', '--json']);
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([expect.objectContaining({ module: 'blocks.0.attn.out_proj', op: 'MatMul', inputWidth: 8 })]);
    const bad = run('not a model', ['inspect', '-']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: Standard input is not a readable ONNX model/);
  });

  it('stimuli validate - and stimuli show - read the YAML from standard input, with <stdin> in problem locations', () => {
    const yaml = readFileSync(builtinStimulusSetPath('moral-plantain'), 'utf8');
    const shown = run(yaml, ['stimuli', 'show', '-', '--json']);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'moral-plantain' });
    const valid = run(yaml, ['stimuli', 'validate', '-', '--tokenizer', 'chars', '--no-strict', '--quiet']);
    expect([valid.status, valid.stdout, valid.stderr]).toEqual([0, '', '']);
    const broken = run(yaml.replace(/^pairs:/m, 'pairs: ['), ['stimuli', 'validate', '-', '--tokenizer', 'chars']);
    expect(broken.status).toBe(2);
    expect(broken.stdout).toMatch(/^<stdin>:\d+:\d+\s+-\s+error\s+yaml-syntax/m);
  });

  it('tap refuses -, and commands that write a folder refuse --out -, each with the reason', () => {
    const res = run(null, ['tap', '-', '--out', path.join(dir, 'tapped.onnx'), '--preset', 'flux2']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^error: `tap` reads and writes files, not standard input or output/);
    const cwd = mkdtempSync(path.join(tmpdir(), 'mp-stdio-folder-'));
    for (const [command, args] of [
      ['run', ['run', '--out', '-']],
      ['report', ['report', path.join(dir, 'from-file.json'), '--out', '-']],
      ['model build', ['model', 'build', '--out', '-']],
      ['merge', ['merge', cwd, '--out', '-']],
      ['sweep', ['sweep', 'axes.yaml', '--out', '-']],
    ] as const) {
      const refused = run(null, args, cwd);
      expect(refused.status, command).toBe(2);
      expect(refused.stderr.startsWith(`error: \`${command}\` writes a folder of files, so --out cannot be - (standard output).`), refused.stderr).toBe(true);
      expect(existsSync(path.join(cwd, '-')), command).toBe(false);
    }
  });
});
