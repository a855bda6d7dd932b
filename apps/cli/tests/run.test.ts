import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeActivations, hostName, unitOrigins, type Activations } from '@moral-plantain/formats';
import { buildTinyModelFolder } from '@moral-plantain/model-builder';
import { defaultQwen3TokenizerDir, loadQwen3Tokenizer, onnxruntimeInstall, openModelFolder, qwen3Tokenize, runProbe } from '@moral-plantain/model-runtime';
import { pairedTestSync } from '@moral-plantain/stats';
import { loadBuiltinStimulusSet } from '@moral-plantain/stimuli';
import { FAULT_STIMULI } from './fixtures/fault-run.js';

const bin = path.join(import.meta.dirname, '..', 'bin', 'moral-plantain.js');
const cudaInstalled = existsSync(path.join(onnxruntimeInstall().binDir, 'libonnxruntime_providers_cuda.so'));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'run', ...args], { encoding: 'utf8' });
const root = mkdtempSync(path.join(tmpdir(), 'mp-run-'));
const first = path.join(root, 'first');

function activationsIn(dir: string): Activations {
  const decoded = decodeActivations(readFileSync(path.join(dir, 'activations.safetensors')));
  if (E.isLeft(decoded)) throw new Error('activations file does not decode');
  return decoded.right;
}

describe('moral-plantain run on the embedded tiny model', () => {
  let summary: { tinyModel: boolean; prompts: { computed: number }; device: string | null; requestedDevice: string; deviceFallbacks: unknown[] };
  beforeAll(() => {
    const res = run('--out', first, '--permutations', '64', '--splits', '10', '--json');
    expect(res.stderr).toMatch(/embedded TINY FLUX\.2-architecture model/);
    expect(res.status).toBe(0);
    summary = JSON.parse(res.stdout);
  }, 120_000);

  it('writes the report, results, activations, figures, CSV and provenance', () => {
    expect(summary).toMatchObject({ tinyModel: true, prompts: { total: 50, computed: 50, cached: 0 }, device: 'cpu', requestedDevice: 'cpu', deviceFallbacks: [] });
    for (const file of ['README.md', 'results.json', 'activations.safetensors', 'run.json', 'unit-statistics.csv', 'figures/abs-t-by-block.svg']) {
      expect(existsSync(path.join(first, file)), file).toBe(true);
    }
    const provenance = JSON.parse(readFileSync(path.join(first, 'run.json'), 'utf8'));
    expect(provenance).toMatchObject({
      format: 'moral-plantain/run@1',
      model: { kind: 'tiny-seeded' },
      stimuli: { name: 'moral-plantain', pairs: 25 },
      protocol: { steps: 1, guidanceScale: 1, timestep: 1, seed: 0, unit: { width: 16, count: 72 } },
      device: 'cpu',
      requestedDevice: 'cpu',
      deviceFallbacks: [],
    });
    expect(provenance.stimuli.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(provenance.model.files.map((f: { path: string }) => f.path)).toContain('transformer.onnx');
    expect(Object.keys(provenance.timings.seconds)).toEqual(expect.arrayContaining(['model', 'probe', 'statistics', 'report', 'total']));
  });

  it('stores the same activations as a direct run of the probe', async () => {
    const dir = path.join(root, 'direct-model');
    const built = await buildTinyModelFolder(dir, defaultQwen3TokenizerDir());
    if (E.isLeft(built)) throw new Error('tiny model did not build');
    const folder = await openModelFolder(dir)();
    const tokenizer = await loadQwen3Tokenizer();
    const set = loadBuiltinStimulusSet('moral-plantain');
    if (E.isLeft(folder) || E.isLeft(tokenizer) || E.isLeft(set)) throw new Error('setup failed');
    const direct = await runProbe(folder.right, { pairs: set.right.set.pairs.map((p) => ({ id: p.id, a: p.a, b: p.b })), tokenize: qwen3Tokenize(tokenizer.right), seed: 0 })();
    if (E.isLeft(direct)) throw new Error('direct run failed');
    const stored = activationsIn(first);
    expect(stored.nPairs).toBe(25);
    expect(stored.nUnits).toBe(72);
    expect(stored.pairs).toEqual(set.right.set.pairs.map((p) => p.id));
    expect(Array.from(stored.a.data)).toEqual(Array.from(Float32Array.from(direct.right.activations.a.data)));
    expect(Array.from(stored.b.data)).toEqual(Array.from(Float32Array.from(direct.right.activations.b.data)));
  }, 60_000);

  it('writes results.json computed from those activations, and a report with its numbers', () => {
    const stored = activationsIn(first);
    // Real ndarray views straight from the reader go into the statistics engine.
    // The file stores float32, the precision the run judges zero-variance and near-constant units at.
    const expected = pairedTestSync({ a: stored.a, b: stored.b }, { permutations: 64, seed: 0, splits: 10, groups: stored.groups ?? undefined, precision: 'float32' });
    if (E.isLeft(expected)) throw new Error('stats failed');
    const results = JSON.parse(readFileSync(path.join(first, 'results.json'), 'utf8'));
    // The activations embed the tapped model's manifest, so each unit's module, block and channels come along.
    expect(stored.taps).not.toBeNull();
    const origins = unitOrigins(stored.taps!);
    expect(results).toEqual(JSON.parse(JSON.stringify({ ...expected.right.results, units: { ...expected.right.results.units, ...origins } })));
    expect(origins.block).toEqual(stored.groups);
    expect(origins.module.slice(0, 5)).toEqual([...Array(4).fill('transformer_blocks.0.attn.to_out.0'), 'transformer_blocks.1.attn.to_out.0']);
    const csv = readFileSync(path.join(first, 'unit-statistics.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toBe('unit,group,t,d,meanDiff,pPermutation,pFwer,qFdr,sdDiff,module,block,indexInBlock,channelStart,channelEnd');
    expect(csv[1]!.split(',').slice(8)).toEqual([String(results.units.sdDiff[0]), 'transformer_blocks.0.attn.to_out.0', 'joint[0]', '0', '0', '16']);
    expect(csv[72]!.split(',').slice(9)).toEqual(['single_transformer_blocks.3.attn.to_out', 'single[3]', '15', '240', '256']);
    const readme = readFileSync(path.join(first, 'README.md'), 'utf8');
    const t3 = results.thresholds[0];
    expect(readme).toContain(`| units with \\|t\\| > 3 | ${t3.observed} (${(t3.fraction * 100).toFixed(1)}%) |`);
    expect(readme).toContain(`| max \\|t\\| | ${results.maxAbsT.value.toFixed(2)} |`);
    expect(readme).toMatch(/Pipeline check/);
  });

  it('refuses a second run into a folder another live run holds', () => {
    const busy = path.join(root, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, '.moral-plantain.lock'), `${process.pid}\n`);
    const res = run('--out', busy);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`Another run (process ${process.pid} on ${hostName()}; its lock was refreshed`);
    expect(res.stderr).toContain(`is writing into ${busy}.`);
    expect(res.stderr).toContain(`remove ${path.join(busy, '.moral-plantain.lock')} and run again`);
  });

  it('takes over the lock a killed run left behind', () => {
    // A process id far above the kernel's pid_max: no process can hold it.
    writeFileSync(path.join(first, '.moral-plantain.lock'), '4194305\n');
    const res = run('--out', first, '--permutations', '64', '--splits', '10', '--json');
    expect(res.status).toBe(0);
    expect(existsSync(path.join(first, '.moral-plantain.lock'))).toBe(false);
  }, 60_000);

  it('resumes an interrupted run and gives the same activations', async () => {
    const second = path.join(root, 'second');
    const child = spawn(process.execPath, [bin, 'run', '--out', second, '--permutations', '64', '--splits', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Interrupt once some prompts are done (and cached), well before the last one.
      if (/transformer: ([5-9]|[1-3]\d)\/50/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/Interrupted after \d+ of 50 prompts; they are saved/);
    expect(existsSync(path.join(second, 'results.json'))).toBe(false);
    const resumed = run('--out', second, '--permutations', '64', '--splits', '10', '--json');
    expect(resumed.status).toBe(0);
    const { prompts } = JSON.parse(resumed.stdout);
    expect(prompts.cached).toBeGreaterThan(0);
    expect(prompts.computed).toBeGreaterThan(0);
    expect(readFileSync(path.join(second, 'activations.safetensors'))).toEqual(readFileSync(path.join(first, 'activations.safetensors')));
  }, 120_000);

  it('stops with exit 130 on SIGTERM during the statistics, publishing nothing, and the rerun finishes from the cache', async () => {
    const out = path.join(root, 'terminated');
    // Many split-half splits make the statistics stage last a few seconds.
    const args = [bin, 'run', '--out', out, '--stimuli', FAULT_STIMULI, '--permutations', '64', '--splits', '100000'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/statistics: 0\/1/.test(stderr) && !child.killed) child.kill('SIGTERM');
    });
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/Interrupted after 8 of 8 prompts; they are saved/);
    expect(existsSync(path.join(out, 'results.json'))).toBe(false);
    expect(existsSync(path.join(out, 'outputs.json'))).toBe(false);
    const rerun = spawnSync(process.execPath, [...args.slice(0, -1), '10', '--json'], { encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    // Every prompt came from the cache: no device ran the transformer, and the JSON says so with null.
    expect(JSON.parse(rerun.stdout)).toMatchObject({ prompts: { computed: 0, cached: 8 }, device: null, requestedDevice: 'cpu', deviceFallbacks: [] });
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ device: null, requestedDevice: 'cpu' });
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/^\| device \| none: every prompt came from the cache \(requested cpu\) \|$/m);
  }, 120_000);

  it('takes settings from a YAML config file, flags winning', () => {
    const config = path.join(root, 'run.yaml');
    writeFileSync(config, 'permutations: 32\nsplits: 0\nbatch-size: 2\n');
    const res = run('--out', first, '--config', config, '--permutations', '48', '--json');
    expect(res.status).toBe(0);
    const results = JSON.parse(readFileSync(path.join(first, 'results.json'), 'utf8'));
    expect(results.permutation.count).toBe(48);
    expect(results.splitHalf).toBeNull();
    const settings = JSON.parse(readFileSync(path.join(first, 'run.json'), 'utf8')).settings;
    expect(settings).toMatchObject({ permutations: 48, splits: 0, batchSize: 2 });
  }, 60_000);

  it('defines units by --unit-width and --channels, and says so in run.json and the report', () => {
    const out = path.join(root, 'attention');
    const res = run('--out', out, '--unit-width', '8', '--channels', '0:64', '--permutations', '32', '--splits', '0', '--json');
    expect(res.status).toBe(0);
    // Tiny: D = 64; joint inputs are 64 wide, single inputs 256, of which channels 0..63 are attention.
    expect(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).nUnits).toBe(2 * 8 + 4 * 8);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).protocol.unit).toEqual({ width: 8, channels: 'attention-only', channelRange: { start: 0, end: 64 }, count: 48 });
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toContain('attention channels only (channels 0 to 63)');
  }, 60_000);

  it('explains a missing CUDA provider in one message, without ONNX Runtime\'s own log lines', () => {
    const res = run('--out', path.join(root, 'cuda'), '--device', 'cuda');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('The CUDA execution provider could not be loaded');
    expect(res.stderr).toContain('moral-plantain install-cuda');
    expect(res.stderr).toContain('CUDA 13.x and cuDNN 9');
    expect(res.stderr).not.toMatch(/\[E:onnxruntime/);
  }, 60_000);

  it.skipIf(cudaInstalled)('reports --device auto as values: the device it got, the one asked for, and why each GPU provider did not load', () => {
    const out = path.join(root, 'auto');
    // No Vulkan driver (a machine with Mesa's software Vulkan would otherwise give WebGPU an adapter).
    const noVulkan = { ...process.env, VK_DRIVER_FILES: '/nonexistent.json', VK_ICD_FILENAMES: '/nonexistent.json' };
    const res = spawnSync(process.execPath, [bin, 'run', '--out', out, '--stimuli', FAULT_STIMULI, '--device', 'auto', '--permutations', '32', '--splits', '0', '--json'], { encoding: 'utf8', env: noVulkan });
    expect(res.status).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json).toMatchObject({ device: 'cpu', requestedDevice: 'auto' });
    expect(json.deviceFallbacks.map((f: { device: string }) => f.device)).toEqual(['cuda', 'webgpu']);
    for (const fallback of json.deviceFallbacks) expect(fallback.reason).toMatch(/\S/);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ device: 'cpu', requestedDevice: 'auto', deviceFallbacks: json.deviceFallbacks });
    expect(readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/^\| device \| cpu \(requested auto; cuda: .+; webgpu: .+\) \|$/m);
  }, 120_000);

  it('stops on bad settings and unknown stimuli with one clear error', () => {
    const bad = run('--out', path.join(root, 'bad'), '--resolution', '100', '--seed', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/2 settings are invalid: seed must be a whole number.*resolution must be N or WxH/);
    const config = path.join(root, 'typo.yaml');
    writeFileSync(config, 'permutaions: 10\n');
    expect(run('--config', config).stderr).toMatch(/unknown settings: permutaions/);
    const missing = run('--out', path.join(root, 'bad'), '--stimuli', 'no-such-set');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read the stimulus set "no-such-set"/);
  });

  it('finds stimuli whose pairs differ in token count before it builds the embedded model', () => {
    const out = path.join(root, 'unmatched');
    const file = path.join(root, 'unmatched.yaml');
    // The first pair's b prompt gains words, so its Qwen3 token count no longer matches a's.
    const text = readFileSync(FAULT_STIMULI, 'utf8');
    const b = /\n {4}b: (.*)\n/.exec(text);
    if (b === null) throw new Error('fault-check.yaml has no b prompt');
    writeFileSync(file, text.replace(b[0], `\n    b: ${b[1]} and then walks far away down the long road\n`));
    const res = run('--out', out, '--stimuli', file);
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/token/i);
    expect(existsSync(path.join(out, '.cache', 'model-tiny'))).toBe(false);
    expect(res.stderr).not.toMatch(/embedded TINY/);
  });
});
