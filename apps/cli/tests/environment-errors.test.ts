import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeActivations } from '@moral-plantain/formats';
import { createGraphBuilder, DataType, encodeModel, float32Tensor } from '@moral-plantain/hooks';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const failFs = path.join(import.meta.dirname, 'fixtures', 'fail-fs.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'mp-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI; with `fail`, the file operations under `fail.path` fail with `fail.code` (tests/fixtures/fail-fs.mjs). */
function cli(args: readonly string[], fail?: { path: string; code: string }) {
  const preload = fail ? ['--import', failFs] : [];
  const env = fail ? { ...process.env, FAIL_FS_PATH: fail.path, FAIL_FS_CODE: fail.code } : process.env;
  return spawnSync(process.execPath, [...preload, bin, ...args], { encoding: 'utf8', env, cwd: dir });
}

/**
 * The stderr of a failed command ends in one `error: Cannot ...` sentence naming `file`, the cause
 * and its code, and one line of what to do (a run's progress lines come before it).
 */
function expectOneClearError(res: ReturnType<typeof cli>, file: string, cause: RegExp, code: string): void {
  expect(res.status, res.stderr).toBe(2);
  const all = res.stderr.trimEnd().split('\n');
  const lines = all.slice(all.findIndex((line) => line.startsWith('error: ')));
  expect(lines, res.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: Cannot [a-z ]+ /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(cause);
  expect(lines[0]!.endsWith(`(${code}).`), lines[0]).toBe(true);
  expect(lines[1]).toMatch(/^ {2}\S/);
  expect(res.stderr).not.toContain('unexpected failure');
}

const activations = path.join(dir, 'activations.safetensors');
const values = Array.from({ length: 8 * 4 }, (_, i) => Math.sin(i) + 2);
writeFileSync(activations, encodeActivations({ nPairs: 8, nUnits: 4, a: values, b: values.map((v, i) => v * 0.9 + (i % 3) * 0.01), pairs: null, groups: null, metadata: {} }));
const aFile = path.join(dir, 'a-file');
writeFileSync(aFile, 'not a folder\n');
const aFolder = path.join(dir, 'a-folder');
mkdirSync(aFolder);

/** A small graph with one FLUX.2-style attention output projection, for `tap`. */
function onnxModel(): string {
  const b = createGraphBuilder({ opset: 21 });
  const x = b.input('x', DataType.FLOAT, ['batch', 'seq', 16]);
  const s = b.scope('transformer_blocks.0').scope('attn').scope('to_out.0');
  b.output(s.op('MatMul', [x, s.parameter('weight', float32Tensor(new Float32Array(256).fill(0.1), [16, 16]))]), DataType.FLOAT, ['batch', 'seq', 16]);
  const file = path.join(dir, 'model.onnx');
  writeFileSync(file, encodeModel(b.build()));
  return file;
}
const model = onnxModel();

describe('environment failures: one clear sentence, exit 2', () => {
  it('names a file given where a folder is needed (EEXIST)', () => {
    expectOneClearError(cli(['run', '--out', aFile, '--permutations', '10', '--splits', '0']), aFile, /a file stands where a folder of the path should be/, 'EEXIST');
    expectOneClearError(cli(['stats', activations, '--out', path.join(aFile, 'results.json')]), path.join(aFile, 'results.json'), /a file stands where a folder/, 'EEXIST');
  });

  it('names a folder given where a file is needed (EISDIR), the lock file included', () => {
    expectOneClearError(cli(['stats', activations, '--out', aFolder]), aFolder, /it is a folder, not a file/, 'EISDIR');
    const out = path.join(dir, 'locked');
    mkdirSync(path.join(out, '.moral-plantain.lock'), { recursive: true });
    expectOneClearError(cli(['run', '--out', out, '--permutations', '10', '--splits', '0']), path.join(out, '.moral-plantain.lock'), /it is a folder, not a file/, 'EISDIR');
  });

  it('names a path that does not exist (ENOENT)', () => {
    const missing = path.join(dir, 'missing.safetensors');
    expectOneClearError(cli(['stats', missing]), missing, /it does not exist/, 'ENOENT');
    expectOneClearError(cli(['model', 'info', path.join(dir, 'no-model')]), path.join(dir, 'no-model'), /it does not exist/, 'ENOENT');
  });

  it.each([
    ['ENOSPC', /no space is left on the disk/],
    ['EROFS', /the file system is read-only/],
    ['EACCES', /permission denied/],
    ['EDQUOT', /the disk quota is used up/],
    ['EIO', /input\/output error/],
  ])('explains %s for every command that writes', (code, cause) => {
    const out = path.join(dir, `out-${code}`);
    expectOneClearError(cli(['stats', activations, '--out', path.join(out, 'results.json')], { path: out, code }), path.join(out, 'results.json'), cause, code);
    expectOneClearError(cli(['tap', model, '--out', path.join(out, 'tapped.onnx'), '--preset', 'flux2'], { path: out, code }), out, cause, code);
    expectOneClearError(cli(['model', 'build', '--out', path.join(out, 'model'), '--no-text-encoder'], { path: out, code }), out, cause, code);
    expectOneClearError(cli(['run', '--out', path.join(out, 'run'), '--permutations', '10', '--splits', '0'], { path: out, code }), out, cause, code);
  });

  it('explains a full disk at the report step of a run and of `report`', () => {
    const out = path.join(dir, 'run-report');
    expect(cli(['run', '--out', out, '--permutations', '10', '--splits', '0']).status).toBe(0);
    expectOneClearError(cli(['run', '--out', out, '--permutations', '10', '--splits', '0'], { path: path.join(out, 'figures'), code: 'ENOSPC' }), path.join(out, 'figures'), /no space is left/, 'ENOSPC');
    expectOneClearError(cli(['report', path.join(out, 'results.json'), '--out', path.join(dir, 'report-out')], { path: path.join(dir, 'report-out'), code: 'ENOSPC' }), path.join(dir, 'report-out'), /no space is left/, 'ENOSPC');
  });
});
